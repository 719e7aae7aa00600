// A partner page's "Donate bandwidth" button, in a real Chromium with the extension: the page's
// request opens the extension's own confirmation window and changes nothing until the donor
// answers there; "Don't allow" leaves sharing off, "Allow" turns it on with the partner's code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { partnerMessageTag } from '../../content/partner-bridge.ts';
import { buildExtension, extensionTestOrigin } from '../support/extension-build.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import { startOriginServer, type OriginServer } from '../support/origin-server.ts';

const partnerPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Campaign</title></head>
<body><h1>Help reporters reach the web</h1><p id="extension">not installed</p><button id="donate" type="button">Donate bandwidth</button><p id="reply"></p>
<script>
  addEventListener('message', (event) => {
    if (event.source !== window || event.data?.tag !== '${partnerMessageTag}') return;
    if (event.data.kind === 'ready') document.getElementById('extension').textContent = 'installed';
    if (event.data.kind === 'reply') document.getElementById('reply').textContent = event.data.status;
  });
  document.getElementById('donate').addEventListener('click', () => {
    postMessage({ tag: '${partnerMessageTag}', kind: 'donate', sponsorCode: 'NGO-7' }, location.origin);
  });
</script></body></html>`;

let origin: OriginServer;
let ext: ExtensionBrowser;

async function storedSettings(): Promise<{ sharing?: boolean; sponsorCode?: string }> {
  const worker = await ext.serviceWorker();
  return worker.evaluate(async () => ((await (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<Record<string, unknown>> } } } }).chrome.storage.local.get('settings')).settings ?? {}) as { sharing?: boolean; sponsorCode?: string });
}

async function askAndGetConfirmPage(page: Page): Promise<Page> {
  const confirmTarget = ext.browser.waitForTarget((t) => t.url() === ext.url('confirm.html'), { timeout: 15_000 });
  await page.click('#donate');
  await page.waitForFunction(() => document.getElementById('reply')?.textContent === 'asked', { timeout: 15_000 });
  const confirm = (await (await confirmTarget).asPage())!; // a window of the extension's page: a page target
  await confirm.waitForSelector('#confirm-allow', { timeout: 15_000 });
  return confirm;
}

beforeAll(async () => {
  origin = await startOriginServer({ port: Number(new URL(extensionTestOrigin).port) });
  origin.serveStatic('/partner.html', { contentType: 'text/html; charset=utf-8', body: partnerPage });
  ext = await launchWithExtension('partner', await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin }));
}, 120_000);

afterAll(async () => {
  await ext?.close();
  await origin?.close();
});

describe('partner bridge', () => {
  it('asks in the extension\'s own window and changes nothing when the donor declines', async () => {
    const page = await ext.browser.newPage();
    await page.goto(origin.url('/partner.html'));
    await page.waitForFunction(() => document.getElementById('extension')?.textContent === 'installed', { timeout: 15_000 });
    const confirm = await askAndGetConfirmPage(page);
    expect(await confirm.$eval('#confirm-request', (e) => e.textContent)).toContain('NGO-7');
    expect((await storedSettings()).sharing ?? false).toBe(false);
    await confirm.click('#confirm-deny');
    // The window closes itself once answered.
    const deadline = Date.now() + 10_000;
    while (ext.browser.targets().some((t) => t.url() === ext.url('confirm.html')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ext.browser.targets().some((t) => t.url() === ext.url('confirm.html'))).toBe(false);
    expect((await storedSettings()).sharing ?? false).toBe(false);
    await page.close();
  }, 60_000);

  it('turns sharing on with the partner\'s sponsor code once the donor allows it', async () => {
    const page = await ext.browser.newPage();
    await page.goto(origin.url('/partner.html'));
    const confirm = await askAndGetConfirmPage(page);
    await confirm.click('#confirm-allow');
    const deadline = Date.now() + 10_000;
    while (!(await storedSettings()).sharing && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await storedSettings()).toMatchObject({ sharing: true, sponsorCode: 'NGO-7' });
    await page.close();
  }, 60_000);
});
