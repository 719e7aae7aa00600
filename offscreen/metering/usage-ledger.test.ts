import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openUsageLedger, readStoredUsage, usageDatabaseName, usageFlushIntervalMs, type DayUsage, type UsageLedger } from './usage-ledger.ts';

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

describe('lifetime totals', () => {
  const zero = { people: 0, bytes: 0, seconds: 0 };

  it('start at zero', async () => {
    const ledger = await open();
    expect(ledger.totals()).toEqual({ today: zero, lifetime: zero });
  });

  it('count each person helped once a day and once in total, with the bytes and the time shared', async () => {
    const ledger = await open();
    ledger.add(1000, 'DE');
    ledger.noteHelped('peer-a');
    ledger.add(500, 'DE');
    ledger.noteHelped('peer-a');
    ledger.add(250, 'BR');
    ledger.noteHelped('peer-b');
    ledger.addSharedTime(90_000);
    ledger.addSharedTime(30_000);
    expect(ledger.totals()).toEqual({ today: { people: 2, bytes: 1750, seconds: 120 }, lifetime: { people: 2, bytes: 1750, seconds: 120 } });

    // The next day: today starts again; a person helped yesterday too is one person in total.
    clock = new Date(2024, 4, 11, 9, 0);
    ledger.add(100);
    ledger.noteHelped('peer-a');
    ledger.addSharedTime(60_000);
    expect(ledger.totals()).toEqual({ today: { people: 1, bytes: 100, seconds: 60 }, lifetime: { people: 2, bytes: 1850, seconds: 180 } });
  });

  it('survive a restart, including days of earlier months', async () => {
    clock = new Date(2024, 2, 3, 12, 0); // March
    const march = await openUsageLedger(now);
    march.add(5000);
    march.noteHelped('peer-a');
    march.addSharedTime(3_600_000);
    await march.close();

    clock = new Date(2024, 4, 10, 12, 0); // May: March is no longer this month
    const may = await openUsageLedger(now);
    expect(may.snapshot().monthBytes).toBe(0);
    expect(may.totals()).toEqual({ today: zero, lifetime: { people: 1, bytes: 5000, seconds: 3600 } });
    may.add(10);
    may.noteHelped('peer-b');
    may.addSharedTime(60_000);
    await may.close();

    const reopened = await open();
    expect(reopened.totals()).toEqual({ today: { people: 1, bytes: 10, seconds: 60 }, lifetime: { people: 2, bytes: 5010, seconds: 3660 } });
  });

  it('ignore a negative or empty stretch of time', async () => {
    const ledger = await open();
    ledger.addSharedTime(-5_000);
    ledger.addSharedTime(0);
    ledger.addSharedTime(Number.NaN);
    expect(ledger.totals().lifetime.seconds).toBe(0);
  });

  it('opens a version-1 database (days only) and keeps its days', async () => {
    const old = await openDB(usageDatabaseName, 1, {
      upgrade(database) {
        database.createObjectStore('days', { keyPath: 'day' });
      },
    });
    await old.put('days', { day: '2024-05-09', bytesServed: 777, countries: ['FR'] });
    old.close();
    const ledger = await open();
    expect(ledger.snapshot().monthBytes).toBe(777);
    ledger.noteHelped('peer-a');
    await ledger.flush();
    expect(ledger.totals().lifetime).toEqual({ people: 1, bytes: 777, seconds: 0 });
  });

  it('reads back what was written, for a page to show while the engine is not running', async () => {
    clock = new Date(2024, 3, 20, 12, 0); // April
    const april = await openUsageLedger(now);
    april.add(4000);
    april.noteHelped('peer-a');
    april.addSharedTime(120_000);
    await april.close();
    clock = new Date(2024, 4, 10, 12, 0);
    const may = await openUsageLedger(now);
    may.add(300, 'NL');
    may.noteHelped('peer-b');
    may.addSharedTime(60_000);
    await may.flush();
    expect(await readStoredUsage(now)).toEqual({ ...may.totals(), monthBytes: 300, countriesToday: ['NL'] });
    expect(may.totals()).toEqual({ today: { people: 1, bytes: 300, seconds: 60 }, lifetime: { people: 2, bytes: 4300, seconds: 180 } });
  });
});
