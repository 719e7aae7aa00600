// The journalist's browse page in the built extension, end to end: a Node donor on the loopback
// signaling server, the test site on the one origin test builds may fetch, and Chromium with the
// extension installed. Pages render inside the sandboxed view with everything fetched through the
// donor; links, GET forms and a 50 MiB download work; a hostile page achieves nothing; the page
// passes axe. Run inside the loopback-only namespace (scripts/netns.mjs).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser as ExtensionApi } from 'wxt/browser';
import { defaultDonorSettings } from '../../settings/donor-settings.ts';
import type { SignalingServer } from '../../signaling/server.ts';
import { startQuietSignaling } from '../support/browser-harness.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import { buildExtension, extensionTestOrigin } from '../support/extension-build.ts';
import { startNodeDonor, type NodeDonor } from '../support/node-peers.ts';
import { startOriginServer, type OriginServer } from '../support/origin-server.ts';
import enBrowse from '../../locales/en/browse.json';
import faBrowse from '../../locales/fa/browse.json';
import { catchDownloads } from '../support/downloads.ts';
import { browseTiming, clickInView, go, inView, openBrowsePage, waitForTotal, waitForView } from '../support/browse-page.ts';
import { installTestSite, testSiteColours, testSiteFileBytes, testSiteFileSha256, testSiteFontFamily, testSitePhotoSize, type TestSite } from '../support/test-site.ts';

// Globals of the extension pages the evaluated functions run in.
declare const chrome: typeof ExtensionApi;
declare const axe: { run(context: Document, options: { iframes: boolean }): Promise<{ violations: Array<{ id: string; help: string }> }> };

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const artifactsDir = 'test-artifacts';
const donorCountry = 'DE';
const viewport = { width: 1280, height: 900 };

let signaling: SignalingServer;
let origin: OriginServer;
let site: TestSite;
let donor: NodeDonor;
let extension: ExtensionBrowser;
let page: Page;
let extensionPath: string;
const extraDonors: NodeDonor[] = [];
// What the cost panel said once the first page's receipts were all signed (the second page must add to it).
let usedAfterFirstPage: Usage | undefined;

interface Usage {
  bytes: number;
  microCredits: number;
}

/** The cost panel's figures: the price shown (text and micro-credits per GiB) and this tab's usage. */
async function costPanel(target: Page): Promise<{ price: string; pricePerGiB: string | null; used: Usage; usedText: string; creditsText: string }> {
  return target.evaluate(() => {
    const text = (selector: string) => document.querySelector(selector)?.textContent ?? '';
    const bytes = document.querySelector('.session-bytes');
    const credits = document.querySelector('.session-credits');
    return {
      price: text('.donor-price'),
      pricePerGiB: document.querySelector('.donor-price')?.getAttribute('data-micro-credits-per-gib') ?? null,
      used: { bytes: Number(bytes?.getAttribute('data-bytes')), microCredits: Number(credits?.getAttribute('data-micro-credits')) },
      usedText: bytes?.textContent ?? '',
      creditsText: credits?.textContent ?? '',
    };
  });
}

/** axe-core's violations on `target` (the view frame's content is the site's, not ours: left out). */
async function axeViolations(target: Page): Promise<Array<{ id: string; help: string }>> {
  await target.evaluate(axeSource);
  const result = await target.evaluate(() => axe.run(document, { iframes: false }));
  return result.violations.map(({ id, help }) => ({ id, help }));
}

beforeAll(async () => {
  await mkdir(artifactsDir, { recursive: true });
  signaling = await startQuietSignaling(donorCountry);
  origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
  site = installTestSite(origin);
  donor = await startNodeDonor(signaling.url, extensionTestOrigin);
  extensionPath = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
  extension = await launchWithExtension('browse', extensionPath);
  // The browse page reads the signaling server from the settings, as a real install does.
  page = await openBrowsePage(extension, signaling.url, viewport);
}, 240_000);

afterAll(async () => {
  await extension?.close();
  await Promise.allSettled([donor?.close(), ...extraDonors.map((d) => d.close())]);
  await Promise.allSettled([origin?.close(), signaling?.close()]);
});

describe('browse page', () => {
  it('shows the test site through the donor: text, image, stylesheet, font, exit country', async () => {
    // Before browsing: no donor yet, so no price; nothing used.
    await page.waitForSelector('.cost-panel');
    expect(await costPanel(page)).toMatchObject({ price: enBrowse.browse_cost_price_unknown.message, pricePerGiB: null, used: { bytes: 0, microCredits: 0 }, usedText: '0 B', creditsText: '0' });
    expect(await page.$eval('.cost-panel .hint', (el) => el.textContent)).toBe(enBrowse.browse_cost_note.message);
    const pressed = await go(page, site.url('/site/index.html'));
    await waitForView(page, (doc) => doc.getElementById('heading')?.textContent === 'Porchlight test site');
    const seenMs = Date.now() - pressed;
    const totalMs = await waitForTotal(page);
    const [headersMs, firstContentMs] = [await browseTiming(page, 'headers'), await browseTiming(page, 'first-content')];
    console.info(`Go → first rendered content: ${firstContentMs.toFixed(0)} ms as the page measured it (${seenMs} ms seen by the test, including connecting to the donor); headers ${headersMs.toFixed(0)} ms, everything ${totalMs.toFixed(0)} ms`);
    expect(firstContentMs).toBeGreaterThan(0);
    expect(firstContentMs).toBeLessThanOrEqual(totalMs);

    // The picture arrived through the donor as a blob: URL and decoded.
    await waitForView(page, (doc) => {
      const img = doc.getElementById('photo') as HTMLImageElement | null;
      return !!img && img.complete && img.naturalWidth > 0;
    });
    const photo = await inView(page, (doc) => {
      const img = doc.getElementById('photo') as HTMLImageElement;
      return { src: img.getAttribute('src'), naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight };
    });
    expect(photo.src).toMatch(/^blob:chrome-extension:/);
    expect(photo).toMatchObject({ naturalWidth: testSitePhotoSize.width, naturalHeight: testSitePhotoSize.height });

    // The stylesheet (and the one it imports) applied, its background image a blob: URL.
    const styles = await inView(page, (doc) => {
      const view = doc.defaultView!; // a rendered document has a window
      const style = (id: string) => view.getComputedStyle(doc.getElementById(id) ?? doc.querySelector(`.${id}`)!);
      return {
        heading: style('heading').color,
        body: view.getComputedStyle(doc.body).backgroundColor,
        imported: style('imported').color,
        banner: style('banner').backgroundImage,
        fontFaceCss: [...doc.querySelectorAll('style')].map((s) => s.textContent ?? '').find((css) => css.includes('@font-face')) ?? '',
      };
    });
    expect(styles.heading).toBe(testSiteColours.heading);
    expect(styles.body).toBe(testSiteColours.body);
    expect(styles.imported).toBe(testSiteColours.imported);
    expect(styles.banner).toMatch(/^url\("blob:chrome-extension:/);
    expect(styles.fontFaceCss).toMatch(/src:\s*url\("blob:chrome-extension:[^"]+"\)/);
    if (site.realFont) {
      // The predicate runs in the page, so the family is written out (and checked against the site's).
      expect(testSiteFontFamily).toBe('Porchlight Test');
      await waitForView(page, (doc) => [...doc.fonts].some((face) => face.family.includes('Porchlight Test') && face.status === 'loaded'));
    } else {
      console.warn('No system font found to serve: the @font-face is checked for a blob: source only.');
    }

    // Every resource went through the donor, once; the browser fetched nothing from the site itself.
    for (const path of ['/site/index.html', '/site/style.css', '/site/imported.css', '/site/images/photo.png', '/site/images/bg.png', '/site/fonts/test.ttf']) {
      expect(site.requestsFor(path), path).toBe(1);
    }
    expect([...site.directRequests]).toEqual([]);

    // Nothing left in the view can load or navigate on its own.
    const leftovers = await inView(page, (doc) => ({
      hrefs: [...doc.querySelectorAll('[href]')].map((el) => el.getAttribute('href')).filter((href) => href !== '#'),
      srcs: [...doc.querySelectorAll('[src]')].map((el) => el.getAttribute('src')).filter((src) => !/^(blob|data):/.test(src ?? '')),
      actions: doc.querySelectorAll('form[action], [formaction]').length,
      policy: doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'),
    }));
    expect(leftovers).toMatchObject({ hrefs: [], srcs: [], actions: 0 });
    expect(leftovers.policy).toContain("default-src 'none'");

    // The exit: the donor's country and short ID, and the TLS statement.
    expect(await page.$eval('.exit-country', (el) => [el.getAttribute('data-country'), el.textContent])).toEqual([donorCountry, 'Germany']);
    expect(await page.$eval('.donor-short-id', (el) => el.textContent)).toBe(donor.donor.peerId.slice(0, 8));
    expect(await page.$eval('.tls-notice', (el) => el.textContent)).toMatch(/do not log in/i);
    expect(await page.title()).toBe('Porchlight test site — Porchlight');

    // The price from the donor's signed listing (0.0001 credits per MiB), per GiB; and what this
    // tab's receipts add up to once they are signed (at least every 2 s while data flows).
    expect(await costPanel(page)).toMatchObject({ price: '0.1024', pricePerGiB: '102400' });
    await page.waitForFunction(() => Number(document.querySelector('.session-bytes')?.getAttribute('data-bytes')) > 0, { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // the tail's receipt, 2 s after the last byte
    const { used } = await costPanel(page);
    // Everything went through one donor: one channel, so credits are that channel's ceil(bytes × price / MiB).
    expect(used.bytes).toBeGreaterThan(0);
    expect(used.microCredits).toBe(Math.ceil((used.bytes * 100) / 2 ** 20));
    usedAfterFirstPage = used;

    // The raw response on demand.
    await page.click('.response-details summary');
    expect(await page.$eval('.response-status', (el) => el.textContent)).toBe('200 OK');
    expect(await page.$$eval('.headers tbody th', (cells) => cells.map((c) => c.textContent))).toContain('x-porchlight-origin');

    await page.screenshot({ path: join(artifactsDir, 'browse-index.png') });
  }, 120_000);

  it('follows a link inside the view, through the donor, and goes back', async () => {
    const topUrl = page.url();
    const clicked = Date.now();
    await clickInView(page, '#second-link');
    await waitForView(page, (doc) => doc.getElementById('second-heading')?.textContent === 'The second page');
    await waitForTotal(page);
    console.info(`Link → first rendered content with the donor connected: ${(await browseTiming(page, 'first-content')).toFixed(0)} ms as the page measured it (${Date.now() - clicked} ms seen by the test)`);
    expect(await page.$eval('#address', (el) => (el as HTMLInputElement).value)).toBe(site.url('/site/second.html'));
    expect(page.url()).toBe(topUrl);
    expect(site.requestsFor('/site/second.html')).toBe(1);
    await page.click('button[aria-label="Back"]');
    await waitForView(page, (doc) => doc.getElementById('heading') !== null);
    await waitForTotal(page);
    // The pages loaded since are added to what this tab has used, bytes and credits alike (the
    // first page again, 140 KiB, is worth 14 more micro-credits at this donor's price).
    const before = usedAfterFirstPage!; // set by the first test, which this one follows
    await page.waitForFunction(
      (bytes, credits) =>
        Number(document.querySelector('.session-bytes')?.getAttribute('data-bytes')) > bytes &&
        Number(document.querySelector('.session-credits')?.getAttribute('data-micro-credits')) > credits,
      { timeout: 10_000 },
      before.bytes,
      before.microCredits,
    );
    const after = await costPanel(page);
    expect(after.price).toBe('0.1024');
    console.info(`Cost panel: ${before.bytes} B / ${before.microCredits} µcredits after the first page, ${after.used.bytes} B / ${after.used.microCredits} after two more ("${after.usedText}", "${after.creditsText}")`);
  }, 60_000);

  it('submits a GET form through the donor and shows the answer', async () => {
    await clickInView(page, '#search-input');
    await page.keyboard.type('porch light & co');
    await clickInView(page, '#search-submit');
    await waitForView(page, (doc) => doc.getElementById('query') !== null);
    expect(await inView(page, (doc) => doc.getElementById('query')?.textContent)).toBe('porch light & co');
    expect(await page.$eval('#address', (el) => (el as HTMLInputElement).value)).toBe(site.url('/site/search.html?q=porch+light+%26+co'));
    // Enter in the field submits too (implicit submission).
    await page.click('button[aria-label="Back"]');
    await waitForView(page, (doc) => doc.getElementById('search-input') !== null);
    await waitForTotal(page);
    await clickInView(page, '#search-input');
    await page.keyboard.type('second try');
    await page.keyboard.press('Enter');
    await waitForView(page, (doc) => doc.getElementById('query')?.textContent === 'second try');
  }, 60_000);

  it('downloads the 50 MiB file through the donor, byte-exact', async () => {
    const downloads = await catchDownloads(extension.browser);
    const downloadDir = downloads.dir;
    try {
      await go(page, site.url('/site/index.html'));
      await waitForView(page, (doc) => doc.getElementById('file-link') !== null);
      await waitForTotal(page);
      await clickInView(page, '#file-link');
      await page.waitForSelector('.file-offer button.download-file', { timeout: 30_000 });
      expect(await page.$eval('.file-offer', (el) => el.textContent)).toContain('file.bin');
      // Cancelling stops the transfer and saves nothing.
      await page.click('.file-offer button.download-file');
      await page.waitForFunction(() => /[1-9]/.test(document.querySelector('.download[data-status="running"] .download-progress')?.textContent ?? ''), { timeout: 30_000 });
      await page.click('.download button.secondary');
      await page.waitForSelector('.download[data-status="cancelled"]', { timeout: 10_000 });
      await page.click('.download button.secondary');
      await clickInView(page, '#file-link');
      await page.waitForSelector('.file-offer button.download-file', { timeout: 30_000 });
      const started = Date.now();
      await page.click('.file-offer button.download-file');
      await page.waitForSelector('.download[data-status="running"] .download-progress', { timeout: 10_000 });
      await page.waitForSelector('.download[data-status="saved"]', { timeout: 180_000 });
      await downloads.completed;
      const seconds = (Date.now() - started) / 1000;
      expect(await readdir(downloadDir)).toEqual(['file.bin']);
      const saved = await readFile(join(downloadDir, 'file.bin'));
      expect(saved.length).toBe(testSiteFileBytes);
      expect(createHash('sha256').update(saved).digest('hex')).toBe(testSiteFileSha256());
      console.info(`50 MiB download through the donor: ${seconds.toFixed(1)} s (${(testSiteFileBytes / 1e6 / seconds).toFixed(1)} MB/s)`);
      expect([...site.directRequests]).toEqual([]);
      await page.click('.download button.secondary');
    } finally {
      await downloads.close();
    }
  }, 240_000);

  it('shows a hostile page without letting it run, load or navigate anything', async () => {
    const topUrl = page.url();
    const topTitle = () => page.title();
    await go(page, site.url('/site/hostile.html'));
    await waitForView(page, (doc) => doc.getElementById('hostile-heading') !== null);
    await waitForTotal(page);
    // Long enough for a refresh, autofocus or onload to have fired had they survived.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const dom = await inView(page, (doc) => ({
      forbidden: doc.querySelectorAll('script, iframe, frame, object, embed, base, meta:not([data-porchlight-policy]), link, noscript, video[src], audio[src]').length,
      handlers: [...doc.querySelectorAll('*')].flatMap((el) => el.getAttributeNames().filter((name) => name.startsWith('on'))),
      targets: doc.querySelectorAll('[target], [formtarget]').length,
      marker: doc.documentElement.getAttribute('data-pwned'),
      spoofedAction: doc.getElementById('spoof')?.getAttribute('data-porchlight-action'),
    }));
    expect(dom.forbidden).toBe(0);
    expect(dom.handlers).toEqual([]);
    expect(dom.targets).toBe(0);
    expect(dom.marker).toBeNull();
    expect(dom.spoofedAction).toBe(site.url('/site/hostile.html'));

    // javascript: links (HTML and SVG), a data: link, a javascript: form: nothing happens.
    for (const selector of ['#js-link', '#svg-link', '#data-link', '#js-form-submit', '#dialog-submit']) {
      await clickInView(page, selector);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await inView(page, (doc) => doc.getElementById('hostile-heading') !== null), selector).toBe(true);
      expect(page.url(), selector).toBe(topUrl);
    }

    // A POST form is refused in words, and sends nothing.
    await clickInView(page, '#post-submit');
    await page.waitForSelector('.notice[role="status"]', { timeout: 5_000 });
    expect(await page.$eval('.notice[role="status"]', (el) => el.textContent)).toMatch(/POST/);

    // A link aimed at the top frame (or a new window) moves the view, never the top frame.
    await clickInView(page, '#top-link');
    await waitForView(page, (doc) => doc.getElementById('second-heading') !== null);
    expect(page.url()).toBe(topUrl);
    await page.click('button[aria-label="Back"]');
    await waitForView(page, (doc) => doc.getElementById('hostile-heading') !== null);
    await waitForTotal(page); // images arriving move the links; click once the page has settled
    await clickInView(page, '#blank-link');
    await waitForView(page, (doc) => doc.getElementById('second-heading') !== null);
    expect((await extension.browser.pages()).length).toBe(2); // the setup page closed: about:blank and this one

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(Object.fromEntries(site.beacons)).toEqual({});
    expect([...site.directRequests]).toEqual([]);
    expect(page.url()).toBe(topUrl);
    expect(await topTitle()).not.toMatch(/pwned/i);
    expect(await page.evaluate(() => chrome.storage.local.get('pwned'))).toEqual({});
  }, 120_000);

  it('opens the address it is given in ?url= at once', async () => {
    const second = await extension.openPage(`browse.html?url=${encodeURIComponent(site.url('/site/second.html'))}`);
    try {
      await second.waitForFunction(() => document.querySelector<HTMLIFrameElement>('iframe.view-frame')?.contentDocument?.getElementById('second-heading') != null, { timeout: 30_000 });
      // Its own throwaway identity, so its own session with the donor.
      expect(await second.$eval('.donor-short-id', (el) => el.textContent)).toBe(donor.donor.peerId.slice(0, 8));
    } finally {
      await second.close();
    }
  }, 60_000);

  it('lists countries with donor counts and browses from a chosen one', async () => {
    await page.click('input[name="route"][value="country"]');
    await page.waitForSelector('#route-country option');
    expect(await page.$$eval('#route-country option', (options) => options.map((o) => [(o as HTMLOptionElement).value, o.textContent]))).toEqual([[donorCountry, 'Germany — donors: 1']]);
    await page.click('.route-picker button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('.exit-country')?.getAttribute('data-country') === 'DE' && !document.querySelector('.route-picker button[type="submit"]')?.hasAttribute('disabled'));
    await waitForView(page, (doc) => doc.getElementById('second-heading') !== null || doc.getElementById('hostile-heading') !== null);

    // A donor ID nobody is using: said plainly, nothing loaded elsewhere.
    await page.click('input[name="route"][value="donor"]');
    await page.type('#route-donor', 'ab'.repeat(32));
    await page.click('.route-picker button[type="submit"]');
    await page.waitForSelector('[data-problem="no-donor"]', { timeout: 30_000 });
    expect(await page.$eval('[data-problem="no-donor"] p', (el) => el.textContent)).toBe('That donor is not available right now. Check the ID, or browse from a country instead.');
    // The donor's own ID works.
    await page.click('#route-donor', { count: 3 });
    await page.type('#route-donor', donor.donor.peerId);
    await page.click('.route-picker button[type="submit"]');
    await page.waitForFunction((id) => document.querySelector('.donor-short-id')?.textContent === id && !document.querySelector('[data-problem]'), { timeout: 30_000 }, donor.donor.peerId.slice(0, 8));
    await page.click('input[name="route"][value="any"]');
    await page.click('.route-picker button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('.donor-short-id') !== null && !document.querySelector('.route-picker button[type="submit"]')?.hasAttribute('disabled'));
  }, 60_000);

  it('explains a refused address in plain words', async () => {
    await go(page, 'http://10.0.0.1/');
    await page.waitForSelector('[data-problem="policy"]', { timeout: 30_000 });
    // The rule it met, in its own words (tests/extension/browse-refusals.test.ts has the rest).
    expect(await page.$eval('[data-problem="policy"] p', (el) => el.textContent)).toBe(enBrowse.browse_problem_policy_lan.message);
    await go(page, 'javascript:alert(1)');
    await page.waitForSelector('[data-problem="bad-address"]');
    await page.click('[data-problem] button.secondary');
    expect(await page.$('[data-problem]')).toBeNull();
  }, 60_000);

  it('says so plainly when the donor leaves, and continues with the next one only when asked', async () => {
    const other = await startNodeDonor(signaling.url, extensionTestOrigin);
    extraDonors.push(other);
    await go(page, site.url('/site/index.html'));
    await waitForView(page, (doc) => doc.getElementById('heading') !== null);
    await waitForTotal(page);
    // "Use another donor" moves to the other one, and the page loads again through it.
    const first = await page.$eval('.donor-short-id', (el) => el.textContent);
    await page.click('.exit-status button.secondary');
    // While it switches the page shows no donor at all: wait for the next one to be named.
    await page.waitForFunction(
      (id) => {
        const shown = document.querySelector('.donor-short-id')?.textContent;
        return shown !== undefined && shown !== id;
      },
      { timeout: 30_000 },
      first,
    );
    await waitForView(page, (doc) => doc.getElementById('heading') !== null);
    await waitForTotal(page);
    const before = await page.$eval('.donor-short-id', (el) => el.textContent);
    expect([donor, other].map((d) => d.donor.peerId.slice(0, 8)).sort()).toEqual([first, before].sort());
    const leaving = before === donor.donor.peerId.slice(0, 8) ? donor : other;
    const staying = leaving === donor ? other : donor;
    await leaving.close();
    await page.waitForSelector('.donor-lost', { timeout: 30_000 });
    expect(await page.$eval('.donor-lost', (el) => el.textContent)).toMatch(/gone offline/);

    // No silent switch: a new page asks for the person's decision instead of loading elsewhere.
    await go(page, site.url('/site/second.html'));
    await page.waitForSelector('[data-problem="donor-left"]', { timeout: 30_000 });
    expect(await page.$eval('.donor-short-id', (el) => el.textContent)).toBe(before);
    await page.screenshot({ path: join(artifactsDir, 'browse-donor-left.png') });

    await page.click('[data-problem="donor-left"] button.next-donor');
    await waitForView(page, (doc) => doc.getElementById('second-heading') !== null);
    expect(await page.$eval('.donor-short-id', (el) => el.textContent)).toBe(staying.donor.peerId.slice(0, 8));
    expect(await page.$('[data-problem]')).toBeNull();
  }, 90_000);

  it('passes axe with no violations, empty and with a page shown', async () => {
    const fresh = await extension.openPage('browse.html');
    try {
      await fresh.setViewport(viewport);
      expect(await axeViolations(fresh)).toEqual([]);
    } finally {
      await fresh.close();
    }
    // With a page shown, the response details open and the country picker showing.
    await page.click('input[name="route"][value="country"]');
    await page.evaluate(() => document.querySelector('.response-details')?.setAttribute('open', ''));
    expect(await axeViolations(page)).toEqual([]);
  }, 60_000);

  it('renders right-to-left in Persian, with no axe violations', async () => {
    const fa = await launchWithExtension('browse-fa', extensionPath, { extraArgs: ['--lang=fa'], env: { LANGUAGE: 'fa' } });
    try {
      const setup = await fa.openPage('browse.html');
      await setup.evaluate((settings) => chrome.storage.local.set({ settings }), defaultDonorSettings(signaling.url));
      await setup.close();
      const persian = await fa.openPage(`browse.html?url=${encodeURIComponent(site.url('/site/index.html'))}`);
      await persian.setViewport(viewport);
      await persian.waitForFunction(() => document.querySelector<HTMLIFrameElement>('iframe.view-frame')?.contentDocument?.getElementById('heading') != null, { timeout: 30_000 });
      await persian.waitForSelector('[data-timing="total"][data-ms]', { timeout: 30_000 });
      expect(await persian.evaluate(() => [document.documentElement.lang, document.documentElement.dir, getComputedStyle(document.body).direction])).toEqual(['fa', 'rtl', 'rtl']);
      expect(await persian.$eval('button.go', (el) => el.textContent)).toBe(faBrowse.browse_go.message);
      expect(await persian.$eval('.exit-country', (el) => el.textContent)).toBe(new Intl.DisplayNames(['fa'], { type: 'region' }).of(donorCountry));
      // The side panel sits on the left, the address field starts on the right.
      const layout = await persian.evaluate(() => ({
        panel: document.querySelector('.browse-panel')!.getBoundingClientRect().left,
        back: document.querySelector('.address-bar button')!.getBoundingClientRect().right,
        width: window.innerWidth,
      }));
      expect(layout.panel).toBeLessThan(layout.width / 2);
      expect(layout.back).toBeGreaterThan(layout.width / 2);
      expect(await axeViolations(persian)).toEqual([]);
      await persian.screenshot({ path: join(artifactsDir, 'browse-fa.png') });
    } finally {
      await fa.close();
    }
  }, 90_000);
});
