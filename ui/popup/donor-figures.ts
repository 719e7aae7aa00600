// The figures the popup shows: the engine's own while it runs (its status carries them, live), and
// what its ledger last wrote while it does not (sharing off, or just starting), so "in total" never
// drops to zero because sharing is off.
import { createEffect, createSignal, type Accessor } from 'solid-js';
import type { DonorStatus } from '../../protocol/runtime-messages.ts';

/** People helped, bytes served and seconds connected. */
export interface Counts {
  people: number;
  bytes: number;
  seconds: number;
}

/** What the ledger holds (offscreen/metering/usage-ledger.ts `readStoredUsage`). */
export interface StoredFigures {
  today: Counts;
  lifetime: Counts;
  monthBytes: number;
  countriesToday: readonly string[];
}

const none: StoredFigures = { today: { people: 0, bytes: 0, seconds: 0 }, lifetime: { people: 0, bytes: 0, seconds: 0 }, monthBytes: 0, countriesToday: [] };

/** Whether `status` comes from a running engine (which reports its lifetime counts). */
export function isLive(status: DonorStatus): boolean {
  return status.lifetime !== undefined;
}

/** The engine's figures when it runs, else the stored ones (zero before anything is stored). */
export function donorFigures(status: DonorStatus, stored: StoredFigures | undefined): StoredFigures {
  if (status.lifetime === undefined) return stored ?? none;
  return {
    today: { people: status.peopleToday ?? 0, bytes: status.bytesToday, seconds: status.sharedSecondsToday ?? 0 },
    lifetime: { people: status.lifetime.people, bytes: status.lifetime.bytes, seconds: status.lifetime.sharedSeconds },
    monthBytes: status.bytesThisMonth,
    countriesToday: status.countriesToday,
  };
}

/** The stored figures, read again each time the status stops being live (the engine wrote them as it stopped). */
export function createStoredFigures(read: () => Promise<StoredFigures>, live: Accessor<boolean>): Accessor<StoredFigures | undefined> {
  const [stored, setStored] = createSignal<StoredFigures>();
  createEffect(() => {
    if (live()) return;
    read().then(
      (figures) => setStored(figures),
      (error: unknown) => console.warn('porchlight: could not read the shared totals', error),
    );
  });
  return stored;
}
