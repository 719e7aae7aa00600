// Guards that keep every networked test, benchmark and demo on loopback.
import os from 'node:os';

/** Names of network interfaces that carry a non-loopback address in this namespace. */
export function nonLoopbackInterfaces() {
  const found = [];
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    if ((addresses ?? []).some((a) => !a.internal)) found.push(name);
  }
  return found;
}

/**
 * Throws unless this process can reach nothing but loopback.
 * @throws {Error} naming the interfaces that are up.
 */
export function assertLoopbackOnly(what = 'this run') {
  const open = nonLoopbackInterfaces();
  if (open.length > 0) {
    throw new Error(
      `Refusing to start ${what}: network interfaces other than loopback are up (${open.join(', ')}). ` +
        'Run it through `node scripts/netns.mjs -- <command>` (npm test and npm start do), ' +
        'which enters a loopback-only network namespace.',
    );
  }
}
