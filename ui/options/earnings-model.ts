// The donor dashboard's numbers, from the payment ledger's channel records and day rows: the
// per-day series the chart draws, one table row per channel, the totals, and the CSV export.
// Pure: no DOM, no i18n lookups, so it runs in a unit test as it runs on the options page.
import { microCreditsPerCredit } from '../../protocol/receipt.ts';
import type { ChannelDay, ChannelRecord } from '../../offscreen/payments/payment-ledger.ts';
import { localDayKey } from '../../settings/share-gate.ts';
import { microCreditsToDecimal } from '../common/credit-format.ts';
import { shortPeerId } from '../common/short-peer-id.ts';

const bytesPerMiB = 1024 * 1024;
const secondsPerMs = 1 / 1000;
/**
 * The chart's longest span, in days: a clock that was once set years ahead should not make the
 * chart draw thousands of empty days. Older days still appear in the table's totals and the CSV.
 */
export const maxChartDays = 3 * 366;

/** The chart's data: x is each local day's midnight in Unix seconds (what uPlot reads), oldest first. */
export interface EarningsSeries {
  x: number[];
  /** MiB served on each day. */
  mib: number[];
  /** Credits (not micro-credits) earned on each day. */
  credits: number[];
  /** The first and last day shown, 'YYYY-MM-DD'; undefined when there is none. */
  firstDay?: string;
  lastDay?: string;
}

/** One channel as the table shows it; credits in micro-credits. */
export interface EarningsRow {
  channelId: string;
  /** The channel id shortened for reading, e.g. "0x1a2b3c…9e8f7a6b". */
  shortId: string;
  /** As signaling saw it ('ZZ' unknown). */
  peerCountry: string;
  /** Unix milliseconds. */
  openedAt: number;
  /** Unix milliseconds of the newest receipt; undefined before the first. */
  lastReceiptAt?: number;
  bytes: number;
  credits: number;
  settledCredits: number;
  /** credits − settledCredits, never below 0. */
  unsettledCredits: number;
  /** Micro-credits per MiB; undefined when the stored price is not a decimal integer. */
  pricePerMiB?: bigint;
}

/** Sums over every channel; credits in micro-credits. */
export interface EarningsTotals {
  channels: number;
  bytes: number;
  credits: number;
  settledCredits: number;
  unsettledCredits: number;
}

/** Everything the dashboard shows. */
export interface Earnings {
  series: EarningsSeries;
  /** Newest receipt first. */
  rows: EarningsRow[];
  totals: EarningsTotals;
}

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const decimalPattern = /^(0|[1-9]\d*)$/;

/** The local midnight starting `day` ('YYYY-MM-DD'), or undefined when `day` is not such a date. */
function parseDay(day: string): Date | undefined {
  const match = dayPattern.exec(day);
  if (!match) return undefined;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date rolls 2024-02-30 over into March; such a key was not written by the ledger.
  return localDayKey(date) === day ? date : undefined;
}

const byDayThenChannel = (a: ChannelDay, b: ChannelDay): number => (a.day === b.day ? compare(a.channelId, b.channelId) : compare(a.day, b.day));
const newestReceiptFirst = (a: ChannelRecord, b: ChannelRecord): number => b.updatedAt - a.updatedAt || compare(a.channelId, b.channelId);

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Day rows summed per day, every day from the first to the last present (0 where none), at most `maxChartDays`. */
export function earningsSeries(days: readonly ChannelDay[]): EarningsSeries {
  const perDay = new Map<string, { bytes: number; credits: number }>();
  for (const row of days) {
    if (!parseDay(row.day)) continue;
    const sum = perDay.get(row.day) ?? { bytes: 0, credits: 0 };
    perDay.set(row.day, { bytes: sum.bytes + row.bytes, credits: sum.credits + row.credits });
  }
  const keys = [...perDay.keys()].sort(compare);
  const series: EarningsSeries = { x: [], mib: [], credits: [] };
  if (keys.length === 0) return series;
  // Both keys were checked by parseDay above.
  const last = parseDay(keys[keys.length - 1]!)!;
  const first = parseDay(keys[0]!)!;
  const earliest = new Date(last.getFullYear(), last.getMonth(), last.getDate() - (maxChartDays - 1));
  const start = first < earliest ? earliest : first;
  // Step by calendar day, not by 86 400 s: a day with a DST change is 23 or 25 hours long.
  for (let date = start; date <= last; date = new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1)) {
    const sum = perDay.get(localDayKey(date));
    series.x.push(date.getTime() * secondsPerMs);
    series.mib.push((sum?.bytes ?? 0) / bytesPerMiB);
    series.credits.push((sum?.credits ?? 0) / Number(microCreditsPerCredit));
  }
  series.firstDay = localDayKey(start);
  series.lastDay = localDayKey(last);
  return series;
}

function parsePrice(price: string): bigint | undefined {
  return decimalPattern.test(price) ? BigInt(price) : undefined;
}

/** One table row per channel, newest receipt first. */
export function earningsRows(channels: readonly ChannelRecord[]): EarningsRow[] {
  return [...channels].sort(newestReceiptFirst).map((channel) => ({
    channelId: channel.channelId,
    shortId: shortPeerId(channel.channelId),
    peerCountry: channel.peerCountry,
    openedAt: channel.openedAt,
    // The ledger moves updatedAt only when it stores a receipt; before the first, cumBytes is 0.
    ...(channel.cumBytes > 0 ? { lastReceiptAt: channel.updatedAt } : {}),
    bytes: channel.cumBytes,
    credits: channel.cumCredits,
    settledCredits: channel.settledCredits,
    unsettledCredits: Math.max(0, channel.cumCredits - channel.settledCredits),
    pricePerMiB: parsePrice(channel.price),
  }));
}

/** The sums of `rows`. */
export function earningsTotals(rows: readonly EarningsRow[]): EarningsTotals {
  const totals: EarningsTotals = { channels: rows.length, bytes: 0, credits: 0, settledCredits: 0, unsettledCredits: 0 };
  for (const row of rows) {
    totals.bytes += row.bytes;
    totals.credits += row.credits;
    totals.settledCredits += row.settledCredits;
    totals.unsettledCredits += row.unsettledCredits;
  }
  return totals;
}

/** The whole dashboard from the donor's channel records and day rows. */
export function earnings(channels: readonly ChannelRecord[], days: readonly ChannelDay[]): Earnings {
  const rows = earningsRows(channels);
  return { series: earningsSeries(days), rows, totals: earningsTotals(rows) };
}

// ---- CSV ------------------------------------------------------------------------------------

/** The CSV's columns, in order. */
export const earningsCsvColumns = [
  'record',
  'day',
  'channelId',
  'peerCountry',
  'bytes',
  'credits',
  'settledCredits',
  'unsettledCredits',
  'pricePerMiB',
  'openedAt',
  'lastReceiptAt',
] as const;

type CsvColumn = (typeof earningsCsvColumns)[number];

/** Characters that make a spreadsheet read a cell as a formula (or strip them before it looks). */
const formulaStart = /^[=+\-@\t\r]/;
const needsQuotes = /[",\r\n]/;

/**
 * One CSV field: a leading apostrophe when a spreadsheet would run it as a formula (values the peer
 * or signaling chose end up here), then quoted per RFC 4180 when it holds a quote, comma or line break.
 */
export function csvField(value: string): string {
  const defused = formulaStart.test(value) ? `'${value}` : value;
  return needsQuotes.test(defused) ? `"${defused.replaceAll('"', '""')}"` : defused;
}

function csvLine(cells: Partial<Record<CsvColumn, string>>): string {
  return earningsCsvColumns.map((column) => csvField(cells[column] ?? '')).join(',');
}

/**
 * The donor's earnings as CSV (RFC 4180: CRLF line ends, a header line). Two kinds of rows, told
 * apart by `record`:
 * - `day`: what one channel's receipts added on one local day (`day` is 'YYYY-MM-DD' in the
 *   donor's time zone): `bytes` and `credits`; oldest day first, then by channel id.
 * - `channel`: one channel in total: `bytes`, `credits`, `settledCredits`, `unsettledCredits`,
 *   `pricePerMiB`, `openedAt` and `lastReceiptAt` (ISO 8601, UTC; empty before any receipt);
 *   newest receipt first, as in the table.
 * Credits are decimal credits, exact from micro-credits (1 credit = 1 000 000 micro-credits);
 * bytes are whole bytes; `channelId` is the full 0x-hex id.
 */
export function earningsCsv(channels: readonly ChannelRecord[], days: readonly ChannelDay[]): string {
  const countries = new Map(channels.map((channel) => [channel.channelId, channel.peerCountry]));
  const lines = [earningsCsvColumns.join(',')];
  for (const row of [...days].sort(byDayThenChannel)) {
    lines.push(
      csvLine({
        record: 'day',
        day: row.day,
        channelId: row.channelId,
        peerCountry: countries.get(row.channelId) ?? '',
        bytes: String(row.bytes),
        credits: microCreditsToDecimal(row.credits),
      }),
    );
  }
  for (const row of earningsRows(channels)) {
    lines.push(
      csvLine({
        record: 'channel',
        channelId: row.channelId,
        peerCountry: row.peerCountry,
        bytes: String(row.bytes),
        credits: microCreditsToDecimal(row.credits),
        settledCredits: microCreditsToDecimal(row.settledCredits),
        unsettledCredits: microCreditsToDecimal(row.unsettledCredits),
        pricePerMiB: row.pricePerMiB === undefined ? '' : microCreditsToDecimal(row.pricePerMiB),
        openedAt: new Date(row.openedAt).toISOString(),
        lastReceiptAt: row.lastReceiptAt === undefined ? '' : new Date(row.lastReceiptAt).toISOString(),
      }),
    );
  }
  return lines.map((line) => `${line}\r\n`).join('');
}

/** The CSV's file name for `date`: "porchlight-earnings-2024-05-10.csv" (local day). */
export function earningsCsvFileName(date: Date): string {
  return `porchlight-earnings-${localDayKey(date)}.csv`;
}
