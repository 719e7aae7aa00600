// Settlement under random receipt sequences (fast-check) on anvil: a donor submits batches of any
// receipts it holds, in any order — stale ones, repeats, one channel twice in a batch, expired ones,
// receipts from a client whose credits run out part way. Whatever it sends, every channel's total
// paid equals the highest cumulative that settled on it, never falls, and no client ever pays more
// than the credits it bought; a client with credits to spare always ends paid up to its newest
// receipt that was not expired or a second one for its channel in the same batch.
import fc from 'fast-check';
import { Wallet, hexlify, randomBytes, type AddressLike } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedReceipt } from '../protocol/receipt.ts';
import { deploySettlementFixture, fixturePrice, type SettlementFixture } from './settlement-fixture.ts';

let f: SettlementFixture;
const exit = () => f.account(7);

beforeAll(async () => {
  f = await deploySettlementFixture();
}, 60_000);

afterAll(async () => {
  await f?.close();
});

/** One receipt the donor holds: which channel, how many MiB cumulative, and whether it has expired. */
const heldReceipt = fc.record({ channel: fc.nat({ max: 3 }), mib: fc.integer({ min: 1, max: 40 }), expired: fc.nat({ max: 7 }).map((n) => n === 0) }); // one receipt in eight expired
const batches = fc.array(fc.array(heldReceipt, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 });

describe('Settlement under random receipt sequences', () => {
  it('pays each channel its highest settled cumulative, never more than the client bought', async () => {
    await fc.assert(
      fc.asyncProperty(batches, fc.boolean(), async (plan, rich) => {
        const client = new Wallet(Wallet.createRandom().privateKey);
        const bought = rich ? 1_000_000n : 50_000n; // 1 USD covers any plan; 0.05 USD runs out after 50 MiB
        await f.fund(client.address, bought);
        const channels = Array.from({ length: 4 }, () => hexlify(randomBytes(32)));
        const paid = new Map<string, bigint>();
        const highestValid = new Map<string, bigint>();
        const now = await f.now();
        for (const batch of plan) {
          const before = new Map<string, bigint>();
          for (const id of channels) before.set(id, await settledOn(id, client.address));
          const receipts: SignedReceipt[] = [];
          const inBatch = new Set<string>();
          for (const held of batch) {
            const id = channels[held.channel]!; // channel ≤ 3
            const r = await f.receipt(client, exit().address, id, BigInt(held.mib), held.expired ? { expiry: now - 1n } : {});
            // A channel's first receipt in a batch that moves it forward claims the channel for the
            // batch; any later one for it is DuplicateChannel.
            const advances = !held.expired && r.receipt.cumCredits > before.get(id)!; // every channel is in `before`
            if (advances && !inBatch.has(id)) highestValid.set(id, [highestValid.get(id) ?? 0n, r.receipt.cumCredits].reduce((a, b) => (a > b ? a : b)));
            if (advances) inBatch.add(id);
            receipts.push(r);
          }
          const outcome = await f.settle(exit(), exit().address, receipts);
          for (const s of outcome.settled) paid.set(s.channel, (paid.get(s.channel) ?? 0n) + s.paid);
          for (const id of channels) expect(await settledOn(id, client.address)).toBeGreaterThanOrEqual(before.get(id)!); // set above
          expect(outcome.settled.length + outcome.rejected.length).toBe(receipts.length);
        }
        let total = 0n;
        for (const id of channels) {
          const settled = await settledOn(id, client.address);
          expect(paid.get(id) ?? 0n).toBe(settled);
          expect(settled).toBeLessThanOrEqual(highestValid.get(id) ?? 0n);
          if (rich) expect(settled).toBe(highestValid.get(id) ?? 0n);
          total += settled;
        }
        expect(total).toBeLessThanOrEqual(bought);
        expect(bought - (await f.c.credits.balanceOf(client.address))).toBe(total);
      }),
      { numRuns: 25 },
    );
    expect(fixturePrice).toBe(1_000n); // the plan's sizes assume 1,000 micro-credits per MiB
  }, 120_000);
});

function settledOn(channelId: string, client: AddressLike): Promise<bigint> {
  return f.c.settlement.settled(channelId, client as string, exit().address);
}
