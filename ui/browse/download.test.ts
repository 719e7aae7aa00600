import { describe, expect, it } from 'vitest';
import { makeSpeedMeter, minSpeedSpanMs, timeLeftMs } from './download.ts';

describe('makeSpeedMeter', () => {
  it('says nothing for the first half second, then the rate over the last three seconds', () => {
    let clock = 0;
    const meter = makeSpeedMeter(() => clock);
    expect(meter.add(0)).toBeUndefined();
    clock = minSpeedSpanMs - 1;
    expect(meter.add(1_000_000)).toBeUndefined();
    // 1 MB/s for ten seconds…
    let received = 0;
    for (clock = 0; clock <= 10_000; clock += 250) received = clock * 1000;
    const steady = makeSpeedMeter(() => clock);
    for (clock = 0; clock <= 10_000; clock += 250) steady.add(clock * 1000);
    clock = 10_000;
    expect(steady.add(received)).toBeCloseTo(1_000_000, -3);
    // …then 4 MB/s: after three more seconds the window holds only the new speed.
    let speed = 0;
    for (let t = 10_250; t <= 13_250; t += 250) {
      clock = t;
      received += 1_000_000;
      speed = steady.add(received) ?? 0;
    }
    expect(speed).toBeGreaterThan(3_900_000);
  });
});

describe('timeLeftMs', () => {
  it.each([
    [{ received: 25, total: 100, bytesPerSecond: 25 }, 3000],
    [{ received: 100, total: 100, bytesPerSecond: 25 }, 0],
    [{ received: 25, total: undefined, bytesPerSecond: 25 }, undefined],
    [{ received: 25, total: 100, bytesPerSecond: undefined }, undefined],
    [{ received: 25, total: 100, bytesPerSecond: 0 }, undefined],
  ])('%o → %s', (progress, expected) => {
    expect(timeLeftMs(progress)).toBe(expected);
  });
});
