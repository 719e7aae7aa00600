// A token bucket for a per-person rate limit: `take` resolves once the bytes fit the rate.

/** How much a bucket may hold beyond the rate: one second's worth, so short pages load at full speed. */
export const burstSeconds = 1;

export interface TokenBucket {
  /**
   * Resolves when `amount` tokens have been taken (waiting if needed).
   * @throws the signal's reason when `signal` aborts while waiting.
   */
  take(amount: number, signal?: AbortSignal): Promise<void>;
}

/** A bucket refilled at `ratePerSecond`, holding at most `burstSeconds` of it. */
export function createTokenBucket(ratePerSecond: number, now: () => number = () => performance.now()): TokenBucket {
  if (!(ratePerSecond > 0)) throw new RangeError(`rate: expected a positive number, got ${ratePerSecond}`);
  const capacity = ratePerSecond * burstSeconds;
  let tokens = capacity;
  let last = now();
  // Waiters go in order, so one large request cannot starve the others of the same person.
  let queue: Promise<void> = Promise.resolve();

  const refill = (): void => {
    const t = now();
    tokens = Math.min(capacity, tokens + ((t - last) / 1000) * ratePerSecond);
    last = t;
  };

  const wait = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  return {
    take(amount, signal) {
      const turn = queue.then(async () => {
        // A taker that gave up while queued takes nothing (its bytes will never be sent).
        signal?.throwIfAborted();
        refill();
        // A chunk larger than the bucket still goes, after the wait its size implies (tokens go negative).
        if (tokens < Math.min(amount, capacity)) await wait(((Math.min(amount, capacity) - tokens) / ratePerSecond) * 1000, signal);
        refill();
        tokens -= amount;
      });
      queue = turn.catch(() => {});
      if (!signal) return turn;
      // Abort rejects at once, not only when this taker's turn comes behind a long wait.
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason);
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        turn.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
  };
}
