// `npm start`: the local Porchlight network on this machine, inside a loopback-only namespace.
// Builds the extension, starts the signaling server and a local demo site, then exercises the
// product end to end: a donor's Chromium with the extension turns sharing on with the popup's
// switch; a journalist's Chromium with the extension opens the demo site on the browse page
// through that donor; a client peer downloads a file through it and signs receipts for it that the
// donor stores; the exit policy refuses a private address. On a local chain (scripts/start-economy.ts)
// a sponsor buys the journalist's credits, the donor's receipts settle through the relayer, the
// oracles close the epoch and the donor claims its reward.
import { createHash } from 'node:crypto';
import { createSignalingServer } from '../signaling/server.ts';
import { createSignalingLogger } from '../signaling/log.ts';
import { go, waitForTotal, waitForView, browseTiming } from '../tests/support/browse-page.ts';
import { buildExtension, extensionTestOrigin } from '../tests/support/extension-build.ts';
import { launchWithExtension, type ExtensionBrowser } from '../tests/support/extension-browser.ts';
import { patchDonorSettings, waitForDonorStatus } from '../tests/support/extension-donor.ts';
import { startNodeClient } from '../tests/support/node-peers.ts';
import { bytesPath, bytesSha256, startOriginServer } from '../tests/support/origin-server.ts';
import { installTestSite } from '../tests/support/test-site.ts';
import { readChannels } from '../tests/support/extension-ledger.ts';
import { testClientPayment } from '../tests/support/payment-setup.ts';
import { decimalFromMicroCredits } from '../protocol/receipt.ts';
import { startLocalEconomy } from './start-economy.ts';

const demoFileBytes = 32 * 1024 * 1024;
// A live bar on a terminal; a line per quarter in a log.
const progressEveryBytes = process.stdout.isTTY ? 2 * 1024 * 1024 : 8 * 1024 * 1024;

function step(text: string): void {
  console.log(`\n▸ ${text}`);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A country code as signaling reports it, with what 'ZZ' means here. */
function country(code: string | undefined): string {
  return code === 'ZZ' ? 'ZZ (unknown: loopback addresses have no country)' : (code ?? 'none reported');
}

step('Building the extension (WXT, a test build that may fetch only the demo site and a test CDN on loopback)');
const extensionPath = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
console.log(`  built into ${extensionPath.replace(`${process.cwd()}/`, '')}`);

step('Starting the local chain (anvil), the contracts, the relayer and three oracles');
const economy = await startLocalEconomy((line) => console.log(line));

// The client peer that downloads the file below: its payment key is the account a sponsor buys credits for.
const payment = testClientPayment();
step('A sponsor (an NGO, say) buys credits for the client peer that will download a file');
await economy.sponsorCredits(payment.wallet.address, 5_000_000n);

step('Starting the signaling server');
const signaling = await createSignalingServer({ host: '127.0.0.1', port: Number(process.env.PORCHLIGHT_SIGNALING_PORT ?? 8787), logger: createSignalingLogger('warn') });
console.log(`  listening on ${signaling.url}  (health: http://127.0.0.1:${signaling.port}/healthz, metrics: /metrics)`);

step('Starting the local demo site');
const origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
const site = installTestSite(origin);
console.log(`  ${site.url('/site/index.html')}`);

let donor: ExtensionBrowser | undefined;
let journalist: ExtensionBrowser | undefined;
let failed = false;
try {
  step('A donor opens the Porchlight popup in Chromium and switches sharing on');
  // The demo site counts requests from a browser user agent ("Mozilla…") as loaded directly; the
  // donor's own fetches carry another one, so only a leak from the journalist's browser would count.
  donor = await launchWithExtension('demo-donor', extensionPath, { extraArgs: ['--user-agent=PorchlightDemoDonor/1.0'] });
  await patchDonorSettings(donor, { signalingUrl: signaling.url });
  const popup = await donor.openPage('popup.html');
  const switched = performance.now();
  await popup.click('#share-switch');
  const connected = await waitForDonorStatus(donor, (s) => s.state === 'connected');
  console.log(`  connected in ${(performance.now() - switched).toFixed(0)} ms as donor ${connected.peerId?.slice(0, 16)}… (its peer ID, a public key), country as the signaling server sees it: ${country(connected.country)}`);
  console.log(`  popup says: "${await popup.$eval('#share-status', (el) => el.textContent?.trim())}"`);

  step('A journalist opens the browse page in another Chromium profile and goes to the demo site');
  journalist = await launchWithExtension('demo-journalist', extensionPath);
  await patchDonorSettings(journalist, { signalingUrl: signaling.url });
  const browse = await journalist.openPage('browse.html');
  await go(browse, site.url('/site/index.html'));
  await waitForView(browse, (doc) => doc.getElementById('heading') !== null);
  await waitForTotal(browse);
  const heading = await browse.evaluate(() => (document.querySelector('iframe.view-frame') as HTMLIFrameElement).contentDocument?.getElementById('heading')?.textContent);
  console.log(`  rendered "${heading}" through the donor: first content ${(await browseTiming(browse, 'first-content')).toFixed(0)} ms after Go (including the WebRTC connection), everything ${(await browseTiming(browse, 'total')).toFixed(0)} ms`);
  console.log(`  the page says: "${await browse.$eval('.tls-notice p', (el) => el.textContent?.trim())}"`);

  step(`A client peer downloads a ${mib(demoFileBytes)} file through the donor's browser`);
  const client = await startNodeClient(signaling.url, { payment });
  try {
    const fileStarted = performance.now();
    const file = await client.fetch(origin.url(bytesPath(demoFileBytes, 'demo')));
    const hash = createHash('sha256');
    let received = 0;
    let nextReport = progressEveryBytes;
    for await (const chunk of file.body!) { // a 200 answer to a GET has a body
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

    step('The client signed receipts for it (nothing is charged yet); the donor verified and stored them');
    // The client signs for the tail within 2 s of the last byte.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const paid = (await payment.ledger.channels('client'))[0];
    const held = (await readChannels(await (await donor.offscreenTarget()).asPage())).find((c) => c.channelId === paid?.channelId);
    if (paid && held) {
      console.log(`  payment channel ${paid.channelId.slice(0, 12)}… (the id of this client–donor pair's running account), price ${decimalFromMicroCredits(BigInt(paid.price))} credits/MiB (credits: the unit receipts count in; nothing is settled yet)`);
      console.log(`  the client's newest receipt acknowledges ${mib(paid.cumBytes)} carried both ways on the channel, worth ${decimalFromMicroCredits(BigInt(paid.cumCredits))} credits`);
      console.log(`  the donor's IndexedDB holds that receipt: ${held.cumBytes === paid.cumBytes ? 'yes' : `NO (${held.cumBytes} B)`}; credit window now ${mib(held.windowBytes)} (the most the donor serves beyond the last receipt before it waits for the next; it grows with each receipt)`);
      const options = await donor.openPage('options.html');
      await options.waitForSelector('#earnings-total-credits', { timeout: 10_000 });
      const earned = await options.$eval('#earnings-totals', (el) => (el as HTMLElement).innerText.replace(/\s*\n\s*/g, ' · '));
      console.log(`  the donor's options page, credits section: ${earned}`);
      await options.close();

      step("The donor's newest receipt settles on chain through the relayer");
      if (held.receipt && (await economy.settle(held.receipt))) {
        step('The epoch ends: the oracle quorum posts its rewards, and the donor claims');
        failed ||= !(await economy.closeEpochAndClaim(held.receipt.receipt.exit));
      } else {
        failed = true;
      }
    } else {
      console.log('  NO receipt on record');
    }
    failed ||= !paid || held?.cumBytes !== paid.cumBytes || paid.cumBytes < demoFileBytes;

    step('Asking the donor for a private address (the exit policy must refuse)');
    const refused = await client.fetch('https://192.168.1.1/').then(() => undefined, (e: unknown) => e as Error);
    console.log(refused ? `  refused: ${refused.message}` : '  NOT refused');
    failed ||= !refused;
  } finally {
    client.close();
  }

  const status = await waitForDonorStatus(donor, (s) => s.bytesToday >= demoFileBytes);
  step(`The donor's popup: helping ${status.helpingNow} now, ${mib(status.bytesToday)} shared today, countries helped: ${status.countriesToday.map(country).join(', ') || 'none'}`);
  console.log(`  nothing reached the demo site except through the donor: ${site.directRequests.size === 0 ? 'yes' : 'NO'}`);
  failed ||= site.directRequests.size !== 0;
} catch (error) {
  failed = true;
  console.error(`\n  the demo failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await Promise.allSettled([donor?.close(), journalist?.close()]);
  await origin.close();
}

// The demo's network lives in this namespace and ends with it; scripts/try-in-your-browser.ts then
// serves signaling outside it, for a browser of your own.
await signaling.close();
await economy.close();
console.log(failed ? '\nThe demo FAILED.' : '\nThe demo finished: the extension relays end to end.');
process.exit(failed ? 1 : 0);
