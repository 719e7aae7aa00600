// receipts-overhead: relay throughput with payment receipts on (a channel, a credit window, a
// signed receipt every W/2 bytes or 2 s) against the same download with receipts off (both sides
// unmetered), between the same two Chromium processes. The rounds alternate the two modes (off on,
// on off, ...); before each, both pages restart their donor and client in that mode and dial with a
// warm-up fetch, so every round starts on a fresh link and, with receipts on, a fresh channel.
import { frameHeaderBytes } from '../protocol/frame-types.ts';
import { receiptFrameBytes } from '../protocol/receipt.ts';
import { receiptIntervalMs } from '../offscreen/payments/client-payments.ts';
import type { ChannelCounts } from '../offscreen/payments/channel-payments.ts';
import type { TunnelStats } from '../offscreen/tunnel/tunnel.ts';
import { connectRawChannel, donorStatsIn, fetchDiscardIn, startClientIn, startDonorIn, stopIn } from '../tests/support/browser-harness.ts';
import { median, mib, rate, round, type BenchContext, type Benchmark } from './context.ts';

const name = 'receipts-overhead';
/** Each round's download. */
const fullBytes = 64 * mib;
/** Alternating modes, half each: enough pairs that one burst of load elsewhere does not decide the ratio. */
const rounds = 16;
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

type Mode = 'off' | 'on';

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

/** Restarts donor and client in `mode` and dials with the warm-up fetch. @throws {Error} if it dialed no new link. */
async function restart(context: BenchContext, mode: Mode | 'default', rawChannel = false): Promise<void> {
  const { donor, client, harness } = context;
  // Read while the donor runs: its stats are gone until it starts again (the list of links stays).
  // After a failed round it may not be running; then the check below is skipped.
  const linksBefore = await donorStatsIn(donor.page).then((stats) => stats.tunnels.length, () => undefined);
  await Promise.all([stopIn(donor.page), stopIn(client.page)]);
  const options = mode === 'default' ? {} : { receipts: mode === 'on' };
  await startDonorIn(donor.page, harness.signaling.url, options);
  await startClientIn(client.page, harness.signaling.url, options);
  const warmup = await fetchDiscardIn(client.page, context.bytesUrl(warmupBytes, `receipts-warmup-${mode}`));
  if (warmup.bytes !== warmupBytes) throw new Error(`warm-up delivered ${warmup.bytes} of ${warmupBytes} bytes`);
  const linksAfter = (await donorStatsIn(donor.page)).tunnels.length;
  if (linksBefore !== undefined && linksAfter !== linksBefore + 1) throw new Error(`the warm-up dialed ${linksAfter - linksBefore} new links to the restarted donor, expected 1`);
  if (rawChannel) await connectRawChannel(donor.page, client.page);
}

/** Waits until the donor holds a receipt for every byte it sent on its newest link. */
async function whenPaid(context: BenchContext): Promise<{ link: LinkSnapshot; waitedMs: number; paid: boolean }> {
  const start = Date.now();
  for (;;) {
    const link = await newestLink(context);
    const paid = link.channel.receiptBytes === link.channel.sentBytes;
    const waitedMs = Date.now() - start;
    if (paid || waitedMs >= paidTimeoutMs) return { link, waitedMs, paid };
    await new Promise((resolve) => setTimeout(resolve, paidPollMs));
  }
}

interface OnRound {
  /** Bytes the donor received on the link other than stream frames, while the round's bytes were paid for. */
  linkBytes: number;
  /** Stream-frame bytes the donor sent for the download. */
  streamBytes: number;
  windowBytes: number;
  /** Times, and total ms, the donor held frames back for want of a receipt during the round. */
  holds: number;
  heldMs: number;
  /** ms the donor spent verifying the round's receipts. */
  verifyMs: number;
  trailingReceiptMs: number;
  paid: boolean;
}

export const receiptsOverhead: Benchmark = {
  name,
  async run(context) {
    const perRound = context.scaled(fullBytes);
    /** How long the last receipts-on round waited for the warm-up to be paid (the first off round assumes one interval). */
    let lastPaidWaitMs = receiptIntervalMs;
    const ms: Record<Mode, number> = { off: 0, on: 0 };
    const roundMs: Array<{ mode: Mode; ms: number }> = [];
    const onRounds: OnRound[] = [];
    let failed = false;
    try {
      for (let i = 0; i < rounds; i++) {
        // off on, on off, off on, on off: a trend over the run lands on both modes alike.
        const mode: Mode = ((i + 1) >> 1) % 2 === 0 ? 'off' : 'on';
        await restart(context, mode);
        // The warm-up's last receipt must not count against the round. Waiting for it leaves the
        // link idle for about 2 s; the round without receipts idles as long, so both start alike.
        const idleStart = Date.now();
        const before = mode === 'on' ? await whenPaid(context) : undefined;
        if (mode === 'off') await new Promise((resolve) => setTimeout(resolve, lastPaidWaitMs));
        else lastPaidWaitMs = Date.now() - idleStart;
        // An idle SCTP association shrinks its congestion window: warm both modes up again, so each
        // round starts equally hot.
        const rewarm = await fetchDiscardIn(context.client.page, context.bytesUrl(warmupBytes, `receipts-rewarm-${i}`));
        if (rewarm.bytes !== warmupBytes) throw new Error(`round ${i} rewarm delivered ${rewarm.bytes} of ${warmupBytes} bytes`);
        const timing = await fetchDiscardIn(context.client.page, context.bytesUrl(perRound, `receipts-${i}`));
        if (timing.bytes !== perRound) throw new Error(`round ${i} (receipts ${mode}) delivered ${timing.bytes} of ${perRound} bytes`);
        ms[mode] += timing.ms;
        roundMs.push({ mode, ms: round(timing.ms, 1) });
        if (before) {
          const after = await whenPaid(context);
          const streamReceived = after.link.channel.receivedBytes - before.link.channel.receivedBytes;
          onRounds.push({
            linkBytes: after.link.tunnel.bytesReceived - before.link.tunnel.bytesReceived - streamReceived,
            streamBytes: after.link.channel.sentBytes - before.link.channel.sentBytes,
            windowBytes: after.link.channel.windowBytes,
            holds: (after.link.channel.holds ?? 0) - (before.link.channel.holds ?? 0),
            heldMs: (after.link.channel.heldMs ?? 0) - (before.link.channel.heldMs ?? 0),
            verifyMs: (after.link.channel.receiptCpuMs ?? 0) - (before.link.channel.receiptCpuMs ?? 0),
            trailingReceiptMs: after.waitedMs,
            paid: after.paid,
          });
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

    const bytes = perRound * (rounds / 2);
    const value = rate(bytes, ms.on);
    const baseline = rate(bytes, ms.off);
    const ratio = value / baseline;
    // Measured, not counted: every non-stream frame the client sent while the round was paid for.
    // During a transfer that is RECEIPT frames only (heartbeats wait for 3 s of silence).
    const receiptBytes = onRounds.reduce((sum, r) => sum + r.linkBytes, 0);
    const receiptShare = receiptBytes / bytes;
    const receiptFrames = receiptBytes / receiptWireBytes;
    const pairRatios: number[] = [];
    for (let i = 0; i + 1 < roundMs.length; i += 2) {
      const [a, b] = [roundMs[i]!, roundMs[i + 1]!]; // rounds is even
      const [on, off] = a.mode === 'on' ? [a, b] : [b, a];
      pairRatios.push(round(off.ms / on.ms));
    }
    return {
      name,
      value: round(value),
      baseline: round(baseline),
      ratio: round(ratio),
      unit: 'MB/s',
      target: `ratio >= ${targetRatio} and receiptShare <= ${targetReceiptShare}`,
      pass: ratio >= targetRatio && receiptShare <= targetReceiptShare,
      bytes,
      rounds,
      pairRatios,
      pairRatioMedian: round(median(pairRatios)),
      roundMs,
      onMs: round(ms.on, 1),
      offMs: round(ms.off, 1),
      receiptBytes,
      receiptShare: round(receiptShare, 7),
      receiptFrames: round(receiptFrames, 2),
      // A whole number when the measurement holds RECEIPT frames and nothing else.
      receiptBytesWholeFrames: receiptBytes % receiptWireBytes === 0,
      receiptsPerSecond: round(receiptFrames / (ms.on / 1000), 2),
      receiptShareOfStreamBytes: round(receiptBytes / onRounds.reduce((sum, r) => sum + r.streamBytes, 0), 7),
      windowBytesAtEnd: onRounds.map((r) => r.windowBytes),
      // Time the donor held frames back for want of a receipt, per round (the credit window's own cost).
      heldMsPerRound: onRounds.map((r) => round(r.heldMs, 1)),
      holdsPerRound: onRounds.map((r) => r.holds),
      // The donor's CPU time verifying receipts, per round, measured in the page.
      verifyMsPerRound: onRounds.map((r) => round(r.verifyMs, 1)),
      trailingReceiptMs: onRounds.map((r) => r.trailingReceiptMs),
      allPaid: onRounds.every((r) => r.paid),
    };
  },
};
