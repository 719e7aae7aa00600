#!/usr/bin/env node
// Makes sure the Debian packages a command needs are installed, before that command runs:
//   node scripts/system-packages.mjs start|test
// As root it installs what is missing with apt; otherwise it stops with the one line to run.
// `npm start` and `npm test` call it first, so a newcomer never has to read `.ci/run`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What each command needs: the Debian package, and how to tell it is already there. */
const packages = {
  chromium: { probe: '/usr/lib/chromium/chromium', neededBy: ['start', 'test', 'bench'] },
  'firefox-esr': { probe: 'firefox-esr', neededBy: ['test'] },
  iproute2: { probe: 'ip', neededBy: ['start', 'test', 'bench'] },
  'util-linux': { probe: 'unshare', neededBy: ['start', 'test', 'bench'] },
};

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function present(probe) {
  return probe.startsWith('/') ? existsSync(probe) : onPath(probe);
}

/** Debian packages the named command needs that this machine lacks. */
export function missingPackages(command) {
  return Object.entries(packages)
    .filter(([, p]) => p.neededBy.includes(command) && !present(p.probe))
    .map(([name]) => name);
}

function apt(args) {
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/**
 * Installs the missing packages with apt when root, else exits naming the command to run.
 * @throws never; exits the process with status 1 when it cannot install.
 */
export function ensureSystemPackages(command) {
  if (process.platform !== 'linux' || process.env.PORCHLIGHT_SKIP_SYSTEM_PACKAGES === '1') return;
  const missing = missingPackages(command);
  if (missing.length === 0) return;
  const line = `sudo apt-get install -y ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    console.error(`npm ${command} needs ${missing.join(', ')}; install them with: ${line}`);
    process.exit(1);
  }
  console.log(`[setup] installing with apt: ${missing.join(' ')}`);
  if (!apt(['update', '-qq']) || !apt(['install', '-y', '-qq', ...missing])) {
    console.error(`[setup] apt could not install ${missing.join(', ')}; try: ${line}`);
    process.exit(1);
  }
  const still = missingPackages(command);
  if (still.length > 0) {
    console.error(`[setup] still missing after apt: ${still.join(', ')}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = process.argv[2];
  if (!command) {
    console.error('usage: node scripts/system-packages.mjs start|test|bench');
    process.exit(2);
  }
  ensureSystemPackages(command);
}
