#!/usr/bin/env node
// `npm test`: type-check, then every suite (unit, integration, browser) inside a
// loopback-only network namespace.
import { spawnSync } from 'node:child_process';
import { ensureSystemPackages } from './system-packages.mjs';

function step(title, argv) {
  console.log(`\n== ${title}`);
  const result = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n${title} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

ensureSystemPackages('test');
step('type-check', ['npx', 'tsc', '--noEmit', '-p', '.']);
step('tests (loopback-only namespace)', [
  process.execPath,
  'scripts/netns.mjs',
  '--',
  'npx',
  'vitest',
  'run',
  ...process.argv.slice(2),
]);
