// A client node: logs in to signaling, finds a donor (optionally in a country, or one named donor),
// dials it and fetches through it. By default it moves to another donor when one disappears; a
// sticky client (the browse page) stays with its donor and reports the loss instead.
import type { Identity } from '../../protocol/identity.ts';
import { connectSignaling, type SignalingClient, type VerifiedDonor, type WebSocketConstructor } from './signaling-client.ts';
import { dialPeer, type SessionOptions } from './peer-session.ts';
import { createRelayClient } from './relay-client.ts';
import { microCreditsFromDecimal } from '../../protocol/receipt.ts';
import { createClientPayments, type ClientPaymentOptions } from '../payments/client-payments.ts';
import type { Payments } from '../payments/channel-payments.ts';
import type { TunnelError } from '../tunnel/tunnel-error.ts';
import type { Tunnel } from '../tunnel/tunnel.ts';

/** Which donors a client may use. */
export interface DonorChoice {
  /** ISO 3166-1 alpha-2 country to browse from; any country when absent. */
  readonly country?: string;
  /** One donor's peer id: only that donor is dialed (the country is then ignored). */
  readonly donor?: string;
}

/** Peer ids a donor query may exclude (signaling's limit). */
export const maxExcludedDonors = 32;

/** What a client is started with. */
export interface ClientOptions extends DonorChoice {
  signalingUrl: string;
  identity: Identity;
  WebSocketImpl?: WebSocketConstructor;
  rtcConfig?: SessionOptions['rtcConfig'];
  tunnelLimits?: SessionOptions['tunnelLimits'];
  /** The payment key, settlement domain and ledger receipts are signed and kept with; or a ready payment side (the benches' unmetered baseline). */
  payment: ClientPaymentOptions | Payments;
  /**
   * Stay with one donor until `switchDonor()`: when it goes away, requests reject with
   * DonorLostError (relay-client.ts) instead of moving to another donor. Default false.
   */
  sticky?: boolean;
  /** Called each time a donor is connected (the first, and each replacement). */
  onDonor?: (donor: VerifiedDonor) => void;
  /** Called when the current donor's link ends without this client ending it (not on close or switch). */
  onDonorLost?: (donor: VerifiedDonor, error: TunnelError) => void;
}

/** A logged-in client: fetch through donors, and switch between them. */
export interface Client {
  readonly peerId: string;
  readonly signaling: SignalingClient;
  /** `fetch` through the current donor; standard Request/Response. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** The donor requests go through, once one is connected (still set after a sticky client lost it). */
  readonly donor: VerifiedDonor | undefined;
  /**
   * Leaves the current donor and connects another: one matching `choice` when given (which then
   * applies from now on), otherwise one matching the same choice other than the donor being left.
   * @throws {SignalingError} 'no-donor' when none matches; {PeerSessionError} when dialing fails.
   */
  switchDonor(choice?: DonorChoice): Promise<VerifiedDonor>;
  close(): void;
}

/**
 * Logs in to signaling; the first donor is dialed on the first request.
 * @throws {SignalingError} when the login fails.
 */
export async function startClient(options: ClientOptions): Promise<Client> {
  const signaling = await connectSignaling({ url: options.signalingUrl, identity: options.identity, WebSocketImpl: options.WebSocketImpl });
  let choice: DonorChoice = { country: options.country, donor: options.donor };
  // The donor of the newest link; it stays set when that donor is lost, so "another donor" can exclude it.
  let current: VerifiedDonor | undefined;
  const donorOfTunnel = new WeakMap<Tunnel, VerifiedDonor>();
  const payments = 'forSession' in options.payment ? options.payment : createClientPayments(options.payment);
  const relay = createRelayClient({
    sticky: options.sticky,
    connect: async (exclude) => {
      const donor = await signaling.findDonor({
        ...(choice.donor !== undefined ? { donor: choice.donor } : { country: choice.country }),
        exclude: exclude.slice(-maxExcludedDonors),
      });
      const session = await dialPeer(donor.peerId, {
        identity: options.identity,
        signaling,
        rtcConfig: options.rtcConfig,
        tunnelLimits: options.tunnelLimits,
        payments,
        price: microCreditsFromDecimal(donor.listing.pricePerMiB),
        remoteCountry: donor.country,
      });
      current = donor;
      donorOfTunnel.set(session.tunnel, donor);
      void session.tunnel.closed.then((error) => {
        // A switch or close() has already let go of this donor: that is no loss to report.
        if (current === donor) options.onDonorLost?.(donor, error);
      });
      options.onDonor?.(donor);
      return { peerId: donor.peerId, tunnel: session.tunnel };
    },
  });
  return {
    peerId: signaling.peerId,
    signaling,
    fetch: (input, init) => relay.fetch(input, init),
    get donor() {
      return current;
    },
    async switchDonor(next) {
      const leaving = current?.peerId;
      if (next !== undefined) choice = { ...next };
      current = undefined;
      // A new choice may well be met by the donor being left (same country, or named again).
      const exclude = next === undefined && leaving !== undefined ? [leaving] : [];
      const link = await relay.switchDonor(exclude);
      const donor = donorOfTunnel.get(link.tunnel);
      // Every link comes from connect() above, which records its donor first.
      if (donor === undefined) throw new Error('switchDonor: the new link has no donor on record');
      return donor;
    },
    close() {
      current = undefined;
      relay.close();
      signaling.close();
    },
  };
}
