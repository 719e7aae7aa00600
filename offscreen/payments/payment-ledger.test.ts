import 'fake-indexeddb/auto';
import { Wallet } from 'ethers';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { creditsForBytes, receiptToJson, signReceipt, type Receipt, type ReceiptDomainConfig, type SignedReceipt } from '../../protocol/receipt.ts';
import { initialCreditWindowBytes } from './credit-window.ts';
import { makeMemoryPaymentLedger, openPaymentLedger, PaymentLedgerError, type ChannelTermsRecord, type LedgerOptions, type PaymentLedger } from './payment-ledger.ts';

const clientWallet = new Wallet(`0x${'01'.repeat(32)}`);
const exitAddress = new Wallet(`0x${'03'.repeat(32)}`).address;
const domain: ReceiptDomainConfig = { chainId: 31337, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' };
const price = 1000n;
const mib = 1024 * 1024;
const channelA = `0x${'a1'.repeat(32)}`;
const channelB = `0x${'b2'.repeat(32)}`;

function terms(channelId: string, patch: Partial<ChannelTermsRecord> = {}): ChannelTermsRecord {
  return {
    channelId,
    role: 'donor',
    peerId: 'c'.repeat(64),
    peerCountry: 'DE',
    client: clientWallet.address,
    exit: exitAddress,
    price: price.toString(),
    chainId: String(domain.chainId),
    verifyingContract: domain.verifyingContract,
    ...patch,
  };
}

/** A real receipt for `cumBytes` on `channelId`, signed by the client's key, with `overrides` applied. */
function receipt(channelId: string, cumBytes: number, overrides: Partial<Receipt> = {}): Promise<SignedReceipt> {
  const bytes = BigInt(cumBytes);
  return signReceipt(clientWallet, domain, {
    channelId,
    client: clientWallet.address,
    exit: exitAddress,
    cumBytes: bytes,
    cumCredits: creditsForBytes(bytes, price),
    price,
    expiry: storedExpiry,
    ...overrides,
  });
}

const storedExpiry = 2_000_000_000n;

// The ledger's clock: local time, moved by each test.
let clock = new Date(2024, 4, 10, 12, 0);
const options: LedgerOptions = { initialWindowBytes: initialCreditWindowBytes, now: () => clock };
const opened: PaymentLedger[] = [];

beforeEach(() => {
  // A fresh, empty IndexedDB per test.
  globalThis.indexedDB = new IDBFactory();
  clock = new Date(2024, 4, 10, 12, 0);
});
afterEach(() => {
  for (const ledger of opened.splice(0)) ledger.close();
});

const implementations: Array<[string, () => Promise<PaymentLedger>]> = [
  ['IndexedDB', () => openPaymentLedger(options)],
  ['memory', async () => makeMemoryPaymentLedger(options)],
];

describe.each(implementations)('%s ledger', (_, openLedger) => {
  async function open(): Promise<PaymentLedger> {
    const ledger = await openLedger();
    opened.push(ledger);
    return ledger;
  }

  it('opens a channel with zero counters and the initial window, once', async () => {
    const ledger = await open();
    const first = await ledger.openChannel(terms(channelA));
    expect(first).toMatchObject({ channelId: channelA, cumBytes: 0, cumCredits: 0, sentBytes: 0, settledCredits: 0, windowBytes: initialCreditWindowBytes, openedAt: clock.getTime() });
    expect(first.receipt).toBeUndefined();

    clock = new Date(2024, 4, 10, 13, 0);
    const again = await ledger.openChannel(terms(channelA, { peerCountry: 'FR', price: '9999' }));
    expect(again).toEqual(first);
    expect(await ledger.channel(channelA)).toEqual(first);
    expect(await ledger.channels()).toHaveLength(1);
  });

  it('stores the newest receipt exactly as signed, and the window after it', async () => {
    const ledger = await open();
    await ledger.openChannel(terms(channelA));
    const signed = await receipt(channelA, 2 * mib);
    clock = new Date(2024, 4, 10, 12, 5);
    const stored = await ledger.recordReceipt(signed, 300_000);
    expect(stored).toMatchObject({ cumBytes: 2 * mib, cumCredits: 2000, windowBytes: 300_000, updatedAt: clock.getTime() });
    expect(stored.receipt).toEqual({ receipt: receiptToJson(signed.receipt), signature: signed.signature });
    expect(await ledger.channel(channelA)).toEqual(stored);
  });

  it('keeps the donor’s sent count with each receipt: never below the receipt, never lowered', async () => {
    const ledger = await open();
    await ledger.openChannel(terms(channelA));
    // Not given (the client): the receipt's own count.
    expect(await ledger.recordReceipt(await receipt(channelA, mib), initialCreditWindowBytes)).toMatchObject({ cumBytes: mib, sentBytes: mib });
    // Given: what the donor had sent when it stored the receipt.
    expect(await ledger.recordReceipt(await receipt(channelA, 2 * mib), initialCreditWindowBytes, 3 * mib)).toMatchObject({ cumBytes: 2 * mib, sentBytes: 3 * mib });
    // A smaller count (an older link's) leaves the larger one.
    expect(await ledger.recordReceipt(await receipt(channelA, 2 * mib + 1), initialCreditWindowBytes, 2 * mib + 1)).toMatchObject({ cumBytes: 2 * mib + 1, sentBytes: 3 * mib });
    expect((await ledger.channel(channelA))!.sentBytes).toBe(3 * mib);
  });

  it('raises the sent count when a link ends (noteSent), never lowers it, and ignores channels it does not hold', async () => {
    const ledger = await open();
    await ledger.openChannel(terms(channelA));
    const stored = await ledger.recordReceipt(await receipt(channelA, mib), initialCreditWindowBytes, mib + 100);
    const days = await ledger.days();

    await ledger.noteSent(channelA, 2 * mib);
    expect(await ledger.channel(channelA)).toEqual({ ...stored, sentBytes: 2 * mib });
    await ledger.noteSent(channelA, mib + 1);
    expect((await ledger.channel(channelA))!.sentBytes).toBe(2 * mib);
    // Only the sent count: the receipt, the window and the day rows stay.
    expect(await ledger.days()).toEqual(days);

    await ledger.noteSent(channelB, 5 * mib);
    expect(await ledger.channel(channelB)).toBeUndefined();
    expect(await ledger.channels()).toHaveLength(1);
  });

  it('adds each receipt’s increase to the row of the local day it was recorded on', async () => {
    const ledger = await open();
    await ledger.openChannel(terms(channelA));
    await ledger.openChannel(terms(channelB));
    await ledger.recordReceipt(await receipt(channelA, mib), initialCreditWindowBytes);
    clock = new Date(2024, 4, 10, 23, 59);
    await ledger.recordReceipt(await receipt(channelA, 3 * mib), initialCreditWindowBytes);
    await ledger.recordReceipt(await receipt(channelB, mib / 2), initialCreditWindowBytes);
    clock = new Date(2024, 4, 11, 0, 1);
    await ledger.recordReceipt(await receipt(channelA, 4 * mib), initialCreditWindowBytes);

    expect(await ledger.days()).toEqual([
      { day: '2024-05-10', channelId: channelA, role: 'donor', bytes: 3 * mib, credits: 3000 },
      { day: '2024-05-10', channelId: channelB, role: 'donor', bytes: mib / 2, credits: 500 },
      { day: '2024-05-11', channelId: channelA, role: 'donor', bytes: mib, credits: 1000 },
    ]);
  });

  it.each([
    ['the same', 2 * mib],
    ['fewer', mib],
  ])('refuses a receipt for %s bytes and writes nothing', async (_, cumBytes) => {
    const ledger = await open();
    await ledger.openChannel(terms(channelA));
    const before = await ledger.recordReceipt(await receipt(channelA, 2 * mib), initialCreditWindowBytes);
    const daysBefore = await ledger.days();
    clock = new Date(2024, 4, 11, 9, 0);

    await expect(ledger.recordReceipt(await receipt(channelA, cumBytes), 4 * mib)).rejects.toThrow(PaymentLedgerError);
    expect(await ledger.channel(channelA)).toEqual(before);
    expect(await ledger.days()).toEqual(daysBefore);
  });

  // A client that may not lower the count can still sign a newer receipt worth less: fewer credits,
  // or one that expires before the stored one. Stored, it would replace what the donor can settle.
  it.each([
    ['expires a second before the stored one', { expiry: storedExpiry - 1n }, 'expiry-rollback'],
    ['expires in a second', { expiry: BigInt(Math.floor(clock.getTime() / 1000)) + 1n }, 'expiry-rollback'],
    ['owes fewer credits than the stored one', { cumCredits: 1999n }, 'credits-rollback'],
  ])('refuses a receipt for more bytes that %s: the stored one stays, and nothing is written', async (_, overrides, code) => {
    const ledger = await open();
    await ledger.openChannel(terms(channelA));
    const before = await ledger.recordReceipt(await receipt(channelA, 2 * mib), initialCreditWindowBytes);
    const daysBefore = await ledger.days();

    const refused = ledger.recordReceipt(await receipt(channelA, 3 * mib, overrides), 4 * mib, 3 * mib);
    await expect(refused).rejects.toThrow(PaymentLedgerError);
    await expect(refused).rejects.toMatchObject({ code });
    expect(await ledger.channel(channelA)).toEqual(before);
    expect(await ledger.days()).toEqual(daysBefore);
  });

  it('takes a receipt for more bytes that expires as late as the stored one, or later', async () => {
    const ledger = await open();
    await ledger.openChannel(terms(channelA));
    await ledger.recordReceipt(await receipt(channelA, mib), initialCreditWindowBytes);
    expect(await ledger.recordReceipt(await receipt(channelA, 2 * mib), initialCreditWindowBytes)).toMatchObject({ cumBytes: 2 * mib });
    const later = await receipt(channelA, 3 * mib, { expiry: storedExpiry + 1n });
    expect((await ledger.recordReceipt(later, initialCreditWindowBytes)).receipt).toEqual({ receipt: receiptToJson(later.receipt), signature: later.signature });
  });

  it('refuses a receipt for a channel it does not hold, and writes nothing', async () => {
    const ledger = await open();
    await ledger.openChannel(terms(channelA));
    await expect(ledger.recordReceipt(await receipt(channelB, mib), initialCreditWindowBytes)).rejects.toThrow(PaymentLedgerError);
    expect(await ledger.channel(channelB)).toBeUndefined();
    expect(await ledger.channels()).toHaveLength(1);
    expect(await ledger.days()).toEqual([]);
  });

  it('lists channels newest first and days oldest first, one role when asked', async () => {
    const ledger = await open();
    await ledger.openChannel(terms(channelA));
    clock = new Date(2024, 4, 10, 12, 1);
    await ledger.openChannel(terms(channelB, { role: 'client' }));
    expect((await ledger.channels()).map((c) => c.channelId)).toEqual([channelB, channelA]);

    clock = new Date(2024, 4, 12, 8, 0);
    await ledger.recordReceipt(await receipt(channelA, mib), initialCreditWindowBytes);
    clock = new Date(2024, 4, 11, 8, 0); // the clock went back: the row of the 11th comes first all the same
    await ledger.recordReceipt(await receipt(channelB, mib), initialCreditWindowBytes);

    expect((await ledger.channels()).map((c) => c.channelId)).toEqual([channelA, channelB]);
    expect((await ledger.channels('donor')).map((c) => c.channelId)).toEqual([channelA]);
    expect((await ledger.channels('client')).map((c) => c.channelId)).toEqual([channelB]);
    expect((await ledger.days()).map((d) => [d.day, d.channelId])).toEqual([
      ['2024-05-11', channelB],
      ['2024-05-12', channelA],
    ]);
    expect((await ledger.days('donor')).map((d) => d.role)).toEqual(['donor']);
    expect((await ledger.days('client')).map((d) => d.role)).toEqual(['client']);
  });
});

describe('openPaymentLedger', () => {
  it('keeps channels and day rows across close and reopen', async () => {
    const ledger = await openPaymentLedger(options);
    await ledger.openChannel(terms(channelA));
    await ledger.recordReceipt(await receipt(channelA, mib), 400_000);
    await ledger.noteSent(channelA, 2 * mib);
    const stored = await ledger.channel(channelA);
    expect(stored).toMatchObject({ cumBytes: mib, sentBytes: 2 * mib });
    const days = await ledger.days();
    ledger.close();

    const reopened = await openPaymentLedger(options);
    opened.push(reopened);
    expect(await reopened.channel(channelA)).toEqual(stored);
    expect(await reopened.days()).toEqual(days);
    // And it resumes from what it stored: the next receipt adds only its increase.
    await reopened.recordReceipt(await receipt(channelA, 3 * mib), 400_000);
    expect((await reopened.days()).map((d) => d.bytes)).toEqual([3 * mib]);
  });
});
