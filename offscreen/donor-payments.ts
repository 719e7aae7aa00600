// The donor's side of payment channels. Nothing is served before the client's CHANNEL_OPEN
// accepts this donor's price; then at most W bytes beyond the last receipt that was verified and
// stored durably (credit-window.ts). A receipt that fails verification closes the link with
// PAYMENT_REQUIRED and the refusal's code, except a replay or a flood, which cost nothing and are
// dropped. A client that stops signing is throttled, then closed. Spec: docs/receipts.md.
import { ChannelOpenError, decodeChannelOpen, sameDomain, type ChannelOpen } from '../protocol/channel-open.ts';
import { ErrorCode, FrameType } from '../protocol/frame-types.ts';
import { ReceiptError, decodeReceiptFrame, parseSignedReceipt, type ReceiptDomainConfig, type SignedReceipt } from '../protocol/receipt.ts';
import { getAddress } from 'ethers';
import { bindingCache, type ChannelCounts, type ChannelPayments, type PaymentSessionContext, type PaymentWallet, type Payments } from './channel-payments.ts';
import { WindowDecision, grownWindow, makeCreditWindow, receiptStallTimeoutMs, type CreditWindow } from './credit-window.ts';
import type { ChannelRecord, PaymentLedger } from './payment-ledger.ts';
import { makeReceiptVerifier, type ReceiptRefusal, type ReceiptVerifier } from './receipt-verifier.ts';
import type { Tunnel } from './tunnel.ts';

/** The client must open its channel this soon after HELLO. */
export const channelOpenTimeoutMs = 10_000;
/** Receipts waiting to be verified and stored; more are refused as a flood. */
export const maxPendingReceipts = 64;

/** Why a donor refused a channel open. */
export type ChannelOpenRefusal = 'bad-channel-open' | 'wrong-domain' | 'price-changed' | 'unknown-channel' | 'wrong-client' | 'resume-mismatch';

/** What the donor tells its owner about receipts, for status and tests. */
export interface DonorPaymentEvents {
  onReceiptStored?(channel: ChannelRecord): void;
  onRefusal?(code: ReceiptRefusal | ChannelOpenRefusal | 'no-channel' | 'stalled' | 'bad-receipt', message: string, peerId: string): void;
}

export interface DonorPaymentOptions extends DonorPaymentEvents {
  /** Our payment key: receipts pay its address. */
  wallet: PaymentWallet;
  /** Micro-credits per MiB: the price in our listing. */
  price: bigint;
  domain: ReceiptDomainConfig;
  ledger: PaymentLedger;
  /** Monotonic and wall-clock milliseconds (tests drive them). */
  now?: () => number;
  wallClock?: () => number;
}

/** The donor's payment side, shared by all its links (a channel is served by one link at a time). */
export function createDonorPayments(options: DonorPaymentOptions): Payments {
  const now = options.now ?? (() => performance.now());
  const wallClock = options.wallClock ?? (() => Date.now());
  const exit = getAddress(options.wallet.address);
  const busy: BusyChannels = new Map();
  return {
    binding: bindingCache(options.wallet),
    forSession(context) {
      return donorChannel({ ...options, exit }, context, busy, now, wallClock);
    },
  };
}

/** Channel id → the link serving it, which a resuming link supersedes. */
type BusyChannels = Map<string, { supersede(): void }>;

interface OpenChannel {
  channelId: string;
  window: CreditWindow;
  verifier: ReceiptVerifier;
}

function donorChannel(options: DonorPaymentOptions & { exit: string }, context: PaymentSessionContext, busy: BusyChannels, now: () => number, wallClock: () => number): ChannelPayments {
  let tunnel: Tunnel | undefined;
  let open: OpenChannel | undefined;
  let opening = false;
  let closed = false;
  let receivedBytes = 0;
  let pending = 0;
  // Receipts are verified and stored one after another, so stored receipts only grow.
  let queue: Promise<void> = Promise.resolve();
  let roomWaiters: Array<() => void> = [];
  let stallTimer: ReturnType<typeof setTimeout> | undefined;
  let openTimer: ReturnType<typeof setTimeout> | undefined;

  const wake = (): void => {
    const waiters = roomWaiters;
    roomWaiters = [];
    for (const resolve of waiters) resolve();
  };

  function close(code: Parameters<NonNullable<DonorPaymentEvents['onRefusal']>>[0], message: string, errorCode: ErrorCode = ErrorCode.PAYMENT_REQUIRED): void {
    if (closed) return;
    options.onRefusal?.(code, message, context.peerId);
    tunnel?.close(errorCode, message);
    release();
  }

  function release(): void {
    if (closed) return;
    closed = true;
    clearTimeout(stallTimer);
    clearTimeout(openTimer);
    if (open && busy.get(open.channelId) === owner) busy.delete(open.channelId);
    wake();
  }

  /** How another link of the same client (checked against the stored channel) takes this channel over. */
  const owner = {
    supersede(): void {
      tunnel?.close(ErrorCode.NO_ERROR, 'The client resumed this payment channel on a new link.');
      release();
    },
  };

  const room = (): number => (open ? Math.max(0, open.window.windowBytes() - open.window.unpaidBytes()) : 0);

  /** The tunnel holds frames back: a client that lets the window stay full for receiptStallTimeoutMs is closed. */
  function checkStall(): void {
    if (!open || closed) return;
    const decision = open.window.decide(room() + 1);
    if (decision === WindowDecision.CLOSE) {
      close('stalled', `No receipt for ${receiptStallTimeoutMs / 1000} s with ${open.window.unpaidBytes()} bytes unpaid: the client stopped paying, so the donor closed the link.`);
    } else if (decision === WindowDecision.THROTTLE && stallTimer === undefined) {
      stallTimer = setTimeout(() => {
        stallTimer = undefined;
        checkStall();
      }, receiptStallTimeoutMs);
    }
  }

  async function acceptOpen(payload: Uint8Array): Promise<void> {
    let request: ChannelOpen;
    try {
      request = decodeChannelOpen(payload, context.peerId, { donorPeerId: context.identity.peerId, client: context.peerPaymentAddress, exit: options.exit });
    } catch (error) {
      if (error instanceof ChannelOpenError) return close('bad-channel-open', `Channel open refused (${error.code}): ${error.message}`);
      throw error;
    }
    if (!sameDomain(request, options.domain)) return close('wrong-domain', 'The client would sign receipts for another chain or settlement contract than this donor settles on.');
    if (request.price !== options.price) return close('price-changed', `The client accepted ${request.price} micro-credits per MiB; this donor's price is ${options.price}.`);
    const stored = await options.ledger.channel(request.channelId);
    let window: CreditWindow;
    let lastAccepted: SignedReceipt | undefined;
    if (!stored) {
      if (request.resumeBytes !== 0n) return close('unknown-channel', 'This donor holds no such payment channel to resume; open a new one.');
      await options.ledger.openChannel({
        channelId: request.channelId,
        role: 'donor',
        peerId: context.peerId,
        peerCountry: context.peerCountry,
        client: context.peerPaymentAddress,
        exit: options.exit,
        price: options.price.toString(),
        chainId: BigInt(options.domain.chainId).toString(),
        verifyingContract: getAddress(options.domain.verifyingContract),
      });
      window = makeCreditWindow({ now });
    } else {
      if (stored.role !== 'donor' || stored.client !== context.peerPaymentAddress || stored.exit !== options.exit) return close('wrong-client', 'This payment channel belongs to another client.');
      if (stored.price !== options.price.toString()) return close('price-changed', 'The stored channel was opened at another price.');
      const paid = BigInt(stored.cumBytes);
      // The client continues from its newest stored receipt; bytes past it that never arrived
      // (at most W, lost with the old link) are the donor's accepted exposure.
      if (request.resumeBytes < paid || request.resumeBytes > paid + BigInt(stored.windowBytes)) {
        return close('resume-mismatch', `The client resumes at ${request.resumeBytes} bytes; this donor holds a receipt for ${paid} and a window of ${stored.windowBytes}.`);
      }
      lastAccepted = stored.receipt ? parseSignedReceipt(stored.receipt) : undefined;
      window = makeCreditWindow({ now, sentBytes: Number(request.resumeBytes), paidBytes: stored.cumBytes, windowBytes: stored.windowBytes });
    }
    if (closed) return;
    // The same client (the stored channel names its address) resumes on a new link when the old
    // one died on its side; the donor may not have noticed yet. One link serves a channel at a time.
    busy.get(request.channelId)?.supersede();
    busy.set(request.channelId, owner);
    const terms = { domain: options.domain, channelId: request.channelId, client: context.peerPaymentAddress, exit: options.exit, price: options.price };
    open = { channelId: request.channelId, window, verifier: makeReceiptVerifier({ terms, now, wallClock, lastAccepted: lastAccepted?.receipt }) };
    clearTimeout(openTimer);
    wake();
  }

  async function acceptReceipt(payload: Uint8Array): Promise<void> {
    if (closed) return;
    if (!open) return close('no-channel', 'A receipt arrived before the payment channel was open.', ErrorCode.PROTOCOL_ERROR);
    let signed: SignedReceipt;
    try {
      signed = decodeReceiptFrame(payload);
    } catch (error) {
      if (error instanceof ReceiptError) return close('bad-receipt', `Receipt refused (${error.code}): ${error.message}`);
      throw error;
    }
    const { window, verifier } = open;
    const verdict = verifier.verify(signed, window.sentBytes());
    if (!verdict.ok) {
      // A replay or a flood acknowledges nothing new: drop it; the next cumulative receipt covers the same bytes.
      if (verdict.code === 'replay' || verdict.code === 'flood') return void options.onRefusal?.(verdict.code, verdict.message, context.peerId);
      return close(verdict.code, `Receipt refused (${verdict.code}): ${verdict.message}`);
    }
    const grown = grownWindow(window.windowBytes());
    // Stored durably before the window grows: an acknowledged receipt is never lost.
    const record = await options.ledger.recordReceipt(signed, grown);
    if (closed) return;
    verifier.commit(verdict.receipt);
    window.onReceipt(Number(verdict.receipt.cumBytes));
    clearTimeout(stallTimer);
    stallTimer = undefined;
    options.onReceiptStored?.(record);
    wake();
  }

  function enqueue(task: () => Promise<void>): void {
    if (pending >= maxPendingReceipts) {
      options.onRefusal?.('flood', 'Too many receipts waiting: slow down.', context.peerId);
      return;
    }
    pending++;
    queue = queue
      .then(task)
      .catch((error: unknown) => close('bad-receipt', `The donor could not store the receipt: ${String(error)}`, ErrorCode.INTERNAL_ERROR))
      .finally(() => pending--);
  }

  return {
    meter: {
      received(bytes) {
        receivedBytes += bytes;
      },
      sent(bytes) {
        open?.window.onSent(bytes);
      },
      room,
      roomChanged() {
        if (closed) return Promise.resolve();
        checkStall();
        return new Promise<void>((resolve) => roomWaiters.push(resolve));
      },
    },
    onOpaqueFrame(frame) {
      if (closed) return;
      if (frame.type === FrameType.CHANNEL_OPEN) {
        if (opening) return close('bad-channel-open', 'The client opened a second payment channel on one link.', ErrorCode.PROTOCOL_ERROR);
        opening = true;
        enqueue(() => acceptOpen(frame.payload));
      } else if (frame.type === FrameType.RECEIPT) {
        enqueue(() => acceptReceipt(frame.payload));
      }
    },
    async attach(built) {
      tunnel = built;
      void built.closed.then(release);
      openTimer = setTimeout(() => {
        if (!open) close('no-channel', `The client opened no payment channel within ${channelOpenTimeoutMs / 1000} s.`);
      }, channelOpenTimeoutMs);
    },
    counts(): ChannelCounts {
      return {
        channelId: open?.channelId,
        sentBytes: open?.window.sentBytes() ?? 0,
        receivedBytes,
        receiptBytes: open?.window.paidBytes() ?? 0,
        windowBytes: open?.window.windowBytes() ?? 0,
      };
    },
  };
}
