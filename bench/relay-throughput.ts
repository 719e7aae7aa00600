// relay-throughput: one large download through the tunnel (client page → data channel → donor
// page → origin and back) against a plain RTCDataChannel between the same two browser processes
// moving the same bytes in 64 KiB messages with the same backpressure watermarks. The transfer is
// split into rounds that alternate the two, so a burst of load elsewhere on the machine hits both.
import { fetchDiscardIn, rawReceiveIn } from '../tests/support/browser-harness.ts';
import { mib, rate, round, throughputComparison, type Benchmark } from './context.ts';

const fullBytes = 256 * mib;
const rounds = 4;
const targetRatio = 0.85;

export const relayThroughput: Benchmark = {
  name: 'relay-throughput',
  async run(context) {
    const perRound = context.scaled(fullBytes / rounds);
    const bytes = perRound * rounds;
    let tunnelMs = 0;
    let rawMs = 0;
    const roundRatios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const measureTunnel = async (): Promise<number> => {
        const tunnel = await fetchDiscardIn(context.client.page, context.bytesUrl(perRound, `throughput-${i}`));
        if (tunnel.bytes !== perRound) throw new Error(`tunnel delivered ${tunnel.bytes} of ${perRound} bytes`);
        return tunnel.ms;
      };
      const measureRaw = async (): Promise<number> => (await rawReceiveIn(context.client.page, perRound)).ms;
      let t: number;
      let r: number;
      if (i % 2 === 0) {
        t = await measureTunnel();
        r = await measureRaw();
      } else {
        r = await measureRaw();
        t = await measureTunnel();
      }
      tunnelMs += t;
      rawMs += r;
      roundRatios.push(round(r / t));
    }
    const value = rate(bytes, tunnelMs);
    const baseline = rate(bytes, rawMs);
    return {
      ...throughputComparison('relay-throughput', value, baseline, targetRatio),
      bytes,
      rounds,
      roundRatios,
      tunnelMs: round(tunnelMs, 1),
      rawMs: round(rawMs, 1),
    };
  },
};
