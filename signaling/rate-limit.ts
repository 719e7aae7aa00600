// Token buckets for the signaling server: one bucket per key (an IP or a peer id), refilled
// continuously from an injected clock so tests can drive time by hand. Pure: no timers.

/** Settings of one token bucket. */
export interface TokenBucketOptions {
  /** Most tokens the bucket holds: the burst allowed after a quiet period. */
  readonly capacity: number;
  /** Tokens added per second of clock time. */
  readonly refillPerSecond: number;
  /** Milliseconds clock; defaults to `Date.now`. */
  readonly now?: () => number;
}

/** A single bucket. */
export interface TokenBucket {
  /** Takes `cost` tokens if available; false (and nothing taken) otherwise. */
  take(cost?: number): boolean;
  /** Tokens available right now. */
  available(): number;
}

/**
 * A token bucket that starts full.
 * @throws {RangeError} when capacity or refill rate is not a positive finite number.
 */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const state = { tokens: options.capacity, at: now() };
  return {
    take: (cost = 1) => takeFrom(state, options, now(), cost),
    available: () => refill(state, options, now()),
  };
}

/** Settings of a keyed limiter. */
export interface KeyedRateLimiterOptions extends TokenBucketOptions {
  /** Most keys tracked at once; beyond it, full buckets and then the oldest keys are forgotten. */
  readonly maxKeys?: number;
}

/** Buckets by key, with bounded memory. */
export interface KeyedRateLimiter {
  /** Takes `cost` tokens from `key`'s bucket; false when the key is over its rate. */
  take(key: string, cost?: number): boolean;
  /** Forgets `key` (e.g. when its connection closes and the limit should not outlive it). */
  forget(key: string): void;
  /** Keys currently tracked. */
  size(): number;
}

/** Default bound on tracked keys per limiter. */
export const defaultMaxRateLimitKeys = 100_000;
// Fraction of maxKeys kept when the oldest keys must be forgotten.
const evictionLowWaterFraction = 0.9;

/**
 * A limiter keeping one token bucket per key.
 * @throws {RangeError} when capacity, refill rate or maxKeys is not a positive finite number.
 */
export function createKeyedRateLimiter(options: KeyedRateLimiterOptions): KeyedRateLimiter {
  checkOptions(options);
  const maxKeys = options.maxKeys ?? defaultMaxRateLimitKeys;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys: expected a positive integer');
  const now = options.now ?? Date.now;
  const buckets = new Map<string, BucketState>();

  function evict(at: number): void {
    // A bucket that has refilled to capacity is indistinguishable from a new one: drop those first.
    for (const [key, state] of buckets) if (refill(state, options, at) >= options.capacity) buckets.delete(key);
    // Still too many: forget the oldest keys (Map iterates in insertion order), down to a low-water
    // mark so a stream of new keys does not rescan the whole map on every arrival.
    const lowWater = Math.max(0, Math.min(maxKeys - 1, Math.floor(maxKeys * evictionLowWaterFraction)));
    for (const key of buckets.keys()) {
      if (buckets.size <= lowWater) break;
      buckets.delete(key);
    }
  }

  return {
    take(key, cost = 1) {
      const at = now();
      let state = buckets.get(key);
      if (!state) {
        if (buckets.size >= maxKeys) evict(at);
        state = { tokens: options.capacity, at };
        buckets.set(key, state);
      }
      return takeFrom(state, options, at, cost);
    },
    forget: (key) => void buckets.delete(key),
    size: () => buckets.size,
  };
}

interface BucketState {
  tokens: number;
  at: number;
}

function refill(state: BucketState, options: TokenBucketOptions, at: number): number {
  // A clock that steps backwards must not mint tokens or stall the bucket forever.
  const elapsedMs = Math.max(0, at - state.at);
  state.tokens = Math.min(options.capacity, state.tokens + (elapsedMs / 1000) * options.refillPerSecond);
  state.at = Math.max(state.at, at);
  return state.tokens;
}

function takeFrom(state: BucketState, options: TokenBucketOptions, at: number, cost: number): boolean {
  if (!(cost >= 0)) throw new RangeError('cost: expected a non-negative number');
  if (refill(state, options, at) < cost) return false;
  state.tokens -= cost;
  return true;
}

function checkOptions(options: TokenBucketOptions): void {
  if (!(options.capacity > 0) || !Number.isFinite(options.capacity)) throw new RangeError('capacity: expected a positive number');
  if (!(options.refillPerSecond > 0) || !Number.isFinite(options.refillPerSecond)) {
    throw new RangeError('refillPerSecond: expected a positive number');
  }
}
