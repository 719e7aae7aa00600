// A client node: logs in to signaling, finds a donor (optionally in a country), dials it and
// fetches through it, moving to another donor when one disappears.
import type { Identity } from '../protocol/identity.ts';
import { connectSignaling, type SignalingClient, type VerifiedDonor, type WebSocketConstructor } from './signaling-client.ts';
import { dialPeer, type SessionOptions } from './peer-session.ts';
import { createRelayClient } from './relay-client.ts';

export interface ClientOptions {
  signalingUrl: string;
  identity: Identity;
  /** ISO 3166-1 alpha-2 country to browse from; any country when absent. */
  country?: string;
  WebSocketImpl?: WebSocketConstructor;
  rtcConfig?: SessionOptions['rtcConfig'];
  tunnelLimits?: SessionOptions['tunnelLimits'];
  paymentAddress?: string;
  /** Called each time a donor is connected (the first, and each replacement). */
  onDonor?: (donor: VerifiedDonor) => void;
}

export interface Client {
  readonly peerId: string;
  readonly signaling: SignalingClient;
  /** `fetch` through the current donor; standard Request/Response. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** The donor requests currently go through, once one is connected. */
  readonly donor: VerifiedDonor | undefined;
  close(): void;
}

/**
 * Logs in to signaling; the first donor is dialed on the first request.
 * @throws {SignalingError} when the login fails.
 */
export async function startClient(options: ClientOptions): Promise<Client> {
  const signaling = await connectSignaling({ url: options.signalingUrl, identity: options.identity, WebSocketImpl: options.WebSocketImpl });
  let current: VerifiedDonor | undefined;
  const relay = createRelayClient({
    connect: async (exclude) => {
      const donor = await signaling.findDonor({ country: options.country, exclude });
      const session = await dialPeer(donor.peerId, {
        identity: options.identity,
        signaling,
        rtcConfig: options.rtcConfig,
        tunnelLimits: options.tunnelLimits,
        paymentAddress: options.paymentAddress,
        remoteCountry: donor.country,
      });
      current = donor;
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
    close() {
      relay.close();
      signaling.close();
    },
  };
}
