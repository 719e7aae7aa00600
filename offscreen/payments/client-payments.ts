// The client's side of payment channels: opens (or resumes) a channel with the donor's listed
// price in a signed CHANNEL_OPEN, counts the stream-frame bytes it sends and the ones its tunnel
// accepted, and signs a cumulative receipt for both at least every W/4 bytes and every 2 s while
// data flows. Each receipt is
// stored before it is sent, so the client never acknowledges more than its ledger remembers and
// a resumed channel continues from there. Spec: docs/receipts.md.
import { encodeChannelOpen, newChannelId } from '../../protocol/channel-open.ts';
import { ErrorCode, FrameType } from '../../protocol/frame-types.ts';
import { creditsForBytes, encodeReceiptFrame, parseSignedReceipt, signReceipt, type ReceiptDomainConfig, type SignedReceipt } from '../../protocol/receipt.ts';
import { getAddress } from 'ethers';
import { bindingCache, type ChannelCounts, type ChannelPayments, type PaymentSessionContext, type PaymentWallet, type Payments } from './channel-payments.ts';
import { grownWindow, initialCreditWindowBytes } from './credit-window.ts';
import type { ChannelRecord, PaymentLedger } from './payment-ledger.ts';
import type { Tunnel } from '../tunnel/tunnel.ts';

/** A receipt is signed at least this often while unacknowledged bytes wait. */
export const receiptIntervalMs = 2_000;
/**
 * A receipt is signed once W / this many bytes are unacknowledged. Not W/2: the receipt must reach
 * the donor, verified and stored, before the bytes already on their way (its send buffer, the data
 * channel) and those it sends meanwhile use up the rest of W, or it holds frames back.
 */
export const receiptWindowDivisor = 4;
/** How long a receipt stays settleable: the donor has this long to settle it on chain. */
export const receiptLifetimeSeconds = 30 * 24 * 3600;

/** A receipt's expiry: receiptLifetimeSeconds from now, and never before the channel's last one. */
function expiryAfter(lastExpiry: bigint, nowMs: number): bigint {
  const fromNow = BigInt(Math.floor(nowMs / 1000) + receiptLifetimeSeconds);
  return fromNow > lastExpiry ? fromNow : lastExpiry;
}

export interface ClientPaymentOptions {
  /** The payment key (ethers Wallet): signs receipts and binds itself to each identity used. */
  wallet: PaymentWallet;
  domain: ReceiptDomainConfig;
  ledger: PaymentLedger;
  /** Wall-clock milliseconds (receipt expiry). */
  wallClock?: () => number;
  /** Called after each receipt is stored and sent. */
  onReceiptSent?(channel: ChannelRecord): void;
}

interface ClientChannels {
  /** Donor peer id → the channel this client opened with it. */
  byDonor: Map<string, string>;
  /** Channel ids a live link uses. */
  busy: Set<string>;
  /** Channel id → its ended link's last receipt being signed and stored; a resume waits for it. */
  closing: Map<string, Promise<void>>;
}

/** The client's payment side for all its links. */
export function createClientPayments(options: ClientPaymentOptions): Payments {
  const client = getAddress(options.wallet.address);
  // The channel this client opened with each donor: a new link to the same donor resumes it (the
  // old link died), unless a live link still uses it. Other tabs and later runs open their own
  // channels, so two links never share one; stored channels stay in the ledger either way.
  const channels: ClientChannels = { byDonor: new Map(), busy: new Set(), closing: new Map() };
  return {
    binding: bindingCache(options.wallet),
    forSession(context) {
      return clientChannel(options, client, context, channels);
    },
  };
}

function clientChannel(options: ClientPaymentOptions, client: string, context: PaymentSessionContext, channels: ClientChannels): ChannelPayments {
  const wallClock = options.wallClock ?? (() => Date.now());
  if (context.price === undefined) throw new TypeError('client payments: the donor listing price is required');
  const price = context.price;
  let tunnel: Tunnel | undefined;
  let channel: ChannelRecord | undefined;
  // The receipts' cumBytes is received + sent: the donor serves uploads as it serves downloads.
  // A resumed channel's earlier bytes (both ways) count as received.
  let received = 0;
  let sent = 0;
  const metered = (): number => received + sent;
  let signedBytes = 0;
  // The donor keeps only the newest receipt, so a newer one may not expire earlier (docs/receipts.md,
  // "Settleable receipts"): a clock that steps back must not make the client's receipts refused.
  let lastExpiry = 0n;
  let windowBytes = initialCreditWindowBytes;
  let signing = false;
  let receiptCpuMs = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Receipts are signed and stored one at a time, in order.
  let chain: Promise<void> = Promise.resolve();

  /** Signs and stores one receipt for `upTo` bytes metered, then sends it if the link is up. */
  async function issueReceipt(upTo: number): Promise<void> {
    if (!channel || upTo <= signedBytes) return;
    const cumBytes = BigInt(upTo);
    const signStart = performance.now();
    const signed = await signReceipt(options.wallet, options.domain, {
      channelId: channel.channelId,
      client,
      exit: context.peerPaymentAddress,
      cumBytes,
      cumCredits: creditsForBytes(cumBytes, price),
      price,
      expiry: expiryAfter(lastExpiry, wallClock()),
    });
    receiptCpuMs += performance.now() - signStart;
    windowBytes = grownWindow(windowBytes);
    channel = await options.ledger.recordReceipt(signed, windowBytes);
    lastExpiry = signed.receipt.expiry;
    signedBytes = Number(cumBytes);
    if (tunnel && !tunnel.isClosed) {
      tunnel.sendOpaque({ type: FrameType.RECEIPT, streamId: 0, payload: encodeReceiptFrame(signed) });
      options.onReceiptSent?.(channel);
    }
  }

  /** Queues a receipt for everything metered until now behind the one being signed. */
  function queueReceipt(): Promise<void> {
    const upTo = metered();
    chain = chain.then(() => issueReceipt(upTo));
    return chain;
  }

  /** Signs, stores, then sends one receipt while the link is up; at most one waits at a time. */
  async function sendReceipt(): Promise<void> {
    if (signing || !tunnel || tunnel.isClosed) return;
    signing = true;
    try {
      await queueReceipt();
    } finally {
      signing = false;
    }
    // More may have arrived while signing.
    schedule();
  }

  function schedule(): void {
    if (!channel || metered() <= signedBytes) return;
    if (metered() - signedBytes >= windowBytes / receiptWindowDivisor) {
      clearTimeout(timer);
      timer = undefined;
      void sendReceipt().catch(() => tunnel?.close(ErrorCode.INTERNAL_ERROR, 'Could not sign or store a receipt.'));
      return;
    }
    timer ??= setTimeout(() => {
      timer = undefined;
      void sendReceipt().catch(() => tunnel?.close(ErrorCode.INTERNAL_ERROR, 'Could not sign or store a receipt.'));
    }, receiptIntervalMs);
  }

  return {
    meter: {
      received(bytes) {
        received += bytes;
        schedule();
      },
      sent(bytes) {
        // Counted as handed to the channel: it is ordered, so the donor has them before this receipt.
        sent += bytes;
        schedule();
      },
      room: () => Number.POSITIVE_INFINITY,
      roomChanged: () => Promise.resolve(),
    },
    onOpaqueFrame() {
      // A donor sends no payment frames; PROBE belongs to proof of bandwidth.
    },
    async attach(built) {
      tunnel = built;
      const terms = { peerId: context.peerId, client, exit: context.peerPaymentAddress, price: price.toString(), chainId: BigInt(options.domain.chainId).toString(), verifyingContract: getAddress(options.domain.verifyingContract) };
      const ending = channels.byDonor.get(context.peerId);
      if (ending !== undefined) await channels.closing.get(ending);
      // Read again: the ended link may have been refused, which forgets the channel.
      const previous = channels.byDonor.get(context.peerId);
      const stored = previous !== undefined && !channels.busy.has(previous) ? await options.ledger.channel(previous) : undefined;
      const resumable = stored && stored.exit === terms.exit && stored.price === terms.price && stored.chainId === terms.chainId && stored.verifyingContract === terms.verifyingContract;
      channel = resumable && !channels.busy.has(stored.channelId) ? stored : await options.ledger.openChannel({ ...terms, channelId: newChannelId(), role: 'client', peerCountry: context.peerCountry });
      const channelId = channel.channelId;
      channels.busy.add(channelId);
      channels.byDonor.set(context.peerId, channelId);
      void built.closed.then((error) => {
        clearTimeout(timer);
        timer = undefined;
        // Sign for what arrived after the last receipt, and keep it: a resumed link sends it, so
        // the donor does not count those bytes as owed. A channel the donor refused is not resumed.
        const settled = queueReceipt()
          .catch(() => {})
          .finally(() => {
            channels.busy.delete(channelId);
            channels.closing.delete(channelId);
            if (error.code === ErrorCode.PAYMENT_REQUIRED && channels.byDonor.get(context.peerId) === channelId) channels.byDonor.delete(context.peerId);
          });
        channels.closing.set(channelId, settled);
      });
      received = signedBytes = channel.cumBytes;
      sent = 0;
      // The donor's W grew only with the receipts that reached it, which may be fewer than the ones
      // stored here: count on the smallest W, so receipts come at least as often as the donor needs.
      windowBytes = initialCreditWindowBytes;
      const payload = encodeChannelOpen(
        context.identity,
        { channelId: channel.channelId, price, domain: { chainId: BigInt(options.domain.chainId), verifyingContract: getAddress(options.domain.verifyingContract) }, resumeBytes: BigInt(channel.cumBytes) },
        { donorPeerId: context.peerId, client, exit: context.peerPaymentAddress },
      );
      built.sendOpaque({ type: FrameType.CHANNEL_OPEN, streamId: 0, payload });
      // The donor may have lost the last receipt with the old link: send it again (a duplicate is dropped as a replay).
      const last: SignedReceipt | undefined = channel.receipt ? parseSignedReceipt(channel.receipt) : undefined;
      lastExpiry = last?.receipt.expiry ?? 0n;
      if (last && last.receipt.expiry * 1000n > BigInt(Math.floor(wallClock()))) built.sendOpaque({ type: FrameType.RECEIPT, streamId: 0, payload: encodeReceiptFrame(last) });
    },
    counts(): ChannelCounts {
      return { channelId: channel?.channelId, sentBytes: sent, receivedBytes: received, receiptBytes: signedBytes, windowBytes, receiptCpuMs };
    },
  };
}
