// Test-only code, imported by donor-payments.test.ts and client-payments.test.ts and never by the
// extension or the engine: a donor and a client joined by an in-memory tunnel pair, each with its
// payment side wired exactly as peer-session.ts's handshake wires it (createTunnel with the
// channel's meter, onOpaqueFrame and gated requests, then attach), plus a driver for vitest's fake clock.
import { Wallet, type HDNodeWallet } from 'ethers';
import { vi } from 'vitest';
import type { OpaqueFrame } from '../../protocol/frames.ts';
import { createIdentity, type Identity } from '../../protocol/identity.ts';
import { unknownCountry } from '../../protocol/signaling-messages.ts';
import { localReceiptDomain } from '../../chain/local-domain.ts';
import { paidRequests, type ChannelPayments, type Payments } from './channel-payments.ts';
import { initialCreditWindowBytes } from './credit-window.ts';
import { createDonorPayments, type DonorPaymentOptions } from './donor-payments.ts';
import { createMemoryTransportPair } from '../tunnel/memory-transport.fixture.ts';
import { makeMemoryPaymentLedger, type ChannelRecord, type PaymentLedger } from './payment-ledger.ts';
import { createTunnel, type IncomingStream, type RequestHead, type Tunnel } from '../tunnel/tunnel.ts';

/** The price in the donor's signed listing: 1.5 credits per MiB, in micro-credits. */
export const listingPrice = 1_500_000n;
/** The settlement domain both sides sign for. */
export const testDomain = localReceiptDomain;
export const MiB = 1024 * 1024;

/** One side's keys and ledger; a ledger kept across links lets a channel resume. */
export interface Party {
  identity: Identity;
  wallet: HDNodeWallet;
  ledger: PaymentLedger;
}

/** An in-memory ledger whose clock is the (fake) Date, so day rows follow the test clock. */
export function makeLedger(): PaymentLedger {
  return makeMemoryPaymentLedger({ initialWindowBytes: initialCreditWindowBytes, now: () => new Date() });
}

/** `inner` on a slow disk: each receipt is written `delayMs()` ms (fake clock) after it was asked for. */
export function slowLedger(inner: PaymentLedger, delayMs: () => number): PaymentLedger {
  return {
    ...inner,
    async recordReceipt(...args) {
      const ms = delayMs();
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      return inner.recordReceipt(...args);
    },
  };
}

/** A peer with a fresh identity, payment key and ledger. */
export function makeParty(): Party {
  return { identity: createIdentity(), wallet: Wallet.createRandom(), ledger: makeLedger() };
}

/** Every code a donor's onRefusal reports. */
export type DonorRefusalCode = Parameters<NonNullable<DonorPaymentOptions['onRefusal']>>[0];

/** What a donor's payment side told its owner. */
export interface DonorEvents {
  refusals: Array<{ code: DonorRefusalCode; message: string }>;
  stored: ChannelRecord[];
}

/** The donor's payment side for `party`, recording its events; both clocks follow the fake Date. */
export function donorPaymentsFor(party: Party, overrides: Partial<DonorPaymentOptions> = {}): { payments: Payments; events: DonorEvents } {
  const events: DonorEvents = { refusals: [], stored: [] };
  const payments = createDonorPayments({
    wallet: party.wallet,
    price: listingPrice,
    domain: testDomain,
    ledger: party.ledger,
    now: () => Date.now(),
    wallClock: () => Date.now(),
    onRefusal: (code, message) => events.refusals.push({ code, message }),
    onReceiptStored: (record) => events.stored.push(record),
    ...overrides,
  });
  return { payments, events };
}

/** The donor's request handler: `?size=N` is answered with N bytes. */
export function serveSize(stream: IncomingStream, head: RequestHead): void {
  stream.respond({ status: 200, statusText: 'OK', url: head.url, redirected: false, headers: [] });
  const size = Number(new URL(head.url).searchParams.get('size') ?? '0');
  stream.write(new Uint8Array(size)).then(
    () => stream.end(),
    () => {}, // the link closed under the body: what the test is about
  );
}

export interface Link {
  client: Tunnel;
  donor: Tunnel;
  clientChannel: ChannelPayments;
  donorChannel: ChannelPayments;
  /** CHANNEL_OPEN and RECEIPT frames in the order the donor's payment side received them. */
  donorSaw: OpaqueFrame[];
  /** When (fake clock, ms) each of donorSaw arrived. */
  donorSawAt: number[];
  /** Drops the link, as a failed data channel would. */
  drop(): void;
}

export interface LinkOptions {
  donor: Party;
  client: Party;
  donorPayments: Payments;
  clientPayments: Payments;
  /** The listing price the client accepts; listingPrice unless a test changes it. */
  price?: bigint;
  onRequest?: (stream: IncomingStream, head: RequestHead) => void;
}

/** Joins a donor and a client over in-memory transports, as after a HELLO that proved both. */
export async function connect(options: LinkOptions): Promise<Link> {
  const [clientEnd, donorEnd] = createMemoryTransportPair();
  const donorSaw: OpaqueFrame[] = [];
  const donorSawAt: number[] = [];
  const donorChannel = options.donorPayments.forSession({
    role: 'donor',
    identity: options.donor.identity,
    peerId: options.client.identity.peerId,
    peerCountry: unknownCountry,
    peerPaymentAddress: options.client.wallet.address,
  });
  const donor = createTunnel({
    transport: donorEnd,
    role: 'donor',
    onRequest: paidRequests(donorChannel, options.onRequest ?? serveSize),
    meter: donorChannel.meter,
    onOpaqueFrame: (frame) => {
      donorSaw.push(frame);
      donorSawAt.push(Date.now());
      donorChannel.onOpaqueFrame(frame);
    },
  });
  const clientChannel = options.clientPayments.forSession({
    role: 'client',
    identity: options.client.identity,
    peerId: options.donor.identity.peerId,
    peerCountry: unknownCountry,
    peerPaymentAddress: options.donor.wallet.address,
    price: options.price ?? listingPrice,
  });
  const client = createTunnel({ transport: clientEnd, role: 'client', meter: clientChannel.meter, onOpaqueFrame: (frame) => clientChannel.onOpaqueFrame(frame) });
  await Promise.all([donorChannel.attach(donor), clientChannel.attach(client)]);
  return { client, donor, clientChannel, donorChannel, donorSaw, donorSawAt, drop: () => clientEnd.close() };
}

/** A body being read on the client, so a test can drive the clock while it arrives. */
export interface Download {
  received: number;
  done: boolean;
  error?: unknown;
}

/** Requests `size` bytes and reads them as they come. */
export function download(client: Tunnel, size: number): Download {
  const state: Download = { received: 0, done: false };
  const stream = client.open({ method: 'GET', url: `https://files.example/?size=${size}`, headers: [] });
  stream.end();
  void (async () => {
    try {
      await stream.response;
      for await (const chunk of stream.readable) state.received += chunk.length;
      state.done = true;
    } catch (error) {
      state.error = error;
    }
  })();
  return state;
}

/**
 * Lets deliveries, signatures and ledger writes finish: ten 1 ms turns of the fake clock (a timer
 * set while the fake clock ticks is due a millisecond later at the earliest, so 0 ms turns stall).
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(1);
}

/**
 * Moves the fake clock in small steps until `condition` holds.
 * @throws {Error} naming `what` when it does not hold within `withinMs`.
 */
export async function until(condition: () => boolean, what: string, withinMs = 30_000, stepMs = 5): Promise<void> {
  for (let waited = 0; !condition(); waited += stepMs) {
    if (waited > withinMs) throw new Error(`still waiting after ${withinMs} ms (fake clock) for ${what}`);
    await vi.advanceTimersByTimeAsync(stepMs);
  }
}
