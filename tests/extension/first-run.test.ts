// The first-run page in a real Chromium: a fresh install opens welcome.html by itself, its switch
// is the popup's share switch (it turns sharing on in extension storage), and it says what sharing
// means before anyone switches. Inside the loopback-only namespace (scripts/netns.mjs).
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser as ExtensionApi } from 'wxt/browser';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { buildExtension, extensionTestOrigin } from '../support/extension-build.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import enPopup from '../../locales/en/popup.json';
import enWelcome from '../../locales/en/welcome.json';

// Globals of the extension pages the evaluated functions run in.
declare const chrome: typeof ExtensionApi;

let ext: ExtensionBrowser;

beforeAll(async () => {
  const extensionPath = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
  ext = await launchWithExtension('first-run', extensionPath, { keepFirstRunPage: true });
}, 240_000);

afterAll(async () => {
  await ext?.close();
});

async function storedSettings(page: Page): Promise<Partial<DonorSettings> | undefined> {
  return page.evaluate(async () => (await chrome.storage.local.get('settings')).settings as Partial<DonorSettings> | undefined);
}

describe('first run', () => {
  let page: Page;

  it('a fresh install opens the first-run page by itself', async () => {
    const target = await ext.browser.waitForTarget((t) => t.type() === 'page' && t.url() === ext.url('welcome.html'), { timeout: 15_000 });
    page = (await target.page())!;
    await page.waitForSelector('#share-switch');
    expect(await page.$eval('h1', (h) => h.textContent)).toBe(enWelcome.welcome_title.message);
  });

  it('says what is fetched, what the server sees and the provider question, before any switch is on', async () => {
    const text = await page.$eval('main', (main) => main.textContent ?? '');
    for (const key of ['welcome_fetch_not_local', 'welcome_fetch_not_you', 'welcome_server_sees', 'welcome_server_never', 'welcome_isp_terms'] as const) {
      expect(text).toContain(enWelcome[key].message);
    }
    expect(await page.$eval('#share-switch', (input) => (input as HTMLInputElement).checked)).toBe(false);
    expect((await storedSettings(page))?.sharing ?? false).toBe(false);
  });

  it('its switch turns sharing on', async () => {
    // The tab opened by itself behind the test's; and the status line below the switch must have
    // loaded, or the page may still move under the click.
    await page.bringToFront();
    // Tall enough that the switch is on screen: no scroll between finding it and clicking it.
    await page.setViewport({ width: 1280, height: 1400 });
    await page.waitForSelector('.share-status[data-tone]');
    await page.click('#share-switch');
    await page.waitForFunction(async () => ((await chrome.storage.local.get('settings')).settings as { sharing?: boolean } | undefined)?.sharing === true, { timeout: 10_000 });
    expect(await page.$eval('#share-switch', (input) => (input as HTMLInputElement).checked)).toBe(true);
    // The same status line as the popup's, no longer "off".
    await page.waitForFunction(() => document.querySelector('.share-status')?.getAttribute('data-tone') !== 'off', { timeout: 10_000 });
    await page.click('#share-switch');
    await page.waitForFunction(async () => ((await chrome.storage.local.get('settings')).settings as { sharing?: boolean } | undefined)?.sharing === false, { timeout: 10_000 });
  });

  it('the popup links to it as "How sharing works"', async () => {
    const popup = await ext.openPage('popup.html');
    await popup.waitForSelector('#open-welcome');
    expect(await popup.$eval('#open-welcome', (a) => [a.textContent, a.getAttribute('href')])).toEqual([enPopup.popup_how_sharing_works.message, '/welcome.html']);
    await popup.close();
  });

  it('an update does not open it again', async () => {
    const welcomeTabs = (): number => ext.browser.targets().filter((t) => t.type() === 'page' && t.url() === ext.url('welcome.html')).length;
    expect(welcomeTabs()).toBe(1);
    // Chrome's update path: reloading an unpacked extension fires onInstalled with reason 'update'
    // (and closes the extension's open tabs).
    const worker = await ext.serviceWorker();
    await worker.evaluate(() => chrome.runtime.reload()).catch(() => {});
    // The reloaded worker would have opened it by now (a fresh install opens it within a second).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(welcomeTabs()).toBe(0);
  }, 30_000);
});
