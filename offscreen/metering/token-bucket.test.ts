import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { burstSeconds, createTokenBucket } from './token-bucket.ts';

// The bucket's clock is the faked Date, so only the timers decide when a take resolves.
const start = 1_000_000;
const clock = (): number => Date.now();
const elapsed = (): number => Date.now() - start;

/** When (ms after the start) `promise` settled, and how. */
function track(promise: Promise<void>): { at?: number; outcome?: 'resolved' | 'rejected'; reason?: unknown } {
  const record: { at?: number; outcome?: 'resolved' | 'rejected'; reason?: unknown } = {};
  promise.then(
    () => Object.assign(record, { at: elapsed(), outcome: 'resolved' }),
    (reason: unknown) => Object.assign(record, { at: elapsed(), outcome: 'rejected', reason }),
  );
  return record;
}

beforeEach(() => {
  vi.useFakeTimers({ now: start });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createTokenBucket', () => {
  it.each([0, -1, Number.NaN, -Infinity])('refuses a rate of %s with a RangeError', (rate) => {
    expect(() => createTokenBucket(rate, clock)).toThrow(RangeError);
  });

  it('lets one second of the rate through at once (the burst)', async () => {
    expect(burstSeconds).toBe(1);
    const bucket = createTokenBucket(1000, clock);
    const first = track(bucket.take(600));
    const second = track(bucket.take(400));
    await vi.advanceTimersByTimeAsync(0);
    expect(first).toMatchObject({ outcome: 'resolved', at: 0 });
    expect(second).toMatchObject({ outcome: 'resolved', at: 0 });
    const third = track(bucket.take(100));
    await vi.advanceTimersByTimeAsync(99);
    expect(third.outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(third).toMatchObject({ outcome: 'resolved', at: 100 });
  });

  it('holds a long transfer to the rate', async () => {
    const bucket = createTokenBucket(10_000, clock);
    const chunks = Array.from({ length: 100 }, () => track(bucket.take(1000)));
    // 100 kB at 10 kB/s with a 10 kB burst: the last chunk goes out after 9 s.
    await vi.advanceTimersByTimeAsync(8_999);
    expect(chunks.filter((c) => c.outcome === 'resolved')).toHaveLength(99);
    await vi.advanceTimersByTimeAsync(1);
    expect(chunks.every((c) => c.outcome === 'resolved')).toBe(true);
    expect(chunks.at(-1)!.at).toBe(9_000); // the array has 100 entries
  });

  it('saves up no more than the burst while idle', async () => {
    const bucket = createTokenBucket(1000, clock);
    await vi.advanceTimersByTimeAsync(60_000);
    const burst = track(bucket.take(1000));
    const next = track(bucket.take(1000));
    await vi.advanceTimersByTimeAsync(0);
    expect(burst.outcome).toBe('resolved');
    expect(next.outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(next).toMatchObject({ outcome: 'resolved', at: 61_000 });
  });

  it('sends a chunk larger than the bucket, and makes the next one wait for it', async () => {
    const bucket = createTokenBucket(1000, clock);
    const big = track(bucket.take(3000));
    const after = track(bucket.take(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(big.outcome).toBe('resolved');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(after.outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(after).toMatchObject({ outcome: 'resolved', at: 2_001 });
  });

  it('serves waiters in order: a small take does not jump a large one', async () => {
    const bucket = createTokenBucket(1000, clock);
    await bucket.take(1000);
    const order: string[] = [];
    const takes = [
      bucket.take(800).then(() => order.push('large')),
      bucket.take(800).then(() => order.push('large again')),
      bucket.take(10).then(() => order.push('small')),
    ];
    await vi.advanceTimersByTimeAsync(1_610);
    await Promise.all(takes);
    expect(order).toEqual(['large', 'large again', 'small']);
  });

  it('rejects a take with the signal reason when aborted while waiting, and the next taker is not held up', async () => {
    const bucket = createTokenBucket(1000, clock);
    await bucket.take(1000);
    const controller = new AbortController();
    const aborted = track(bucket.take(1000, controller.signal));
    const next = track(bucket.take(500));
    await vi.advanceTimersByTimeAsync(200);
    const reason = new Error('tunnel closed');
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted).toMatchObject({ outcome: 'rejected', reason, at: 200 });
    // The aborted take took nothing: 500 bytes are there 500 ms after the drain, not 1.5 s.
    await vi.advanceTimersByTimeAsync(299);
    expect(next.outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(next).toMatchObject({ outcome: 'resolved', at: 500 });
  });

  it('rejects at once a take aborted while queued behind another, and it takes nothing', async () => {
    const bucket = createTokenBucket(1000, clock);
    await bucket.take(1000);
    const controller = new AbortController();
    const first = track(bucket.take(1000));
    const queued = track(bucket.take(1000, controller.signal));
    const last = track(bucket.take(1000));
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toMatchObject({ outcome: 'rejected', at: 100 });
    expect((queued.reason as Error).name).toBe('AbortError');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(first).toMatchObject({ outcome: 'resolved', at: 1_000 });
    expect(last).toMatchObject({ outcome: 'resolved', at: 2_000 });
  });

  it('rejects a take whose signal already aborted, without taking anything', async () => {
    const bucket = createTokenBucket(1000, clock);
    const reason = new Error('gone');
    await expect(bucket.take(1000, AbortSignal.abort(reason))).rejects.toBe(reason);
    const full = track(bucket.take(1000));
    await vi.advanceTimersByTimeAsync(0);
    expect(full).toMatchObject({ outcome: 'resolved', at: 0 });
  });

  it('resolves a take with a signal that never aborts like one without', async () => {
    const bucket = createTokenBucket(1000, clock);
    const signal = new AbortController().signal;
    await bucket.take(1000, signal);
    const waited = track(bucket.take(250, signal));
    await vi.advanceTimersByTimeAsync(250);
    expect(waited).toMatchObject({ outcome: 'resolved', at: 250 });
  });
});
