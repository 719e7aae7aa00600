// `npm start`: the local Porchlight network on this machine, inside a loopback-only namespace.
// Builds the extension, starts the signaling server and a local demo site, then a donor and a
// client peer (the same engine as the extension, over real WebRTC) fetch through the tunnel.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSignalingServer } from '../signaling/server.ts';
import { createSignalingLogger } from '../signaling/log.ts';
import { bytesPath, bytesSha256, startOriginServer } from '../tests/support/origin-server.ts';
import { startNodeClient, startNodeDonor } from '../tests/support/node-peers.ts';

const demoFileBytes = 32 * 1024 * 1024;
// A live bar on a terminal; a line per quarter in a log.
const progressEveryBytes = process.stdout.isTTY ? 2 * 1024 * 1024 : 8 * 1024 * 1024;

function step(text: string): void {
  console.log(`\n▸ ${text}`);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

step('Building the extension (WXT)');
const build = spawnSync('npx', ['wxt', 'build'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (build.status !== 0) {
  console.error(build.stdout);
  process.exit(build.status ?? 1);
}
console.log('  built into .output/chrome-mv3');

step('Starting the signaling server');
const signaling = await createSignalingServer({ host: '127.0.0.1', port: Number(process.env.PORCHLIGHT_SIGNALING_PORT ?? 8787), logger: createSignalingLogger('warn') });
console.log(`  listening on ${signaling.url}  (health: http://127.0.0.1:${signaling.port}/healthz, metrics: /metrics)`);

step('Starting a local demo site (the only loopback origin this demo donor may fetch)');
const site = await startOriginServer();
console.log(`  ${site.origin}`);

step('A donor switches sharing on');
const donor = await startNodeDonor(signaling.url, site.origin);
console.log(`  donor ${donor.donor.peerId.slice(0, 16)}… announced (country as seen by signaling: ${donor.donor.country})`);

step('A client asks signaling for a donor, dials it over WebRTC and checks its HELLO');
const client = await startNodeClient(signaling.url, { onDonor: (d) => console.log(`  connected to donor ${d.peerId.slice(0, 16)}…, identity and DTLS fingerprints verified`) });

let failed = false;
try {
  step(`Fetching ${site.url('/')} through the tunnel`);
  const started = performance.now();
  const page = await client.fetch(site.url('/'));
  const html = await page.text();
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? '(no title)';
  console.log(`  ${page.status} ${page.statusText}  ${html.length} bytes  "${title}"  in ${(performance.now() - started).toFixed(0)} ms`);

  step(`Downloading a ${mib(demoFileBytes)} file through the tunnel`);
  const fileStarted = performance.now();
  const file = await client.fetch(site.url(bytesPath(demoFileBytes, 'demo')));
  const hash = createHash('sha256');
  let received = 0;
  let nextReport = progressEveryBytes;
  for await (const chunk of file.body!) {
    hash.update(chunk);
    received += chunk.length;
    if (received >= nextReport || received === demoFileBytes) {
      const pct = Math.round((received / demoFileBytes) * 100);
      const bar = '█'.repeat(Math.round(pct / 5)).padEnd(20, '·');
      process.stdout.write(`${process.stdout.isTTY ? '\r' : '\n'}  [${bar}] ${pct.toString().padStart(3)}%  ${mib(received)}`);
      nextReport += progressEveryBytes;
    }
  }
  const seconds = (performance.now() - fileStarted) / 1000;
  const exact = hash.digest('hex') === bytesSha256(demoFileBytes, 'demo');
  console.log(`\n  ${mib(received)} in ${seconds.toFixed(2)} s (${(received / 1024 / 1024 / seconds).toFixed(1)} MiB/s), SHA-256 ${exact ? 'matches the origin' : 'DOES NOT MATCH'}`);
  failed ||= !exact;

  step('Asking the donor for a private address (the exit policy must refuse)');
  const refused = await client.fetch('http://192.168.1.1/').then(() => undefined, (e: unknown) => e as Error);
  console.log(refused ? `  refused: ${refused.message}` : '  NOT refused');
  failed ||= !refused;

  const stats = donor.exit.stats();
  step(`Donor served ${stats.completed} requests, ${mib(stats.bytesServed)}; refused ${Object.values(stats.refused).reduce((a, b) => a + (b ?? 0), 0)}`);
} catch (error) {
  failed = true;
  console.error(`\n  the demo failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  client.close();
  await donor.close();
  await site.close();
}

if (process.stdout.isTTY && !failed && process.env.PORCHLIGHT_DEMO_EXIT !== '1') {
  console.log(`\nSignaling keeps running at ${signaling.url} inside this loopback-only namespace. Ctrl-C stops it.`);
  const stop = async () => {
    await signaling.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  await signaling.close();
  console.log(failed ? '\nThe demo FAILED.' : '\nThe demo finished: the relay works end to end.');
  process.exit(failed ? 1 : 0);
}
