// The donor's credit window W: how many bytes it will serve beyond the last valid receipt.
// Pure bookkeeping with an injected clock; the caller verifies receipts (receipt-verifier.ts)
// and stores them durably before calling onReceipt. Spec: docs/receipts.md.

/** W when a channel opens. */
export const initialCreditWindowBytes = 256 * 1024;
/**
 * W never grows past this: the most a client may owe. W must also hold a receipt's round trip: the
 * client signs every W/4 (receiptWindowDivisor, client-payments.ts), and until that receipt is
 * stored on both sides (two durable IndexedDB writes, 30–50 ms each) and verified, the donor sends
 * on from what is left, with up to ~1.5 MiB more in its send buffer and the data channel. At 4 MiB
 * with a receipt every W/2 the window ran dry at receipts; 16 MiB rather than 8 halves the receipts a
 * fast download needs (docs/receipts.md, "Credit window").
 */
export const maxCreditWindowBytes = 16 * 1024 * 1024;
/** W grows by this factor (4/3) per honored receipt. */
export const creditWindowGrowthNumerator = 4;
export const creditWindowGrowthDenominator = 3;
/** How long the donor waits, throttled at a full window, for a receipt before it closes the channel. */
export const receiptStallTimeoutMs = 10_000;

export const WindowDecision = {
  /** The bytes fit in the window: send them. */
  SEND: 'send',
  /** The window is full: hold the bytes until a receipt arrives. */
  THROTTLE: 'throttle',
  /** The window has been full for receiptStallTimeoutMs: close with a payment error. */
  CLOSE: 'close',
} as const;
export type WindowDecision = (typeof WindowDecision)[keyof typeof WindowDecision];

export interface CreditWindowOptions {
  /** Monotonic milliseconds. */
  now: () => number;
  /** Resume from stored counters (a restarted offscreen document). */
  sentBytes?: number;
  paidBytes?: number;
  windowBytes?: number;
}

export interface CreditWindow {
  /** The current W in bytes. */
  windowBytes(): number;
  /** Bytes sent on the channel so far. */
  sentBytes(): number;
  /** cumBytes of the last honored receipt. */
  paidBytes(): number;
  /** Bytes sent and not yet covered by a receipt: never more than windowBytes(). */
  unpaidBytes(): number;
  /** True when `bytes` more would stay within W. */
  canSend(bytes: number): boolean;
  /** Whether to send `bytes` now, hold them, or give up on the channel. */
  decide(bytes: number): WindowDecision;
  /**
   * Records bytes sent.
   * @throws {RangeError} when they would exceed W (the caller must ask canSend/decide first).
   */
  onSent(bytes: number): void;
  /**
   * Records bytes the client sent (uploads): owed like bytes sent, but never refused, since they
   * have arrived; the donor holds back its own frames (and the WINDOW credit for more) instead.
   */
  onReceived(bytes: number): void;
  /**
   * Records a verified, stored receipt for `cumBytes`, and grows W (or sets it to `nextWindowBytes`:
   * a donor that cannot tell the client's credits cover more keeps it at the first window).
   * @throws {RangeError} when cumBytes is not above the last receipt or exceeds what was sent, or nextWindowBytes is out of range.
   */
  onReceipt(cumBytes: number, nextWindowBytes?: number): void;
}

function checkBytes(bytes: number, what: string): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`${what}: expected a non-negative integer of bytes, got ${bytes}`);
}

/** Grows W by ×4/3, rounding down, capped at maxCreditWindowBytes. */
export function grownWindow(windowBytes: number): number {
  return Math.min(maxCreditWindowBytes, Math.floor((windowBytes * creditWindowGrowthNumerator) / creditWindowGrowthDenominator));
}

/**
 * A credit window for one channel.
 * @throws {RangeError} when resumed counters are inconsistent.
 */
export function makeCreditWindow(options: CreditWindowOptions): CreditWindow {
  const { now } = options;
  let sent = options.sentBytes ?? 0;
  let paid = options.paidBytes ?? 0;
  let window = options.windowBytes ?? initialCreditWindowBytes;
  checkBytes(sent, 'sentBytes');
  checkBytes(paid, 'paidBytes');
  if (paid > sent) throw new RangeError('paidBytes: more than was sent');
  if (!(window >= initialCreditWindowBytes && window <= maxCreditWindowBytes)) throw new RangeError(`windowBytes: expected ${initialCreditWindowBytes}..${maxCreditWindowBytes}`);
  // A restart may resume with more unpaid than W (e.g. W stored before a growth was lost): the
  // donor then simply sends nothing until a receipt brings it back under W.
  /** When the window first refused bytes, since the last receipt; undefined while it has room. */
  let blockedSince: number | undefined;

  const canSend = (bytes: number): boolean => sent - paid + bytes <= window;

  return {
    windowBytes: () => window,
    sentBytes: () => sent,
    paidBytes: () => paid,
    unpaidBytes: () => sent - paid,
    canSend(bytes) {
      checkBytes(bytes, 'bytes');
      return canSend(bytes);
    },
    decide(bytes) {
      checkBytes(bytes, 'bytes');
      if (canSend(bytes)) return WindowDecision.SEND;
      const t = now();
      blockedSince ??= t;
      return t - blockedSince >= receiptStallTimeoutMs ? WindowDecision.CLOSE : WindowDecision.THROTTLE;
    },
    onSent(bytes) {
      checkBytes(bytes, 'bytes');
      if (!canSend(bytes)) throw new RangeError(`sending ${bytes} bytes would exceed the credit window (${sent - paid} of ${window} unpaid)`);
      sent += bytes;
    },
    onReceived(bytes) {
      checkBytes(bytes, 'bytes');
      sent += bytes;
    },
    onReceipt(cumBytes, nextWindowBytes = grownWindow(window)) {
      checkBytes(cumBytes, 'cumBytes');
      if (cumBytes <= paid) throw new RangeError(`cumBytes ${cumBytes}: not above the last receipt (${paid})`);
      if (cumBytes > sent) throw new RangeError(`cumBytes ${cumBytes}: more than was sent (${sent})`);
      if (!(nextWindowBytes >= initialCreditWindowBytes && nextWindowBytes <= maxCreditWindowBytes)) throw new RangeError(`nextWindowBytes: expected ${initialCreditWindowBytes}..${maxCreditWindowBytes}`);
      paid = cumBytes;
      window = nextWindowBytes;
      blockedSince = undefined;
    },
  };
}
