#!/usr/bin/env node
// Runs a command inside a fresh loopback-only network namespace:
//   node scripts/netns.mjs -- <command> [args...]
// WebRTC gathers candidates on every interface it can see, and the exit-policy suites aim at
// LAN and metadata addresses on purpose, so nothing networked may run where a real interface is up.
import { spawnSync } from 'node:child_process';
import { assertLoopbackOnly } from './loopback-only.mjs';

const separator = process.argv.indexOf('--');
const command = separator >= 0 ? process.argv.slice(separator + 1) : [];
if (command.length === 0) {
  console.error('usage: node scripts/netns.mjs -- <command> [args...]');
  process.exit(2);
}

function run(argv, env = process.env) {
  const result = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (process.env.PORCHLIGHT_NETNS === '1') {
  // Inside the namespace: prove it, then run.
  assertLoopbackOnly(command.join(' '));
  process.exit(run(command));
}

if (process.platform !== 'linux') {
  if (process.env.PORCHLIGHT_NO_NETNS !== '1') {
    console.error(
      'Network namespaces need Linux. On a developer machine you may set PORCHLIGHT_NO_NETNS=1 to run ' +
        'without one; the suites then still refuse to start while any non-loopback interface is up.',
    );
    process.exit(2);
  }
  console.warn('[netns] running WITHOUT a network namespace (PORCHLIGHT_NO_NETNS=1)');
  process.exit(run(command));
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const unshareFlags = isRoot ? ['-n'] : ['-r', '-n'];
const inner = [process.execPath, new URL(import.meta.url).pathname, '--', ...command];
const script = 'ip link set lo up && exec "$@"';
const status = run(['unshare', ...unshareFlags, '--', 'sh', '-c', script, 'netns', ...inner], {
  ...process.env,
  PORCHLIGHT_NETNS: '1',
});
process.exit(status);
