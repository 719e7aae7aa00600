// The donor's own pages — popup, options, partner confirmation — in a real Chromium with the built
// extension: the switch and the settings land in extension storage, bad values are refused beside
// their field, identity backups round-trip, the pages pass axe-core, and Persian renders
// right-to-left. Inside the loopback-only namespace (scripts/netns.mjs).
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser as ExtensionApi } from 'wxt/browser';
import { createIdentity } from '../../protocol/identity.ts';
import { exportIdentityBackup, importIdentityBackup } from '../../protocol/identity-backup.ts';
import { createPaymentKey } from '../../protocol/payment-secret.ts';
import type { DonorStatus, PartnerRequest } from '../../protocol/runtime-messages.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { buildExtension, extensionTestOrigin, extensionTestSignalingUrl } from '../support/extension-build.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import enConfirm from '../../locales/en/confirm.json';
import enOptions from '../../locales/en/options.json';
import enPopup from '../../locales/en/popup.json';
import enStatus from '../../locales/en/status.json';
import faPopup from '../../locales/fa/popup.json';

// Globals of the extension pages the evaluated functions run in.
declare const chrome: typeof ExtensionApi;
declare const axe: { run(): Promise<{ violations: AxeViolation[]; passes: unknown[] }> };

interface AxeViolation {
  id: string;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const passphrase = 'lantern on the porch';
const mebibyte = 1024 * 1024;

let extensionPath: string;
let ext: ExtensionBrowser;
const scratchDirs: string[] = [];

beforeAll(async () => {
  extensionPath = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
  ext = await launchWithExtension('donor-ui', extensionPath);
}, 240_000);

afterAll(async () => {
  await ext?.close();
  await Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'porchlight-donor-ui-'));
  scratchDirs.push(dir);
  return dir;
}

/** Opens an extension page with the settings back at their defaults. */
async function freshPage(path: string): Promise<Page> {
  const page = await ext.openPage(path);
  await page.evaluate(() => chrome.storage.local.remove('settings'));
  await page.reload({ waitUntil: 'load' });
  return page;
}

async function storedSettings(page: Page): Promise<Partial<DonorSettings> | undefined> {
  return page.evaluate(async () => (await chrome.storage.local.get('settings')).settings as Partial<DonorSettings> | undefined);
}

/** Polls `read` until `accept` holds. */
async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Replaces an input's text the way a person does, ending with Tab (which fires `change`). */
async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await page.$eval(selector, (input) => {
    (input as HTMLInputElement).value = '';
  });
  await page.focus(selector);
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
}

async function text(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (element) => element.textContent ?? '');
}

/** Restores the backup at `path` through the options page and waits until it shows `peerId`. */
async function restoreBackup(page: Page, path: string, peerId: string): Promise<void> {
  const fileInput = (await page.$('#import-file')) as ElementHandle<HTMLInputElement>;
  await fileInput.uploadFile(path);
  await page.$eval('#import-passphrase', (input) => {
    (input as HTMLInputElement).value = '';
  });
  await page.type('#import-passphrase', passphrase);
  await page.click('#import-button');
  await page.waitForFunction((id) => document.querySelector('#peer-id')?.getAttribute('title') === id, {}, peerId);
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(await readFile(axeSource, 'utf8'));
  const { violations, passes } = await page.evaluate(() => axe.run());
  // An axe that checked nothing would report no violations too.
  expect(passes.length).toBeGreaterThan(10);
  return violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

function donorStatus(patch: Partial<DonorStatus>): DonorStatus {
  return { state: 'off', helpingNow: 0, bytesToday: 0, bytesThisMonth: 0, countriesToday: [], at: Date.now(), ...patch };
}

describe('popup', () => {
  it('flips settings.sharing with its switch, and says so', async () => {
    const page = await freshPage('popup.html');
    await page.waitForSelector('#share-switch');
    expect(await page.$eval('#share-switch', (input) => (input as HTMLInputElement).checked)).toBe(false);
    expect(await text(page, '#share-status')).toBe(enStatus.status_off.message);

    await page.click('#share-switch');
    await eventually(() => storedSettings(page), (s) => s?.sharing === true, 'sharing on');
    expect(await page.$eval('#share-switch', (input) => (input as HTMLInputElement).checked)).toBe(true);
    expect(await text(page, '#share-status')).not.toBe(enStatus.status_off.message);

    await page.click('#share-switch');
    await eventually(() => storedSettings(page), (s) => s?.sharing === false, 'sharing off');
    await page.close();
  });

  it('shows the engine status from storage: people helped, data shared, time shared, today and in total, countries, the caps', async () => {
    const page = await freshPage('popup.html');
    await page.evaluate((cap) => chrome.storage.local.set({ settings: { dailyCapBytes: cap, monthlyCapBytes: 40 * cap } }), 6 * mebibyte);
    await page.waitForSelector('#helping-now');
    const status = donorStatus({
      helpingNow: 3,
      bytesToday: 1.5 * mebibyte,
      bytesThisMonth: 12 * mebibyte,
      countriesToday: ['IR', 'DE'],
      peopleToday: 5,
      sharedSecondsToday: 45 * 60,
      lifetime: { people: 41, bytes: 3.25 * 1024 * mebibyte, sharedSeconds: 12.5 * 3600 },
    });
    // The engine may report its own status meanwhile; write ours until the popup has shown it.
    await eventually(
      async () => {
        await page.evaluate((s) => chrome.storage.session.set({ donorStatus: { ...s, at: Date.now() } }), status);
        return page.waitForFunction(() => document.querySelector('#helping-now')?.textContent === '3', { timeout: 1_000 }).then(
          () => true,
          () => false,
        );
      },
      Boolean,
      'status shown',
    );
    expect(await text(page, '#shared-today')).toBe('1.5 MiB');
    expect(await text(page, '#countries-today')).toBe('Germany, Iran');
    expect(await text(page, '#people-today')).toBe('5');
    expect(await text(page, '#people-total')).toBe('41');
    expect(await text(page, '#shared-total')).toBe('3.3 GiB');
    expect(await text(page, '#time-today')).toBe('45 minutes');
    expect(await text(page, '#time-total')).toBe('12.5 hours');
    await page.waitForSelector('#cap-today');
    expect(await text(page, '#cap-today')).toBe(enPopup.popup_cap_today.message.replace('$USED$', '1.5 MiB').replace('$CAP$', '6 MiB'));
    expect(await text(page, '#cap-month')).toBe(enPopup.popup_cap_month.message.replace('$USED$', '12 MiB').replace('$CAP$', '240 MiB'));
    expect(await page.$eval('#cap-today .cap-bar > span', (bar) => (bar as HTMLElement).style.inlineSize)).toBe('25%');
    await page.evaluate(() => chrome.storage.local.remove('settings'));
    await page.close();
  });
  it('with sharing off, shows the totals the usage ledger holds (the engine is not running)', async () => {
    const page = await freshPage('popup.html');
    const day = await page.evaluate(() => {
      const now = new Date();
      return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
    });
    // What the engine's ledger writes (offscreen/metering/usage-ledger.ts), written straight into the same database.
    await page.evaluate(async (today) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('porchlight-usage', 2);
        request.onupgradeneeded = () => {
          if (!request.result.objectStoreNames.contains('days')) request.result.createObjectStore('days', { keyPath: 'day' });
          if (!request.result.objectStoreNames.contains('people')) request.result.createObjectStore('people', { keyPath: 'id' });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction(['days', 'people'], 'readwrite');
      tx.objectStore('days').put({ day: today, bytesServed: 2 * 1024 * 1024, countries: ['DE'], secondsShared: 7200 });
      tx.objectStore('days').put({ day: '2020-01-01', bytesServed: 8 * 1024 * 1024, countries: [], secondsShared: 3600 });
      tx.objectStore('people').put({ id: 'peer-a', firstDay: '2020-01-01', lastDay: today });
      tx.objectStore('people').put({ id: 'peer-b', firstDay: '2020-01-01', lastDay: '2020-01-01' });
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
    }, day);
    await page.evaluate((s) => chrome.storage.session.set({ donorStatus: s }), donorStatus({ state: 'off' }));
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelector('#people-total')?.textContent === '2', { timeout: 10_000 });
    expect(await text(page, '#people-today')).toBe('1');
    expect(await text(page, '#shared-today')).toBe('2 MiB');
    expect(await text(page, '#shared-total')).toBe('10 MiB');
    expect(await text(page, '#time-today')).toBe('2 hours');
    expect(await text(page, '#time-total')).toBe('3 hours');
    expect(await text(page, '#countries-today')).toBe('Germany');
    await page.close();
  });
});

describe('options', () => {
  it('refuses a bad value beside its field, then saves a valid one at once', async () => {
    const page = await freshPage('options.html');
    await page.waitForSelector('#max-people');

    await typeInto(page, '#max-people', '100');
    await page.waitForSelector('#max-people-error', { visible: true });
    expect(await text(page, '#max-people-error')).toBe(enOptions.options_max_people_error.message.replace('$MAX$', '32'));
    expect(await page.$eval('#max-people', (input) => [input.getAttribute('aria-invalid'), input.getAttribute('aria-describedby')])).toEqual([
      'true',
      'max-people-error',
    ]);
    expect((await storedSettings(page))?.maxPeopleAtOnce).toBeUndefined();

    await typeInto(page, '#max-people', '6');
    await eventually(() => storedSettings(page), (s) => s?.maxPeopleAtOnce === 6, 'max people saved');
    await page.waitForSelector('#max-people-error', { hidden: true });
    expect(await page.$eval('#max-people', (input) => input.getAttribute('aria-invalid'))).toBeNull();
    await page.waitForFunction((message) => document.querySelector('#options-save-status')?.textContent === message, {}, enOptions.options_saved.message);

    // A zero cap is refused too (empty means no cap), and the signaling server must be ws(s).
    await typeInto(page, '#daily-cap', '0');
    await page.waitForSelector('#daily-cap-error', { visible: true });
    await page.click('.advanced-section summary');
    await typeInto(page, '#signaling-url', 'https://example.org/');
    await page.waitForSelector('#signaling-url-error', { visible: true });
    const settings = await storedSettings(page);
    expect(settings?.dailyCapBytes ?? null).toBeNull();
    expect(settings?.signalingUrl).toBe(extensionTestSignalingUrl);
    await page.close();
  });

  it('shows saved values again after a reload', async () => {
    const page = await freshPage('options.html');
    await page.waitForSelector('#daily-cap');
    await page.select('#daily-cap-unit', 'gib');
    await typeInto(page, '#daily-cap', '5');
    await typeInto(page, '#rate-limit', '512');
    await page.click('#allow-plain-http');
    await typeInto(page, '#sponsor-code', 'press-freedom');
    // A time input's segments follow the browser's locale (AM/PM or not); set it as a picker would.
    await page.$eval('#hours-start', (input) => {
      (input as HTMLInputElement).value = '08:30';
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await eventually(
      () => storedSettings(page),
      (s) => s?.dailyCapBytes === 5 * 1024 * mebibyte && s.perPersonBytesPerSecond === 512 * 1024 && s.allowPlainHttp === true && s.sponsorCode === 'press-freedom' && s.hours?.startMinute === 8 * 60 + 30,
      'settings saved',
    );

    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#daily-cap');
    expect(await page.$eval('#daily-cap', (input) => (input as HTMLInputElement).value)).toBe('5');
    expect(await page.$eval('#daily-cap-unit', (select) => (select as HTMLSelectElement).value)).toBe('gib');
    expect(await page.$eval('#rate-limit', (input) => (input as HTMLInputElement).value)).toBe('512');
    expect(await page.$eval('#rate-limit-unit', (select) => (select as HTMLSelectElement).value)).toBe('kibps');
    expect(await page.$eval('#allow-plain-http', (input) => (input as HTMLInputElement).checked)).toBe(true);
    expect(await page.$eval('#sponsor-code', (input) => (input as HTMLInputElement).value)).toBe('press-freedom');
    expect(await page.$eval('#hours-start', (input) => (input as HTMLInputElement).value)).toBe('08:30');
    await page.close();
  });

  it('exports the identity and payment key as a passphrase-encrypted file', async () => {
    const downloads = await scratchDir();
    const session = await ext.browser.target().createCDPSession();
    await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    const page = await ext.openPage('options.html');
    await page.waitForSelector('#peer-id');
    const peerId = await page.$eval('#peer-id', (code) => code.getAttribute('title'));
    const paymentAddress = await text(page, '#payment-address');
    expect(paymentAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);

    await page.type('#export-passphrase', passphrase);
    await page.type('#export-passphrase-repeat', `${passphrase}!`);
    await page.click('#export-button');
    await page.waitForSelector('#export-passphrase-repeat-error', { visible: true });

    await page.$eval('#export-passphrase-repeat', (input) => {
      (input as HTMLInputElement).value = '';
    });
    await page.type('#export-passphrase-repeat', passphrase);
    await page.click('#export-button');
    const files = await eventually(
      async () => (await readdir(downloads)).filter((name) => name.endsWith('.json')),
      (names) => names.length === 1,
      'backup downloaded',
      30_000,
    );
    expect(files[0]).toBe(`porchlight-identity-${peerId!.slice(0, 8)}.json`);
    const restored = await importIdentityBackup(await readFile(join(downloads, files[0]!), 'utf8'), passphrase);
    expect(restored.identity.peerId).toBe(peerId);
    expect(restored.paymentKey?.address).toBe(paymentAddress);
    expect(await text(page, '#export-result')).toContain(files[0]!);

    // The round trip: other keys replace these, then the downloaded backup brings both back.
    const otherPath = join(downloads, 'other-backup.txt');
    const other = { identity: createIdentity(), paymentKey: createPaymentKey() };
    await writeFile(otherPath, await exportIdentityBackup(other, passphrase, { iterations: 1_000 }));
    await restoreBackup(page, otherPath, other.identity.peerId);
    expect(await text(page, '#payment-address')).toBe(other.paymentKey.address);
    await restoreBackup(page, join(downloads, files[0]!), peerId!);
    expect(await text(page, '#payment-address')).toBe(paymentAddress);
    await session.detach();
    await page.close();
  }, 60_000);

  it('imports a backup: a wrong passphrase or a damaged file changes nothing, the right one replaces both keys', async () => {
    const dir = await scratchDir();
    const incoming = createIdentity();
    const incomingPaymentKey = createPaymentKey();
    const backupPath = join(dir, 'backup.json');
    await writeFile(backupPath, await exportIdentityBackup({ identity: incoming, paymentKey: incomingPaymentKey }, passphrase, { iterations: 1_000 }));
    const damagedPath = join(dir, 'damaged.json');
    await writeFile(damagedPath, '{"format":"porchlight-identity","v":1}');

    const page = await ext.openPage('options.html');
    await page.waitForSelector('#peer-id');
    const before = await page.$eval('#peer-id', (code) => code.getAttribute('title'));
    const addressBefore = await text(page, '#payment-address');
    const fileInput = (await page.$('#import-file')) as ElementHandle<HTMLInputElement>;

    await fileInput.uploadFile(damagedPath);
    await page.type('#import-passphrase', passphrase);
    await page.click('#import-button');
    await page.waitForFunction((message) => document.querySelector('#import-result')?.textContent === message, {}, enOptions.options_import_damaged.message);
    expect(await page.$eval('#import-file', (input) => input.getAttribute('aria-invalid'))).toBe('true');

    await fileInput.uploadFile(backupPath);
    await page.type('#import-passphrase', 'not the passphrase');
    await page.click('#import-button');
    await page.waitForFunction((message) => document.querySelector('#import-result')?.textContent === message, {}, enOptions.options_import_wrong_passphrase.message);
    expect(await page.$eval('#import-passphrase', (input) => input.getAttribute('aria-invalid'))).toBe('true');
    expect(await page.$eval('#peer-id', (code) => code.getAttribute('title'))).toBe(before);
    expect(await text(page, '#payment-address')).toBe(addressBefore);

    await page.$eval('#import-passphrase', (input) => {
      (input as HTMLInputElement).value = '';
    });
    await page.type('#import-passphrase', passphrase);
    await page.click('#import-button');
    await page.waitForFunction((id) => document.querySelector('#peer-id')?.getAttribute('title') === id, {}, incoming.peerId);
    expect(await text(page, '#import-result')).toContain(incoming.peerId.slice(0, 8));
    expect(await text(page, '#payment-address')).toBe(incomingPaymentKey.address);

    // Stored, not just shown.
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction((id) => document.querySelector('#peer-id')?.getAttribute('title') === id, {}, incoming.peerId);
    expect(await text(page, '#payment-address')).toBe(incomingPaymentKey.address);
    await page.close();
  }, 60_000);
});

describe('partner confirmation', () => {
  const request: PartnerRequest = { requestId: 'ui-test-1', origin: 'https://partner.example', sponsorCode: 'press-1', at: Date.now() };

  it('says when nothing is pending, then shows the pending request in plain words', async () => {
    const page = await freshPage('confirm.html');
    await page.evaluate(() => chrome.storage.session.remove('partnerRequest'));
    await page.waitForSelector('#confirm-none');
    expect(await text(page, '#confirm-none')).toBe(enConfirm.confirm_none.message);

    await page.evaluate((r) => chrome.storage.session.set({ partnerRequest: r }), { ...request, at: Date.now() });
    await page.waitForSelector('#confirm-request');
    expect(await text(page, '#confirm-request')).toBe(
      enConfirm.confirm_request_with_code.message.replace('$ORIGIN$', request.origin).replace('$CODE$', request.sponsorCode),
    );
    expect(await page.$('#confirm-allow')).not.toBeNull();
    expect(await page.$('#confirm-deny')).not.toBeNull();
    await page.evaluate(() => chrome.storage.session.remove('partnerRequest'));
    await page.close();
  });

  it('Allow answers the service worker, which turns sharing on with the sponsor code', async () => {
    const reader = await freshPage('popup.html');
    const page = await ext.openPage('confirm.html');
    await page.evaluate((r) => chrome.storage.session.set({ partnerRequest: r }), { ...request, at: Date.now() });
    await page.waitForSelector('#confirm-allow');
    await page.click('#confirm-allow');
    await page.waitForFunction((message) => document.querySelector('#confirm-outcome')?.textContent === message, { timeout: 5_000 }, enConfirm.confirm_done_allowed.message);
    const settings = await storedSettings(reader);
    expect(settings).toMatchObject({ sharing: true, sponsorCode: 'press-1' });
    await reader.close();
  });
});

describe('accessibility (axe-core)', () => {
  it.each(['popup.html', 'options.html', 'confirm.html', 'welcome.html'])('%s has no violations', async (path) => {
    const page = await freshPage(path);
    await page.waitForSelector('main');
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('popup.html has none with sharing on and an offline status, nor confirm.html with a request pending', async () => {
    const popup = await freshPage('popup.html');
    await popup.evaluate(() => chrome.storage.local.set({ settings: { sharing: true } }));
    await popup.evaluate(
      (s) => chrome.storage.session.set({ donorStatus: s }),
      donorStatus({ state: 'offline', reason: 'signaling-unreachable', detail: 'ECONNREFUSED', retryAt: Date.now() + 60_000 }),
    );
    await popup.waitForSelector('#share-status');
    expect(await axeViolations(popup)).toEqual([]);
    await popup.evaluate(() => chrome.storage.local.remove('settings'));
    await popup.close();

    const confirm = await ext.openPage('confirm.html');
    await confirm.evaluate(() =>
      chrome.storage.session.set({ partnerRequest: { requestId: 'axe-1', origin: 'https://partner.example', sponsorCode: 'press-1', at: Date.now() } }),
    );
    await confirm.waitForSelector('#confirm-request');
    expect(await axeViolations(confirm)).toEqual([]);
    await confirm.evaluate(() => chrome.storage.session.remove('partnerRequest'));
    await confirm.close();
  });

  it('options.html has none while fields show errors', async () => {
    const page = await freshPage('options.html');
    await page.waitForSelector('#max-people');
    await typeInto(page, '#max-people', '0');
    await typeInto(page, '#sponsor-code', 'not a code!');
    await page.waitForSelector('#sponsor-code-error', { visible: true });
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});

describe('Persian', () => {
  let fa: ExtensionBrowser;

  beforeAll(async () => {
    fa = await launchWithExtension('donor-ui-fa', extensionPath, { extraArgs: ['--lang=fa'], env: { LANGUAGE: 'fa' } });
  }, 60_000);

  afterAll(async () => {
    await fa?.close();
  });

  it.each(['popup.html', 'options.html', 'confirm.html', 'welcome.html'])('%s renders right-to-left in Persian, with no axe violations', async (path) => {
    const page = await fa.openPage(path);
    await page.waitForSelector('main');
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir, getComputedStyle(document.body).direction])).toEqual([
      'fa',
      'rtl',
      'rtl',
    ]);
    if (path === 'popup.html') expect(await text(page, 'label[for="share-switch"]')).toBe(faPopup.popup_share_label.message);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
