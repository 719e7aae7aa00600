// A donor node: logs in to signaling, announces its listing, accepts clients and hands every
// request to the exit. Runs unchanged in a page, the offscreen document and Node.
import type { Identity } from '../../protocol/identity.ts';
import type { ListingFields, SignalingClient, WebSocketConstructor } from './signaling-client.ts';
import { connectSignaling } from './signaling-client.ts';
import { acceptPeers, type EstablishedSession, type PeerSessionError, type SessionOptions } from './peer-session.ts';
import type { IncomingStream, RequestHead } from '../tunnel/tunnel.ts';
import { microCreditsFromDecimal } from '../../protocol/receipt.ts';
import { createDonorPayments, type DonorPaymentOptions } from '../payments/donor-payments.ts';
import type { Payments } from '../payments/channel-payments.ts';

/** What a donor is paid with: everything of DonorPaymentOptions but the price, which its listing sets. */
export type DonorPaymentSetup = Omit<DonorPaymentOptions, 'price'>;

/** The exit side a donor hands requests to (offscreen/exit/exit.ts). */
export interface RequestHandler {
  handleRequest(stream: IncomingStream, head: RequestHead, client: string): void;
}

export interface DonorOptions {
  signalingUrl: string;
  identity: Identity;
  exit: RequestHandler;
  listing: Omit<ListingFields, 'policyDigest'>;
  /** Digest of the exit policy this donor enforces (exit-policy.ts `digest()`). */
  policyDigest: string;
  WebSocketImpl?: WebSocketConstructor;
  rtcConfig?: SessionOptions['rtcConfig'];
  tunnelLimits?: SessionOptions['tunnelLimits'];
  /** The payment key, settlement domain and ledger (the price is the listing's); or a ready payment side (the benches' unmetered baseline). */
  payment: DonorPaymentSetup | Payments;
  onSession?: (session: EstablishedSession) => void;
  onSessionError?: (peerId: string, error: PeerSessionError) => void;
}

export interface Donor {
  readonly peerId: string;
  /** Country the signaling server sees this donor in. */
  readonly country: string;
  readonly activeSessions: number;
  readonly signaling: SignalingClient;
  /** Withdraws the listing, closes every tunnel and the signaling connection. */
  close(): void;
}

/**
 * Starts sharing: resolves once the donor is announced and accepting.
 * @throws {SignalingError} when signaling refuses the login or the listing.
 */
export async function startDonor(options: DonorOptions): Promise<Donor> {
  const signaling = await connectSignaling({ url: options.signalingUrl, identity: options.identity, WebSocketImpl: options.WebSocketImpl });
  try {
    await signaling.announce({ ...options.listing, policyDigest: options.policyDigest });
  } catch (error) {
    signaling.close();
    throw error;
  }
  const acceptor = acceptPeers({
    identity: options.identity,
    signaling,
    maxSessions: options.listing.maxSessions,
    rtcConfig: options.rtcConfig,
    tunnelLimits: options.tunnelLimits,
    payments: 'forSession' in options.payment ? options.payment : createDonorPayments({ ...options.payment, price: microCreditsFromDecimal(options.listing.pricePerMiB) }),
    onRequest: (stream, head, peerId) => options.exit.handleRequest(stream, head, peerId),
    onSession: options.onSession,
    onSessionError: options.onSessionError,
  });
  return {
    peerId: signaling.peerId,
    country: signaling.country,
    get activeSessions() {
      return acceptor.activeSessions;
    },
    signaling,
    close() {
      signaling.withdraw();
      acceptor.stop();
      signaling.close();
    },
  };
}
