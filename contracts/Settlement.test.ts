// Settlement end to end on anvil, deployed the way npm start deploys it: clients' credits bought by
// a sponsor with the test dollar (the reserve's token burns), receipts signed by protocol/receipt.ts,
// packed batches settled by an exit. Hostile parties: a client replaying or rolling back a receipt,
// a stranger forging one, a client without the credits, a receipt signed for another chain or
// contract, a batch that names one channel twice or lies about its credits, a submitter sending a
// malformed batch — each settles nothing and says why, without blocking the honest receipts beside it.
import { Wallet, hexlify, randomBytes } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signReceipt, type SignedReceipt } from '../protocol/receipt.ts';
import { encodeSettlementBatch } from '../protocol/settlement-batch.ts';
import { revertName } from './rewards-fixture.ts';
import { MiB, deploySettlementFixture, fixturePrice, type SettlementFixture } from './settlement-fixture.ts';

let f: SettlementFixture;
const client = () => f.account(5);
const poorClient = () => f.account(6);
const exit = () => f.account(7);
const channel = () => hexlify(randomBytes(32));
const receipt = (signer: Wallet, id: string, mib: bigint, overrides?: Parameters<SettlementFixture['receipt']>[4]) => f.receipt(signer, exit().address, id, mib, overrides);
const settle = (receipts: SignedReceipt[]) => f.settle(exit(), exit().address, receipts);
const errors = () => [f.c.settlement.interface];

beforeAll(async () => {
  f = await deploySettlementFixture();
  await f.fund(client().address, 10_000_000n); // 10 credits
}, 60_000);

afterAll(async () => {
  await f?.close();
});

describe('Settlement', () => {
  it('pays each channel its new cumulative once, burns the credits, and records the exit usage', async () => {
    const id = channel();
    const before = await f.c.credits.balanceOf(client().address);
    const first = await settle([await receipt(client(), id, 100n)]);
    expect(first.settled).toEqual([{ channel: id, client: client().address, paid: 100_000n }]);
    expect(first.rejected).toEqual([]);
    const second = await settle([await receipt(client(), id, 250n)]);
    expect(second.settled.map((s) => s.paid)).toEqual([150_000n]);
    expect(await f.c.settlement.settled(id, client().address, exit().address)).toBe(250_000n);
    expect(before - (await f.c.credits.balanceOf(client().address))).toBe(250_000n);
    expect(await f.c.settlement.usage(await f.c.settlement.currentEpoch(), exit().address)).toBeGreaterThanOrEqual(250_000n);
  });

  it('refuses a replay and a rollback, and a forged, expired or unfunded receipt, while the honest one in the batch settles', async () => {
    const id = channel();
    const r200 = await receipt(client(), id, 200n);
    await settle([r200]);
    const honest = channel();
    const stranger = new Wallet(Wallet.createRandom().privateKey);
    const now = await f.now();
    const result = await settle([
      r200, // replay
      await receipt(client(), channel(), 1n, { expiry: now - 1n }), // expired
      await receipt(stranger, channel(), 5n, { payer: client().address }), // signed by someone else for the client
      await receipt(poorClient(), channel(), 5n), // no credits
      await receipt(client(), honest, 3n),
    ]);
    expect(result.settled.map((s) => [s.channel, s.paid])).toEqual([[honest, 3_000n]]);
    expect(result.rejected.map((r) => r.reason)).toEqual(['replay', 'expired', 'bad-signature', 'insufficient-credits']);
    const rollback = await settle([await receipt(client(), id, 150n)]);
    expect(rollback.rejected.map((r) => r.reason)).toEqual(['rollback']);
    expect(await f.c.settlement.settled(id, client().address, exit().address)).toBe(200_000n);
  });

  it('refuses receipts signed for another chain or another contract, inflated credits, and one channel twice in a batch', async () => {
    const base = await receipt(client(), channel(), 1n);
    const otherChain = await signReceipt(client(), { ...f.domain, chainId: 1n }, base.receipt);
    const otherContract = await signReceipt(client(), { ...f.domain, verifyingContract: f.deployment.contracts.Credits }, { ...base.receipt, channelId: channel() });
    // The client signed a receipt whose credits do not follow from its bytes and price: billing junk.
    const inflated = await receipt(client(), channel(), 1n, { cumCredits: 5_000_000n });
    const twice = channel();
    const balance = await f.c.credits.balanceOf(client().address);
    const result = await settle([otherChain, otherContract, inflated, await receipt(client(), twice, 2n), await receipt(client(), twice, 3n)]);
    expect(result.rejected.map((r) => r.reason)).toEqual(['bad-signature', 'bad-signature', 'inconsistent-credits', 'duplicate-channel']);
    expect(result.settled.map((s) => [s.channel, s.paid])).toEqual([[twice, 2_000n]]);
    expect(balance - (await f.c.credits.balanceOf(client().address))).toBe(2_000n);
  });

  it('reverts a malformed batch: truncated, unknown version, empty, over the limit, or with no exit', async () => {
    const good = encodeSettlementBatch(exit().address, [await receipt(client(), channel(), 1n)]);
    const send = (batch: string) => f.c.settlement.connect(exit()).getFunction('settle')(batch);
    expect(await revertName({ errors: errors() }, send(good.slice(0, -2)))).toBe('BadBatchLength');
    expect(await revertName({ errors: errors() }, send('0x02' + good.slice(4)))).toBe('UnsupportedBatchVersion');
    expect(await revertName({ errors: errors() }, send(good.slice(0, 2 + 42)))).toBe('EmptyBatch');
    const body = good.slice(2 + 42);
    expect(await revertName({ errors: errors() }, send(good.slice(0, 2 + 42) + body.repeat(501)))).toBe('BatchTooLarge');
    expect(await revertName({ errors: errors() }, send('0x01' + '00'.repeat(20) + body))).toBe('ZeroExit');
  });

  it('settles a batch of 100 channels from 100 clients in one transaction, each paid exactly its cumulative', async () => {
    const clients = Array.from({ length: 100 }, () => new Wallet(Wallet.createRandom().privateKey));
    await f.fund(clients.map((c) => c.address), 1_000_000n);
    const receipts = await Promise.all(clients.map((c, i) => receipt(c, channel(), BigInt(i + 1))));
    const result = await settle(receipts);
    expect(result.rejected).toEqual([]);
    expect(result.settled.map((s) => s.paid)).toEqual(receipts.map((r) => r.receipt.cumCredits));
    for (const [i, c] of clients.entries()) expect(await f.c.credits.balanceOf(c.address)).toBe(1_000_000n - BigInt(i + 1) * fixturePrice);
    expect(receipts[99]!.receipt.cumBytes).toBe(100n * MiB);
  });
});
