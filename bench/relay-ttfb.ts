// relay-ttfb: how much the tunnel adds to time-to-first-byte. Each round fetches the same small
// origin URL directly from the client page and through the donor, alternating, and takes the
// difference; the result is the median difference over the rounds. A request through the tunnel
// costs at least one data channel round trip, so the raw channel's round trip is reported too.
import { fetchDiscardIn, rawPingIn } from '../tests/support/browser-harness.ts';
import { median, round, type Benchmark } from './context.ts';

const rounds = 50;
const warmupRounds = 5;
const bodyBytes = 1024;
const targetMs = 5;

export const relayTtfb: Benchmark = {
  name: 'relay-ttfb',
  async run(context) {
    const page = context.client.page;
    const tunnelTtfb: number[] = [];
    const directTtfb: number[] = [];
    const overhead: number[] = [];
    for (let i = 0; i < warmupRounds + rounds; i++) {
      // The seed keeps each URL distinct, so nothing along the way can answer from a cache.
      const url = context.bytesUrl(bodyBytes, `ttfb-${i}`);
      // Alternate the order so neither path always runs on a freshly idle machine.
      const direct = i % 2 === 0 ? await fetchDiscardIn(page, url, 'direct') : undefined;
      const tunnel = await fetchDiscardIn(page, url, 'tunnel');
      const directAfter = direct ?? (await fetchDiscardIn(page, url, 'direct'));
      if (i < warmupRounds) continue;
      tunnelTtfb.push(tunnel.ttfbMs);
      directTtfb.push(directAfter.ttfbMs);
      overhead.push(tunnel.ttfbMs - directAfter.ttfbMs);
    }
    // The floor: one round trip of a small message over a plain data channel between the pages.
    const rawRtt = await rawPingIn(page, rounds);
    const value = median(overhead);
    return {
      name: 'relay-ttfb',
      value: round(value),
      baseline: round(median(directTtfb)),
      ratio: round(median(tunnelTtfb) / median(directTtfb)),
      unit: 'ms',
      target: `value <= ${targetMs} ms`,
      pass: value <= targetMs,
      rounds,
      tunnelMedianMs: round(median(tunnelTtfb)),
      directMedianMs: round(median(directTtfb)),
      rawChannelRttMedianMs: round(median(rawRtt)),
      overheadP90Ms: round([...overhead].sort((a, b) => a - b)[Math.floor(overhead.length * 0.9)]!), // index < length
    };
  },
};
