// Bytes a donor has served, per local day, with the countries helped: what the caps are checked
// against and what the popup shows. Counted in memory as bytes go out and written to IndexedDB
// every few seconds, so caps survive the offscreen document being closed or the browser restarting.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { localDayKey } from '../../settings/share-gate.ts';

export const usageDatabaseName = 'porchlight-usage';
const usageDatabaseVersion = 1;
/** Unsaved counts are written at most this often. */
export const usageFlushIntervalMs = 2_000;
/** Most countries kept per day (there are fewer than 300 codes). */
const maxCountriesPerDay = 300;

/** One local day of sharing. */
export interface DayUsage {
  /** 'YYYY-MM-DD', local time. */
  day: string;
  bytesServed: number;
  countries: string[];
}

interface UsageSchema extends DBSchema {
  days: { key: string; value: DayUsage };
}

/** Totals for the popup and the caps. */
export interface UsageSnapshot {
  todayBytes: number;
  monthBytes: number;
  countriesToday: string[];
}

export interface UsageLedger {
  /** Counts `bytes` served now to someone in `country` (no country: bytes only). */
  add(bytes: number, country?: string): void;
  /** Notes a country helped today without bytes (a session opened). */
  addCountry(country: string): void;
  snapshot(): UsageSnapshot;
  /** Writes unsaved counts now. */
  flush(): Promise<void>;
  /** Flushes and closes the database. */
  close(): Promise<void>;
}

/** Opens the ledger; `now` is the clock (tests shorten days). */
export async function openUsageLedger(now: () => Date = () => new Date()): Promise<UsageLedger> {
  const db: IDBPDatabase<UsageSchema> = await openDB<UsageSchema>(usageDatabaseName, usageDatabaseVersion, {
    upgrade(database) {
      database.createObjectStore('days', { keyPath: 'day' });
    },
  });
  const days = new Map<string, DayUsage>();
  const dirty = new Set<string>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const monthPrefix = (day: string): string => day.slice(0, 7);
  const startKey = localDayKey(now());
  for (const record of await db.getAll('days', IDBKeyRange.bound(`${monthPrefix(startKey)}-00`, `${monthPrefix(startKey)}-99`))) {
    days.set(record.day, record);
  }

  function today(): DayUsage {
    const key = localDayKey(now());
    let record = days.get(key);
    if (!record) {
      record = { day: key, bytesServed: 0, countries: [] };
      days.set(key, record);
    }
    return record;
  }

  async function flush(): Promise<void> {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (dirty.size === 0) return;
    const keys = [...dirty];
    const records = keys.map((key) => days.get(key)).filter((r): r is DayUsage => r !== undefined);
    dirty.clear();
    try {
      const tx = db.transaction('days', 'readwrite');
      await Promise.all([...records.map((record) => tx.store.put({ ...record, countries: [...record.countries] })), tx.done]);
    } catch (error) {
      // Not written: keep them for the next flush rather than lose the counts.
      for (const key of keys) markDirty(key);
      throw error;
    }
  }

  function markDirty(day: string): void {
    dirty.add(day);
    if (flushTimer === undefined && !closed) flushTimer = setTimeout(() => void flush().catch(() => {}), usageFlushIntervalMs);
  }

  function noteCountry(record: DayUsage, country: string): void {
    if (!record.countries.includes(country) && record.countries.length < maxCountriesPerDay) {
      record.countries.push(country);
      markDirty(record.day);
    }
  }

  return {
    add(bytes, country) {
      const record = today();
      record.bytesServed += bytes;
      markDirty(record.day);
      if (country !== undefined) noteCountry(record, country);
    },
    addCountry(country) {
      noteCountry(today(), country);
    },
    snapshot() {
      const record = today();
      const month = monthPrefix(record.day);
      let monthBytes = 0;
      for (const [key, day] of days) if (key.startsWith(month)) monthBytes += day.bytesServed;
      return { todayBytes: record.bytesServed, monthBytes, countriesToday: [...record.countries] };
    },
    flush,
    async close() {
      closed = true;
      await flush();
      db.close();
    },
  };
}
