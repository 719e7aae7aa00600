// Receipts end to end, in two Chromium profiles with the extension: a journalist's browse page
// pays a donor for a 50 MiB download with signed receipts; the newest receipt covers exactly what
// the donor's channel sent, which is the bytes its exit served plus the documented framing; and
// killing the donor's offscreen document mid-transfer loses no receipt the donor acknowledged
// (read back from its IndexedDB once the document is back). Inside the loopback-only namespace.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameHeaderBytes, maxDataPayloadBytes } from '../../protocol/frame-types.ts';
import { parseSignedReceipt, recoverReceiptSigner } from '../../protocol/receipt.ts';
import { localReceiptDomain } from '../../chain/local-domain.ts';
import { maxCreditWindowBytes } from '../../offscreen/payments/credit-window.ts';
import { meteredSliceBytes } from '../../offscreen/exit/exit-body.ts';
import { defaultTunnelLimits } from '../../offscreen/tunnel/tunnel.ts';
import { catchDownloads, type DownloadCatcher } from '../support/downloads.ts';
import { startSiteFileDownload } from '../support/browse-page.ts';
import type { ExtensionBrowser } from '../support/extension-browser.ts';
import { patchDonorSettings, readDonorStatus, waitForDonorStatus } from '../support/extension-donor.ts';
import { readChannels } from '../support/extension-ledger.ts';
import type { OriginServer } from '../support/origin-server.ts';
import { testSiteFileBytes, type TestSite } from '../support/test-site.ts';
import { startTwoProfiles, type TwoProfiles } from '../support/two-profiles.ts';

const mebibyte = 1024 * 1024;
/** A RESPONSE head of the test site is well under this (status, URL, a handful of headers). */
const maxResponseHeadBytes = 2048;
/** The watchdog alarm fires every 30 s; the document and its login follow within a few seconds. */
const recoveryTimeoutMs = 75_000;

let setup: TwoProfiles;
let origin: OriginServer;
let site: TestSite;
let donor: ExtensionBrowser;
let journalist: ExtensionBrowser;
let browse: Page;

async function donorLedgerPage(): Promise<Page> {
  return (await donor.offscreenTarget()).asPage();
}

/** Polls `read` until `accept` holds. */
async function waitFor<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what} not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  setup = await startTwoProfiles('receipts', 'DE');
  ({ origin, site, donor, journalist } = setup);
  await patchDonorSettings(donor, { sharing: true });
  await waitForDonorStatus(donor, (s) => s.state === 'connected', 30_000);
  browse = await journalist.openPage('browse.html');
}, 240_000);

afterAll(async () => {
  await setup?.close();
});

/** The donor's bytes served today once two reads a status interval apart agree (and cover the file). */
async function settledBytesToday(): Promise<number> {
  let previous = -1;
  for (;;) {
    const { bytesToday } = await waitForDonorStatus(donor, (s) => s.bytesToday >= testSiteFileBytes);
    if (bytesToday === previous) return bytesToday;
    previous = bytesToday;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
}

describe('receipts between two Chromium profiles', () => {
  let downloads: DownloadCatcher;
  let channelId: string;

  it('a 50 MiB download is paid for: the final receipt covers what the donor sent, no more', async () => {
    downloads = await catchDownloads(journalist.browser);
    await startSiteFileDownload(browse, site.url('/site/index.html'));
    await browse.waitForSelector('.download[data-status="saved"]', { timeout: 180_000 });

    // The client signs for the tail within 2 s of the last byte; both ledgers then hold the same receipt.
    const clientPage = await journalist.openPage('options.html');
    const donorPage = await donorLedgerPage();
    const [clientChannel, donorChannel] = await waitFor(
      async () => [(await readChannels(clientPage))[0], (await readChannels(donorPage))[0]] as const,
      // The donor's own count of what it sent is stored with each receipt it accepts.
      ([c, d]) => c !== undefined && d !== undefined && d.cumBytes === c.cumBytes && d.cumBytes === d.sentBytes,
      15_000,
      'the same final receipt in both ledgers',
    );
    if (!clientChannel || !donorChannel) throw new Error('unreachable: waitFor accepted both');
    // What the exit served, once its count has stopped moving: the status is pushed on a timer, so
    // one read as soon as it passes the file's size can lag the last slices under load.
    const served = await settledBytesToday();
    channelId = donorChannel.channelId;
    expect(clientChannel.channelId).toBe(channelId);
    expect(clientChannel.role).toBe('client');
    expect(donorChannel.role).toBe('donor');

    // Metered bytes are whole stream frames: the bodies the exit served, a 6-byte header per DATA
    // frame, a RESPONSE head and a 6-byte END per request (docs/receipts.md, "Metering"). The exit
    // counts body bytes as it reads them, so a stream the page cancels (the file offer reads the
    // start of the file, then downloads it) may count bytes never sent: a full send buffer, the
    // slice a write may queue past it, and the slice counted but not yet written.
    const requests = origin.requests.total;
    const framing = Math.ceil(served / maxDataPayloadBytes) * frameHeaderBytes + requests * (maxResponseHeadBytes + frameHeaderBytes);
    const cancelledSlack = defaultTunnelLimits.sendBufferBytes + 2 * meteredSliceBytes;
    expect(donorChannel.cumBytes - served).toBeLessThanOrEqual(framing);
    expect(served - donorChannel.cumBytes).toBeLessThanOrEqual(cancelledSlack);
    console.info(`exit served ${served} B; the donor sent and the client receipted ${donorChannel.cumBytes} B over ${requests} requests; ${donorChannel.cumCredits} micro-credits`);

    // The stored receipt is the client's signature over exactly these numbers, and pays this donor.
    const signed = parseSignedReceipt(donorChannel.receipt);
    expect(signed.receipt.cumBytes).toBe(BigInt(donorChannel.cumBytes));
    expect(recoverReceiptSigner(localReceiptDomain, signed.receipt, signed.signature)).toBe(donorChannel.client);
    expect(await clientPage.$eval('#payment-address', (el) => el.textContent ?? '')).toContain(donorChannel.client);
    const donorOptions = await donor.openPage('options.html');
    expect(await donorOptions.$eval('#payment-address', (el) => el.textContent ?? '')).toContain(donorChannel.exit);
    expect(donorChannel.windowBytes).toBe(maxCreditWindowBytes);
    await Promise.all([clientPage.close(), donorOptions.close()]);
    await downloads.close();
  }, 300_000);

  it('killing the donor’s offscreen document mid-transfer loses no acknowledged receipt', async () => {
    downloads = await catchDownloads(journalist.browser);
    const before = (await readChannels(await donorLedgerPage())).find((c) => c.channelId === channelId)?.cumBytes ?? 0;
    await startSiteFileDownload(browse, site.url('/site/index.html'));
    // Wait until the donor has acknowledged (stored, then widened its window for) 8 MiB more.
    const offscreen = await donorLedgerPage();
    const acknowledged = await waitFor(
      async () => (await readChannels(offscreen)).find((c) => c.channelId === channelId),
      (c) => c !== undefined && c.cumBytes >= before + 8 * mebibyte,
      60_000,
      'receipts for 8 MiB of the second download',
    );
    const killedAt = Date.now();
    await offscreen.close();

    // The journalist is told the donor left; the document comes back and logs in again.
    await browse.waitForSelector('.donor-lost, .download[data-status="failed"]', { timeout: 30_000 });
    await donor.offscreenTarget(recoveryTimeoutMs);
    await waitForDonorStatus(donor, (s) => s.state === 'connected' && s.at > killedAt, recoveryTimeoutMs);

    const after = (await readChannels(await donorLedgerPage())).find((c) => c.channelId === channelId);
    expect(after?.cumBytes).toBeGreaterThanOrEqual(acknowledged!.cumBytes);
    const signed = parseSignedReceipt(after!.receipt);
    expect(recoverReceiptSigner(localReceiptDomain, signed.receipt, signed.signature)).toBe(after!.client);
    // The client never signed less than the donor holds, and never more than one window beyond it.
    const client = (await readChannels(browse)).find((c) => c.channelId === channelId);
    expect(client!.cumBytes).toBeGreaterThanOrEqual(after!.cumBytes);
    expect(client!.cumBytes - after!.cumBytes).toBeLessThanOrEqual(maxCreditWindowBytes);
    console.info(`acknowledged before the kill ${acknowledged!.cumBytes} B; held after ${after!.cumBytes} B; client signed ${client!.cumBytes} B; status ${JSON.stringify(await readDonorStatus(donor))}`);
    await downloads.close();
  }, recoveryTimeoutMs * 2 + 120_000);
});
