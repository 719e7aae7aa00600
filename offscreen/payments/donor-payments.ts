// The donor's side of payment channels. No request reaches the exit before the client's
// CHANNEL_OPEN accepted this donor's price; then the donor serves at most W bytes beyond the last
// receipt that was verified and stored durably (credit-window.ts), and all channels of one client
// identity or payment key together at most one W unpaid (exposure-account.ts). A receipt that
// fails verification closes the link with PAYMENT_REQUIRED and the refusal's code, except a replay
// or a flood, which cost nothing and are dropped. A client that stops signing is throttled, then
// closed. Spec: docs/receipts.md.
import { ChannelOpenError, decodeChannelOpen, sameDomain, type ChannelOpen } from '../../protocol/channel-open.ts';
import { ErrorCode, FrameType } from '../../protocol/frame-types.ts';
import { ReceiptError, decodeReceiptFrame, parseSignedReceipt, settlementLagSeconds, type Receipt, type ReceiptDomainConfig, type SignedReceipt } from '../../protocol/receipt.ts';
import { getAddress } from 'ethers';
import { bindingCache, type ChannelCounts, type ChannelPayments, type PaymentSessionContext, type PaymentWallet, type Payments } from './channel-payments.ts';
import type { ClientCreditCheck, CreditVerdict } from './client-credits.ts';
import { WindowDecision, grownWindow, initialCreditWindowBytes, makeCreditWindow, receiptStallTimeoutMs, type CreditWindow } from './credit-window.ts';
import { PaymentLedgerError, type ChannelRecord, type PaymentLedger } from './payment-ledger.ts';
import { makeExposureAccount, type ChannelExposure, type ExposureAccount } from './exposure-account.ts';
import { makeReceiptVerifier, type ReceiptRefusal, type ReceiptVerifier } from './receipt-verifier.ts';
import type { Tunnel } from '../tunnel/tunnel.ts';

/** The client must open its channel this soon after HELLO. */
export const channelOpenTimeoutMs = 10_000;
/** Receipts waiting to be verified and stored; more are refused as a flood. */
export const maxPendingReceipts = 64;

/** Why a donor refused a channel open. */
export type ChannelOpenRefusal = 'bad-channel-open' | 'wrong-domain' | 'price-changed' | 'unknown-channel' | 'wrong-client' | 'resume-mismatch';

/** Every reason a donor refuses a payment frame or closes a channel. */
export type PaymentRefusal = ReceiptRefusal | ChannelOpenRefusal | 'no-channel' | 'stalled' | 'bad-receipt' | 'storage-failed' | 'out-of-credits';

/** What the donor tells its owner about receipts, for status and tests. */
export interface DonorPaymentEvents {
  onReceiptStored?(channel: ChannelRecord): void;
  onRefusal?(code: PaymentRefusal, message: string, peerId: string): void;
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
  /** Unpaid bytes per client identity and payment key, across links; one per donor unless given. */
  exposure?: ExposureAccount;
  /**
   * The client's credits on chain (client-credits.ts), checked at the channel open and before each
   * receipt grows W; none where this build settles on no chain.
   */
  credits?: ClientCreditCheck;
}

/** The donor's payment side, shared by all its links (a channel is served by one link at a time). */
export function createDonorPayments(options: DonorPaymentOptions): Payments {
  const now = options.now ?? (() => performance.now());
  const wallClock = options.wallClock ?? (() => Date.now());
  const exit = getAddress(options.wallet.address);
  const shared: SharedChannels = { busy: new Map(), sent: new Map(), exposure: options.exposure ?? makeExposureAccount() };
  return {
    binding: bindingCache(options.wallet),
    forSession(context) {
      return donorChannel({ ...options, exit }, context, shared, now, wallClock);
    },
  };
}

/** What a donor's links share about channels. */
interface SharedChannels {
  /** Channel id → the link serving it, which a resuming link supersedes. */
  busy: Map<string, { supersede(): void }>;
  /** Channel id → bytes sent on it by links that ended: a new link of the channel still owes them. */
  sent: Map<string, number>;
  /** Unpaid bytes per client identity and payment key, over all their channels. */
  exposure: ExposureAccount;
}

interface OpenChannel {
  channelId: string;
  /** Micro-credits of the channel already settled (the ledger's): what its receipts owe is cumCredits less this. */
  settledCredits: bigint;
  window: CreditWindow;
  verifier: ReceiptVerifier;
  exposure: ChannelExposure;
}

function donorChannel(options: DonorPaymentOptions & { exit: string }, context: PaymentSessionContext, shared: SharedChannels, now: () => number, wallClock: () => number): ChannelPayments {
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
  /** Runs while the link is held back for the client's other channels (its own window has room). */
  let sharedStallTimer: ReturnType<typeof setTimeout> | undefined;
  let openTimer: ReturnType<typeof setTimeout> | undefined;
  /** Requests that arrived behind the CHANNEL_OPEN while it is being checked: the exit sees them once it is accepted. */
  let parked: Array<() => void> = [];

  let holds = 0;
  let heldMs = 0;
  let receiptCpuMs = 0;
  let receiptFrames = 0;
  let receiptStoreMs = 0;
  let heldSince: number | undefined;

  const wake = (): void => {
    clearTimeout(sharedStallTimer);
    sharedStallTimer = undefined;
    if (heldSince !== undefined) {
      heldMs += now() - heldSince;
      heldSince = undefined;
    }
    const waiters = roomWaiters;
    roomWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** Refuses: the client reads "Payment refused (code): message" in the GOAWAY. */
  function close(code: PaymentRefusal, message: string, errorCode: ErrorCode = ErrorCode.PAYMENT_REQUIRED): void {
    if (closed) return;
    options.onRefusal?.(code, message, context.peerId);
    tunnel?.close(errorCode, `Payment refused (${code}): ${message}`);
    release();
  }

  function release(): void {
    if (closed) return;
    closed = true;
    clearTimeout(stallTimer);
    clearTimeout(sharedStallTimer);
    clearTimeout(openTimer);
    parked = [];
    if (open) {
      open.exposure.release();
      const sent = open.window.sentBytes();
      shared.sent.set(open.channelId, Math.max(shared.sent.get(open.channelId) ?? 0, sent));
      if (shared.busy.get(open.channelId) === owner) shared.busy.delete(open.channelId);
      // Best effort: a document that is killed keeps the count stored with the last receipt.
      void options.ledger.noteSent(open.channelId, sent).catch(() => {});
    }
    wake();
  }

  /** How another link of the same client (checked against the stored channel) takes this channel over. */
  const owner = {
    supersede(): void {
      tunnel?.close(ErrorCode.NO_ERROR, 'The client resumed this payment channel on a new link.');
      release();
    },
  };

  /** Room in this channel's own window. */
  const ownRoom = (): number => (open ? Math.max(0, open.window.windowBytes() - open.window.unpaidBytes()) : 0);
  const room = (): number => (open ? Math.min(ownRoom(), open.exposure.room()) : 0);

  /** Whether the client's credits cover `windowBytes` unpaid until this donor can settle; undefined when no chain is checked. */
  function creditsFor(windowBytes: number): Promise<CreditVerdict> | undefined {
    const until = Math.floor(wallClock() / 1000) + settlementLagSeconds;
    return options.credits?.covers(context.peerPaymentAddress, { bytes: windowBytes, price: options.price, until });
  }

  /** Closes with `out-of-credits` for a verdict that refuses (an unknown one does not: see client-credits.ts). */
  function refuseCredits(verdict: CreditVerdict & { ok: false }, windowBytes: number): void {
    if (verdict.code === 'short') {
      close('out-of-credits', `The client's credits (${verdict.available} micro-credits beyond what it owes this donor) cannot pay for the next ${windowBytes} bytes (${verdict.needed} micro-credits): it needs more credits, bought or from a sponsor.`);
    } else if (verdict.code === 'thawing') {
      close('out-of-credits', `The client's credits can be withdrawn from ${new Date(verdict.lockedUntil * 1000).toISOString()}, before this donor could settle what it serves now (${settlementLagSeconds / 86_400} days).`);
    }
  }

  /**
   * The tunnel holds frames back: a client that lets the window stay full for receiptStallTimeoutMs
   * is closed; so is one held back that long for its other channels' unpaid bytes, with no receipt
   * on any of them.
   */
  function checkStall(): void {
    if (!open || closed) return;
    if (open.exposure.room() < ownRoom()) {
      sharedStallTimer ??= setTimeout(() => {
        sharedStallTimer = undefined;
        if (open && heldSince !== undefined && open.exposure.room() < ownRoom()) {
          close('stalled', `No receipt for ${receiptStallTimeoutMs / 1000} s on any channel of this client with bytes unpaid across them: the client stopped paying, so the donor closed the link.`);
        }
      }, receiptStallTimeoutMs);
      return;
    }
    const decision = open.window.decide(ownRoom() + 1);
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
      if (error instanceof ChannelOpenError) return close('bad-channel-open', `${error.code}: ${error.message}`);
      throw error;
    }
    if (!sameDomain(request, options.domain)) return close('wrong-domain', 'The client would sign receipts for another chain or settlement contract than this donor settles on.');
    if (request.price !== options.price) return close('price-changed', `The client accepted ${request.price} micro-credits per MiB; this donor's price is ${options.price}.`);
    const stored = await options.ledger.channel(request.channelId);
    let window: CreditWindow;
    let lastAccepted: SignedReceipt | undefined;
    let settledCredits = 0n;
    if (!stored) {
      if (request.resumeBytes !== 0n) return close('unknown-channel', 'This donor holds no such payment channel to resume; open a new one.');
      // Checked before the channel is stored, so a refused client leaves no empty channel in the ledger.
      const verdict = await creditsFor(initialCreditWindowBytes);
      if (closed) return;
      if (verdict && !verdict.ok && verdict.code !== 'unknown') return refuseCredits(verdict, initialCreditWindowBytes);
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
      if (request.resumeBytes < paid || request.resumeBytes > paid + BigInt(stored.windowBytes)) {
        return close('resume-mismatch', `The client resumes at ${request.resumeBytes} bytes; this donor holds a receipt for ${paid} and a window of ${stored.windowBytes}.`);
      }
      lastAccepted = stored.receipt ? parseSignedReceipt(stored.receipt) : undefined;
      settledCredits = BigInt(stored.settledCredits);
      options.credits?.owes(context.peerPaymentAddress, request.channelId, BigInt(Math.max(0, stored.cumCredits - stored.settledCredits)));
      const verdict = await creditsFor(stored.windowBytes);
      if (closed) return;
      if (verdict && !verdict.ok && verdict.code !== 'unknown') return refuseCredits(verdict, stored.windowBytes);
      // Credits the donor cannot read: the channel goes on within the first window only.
      const windowBytes = verdict?.ok === false ? initialCreditWindowBytes : stored.windowBytes;
      // The client counts on from its newest stored receipt. What earlier links sent beyond that
      // was served and never paid: it stays owed, so resuming never buys a fresh window. (Only a
      // killed document forgets what it sent after its last stored receipt.)
      const owed = Math.max(Number(request.resumeBytes), stored.sentBytes ?? 0, shared.sent.get(request.channelId) ?? 0);
      window = makeCreditWindow({ now, sentBytes: owed, paidBytes: stored.cumBytes, windowBytes });
    }
    if (closed) return;
    // The same client (the stored channel names its address) resumes on a new link when the old
    // one died on its side; the donor may not have noticed yet. One link serves a channel at a time.
    const previous = shared.busy.get(request.channelId);
    if (previous) {
      previous.supersede();
      // What the old link sent after the ledger was read is owed too.
      window = makeCreditWindow({ now, sentBytes: Math.max(window.sentBytes(), shared.sent.get(request.channelId) ?? 0), paidBytes: window.paidBytes(), windowBytes: window.windowBytes() });
    }
    shared.busy.set(request.channelId, owner);
    const terms = { domain: options.domain, channelId: request.channelId, client: context.peerPaymentAddress, exit: options.exit, price: options.price };
    // What the client sent on this link while the open was checked (REQUESTs behind it) is owed too.
    window.onReceived(receivedBytes);
    // Counted against the client's identity and payment key with its other channels; what they pay frees room here.
    const exposure = shared.exposure.open(request.channelId, { identity: context.peerId, paymentKey: context.peerPaymentAddress }, window, wake);
    open = { channelId: request.channelId, settledCredits, window, verifier: makeReceiptVerifier({ terms, now, wallClock, lastAccepted: lastAccepted?.receipt }), exposure };
    clearTimeout(openTimer);
    wake();
    const waiting = parked;
    parked = [];
    for (const request of waiting) request();
  }

  async function acceptReceipt(payload: Uint8Array): Promise<void> {
    if (closed) return;
    if (!open) return close('no-channel', 'A receipt arrived before the payment channel was open.');
    let signed: SignedReceipt;
    try {
      signed = decodeReceiptFrame(payload);
    } catch (error) {
      if (error instanceof ReceiptError) return close('bad-receipt', `${error.code}: ${error.message}`);
      throw error;
    }
    const { window, verifier } = open;
    const verifyStart = now();
    const verdict = verifier.verify(signed, window.sentBytes());
    receiptCpuMs += now() - verifyStart;
    if (!verdict.ok) {
      // A replay or a flood acknowledges nothing new: drop it; the next cumulative receipt covers the same bytes.
      if (verdict.code === 'replay' || verdict.code === 'flood') return void options.onRefusal?.(verdict.code, verdict.message, context.peerId);
      return close(verdict.code, verdict.message);
    }
    let next = grownWindow(window.windowBytes());
    // Before W grows past what the client's credits cover, the chain is asked (cached: client-credits.ts).
    // The receipt is valid whatever the answer, so it is stored (and can settle) even when the client is then refused.
    let refusal: (CreditVerdict & { ok: false }) | undefined;
    if (options.credits) {
      options.credits.owes(context.peerPaymentAddress, open.channelId, verdict.receipt.cumCredits > open.settledCredits ? verdict.receipt.cumCredits - open.settledCredits : 0n);
      const credits = await creditsFor(next);
      if (credits && !credits.ok) {
        if (credits.code === 'unknown') next = initialCreditWindowBytes;
        else refusal = credits;
      }
    }
    // Stored durably before the window grows: an acknowledged receipt is never lost.
    let record: ChannelRecord;
    const storeStart = now();
    try {
      record = await options.ledger.recordReceipt(signed, next, window.sentBytes());
      receiptStoreMs += now() - storeStart;
    } catch (error) {
      if (!(error instanceof PaymentLedgerError)) throw error;
      // The ledger holds a newer receipt than the verifier knew of (see below), and this one would settle less.
      if (error.code === 'expiry-rollback' || error.code === 'credits-rollback') return close(error.code, error.message);
      // A link that took the channel over read the ledger before the old link's last write: the
      // ledger already holds this receipt or a newer one. It acknowledges nothing new, but what
      // the ledger holds is paid: catch up with it.
      options.onRefusal?.('replay', error.message, context.peerId);
      const stored = await options.ledger.channel(signed.receipt.channelId);
      if (closed || !stored?.receipt || stored.cumBytes <= window.paidBytes() || stored.cumBytes > window.sentBytes()) return;
      honor(parseSignedReceipt(stored.receipt).receipt);
      return;
    }
    if (closed) return;
    // A refused client gets no more room: the link closes with the receipt stored.
    if (!refusal) honor(verdict.receipt, next);
    options.onReceiptStored?.(record);
    if (refusal) refuseCredits(refusal, next);
  }

  /** A stored receipt extends the window (to `nextWindowBytes` when given). */
  function honor(receipt: Receipt, nextWindowBytes?: number): void {
    if (!open) return;
    open.verifier.commit(receipt);
    open.window.onReceipt(Number(receipt.cumBytes), nextWindowBytes);
    open.exposure.sync();
    clearTimeout(stallTimer);
    stallTimer = undefined;
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
      .catch((error: unknown) => close('storage-failed', `The donor could not store the receipt: ${String(error)}`, ErrorCode.INTERNAL_ERROR))
      .finally(() => pending--);
  }

  return {
    meter: {
      received(bytes) {
        receivedBytes += bytes;
        // Uploads are served too (docs/receipts.md): owed like bytes sent, from the link's first frame.
        if (open) {
          open.window.onReceived(bytes);
          open.exposure.sync();
        }
      },
      sent(bytes) {
        if (!open) return;
        open.window.onSent(bytes);
        open.exposure.sync();
      },
      room,
      roomChanged() {
        if (closed) return Promise.resolve();
        if (open && heldSince === undefined) {
          holds++;
          heldSince = now();
        }
        checkStall();
        return new Promise<void>((resolve) => roomWaiters.push(resolve));
      },
    },
    onOpaqueFrame(frame) {
      if (closed) return;
      if (frame.type === FrameType.CHANNEL_OPEN) {
        if (opening) return close('bad-channel-open', 'The client opened a second payment channel on one link.');
        opening = true;
        enqueue(() => acceptOpen(frame.payload));
      } else if (frame.type === FrameType.RECEIPT) {
        receiptFrames++;
        enqueue(() => acceptReceipt(frame.payload));
      }
    },
    gateRequests(onRequest) {
      return (stream, head) => {
        // A closing link fails its streams.
        if (closed) return;
        if (open) return onRequest(stream, head);
        // The client's frames arrive in order: an honest one sent its CHANNEL_OPEN first.
        if (opening) return void parked.push(() => stream.signal.aborted || onRequest(stream, head));
        close('no-channel', 'A request arrived before the payment channel was open: the client must open one first, and nothing was fetched.');
      };
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
        holds,
        heldMs,
        receiptCpuMs,
        receiptFrames,
        receiptStoreMs,
      };
    },
  };
}
