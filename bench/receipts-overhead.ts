// receipts-overhead: relay throughput with payment receipts on (a channel, a credit window, a
// signed receipt every W/2 bytes or 2 s, both ledgers in IndexedDB as in the extension) against
// the same download with receipts off (both sides unmetered), between the same two Chromium
// processes. Rounds come in pairs of adjacent off/on rounds (off on, on off, ...); before each,
// both pages restart their donor and client in that round's mode and dial with a warm-up fetch, so
// every round starts on a fresh link and, with receipts on, a fresh channel. The verdict is the
// median of the per-pair ratios; pairs are added until that median is known to ±0.02 (95%), or the
// time budget is spent.
import type { Page } from 'puppeteer-core';
import { frameHeaderBytes } from '../protocol/frame-types.ts';
import { receiptFrameBytes } from '../protocol/receipt.ts';
import { receiptIntervalMs } from '../offscreen/payments/client-payments.ts';
import type { ChannelCounts } from '../offscreen/payments/channel-payments.ts';
import type { TunnelStats } from '../offscreen/tunnel/tunnel.ts';
import type { PageLedger, ReceiptEvent } from '../tests/support/peer-page.ts';
import { connectRawChannel, donorStatsIn, fetchDiscardIn, startClientIn, startDonorIn, stopIn } from '../tests/support/browser-harness.ts';
import { median, mib, rate, round, type BenchContext, type Benchmark } from './context.ts';
import { meterTreeCpu } from './process-cpu.ts';

const name = 'receipts-overhead';
/** Each round's download. */
const fullBytes = 64 * mib;
/** Pairs before the verdict may stop: enough that one burst of load elsewhere does not decide it. */
const minPairs = 8;
/** Pairs at most, whatever the spread. */
const maxPairs = 60;
/** The pair-ratio median's 95% confidence half-width at which enough pairs ran: two runs then agree within about ±0.03. */
const targetHalfWidth = 0.02;
/**
 * Wall time after which no further pair starts (scaled by BENCH_SCALE, at least 60 s). On the
 * loaded 2-core machine a pair takes 20–30 s and single pair ratios spread by ±0.05–0.1: 5 minutes
 * (about 11 pairs) left the median's interval at ±0.06, so two runs disagreed by more than ±0.03.
 */
const budgetMs = 12 * 60_000;
/** As the shared context's: dials the donor, so no round times the WebRTC handshake. */
const warmupBytes = 1 * mib;
const targetRatio = 0.97;
/** Receipt bytes per payload byte. */
const targetReceiptShare = 0.001;
/** A RECEIPT frame on the wire: tunnel frame header and the fixed payload. */
const receiptWireBytes = frameHeaderBytes + receiptFrameBytes;
/** The client signs for the last bytes within one receipt interval; then the donor verifies and stores. */
const paidTimeoutMs = receiptIntervalMs + 3_000;
const paidPollMs = 50;
/** What an honest user's extension does: each receipt in IndexedDB, durably, on both sides. */
const ledger: PageLedger = 'indexeddb';
/** CPU sampling of each browser's process tree during a timed download. */
const cpuSampleMs = 250;

export type Mode = 'off' | 'on';

/** The donor's newest link, as its counters stood at one moment. */
interface LinkSnapshot {
  tunnel: TunnelStats;
  channel: ChannelCounts;
}

async function newestLink(context: BenchContext): Promise<LinkSnapshot> {
  const stats = await donorStatsIn(context.donor.page);
  const tunnel = stats.tunnels.at(-1);
  const channel = stats.channels.at(-1);
  if (!tunnel || !channel) throw new Error('the donor page has no link');
  return { tunnel, channel };
}

const receiptEventsIn = (page: Page): Promise<ReceiptEvent[]> => page.evaluate(() => window.porchlight.receiptEvents());

/** Restarts donor and client in `mode` and dials with the warm-up fetch. @throws {Error} if it dialed no new link. */
export async function restart(context: BenchContext, mode: Mode | 'default', rawChannel = false): Promise<void> {
  const { donor, client, harness } = context;
  // Read while the donor runs: its stats are gone until it starts again (the list of links stays).
  // After a failed round it may not be running; then the check below is skipped.
  const linksBefore = await donorStatsIn(donor.page).then((stats) => stats.tunnels.length, () => undefined);
  await Promise.all([stopIn(donor.page), stopIn(client.page)]);
  const options = mode === 'default' ? {} : { receipts: mode === 'on', ledger };
  await startDonorIn(donor.page, harness.signaling.url, options);
  await startClientIn(client.page, harness.signaling.url, options);
  const warmup = await fetchDiscardIn(client.page, context.bytesUrl(warmupBytes, `receipts-warmup-${mode}`));
  if (warmup.bytes !== warmupBytes) throw new Error(`warm-up delivered ${warmup.bytes} of ${warmupBytes} bytes`);
  const linksAfter = (await donorStatsIn(donor.page)).tunnels.length;
  if (linksBefore !== undefined && linksAfter !== linksBefore + 1) throw new Error(`the warm-up dialed ${linksAfter - linksBefore} new links to the restarted donor, expected 1`);
  if (rawChannel) await connectRawChannel(donor.page, client.page);
}

/** Waits until the donor holds a receipt for every byte it sent on its newest link. */
export async function whenPaid(context: BenchContext): Promise<{ link: LinkSnapshot; waitedMs: number; paid: boolean }> {
  const start = Date.now();
  for (;;) {
    const link = await newestLink(context);
    const paid = link.channel.receiptBytes === link.channel.sentBytes;
    const waitedMs = Date.now() - start;
    if (paid || waitedMs >= paidTimeoutMs) return { link, waitedMs, paid };
    await new Promise((resolve) => setTimeout(resolve, paidPollMs));
  }
}

/** Polls the donor's counters as whenPaid does, for `ms`: the idle of a round without receipts. */
async function idle(context: BenchContext, ms: number): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    await newestLink(context);
    await new Promise((resolve) => setTimeout(resolve, paidPollMs));
  }
}

/**
 * The 95% confidence interval of the median of `values` (distribution-free, from order statistics:
 * ranks n/2 ± 0.98·√n), or undefined with fewer than 6 values.
 */
export function medianInterval(values: readonly number[]): { low: number; high: number } | undefined {
  if (values.length < 6) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const spread = 0.98 * Math.sqrt(n);
  const low = Math.max(0, Math.floor(n / 2 - spread) - 1);
  const high = Math.min(n - 1, Math.ceil(n / 2 + spread) - 1);
  return { low: sorted[low]!, high: sorted[high]! }; // both clamped to the list
}

interface RoundResult {
  mode: Mode;
  ms: number;
  /** CPU seconds of the donor's and the client's Chromium process trees during the download. */
  cpuSeconds: number;
  /** The same by browser and process kind ('donor renderer', 'client browser', …). */
  cpuByKind: Record<string, number>;
}

interface OnRound {
  /** RECEIPT frames the donor received while the round's bytes were paid for. */
  receiptFrames: number;
  /** Bytes the donor received on the link other than stream frames (receipts and the client's WINDOW frames). */
  linkBytes: number;
  /** Stream-frame bytes the donor sent for the download. */
  streamBytes: number;
  windowBytes: number;
  /** Times, and total ms, the donor held frames back for want of a receipt during the round. */
  holds: number;
  heldMs: number;
  /** ms the donor spent verifying the round's receipts, and waiting for them to be stored. */
  verifyMs: number;
  storeMs: number;
  /** The client's ms signing the round's receipts. */
  signMs: number;
  /** The least room the donor's window had left when one of the round's receipts was verified, bytes. */
  leastRoomBytes: number;
  /** Median ms from the client sending a receipt (stored) to the donor having verified and stored it. */
  receiptLatencyMs: number;
  trailingReceiptMs: number;
  paid: boolean;
}

/** Receipts of `channelId` above `fromBytes` up to `toBytes`. */
function receiptsOf(events: readonly ReceiptEvent[], channelId: string | undefined, fromBytes: number, toBytes: number): ReceiptEvent[] {
  return events.filter((e) => e.channelId === channelId && e.cumBytes > fromBytes && e.cumBytes <= toBytes);
}

export const receiptsOverhead: Benchmark = {
  name,
  async run(context) {
    const perRound = context.scaled(fullBytes);
    const budget = Math.max(60_000, budgetMs * Math.min(1, context.scale));
    const started = Date.now();
    /** How long the last receipts-on round waited for the warm-up to be paid (the first off round assumes one interval). */
    let lastPaidWaitMs = receiptIntervalMs;
    const rounds: RoundResult[] = [];
    const onRounds: OnRound[] = [];
    const pairRatios: number[] = [];
    const cpuPairRatios: number[] = [];
    let stoppedBecause = 'max-pairs';
    let failed = false;

    async function runRound(i: number, mode: Mode): Promise<RoundResult> {
      await restart(context, mode);
      // The warm-up's last receipt must not count against the round. Waiting for it leaves the
      // link idle for about 2 s; the round without receipts idles as long, so both start alike.
      // It idles the same way too: polling the donor's counters as whenPaid does.
      const idleStart = Date.now();
      const before = mode === 'on' ? await whenPaid(context) : undefined;
      if (mode === 'off') await idle(context, lastPaidWaitMs);
      else lastPaidWaitMs = Date.now() - idleStart;
      const clientBefore = mode === 'on' ? await client() : undefined;
      // An idle SCTP association shrinks its congestion window: warm both modes up again, so each
      // round starts equally hot.
      const rewarm = await fetchDiscardIn(context.client.page, context.bytesUrl(warmupBytes, `receipts-rewarm-${i}`));
      if (rewarm.bytes !== warmupBytes) throw new Error(`round ${i} rewarm delivered ${rewarm.bytes} of ${warmupBytes} bytes`);
      const cpu = [context.donor, context.client].map((peer) => meterTreeCpu(peer.browser.process()!.pid!, cpuSampleMs)); // launched by puppeteer: each has a process
      const timing = await fetchDiscardIn(context.client.page, context.bytesUrl(perRound, `receipts-${i}`));
      const usage = cpu.map((meter) => meter.stop());
      const cpuSeconds = usage.reduce((sum, u) => sum + u.cpuSecondsTotal, 0);
      const cpuByKind: Record<string, number> = {};
      usage.forEach((u, peer) => {
        for (const [kind, seconds] of Object.entries(u.cpuSecondsByKind)) if (seconds > 0) cpuByKind[`${peer === 0 ? 'donor' : 'client'} ${kind}`] = seconds;
      });
      if (timing.bytes !== perRound) throw new Error(`round ${i} (receipts ${mode}) delivered ${timing.bytes} of ${perRound} bytes`);
      if (before && clientBefore) {
        const after = await whenPaid(context);
        const clientAfter = await client();
        const channelId = after.link.channel.channelId;
        const donorReceipts = receiptsOf(await receiptEventsIn(context.donor.page), channelId, before.link.channel.receiptBytes, after.link.channel.receiptBytes);
        const clientReceipts = new Map(receiptsOf(await receiptEventsIn(context.client.page), channelId, before.link.channel.receiptBytes, after.link.channel.receiptBytes).map((e) => [e.cumBytes, e.at]));
        const latencies = donorReceipts.flatMap((e) => (clientReceipts.has(e.cumBytes) ? [e.at - clientReceipts.get(e.cumBytes)!] : [])); // has() checked
        const streamReceived = after.link.channel.receivedBytes - before.link.channel.receivedBytes;
        const delta = (pick: (c: ChannelCounts) => number | undefined): number => (pick(after.link.channel) ?? 0) - (pick(before.link.channel) ?? 0);
        onRounds.push({
          receiptFrames: delta((c) => c.receiptFrames),
          linkBytes: after.link.tunnel.bytesReceived - before.link.tunnel.bytesReceived - streamReceived,
          streamBytes: delta((c) => c.sentBytes),
          windowBytes: after.link.channel.windowBytes,
          holds: delta((c) => c.holds),
          heldMs: delta((c) => c.heldMs),
          verifyMs: delta((c) => c.receiptCpuMs),
          storeMs: delta((c) => c.receiptStoreMs),
          signMs: (clientAfter.receiptCpuMs ?? 0) - (clientBefore.receiptCpuMs ?? 0),
          leastRoomBytes: Math.min(...donorReceipts.map((e) => e.roomBytes ?? Infinity)),
          receiptLatencyMs: latencies.length > 0 ? median(latencies) : NaN,
          trailingReceiptMs: after.waitedMs,
          paid: after.paid,
        });
      }
      return { mode, ms: timing.ms, cpuSeconds, cpuByKind };
    }

    /** The client page's counts of its newest link. */
    async function client(): Promise<ChannelCounts> {
      return context.client.page.evaluate(() => window.porchlight.clientCounts());
    }

    try {
      for (let pair = 0; pair < maxPairs; pair++) {
        // off on, on off, off on, on off: a trend over the run lands on both modes alike.
        const order: Mode[] = pair % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
        const results: RoundResult[] = [];
        for (const mode of order) results.push(await runRound(rounds.length + results.length, mode));
        rounds.push(...results);
        const on = results.find((r) => r.mode === 'on')!;
        const off = results.find((r) => r.mode === 'off')!; // one of each
        pairRatios.push(off.ms / on.ms);
        cpuPairRatios.push(off.cpuSeconds / on.cpuSeconds);
        if (pairRatios.length < minPairs) continue;
        const interval = medianInterval(pairRatios)!; // at least minPairs values
        if ((interval.high - interval.low) / 2 <= targetHalfWidth) {
          stoppedBecause = 'converged';
          break;
        }
        // Each pair takes about as long as the last one did.
        const elapsed = Date.now() - started;
        if (elapsed + elapsed / pairRatios.length > budget) {
          stoppedBecause = 'time-budget';
          break;
        }
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // Leave the pair as the shared context made it for the benchmarks that follow.
      await restart(context, 'default', true).catch((error: unknown) => {
        if (!failed) throw error;
        console.error(`${name}: could not restore the browser pair: ${String(error)}`);
      });
    }

    /** Mean CPU seconds per round of `mode`, by browser and process kind. */
    const cpuByKindOf = (mode: Mode): Record<string, number> => {
      const of = rounds.filter((r) => r.mode === mode);
      const sums: Record<string, number> = {};
      for (const r of of) for (const [kind, seconds] of Object.entries(r.cpuByKind)) sums[kind] = (sums[kind] ?? 0) + seconds;
      return Object.fromEntries(Object.entries(sums).map(([kind, seconds]) => [kind, round(seconds / of.length, 2)]));
    };
    const msOf = (mode: Mode): number => rounds.filter((r) => r.mode === mode).reduce((sum, r) => sum + r.ms, 0);
    const bytes = perRound * pairRatios.length;
    const value = rate(bytes, msOf('on'));
    const baseline = rate(bytes, msOf('off'));
    const pairRatioMedian = median(pairRatios);
    const interval = medianInterval(pairRatios);
    // Counted at the donor, frame by frame: RECEIPT frames only.
    const receiptFrames = onRounds.reduce((sum, r) => sum + r.receiptFrames, 0);
    const receiptBytes = receiptFrames * receiptWireBytes;
    const receiptShare = receiptBytes / bytes;
    const onRoundsMs = onRounds.map((_, i) => rounds.filter((r) => r.mode === 'on')[i]!.ms); // one per on round
    return {
      name,
      value: round(value),
      baseline: round(baseline),
      ratio: round(pairRatioMedian),
      unit: 'MB/s',
      target: `pairRatioMedian >= ${targetRatio} and receiptShare <= ${targetReceiptShare}`,
      pass: pairRatioMedian >= targetRatio && receiptShare <= targetReceiptShare,
      bytesPerRound: perRound,
      pairs: pairRatios.length,
      stoppedBecause,
      pairRatioMedian: round(pairRatioMedian),
      pairRatioInterval95: interval ? [round(interval.low), round(interval.high)] : null,
      pairRatios: pairRatios.map((r) => round(r)),
      totalRatio: round(value / baseline),
      cpuPairRatioMedian: round(median(cpuPairRatios)),
      cpuPairRatios: cpuPairRatios.map((r) => round(r)),
      cpuSecondsPerRoundByKind: { on: cpuByKindOf('on'), off: cpuByKindOf('off') },
      roundMs: rounds.map((r) => ({ mode: r.mode, ms: round(r.ms, 1), cpuSeconds: round(r.cpuSeconds, 2) })),
      ledger,
      receiptBytes,
      receiptShare: round(receiptShare, 7),
      receiptFrames,
      receiptsPerSecond: round(receiptFrames / (msOf('on') / 1000), 2),
      // Upper bound, measured on the wire: all non-stream bytes the donor received, the client's WINDOW frames included.
      linkBytesShare: round(onRounds.reduce((sum, r) => sum + r.linkBytes, 0) / bytes, 7),
      windowBytesAtEnd: onRounds.map((r) => r.windowBytes),
      // Time the donor held frames back for want of a receipt, per round (the credit window's own cost).
      heldMsPerRound: onRounds.map((r) => round(r.heldMs, 1)),
      holdsPerRound: onRounds.map((r) => r.holds),
      heldShare: round(onRounds.reduce((sum, r) => sum + r.heldMs, 0) / onRoundsMs.reduce((a, b) => a + b, 0), 4),
      leastRoomKiBPerRound: onRounds.map((r) => round(r.leastRoomBytes / 1024, 0)),
      receiptLatencyMedianMsPerRound: onRounds.map((r) => round(r.receiptLatencyMs, 1)),
      // The pages' own time per round: the donor verifying and storing receipts, the client signing them.
      verifyMsPerRound: onRounds.map((r) => round(r.verifyMs, 1)),
      storeMsPerRound: onRounds.map((r) => round(r.storeMs, 1)),
      signMsPerRound: onRounds.map((r) => round(r.signMs, 1)),
      trailingReceiptMs: onRounds.map((r) => r.trailingReceiptMs),
      allPaid: onRounds.every((r) => r.paid),
    };
  },
};
