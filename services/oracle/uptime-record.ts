// What one oracle saw of each donor's uptime, per reward epoch: challenges sent, valid answers,
// misses, refused answers and latency. Pure bookkeeping (no clock, no network), so the epoch's
// availability figures can be checked and replayed in a unit test.
import type { UptimeErrorCode } from '../../protocol/uptime-challenge.ts';

/** One donor's figures in one epoch. */
export interface DonorUptime {
  /** Challenges this oracle sent the donor. */
  readonly sent: number;
  /** Answers that verified and arrived before the deadline. */
  readonly valid: number;
  /** Challenges with no valid answer by the deadline. */
  readonly missed: number;
  /** Answers refused (forged, replayed, late, another donor's…), by reason. */
  readonly refused: Readonly<Partial<Record<UptimeErrorCode, number>>>;
  /** Latency of the valid answers, in milliseconds. */
  readonly latencyMs: { readonly total: number; readonly max: number };
  /** The payment address the donor's last valid answer proved. */
  readonly paymentAddress?: string;
}

export interface UptimeRecord {
  /** A challenge went out to `donor`. */
  sent(epoch: number, donor: string): void;
  /** A valid answer came back. */
  answered(epoch: number, donor: string, latencyMs: number, paymentAddress: string): void;
  /** A challenge's deadline passed with no valid answer. */
  missed(epoch: number, donor: string): void;
  /** An answer from `donor` (the peer that sent it) was refused. */
  refused(epoch: number, donor: string, code: UptimeErrorCode): void;
  /** Every donor's figures in `epoch` (copies). */
  epoch(epoch: number): Map<string, DonorUptime>;
  /** Epochs with any record, ascending. */
  epochs(): number[];
  /** Drops every epoch before `epoch` (once its root is posted). */
  forgetBefore(epoch: number): void;
}

interface MutableUptime {
  sent: number;
  valid: number;
  missed: number;
  refused: Partial<Record<UptimeErrorCode, number>>;
  latencyMs: { total: number; max: number };
  paymentAddress?: string;
}

/** The share of challenges answered validly (0 when none was sent). */
export function availability(uptime: DonorUptime): number {
  // Capped at 1: answers are matched to challenges upstream, but a bookkeeping slip must never pay extra.
  return uptime.sent === 0 ? 0 : Math.min(1, uptime.valid / uptime.sent);
}

/** Mean latency of the valid answers in milliseconds, or undefined when there were none. */
export function meanLatencyMs(uptime: DonorUptime): number | undefined {
  return uptime.valid === 0 ? undefined : uptime.latencyMs.total / uptime.valid;
}

/** An empty record. */
export function createUptimeRecord(): UptimeRecord {
  const epochs = new Map<number, Map<string, MutableUptime>>();

  function entry(epoch: number, donor: string): MutableUptime {
    let donors = epochs.get(epoch);
    if (!donors) epochs.set(epoch, (donors = new Map()));
    let uptime = donors.get(donor);
    if (!uptime) donors.set(donor, (uptime = { sent: 0, valid: 0, missed: 0, refused: {}, latencyMs: { total: 0, max: 0 } }));
    return uptime;
  }

  return {
    sent(epoch, donor) {
      entry(epoch, donor).sent += 1;
    },
    answered(epoch, donor, latencyMs, paymentAddress) {
      const uptime = entry(epoch, donor);
      uptime.valid += 1;
      uptime.latencyMs.total += latencyMs;
      uptime.latencyMs.max = Math.max(uptime.latencyMs.max, latencyMs);
      uptime.paymentAddress = paymentAddress;
    },
    missed(epoch, donor) {
      entry(epoch, donor).missed += 1;
    },
    refused(epoch, donor, code) {
      const uptime = entry(epoch, donor);
      uptime.refused[code] = (uptime.refused[code] ?? 0) + 1;
    },
    epoch(epoch) {
      const out = new Map<string, DonorUptime>();
      for (const [donor, uptime] of epochs.get(epoch) ?? []) {
        out.set(donor, { ...uptime, refused: { ...uptime.refused }, latencyMs: { ...uptime.latencyMs } });
      }
      return out;
    },
    epochs: () => [...epochs.keys()].sort((a, b) => a - b),
    forgetBefore(epoch) {
      for (const key of epochs.keys()) if (key < epoch) epochs.delete(key);
    },
  };
}
