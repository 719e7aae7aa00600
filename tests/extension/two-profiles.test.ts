// The product end to end, as two people use it: a donor's Chromium profile with the extension
// turns sharing on with the popup's switch; a journalist's profile with the same extension opens
// the browse page and reads the test site through that donor — rendered DOM, a link, a GET form
// and the 50 MiB file, byte-exact — while the donor's popup and badge show someone is helped.
// Inside the loopback-only namespace (scripts/netns.mjs).
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchDownloads } from '../support/downloads.ts';
import { clickInView, go, inView, startSiteFileDownload, waitForTotal, waitForView } from '../support/browse-page.ts';
import type { ExtensionBrowser } from '../support/extension-browser.ts';
import { waitForDonorStatus } from '../support/extension-donor.ts';
import { testSiteFileBytes, testSiteFileSha256, type TestSite } from '../support/test-site.ts';
import { startTwoProfiles, type TwoProfiles } from '../support/two-profiles.ts';

const artifactsDir = 'test-artifacts';
// Both profiles connect from loopback; the test's GeoIP puts whoever connects in Germany.
const donorCountry = 'DE';

let setup: TwoProfiles;
let site: TestSite;
let donor: ExtensionBrowser;
let journalist: ExtensionBrowser;
let browse: Page;

beforeAll(async () => {
  await mkdir(artifactsDir, { recursive: true });
  setup = await startTwoProfiles('two-profiles', donorCountry);
  ({ site, donor, journalist } = setup);
}, 240_000);

afterAll(async () => {
  await setup?.close();
});

describe('donor and journalist, two Chromium profiles with the extension', () => {
  it('the donor turns sharing on with the popup switch and sees it connect', async () => {
    const popup = await donor.openPage('popup.html');
    expect(await popup.$eval('#share-switch', (el) => (el as HTMLInputElement).checked)).toBe(false);
    const clicked = Date.now();
    await popup.click('#share-switch');
    await waitForDonorStatus(donor, (s) => s.state === 'connected');
    await popup.waitForFunction(() => /connected/i.test(document.getElementById('share-status')?.textContent ?? ''), { timeout: 10_000 });
    console.info(`switch → connected: ${Date.now() - clicked} ms`);
    await popup.close();
  }, 60_000);

  it('the journalist reads the test site through the donor: page, link, form', async () => {
    browse = await journalist.openPage('browse.html');
    await browse.setViewport({ width: 1280, height: 900 });
    await go(browse, site.url('/site/index.html'));
    await waitForView(browse, (doc) => doc.getElementById('heading')?.textContent === 'Porchlight test site');
    await waitForTotal(browse);
    const rendered = await inView(browse, (doc) => ({
      photo: (doc.getElementById('photo') as HTMLImageElement | null)?.naturalWidth ?? 0,
      links: doc.querySelectorAll('a').length,
    }));
    expect(rendered.photo).toBeGreaterThan(0);
    expect(rendered.links).toBeGreaterThan(0);
    expect(await browse.$eval('.exit-country', (el) => el.getAttribute('data-country'))).toBe(donorCountry);
    await browse.screenshot({ path: join(artifactsDir, 'two-profiles-index.png') });

    await clickInView(browse, '#second-link');
    await waitForView(browse, (doc) => doc.getElementById('second-heading')?.textContent === 'The second page');
    await browse.click('button[aria-label="Back"]');
    await waitForView(browse, (doc) => doc.getElementById('search-input') !== null);
    await waitForTotal(browse);
    await clickInView(browse, '#search-input');
    await browse.keyboard.type('through a porch');
    await clickInView(browse, '#search-submit');
    await waitForView(browse, (doc) => doc.getElementById('query')?.textContent === 'through a porch');

    // Nothing reached the site except through the donor.
    expect([...site.directRequests]).toEqual([]);
  }, 120_000);

  it('the donor\'s popup and badge show one person helped', async () => {
    const status = await waitForDonorStatus(donor, (s) => s.helpingNow >= 1 && s.bytesToday > 0);
    expect(status.countriesToday).toContain(donorCountry);
    const popup = await donor.openPage('popup.html');
    await popup.waitForFunction(() => document.getElementById('helping-now')?.textContent === '1', { timeout: 10_000 });
    const worker = await donor.serviceWorker();
    const badge = await worker.evaluate(() => (globalThis as unknown as { chrome: { action: { getBadgeText(d: object): Promise<string> } } }).chrome.action.getBadgeText({}));
    expect(badge).toBe('1');
    await popup.close();
  }, 30_000);

  it('the journalist downloads the 50 MiB file through the donor, byte-exact', async () => {
    const downloads = await catchDownloads(journalist.browser);
    try {
      await startSiteFileDownload(browse, site.url('/site/index.html'));
      await browse.waitForSelector('.download[data-status="saved"]', { timeout: 180_000 });
      await downloads.completed;
      const saved = await readFile(join(downloads.dir, (await readdir(downloads.dir))[0] ?? 'file.bin'));
      expect(saved.length).toBe(testSiteFileBytes);
      expect(createHash('sha256').update(saved).digest('hex')).toBe(testSiteFileSha256());
      const status = await waitForDonorStatus(donor, (s) => s.bytesToday >= testSiteFileBytes);
      expect(status.state).toBe('connected');
    } finally {
      await downloads.close();
    }
  }, 240_000);
});
