// Bytes a donor has served, per local day, with the countries helped: what the caps are checked
// against and what the popup shows. Counted in memory as bytes go out and written to IndexedDB
// every few seconds, so caps survive the offscreen document being closed or the browser restarting.
// Beside them, the same counts since the first day: the people helped (client identities served at
// least one byte), the bytes, and the time the donor was connected and ready to help.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { localDayKey } from '../../settings/share-gate.ts';

export const usageDatabaseName = 'porchlight-usage';
// 2: the `people` store (who has been helped, for the lifetime count).
const usageDatabaseVersion = 2;
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
  /** Seconds connected and ready to help that day; absent before any (and in records from before it was counted). */
  secondsShared?: number;
}

/** A client identity the donor has served, and the local days it was first and last served. */
export interface PersonHelped {
  id: string;
  firstDay: string;
  lastDay: string;
}

interface UsageSchema extends DBSchema {
  days: { key: string; value: DayUsage };
  people: { key: string; value: PersonHelped };
}

/** What sharing has done: people helped, bytes served, seconds connected. */
export interface SharingCounts {
  people: number;
  bytes: number;
  seconds: number;
}

/** Today's counts and those since the first day counted, for the popup. */
export interface SharingTotals {
  today: SharingCounts;
  lifetime: SharingCounts;
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
  /** Counts `client` (a peer id) as helped today: called for each byte count served to them. */
  noteHelped(client: string): void;
  /** Counts `ms` more milliseconds connected and ready to help, today. */
  addSharedTime(ms: number): void;
  snapshot(): UsageSnapshot;
  /** Today's and lifetime counts. */
  totals(): SharingTotals;
  /** Writes unsaved counts now. */
  flush(): Promise<void>;
  /** Flushes and closes the database. */
  close(): Promise<void>;
}

function openUsageDatabase(): Promise<IDBPDatabase<UsageSchema>> {
  return openDB<UsageSchema>(usageDatabaseName, usageDatabaseVersion, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) database.createObjectStore('days', { keyPath: 'day' });
      if (oldVersion < 2) database.createObjectStore('people', { keyPath: 'id' });
    },
  });
}

/** What the ledger last wrote: today's and lifetime counts, this month's bytes and today's countries. */
export interface StoredUsage extends SharingTotals {
  monthBytes: number;
  countriesToday: string[];
}

/**
 * Reads the counts the engine last wrote, for a page that shows them while the engine is not
 * running (sharing off). Opens the database and closes it again, so it never holds up an upgrade.
 */
export async function readStoredUsage(now: () => Date = () => new Date()): Promise<StoredUsage> {
  const db = await openUsageDatabase();
  try {
    const [days, people] = await Promise.all([db.getAll('days'), db.getAll('people')]);
    const today = localDayKey(now());
    const record = days.find((day) => day.day === today);
    return {
      today: { people: people.filter((person) => person.lastDay === today).length, bytes: record?.bytesServed ?? 0, seconds: record?.secondsShared ?? 0 },
      lifetime: {
        people: people.length,
        bytes: days.reduce((sum, day) => sum + day.bytesServed, 0),
        seconds: days.reduce((sum, day) => sum + (day.secondsShared ?? 0), 0),
      },
      monthBytes: days.filter((day) => day.day.startsWith(today.slice(0, 7))).reduce((sum, day) => sum + day.bytesServed, 0),
      countriesToday: record?.countries ?? [],
    };
  } finally {
    db.close();
  }
}

/** Opens the ledger; `now` is the clock (tests shorten days). */
export async function openUsageLedger(now: () => Date = () => new Date()): Promise<UsageLedger> {
  const db = await openUsageDatabase();
  const days = new Map<string, DayUsage>();
  const dirty = new Set<string>();
  const people = new Map<string, PersonHelped>();
  const dirtyPeople = new Set<string>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const monthPrefix = (day: string): string => day.slice(0, 7);
  const startKey = localDayKey(now());
  // This month's days are kept in memory (the caps and the popup read them); earlier days only add
  // to the lifetime sums, which never count a day twice because the two sets are disjoint.
  const earlier = { bytes: 0, seconds: 0 };
  for (const record of await db.getAll('days')) {
    if (record.day.startsWith(monthPrefix(startKey))) days.set(record.day, record);
    else {
      earlier.bytes += record.bytesServed;
      earlier.seconds += record.secondsShared ?? 0;
    }
  }
  for (const person of await db.getAll('people')) people.set(person.id, person);

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
    if (dirty.size === 0 && dirtyPeople.size === 0) return;
    const keys = [...dirty];
    const records = keys.map((key) => days.get(key)).filter((r): r is DayUsage => r !== undefined);
    const ids = [...dirtyPeople];
    const persons = ids.map((id) => people.get(id)).filter((p): p is PersonHelped => p !== undefined);
    dirty.clear();
    dirtyPeople.clear();
    try {
      // One transaction: the day's bytes and the people they went to are written together.
      const tx = db.transaction(['days', 'people'], 'readwrite');
      await Promise.all([
        ...records.map((record) => tx.objectStore('days').put({ ...record, countries: [...record.countries] })),
        ...persons.map((person) => tx.objectStore('people').put({ ...person })),
        tx.done,
      ]);
    } catch (error) {
      // Not written: keep them for the next flush rather than lose the counts.
      for (const key of keys) markDirty(key);
      for (const id of ids) markPersonDirty(id);
      throw error;
    }
  }

  function scheduleFlush(): void {
    if (flushTimer === undefined && !closed) flushTimer = setTimeout(() => void flush().catch(() => {}), usageFlushIntervalMs);
  }

  function markDirty(day: string): void {
    dirty.add(day);
    scheduleFlush();
  }

  function markPersonDirty(id: string): void {
    dirtyPeople.add(id);
    scheduleFlush();
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
    noteHelped(client) {
      const day = today().day;
      const person = people.get(client);
      if (person?.lastDay === day) return;
      people.set(client, person ? { ...person, lastDay: day } : { id: client, firstDay: day, lastDay: day });
      markPersonDirty(client);
    },
    addSharedTime(ms) {
      if (!(ms > 0)) return;
      const record = today();
      record.secondsShared = (record.secondsShared ?? 0) + ms / 1000;
      markDirty(record.day);
    },
    totals() {
      const record = today();
      let bytes = earlier.bytes;
      let seconds = earlier.seconds;
      for (const day of days.values()) {
        bytes += day.bytesServed;
        seconds += day.secondsShared ?? 0;
      }
      let peopleToday = 0;
      for (const person of people.values()) if (person.lastDay === record.day) peopleToday++;
      return {
        today: { people: peopleToday, bytes: record.bytesServed, seconds: record.secondsShared ?? 0 },
        lifetime: { people: people.size, bytes, seconds },
      };
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
