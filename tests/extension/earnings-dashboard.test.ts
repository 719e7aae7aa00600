// The donor dashboard on the options page, in a real Chromium with the built extension: an empty
// state on a fresh profile; with channels and day rows written into the payment ledger's IndexedDB,
// the totals, the chart, the per-channel table and the CSV download say what the ledger holds, the
// page picks up new receipts by itself, and axe-core finds nothing in the section. Inside the
// loopback-only namespace (scripts/netns.mjs).
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelRecord } from '../../offscreen/payments/payment-ledger.ts';
import { channelDay, channelRecord } from '../support/channel-records.ts';
import { catchDownloads } from '../support/downloads.ts';
import { buildExtension, extensionTestOrigin } from '../support/extension-build.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import { writeLedger } from '../support/extension-ledger.ts';
import enOptions from '../../locales/en/options.json';

// Globals of the extension page the evaluated functions run in.
declare const axe: { run(context: string): Promise<{ violations: AxeViolation[]; passes: unknown[] }> };

interface AxeViolation {
  id: string;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const mib = 1024 * 1024;
const idA = `0x${'a1'.repeat(32)}`;
const idB = `0x${'b2'.repeat(32)}`;
const idClient = `0x${'c3'.repeat(32)}`;

let ext: ExtensionBrowser;

beforeAll(async () => {
  const extensionPath = await buildExtension({ browser: 'chrome', testOrigin: extensionTestOrigin });
  ext = await launchWithExtension('earnings', extensionPath);
}, 240_000);

afterAll(async () => {
  await ext?.close();
});

function channel(patch: Partial<ChannelRecord> & Pick<ChannelRecord, 'channelId' | 'openedAt' | 'updatedAt'>): ChannelRecord {
  return channelRecord({ peerId: 'd'.repeat(64), ...patch });
}

const day = channelDay;

const channelA = channel({
  channelId: idA,
  peerCountry: 'IR',
  cumBytes: 3 * mib,
  cumCredits: 3000,
  settledCredits: 1000,
  openedAt: Date.UTC(2024, 4, 9, 8, 0),
  updatedAt: Date.UTC(2024, 4, 10, 9, 30),
});
// Signaling reports the country; a hostile one must not become a spreadsheet formula.
const channelB = channel({
  channelId: idB,
  peerCountry: '=1+2',
  price: '2500',
  cumBytes: 1.5 * mib,
  cumCredits: 3750,
  openedAt: Date.UTC(2024, 4, 10, 10, 0),
  updatedAt: Date.UTC(2024, 4, 11, 18, 0),
});
// Our own browsing through someone else: the client side, not earnings.
const clientChannel = channel({ channelId: idClient, role: 'client', cumBytes: 9 * mib, cumCredits: 9000, openedAt: Date.UTC(2024, 4, 11, 8, 0), updatedAt: Date.UTC(2024, 4, 11, 9, 0) });
const seededDays = [
  day('2024-05-09', idA, mib, 1000),
  day('2024-05-10', idA, 2 * mib, 2000),
  day('2024-05-10', idB, 0.5 * mib, 1250),
  day('2024-05-12', idB, mib, 2500),
  day('2024-05-11', idClient, 9 * mib, 9000, 'client'),
];

async function text(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (element) => element.textContent ?? '');
}

/** Each table row's cells, without the two date columns (their form follows the browser's locale). */
async function tableRows(page: Page): Promise<string[][]> {
  return page.$$eval('#earnings-table tbody tr', (rows) =>
    rows.map((row) => [...row.children].map((cell) => cell.textContent ?? '').filter((_, column) => column !== 2 && column !== 3)),
  );
}

async function axeViolations(page: Page, context: string): Promise<string[]> {
  await page.evaluate(await readFile(axeSource, 'utf8'));
  const { violations, passes } = await page.evaluate((selector) => axe.run(selector), context);
  // An axe that checked nothing would report no violations too.
  expect(passes.length).toBeGreaterThan(5);
  return violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

describe('earnings dashboard', () => {
  it('says there are no receipts yet on a fresh profile', async () => {
    const page = await ext.openPage('options.html');
    await page.waitForSelector('#earnings-empty');
    expect(await text(page, '#earnings-empty')).toBe(enOptions.options_earnings_empty.message);
    expect(await page.$('#earnings-table')).toBeNull();
    expect(await page.$('#earnings-download')).toBeNull();
    expect(await axeViolations(page, '#earnings-section')).toEqual([]);
    await page.close();
  });

  it('shows the donor’s channels: totals, chart, table, and the same numbers as CSV', async () => {
    const page = await ext.openPage('options.html');
    await page.waitForSelector('#earnings-empty');
    await writeLedger(page, [channelA, channelB, clientChannel], seededDays, true);
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#earnings-table');

    // Totals: the donor's two channels, not the client one.
    expect(await text(page, '#earnings-total-data')).toBe('4.5 MiB');
    expect(await text(page, '#earnings-total-credits')).toBe('0.00675');
    expect(await text(page, '#earnings-total-settled')).toBe('0.001');
    expect(await text(page, '#earnings-total-unsettled')).toBe('0.00575');

    // Newest receipt first; the hostile country shown as plain text.
    expect(await tableRows(page)).toEqual([
      ['0xb2b2b2…b2b2b2b2', '=1+2', '1.5 MiB', '0.00375', '0', '0.00375', '0.0025'],
      ['0xa1a1a1…a1a1a1a1', 'Iran', '3 MiB', '0.003', '0.001', '0.002', '0.001'],
    ]);

    const chart = await page.$eval('#earnings-chart canvas', (element) => {
      const canvas = element as HTMLCanvasElement;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha] !== 0) painted += 1;
      return { width: canvas.clientWidth, height: canvas.clientHeight, painted, role: canvas.getAttribute('role'), label: canvas.getAttribute('aria-label') };
    });
    expect(chart.width).toBeGreaterThan(200);
    expect(chart.height).toBeGreaterThan(100);
    expect(chart.painted).toBeGreaterThan(1000);
    expect(chart.role).toBe('img');
    expect(chart.label).toBe(enOptions.options_earnings_chart_summary.message.replace('$FIRST$', 'May 9, 2024').replace('$LAST$', 'May 12, 2024'));

    const downloads = await catchDownloads(ext.browser);
    try {
      await page.click('#earnings-download');
      await downloads.completed;
      const files = await readdir(downloads.dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^porchlight-earnings-\d{4}-\d{2}-\d{2}\.csv$/);
      expect(await readFile(join(downloads.dir, files[0]!), 'utf8')).toBe(
        [
          'record,day,channelId,peerCountry,bytes,credits,settledCredits,unsettledCredits,pricePerMiB,openedAt,lastReceiptAt',
          `day,2024-05-09,${idA},IR,1048576,0.001,,,,,`,
          `day,2024-05-10,${idA},IR,2097152,0.002,,,,,`,
          `day,2024-05-10,${idB},'=1+2,524288,0.00125,,,,,`,
          `day,2024-05-12,${idB},'=1+2,1048576,0.0025,,,,,`,
          `channel,,${idB},'=1+2,1572864,0.00375,0,0.00375,0.0025,2024-05-10T10:00:00.000Z,2024-05-11T18:00:00.000Z`,
          `channel,,${idA},IR,3145728,0.003,0.001,0.002,0.001,2024-05-09T08:00:00.000Z,2024-05-10T09:30:00.000Z`,
          '',
        ].join('\r\n'),
      );
    } finally {
      await downloads.close();
    }

    expect(await axeViolations(page, '#earnings-section')).toEqual([]);
    await page.close();
  });

  it('picks up a new receipt without a reload', async () => {
    const page = await ext.openPage('options.html');
    await page.waitForSelector('#earnings-table');
    expect(await text(page, '#earnings-total-data')).toBe('4.5 MiB');
    await writeLedger(page, [{ ...channelA, cumBytes: 4 * mib, cumCredits: 4000, updatedAt: Date.UTC(2024, 4, 12, 9, 0) }], [day('2024-05-12', idA, mib, 1000)], false);
    await page.waitForFunction(() => document.querySelector('#earnings-total-data')?.textContent === '5.5 MiB', { timeout: 12_000 });
    expect((await tableRows(page)).map((row) => row[0])).toEqual(['0xa1a1a1…a1a1a1a1', '0xb2b2b2…b2b2b2b2']);
    await page.close();
  });

  it('says it cannot read a broken record, and leaves the rest of the page working', async () => {
    const page = await ext.openPage('options.html');
    await page.waitForSelector('#earnings-section');
    // Credits are whole micro-credits; a fraction was not written by this ledger.
    await writeLedger(page, [{ ...channelA, cumCredits: 0.5 }], [], true);
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#earnings-unavailable');
    expect(await text(page, '#earnings-unavailable')).toBe(enOptions.options_earnings_unavailable.message);
    expect(await page.$('#max-people')).not.toBeNull();
    await page.close();
  });
});
