import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeChannelOpen, type ChannelOpen } from '../../protocol/channel-open.ts';
import { ErrorCode, FrameType } from '../../protocol/frame-types.ts';
import { decodeFrame, encodeData, encodeFrame, type Frame, type OpaqueFrame } from '../../protocol/frames.ts';
import { unknownCountry } from '../../protocol/signaling-messages.ts';
import { creditsForBytes, decodeReceiptFrame, encodeReceiptFrame, parseSignedReceipt, recoverReceiptSigner, type SignedReceipt } from '../../protocol/receipt.ts';
import type { Payments } from './channel-payments.ts';
import { createClientPayments, receiptIntervalMs, receiptLifetimeSeconds, receiptWindowDivisor, type ClientPaymentOptions } from './client-payments.ts';
import { grownWindow, initialCreditWindowBytes, maxCreditWindowBytes } from './credit-window.ts';
import { MiB, connect, donorPaymentsFor, download, listingPrice, makeLedger, makeParty, settle, slowLedger, testDomain, until, type Link, type Party } from './payment-channel.fixture.ts';
import type { ChannelRecord, PaymentLedger } from './payment-ledger.ts';
import { createMemoryTransportPair } from '../tunnel/memory-transport.fixture.ts';
import { readAll } from '../../tests/support/streams.ts';
import { createTunnel, defaultTunnelLimits, type IncomingStream, type RequestHead } from '../tunnel/tunnel.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date(2026, 2, 1, 12, 0, 0) });
});
afterEach(() => {
  vi.useRealTimers();
});

const receiptsIn = (frames: OpaqueFrame[]): SignedReceipt[] => frames.filter((f) => f.type === FrameType.RECEIPT).map((f) => decodeReceiptFrame(f.payload));
const opensIn = (link: Link, donor: Party, client: Party): ChannelOpen[] =>
  link.donorSaw
    .filter((f) => f.type === FrameType.CHANNEL_OPEN)
    .map((f) => decodeChannelOpen(f.payload, client.identity.peerId, { donorPeerId: donor.identity.peerId, client: client.wallet.address, exit: donor.wallet.address }));

/** A donor handler that answers each request's head at once and leaves its body to the test. */
function heldBodies() {
  const streams: IncomingStream[] = [];
  return {
    streams,
    onRequest(stream: IncomingStream, head: RequestHead) {
      stream.respond({ status: 200, statusText: 'OK', url: head.url, redirected: false, headers: [] });
      streams.push(stream);
    },
  };
}

interface Pair {
  donor: Party;
  client: Party;
  donorPayments: ReturnType<typeof donorPaymentsFor>;
  clientPayments: Payments;
  /** Each receipt the client stored and sent: the channel record after it. */
  sent: ChannelRecord[];
  /** Called after each of `sent`, as the client's onReceiptSent. */
  onSent?: (record: ChannelRecord) => void;
  link(options?: { onRequest?: (stream: IncomingStream, head: RequestHead) => void; price?: bigint }): Promise<Link>;
}

/** A real donor and a real client; `overrides` change the client's payment options. */
function pair(overrides: Partial<ClientPaymentOptions> = {}, donor = makeParty(), client = makeParty()): Pair {
  const donorPayments = donorPaymentsFor(donor);
  const sent: ChannelRecord[] = [];
  const clientPayments = createClientPayments({
    wallet: client.wallet,
    domain: testDomain,
    ledger: client.ledger,
    onReceiptSent: (c) => {
      sent.push(c);
      p.onSent?.(c);
    },
    ...overrides,
  });
  const p: Pair = {
    donor,
    client,
    donorPayments,
    clientPayments,
    sent,
    link: (options = {}) => connect({ donor, client, donorPayments: donorPayments.payments, clientPayments, ...options }),
  };
  return p;
}

const paidInFull = (link: Link) => (): boolean => link.donorChannel.counts().sentBytes > 0 && link.donorChannel.counts().receiptBytes === link.donorChannel.counts().sentBytes;

describe('client payments: when receipts are signed', () => {
  it('signs as soon as W/4 bytes are unacknowledged, growing with the window, and the tail after 2 s', async () => {
    const p = pair();
    const link = await p.link();
    const start = Date.now();
    // Enough for W to reach its cap on receipts due by bytes alone (15 of them, about 14 MiB).
    const body = download(link.client, 20 * MiB);
    await until(() => body.done, 'the download');
    expect(Date.now() - start).toBeLessThan(receiptIntervalMs);
    const beforeTimer = p.sent.length;
    await until(paidInFull(link), 'the tail receipt', receiptIntervalMs + 100);

    // Before the timer could fire, every receipt was due to the W/4 rule: each covers at least a quarter
    // of the window the previous one left (and at most the window: the donor sends no more).
    expect(beforeTimer).toBe(p.sent.length - 1);
    let window = initialCreditWindowBytes;
    let acknowledged = 0;
    for (const record of p.sent.slice(0, -1)) {
      expect(record.cumBytes - acknowledged).toBeGreaterThanOrEqual(window / receiptWindowDivisor);
      expect(record.cumBytes - acknowledged).toBeLessThanOrEqual(window);
      window = grownWindow(window);
      expect(record.windowBytes).toBe(window);
      acknowledged = record.cumBytes;
    }
    expect(window).toBe(maxCreditWindowBytes);
    // The tail, below W/4, went out on the timer.
    const tail = p.sent.at(-1)!;
    expect(tail.cumBytes - acknowledged).toBeLessThan(window / receiptWindowDivisor);
    expect(tail.cumBytes).toBe(link.clientChannel.counts().receivedBytes);
    expect(link.donorSawAt.at(-1)! - start).toBeGreaterThanOrEqual(receiptIntervalMs);
    link.client.close();
  });

  it('signs 2 s after the first unacknowledged byte while a trickle flows, and nothing once it stops', async () => {
    const p = pair();
    const held = heldBodies();
    const link = await p.link({ onRequest: held.onRequest });
    download(link.client, 0);
    await until(() => link.clientChannel.counts().receivedBytes > 0, 'the response head', 1_000, 1);
    const firstByteAt = Date.now();
    // 3 KiB every 100 ms for 10 s: 60 KiB per 2 s, below W/4, so only the timer signs.
    for (let i = 0; i < 100; i++) {
      void held.streams[0]!.write(new Uint8Array(3072));
      await vi.advanceTimersByTimeAsync(100);
    }
    await until(paidInFull(link), 'the last receipt', receiptIntervalMs + 100);
    const times = link.donorSawAt.filter((_, i) => link.donorSaw[i]!.type === FrameType.RECEIPT);
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect(times[0]! - firstByteAt).toBeGreaterThanOrEqual(receiptIntervalMs);
    expect(times[0]! - firstByteAt).toBeLessThanOrEqual(receiptIntervalMs + 20);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(receiptIntervalMs + 120);
    const cums = receiptsIn(link.donorSaw).map((r) => r.receipt.cumBytes);
    expect(cums).toEqual([...cums].sort((a, b) => (a < b ? -1 : 1)));
    expect(cums.at(-1)).toBe(BigInt(link.clientChannel.counts().receivedBytes));

    const count = times.length;
    await vi.advanceTimersByTimeAsync(5 * receiptIntervalMs);
    expect(receiptsIn(link.donorSaw)).toHaveLength(count);
    link.client.close();
  });

  it('signs receipts the donor can verify: its own key, the listed price, exact credits, 30 days to settle', async () => {
    const p = pair();
    const link = await p.link();
    const body = download(link.client, MiB);
    await until(() => body.done && paidInFull(link)(), 'the download to be paid');
    const signedAt = BigInt(Math.floor(Date.now() / 1000));
    const last = receiptsIn(link.donorSaw).at(-1)!;
    expect(last.receipt).toMatchObject({ channelId: link.clientChannel.counts().channelId, client: p.client.wallet.address, exit: p.donor.wallet.address, price: listingPrice });
    expect(last.receipt.cumCredits).toBe(creditsForBytes(last.receipt.cumBytes, listingPrice));
    expect(last.receipt.expiry - signedAt).toBeGreaterThanOrEqual(BigInt(receiptLifetimeSeconds) - 3n);
    expect(last.receipt.expiry - signedAt).toBeLessThanOrEqual(BigInt(receiptLifetimeSeconds));
    expect(recoverReceiptSigner(testDomain, last.receipt, last.signature)).toBe(p.client.wallet.address);
    expect(p.donorPayments.events.refusals).toEqual([]);
    link.client.close();
  });
});

describe('client payments: a clock that steps back', () => {
  it('never signs an earlier expiry than its last receipt on the channel, so the donor keeps taking them', async () => {
    let offsetMs = 0;
    const p = pair({ wallClock: () => Date.now() + offsetMs });
    const link = await p.link();
    const first = download(link.client, MiB);
    await until(() => first.done && paidInFull(link)(), 'the first download to be paid');
    // The computer's clock is set back an hour (a sync, a time zone bug): later receipts would expire sooner.
    offsetMs = -3600_000;
    const second = download(link.client, MiB);
    await until(() => second.done && paidInFull(link)(), 'the second download to be paid');
    const expiries = receiptsIn(link.donorSaw).map((r) => r.receipt.expiry);
    expect(expiries.length).toBeGreaterThan(4);
    expect(expiries).toEqual([...expiries].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(p.donorPayments.events.refusals).toEqual([]);
    expect(link.client.isClosed).toBe(false);
    link.client.close();
  });

  it('keeps that rule across a resumed link', async () => {
    let offsetMs = 0;
    const p = pair({ wallClock: () => Date.now() + offsetMs });
    const first = await p.link();
    const body = download(first.client, MiB);
    await until(() => body.done && paidInFull(first)(), 'the first link to be paid');
    first.drop();
    await until(() => first.client.isClosed && first.donor.isClosed, 'both ends to see the link drop');
    const lastExpiry = receiptsIn(first.donorSaw).at(-1)!.receipt.expiry;
    offsetMs = -3600_000;
    const second = await p.link();
    const more = download(second.client, MiB);
    await until(() => more.done && paidInFull(second)(), 'the resumed link to be paid');
    const fresh = receiptsIn(second.donorSaw).filter((r) => r.receipt.cumBytes > BigInt(first.clientChannel.counts().receiptBytes));
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((r) => r.receipt.expiry >= lastExpiry)).toBe(true);
    expect(p.donorPayments.events.refusals.map((r) => r.code)).toEqual(['replay']);
    second.client.close();
  });
});

describe('client payments: durability', () => {
  it('stores each receipt in its ledger before the donor can see it', async () => {
    const client = makeParty();
    const inner = client.ledger;
    let link: Link | undefined;
    const seenBeforeStored: number[] = [];
    const storeDelayMs = 50;
    // A slow disk: the write completes 50 ms after it was asked for.
    const slow: PaymentLedger = {
      ...inner,
      async recordReceipt(signed, windowBytes) {
        await new Promise((resolve) => setTimeout(resolve, storeDelayMs));
        const record = await inner.recordReceipt(signed, windowBytes);
        if (receiptsIn(link!.donorSaw).some((r) => r.receipt.cumBytes === signed.receipt.cumBytes)) seenBeforeStored.push(record.cumBytes);
        return record;
      },
    };
    const p = pair({}, makeParty(), { ...client, ledger: slow });
    link = await p.link();
    const body = download(link.client, 2 * MiB);
    await until(() => body.done && paidInFull(link!)(), 'the download to be paid', 10_000);
    expect(p.sent.length).toBeGreaterThan(3);
    expect(seenBeforeStored).toEqual([]);
    const stored = (await inner.channel(link.clientChannel.counts().channelId!))!;
    expect(stored.cumBytes).toBe(link.clientChannel.counts().receivedBytes);
    expect(stored.receipt).toEqual({ receipt: expect.objectContaining({ cumBytes: String(stored.cumBytes) }), signature: receiptsIn(link.donorSaw).at(-1)!.signature });
    link.client.close();
  });

  it('sends no receipt it could not store, and closes the link', async () => {
    const client = makeParty();
    const failing: PaymentLedger = { ...client.ledger, recordReceipt: () => Promise.reject(new Error('disk full')) };
    const p = pair({}, makeParty(), { ...client, ledger: failing });
    const link = await p.link();
    download(link.client, MiB);
    await until(() => link.client.isClosed, 'the client to give up');
    const error = await link.client.closed;
    expect(error.code).toBe(ErrorCode.INTERNAL_ERROR);
    expect(error.message).toMatch(/store a receipt/);
    expect(receiptsIn(link.donorSaw)).toEqual([]);
    expect(p.sent).toEqual([]);
  });
});

describe('client payments: the channel open', () => {
  it('accepts the price in the donor listing, the configured settlement domain, and starts at 0', async () => {
    const donor = makeParty();
    const client = makeParty();
    const price = 777_000n;
    const donorPayments = donorPaymentsFor(donor, { price });
    const clientPayments = createClientPayments({ wallet: client.wallet, domain: testDomain, ledger: client.ledger });
    const link = await connect({ donor, client, donorPayments: donorPayments.payments, clientPayments, price });
    await settle();
    const opens = opensIn(link, donor, client);
    expect(opens).toEqual([{ channelId: link.clientChannel.counts().channelId, price, domain: { chainId: BigInt(testDomain.chainId), verifyingContract: testDomain.verifyingContract }, resumeBytes: 0n }]);
    expect(link.donorSaw[0]!.type).toBe(FrameType.CHANNEL_OPEN);
    expect(await client.ledger.channel(opens[0]!.channelId)).toMatchObject({ role: 'client', peerId: donor.identity.peerId, exit: donor.wallet.address, price: price.toString(), cumBytes: 0 });
    expect(link.donorChannel.counts().channelId).toBe(opens[0]!.channelId);
    link.client.close();
  });

  it('is refused by a donor that asks another price than the listing the client saw', async () => {
    const p = pair();
    const link = await p.link({ price: listingPrice + 1n });
    await until(() => link.client.isClosed, 'the donor to refuse');
    expect((await link.client.closed).code).toBe(ErrorCode.PAYMENT_REQUIRED);
    expect(p.donorPayments.events.refusals.map((r) => r.code)).toEqual(['price-changed']);
  });

  it('needs the listing price', () => {
    const p = pair();
    expect(() => p.clientPayments.forSession({ role: 'client', identity: p.client.identity, peerId: p.donor.identity.peerId, peerCountry: 'ZZ', peerPaymentAddress: p.donor.wallet.address })).toThrow(TypeError);
  });
});

describe('client payments: when a link ends', () => {
  /** A link on which 50 000 bytes arrived, too few (below W/4) and too recent for a receipt to be due. */
  async function unreceipted(p: Pair) {
    const held = heldBodies();
    const link = await p.link({ onRequest: held.onRequest });
    download(link.client, 0);
    await until(() => held.streams.length === 1, 'the request to reach the donor', 1_000, 1);
    void held.streams[0]!.write(new Uint8Array(50_000));
    await until(() => link.clientChannel.counts().receivedBytes > 50_000 && link.clientChannel.counts().receivedBytes === link.donorChannel.counts().sentBytes, 'the bytes to arrive', 1_000, 1);
    expect(link.clientChannel.counts().receiptBytes).toBe(0);
    return { link, channelId: link.clientChannel.counts().channelId!, received: link.clientChannel.counts().receivedBytes };
  }

  it.each([
    ['drops', (link: Link) => link.drop(), true],
    ['is closed by the client', (link: Link) => link.client.close(), true],
    ['is closed by the donor', (link: Link) => link.donor.close(ErrorCode.NO_ERROR, 'The client resumed this payment channel on a new link.'), true],
    ['is refused by the donor (PAYMENT_REQUIRED)', (link: Link) => link.donor.close(ErrorCode.PAYMENT_REQUIRED, 'Payment refused (stalled): no receipt for 10 s.'), false],
  ])('when the link %s, stores without sending a receipt for what arrived after the last one (resumed next time: %s)', async (_name, end, resumed) => {
    const p = pair();
    const { link, channelId, received } = await unreceipted(p);
    end(link);
    await until(() => link.client.isClosed, 'the client to see the link end');
    await settle();
    const stored = (await p.client.ledger.channel(channelId))!;
    expect(stored).toMatchObject({ cumBytes: received, cumCredits: Number(creditsForBytes(BigInt(received), listingPrice)) });
    const signed = parseSignedReceipt(stored.receipt!);
    expect(signed.receipt).toMatchObject({ channelId, cumBytes: BigInt(received), exit: p.donor.wallet.address });
    expect(recoverReceiptSigner(testDomain, signed.receipt, signed.signature)).toBe(p.client.wallet.address);
    // Nothing went out: the link was gone.
    expect(receiptsIn(link.donorSaw)).toEqual([]);
    expect(p.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * receiptIntervalMs);
    expect((await p.client.ledger.channel(channelId))!.cumBytes).toBe(received);

    // The next link to this donor resumes from that receipt and sends it, unless the donor refused the channel.
    const next = await p.link();
    await settle();
    const [open] = opensIn(next, p.donor, p.client);
    if (resumed) {
      expect(open).toMatchObject({ channelId, resumeBytes: BigInt(received) });
      expect(receiptsIn(next.donorSaw)).toEqual([signed]);
      expect(next.donorChannel.counts()).toMatchObject({ channelId, receiptBytes: received });
    } else {
      expect(open!.channelId).not.toBe(channelId);
      expect(open!.resumeBytes).toBe(0n);
      expect(next.donorSaw.map((f) => f.type)).toEqual([FrameType.CHANNEL_OPEN]);
    }
    expect(p.donorPayments.events.refusals).toEqual([]);
    next.client.close();
  });

  it('resumes only once that receipt is stored, so the donor is owed nothing it did not lose', async () => {
    const client = makeParty();
    const p = pair({}, makeParty(), { ...client, ledger: slowLedger(client.ledger, () => 50) });
    const { link, channelId, received } = await unreceipted(p);
    link.drop();
    await until(() => link.client.isClosed, 'the client to see the link drop', 1_000, 1);
    // The new link is asked for while the receipt is still on its way to disk.
    expect((await client.ledger.channel(channelId))!.cumBytes).toBe(0);
    let next: Link | undefined;
    void p.link().then((l) => (next = l));
    await until(() => next !== undefined && p.donorPayments.events.stored.length === 1, 'the resumed link to pay the donor', 1_000, 1);
    expect(opensIn(next!, p.donor, p.client)).toEqual([expect.objectContaining({ channelId, resumeBytes: BigInt(received) })]);
    expect(receiptsIn(next!.donorSaw).map((r) => Number(r.receipt.cumBytes))).toEqual([received]);
    // Everything the donor sent arrived, and is paid.
    expect(next!.donorChannel.counts()).toMatchObject({ channelId, sentBytes: received, receiptBytes: received });
    expect(p.donorPayments.events.refusals).toEqual([]);
    next!.client.close();
  });

  // The refused link's last receipt is still being signed and stored when the new link is asked
  // for: attach waits for it, then reads again which channel to resume, and the refusal forgot it.
  it('does not resume a refused channel for a link asked for while the last receipt is being stored', async () => {
    const client = makeParty();
    const p = pair({}, makeParty(), { ...client, ledger: slowLedger(client.ledger, () => 50) });
    const { link, channelId } = await unreceipted(p);
    link.donor.close(ErrorCode.PAYMENT_REQUIRED, 'Payment refused (stalled): no receipt for 10 s.');
    await until(() => link.client.isClosed, 'the client to see the refusal', 1_000, 1);
    let next: Link | undefined;
    void p.link().then((l) => (next = l));
    await until(() => next !== undefined && next.donorSaw.length > 0, 'the next link to open a channel', 1_000, 1);
    const [open] = opensIn(next!, p.donor, p.client);
    expect(open!.channelId).not.toBe(channelId);
    expect(open!.resumeBytes).toBe(0n);
    next!.client.close();
  });
});

describe('client payments: resuming', () => {
  /** A first link to the donor that was paid in full for 1 MiB, then dropped. */
  async function paidAndDropped(p: Pair) {
    const first = await p.link();
    const body = download(first.client, MiB);
    await until(() => body.done && paidInFull(first)(), 'the first link to be paid');
    first.drop();
    await until(() => first.client.isClosed && first.donor.isClosed, 'both ends to see the link drop');
    const channelId = first.clientChannel.counts().channelId!;
    return { first, channelId, stored: (await p.client.ledger.channel(channelId))! };
  }

  it('resumes the channel it opened with that donor once the link died, and sends its last receipt again', async () => {
    const p = pair();
    const { channelId, stored } = await paidAndDropped(p);
    const second = await p.link();
    await settle();
    expect(opensIn(second, p.donor, p.client)).toEqual([expect.objectContaining({ channelId, resumeBytes: BigInt(stored.cumBytes) })]);
    // CHANNEL_OPEN, then the stored receipt byte for byte; the donor had it and drops it as a replay.
    expect(second.donorSaw.map((f) => f.type)).toEqual([FrameType.CHANNEL_OPEN, FrameType.RECEIPT]);
    expect(second.donorSaw[1]!.payload).toEqual(encodeReceiptFrame(parseSignedReceipt(stored.receipt)));
    expect(p.donorPayments.events.refusals.map((r) => r.code)).toEqual(['replay']);
    expect(second.clientChannel.counts()).toMatchObject({ channelId, receivedBytes: stored.cumBytes, receiptBytes: stored.cumBytes, windowBytes: initialCreditWindowBytes });

    const body = download(second.client, MiB);
    await until(() => body.done && paidInFull(second)(), 'the second link to be paid');
    expect(receiptsIn(second.donorSaw).slice(1).every((r) => r.receipt.cumBytes > BigInt(stored.cumBytes))).toBe(true);
    expect(await p.client.ledger.channels()).toHaveLength(1);
    second.client.close();
  });

  /** A first link that drops right after the client stored its third receipt, so that receipt never reaches the donor. */
  async function loseThirdReceipt(p: Pair) {
    const first = await p.link();
    // onReceiptSent runs once sendOpaque queued the frame; dropping the transport now keeps it off the wire.
    p.onSent = () => {
      if (p.sent.length === 3) first.drop();
    };
    download(first.client, 8 * MiB);
    await until(() => first.client.isClosed && first.donor.isClosed, 'the link to drop');
    await settle();
    p.onSent = undefined;
    const [, acknowledged, lost] = p.sent;
    return { first, acknowledged: acknowledged!, lost: lost!, channelId: lost!.channelId, received: first.clientChannel.counts().receivedBytes };
  }

  it('pays on the resumed link for everything the old link received, a receipt lost with it included', async () => {
    const p = pair();
    const { first, acknowledged, lost, channelId, received } = await loseThirdReceipt(p);
    expect(receiptsIn(first.donorSaw).map((r) => Number(r.receipt.cumBytes))).toEqual(p.sent.slice(0, 2).map((c) => c.cumBytes));
    expect((await p.donor.ledger.channel(channelId))!.cumBytes).toBe(acknowledged.cumBytes);
    // Bytes kept arriving after the lost receipt: the client signed and stored one more for them, and sent nothing.
    expect(received).toBeGreaterThan(lost.cumBytes);
    expect((await p.client.ledger.channel(channelId))!.cumBytes).toBe(received);
    expect(p.sent).toHaveLength(3);

    const second = await p.link();
    await until(() => p.donorPayments.events.stored.length === 3, 'the donor to store the receipt sent on resume');
    expect(opensIn(second, p.donor, p.client)).toEqual([expect.objectContaining({ channelId, resumeBytes: BigInt(received) })]);
    expect(receiptsIn(second.donorSaw).map((r) => Number(r.receipt.cumBytes))).toEqual([received]);
    expect((await p.donor.ledger.channel(channelId))!.cumBytes).toBe(received);
    expect(p.donorPayments.events.refusals).toEqual([]);
    // The donor is owed only what it sent and the client never got.
    expect(second.donorChannel.counts()).toMatchObject({ sentBytes: first.donorChannel.counts().sentBytes, receiptBytes: received });
    const body = download(second.client, MiB);
    await until(() => body.done && paidInFull(second)(), 'the resumed link to be paid');
    second.client.close();
  });

  // The client stores receipts the donor never saw (one lost with the link, the final one of an
  // ended link); the donor grows W only per receipt it stored. So a resumed link counts on from the
  // initial W and never expects a larger window than the donor grants.
  it('never counts on a larger W than the donor grants after a resume that skipped a lost receipt', async () => {
    const p = pair();
    await loseThirdReceipt(p);
    const second = await p.link();
    await until(() => p.donorPayments.events.stored.length === 3, 'the donor to store the receipt sent on resume');
    expect(second.clientChannel.counts().windowBytes).toBeLessThanOrEqual(second.donorChannel.counts().windowBytes);
    second.client.close();
  });

  it('opens a new channel while a live link to the same donor still uses the old one', async () => {
    const p = pair();
    const first = await p.link();
    await settle();
    const second = await p.link();
    await settle();
    const [a] = opensIn(first, p.donor, p.client);
    const [b] = opensIn(second, p.donor, p.client);
    expect(b!.channelId).not.toBe(a!.channelId);
    expect(b!.resumeBytes).toBe(0n);
    expect(first.client.isClosed).toBe(false);
    expect(second.donorSaw.map((f) => f.type)).toEqual([FrameType.CHANNEL_OPEN]);
    first.client.close();
    second.client.close();
  });

  it.each([
    ['another tab or a later run (a new payment side over the same ledger)', async (p: Pair) => pair({}, p.donor, p.client).link()],
    [
      'another donor',
      async (p: Pair) => {
        const other = makeParty();
        return connect({ donor: other, client: p.client, donorPayments: donorPaymentsFor(other).payments, clientPayments: p.clientPayments });
      },
    ],
    ['the same donor at a new price', async (p: Pair) => connect({ donor: p.donor, client: p.client, donorPayments: donorPaymentsFor(p.donor, { price: listingPrice * 2n }).payments, clientPayments: p.clientPayments, price: listingPrice * 2n })],
  ])('opens a new channel for %s', async (_name, next) => {
    const p = pair();
    const { channelId } = await paidAndDropped(p);
    const link = await next(p);
    await settle();
    const opens = link.donorSaw.filter((f) => f.type === FrameType.CHANNEL_OPEN);
    expect(opens).toHaveLength(1);
    expect(link.clientChannel.counts().channelId).not.toBe(channelId);
    expect(link.donorSaw.map((f) => f.type)).toEqual([FrameType.CHANNEL_OPEN]);
    expect(link.clientChannel.counts()).toMatchObject({ receivedBytes: 0, receiptBytes: 0, windowBytes: initialCreditWindowBytes });
    // The old channel stays in the ledger.
    expect((await p.client.ledger.channels('client')).map((c) => c.channelId)).toContain(channelId);
    expect(link.client.isClosed).toBe(false);
    link.client.close();
  });

  it('opens a new channel after a donor that lost its ledger refused to resume the old one', async () => {
    const p = pair();
    const { channelId, stored } = await paidAndDropped(p);
    // The donor restarted with an empty ledger under the same keys: it holds no such channel.
    const forgetful = { ...p.donor, ledger: makeLedger() };
    const donorPayments = donorPaymentsFor(forgetful);
    const refused = await connect({ donor: forgetful, client: p.client, donorPayments: donorPayments.payments, clientPayments: p.clientPayments });
    await until(() => refused.client.isClosed, 'the donor to refuse the resume');
    expect((await refused.client.closed).code).toBe(ErrorCode.PAYMENT_REQUIRED);
    expect(opensIn(refused, p.donor, p.client)).toEqual([expect.objectContaining({ channelId, resumeBytes: BigInt(stored.cumBytes) })]);
    expect(donorPayments.events.refusals.map((r) => r.code)).toEqual(['unknown-channel']);

    const next = await connect({ donor: forgetful, client: p.client, donorPayments: donorPayments.payments, clientPayments: p.clientPayments });
    await settle();
    const [open] = opensIn(next, p.donor, p.client);
    expect(open!.channelId).not.toBe(channelId);
    expect(open!.resumeBytes).toBe(0n);
    expect(next.donorSaw.map((f) => f.type)).toEqual([FrameType.CHANNEL_OPEN]);
    const body = download(next.client, MiB);
    await until(() => body.done && paidInFull(next)(), 'the new channel to be paid');
    expect(donorPayments.events.refusals.map((r) => r.code)).toEqual(['unknown-channel']);
    next.client.close();
  });

  it('does not send again a stored receipt that has expired', async () => {
    let offsetMs = 0;
    const p = pair({ wallClock: () => Date.now() + offsetMs });
    const { channelId } = await paidAndDropped(p);
    offsetMs = (receiptLifetimeSeconds + 1) * 1000;
    const second = await p.link();
    await settle();
    expect(opensIn(second, p.donor, p.client)).toEqual([expect.objectContaining({ channelId })]);
    expect(second.donorSaw.map((f) => f.type)).toEqual([FrameType.CHANNEL_OPEN]);
    second.client.close();
  });
});

// ---- a hostile donor: the real client over a real tunnel, the donor's frames crafted by the test ----

/** Frames the client's tunnel accepts from an honest donor for request 1: head, `body`, END. */
function honestAnswer(body: Uint8Array, streamId = 1): Uint8Array[] {
  return [
    encodeFrame({ type: FrameType.RESPONSE, streamId, status: 200, statusText: 'OK', url: 'https://files.example/', redirected: false, headers: [] }),
    ...(body.length > 0 ? [encodeData(streamId, body)] : []),
    encodeFrame({ type: FrameType.END, streamId }),
  ];
}
const totalBytes = (frames: Uint8Array[]): number => frames.reduce((sum, f) => sum + f.length, 0);
const junkData = (streamId: number, frames: number): Uint8Array[] => Array.from({ length: frames }, () => encodeData(streamId, new Uint8Array(65_000).fill(0x6a)));

/**
 * The real client payment side and tunnel, joined by memory transports to a donor end the test
 * drives frame by frame (as after a HELLO that proved both).
 */
async function rawDonorLink() {
  const client = makeParty();
  const donor = makeParty();
  const clientPayments = createClientPayments({ wallet: client.wallet, domain: testDomain, ledger: client.ledger });
  const [clientEnd, donorEnd] = createMemoryTransportPair();
  const fromClient: Frame[] = [];
  donorEnd.onMessage((m) => fromClient.push(decodeFrame(m)));
  const channel = clientPayments.forSession({ role: 'client', identity: client.identity, peerId: donor.identity.peerId, peerCountry: unknownCountry, peerPaymentAddress: donor.wallet.address, price: listingPrice });
  const tunnel = createTunnel({ transport: clientEnd, role: 'client', meter: channel.meter, onOpaqueFrame: (f) => channel.onOpaqueFrame(f) });
  await channel.attach(tunnel);
  /** The newest receipt the client stored, once the link has closed and it signed its last one. */
  const newestReceipt = async (): Promise<number> => {
    await until(() => tunnel.isClosed, 'the client to close the link', 5_000);
    await settle();
    const stored = await client.ledger.channel(channel.counts().channelId!);
    return stored!.cumBytes;
  };
  return { tunnel, channel, fromClient, send: (frames: Uint8Array[]) => frames.forEach((f) => donorEnd.send(f)), newestReceipt };
}

describe('client payments: a hostile donor is paid only for what the client accepted', () => {
  const hello = new TextEncoder().encode('hello');

  it('closes the link on junk DATA after END: the page read 5 bytes, and the receipt covers the answer that carried them, not 6.5 MB', async () => {
    const l = await rawDonorLink();
    const stream = l.tunnel.open({ method: 'GET', url: 'https://files.example/', headers: [] });
    stream.end();
    const answer = honestAnswer(hello);
    l.send(answer);
    let read = 0;
    let done = false;
    void (async () => {
      for await (const chunk of stream.readable) read += chunk.length;
      done = true;
    })();
    await until(() => done, 'the page to read the body', 1_000, 1);
    l.send(junkData(1, 100)); // 6.5 MB after the stream's END
    const cumBytes = await l.newestReceipt();
    expect((await l.tunnel.closed).code).toBe(ErrorCode.PROTOCOL_ERROR);
    expect(read).toBe(5);
    expect(cumBytes).toBe(totalBytes(answer));
  });

  // A window's worth of DATA, in frames that fill the 512 KiB credit exactly.
  const fullWindow = (): Uint8Array[] => Array.from({ length: 16 }, () => encodeData(1, new Uint8Array(32 * 1024)));
  const window1 = (increment: number) => encodeFrame({ type: FrameType.WINDOW, streamId: 1, increment });
  it.each<[string, (answer: Uint8Array[]) => { honest: Uint8Array[]; junk: Uint8Array[] }, ErrorCode]>([
    ['junk DATA after END on a stream the page has not read yet', (answer) => ({ honest: answer, junk: junkData(1, 100) }), ErrorCode.PROTOCOL_ERROR],
    ['END twice', (answer) => ({ honest: answer, junk: [answer.at(-1)!, ...junkData(1, 1)] }), ErrorCode.PROTOCOL_ERROR],
    ['DATA on a stream the client never opened', (answer) => ({ honest: answer.slice(0, 2), junk: junkData(3, 100) }), ErrorCode.PROTOCOL_ERROR],
    ['DATA on a donor stream never opened', (answer) => ({ honest: answer.slice(0, 2), junk: junkData(2, 100) }), ErrorCode.PROTOCOL_ERROR],
    ['a second RESPONSE head', (answer) => ({ honest: answer.slice(0, 2), junk: [answer[0]!, ...junkData(1, 1)] }), ErrorCode.PROTOCOL_ERROR],
    ['DATA before the RESPONSE head', (answer) => ({ honest: [], junk: [...junkData(1, 1), ...answer] }), ErrorCode.PROTOCOL_ERROR],
    ['DATA past the stream’s credit window', (answer) => ({ honest: [answer[0]!, ...fullWindow()], junk: junkData(1, 100) }), ErrorCode.FLOW_CONTROL_ERROR],
    ['WINDOW credit for bytes the client never sent', (answer) => ({ honest: answer.slice(0, 2), junk: Array.from({ length: 1000 }, () => window1(1)) }), ErrorCode.FLOW_CONTROL_ERROR],
  ])('closes the link on %s, and never pays for it', async (_name, script, code) => {
    const l = await rawDonorLink();
    // The page has not read yet: nothing returns credit, and the stream is still open when the junk arrives.
    const stream = l.tunnel.open({ method: 'GET', url: 'https://files.example/', headers: [] });
    stream.end();
    const { honest, junk } = script(honestAnswer(hello));
    l.send([...honest, ...junk]);
    const cumBytes = await l.newestReceipt();
    expect((await l.tunnel.closed).code).toBe(code);
    expect(cumBytes).toBe(totalBytes(honest));
    expect(l.channel.counts().receivedBytes).toBe(totalBytes(honest));
  });
});

describe('client payments: uploads are paid like downloads', () => {
  /** A donor handler that reads the whole upload, then answers with two bytes. */
  function readsUploads() {
    const uploaded: number[] = [];
    return {
      uploaded,
      onRequest(stream: IncomingStream, head: RequestHead) {
        void (async () => {
          let bytes = 0;
          for await (const chunk of stream.readable) bytes += chunk.length;
          uploaded.push(bytes);
          stream.respond({ status: 200, statusText: 'OK', url: head.url, redirected: false, headers: [] });
          await stream.write(Uint8Array.of(111, 107));
          stream.end();
        })().catch(() => {});
      },
    };
  }

  it('a client that uploads 6 MiB and downloads 2 bytes pays for the upload, to the byte the donor counted', async () => {
    const p = pair();
    const donor = readsUploads();
    const link = await p.link({ onRequest: donor.onRequest });
    const upload = 6 * MiB;
    let answer: Uint8Array | undefined;
    void (async () => {
      const stream = link.client.open({ method: 'POST', url: 'https://files.example/upload', headers: [] });
      await stream.write(new Uint8Array(upload));
      stream.end();
      await stream.response;
      answer = await readAll(stream.readable);
    })();
    await until(() => answer !== undefined, 'the upload to be answered', 30_000);
    expect(donor.uploaded).toEqual([upload]);
    expect(answer).toEqual(Uint8Array.of(111, 107));
    await until(() => p.donorPayments.events.stored.at(-1)?.cumBytes === link.clientChannel.counts().receiptBytes && link.clientChannel.counts().receiptBytes === link.clientChannel.counts().sentBytes + link.clientChannel.counts().receivedBytes, 'the last receipt', receiptIntervalMs + 200);
    const { sentBytes, receivedBytes } = link.clientChannel.counts();
    expect(sentBytes).toBeGreaterThan(upload); // the body and its framing
    expect(receivedBytes).toBeLessThan(1024); // the head, 2 bytes, END and the WINDOW credit for the body
    // The donor holds a receipt for both directions, and was refused nothing.
    const stored = (await p.donor.ledger.channel(link.clientChannel.counts().channelId!))!;
    expect(stored.cumBytes).toBe(sentBytes + receivedBytes);
    expect(stored.cumCredits).toBe(Number(creditsForBytes(BigInt(sentBytes + receivedBytes), listingPrice)));
    expect(p.donorPayments.events.refusals).toEqual([]);
    link.client.close();
  });

  it('a client that uploads and stops paying gets at most W and one stream window through, then is closed as stalled', async () => {
    // Its ledger never finishes a write: it never sends a receipt.
    const client = makeParty();
    const p = pair({}, makeParty(), { ...client, ledger: { ...client.ledger, recordReceipt: () => new Promise<never>(() => {}) } });
    let forwarded = 0;
    const link = await p.link({
      onRequest(stream) {
        void (async () => {
          for await (const chunk of stream.readable) forwarded += chunk.length;
        })().catch(() => {});
      },
    });
    const stream = link.client.open({ method: 'POST', url: 'https://files.example/upload', headers: [] });
    void stream.write(new Uint8Array(8 * MiB)).catch(() => {});
    await until(() => link.client.isClosed, 'the donor to give up on the client', 20_000);
    expect((await link.client.closed).code).toBe(ErrorCode.PAYMENT_REQUIRED);
    expect(p.donorPayments.events.refusals.map((r) => r.code)).toEqual(['stalled']);
    // The stream's first window arrives on the credit every stream starts with; more credit waits for room in W.
    expect(forwarded).toBeGreaterThan(0);
    expect(forwarded).toBeLessThanOrEqual(initialCreditWindowBytes + defaultTunnelLimits.initialWindowBytes);
  });
});
