// The browse page's own client: a fresh identity per tab (never the donor identity the extension
// shares with; signaling allows one login per identity, and a journalist's tabs should not be
// linkable to each other or to the donor), logged in to signaling, sticky to one donor at a time.
import { createIdentity } from '../../protocol/identity.ts';
import type { CountryDonors } from '../../protocol/signaling-messages.ts';
import { startClient, type Client, type ClientOptions, type DonorChoice } from '../../offscreen/peers/client.ts';
import type { ClientPaymentOptions } from '../../offscreen/payments/client-payments.ts';
import { microCreditsFromDecimal } from '../../protocol/receipt.ts';
import type { VerifiedDonor } from '../../offscreen/peers/signaling-client.ts';
import { observeUsage, type SessionUsage } from './session-usage.ts';
import type { FetchThrough } from './subresources.ts';

/** The donor requests go through, as the page shows it. */
export interface DonorInfo {
  readonly peerId: string;
  /** ISO 3166-1 alpha-2, as the signaling server observed it ('ZZ' unknown). */
  readonly country: string;
  /** Micro-credits per MiB, from the donor's signed listing: what this page's receipts are signed at. */
  readonly pricePerMiB: bigint;
}

/** Options of `openBrowseSession`. */
export interface BrowseSessionOptions {
  readonly signalingUrl: string;
  /** Called when a donor is connected (the first, and after each switch). */
  readonly onDonor: (donor: DonorInfo) => void;
  /** Called when the donor goes away on its own; requests then fail until `anotherDonor()` or `useDonor()`. */
  readonly onDonorLost: (donor: DonorInfo) => void;
  /** The payment key, settlement domain and ledger this page pays donors with (browse-payment.ts). */
  readonly payment: ClientPaymentOptions;
  /** Called after each receipt this session signs and stores, with the session's totals. */
  readonly onUsage?: (usage: SessionUsage) => void;
  /** For tests and Node: see ClientOptions. */
  readonly WebSocketImpl?: ClientOptions['WebSocketImpl'];
  readonly rtcConfig?: ClientOptions['rtcConfig'];
}

/** A logged-in browse client. */
export interface BrowseSession {
  /** This tab's (throwaway) peer id. */
  readonly peerId: string;
  /** fetch() through the current donor; the first request connects one. */
  readonly fetch: FetchThrough;
  /** Countries with donors free to take someone, with how many. */
  listCountries(): Promise<CountryDonors[]>;
  /** Connects a donor matching `choice` now, leaving the current one. */
  useDonor(choice: DonorChoice): Promise<DonorInfo>;
  /** Leaves the current (or lost) donor for another one matching the same choice. */
  anotherDonor(): Promise<DonorInfo>;
  close(): void;
}

function info(donor: VerifiedDonor): DonorInfo {
  return { peerId: donor.peerId, country: donor.country, pricePerMiB: microCreditsFromDecimal(donor.listing.pricePerMiB) };
}

/**
 * Logs in to signaling with a new identity.
 * @throws {SignalingError} when the server cannot be reached or refuses the login.
 */
export async function openBrowseSession(options: BrowseSessionOptions): Promise<BrowseSession> {
  const client: Client = await startClient({
    signalingUrl: options.signalingUrl,
    identity: createIdentity(),
    sticky: true,
    payment: options.onUsage ? { ...options.payment, ledger: observeUsage(options.payment.ledger, options.onUsage) } : options.payment,
    WebSocketImpl: options.WebSocketImpl,
    rtcConfig: options.rtcConfig,
    onDonor: (donor) => options.onDonor(info(donor)),
    onDonorLost: (donor) => options.onDonorLost(info(donor)),
  });
  return {
    peerId: client.peerId,
    fetch: (input, init) => client.fetch(input, init),
    listCountries: () => client.signaling.listCountries(),
    useDonor: async (choice) => info(await client.switchDonor(choice)),
    anotherDonor: async () => info(await client.switchDonor()),
    close: () => client.close(),
  };
}
