// relay-memory: the donor page's memory while it relays a large download. Flow control should
// hold memory flat however large the transfer: the value is the peak growth over the start (after a
// forced GC), sampled every 100 ms over CDP (`Runtime.getHeapUsage`). It counts the JS heap plus
// ArrayBuffer backing stores and Blink's heap: the relayed bytes live in ArrayBuffers, which the JS
// heap figure alone (performance.memory, usedSize) does not include. Much of that peak is garbage
// V8 has not collected yet (it lets external memory build up before a GC), so a second, shorter
// pass forces a GC every second and reports what the donor actually retains.
import { fetchDiscardIn, sampleHeap } from '../tests/support/browser-harness.ts';
import { mib, rate, round, type Benchmark } from './context.ts';

const fullBytes = 1024 * mib;
const retainedPassBytes = 64 * mib;
const forcedGcEveryMs = 1_000;
const targetMiB = 64;
const sampleEveryMs = 100;

export const relayMemory: Benchmark = {
  name: 'relay-memory',
  async run(context) {
    const bytes = context.scaled(fullBytes);
    const donorHeap = await sampleHeap(context.donor.page, sampleEveryMs);
    const clientHeap = await sampleHeap(context.client.page, sampleEveryMs);
    const transfer = await fetchDiscardIn(context.client.page, context.bytesUrl(bytes, 'memory'));
    const donor = await donorHeap.stop();
    const client = await clientHeap.stop();
    if (transfer.bytes !== bytes) throw new Error(`relayed ${transfer.bytes} of ${bytes} bytes`);
    const retainedBytes = context.scaled(retainedPassBytes);
    const retainedSampler = await sampleHeap(context.donor.page, sampleEveryMs, forcedGcEveryMs);
    await fetchDiscardIn(context.client.page, context.bytesUrl(retainedBytes, 'memory-retained'));
    const retained = await retainedSampler.stop();
    const growth = (donor.peak.totalBytes - donor.start.totalBytes) / mib;
    const start = donor.start.totalBytes / mib;
    return {
      name: 'relay-memory',
      value: round(growth),
      baseline: round(start),
      ratio: round(growth / start),
      unit: 'MiB',
      target: `value < ${targetMiB} MiB`,
      pass: growth < targetMiB,
      bytes,
      samples: donor.samples,
      donorPeakMiB: round(donor.peak.totalBytes / mib),
      // Second pass, right after forced GCs: what the donor actually retains, garbage excluded.
      donorRetainedGrowthMiB: round((retained.livePeak.totalBytes - retained.start.totalBytes) / mib),
      retainedPassBytes: retainedBytes,
      donorJsHeapGrowthMiB: round((donor.peak.jsBytes - donor.start.jsBytes) / mib),
      clientPeakGrowthMiB: round((client.peak.totalBytes - client.start.totalBytes) / mib),
      clientJsHeapGrowthMiB: round((client.peak.jsBytes - client.start.jsBytes) / mib),
      transferMBps: round(rate(bytes, transfer.ms)),
    };
  },
};
