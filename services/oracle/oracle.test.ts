// Three oracles (k = 2) on anvil with the whole local deployment: each derives the epoch's rewards
// from Settlement's events and its own uptime record, signs, and gathers the others' attestations.
// Hostile parties: an oracle whose record invents a donor, and a peer serving forged attestations —
// neither gets a root posted; the honest two do, and the donor's claim mints exactly its share.
import { Wallet, hexlify, randomBytes } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anvilKeys } from '../../chain/anvil.ts';
import { connectHandle } from '../../chain/contracts.ts';
import { localAccounts } from '../../chain/deploy-plan.ts';
import { poolsOf } from '../../economy/emission-schedule.ts';
import { usageTokensWei } from '../../economy/epoch-rewards.ts';
import { advance } from '../../contracts/rewards-fixture.ts';
import { deploySettlementFixture, type SettlementFixture } from '../../contracts/settlement-fixture.ts';
import { createOracle, type Oracle } from './oracle.ts';
import { createUptimeRecord, type UptimeRecord } from './uptime-record.ts';

let f: SettlementFixture;
const token = 10n ** 18n;
const donorPeer = 'd'.repeat(64);

beforeAll(async () => {
  f = await deploySettlementFixture();
}, 60_000);
afterAll(async () => {
  await f?.close();
});

/** `record` saw `peer` answer `answered` of `sent` challenges in `epoch`, proving `payee`. */
function observe(record: UptimeRecord, epoch: number, peer: string, payee: string, sent: number, answered: number): void {
  for (let i = 0; i < sent; i++) record.sent(epoch, peer);
  for (let i = 0; i < answered; i++) record.answered(epoch, peer, 50, payee);
}

describe('oracle quorum', () => {
  it('posts the root two honest oracles agree on; the liar and forged attestations only withhold; the donor claims its exact share', async () => {
    const donor = f.account(6);
    const treasury = f.account(1);
    await (await connectHandle(f.c.token, treasury).transfer(donor.address, 2_000n * token)).wait();
    await (await connectHandle(f.c.token, donor).approve(await f.c.staking.getAddress(), 2_000n * token)).wait();
    await (await connectHandle(f.c.staking, donor).stake(2_000n * token)).wait();
    const client = f.account(5);
    await f.fund(client.address, 1_000_000n);
    const epoch = await f.c.settlement.currentEpoch();
    const settled = await f.settle(donor, donor.address, [await f.receipt(client, donor.address, hexlify(randomBytes(32)), 100n)]);
    expect(settled.settled.map((s) => s.paid)).toEqual([100_000n]);

    const records = [createUptimeRecord(), createUptimeRecord(), createUptimeRecord()];
    // Each saw the donor at its own random times; all three see it up.
    observe(records[0]!, Number(epoch), donorPeer, donor.address, 4, 4);
    observe(records[1]!, Number(epoch), donorPeer, donor.address, 3, 2);
    observe(records[2]!, Number(epoch), donorPeer, donor.address, 5, 5);
    // The liar also "saw" an accomplice with stake answer everything.
    const accomplice = f.account(7);
    await (await connectHandle(f.c.token, treasury).transfer(accomplice.address, 1_000n * token)).wait();
    await (await connectHandle(f.c.token, accomplice).approve(await f.c.staking.getAddress(), 1_000n * token)).wait();
    await (await connectHandle(f.c.staking, accomplice).stake(1_000n * token)).wait();
    observe(records[2]!, Number(epoch), 'e'.repeat(64), accomplice.address, 5, 5);

    const oracles: Oracle[] = [];
    let forged: unknown[] = [];
    localAccounts.oracles.forEach((account, i) => {
      oracles.push(
        createOracle({
          wallet: new Wallet(anvilKeys[account]!, f.provider),
          contracts: f.c,
          record: records[i]!,
          firstEpoch: epoch,
          fetchPeerAttestations: async (e) => [...forged, ...oracles.filter((_, j) => j !== i).map((o) => o.attestation(e))],
        }),
      );
    });
    const [honestA, honestB, liar] = oracles as [Oracle, Oracle, Oracle];

    // The epoch ends; the price is refreshed (the local feed is set by hand).
    await advance(f.provider, 86_400);
    await (await connectHandle(f.c.priceFeed, f.account(0)).setAnswer(10_000_000n)).wait();

    expect((await honestA.tick()).get(epoch.toString())).toBe('waiting-for-quorum');
    expect((await liar.tick()).get(epoch.toString())).toBe('waiting-for-quorum');
    expect(liar.attestation(epoch)!.root).not.toBe(honestA.attestation(epoch)!.root);

    // A peer serving junk and a stranger's signature over the honest root changes nothing.
    const stranger = Wallet.createRandom();
    const mine = honestA.attestation(epoch)!;
    forged = [null, {}, { ...mine, signer: stranger.address, signature: stranger.signingKey.sign(hexlify(randomBytes(32))).serialized }, { ...mine, signature: '0x1234' }];
    expect((await honestA.tick()).get(epoch.toString())).toBe('waiting-for-quorum');
    forged = [];

    expect((await honestB.tick()).get(epoch.toString())).toBe('posted');
    expect((await f.c.rewards.epochState(epoch)).root).toBe(mine.root);
    expect((await honestA.tick()).get(epoch.toString())).toBe('already-posted');
    expect((await liar.tick()).get(epoch.toString())).toBe('already-posted');

    // The donor's leaf: the whole availability pool (the only eligible donor in the honest root) plus its usage less τ.
    const proof = honestB.proof(epoch, donor.address)!;
    const expected = poolsOf(Number(epoch)).availabilityPoolWei + usageTokensWei(100_000n, 1_000n, 10_000_000n, 8);
    expect(BigInt(proof.amount)).toBe(expected);
    expect(honestA.proof(epoch, accomplice.address)).toBeUndefined();
    await advance(f.provider, 2 * 86_400);
    const before = await f.c.token.balanceOf(donor.address);
    await (await connectHandle(f.c.rewards, f.account(9)).claim(epoch, donor.address, BigInt(proof.amount), proof.proof)).wait();
    expect(await f.c.token.balanceOf(donor.address)).toBe(before + expected);
  });
});
