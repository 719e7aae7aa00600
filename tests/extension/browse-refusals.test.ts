// What the browse page says when it cannot show a page, in the built extension with real Chromium:
// each refusal by the donor's safety rules names its rule (cloud metadata, the LAN, the donor's own
// computer, file:, a closed port, a name that is not public), a redirect loop, too many redirects, a
// name DNS cannot find, a host with no route and a site that never answers each get their own words;
// a page built by scripts says so with the raw response one click away (and no ordinary page does);
// downloads show the share done, the bytes, speed and time left, or that the size is not known.
// A Node donor serves (its exit's header deadline shortened so the silent site takes seconds); the
// test site lives on the one origin test builds may fetch. Inside the loopback-only namespace.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import enBrowse from '../../locales/en/browse.json';
import { createExit, type Exit } from '../../offscreen/exit/exit.ts';
import type { ExitFetch } from '../../offscreen/exit/exit-fetch.ts';
import { createGuardedFetch } from '../../offscreen/exit/guarded-fetch/node-guarded-fetch.ts';
import { createExitPolicy } from '../../offscreen/exit/policy/exit-policy.ts';
import type { SignalingServer } from '../../signaling/server.ts';
import { startQuietSignaling } from '../support/browser-harness.ts';
import { go, openBrowsePage, startSiteFileDownload, waitForTotal, waitForView } from '../support/browse-page.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import { buildExtension, extensionTestOrigin } from '../support/extension-build.ts';
import { startNodeDonor, type NodeDonor } from '../support/node-peers.ts';
import { startOriginServer, type OriginServer } from '../support/origin-server.ts';
import { installTestSite, type TestSite } from '../support/test-site.ts';
import { refusalPages, scriptAppPage, unsizedFilePage } from '../support/test-site-refusals.ts';

declare const axe: { run(context: Document, options: { iframes: boolean }): Promise<{ violations: Array<{ id: string; help: string }> }> };

/** Where the suite leaves pictures of what the journalist saw (not committed). */
const artifactsDir = 'test-artifacts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the browse page (the view's content is the site's: left out). */
async function axeViolations(target: Page): Promise<Array<{ id: string; help: string }>> {
  await target.evaluate(axeSource);
  const result = await target.evaluate(() => axe.run(document, { iframes: false }));
  return result.violations.map(({ id, help }) => ({ id, help }));
}

type BrowseKey = keyof typeof enBrowse;
const en = (key: BrowseKey): string => enBrowse[key].message;
/** The site's header deadline at this donor: long enough for every honest page here, short for the suite. */
const headersTimeoutMs = 3_000;

let signaling: SignalingServer;
let origin: OriginServer;
let site: TestSite;
let donor: NodeDonor;
let exit: Exit;
let closeFetch: () => Promise<void>;
let extension: ExtensionBrowser;
let page: Page;

beforeAll(async () => {
  signaling = await startQuietSignaling('DE');
  origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
  site = installTestSite(origin);
  const policy = createExitPolicy({ testOrigin: extensionTestOrigin });
  const guarded = createGuardedFetch(policy);
  closeFetch = () => guarded.close();
  exit = createExit({ fetch: guarded as unknown as ExitFetch, policy, limits: { responseHeadersTimeoutMs: headersTimeoutMs } });
  donor = await startNodeDonor(signaling.url, extensionTestOrigin, { exit });
  const path = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
  extension = await launchWithExtension('browse-refusals', path);
  page = await openBrowsePage(extension, signaling.url);
}, 240_000);

afterAll(async () => {
  await extension?.close();
  await donor?.close();
  exit?.close();
  await closeFetch?.();
  await Promise.allSettled([origin?.close(), signaling?.close()]);
});

/** The problem the browse page shows after opening `path` of the test site. */
async function problemFor(path: string): Promise<{ kind: string | null; cause: string | null; text: string; details: string }> {
  await go(page, site.url(path));
  // Opening clears the previous notice at once; the new one comes with the donor's answer.
  await page.waitForSelector('.notice.problem', { timeout: 30_000 });
  return page.$eval('.notice.problem', (el) => ({
    kind: el.getAttribute('data-problem'),
    cause: el.getAttribute('data-cause'),
    text: el.querySelector('p')?.textContent ?? '',
    details: el.querySelector('details p')?.textContent ?? '',
  }));
}

describe('browse page: why a page could not load', () => {
  it.each<[string, string, 'policy' | 'unreachable', string, BrowseKey]>([
    ['a redirect to cloud metadata (169.254.169.254)', refusalPages.metadata, 'policy', 'link-local', 'browse_problem_policy_link_local'],
    ['a redirect to a home router (192.168.1.1)', refusalPages.lan, 'policy', 'lan', 'browse_problem_policy_lan'],
    ['a redirect into 10.0.0.0/8', refusalPages.lanTen, 'policy', 'lan', 'browse_problem_policy_lan'],
    ["a redirect to the donor's own computer", refusalPages.loopback, 'policy', 'loopback', 'browse_problem_policy_loopback'],
    ['a redirect to file:///etc/passwd', refusalPages.file, 'policy', 'scheme', 'browse_problem_policy_scheme'],
    ['a redirect to a closed port', refusalPages.port, 'policy', 'port', 'browse_problem_policy_port'],
    ['a redirect to a .invalid name', refusalPages.notPublic, 'policy', 'not-public', 'browse_problem_policy_not_public'],
    ['a redirect loop', refusalPages.loop, 'unreachable', 'redirect-loop', 'browse_problem_redirect_loop'],
    ['a chain of twelve redirects', refusalPages.chain, 'unreachable', 'too-many-redirects', 'browse_problem_too_many_redirects'],
    ['a name DNS cannot find', refusalPages.dns, 'unreachable', 'not-found', 'browse_problem_not_found'],
    ['a host with no route', refusalPages.down, 'unreachable', 'site-down', 'browse_problem_site_down'],
    ['a site that never answers', refusalPages.silent, 'unreachable', 'timeout', 'browse_problem_timeout'],
  ])('%s gets its own words', async (_, path, kind, cause, key) => {
    const problem = await problemFor(path);
    expect(problem).toMatchObject({ kind, cause, text: en(key) });
    // The donor's own description stays under "Technical details", never as the headline.
    expect(problem.details).not.toBe('');
    expect(problem.text).not.toBe(en('browse_problem_unreachable'));
    if (cause === 'link-local') {
      expect(await axeViolations(page)).toEqual([]);
      await mkdir(artifactsDir, { recursive: true });
      await page.screenshot({ path: join(artifactsDir, 'browse-refusal-metadata.png') });
    }
  }, 60_000);

  it('gives every refusal different words', () => {
    const keys: BrowseKey[] = [
      'browse_problem_policy_link_local', 'browse_problem_policy_lan', 'browse_problem_policy_loopback', 'browse_problem_policy_scheme',
      'browse_problem_policy_port', 'browse_problem_policy_not_public', 'browse_problem_redirect_loop', 'browse_problem_too_many_redirects',
      'browse_problem_not_found', 'browse_problem_site_down', 'browse_problem_timeout', 'browse_problem_unreachable', 'browse_problem_policy',
    ];
    expect(new Set(keys.map(en)).size).toBe(keys.length);
  });
});

describe('browse page: pages that need scripts', () => {
  it('says a script-built page needs JavaScript, and opens the raw response in one click', async () => {
    await go(page, site.url(scriptAppPage));
    await page.waitForSelector('.scripts-notice', { timeout: 30_000 });
    expect(await page.$eval('.scripts-notice p', (el) => el.textContent)).toBe(en('browse_needs_scripts'));
    // The view shows what a reader without scripts sees, and never what the script would have built.
    await waitForView(page, (doc) => (doc.body?.textContent ?? '').includes('You need to enable JavaScript'));
    expect(await page.$eval('#response-details', (el) => (el as HTMLDetailsElement).open)).toBe(false);
    await page.click('.scripts-notice button.show-raw');
    await page.waitForSelector('#response-details[open] .page-source pre');
    const raw = await page.$eval('#response-details', (el) => ({
      status: el.querySelector('.response-status')?.textContent,
      source: el.querySelector('.page-source pre')?.textContent ?? '',
      focused: document.activeElement === el.querySelector('summary'),
    }));
    expect(raw).toMatchObject({ status: '200 OK', focused: true });
    expect(raw.source).toContain('<div id="root"></div>');
    expect(raw.source).toContain('<script src="/site/extra/main.js"></script>');
    // The notice and the open raw response (its scrollable source included) pass axe.
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artifactsDir, 'browse-needs-scripts.png') });
    // Closing it by hand stays closed for the next page.
    await page.click('#response-details summary');
    await page.waitForSelector('#response-details:not([open])');
  }, 60_000);

  it.each(['/site/index.html', '/site/second.html', '/site/search.html?q=porchlight', '/site/hostile.html'])('says nothing of the kind on %s', async (path) => {
    await go(page, site.url(path));
    await waitForTotal(page);
    expect(await page.$('.scripts-notice')).toBeNull();
  }, 60_000);
});

describe('browse page: download progress', () => {
  it('shows the share done, MiB of MiB, speed and time left while the 50 MiB file comes in', async () => {
    await startSiteFileDownload(page, site.url('/site/index.html'));
    await page.waitForFunction(
      () => {
        const percent = Number(document.querySelector('.download[data-status="running"] .download-percent')?.getAttribute('data-percent'));
        return percent >= 1 && percent <= 95 && document.querySelector('.download-speed') !== null;
      },
      { timeout: 60_000, polling: 50 },
    );
    const seen = await page.$eval('.download', (el) => ({
      percent: el.querySelector('.download-percent')?.textContent ?? '',
      bytes: el.querySelector('.download-bytes')?.textContent ?? '',
      speed: el.querySelector('.download-speed')?.textContent ?? '',
      value: Number(el.querySelector('progress')?.getAttribute('value')),
      max: Number(el.querySelector('progress')?.getAttribute('max')),
    }));
    console.info(`mid-download: ${seen.percent} · ${seen.bytes} · ${seen.speed}`);
    expect(seen.percent).toMatch(/^\d{1,2}%$/);
    expect(seen.bytes).toMatch(/^[\d.]+ (KiB|MiB) of 50 MiB$/);
    // "$SPEED$ per second · about $LEFT$ left", the duration as Intl writes it ("13 sec", "2 min").
    expect(en('browse_download_speed_left')).toBe('$SPEED$ per second · about $LEFT$ left');
    expect(seen.speed).toMatch(/^[\d.]+ (KiB|MiB) per second · about \d+ (sec|min|hr)\b.* left$/);
    expect(seen).toMatchObject({ max: 50 * 1024 * 1024 });
    expect(seen.value).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.click('.download button.secondary'); // cancel
    await page.waitForSelector('.download[data-status="cancelled"]', { timeout: 10_000 });
    // Once it is over, the running figures go: only the outcome and the bytes remain.
    expect(await page.$('.download-speed')).toBeNull();
    await page.click('.download button.secondary'); // dismiss
  }, 120_000);

  it('says honestly when the site did not give the size: no share, no time left, an indeterminate bar', async () => {
    await go(page, site.url(unsizedFilePage));
    await page.waitForSelector('.file-offer button.download-file', { timeout: 30_000 });
    await page.click('.file-offer button.download-file');
    await page.waitForSelector('.download[data-status="running"] .download-speed', { timeout: 30_000 });
    const seen = await page.$eval('.download', (el) => ({
      percent: el.querySelector('.download-percent'),
      bytes: el.querySelector('.download-bytes')?.textContent ?? '',
      speed: el.querySelector('.download-speed')?.textContent ?? '',
      hasValue: el.querySelector('progress')?.hasAttribute('value'),
    }));
    expect(seen).toMatchObject({ percent: null, hasValue: false });
    expect(seen.bytes).toMatch(/^[\d.]+ (B|KiB|MiB) received$/);
    expect(seen.speed).toMatch(/^[\d.]+ (B|KiB|MiB) per second · the site did not say how large the file is/);
    await page.click('.download button.secondary'); // cancel
    await page.waitForSelector('.download[data-status="cancelled"]', { timeout: 10_000 });
    await page.click('.download button.secondary');
  }, 60_000);
});
