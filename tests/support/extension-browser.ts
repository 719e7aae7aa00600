// One Chromium profile with the built extension installed, for the extension suites: opens the
// extension's pages, and finds its service worker and offscreen document the way DESIGN.md says
// puppeteer sees them (a worker target, and a `background_page` target for the offscreen document).
// Run it inside the loopback-only namespace (scripts/netns.mjs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page, type Target, type WebWorker } from 'puppeteer-core';
import { chromiumFlags, chromiumPath, protocolTimeoutMs } from './browser-harness.ts';

/** How long a freshly found service worker may take to have its extension APIs. */
const workerReadyTimeoutMs = 5_000;

export interface ExtensionBrowser {
  readonly browser: Browser;
  readonly extensionId: string;
  /** The user data directory of this profile (downloads land under it). */
  readonly profileDir: string;
  /** `chrome-extension://<id>/<path>` */
  url(path: string): string;
  /** Opens an extension page (e.g. 'popup.html') in a new tab and waits for it to load. */
  openPage(path: string): Promise<Page>;
  /** The extension's service worker, started if it is asleep. */
  serviceWorker(): Promise<WebWorker>;
  /** The offscreen document's target, waiting up to `timeoutMs` for it to exist. */
  offscreenTarget(timeoutMs?: number): Promise<Target>;
  close(): Promise<void>;
}

/** Extra launch settings, e.g. a UI language: `{ extraArgs: ['--lang=fa'], env: { LANGUAGE: 'fa' } }`. */
export interface ExtensionLaunchOptions {
  extraArgs?: readonly string[];
  /** Added to this process's environment for the browser. */
  env?: Record<string, string>;
  /**
   * Leave the first-run tab (welcome.html, which a fresh install opens) open. By default it is
   * waited for and closed, so a suite starts with the tabs it opens itself.
   */
  keepFirstRunPage?: boolean;
}

/** How long a fresh install may take to open its first-run tab. */
const firstRunTimeoutMs = 15_000;

/** Launches Chromium with a fresh profile and installs the unpacked extension at `extensionPath`. */
export async function launchWithExtension(label: string, extensionPath: string, options: ExtensionLaunchOptions = {}): Promise<ExtensionBrowser> {
  const profileDir = await mkdtemp(join(tmpdir(), `porchlight-${label}-`));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: chromiumPath,
      headless: true,
      pipe: true,
      enableExtensions: true,
      protocolTimeout: protocolTimeoutMs,
      args: [...chromiumFlags, `--user-data-dir=${profileDir}`, ...(options.extraArgs ?? [])],
      ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
  const extensionId = await browser.installExtension(extensionPath);
  const prefix = `chrome-extension://${extensionId}/`;
  const url = (path: string): string => prefix + path;
  if (!options.keepFirstRunPage) {
    const firstRun = await browser.waitForTarget((t) => t.type() === 'page' && t.url() === url('welcome.html'), { timeout: firstRunTimeoutMs }).catch(async (error: unknown) => {
      await browser.close().catch(() => {});
      await rm(profileDir, { recursive: true, force: true });
      throw new Error(`a fresh install opened no first-run page (welcome.html) within ${firstRunTimeoutMs} ms`, { cause: error });
    });
    await (await firstRun.page())?.close();
  }

  const findWorkerTarget = (): Promise<Target> =>
    browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(prefix), { timeout: 20_000 });

  return {
    browser,
    extensionId,
    profileDir,
    url,
    async openPage(path) {
      const page = await browser.newPage();
      await page.goto(url(path), { waitUntil: 'load' });
      return page;
    },
    async serviceWorker() {
      let target = browser.targets().find((t) => t.type() === 'service_worker' && t.url().startsWith(prefix));
      if (!target) {
        // A sleeping worker wakes for any extension event; opening one of its pages is the plainest.
        const page = await browser.newPage();
        await page.goto(url('popup.html')).catch(() => {});
        target = await findWorkerTarget();
        await page.close();
      }
      const worker = await target.worker();
      if (!worker) throw new Error('the service worker target has no worker');
      // A worker target can show up a moment before the extension APIs are bound in it (seen once
      // as "chrome is not defined" right after install): wait for them, briefly.
      const deadline = Date.now() + workerReadyTimeoutMs;
      while (!(await worker.evaluate(() => typeof (globalThis as { chrome?: { storage?: unknown } }).chrome?.storage === 'object').catch(() => false))) {
        if (Date.now() > deadline) throw new Error(`the service worker has no extension APIs after ${workerReadyTimeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return worker;
    },
    offscreenTarget(timeoutMs = 30_000) {
      // Chromium reports it as 'background_page' once loaded ('other' for a moment before).
      return browser.waitForTarget((t) => t.type() === 'background_page' && t.url().startsWith(url('offscreen.html')), { timeout: timeoutMs });
    },
    async close() {
      await browser.close().catch(() => {});
      await rm(profileDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}
