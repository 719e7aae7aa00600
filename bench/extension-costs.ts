// extension-costs: what the built extension costs a donor and a reader, in four results.
// - extension-bundle-size: production builds for Chrome and Firefox, per entry point, and the store zips.
// - extension-idle-cpu: CPU of the extension's process with sharing on and nobody connected, against
//   an identical profile with sharing off, both metered over the same window.
// - extension-switch-time: the popup's switch to 'connected', against a bare Node donor's login.
// - extension-browse-first-content: Go on the browse page to the page's heading on screen, through a
//   donor, against the same page loaded directly in a plain tab of the same browser.
// Each part launches its own Chromium (test build) and servers, all on loopback.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'puppeteer-core';
import { createSignalingServer, type SignalingServer } from '../signaling/server.ts';
import { launchWithExtension, type ExtensionBrowser } from '../tests/support/extension-browser.ts';
import { buildExtension, extensionTestOrigin, type TargetBrowser } from '../tests/support/extension-build.ts';
import { patchDonorSettings, waitForDonorStatus } from '../tests/support/extension-donor.ts';
import { startNodeDonor } from '../tests/support/node-peers.ts';
import { startOriginServer } from '../tests/support/origin-server.ts';
import { installTestSite, testSiteColours } from '../tests/support/test-site.ts';
import { measureBundle, type BundleSize } from './bundle-size.ts';
import { median, round, type BenchResult, type StandaloneBenchmark } from './context.ts';
import { chromiumProcessKinds, meterTreeCpu, type ChromiumProcessKind, type TreeCpuUsage } from './process-cpu.ts';

const run = promisify(execFile);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Idle window at BENCH_SCALE 1, and the shortest a smaller scale may make it. */
const idleWindowMs = 60_000;
const minIdleWindowMs = 10_000;
/** After switching, before metering: the offscreen document has loaded and the first status is out. */
const idleSettleMs = 10_000;
/** Sharing on and idle must cost less than this fraction of one core. */
const idleTargetCoreFraction = 0.01;
/** Switch on/off rounds and browse rounds at BENCH_SCALE 1, and the fewest at any scale. */
const rounds = 10;
const minRounds = 3;
const switchTimeoutMs = 60_000;
const browseTimeoutMs = 60_000;
const viewport = { width: 1280, height: 900 };

// In-page code is passed to evaluate as source text: tsx's transform would wrap named inner
// functions in a helper (`__name`) that does not exist in the page.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: number): number => Math.round((performance.now() - since) / 100) / 10;

/** The value at quantile `q` (nearest rank) of a non-empty list. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))]!; // index clamped into the list
}

function startSignaling(): Promise<SignalingServer> {
  return createSignalingServer({ host: '127.0.0.1', port: 0, logger: quiet, lookupCountry: () => 'DE' });
}

function testBuild(): Promise<string> {
  return buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
}

// ---- bundle sizes ------------------------------------------------------------------------------

/** The environment of a release build: no test origin, the production signaling server. */
function releaseEnv(outDir: string): NodeJS.ProcessEnv {
  const { WXT_TEST_ORIGIN: _origin, WXT_TEST_ORIGINS: _origins, WXT_SIGNALING_URL: _signaling, ...env } = process.env;
  return { ...env, WXT_OUT_DIR: outDir };
}

/** `npm run zip` into a temporary folder: the sizes of the zips a release uploads, by name. */
async function storeZipSizes(): Promise<Record<string, number>> {
  const outDir = await mkdtemp(join(tmpdir(), 'porchlight-bench-zips-'));
  try {
    for (const args of [['wxt', 'zip'], ['wxt', 'zip', '-b', 'firefox']]) {
      await run('npx', args, { env: releaseEnv(outDir), maxBuffer: 16 * 1024 * 1024 });
    }
    const sizes: Record<string, number> = {};
    for (const name of (await readdir(outDir)).filter((n) => n.endsWith('.zip')).sort()) {
      // porchlight-0.1.0-chrome.zip → chrome
      sizes[/-([a-z]+)\.zip$/.exec(name)?.[1] ?? name] = (await stat(join(outDir, name))).size;
    }
    return sizes;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

function entryTable(bundle: BundleSize): Record<string, { ownBytes: number; loadedBytes: number }> {
  return Object.fromEntries(Object.entries(bundle.entries).map(([name, e]) => [name, { ownBytes: e.ownBytes, loadedBytes: e.loadedBytes }]));
}

async function bundleSizes(): Promise<BenchResult> {
  const t0 = performance.now();
  const bundles = {} as Record<TargetBrowser, BundleSize>;
  for (const browser of ['chrome', 'firefox'] as const) bundles[browser] = await measureBundle(await buildExtension({ browser }));
  const zips = await storeZipSizes();
  const kib = (bytes: number): number => round(bytes / 1024, 1);
  console.error(
    `extension-bundle-size: chrome ${kib(bundles.chrome.totalBytes)} KiB unpacked (${kib(bundles.chrome.bytesByKind.js)} KiB JS), ` +
      `firefox ${kib(bundles.firefox.totalBytes)} KiB (${kib(bundles.firefox.bytesByKind.js)} KiB JS); zips ${Object.entries(zips)
        .map(([name, bytes]) => `${name} ${kib(bytes)} KiB`)
        .join(', ')}`,
  );
  return {
    name: 'extension-bundle-size',
    value: kib(bundles.chrome.totalBytes),
    // Sizes of a build do not depend on the machine's load: there is nothing to measure them against.
    baseline: null,
    ratio: null,
    unit: 'KiB',
    chrome: { totalBytes: bundles.chrome.totalBytes, files: bundles.chrome.files, bytesByKind: bundles.chrome.bytesByKind, entries: entryTable(bundles.chrome) },
    firefox: { totalBytes: bundles.firefox.totalBytes, files: bundles.firefox.files, bytesByKind: bundles.firefox.bytesByKind, entries: entryTable(bundles.firefox) },
    zipBytes: zips,
    seconds: seconds(t0),
  };
}

// ---- idle CPU ----------------------------------------------------------------------------------

/** Per-process CPU seconds as Chromium itself reports them (SystemInfo.getProcessInfo). */
async function cdpCpuTimes(browser: Browser): Promise<Map<number, number>> {
  const session = await browser.target().createCDPSession();
  try {
    const { processInfo } = await session.send('SystemInfo.getProcessInfo');
    return new Map(processInfo.map((p) => [p.id, p.cpuTime]));
  } finally {
    await session.detach().catch(() => {});
  }
}

interface IdleSide {
  readonly usage: TreeCpuUsage;
  /** Extension processes' CPU over the window by Chromium's own count (a cross-check of /proc). */
  readonly cdpExtensionCpuSeconds: number;
}

async function meterIdle(browsers: readonly ExtensionBrowser[], windowMs: number): Promise<IdleSide[]> {
  const before = await Promise.all(browsers.map((b) => cdpCpuTimes(b.browser)));
  const meters = browsers.map((b) => {
    const pid = b.browser.process()?.pid;
    if (pid === undefined) throw new Error('launched Chromium has no process id');
    return meterTreeCpu(pid);
  });
  await sleep(windowMs);
  const usages = meters.map((m) => m.stop());
  const after = await Promise.all(browsers.map((b) => cdpCpuTimes(b.browser)));
  return usages.map((usage, i) => ({
    usage,
    cdpExtensionCpuSeconds: usage.extensionPids.reduce((sum, pid) => sum + (after[i]!.get(pid) ?? 0) - (before[i]!.get(pid) ?? 0), 0), // one entry per browser
  }));
}

async function idleCpu(windowMs: number): Promise<BenchResult> {
  const t0 = performance.now();
  const signaling = await startSignaling();
  const path = await testBuild();
  const browsers: ExtensionBrowser[] = [];
  try {
    // Two identical profiles, metered over the same window, so load elsewhere lands on both.
    const [on, off] = await Promise.all([launchWithExtension('idle-on', path), launchWithExtension('idle-off', path)]);
    browsers.push(on, off);
    await patchDonorSettings(off, { sharing: false, signalingUrl: signaling.url });
    await patchDonorSettings(on, { sharing: true, signalingUrl: signaling.url });
    await waitForDonorStatus(on, (s) => s.state === 'connected', switchTimeoutMs);
    await sleep(idleSettleMs);
    const [sideOn, sideOff] = (await meterIdle([on, off], windowMs)) as [IdleSide, IdleSide];
    if (signaling.stats().donors !== 1) throw new Error(`expected the one donor on signaling after the window, found ${signaling.stats().donors}`);
    const fraction = (cpuSeconds: number, usage: TreeCpuUsage): number => cpuSeconds / usage.wallSeconds;
    const byKind = (usage: TreeCpuUsage): Record<ChromiumProcessKind, number> =>
      Object.fromEntries(chromiumProcessKinds.map((k) => [k, round(fraction(usage.cpuSecondsByKind[k], usage), 5)])) as Record<ChromiumProcessKind, number>;
    const value = fraction(sideOn.usage.cpuSecondsByKind.extension, sideOn.usage);
    const baseline = fraction(sideOff.usage.cpuSecondsByKind.extension, sideOff.usage);
    const treeOn = fraction(sideOn.usage.cpuSecondsTotal, sideOn.usage);
    const treeOff = fraction(sideOff.usage.cpuSecondsTotal, sideOff.usage);
    console.error(
      `extension-idle-cpu: extension process ${(value * 100).toFixed(3)}% of a core sharing on, ${(baseline * 100).toFixed(3)}% off; ` +
        `whole Chromium ${(treeOn * 100).toFixed(3)}% on, ${(treeOff * 100).toFixed(3)}% off, over ${sideOn.usage.wallSeconds.toFixed(1)} s`,
    );
    return {
      name: 'extension-idle-cpu',
      value: round(value, 5),
      baseline: round(baseline, 5),
      ratio: baseline > 0 ? round(value / baseline) : null,
      unit: 'core',
      target: `value < ${idleTargetCoreFraction}`,
      pass: value < idleTargetCoreFraction,
      windowSeconds: round(sideOn.usage.wallSeconds, 1),
      extensionCpuSecondsOn: round(sideOn.usage.cpuSecondsByKind.extension),
      extensionCpuSecondsOff: round(sideOff.usage.cpuSecondsByKind.extension),
      cdpExtensionFractionOn: round(sideOn.cdpExtensionCpuSeconds / sideOn.usage.wallSeconds, 5),
      cdpExtensionFractionOff: round(sideOff.cdpExtensionCpuSeconds / sideOff.usage.wallSeconds, 5),
      treeFractionOn: round(treeOn, 5),
      treeFractionOff: round(treeOff, 5),
      treeDifference: round(treeOn - treeOff, 5),
      byKindOn: byKind(sideOn.usage),
      byKindOff: byKind(sideOff.usage),
      extensionProcessesOn: sideOn.usage.processesByKind.extension,
      extensionProcessesOff: sideOff.usage.processesByKind.extension,
      seconds: seconds(t0),
    };
  } finally {
    await Promise.all(browsers.map((b) => b.close()));
    await signaling.close();
  }
}

// ---- switch to connected -----------------------------------------------------------------------

/**
 * Clicks the popup's switch and resolves with the milliseconds from the click to the donor status
 * reaching `state`, both seen inside the popup (the click event, and the storage.session change).
 */
async function flipSwitch(popup: Page, state: 'connected' | 'off'): Promise<number> {
  await popup.evaluate(`window.porchlightSwitch = new Promise((resolve, reject) => {
    let clickedAt;
    document.getElementById('share-switch').addEventListener('click', () => { clickedAt = performance.now(); }, { once: true, capture: true });
    const listener = (changes) => {
      const status = changes.donorStatus && changes.donorStatus.newValue;
      if (clickedAt === undefined || !status || status.state !== ${JSON.stringify(state)}) return;
      chrome.storage.session.onChanged.removeListener(listener);
      resolve(performance.now() - clickedAt);
    };
    chrome.storage.session.onChanged.addListener(listener);
    setTimeout(() => reject(new Error(${JSON.stringify(`donor status not '${state}' within ${switchTimeoutMs} ms of the click`)})), ${switchTimeoutMs});
  }); undefined;`);
  await popup.click('#share-switch');
  return (await popup.evaluate('window.porchlightSwitch')) as number;
}

async function switchTime(roundCount: number): Promise<BenchResult> {
  const t0 = performance.now();
  const signaling = await startSignaling();
  const path = await testBuild();
  let ext: ExtensionBrowser | undefined;
  try {
    ext = await launchWithExtension('switch', path);
    await patchDonorSettings(ext, { sharing: false, signalingUrl: signaling.url });
    const popup = await ext.openPage('popup.html');
    await popup.waitForSelector('#share-switch');
    const toConnected: number[] = [];
    const toOff: number[] = [];
    const nodeDonor: number[] = [];
    const nodeLogin = async (): Promise<void> => {
      const started = performance.now();
      const donor = await startNodeDonor(signaling.url, extensionTestOrigin);
      nodeDonor.push(performance.now() - started);
      await donor.close();
    };
    for (let i = 0; i < roundCount; i++) {
      // Alternate which goes first, so neither always meets a machine that just went quiet.
      if (i % 2 === 1) await nodeLogin();
      toConnected.push(await flipSwitch(popup, 'connected'));
      // The helper the suites use agrees (it reads the same key through the service worker).
      await waitForDonorStatus(ext, (s) => s.state === 'connected', switchTimeoutMs);
      toOff.push(await flipSwitch(popup, 'off'));
      if (i % 2 === 0) await nodeLogin();
    }
    const value = median(toConnected);
    const baseline = median(nodeDonor);
    console.error(`extension-switch-time: switch → connected median ${value.toFixed(0)} ms (first ${toConnected[0]!.toFixed(0)} ms), Node donor login ${baseline.toFixed(0)} ms`);
    return {
      name: 'extension-switch-time',
      value: round(value, 1),
      baseline: round(baseline, 1),
      ratio: round(value / baseline),
      unit: 'ms',
      rounds: roundCount,
      firstMs: round(toConnected[0]!, 1), // roundCount ≥ 1
      p90Ms: round(quantile(toConnected, 0.9), 1),
      maxMs: round(Math.max(...toConnected), 1),
      offMedianMs: round(median(toOff), 1),
      nodeDonorP90Ms: round(quantile(nodeDonor, 0.9), 1),
      seconds: seconds(t0),
    };
  } finally {
    await ext?.close();
    await signaling.close();
  }
}

// ---- browse: Go to first content ---------------------------------------------------------------

/**
 * Source of a check for the heading `#id` in `doc`, shown with the test site's stylesheet applied
 * (its colour) when `styled`: the moment a reader sees the page's own first content, in both kinds
 * of tab. (A browser's first paint waits for the stylesheet; a heading merely parsed is not on screen.)
 */
function headingCheck(doc: string, id: string, styled: boolean): string {
  const colour = styled ? ` && d.defaultView.getComputedStyle(h).color === ${JSON.stringify(testSiteColours.heading)}` : '';
  return `((d) => { const h = d && d.getElementById(${JSON.stringify(id)}); return !!h${colour}; })(${doc})`;
}

/**
 * Types `url` into the browse page's address bar, presses Go and resolves with the milliseconds
 * from the click to the first animation frame at which the view shows `#headingId` (styled, if asked).
 */
async function browseTo(page: Page, url: string, headingId: string, styled: boolean): Promise<number> {
  await page.bringToFront();
  await page.click('#address', { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type('#address', url);
  await page.evaluate(`window.porchlightSeen = new Promise((resolve, reject) => {
    let pressedAt;
    document.querySelector('button.go').addEventListener('click', () => { pressedAt = performance.now(); }, { once: true, capture: true });
    const deadline = performance.now() + ${browseTimeoutMs};
    const tick = () => {
      const frame = document.querySelector('iframe.view-frame');
      if (pressedAt !== undefined && ${headingCheck('frame && frame.contentDocument', headingId, styled)}) resolve(performance.now() - pressedAt);
      else if (performance.now() > deadline) reject(new Error(${JSON.stringify(`#${headingId} not in the view within ${browseTimeoutMs} ms of Go`)}));
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }); undefined;`);
  await page.click('button.go');
  return (await page.evaluate('window.porchlightSeen')) as number;
}

/** In every document of the plain tab: the epoch ms of the first animation frame showing #heading, styled. */
const headingWatcher = `(() => {
  const tick = () => {
    if (${headingCheck('document', 'heading', true)}) window.porchlightHeadingAt = performance.timeOrigin + performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

/**
 * Loads `url` in the plain tab, coming from `from` on the same site (as the browse tab does);
 * milliseconds from the navigation request to the first frame showing #heading styled, and the
 * page's first-contentful-paint (from its own navigation start).
 */
async function loadDirect(tab: Page, from: string, url: string): Promise<{ ms: number; fromNavigationStartMs: number; fcpMs: number | undefined }> {
  await tab.bringToFront();
  await tab.goto(from, { waitUntil: 'load', timeout: browseTimeoutMs });
  const requested = Date.now();
  await tab.goto(url, { waitUntil: 'load', timeout: browseTimeoutMs });
  await tab.waitForFunction(() => (window as unknown as { porchlightHeadingAt?: number }).porchlightHeadingAt !== undefined, { timeout: browseTimeoutMs });
  const seen = await tab.evaluate(() => ({
    at: (window as unknown as { porchlightHeadingAt: number }).porchlightHeadingAt,
    navigationStart: performance.timeOrigin,
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
  }));
  return { ms: seen.at - requested, fromNavigationStartMs: seen.at - seen.navigationStart, fcpMs: seen.fcp };
}

async function browseFirstContent(roundCount: number): Promise<BenchResult> {
  const t0 = performance.now();
  const signaling = await startSignaling();
  const origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
  const site = installTestSite(origin);
  const donor = await startNodeDonor(signaling.url, extensionTestOrigin);
  let ext: ExtensionBrowser | undefined;
  try {
    ext = await launchWithExtension('browse', await testBuild());
    // The browse page reads the signaling server from the settings, as a real install does.
    await patchDonorSettings(ext, { signalingUrl: signaling.url });
    const page = await ext.openPage('browse.html');
    await page.setViewport(viewport);
    const tab = await ext.browser.newPage();
    await tab.setViewport(viewport);
    await tab.evaluateOnNewDocument(headingWatcher);
    const index = site.url('/site/index.html');
    const second = site.url('/site/second.html');

    // The first Go of a fresh browse tab also logs in to signaling and dials a donor.
    const firstMs = await browseTo(page, index, 'heading', true);
    const viaDonor: number[] = [];
    const pageFirstContent: number[] = [];
    const direct: number[] = [];
    const directFromNavigationStart: number[] = [];
    const directFcp: number[] = [];
    for (let i = 0; i < roundCount; i++) {
      // Away and back, so the heading waited for is always the new page's.
      await browseTo(page, second, 'second-heading', false);
      const directFirst = i % 2 === 0;
      const measureDirect = async (): Promise<void> => {
        const d = await loadDirect(tab, second, index);
        direct.push(d.ms);
        directFromNavigationStart.push(d.fromNavigationStartMs);
        if (d.fcpMs !== undefined) directFcp.push(d.fcpMs);
      };
      if (directFirst) await measureDirect();
      viaDonor.push(await browseTo(page, index, 'heading', true));
      // The browse page's own measure of the same moment (from its request, not from the click).
      pageFirstContent.push(Number(await page.$eval('[data-timing="first-content"]', (el) => el.getAttribute('data-ms'))));
      if (!directFirst) await measureDirect();
    }
    const value = median(viaDonor);
    const baseline = median(direct);
    console.error(`extension-browse-first-content: Go → heading ${value.toFixed(0)} ms through the donor (first Go ${firstMs.toFixed(0)} ms), ${baseline.toFixed(0)} ms loaded directly`);
    return {
      name: 'extension-browse-first-content',
      value: round(value, 1),
      baseline: round(baseline, 1),
      ratio: round(value / baseline),
      unit: 'ms',
      rounds: roundCount,
      firstGoMs: round(firstMs, 1),
      p90Ms: round(quantile(viaDonor, 0.9), 1),
      directP90Ms: round(quantile(direct, 0.9), 1),
      pageFirstContentMedianMs: round(median(pageFirstContent.filter(Number.isFinite)), 1),
      directFromNavigationStartMedianMs: round(median(directFromNavigationStart), 1),
      directFirstContentfulPaintMedianMs: directFcp.length ? round(median(directFcp), 1) : null,
      seconds: seconds(t0),
    };
  } finally {
    await ext?.close();
    await donor.close();
    await Promise.allSettled([origin.close(), signaling.close()]);
  }
}

// ---- the benchmark -----------------------------------------------------------------------------

export const extensionCosts: StandaloneBenchmark = {
  name: 'extension-costs',
  standalone: true,
  async run(scale, emit) {
    const roundCount = Math.max(minRounds, Math.round(rounds * scale));
    const parts: Array<[string, () => Promise<BenchResult>]> = [
      // Sizes first: the builds are the heaviest work here, and must be over before anything is metered.
      ['extension-bundle-size', bundleSizes],
      ['extension-idle-cpu', () => idleCpu(Math.max(minIdleWindowMs, Math.round(idleWindowMs * scale)))],
      ['extension-switch-time', () => switchTime(roundCount)],
      ['extension-browse-first-content', () => browseFirstContent(roundCount)],
    ];
    let failed = 0;
    for (const [name, part] of parts) {
      try {
        await emit(await part());
      } catch (error) {
        failed++;
        console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
    return failed;
  },
};
