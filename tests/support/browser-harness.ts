// Drives real Chromium processes as Porchlight peers for the browser suites and the benches:
// builds tests/support/peer-page.ts into a test bundle that may fetch exactly one loopback origin,
// serves it from the test origin, and launches one Chromium process per peer through puppeteer-core.
// Run everything that uses it inside the loopback-only namespace (scripts/netns.mjs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import puppeteer, { type Browser, type CDPSession, type Page } from 'puppeteer-core';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.ts';
import type { SignalingLogger } from '../../signaling/log.ts';
import { startOriginServer, type OriginServer } from './origin-server.ts';
import type { BatchEntry, ClientPageOptions, DonorPageOptions, DonorPageStats, ExitTiming, FetchDigest, FetchFailure, FetchText, FetchTiming, FetchVia, RawTransfer } from './peer-page.ts';

export type { BatchEntry, ClientPageOptions, DonorPageOptions, DonorPageStats, ExitTiming, FetchDigest, FetchFailure, FetchText, FetchTiming, FetchVia, RawTransfer } from './peer-page.ts';

/** Debian's Chromium; override with PORCHLIGHT_CHROMIUM. */
export const chromiumPath = process.env.PORCHLIGHT_CHROMIUM ?? '/usr/lib/chromium/chromium';
export const harnessPagePath = '/harness.html';
export const harnessBundlePath = '/harness.js';
/** Long transfers run inside one `page.evaluate`; puppeteer's 180 s default would cut a 1 GiB one off. */
export const protocolTimeoutMs = 20 * 60_000;

export const chromiumFlags: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  // A page that is not focused must not have its timers or its renderer slowed down mid-bench.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

const peerPageEntry = fileURLToPath(new URL('./peer-page.ts', import.meta.url));

const harnessHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Porchlight browser harness</title>
<script type="module" src="${harnessBundlePath}"></script></head>
<body><p>Porchlight browser harness</p></body></html>
`;

/**
 * Bundles the peer page for the browser, with `testOrigin` as the one loopback origin its exit
 * policy allows (chosen at build time, as test builds must).
 * @throws {Error} when esbuild fails.
 */
export async function buildPeerPage(testOrigin: string): Promise<string> {
  const result = await build({
    entryPoints: [peerPageEntry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    conditions: ['browser'],
    target: 'chrome120',
    define: { __PORCHLIGHT_TEST_ORIGIN__: JSON.stringify(testOrigin) },
    // streamx (under simple-peer) reaches Node's `events` through events-universal, whose non-Node
    // builds use bare-events; a browser has no `events`, so do the same here.
    alias: { events: 'bare-events' },
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no bundle for the peer page');
  return output.text;
}

/** Builds the peer page and serves it (at {@link harnessPagePath}) from `origin`, whose exit policy allows that origin. */
export async function serveHarnessPage(origin: OriginServer): Promise<void> {
  const bundle = await buildPeerPage(origin.origin);
  origin.serveStatic(harnessBundlePath, { contentType: 'text/javascript; charset=utf-8', body: bundle });
  origin.serveStatic(harnessPagePath, { contentType: 'text/html; charset=utf-8', body: harnessHtml });
}

/** A signaling server on 127.0.0.1 that logs nothing and puts every peer in `country`. */
export function startQuietSignaling(country = 'ZZ'): Promise<SignalingServer> {
  const quiet: SignalingLogger = { debug() {}, info() {}, warn() {}, error() {} };
  return createSignalingServer({ host: '127.0.0.1', port: 0, logger: quiet, lookupCountry: () => country });
}

export interface Harness {
  readonly origin: OriginServer;
  readonly signaling: SignalingServer;
  /** Launches a fresh Chromium process with the harness page open. */
  launchPeer(label: string): Promise<PeerBrowser>;
  /** Closes every browser launched, then the servers. */
  close(): Promise<void>;
}

export interface PeerBrowser {
  readonly label: string;
  readonly browser: Browser;
  readonly page: Page;
  close(): Promise<void>;
}

/** Starts the origin (serving the harness page and bundle) and a quiet signaling server. */
export async function startHarness(): Promise<Harness> {
  const origin = await startOriginServer();
  const signaling = await startQuietSignaling();
  try {
    await serveHarnessPage(origin);
  } catch (error) {
    await Promise.all([origin.close(), signaling.close()]);
    throw error;
  }
  const peers = new Set<PeerBrowser>();
  return {
    origin,
    signaling,
    async launchPeer(label) {
      const peer = await launchPeer(label, origin.url(harnessPagePath));
      peers.add(peer);
      return peer;
    },
    async close() {
      await Promise.allSettled([...peers].map((peer) => peer.close()));
      peers.clear();
      await Promise.allSettled([origin.close(), signaling.close()]);
    },
  };
}

/** Launches one Chromium process (own profile) and opens `pageUrl`, waiting for `window.porchlight`. */
export async function launchPeer(label: string, pageUrl: string): Promise<PeerBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), `porchlight-${label}-`));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumFlags, `--user-data-dir=${userDataDir}`],
      protocolTimeout: protocolTimeoutMs,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const close = async (): Promise<void> => {
    await browser.close().catch(() => {});
    await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  };
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[${label}] page error: ${String(error)}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warn') console.error(`[${label}] ${message.type()}: ${message.text()}`);
    });
    await page.goto(pageUrl, { waitUntil: 'load' });
    await page.waitForFunction(() => window.porchlight !== undefined, { timeout: 10_000 });
    return { label, browser, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Starts sharing in `page`; resolves once the donor is announced. */
export function startDonorIn(page: Page, signalingUrl: string, options: DonorPageOptions = {}): Promise<{ peerId: string; country: string; policyDigest: string }> {
  return page.evaluate((url, opts) => window.porchlight.startDonor(url, opts), signalingUrl, options);
}

/** Logs a client in from `page`; the donor is dialed on the first fetch. */
export function startClientIn(page: Page, signalingUrl: string, options: ClientPageOptions = {}): Promise<{ peerId: string }> {
  return page.evaluate((url, opts) => window.porchlight.startClient(url, opts), signalingUrl, options);
}

/** Fetches `url` in `page` (through the donor by default) and hashes the body in the page. */
export function fetchDigestIn(page: Page, url: string, via: FetchVia = 'tunnel'): Promise<FetchDigest> {
  return page.evaluate((u, v) => window.porchlight.fetchDigest(u, v), url, via);
}

/** Fetches `url` in `page`, reading and discarding the body; times first and last byte. */
export function fetchDiscardIn(page: Page, url: string, via: FetchVia = 'tunnel'): Promise<FetchTiming> {
  return page.evaluate((u, v) => window.porchlight.fetchDiscard(u, v), url, via);
}

/** Fetches `url` through the donor and returns status, headers and body text. */
export function fetchTextIn(page: Page, url: string, init?: { method?: string; body?: string; headers?: Array<[string, string]> }): Promise<FetchText> {
  return page.evaluate((u, i) => window.porchlight.fetchText(u, i), url, init);
}

/** Fetches every URL at once and reports when each started and finished arriving. */
export function fetchBatchIn(page: Page, urls: string[], via: FetchVia = 'tunnel'): Promise<BatchEntry[]> {
  return page.evaluate((u, v) => window.porchlight.fetchBatch(u, v), urls, via);
}

/** Fetches `url` through the donor and reports how it failed (or that it did not). */
export function fetchFailureIn(page: Page, url: string): Promise<FetchFailure | { ok: true; status: number }> {
  return page.evaluate((u) => window.porchlight.fetchFailure(u), url);
}

/** The donor page's exit and tunnel counters. */
export function donorStatsIn(page: Page): Promise<DonorPageStats> {
  return page.evaluate(() => window.porchlight.donorStats());
}

/**
 * Opens a plain RTCPeerConnection + ordered RTCDataChannel between two pages (offer from
 * `senderPage`), signaled through puppeteer. The sender serves byte requests; see `rawReceiveIn`.
 */
export async function connectRawChannel(senderPage: Page, receiverPage: Page): Promise<void> {
  const offer = await senderPage.evaluate(() => window.porchlight.rawOffer());
  const answer = await receiverPage.evaluate((sdp) => window.porchlight.rawAnswer(sdp), offer);
  await senderPage.evaluate((sdp) => window.porchlight.rawAccept(sdp), answer);
}

/** Receiver side of the raw baseline: asks for `bytes` and times their arrival. */
export function rawReceiveIn(receiverPage: Page, bytes: number): Promise<RawTransfer> {
  return receiverPage.evaluate((n) => window.porchlight.rawReceive(n), bytes);
}

/** The donor page exit's recent fetches with timestamps. */
export function exitTimingsIn(page: Page): Promise<ExitTiming[]> {
  return page.evaluate(() => window.porchlight.exitTimings());
}

/** Round trips of a small message over the raw channel, ms each. */
export function rawPingIn(receiverPage: Page, count: number): Promise<number[]> {
  return receiverPage.evaluate((n) => window.porchlight.rawPing(n), count);
}

/** Closes the page's donor, client, exit and raw channel; startDonorIn, startClientIn and connectRawChannel may follow. */
export function stopIn(page: Page): Promise<void> {
  return page.evaluate(() => window.porchlight.stop());
}

export interface HeapUsage {
  /** V8's JS heap in use. */
  jsBytes: number;
  /** JS heap + Blink's garbage-collected heap + ArrayBuffer backing stores (frames and chunks live there). */
  totalBytes: number;
}

export interface HeapSampler {
  /**
   * Stops sampling; returns usage at start (after a GC), the peaks seen (each on its own), the peak
   * right after the periodic forced GCs (memory actually retained, without garbage awaiting GC),
   * and the sample count.
   */
  stop(): Promise<{ start: HeapUsage; peak: HeapUsage; livePeak: HeapUsage; samples: number }>;
}

/**
 * Samples the page's memory (CDP `Runtime.getHeapUsage`) every `intervalMs`, starting after a full
 * GC. The JS heap alone would miss the bytes being relayed: ArrayBuffer backing stores live outside it.
 * With a finite `gcEveryMs`, also forces a GC that often and tracks usage right after it (this
 * changes the very peaks it measures, so use it in a separate pass).
 */
export async function sampleHeap(page: Page, intervalMs = 100, gcEveryMs = Infinity): Promise<HeapSampler> {
  const cdp: CDPSession = await page.createCDPSession();
  const read = async (): Promise<HeapUsage> => {
    const usage = await cdp.send('Runtime.getHeapUsage');
    return { jsBytes: usage.usedSize, totalBytes: usage.usedSize + (usage.embedderHeapUsedSize ?? 0) + (usage.backingStorageSize ?? 0) };
  };
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const start = await read();
  const peak = { ...start };
  const livePeak = { ...start };
  const raise = (to: HeapUsage, usage: HeapUsage): void => {
    to.jsBytes = Math.max(to.jsBytes, usage.jsBytes);
    to.totalBytes = Math.max(to.totalBytes, usage.totalBytes);
  };
  let samples = 1;
  let lastGc = Date.now();
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    const collect = Date.now() - lastGc >= gcEveryMs;
    if (collect) lastGc = Date.now();
    // Chained: a forced GC and the reads around it must not interleave.
    inFlight = inFlight
      .then(async () => {
        const usage = await read();
        samples++;
        raise(peak, usage);
        if (collect) {
          await cdp.send('HeapProfiler.collectGarbage');
          raise(livePeak, await read());
        }
      })
      .catch(() => {});
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      await cdp.detach().catch(() => {});
      return { start, peak, livePeak, samples };
    },
  };
}
