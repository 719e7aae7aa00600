// Driving the browse page (extension/browse) from a suite: the address bar, the sandboxed view
// (its document is read from the browse page, since the view itself runs no script), clicks inside
// the view, and the page's own timings.
import type { Page } from 'puppeteer-core';
import type { Browser as ExtensionApi } from 'wxt/browser';
import { defaultDonorSettings } from '../../settings/donor-settings.ts';
import type { ExtensionBrowser } from './extension-browser.ts';

// The extension pages' global the evaluated functions run in.
declare const chrome: typeof ExtensionApi;

const viewFrame = 'iframe.view-frame';

/**
 * Points `extension` at `signalingUrl` through its settings, as a real install is, then opens its
 * browse page at `viewport`, with the page's errors logged to the suite's output.
 */
export async function openBrowsePage(extension: ExtensionBrowser, signalingUrl: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const setup = await extension.openPage('browse.html');
  await setup.evaluate((settings) => chrome.storage.local.set({ settings }), defaultDonorSettings(signalingUrl));
  await setup.close();
  const page = await extension.openPage('browse.html');
  page.on('pageerror', (error) => console.error(`[browse] page error: ${String(error)}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`[browse] ${message.text()}`);
  });
  await page.setViewport(viewport);
  return page;
}

/** Arguments passed on to a function evaluated in the browse page, as JSON. */
const spread = (args: readonly unknown[]): string => args.map((arg) => `, ${JSON.stringify(arg)}`).join('');

/** Evaluates `fn` on the view frame's document (with `args`, which must be JSON). */
export function inView<T, A extends unknown[] = []>(page: Page, fn: (doc: Document, ...args: A) => T, ...args: A): Promise<T> {
  return page.evaluate(`(${fn.toString()})(document.querySelector('${viewFrame}').contentDocument${spread(args)})`) as Promise<T>;
}

/** Waits until `predicate` holds for the view's document (called with `args`, which must be JSON). */
export async function waitForView<A extends unknown[] = []>(page: Page, predicate: (doc: Document, ...args: A) => boolean, timeout = 30_000, ...args: A): Promise<void> {
  await page.waitForFunction(`(() => { const doc = document.querySelector('${viewFrame}')?.contentDocument; return !!doc && (${predicate.toString()})(doc${spread(args)}); })()`, { timeout });
}

/** Clicks an element inside the view with a real mouse click at its centre. */
export async function clickInView(page: Page, selector: string): Promise<void> {
  const point = await page.evaluate(
    (frameSelector, sel) => {
      const frame = document.querySelector(frameSelector) as HTMLIFrameElement;
      const element = frame.contentDocument?.querySelector(sel);
      if (!element) throw new Error(`no ${sel} in the view`);
      element.scrollIntoView({ block: 'center' });
      const outer = frame.getBoundingClientRect();
      const inner = element.getBoundingClientRect();
      return { x: outer.left + inner.left + Math.min(inner.width / 2, 20), y: outer.top + inner.top + inner.height / 2 };
    },
    viewFrame,
    selector,
  );
  await page.mouse.click(point.x, point.y);
}

/** Types `address` into the URL bar and presses Go; resolves with the time of the press (ms, this clock). */
export async function go(page: Page, address: string): Promise<number> {
  await page.click('#address', { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type('#address', address);
  const pressed = Date.now();
  await page.click('button.go');
  return pressed;
}

/** Waits for the page to finish loading everything; resolves with its total time, ms. */
export async function waitForTotal(page: Page): Promise<number> {
  await page.waitForSelector('[data-timing="total"][data-ms]', { timeout: 60_000 });
  return Number(await page.$eval('[data-timing="total"]', (el) => el.getAttribute('data-ms')));
}

/** One of the page's own timings of the current page, ms. */
export async function browseTiming(page: Page, name: 'headers' | 'first-content' | 'total'): Promise<number> {
  return Number(await page.$eval(`[data-timing="${name}"]`, (el) => el.getAttribute('data-ms')));
}

/** Opens the test site's index in the browse page, follows its file link and starts downloading the offered file. */
export async function startSiteFileDownload(page: Page, indexUrl: string): Promise<void> {
  await go(page, indexUrl);
  await waitForView(page, (doc) => doc.getElementById('file-link') !== null);
  await waitForTotal(page);
  await clickInView(page, '#file-link');
  await page.waitForSelector('.file-offer button.download-file', { timeout: 30_000 });
  await page.click('.file-offer button.download-file');
}
