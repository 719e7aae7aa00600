// browse-load: the test site's heaviest page — the CDN article (tests/support/test-site-cdn.ts,
// about 1.7 MB: five pictures, three stylesheets and a font on a second origin without CORS) —
// read on the browse page through a real donor (a second Chromium profile with the extension,
// sharing), against the same page loaded directly in a plain tab of the journalist's own browser.
// Two results, each a median over alternating rounds with the ratio to the direct load:
// - browse-load-first-content: first text painted in the view, against first-contentful-paint;
// - browse-load-everything: every subresource done, against loadEventEnd.
import type { Page } from 'puppeteer-core';
import { browseTiming, go, waitForTotal, waitForView } from '../tests/support/browse-page.ts';
import { extensionCdnOrigin } from '../tests/support/extension-build.ts';
import { patchDonorSettings, waitForDonorStatus } from '../tests/support/extension-donor.ts';
import { startOriginServer, type OriginServer } from '../tests/support/origin-server.ts';
import { cdnColours, installCdnSite, type CdnSite } from '../tests/support/test-site-cdn.ts';
import { startTwoProfiles, type TwoProfiles } from '../tests/support/two-profiles.ts';
import { median, round, type BenchResult, type StandaloneBenchmark } from './context.ts';

/** Rounds at BENCH_SCALE 1 (each one load each way), and the fewest at any scale. */
const rounds = 12;
const minRounds = 4;
const loadTimeoutMs = 60_000;
const connectTimeoutMs = 60_000;
const viewport = { width: 1280, height: 900 };

// In-page code is passed as source text: tsx's transform would wrap named inner functions in a
// helper (\`__name\`) that does not exist in the page.
/** In every document of the plain tab: ms from navigation start to the first animation frame showing the styled headline. */
const headlineWatcher = `(() => {
  const tick = () => {
    const h = document.getElementById('headline');
    if (h && getComputedStyle(h).color === ${JSON.stringify(cdnColours.headline)}) window.porchlightHeadlineMs = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

/** The value at quantile `q` (nearest rank) of a non-empty list. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))]!; // index clamped into the list
}

interface Load {
  /** First content on screen, ms from the request. */
  readonly firstContentMs: number;
  /** Everything loaded, ms from the request. */
  readonly everythingMs: number;
}

/**
 * One load through the donor: from the light page `away` (so the view always shows a new
 * document), Go to `url`; the browse page's own timings, from Go: first content painted in the
 * view, and every subresource done.
 */
async function loadThroughDonor(page: Page, away: string, url: string): Promise<Load> {
  await page.bringToFront();
  await go(page, away);
  await waitForView(page, (doc) => doc.getElementById('second-heading') !== null, loadTimeoutMs);
  await waitForTotal(page);
  await go(page, url);
  await waitForView(page, (doc) => doc.getElementById('headline') !== null, loadTimeoutMs);
  await waitForTotal(page);
  return { firstContentMs: await browseTiming(page, 'first-content'), everythingMs: await browseTiming(page, 'total') };
}

/**
 * One load in the plain tab, navigated from `away` on the same site (as the browse tab is): the
 * page's own first-contentful-paint and loadEventEnd, both from its navigation start. The CDN sends
 * no CORS headers, so this tab's browser refuses the font (it is still fetched).
 */
async function loadDirect(tab: Page, away: string, url: string): Promise<Load & { fontStatus: string; headlineFrameMs: number }> {
  await tab.bringToFront();
  await tab.goto(away, { waitUntil: 'load', timeout: loadTimeoutMs });
  await tab.goto(url, { waitUntil: 'load', timeout: loadTimeoutMs });
  // loadEventEnd is set once the load handlers have returned, just after puppeteer hears `load`.
  await tab.waitForFunction(() => ((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.loadEventEnd ?? 0) > 0, { timeout: loadTimeoutMs });
  await tab.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, { timeout: loadTimeoutMs });
  await tab.waitForFunction(() => (window as unknown as { porchlightHeadlineMs?: number }).porchlightHeadlineMs !== undefined, { timeout: loadTimeoutMs });
  return tab.evaluate(() => {
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming; // waited for above
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]!; // waited for above
    const face = [...document.fonts].find((f) => f.family.includes('Porchlight News'));
    const headlineFrameMs = (window as unknown as { porchlightHeadlineMs: number }).porchlightHeadlineMs; // waited for above
    return { firstContentMs: fcp.startTime, everythingMs: navigation.loadEventEnd, fontStatus: face?.status ?? 'none', headlineFrameMs };
  });
}

async function measure(roundCount: number, emit: (result: BenchResult) => Promise<void>): Promise<void> {
  const t0 = performance.now();
  let setup: TwoProfiles | undefined;
  let cdn: OriginServer | undefined;
  try {
    cdn = await startOriginServer({ port: Number(new URL(extensionCdnOrigin).port), cors: false });
    setup = await startTwoProfiles('bench-browse-load', 'DE');
    const site: CdnSite = installCdnSite(setup.origin, cdn);
    await patchDonorSettings(setup.donor, { sharing: true });
    await waitForDonorStatus(setup.donor, (s) => s.state === 'connected', connectTimeoutMs);
    const page = await setup.journalist.openPage('browse.html');
    await page.setViewport(viewport);
    const tab = await setup.journalist.browser.newPage();
    await tab.setViewport(viewport);
    await tab.evaluateOnNewDocument(headlineWatcher);
    const away = setup.site.url('/site/second.html');

    // Warm-up, untimed: the browse tab's first Go logs in to signaling and dials the donor.
    await loadThroughDonor(page, away, site.articleUrl);
    await loadDirect(tab, away, site.articleUrl);

    const through: Load[] = [];
    const direct: Array<Load & { headlineFrameMs: number }> = [];
    const fontStatuses = new Set<string>();
    let leaked = 0;
    for (let i = 0; i < roundCount; i++) {
      const timeThrough = async (): Promise<void> => {
        site.resetCounts();
        through.push(await loadThroughDonor(page, away, site.articleUrl));
        // Through the donor, the journalist's browser itself must ask neither origin for anything.
        leaked += [...site.directRequests.values()].reduce((a, b) => a + b, 0);
      };
      const timeDirect = async (): Promise<void> => {
        const load = await loadDirect(tab, away, site.articleUrl);
        fontStatuses.add(load.fontStatus);
        direct.push(load);
      };
      // Alternate which goes first, so a burst of load elsewhere on the machine lands on both.
      if (i % 2 === 0) {
        await timeDirect();
        await timeThrough();
      } else {
        await timeThrough();
        await timeDirect();
      }
    }
    if (leaked > 0) throw new Error(`the journalist's browser fetched ${leaked} resources of the article directly while reading it through the donor`);

    const common = { unit: 'ms', rounds: roundCount, pageBytes: site.articleBytes, directRequestsThroughDonor: leaked, directFontStatus: [...fontStatuses].join(',') };
    for (const [name, key] of [['browse-load-first-content', 'firstContentMs'], ['browse-load-everything', 'everythingMs']] as const) {
      const value = median(through.map((load) => load[key]));
      const baseline = median(direct.map((load) => load[key]));
      console.error(`${name}: ${value.toFixed(0)} ms through the donor, ${baseline.toFixed(0)} ms loaded directly (ratio ${(value / baseline).toFixed(2)})`);
      await emit({
        name,
        value: round(value, 1),
        baseline: round(baseline, 1),
        ratio: round(value / baseline),
        ...common,
        p90Ms: round(quantile(through.map((load) => load[key]), 0.9), 1),
        directP90Ms: round(quantile(direct.map((load) => load[key]), 0.9), 1),
        throughMs: through.map((load) => round(load[key], 1)),
        directMs: direct.map((load) => round(load[key], 1)),
        ...(key === 'firstContentMs' ? { directHeadlineFrameMedianMs: round(median(direct.map((load) => load.headlineFrameMs)), 1) } : {}),
        seconds: Math.round((performance.now() - t0) / 100) / 10,
      });
    }
  } finally {
    await setup?.close();
    await cdn?.close();
  }
}

export const browseLoad: StandaloneBenchmark = {
  name: 'browse-load',
  standalone: true,
  async run(scale, emit) {
    await measure(Math.max(minRounds, Math.round(rounds * scale)), emit);
    return 0;
  },
};
