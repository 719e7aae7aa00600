import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { newChannelId } from '../../protocol/channel-open.ts';
import { creditsForBytes, signReceipt } from '../../protocol/receipt.ts';
import { localReceiptDomain } from '../../chain/local-domain.ts';
import { initialCreditWindowBytes } from '../../offscreen/payments/credit-window.ts';
import { makeMemoryPaymentLedger, type ChannelTermsRecord, type PaymentLedger } from '../../offscreen/payments/payment-ledger.ts';
import { observeUsage, type SessionUsage } from './session-usage.ts';

const client = Wallet.createRandom();
const exit = Wallet.createRandom().address;
const price = 1000n; // micro-credits per MiB
const expiry = BigInt(Math.floor(Date.now() / 1000) + 30 * 24 * 3600);

function terms(channelId = newChannelId()): ChannelTermsRecord {
  return {
    channelId,
    role: 'client',
    peerId: 'ab'.repeat(32),
    peerCountry: 'DE',
    client: client.address,
    exit,
    price: price.toString(),
    chainId: localReceiptDomain.chainId.toString(),
    verifyingContract: localReceiptDomain.verifyingContract,
  };
}

async function receipt(ledger: PaymentLedger, channelId: string, cumBytes: number): Promise<void> {
  const bytes = BigInt(cumBytes);
  const signed = await signReceipt(client, localReceiptDomain, { channelId, client: client.address, exit, cumBytes: bytes, cumCredits: creditsForBytes(bytes, price), price, expiry });
  await ledger.recordReceipt(signed, initialCreditWindowBytes);
}

describe('observeUsage', () => {
  it('adds up the receipts of every channel this session opened, growing with each one', async () => {
    const stored = makeMemoryPaymentLedger({ initialWindowBytes: initialCreditWindowBytes });
    const seen: SessionUsage[] = [];
    const ledger = observeUsage(stored, (usage) => seen.push(usage));
    const first = (await ledger.openChannel(terms())).channelId;
    const second = (await ledger.openChannel(terms())).channelId;
    await receipt(ledger, first, 1 << 20);
    await receipt(ledger, first, 3 << 20);
    await receipt(ledger, second, 1 << 19);
    expect(seen).toEqual([
      { bytes: 1 << 20, microCredits: 1000 },
      { bytes: 3 << 20, microCredits: 3000 },
      { bytes: (3 << 20) + (1 << 19), microCredits: 3500 },
    ]);
    // What it stores is exactly what the ledger below stores.
    expect((await stored.channel(first))?.cumBytes).toBe(3 << 20);
  });

  it('counts a channel resumed from an earlier session only from where it stood', async () => {
    const stored = makeMemoryPaymentLedger({ initialWindowBytes: initialCreditWindowBytes });
    const old = (await stored.openChannel(terms())).channelId;
    await receipt(stored, old, 5 << 20);
    const seen: SessionUsage[] = [];
    const ledger = observeUsage(stored, (usage) => seen.push(usage));
    await ledger.openChannel(terms(old));
    await receipt(ledger, old, 6 << 20);
    expect(seen).toEqual([{ bytes: 1 << 20, microCredits: 1000 }]);
  });

  it('reports nothing for a receipt the ledger refuses', async () => {
    const seen: SessionUsage[] = [];
    const ledger = observeUsage(makeMemoryPaymentLedger({ initialWindowBytes: initialCreditWindowBytes }), (usage) => seen.push(usage));
    const channelId = (await ledger.openChannel(terms())).channelId;
    await receipt(ledger, channelId, 2 << 20);
    await expect(receipt(ledger, channelId, 1 << 20)).rejects.toThrow();
    expect(seen).toEqual([{ bytes: 2 << 20, microCredits: 2000 }]);
  });
});
