// What a peer session needs from the payment layer: after HELLO, each side gets one
// ChannelPayments for the link — the donor's (donor-payments.ts) verifies receipts and holds back
// what its credit window does not cover; the client's (client-payments.ts) opens the channel and
// signs receipts for what it received. Spec: docs/receipts.md.
import type { OpaqueFrame, PeerRole } from '../../protocol/frames.ts';
import type { Identity } from '../../protocol/identity.ts';
import { createPaymentBinding, type PaymentBinding } from '../../protocol/payment-key.ts';
import type { BaseWallet } from 'ethers';
import type { ReceiptDomainConfig } from '../../protocol/receipt.ts';
import type { IncomingStream, RequestHead, Tunnel, TunnelMeter } from '../tunnel/tunnel.ts';

/** What a tunnel calls for each REQUEST its peer opens. */
export type RequestHandler = (stream: IncomingStream, head: RequestHead) => void;

/** A payment channel's bytes as one side counts them. */
export interface ChannelCounts {
  /** 0x + 64 hex once the channel is open. */
  channelId?: string;
  /** Stream-frame bytes sent and received on the channel (a resumed channel counts on from its earlier links). */
  sentBytes: number;
  receivedBytes: number;
  /** cumBytes of the newest receipt (donor: accepted and stored; client: signed and stored). */
  receiptBytes: number;
  /** The credit window W (the client's mirror of the donor's). */
  windowBytes: number;
  /** Donor: how often, and for how long in total (ms), the link held frames back for want of a receipt. */
  holds?: number;
  heldMs?: number;
  /** CPU time (ms) spent on receipts: the donor verifying them, the client signing them. */
  receiptCpuMs?: number;
  /** Donor: RECEIPT frames that arrived, valid or not. */
  receiptFrames?: number;
  /** Donor: ms from a receipt's verification to its durable store (the wait before W grows), in total. */
  receiptStoreMs?: number;
}

/** One link's payment side. */
export interface ChannelPayments {
  /** Handed to the tunnel: counts stream frames, and on the donor limits them to the window. */
  readonly meter: TunnelMeter;
  /** Handed to the tunnel: CHANNEL_OPEN and RECEIPT frames. */
  onOpaqueFrame(frame: OpaqueFrame): void;
  /** Donor: wraps the exit's handler so that no request reaches it before the channel is open (see paidRequests). */
  gateRequests?(onRequest: RequestHandler): RequestHandler;
  /** Starts the channel on the built tunnel (the client sends CHANNEL_OPEN); resolves when requests may be sent. */
  attach(tunnel: Tunnel): Promise<void>;
  counts(): ChannelCounts;
}

/** Who is on the other end, as HELLO proved it. */
export interface PaymentSessionContext {
  /** Our role. */
  role: PeerRole;
  /** Our identity on this link (a client's may be per tab). */
  identity: Identity;
  peerId: string;
  /** Country signaling saw the peer in ('ZZ' unknown). */
  peerCountry: string;
  /** The peer's payment address, proven by HELLO (checksummed). */
  peerPaymentAddress: string;
  /** Client only: the price in the donor's signed listing, micro-credits per MiB. */
  price?: bigint;
}

/** A peer's payment side: its key binding for HELLO, and a ChannelPayments per link. */
export interface Payments {
  /** Binding of our payment key to `identity`, sent in HELLO. */
  binding(identity: Identity): Promise<PaymentBinding>;
  forSession(context: PaymentSessionContext): ChannelPayments;
}

/** The request handler a tunnel gets on a link with `payments`: the exit's, behind the payment side's gate. */
export function paidRequests(payments: ChannelPayments, onRequest: RequestHandler | undefined): RequestHandler | undefined {
  return onRequest && payments.gateRequests ? payments.gateRequests(onRequest) : onRequest;
}

/** The payment key as the payment layer uses it (an ethers Wallet). */
export type PaymentWallet = Pick<BaseWallet, 'address' | 'signMessage' | 'signTypedData'>;

/** Binds `wallet` to each identity it is asked for, once per identity. */
export function bindingCache(wallet: PaymentWallet): (identity: Identity) => Promise<PaymentBinding> {
  const bindings = new Map<string, Promise<PaymentBinding>>();
  return (identity) => {
    let binding = bindings.get(identity.peerId);
    if (!binding) bindings.set(identity.peerId, (binding = createPaymentBinding(identity, wallet)));
    return binding;
  };
}
