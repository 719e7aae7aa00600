// `npm run screenshots`: every page of the extension as a first-time user sees it, in English and
// Persian (right to left), for the store listing (docs/store-listing.md names each picture) and for
// review. Builds the test build the suites use, starts a signaling server and the test site, and a
// donor and a journalist profile (tests/support/two-profiles.ts); writes
// test-artifacts/screenshots/<locale>/<page>.png (git-ignored), and the five the stores take
// framed at 1280x800 in <locale>/store/. Inside the loopback-only namespace.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import type { ChannelDay, ChannelRecord } from '../offscreen/payments/payment-ledger.ts';
import { channelDay, channelRecord } from '../tests/support/channel-records.ts';
import { buildExtension, extensionTestOrigin } from '../tests/support/extension-build.ts';
import type { ExtensionBrowser } from '../tests/support/extension-browser.ts';
import { patchDonorSettings, waitForDonorStatus } from '../tests/support/extension-donor.ts';
import { writeLedger } from '../tests/support/extension-ledger.ts';
import { go, waitForTotal, waitForView } from '../tests/support/browse-page.ts';
import { startTwoProfiles } from '../tests/support/two-profiles.ts';

const outRoot = join('test-artifacts', 'screenshots');
const locales = ['en', 'fa'] as const;
/** Where the GeoIP stand-in puts every peer, so the pages show a real country. */
const donorCountry = 'DE';
const pageViewport = { width: 1280, height: 800 };
/** Chromium's popup is as wide as the popup's own layout; a tab this wide shows it the same. */
const popupViewport = { width: 400, height: 640 };
/** A signaling address nothing listens on: the popup's "cannot reach the server" state. */
const deadSignalingUrl = 'ws://127.0.0.1:9';
/** The stores' screenshot size (Chrome Web Store: 1280x800 or 640x400; addons.mozilla.org takes it too). */
const storeSize = { width: 1280, height: 800 };
/** The pictures for the store listing, in the order the listing shows them. */
const storeShots = ['popup-on', 'browse-page', 'earnings', 'welcome', 'popup-error'] as const;
const mib = 1024 * 1024;
const day = 24 * 60 * 60 * 1000;

type Locale = (typeof locales)[number];

/** A week of a donor's recorded credits from three people, ending today. */
function sampleLedger(now: number): { channels: ChannelRecord[]; days: ChannelDay[] } {
  const dayName = (offset: number): string => new Date(now - offset * day).toISOString().slice(0, 10);
  const ids = ['a1', 'b2', 'c3'].map((byte) => `0x${byte.repeat(32)}`) as [string, string, string];
  const channels = [
    channelRecord({ channelId: ids[0], peerCountry: 'IR', cumBytes: 180 * mib, cumCredits: 180_000, settledCredits: 0, openedAt: now - 6 * day, updatedAt: now - 2 * day }),
    channelRecord({ channelId: ids[1], peerCountry: 'RU', cumBytes: 96 * mib, cumCredits: 96_000, openedAt: now - 4 * day, updatedAt: now - day }),
    channelRecord({ channelId: ids[2], peerCountry: 'TR', cumBytes: 42 * mib, cumCredits: 42_000, openedAt: now - day, updatedAt: now - 60_000 }),
  ];
  const days = [
    channelDay(dayName(6), ids[0], 40 * mib, 40_000),
    channelDay(dayName(5), ids[0], 65 * mib, 65_000),
    channelDay(dayName(4), ids[0], 30 * mib, 30_000),
    channelDay(dayName(4), ids[1], 20 * mib, 20_000),
    channelDay(dayName(3), ids[0], 25 * mib, 25_000),
    channelDay(dayName(3), ids[1], 36 * mib, 36_000),
    channelDay(dayName(2), ids[0], 20 * mib, 20_000),
    channelDay(dayName(1), ids[1], 40 * mib, 40_000),
    channelDay(dayName(1), ids[2], 30 * mib, 30_000),
    channelDay(dayName(0), ids[2], 12 * mib, 12_000),
  ];
  return { channels, days };
}

async function shoot(page: Page, locale: Locale, name: string, selector?: string): Promise<void> {
  const path = join(outRoot, locale, `${name}.png`);
  // Fonts and the popup's own layout settle a moment after load.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (selector) {
    const element = await page.waitForSelector(selector, { timeout: 10_000 });
    if (!element) throw new Error(`${name}: no ${selector} on the page`);
    // Content wider than the element (a long word, a right-to-left table) must show, not be cut off.
    const overflow = await element.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    if (overflow.scroll > overflow.client) console.warn(`${name}: ${selector} overflows its box (${overflow.scroll} px of content in ${overflow.client} px)`);
    await element.screenshot({ path: path as `${string}.png` });
  } else {
    // The whole page by growing the viewport to it: puppeteer's fullPage capture shifts a
    // right-to-left page sideways, cutting off its start.
    const viewport = page.viewport();
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    if (viewport && height > viewport.height) await page.setViewport({ ...viewport, height });
    await page.screenshot({ path: path as `${string}.png` });
    if (viewport && height > viewport.height) await page.setViewport(viewport);
  }
  console.info(`wrote ${path}`);
}

/** Centres the picture `name` on a warm background at the stores' size: store/<n>-<name>.png. */
async function frameForStore(ext: ExtensionBrowser, locale: Locale, name: string, index: number): Promise<void> {
  const png = await readFile(join(outRoot, locale, `${name}.png`));
  const path = join(outRoot, locale, 'store', `${index + 1}-${name}.png`);
  // A page shot at the stores' size already is one (PNG width and height: IHDR, bytes 16-23).
  if (png.readUInt32BE(16) === storeSize.width && png.readUInt32BE(20) === storeSize.height) {
    await writeFile(path, png);
    console.info(`wrote ${path}`);
    return;
  }
  const page = await ext.browser.newPage();
  await page.setViewport(storeSize);
  await page.setContent(
    `<!doctype html><html><body style="margin:0;height:${storeSize.height}px;display:grid;place-items:center;background:linear-gradient(160deg,#fff4d6,#f6c86b)">` +
      `<img alt="" style="max-width:1200px;max-height:740px;border-radius:8px;box-shadow:0 8px 32px rgba(31,42,58,.35);background:#fff" src="data:image/png;base64,${png.toString('base64')}"></body></html>`,
    { waitUntil: 'load' },
  );
  await page.screenshot({ path: path as `${string}.png` });
  await page.close();
  console.info(`wrote ${path}`);
}

async function openAt(ext: ExtensionBrowser, path: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await ext.browser.newPage();
  await page.setViewport(viewport);
  page.on('pageerror', (error) => console.error(`[${path}] page error: ${String(error)}`));
  await page.goto(ext.url(path), { waitUntil: 'load' });
  return page;
}

async function shootLocale(locale: Locale, extensionPath: string): Promise<void> {
  await mkdir(join(outRoot, locale, 'store'), { recursive: true });
  const launch = { extraArgs: [`--lang=${locale}`], env: { LANGUAGE: locale } };
  const setup = await startTwoProfiles(`screenshots-${locale}`, donorCountry, launch);
  try {
    const { donor, journalist, site } = setup;

    // First run: the page a fresh install opens (when this build has one).
    if (await stat(join(extensionPath, 'welcome.html')).then(() => true, () => false)) {
      const welcome = await openAt(journalist, 'welcome.html', pageViewport);
      await shoot(welcome, locale, 'welcome');
      await welcome.close();
    } else {
      console.info('no welcome.html in this build: first-run page skipped');
    }

    // The popup before sharing, then sharing on.
    const popup = await openAt(donor, 'popup.html', popupViewport);
    await popup.waitForSelector('#share-switch');
    await shoot(popup, locale, 'popup-off', '.popup');
    await popup.click('#share-switch');
    await waitForDonorStatus(donor, (status) => status.state === 'connected');

    // Browse: the empty page, then the test site through the donor.
    const browse = await openAt(journalist, 'browse.html', pageViewport);
    await shoot(browse, locale, 'browse-empty');
    await go(browse, site.url('/site/index.html'));
    await waitForView(browse, (doc) => doc.getElementById('heading') !== null);
    await waitForTotal(browse);
    await shoot(browse, locale, 'browse-page');

    // The donor's popup while helping that person.
    await waitForDonorStatus(donor, (status) => status.helpingNow >= 1 && status.bytesToday > 0);
    await popup.reload({ waitUntil: 'load' });
    await popup.waitForSelector('#shared-today');
    await shoot(popup, locale, 'popup-on', '.popup');
    await browse.close();

    // Options, with a week of recorded credits in the earnings section (the journalist's profile, so
    // the donor's own figures stay as the run made them).
    const options = await openAt(journalist, 'options.html', pageViewport);
    await options.waitForSelector('#earnings-section');
    const { channels, days } = sampleLedger(Date.now());
    await writeLedger(options, channels, days, true);
    await options.reload({ waitUntil: 'load' });
    await options.waitForSelector('#earnings-table', { timeout: 15_000 });
    await shoot(options, locale, 'options');
    await shoot(options, locale, 'earnings', '#earnings-section');
    await options.close();

    // The popup when the server cannot be reached.
    await patchDonorSettings(donor, { signalingUrl: deadSignalingUrl });
    await waitForDonorStatus(donor, (status) => status.state === 'offline', 30_000);
    await popup.reload({ waitUntil: 'load' });
    await popup.waitForSelector('#retry-now', { timeout: 15_000 });
    await shoot(popup, locale, 'popup-error', '.popup');
    await popup.close();

    for (const [index, name] of storeShots.entries()) {
      if (await stat(join(outRoot, locale, `${name}.png`)).then(() => true, () => false)) await frameForStore(journalist, locale, name, index);
    }
  } finally {
    await setup.close();
  }
}

const extensionPath = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
for (const locale of locales) await shootLocale(locale, extensionPath);
console.info(`screenshots in ${outRoot}/`);
