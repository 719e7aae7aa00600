// The exit's meter for a donor: counts every body byte it serves, uploaded and downloaded, into the
// usage ledger (by the client's country, and the client as a person helped), refuses bytes past the daily or monthly cap, and holds
// each person to the rate limit in both directions.
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { ExitCapReached, type ExitMeter } from '../exit/exit-meter.ts';
import { createTokenBucket, type TokenBucket } from './token-bucket.ts';
import type { UsageLedger } from './usage-ledger.ts';

export interface DonorMeter extends ExitMeter {
  /** Applies changed caps or rate limits at once. */
  update(settings: DonorSettings): void;
  /** The country a client connects from, for the ledger. */
  noteClient(client: string, country: string): void;
  forgetClient(client: string): void;
  /** Called once when a cap is reached, so the engine can stop listing this donor. */
  onCapReached(listener: () => void): void;
}

/** A meter over `ledger` with the caps and rate of `settings`. */
export function createDonorMeter(ledger: UsageLedger, settings: DonorSettings): DonorMeter {
  let current = settings;
  const buckets = new Map<string, TokenBucket>();
  const countries = new Map<string, string>();
  const capListeners: Array<() => void> = [];
  // Listeners hear of a reached cap once, not on every refused chunk; a take under the cap (a raised
  // cap, a new day) re-arms them.
  let capAnnounced = false;

  const capReached = (): boolean => {
    const { todayBytes, monthBytes } = ledger.snapshot();
    return (current.dailyCapBytes !== null && todayBytes >= current.dailyCapBytes) || (current.monthlyCapBytes !== null && monthBytes >= current.monthlyCapBytes);
  };

  return {
    async take(client, bytes, signal) {
      if (capReached()) {
        if (!capAnnounced) {
          capAnnounced = true;
          for (const listener of capListeners) listener();
        }
        throw new ExitCapReached();
      }
      capAnnounced = false;
      if (current.perPersonBytesPerSecond !== null) {
        let bucket = buckets.get(client);
        if (!bucket) {
          bucket = createTokenBucket(current.perPersonBytesPerSecond);
          buckets.set(client, bucket);
        }
        await bucket.take(bytes, signal);
      }
      ledger.add(bytes, countries.get(client));
      ledger.noteHelped(client);
    },
    update(settings) {
      if (settings.perPersonBytesPerSecond !== current.perPersonBytesPerSecond) buckets.clear();
      current = settings;
    },
    noteClient(client, country) {
      countries.set(client, country);
      ledger.addCountry(country);
    },
    forgetClient(client) {
      countries.delete(client);
      buckets.delete(client);
    },
    onCapReached(listener) {
      capListeners.push(listener);
    },
  };
}
