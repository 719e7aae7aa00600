// The second half of `npm start` (or `npm run try`): the extension for your own browser, and a
// signaling server it can reach. Builds the store build (its exit refuses loopback and every private
// address, like the one users install) pointed at ws://127.0.0.1:8787 for Chrome and Firefox into
// .output/local/, then runs the signaling server on this machine's loopback until Ctrl-C.
// The demo before it runs inside a loopback-only namespace, which no browser outside can reach;
// this server opens no data channels itself, it only introduces the browsers you point at it.
import { execFileSync } from 'node:child_process';
import { createSignalingServer } from '../signaling/server.ts';
import { createSignalingLogger } from '../signaling/log.ts';

const port = Number(process.env.PORCHLIGHT_SIGNALING_PORT ?? 8787);
const signalingUrl = `ws://127.0.0.1:${port}`;
const outDir = '.output/local';

if (!process.stdout.isTTY || process.env.PORCHLIGHT_DEMO_EXIT === '1') {
  // CI and logs: nothing to keep running for.
  console.log('\nTo try the extension in your own browser, run `npm run try` on a terminal (README, "Try it in your browser").');
  process.exit(0);
}

console.log(`\n▸ Building the extension for your own browser (store build, signaling server ${signalingUrl})`);
for (const browser of ['chrome', 'firefox']) {
  try {
    execFileSync('npx', ['wxt', 'build', '-b', browser], { stdio: 'pipe', env: { ...process.env, WXT_OUT_DIR: outDir, WXT_TEST_ORIGIN: '', WXT_TEST_ORIGINS: '', WXT_SIGNALING_URL: signalingUrl } });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    console.error(`  the ${browser} build failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
    process.exit(1);
  }
}

const server = await createSignalingServer({ host: '127.0.0.1', port, logger: createSignalingLogger('warn') });
console.log(`
  Signaling runs at ${server.url} on this machine (health: http://127.0.0.1:${server.port}/healthz).
  Chrome:  chrome://extensions → Developer mode → Load unpacked → ${outDir}/chrome-mv3
  Firefox: about:debugging#/runtime/this-firefox → Load Temporary Add-on → ${outDir}/firefox-mv2/manifest.json
           (or: npx web-ext run --source-dir ${outDir}/firefox-mv2 --firefox=firefox-esr)
  Turn sharing on in one browser (or profile) and open "Browse through Porchlight" in another: pages
  you open there are fetched by the first one, from this machine's real internet connection.
  Ctrl-C stops the server.`);

const stop = (): void => {
  void server.close().finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
