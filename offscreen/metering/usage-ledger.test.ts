import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openUsageLedger, usageDatabaseName, usageFlushIntervalMs, type DayUsage, type UsageLedger } from './usage-ledger.ts';

// The ledger's clock: local time, moved by each test.
let clock = new Date(2024, 4, 10, 12, 0);
const now = (): Date => clock;
const opened: UsageLedger[] = [];

async function open(): Promise<UsageLedger> {
  const ledger = await openUsageLedger(now);
  opened.push(ledger);
  return ledger;
}

/** What the database holds for `day`, read past the ledger. */
async function stored(day: string): Promise<DayUsage | undefined> {
  const db = await openDB(usageDatabaseName);
  try {
    return (await db.get('days', day)) as DayUsage | undefined;
  } finally {
    db.close();
  }
}

beforeEach(() => {
  // A fresh, empty IndexedDB per test.
  globalThis.indexedDB = new IDBFactory();
  clock = new Date(2024, 4, 10, 12, 0);
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(opened.splice(0).map((ledger) => ledger.close().catch(() => {})));
});

describe('openUsageLedger', () => {
  it('starts at zero', async () => {
    const ledger = await open();
    expect(ledger.snapshot()).toEqual({ todayBytes: 0, monthBytes: 0, countriesToday: [] });
  });

  it('counts bytes and the countries they went to', async () => {
    const ledger = await open();
    ledger.add(1000, 'DE');
    ledger.add(500, 'BR');
    ledger.add(250);
    ledger.add(250, 'DE');
    expect(ledger.snapshot()).toEqual({ todayBytes: 2000, monthBytes: 2000, countriesToday: ['DE', 'BR'] });
  });

  it('notes a country without bytes, once', async () => {
    const ledger = await open();
    ledger.addCountry('JP');
    ledger.addCountry('JP');
    ledger.add(10, 'JP');
    expect(ledger.snapshot()).toEqual({ todayBytes: 10, monthBytes: 10, countriesToday: ['JP'] });
  });

  it('keeps at most 300 countries a day', async () => {
    const ledger = await open();
    for (let i = 0; i < 320; i++) ledger.addCountry(`C${i}`);
    const { countriesToday } = ledger.snapshot();
    expect(countriesToday).toHaveLength(300);
    expect(countriesToday[0]).toBe('C0');
    expect(countriesToday).not.toContain('C300');
  });

  it('hands out copies: changing a snapshot changes nothing', async () => {
    const ledger = await open();
    ledger.addCountry('FR');
    ledger.snapshot().countriesToday.push('XX');
    expect(ledger.snapshot().countriesToday).toEqual(['FR']);
  });

  it('starts a new local day at zero, keeping the month total', async () => {
    const ledger = await open();
    ledger.add(3000, 'DE');
    clock = new Date(2024, 4, 10, 23, 59, 59);
    ledger.add(1000, 'DE');
    clock = new Date(2024, 4, 11, 0, 0, 1);
    expect(ledger.snapshot()).toEqual({ todayBytes: 0, monthBytes: 4000, countriesToday: [] });
    ledger.add(500, 'US');
    expect(ledger.snapshot()).toEqual({ todayBytes: 500, monthBytes: 4500, countriesToday: ['US'] });
  });

  it('starts a new month at zero', async () => {
    clock = new Date(2024, 4, 31, 22, 0);
    const ledger = await open();
    ledger.add(7000);
    clock = new Date(2024, 5, 1, 0, 30);
    ledger.add(100);
    expect(ledger.snapshot()).toEqual({ todayBytes: 100, monthBytes: 100, countriesToday: [] });
  });

  it('sums the days of this month from earlier sessions, not those of the month before', async () => {
    const days: Array<[Date, number]> = [
      [new Date(2024, 3, 30, 12, 0), 1_000_000], // April: another month
      [new Date(2024, 4, 1, 9, 0), 100],
      [new Date(2024, 4, 2, 9, 0), 200],
      [new Date(2024, 4, 9, 9, 0), 300],
    ];
    for (const [day, bytes] of days) {
      clock = day;
      const ledger = await openUsageLedger(now);
      ledger.add(bytes);
      await ledger.close();
    }
    clock = new Date(2024, 4, 10, 8, 0);
    const ledger = await open();
    ledger.add(5);
    expect(ledger.snapshot()).toEqual({ todayBytes: 5, monthBytes: 605, countriesToday: [] });
  });

  it('keeps counts across close and reopen', async () => {
    const first = await openUsageLedger(now);
    first.add(1234, 'DE');
    first.addCountry('NL');
    await first.close();
    const second = await open();
    expect(second.snapshot()).toEqual({ todayBytes: 1234, monthBytes: 1234, countriesToday: ['DE', 'NL'] });
    second.add(1, 'DE');
    expect(second.snapshot().todayBytes).toBe(1235);
  });

  it('writes counts on flush, without closing', async () => {
    const ledger = await open();
    ledger.add(42, 'SE');
    await ledger.flush();
    expect(await stored('2024-05-10')).toEqual({ day: '2024-05-10', bytesServed: 42, countries: ['SE'] });
  });

  it('writes the day that ended too, when the flush comes after midnight', async () => {
    clock = new Date(2024, 4, 10, 23, 59);
    const ledger = await open();
    ledger.add(800);
    clock = new Date(2024, 4, 11, 0, 1);
    ledger.add(200);
    await ledger.flush();
    expect((await stored('2024-05-10'))?.bytesServed).toBe(800);
    expect((await stored('2024-05-11'))?.bytesServed).toBe(200);
  });

  it('writes unsaved counts by itself within the flush interval', async () => {
    // Only setTimeout is faked: fake-indexeddb schedules its own work with setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const ledger = await open();
    ledger.add(64, 'CA');
    await vi.advanceTimersByTimeAsync(usageFlushIntervalMs - 1);
    expect(await stored('2024-05-10')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(async () => expect((await stored('2024-05-10'))?.bytesServed).toBe(64));
  });
});
