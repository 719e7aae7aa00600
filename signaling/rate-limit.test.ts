import { describe, expect, it } from 'vitest';
import { createKeyedRateLimiter, createTokenBucket } from './rate-limit.ts';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
}

function takeMany(take: () => boolean, n: number): number {
  let granted = 0;
  for (let i = 0; i < n; i++) if (take()) granted++;
  return granted;
}

describe('token bucket', () => {
  it('allows a burst of its capacity, then refills at its rate', () => {
    const clock = fakeClock();
    const bucket = createTokenBucket({ capacity: 10, refillPerSecond: 5, now: clock.now });
    expect(takeMany(() => bucket.take(), 100)).toBe(10);
    clock.advance(1_000);
    expect(takeMany(() => bucket.take(), 100)).toBe(5);
    clock.advance(200);
    expect(takeMany(() => bucket.take(), 100)).toBe(1);
  });

  it('never holds more than its capacity after a long quiet period', () => {
    const clock = fakeClock();
    const bucket = createTokenBucket({ capacity: 3, refillPerSecond: 100, now: clock.now });
    clock.advance(3_600_000);
    expect(bucket.available()).toBe(3);
  });

  it('charges by cost and refuses without taking when short', () => {
    const clock = fakeClock();
    const bucket = createTokenBucket({ capacity: 10, refillPerSecond: 1, now: clock.now });
    expect(bucket.take(7)).toBe(true);
    expect(bucket.take(4)).toBe(false);
    expect(bucket.available()).toBe(3);
  });

  it('does not mint tokens when the clock steps backwards', () => {
    const clock = fakeClock();
    const bucket = createTokenBucket({ capacity: 2, refillPerSecond: 1, now: clock.now });
    bucket.take(2);
    clock.advance(-60_000);
    expect(bucket.take()).toBe(false);
    clock.set(1_000_000 + 1_000);
    expect(bucket.take()).toBe(true);
  });

  it.each([
    { capacity: 0, refillPerSecond: 1 },
    { capacity: 1, refillPerSecond: 0 },
    { capacity: Number.NaN, refillPerSecond: 1 },
    { capacity: 1, refillPerSecond: Number.POSITIVE_INFINITY },
  ])('rejects settings %j', (settings) => {
    expect(() => createTokenBucket(settings)).toThrow(RangeError);
  });
});

describe('keyed rate limiter', () => {
  it('limits each key independently', () => {
    const clock = fakeClock();
    const limiter = createKeyedRateLimiter({ capacity: 5, refillPerSecond: 1, now: clock.now });
    expect(takeMany(() => limiter.take('a'), 2_000)).toBe(5);
    expect(takeMany(() => limiter.take('b'), 3)).toBe(3);
    clock.advance(2_000);
    expect(takeMany(() => limiter.take('a'), 2_000)).toBe(2);
  });

  it('keeps memory bounded, forgetting refilled buckets first', () => {
    const clock = fakeClock();
    const limiter = createKeyedRateLimiter({ capacity: 2, refillPerSecond: 1, now: clock.now, maxKeys: 3 });
    limiter.take('busy', 2);
    limiter.take('idle-1');
    limiter.take('idle-2');
    clock.advance(1_500); // idle buckets are full again; 'busy' is still short
    limiter.take('new');
    expect(limiter.size()).toBeLessThanOrEqual(3);
    expect(limiter.take('busy', 2)).toBe(false); // its debt survived the eviction
    for (let i = 0; i < 1_000; i++) limiter.take(`k${i}`);
    expect(limiter.size()).toBeLessThanOrEqual(3);
  });

  it('forgets a key on request', () => {
    const clock = fakeClock();
    const limiter = createKeyedRateLimiter({ capacity: 1, refillPerSecond: 1, now: clock.now });
    limiter.take('a');
    expect(limiter.take('a')).toBe(false);
    limiter.forget('a');
    expect(limiter.take('a')).toBe(true);
  });
});
