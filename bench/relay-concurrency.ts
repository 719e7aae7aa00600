// relay-concurrency: 64 downloads at once through one tunnel against one download of the same
// total, and how evenly the tunnel shares the link between the streams.
//
// Chromium opens at most 6 HTTP/1.1 connections per origin, so the donor's browser fetches at
// most 6 of the 64 at a time from the (HTTP/1.1) test origin; the others wait for a connection
// inside the donor's fetch. Fairness is therefore reported two ways: per-stream throughput while a
// stream is actually receiving (what the tunnel's scheduler decides), and the completion-time
// spread (which also includes the wait for a connection).
import { fetchBatchIn, fetchDiscardIn } from '../tests/support/browser-harness.ts';
import { mib, rate, round, throughputComparison, type Benchmark } from './context.ts';

const streams = 64;
const perStreamBytes = 4 * mib;
const targetRatio = 0.85;

export const relayConcurrency: Benchmark = {
  name: 'relay-concurrency',
  async run(context) {
    const each = context.scaled(perStreamBytes);
    const total = each * streams;
    const urls = Array.from({ length: streams }, (_, i) => context.bytesUrl(each, `concurrency-${i}`));
    const batch = await fetchBatchIn(context.client.page, urls);
    const short = batch.find((entry) => entry.bytes !== each);
    if (short) throw new Error(`a parallel download delivered ${short.bytes} of ${each} bytes`);
    const batchMs = Math.max(...batch.map((entry) => entry.doneMs));
    const single = await fetchDiscardIn(context.client.page, context.bytesUrl(total, 'concurrency-single'));
    if (single.bytes !== total) throw new Error(`the single download delivered ${single.bytes} of ${total} bytes`);
    const value = rate(total, batchMs);
    const baseline = rate(total, single.ms);
    const activeRates = batch.map((entry) => rate(entry.bytes, Math.max(1, entry.doneMs - entry.firstByteMs)));
    const done = batch.map((entry) => entry.doneMs);
    return {
      ...throughputComparison('relay-concurrency', value, baseline, targetRatio),
      streams,
      bytesPerStream: each,
      // Per-stream MB/s from its first to its last byte; min/max near 1 means an even share.
      streamRateMinMBps: round(Math.min(...activeRates)),
      streamRateMaxMBps: round(Math.max(...activeRates)),
      fairnessMinOverMax: round(Math.min(...activeRates) / Math.max(...activeRates)),
      // Completion times; includes waiting for one of Chromium's 6 connections to the origin.
      completionFastestMs: round(Math.min(...done), 1),
      completionSlowestMs: round(Math.max(...done), 1),
      completionSpread: round(Math.max(...done) / Math.min(...done)),
    };
  },
};
