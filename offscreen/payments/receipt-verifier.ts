// The donor's check of every incoming receipt, before it is stored or extends the credit window.
// Pure: the channel's terms, counters and clocks are passed in. Spec: docs/receipts.md.
import { ReceiptError, creditsForBytes, minReceiptLifetimeSeconds, recoverReceiptSigner, type Receipt, type ReceiptDomainConfig, type SignedReceipt } from '../../protocol/receipt.ts';

/** Receipts a donor checks per second per channel, besides those earned by bytes sent; more are refused as a flood (signature recovery costs CPU). */
export const maxReceiptsPerSecond = 32;
/**
 * One more receipt is allowed per this many bytes sent on the channel: an honest client sends one
 * per W/4 (at least 64 KiB while W grows, 4 MiB at its cap), so the allowance keeps up at any speed, while a flood costs at most
 * one verification per MiB served on top of the per-second rate.
 */
export const bytesPerReceiptAllowance = 1024 * 1024;
/** The burst a channel may send at once, e.g. while its window is still small. */
export const receiptBurst = 32;

export const receiptRefusals = [
  'flood',
  'wrong-channel',
  'wrong-exit',
  'wrong-client',
  'price-changed',
  'expired',
  'replay',
  'rollback',
  'short-lived',
  'expiry-rollback',
  'credits-rollback',
  'over-claim',
  'credits-mismatch',
  'bad-signature',
  'wrong-signer',
] as const;
export type ReceiptRefusal = (typeof receiptRefusals)[number];

/** What both sides agreed when the channel opened; nothing in a receipt may differ from it. */
export interface ChannelTerms {
  readonly domain: ReceiptDomainConfig;
  readonly channelId: string;
  /** The client's bound payment address (checksummed). */
  readonly client: string;
  /** Our own payment address (checksummed). */
  readonly exit: string;
  /** Micro-credits per MiB. */
  readonly price: bigint;
}

export interface ChannelCounters {
  /** Bytes we have actually sent on this channel. */
  readonly sentBytes: bigint;
  /** The newest receipt we accepted and stored, if any. */
  readonly lastAccepted?: Receipt;
}

export type ReceiptVerdict = { ok: true; receipt: Receipt } | { ok: false; code: ReceiptRefusal; message: string };

const refuse = (code: ReceiptRefusal, message: string): ReceiptVerdict => ({ ok: false, code, message });

/** How a receipt for more bytes can still be worth less than the one it would replace. */
export type SettlesLess = { code: 'expiry-rollback' | 'credits-rollback'; message: string };

/**
 * Why `next` may not replace `stored` although it counts more bytes, or undefined when it settles
 * at least as much at every moment `stored` could: no fewer credits, and expiring no earlier. The
 * newest receipt is the only one kept, so this is the rule for the verifier and the ledger both.
 */
export function settlesLess(stored: Receipt, next: Receipt): SettlesLess | undefined {
  if (next.expiry < stored.expiry) return { code: 'expiry-rollback', message: `The receipt expires at ${next.expiry}, before the ${stored.expiry} of the receipt it would replace: it could settle less.` };
  if (next.cumCredits < stored.cumCredits) return { code: 'credits-rollback', message: `The receipt owes ${next.cumCredits} micro-credits, fewer than the ${stored.cumCredits} of the receipt it would replace.` };
  return undefined;
}

/**
 * Checks one receipt against the channel. Cheap checks run first; the signature (the costly one) last.
 * `nowMs` is wall-clock Unix milliseconds (expiry is in seconds on chain).
 */
export function verifyReceipt(terms: ChannelTerms, counters: ChannelCounters, signed: SignedReceipt, nowMs: number): ReceiptVerdict {
  const r = signed.receipt;
  if (r.channelId !== terms.channelId) return refuse('wrong-channel', 'The receipt is for another channel.');
  if (r.exit !== terms.exit) return refuse('wrong-exit', 'The receipt pays another donor.');
  if (r.client !== terms.client) return refuse('wrong-client', 'The receipt names another client than the one that opened the channel.');
  if (r.price !== terms.price) return refuse('price-changed', `The receipt's price (${r.price}) is not the agreed ${terms.price} micro-credits per MiB.`);
  if (r.expiry * 1000n <= BigInt(Math.floor(nowMs))) return refuse('expired', 'The receipt has expired.');
  const paid = counters.lastAccepted?.cumBytes ?? 0n;
  if (r.cumBytes === paid) return refuse('replay', 'The receipt acknowledges nothing new.');
  if (r.cumBytes < paid) return refuse('rollback', `The receipt acknowledges ${r.cumBytes} bytes, fewer than the ${paid} already acknowledged.`);
  // The donor settles in batches: a receipt it cannot settle within the lag is worth nothing.
  const earliestExpiryMs = BigInt(Math.floor(nowMs)) + BigInt(minReceiptLifetimeSeconds) * 1000n;
  if (r.expiry * 1000n < earliestExpiryMs) return refuse('short-lived', `The receipt expires in less than ${minReceiptLifetimeSeconds / 86_400} days, too soon for the donor to settle it.`);
  const worse = counters.lastAccepted && settlesLess(counters.lastAccepted, r);
  if (worse) return refuse(worse.code, worse.message);
  if (r.cumBytes > counters.sentBytes) return refuse('over-claim', `The receipt acknowledges ${r.cumBytes} bytes; only ${counters.sentBytes} were sent.`);
  const owed = creditsForBytes(r.cumBytes, r.price);
  if (r.cumCredits !== owed) return refuse('credits-mismatch', `The receipt owes ${r.cumCredits} micro-credits; ${r.cumBytes} bytes at the agreed price owe ${owed}.`);
  let signer: string;
  try {
    // Told whom to expect, recovery checks against the client's key once it has seen it.
    signer = recoverReceiptSigner(terms.domain, r, signed.signature, terms.client);
  } catch (error) {
    if (error instanceof ReceiptError) return refuse('bad-signature', error.message);
    throw error;
  }
  if (signer !== terms.client) return refuse('wrong-signer', "The receipt was not signed by the client's payment key.");
  return { ok: true, receipt: r };
}

export interface ReceiptVerifierOptions {
  terms: ChannelTerms;
  /** Monotonic milliseconds, for the rate limit. */
  now: () => number;
  /** Wall-clock Unix milliseconds, for expiry. */
  wallClock: () => number;
  /** Resume from the stored receipt. */
  lastAccepted?: Receipt;
}

export interface ReceiptVerifier {
  /** Rate-limits (per second and per MiB sent), then verifyReceipt against the newest committed receipt. */
  verify(signed: SignedReceipt, sentBytes: bigint | number): ReceiptVerdict;
  /** Records a receipt as accepted, once it is durably stored. */
  commit(receipt: Receipt): void;
  lastAccepted(): Receipt | undefined;
}

/** A per-channel verifier with a receipt rate limit (token bucket refilled by time and by bytes sent, synchronous). */
export function makeReceiptVerifier(options: ReceiptVerifierOptions): ReceiptVerifier {
  const { terms, now, wallClock } = options;
  let last = options.lastAccepted;
  let tokens = receiptBurst;
  let refilledAt = now();
  let refilledAtBytes: number | undefined;
  return {
    verify(signed, sentBytes) {
      const t = now();
      const sent = Number(sentBytes);
      const earnedByBytes = refilledAtBytes === undefined ? 0 : Math.max(0, sent - refilledAtBytes) / bytesPerReceiptAllowance;
      tokens = Math.min(receiptBurst, tokens + ((t - refilledAt) / 1000) * maxReceiptsPerSecond + earnedByBytes);
      refilledAt = t;
      refilledAtBytes = sent;
      // A refused honest receipt costs nothing: the next cumulative one covers the same bytes.
      if (tokens < 1) return refuse('flood', 'Too many receipts: slow down.');
      tokens -= 1;
      return verifyReceipt(terms, { sentBytes: BigInt(sentBytes), lastAccepted: last }, signed, wallClock());
    },
    commit(receipt) {
      if (last && receipt.cumBytes <= last.cumBytes) throw new RangeError('commit: receipt is not newer than the last accepted one');
      last = receipt;
    },
    lastAccepted: () => last,
  };
}
