// The donor's view of a client's credits on chain: before it serves a client beyond the first
// credit window, the donor asks whether the client's credits cover the window at the channel's
// price until the donor can settle (docs/receipts.md, "Credits on chain"). Reads go through an
// injected reader (chain-credits-reader.ts in the extension) and are cached per client address:
// read again after a ttl, after the receipts this donor holds have used up what was read, and
// before refusing a client on a cached figure. A reader that fails answers `unknown`: the donor
// then serves within the first window only (the risk it takes with any new client) and its status
// says the chain is unreachable.
import { getAddress } from 'ethers';
import { creditsForBytes } from '../../protocol/receipt.ts';

/** What the chain says of one client's credits. */
export interface ClientCredits {
  /** Micro-credits the client holds. */
  balance: bigint;
  /**
   * Unix seconds: nothing can leave the balance before this (a pending withdrawal's release, or
   * now plus the thaw delay when none is pending).
   */
  lockedUntil: number;
}

/**
 * Reads one client's credits from the chain.
 * @throws on any failure (unreachable node, a revert, a malformed answer).
 */
export type ReadCredits = (client: string, signal: AbortSignal) => Promise<ClientCredits>;

/** A cached read is trusted this long (ms) before it is read again. */
export const defaultCreditsTtlMs = 60_000;
/** A read that takes longer than this (ms) counts as failed. */
export const creditsReadTimeoutMs = 5_000;
/** A cached figure that falls short is read again before refusing, but at most this often (ms) per client. */
export const minCreditsRereadMs = 1_000;
/** Clients whose reads are kept; beyond this the oldest read is forgotten (read again when needed). */
export const maxCachedClients = 1_024;

/** The donor's question: do the client's credits cover `bytes` more at `price` until `until`? */
export interface CreditAsk {
  /** Bytes the donor would serve unpaid (its credit window W). */
  bytes: number;
  /** Micro-credits per MiB: the channel's price. */
  price: bigint;
  /** Unix seconds: the credits must stay until then (the donor's settlement lag from now). */
  until: number;
}

/** The answer to a CreditAsk. */
export type CreditVerdict =
  | { readonly ok: true; readonly available: bigint }
  /** Not enough credits left beyond what the donor's receipts already owe. */
  | { readonly ok: false; readonly code: 'short'; readonly available: bigint; readonly needed: bigint }
  /** The credits can leave (a withdrawal) before the donor could settle. */
  | { readonly ok: false; readonly code: 'thawing'; readonly lockedUntil: number; readonly until: number }
  /** The chain could not be read: serve within the first window only. */
  | { readonly ok: false; readonly code: 'unknown'; readonly detail: string };

/** Whether the donor checks credits, and whether the chain answers. */
export type CreditCheckStatus =
  /** This build settles on no chain: credits are not checked. */
  | { readonly state: 'off' }
  /** Checked; the last read (if any) succeeded. */
  | { readonly state: 'on' }
  /** The last read failed: clients are served within the first window only. */
  | { readonly state: 'unreachable'; readonly detail: string; readonly since: number };

/** The donor's credit check, shared by all its links. */
export interface ClientCreditCheck {
  status(): CreditCheckStatus;
  /** Whether `client`'s credits cover `ask` beyond what its channels here already owe. */
  covers(client: string, ask: CreditAsk): Promise<CreditVerdict>;
  /**
   * Records what one channel of `client` owes this donor and has not settled (its newest receipt's
   * cumCredits less what settled); these are taken from the balance before it covers a window.
   */
  owes(client: string, channelId: string, credits: bigint): void;
}

export interface ClientCreditCheckOptions {
  readCredits: ReadCredits;
  /** Monotonic milliseconds (cache age). */
  now?: () => number;
  /** Wall-clock milliseconds (the status's `since`). */
  wallClock?: () => number;
  ttlMs?: number;
  readTimeoutMs?: number;
  /** Called when the status changes. */
  onStatus?(status: CreditCheckStatus): void;
}

/** The check of a build that settles on no chain: every ask is covered, and the status says credits are not checked. */
export function offCreditCheck(): ClientCreditCheck {
  return {
    status: () => ({ state: 'off' }),
    covers: async () => ({ ok: true, available: 0n }),
    owes: () => {},
  };
}

interface CachedRead {
  credits: ClientCredits;
  readAt: number;
  /** Set when receipts used up what was read: read again before the next answer. */
  stale: boolean;
}

/** A credit check over `readCredits`, caching each client's read for `ttlMs`. */
export function makeClientCreditCheck(options: ClientCreditCheckOptions): ClientCreditCheck {
  const now = options.now ?? (() => performance.now());
  const wallClock = options.wallClock ?? (() => Date.now());
  const ttlMs = options.ttlMs ?? defaultCreditsTtlMs;
  const readTimeoutMs = options.readTimeoutMs ?? creditsReadTimeoutMs;
  const reads = new Map<string, CachedRead>();
  const inFlight = new Map<string, Promise<CachedRead | string>>();
  /** Client address → channel id → micro-credits owed and not settled. */
  const owed = new Map<string, Map<string, bigint>>();
  let status: CreditCheckStatus = { state: 'on' };

  const setStatus = (next: CreditCheckStatus): void => {
    if (next.state === status.state) return;
    status = next;
    options.onStatus?.(next);
  };

  const owedBy = (client: string): bigint => {
    let sum = 0n;
    for (const credits of owed.get(client)?.values() ?? []) sum += credits;
    return sum;
  };

  /** A fresh read, or the reader's failure in words. Concurrent asks for one client share a read. */
  function read(client: string): Promise<CachedRead | string> {
    const running = inFlight.get(client);
    if (running) return running;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer from the chain within ${readTimeoutMs / 1000} s`)), readTimeoutMs);
    const timedOut = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
    const attempt = Promise.race([options.readCredits(client, controller.signal), timedOut])
      .then((credits): CachedRead => {
        checkCredits(credits);
        const entry = { credits, readAt: now(), stale: false };
        reads.delete(client);
        reads.set(client, entry);
        // Map order is insertion order: the first key is the oldest read.
        if (reads.size > maxCachedClients) reads.delete(reads.keys().next().value!);
        setStatus({ state: 'on' });
        return entry;
      })
      .catch((error: unknown): string => {
        const detail = error instanceof Error ? error.message : String(error);
        // A figure that cannot be refreshed is not trusted: the balance may have left since.
        reads.delete(client);
        setStatus({ state: 'unreachable', detail, since: wallClock() });
        return detail;
      })
      .finally(() => {
        clearTimeout(timer);
        inFlight.delete(client);
      });
    inFlight.set(client, attempt);
    return attempt;
  }

  function verdict(entry: CachedRead, client: string, ask: CreditAsk): CreditVerdict {
    const needed = creditsForBytes(BigInt(ask.bytes), ask.price);
    const available = entry.credits.balance - owedBy(client);
    if (available < needed) return { ok: false, code: 'short', available: available < 0n ? 0n : available, needed };
    if (entry.credits.lockedUntil < ask.until) return { ok: false, code: 'thawing', lockedUntil: entry.credits.lockedUntil, until: ask.until };
    return { ok: true, available };
  }

  return {
    status: () => status,
    async covers(rawClient, ask) {
      if (!Number.isSafeInteger(ask.bytes) || ask.bytes < 0) throw new RangeError(`bytes: expected a non-negative integer, got ${ask.bytes}`);
      const client = getAddress(rawClient);
      let entry = reads.get(client);
      if (!entry || entry.stale || now() - entry.readAt >= ttlMs) {
        const fresh = await read(client);
        if (typeof fresh === 'string') return { ok: false, code: 'unknown', detail: fresh };
        entry = fresh;
      }
      const answer = verdict(entry, client, ask);
      // A cached figure that falls short may be old news (the client bought more): read once more before refusing.
      if (answer.ok || now() - entry.readAt < minCreditsRereadMs) return answer;
      const fresh = await read(client);
      return typeof fresh === 'string' ? { ok: false, code: 'unknown', detail: fresh } : verdict(fresh, client, ask);
    },
    owes(rawClient, channelId, credits) {
      if (credits < 0n) throw new RangeError(`credits: expected a non-negative amount, got ${credits}`);
      const client = getAddress(rawClient);
      let channels = owed.get(client);
      if (!channels) owed.set(client, (channels = new Map()));
      if (credits === 0n) channels.delete(channelId);
      else channels.set(channelId, credits);
      if (channels.size === 0) owed.delete(client);
      const entry = reads.get(client);
      if (entry && owedBy(client) >= entry.credits.balance) entry.stale = true;
    },
  };
}

/**
 * Refuses a reader's answer that is not two non-negative integers.
 * @throws {TypeError} naming the field.
 */
function checkCredits(credits: ClientCredits): void {
  if (typeof credits?.balance !== 'bigint' || credits.balance < 0n) throw new TypeError('credits reader: expected balance as a non-negative bigint');
  if (!Number.isSafeInteger(credits.lockedUntil) || credits.lockedUntil < 0) throw new TypeError('credits reader: expected lockedUntil as non-negative Unix seconds');
}
