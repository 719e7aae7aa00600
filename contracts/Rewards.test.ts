import { Wallet, getAddress, type Contract } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cumulativeEmissionOf, emissionOf, poolsOf } from '../economy/emission-schedule.ts';
import { computeEpochRewards, rewardProof, rewardTree, type DonorEpochRecord, type EpochRewards } from '../economy/epoch-rewards.ts';
import { emissionCapWei, emissionHalvingEpochs, availabilityHorizonEpochs, rewardChallengeWindowSeconds } from '../economy/parameters.ts';
import { readEpochTerms, readRewardRules } from '../economy/rules-from-chain.ts';
import { account, advanceWithFreshPrice, deployRewardsFixture, epochSeconds, fundAndStake, quorumSignatures, revertName, token, type RewardsFixture } from './rewards-fixture.ts';

let f: RewardsFixture;
let donors: Wallet[];
beforeAll(async () => {
  f = await deployRewardsFixture();
  donors = [account(f, 5), account(f, 6)];
  await fundAndStake(f, donors[0]!, 10_000n * token);
  await fundAndStake(f, donors[1]!, 2_000n * token);
});
afterAll(async () => {
  await f?.close();
});

const fn = (c: Contract, name: string) => c.getFunction(name);
const currentEpoch = async (): Promise<number> => Number(await fn(f.rewards, 'currentEpoch')());

/** Moves the chain to the start of `epoch` (MockEpochUsage's clock), with a fresh price. */
async function enterEpoch(epoch: number): Promise<void> {
  const genesis = Number(await fn(f.usage, 'genesisTime')());
  const now = (await f.provider.getBlock('latest'))!.timestamp; // latest always exists
  const target = genesis + epoch * epochSeconds + 60;
  if (target > now) await advanceWithFreshPrice(f, target - now);
}

/** Records `microCredits` of settled usage per donor for `epoch`. */
async function settleUsage(epoch: number, microCredits: readonly bigint[]): Promise<void> {
  for (const [i, amount] of microCredits.entries()) {
    if (amount > 0n) await (await fn(f.usage, 'addUsage')(epoch, donors[i]!.address, amount)).wait();
  }
}

/** What an oracle computes for a closed epoch: both donors' chain usage and stake, every challenge answered. */
async function oracleRewards(epoch: number): Promise<EpochRewards> {
  const rules = await readRewardRules(f.rewards);
  const terms = await readEpochTerms(f.rewards, BigInt(epoch));
  const records: DonorEpochRecord[] = [];
  for (const donor of donors) {
    const [stakeWei] = (await fn(f.staking, 'stakeDetails')(donor.address)) as bigint[];
    records.push({ donor: donor.address, stakeWei: stakeWei!, usageMicroCredits: (await fn(f.usage, 'usage')(epoch, donor.address)) as bigint, challengesSent: 24, challengesAnswered: 24 });
  }
  return computeEpochRewards(rules, terms, records);
}

async function rootSignatures(epoch: number, root: string, total: bigint, signers = f.oracles.slice(0, 2)): Promise<string[]> {
  return quorumSignatures(f.quorum, (await fn(f.rewards, 'rootStructHash')(epoch, root, total)) as string, signers);
}

async function postRoot(epoch: number, root: string, total: bigint, signers?: Wallet[]): Promise<void> {
  await (await fn(f.rewards, 'postRoot')(epoch, root, total, await rootSignatures(epoch, root, total, signers))).wait();
}

async function balanceOf(address: string): Promise<bigint> {
  return (await fn(f.token, 'balanceOf')(address)) as bigint;
}

describe('Rewards', () => {
  it('closes only an ended epoch, at a fresh price, recording the pools of the schedule', async () => {
    const epoch = await currentEpoch();
    await settleUsage(epoch, [5_000_000n, 1_000_000n]);
    expect(await revertName(f, fn(f.rewards, 'closeEpoch')(epoch))).toBe('EpochNotEnded');
    await enterEpoch(epoch + 1);
    await f.provider.send('evm_increaseTime', [3_601]); // the price set on entering is now over an hour old
    await f.provider.send('evm_mine', []);
    expect(await revertName(f, fn(f.rewards, 'closeEpoch')(epoch))).toBe('StalePrice');
    await advanceWithFreshPrice(f, 1);
    const receipt = await (await fn(f.rewards, 'closeEpoch')(epoch)).wait();
    const closed = receipt.logs.map((l: { topics: string[]; data: string }) => f.rewards.interface.parseLog(l)).find((l: { name?: string } | null) => l?.name === 'EpochClosed');
    const pools = poolsOf(epoch);
    expect(closed.args.availabilityPool).toBe(pools.availabilityPoolWei);
    expect(closed.args.usagePool).toBe(pools.usagePoolWei);
    expect(closed.args.totalUsageMicroCredits).toBe(6_000_000n);
    // 6 USD less τ = 10% at 0.10 USD per token: 54 tokens.
    expect(closed.args.usageBudget).toBe(54n * token);
    expect(await revertName(f, fn(f.rewards, 'closeEpoch')(epoch))).toBe('EpochAlreadyClosed');
  });

  it('takes a root only with a quorum, within the budget, once; claims open after the challenge window, once per donor, with a true proof', async () => {
    const epoch = (await currentEpoch()) - 1;
    const rewards = await oracleRewards(epoch);
    const tree = rewardTree(rewards);
    const budget = poolsOf(epoch).availabilityPoolWei + 54n * token;
    // Every division in the oracles' arithmetic floors: the leaves may fall short of the budget by wei, never pass it.
    expect(rewards.total).toBeLessThanOrEqual(budget);
    expect(budget - rewards.total).toBeLessThan(10n);

    expect(await revertName(f, fn(f.rewards, 'postRoot')(epoch, tree.root, rewards.total, await rootSignatures(epoch, tree.root, rewards.total, f.oracles.slice(0, 1))))).toBe('TooFewSignatures');
    const outsider = new Wallet(Wallet.createRandom().privateKey);
    expect(await revertName(f, fn(f.rewards, 'postRoot')(epoch, tree.root, rewards.total, await rootSignatures(epoch, tree.root, rewards.total, [f.oracles[0]!, outsider])))).toBe('NotAMember');
    // Two oracles' signatures over one total do not carry another.
    const signed = await rootSignatures(epoch, tree.root, rewards.total);
    // (the signatures recover to two strangers: refused as non-members, or as out of order first)
    expect(['NotAMember', 'SignersNotAscending']).toContain(await revertName(f, fn(f.rewards, 'postRoot')(epoch, tree.root, rewards.total + 1n, signed)));
    expect(await revertName(f, fn(f.rewards, 'postRoot')(epoch, `0x${'00'.repeat(32)}`, rewards.total, signed))).toBe('EmptyRoot');
    expect(await revertName(f, fn(f.rewards, 'postRoot')(epoch, tree.root, budget + 1n, await rootSignatures(epoch, tree.root, budget + 1n)))).toBe('RootOverBudget');

    await (await fn(f.rewards, 'postRoot')(epoch, tree.root, rewards.total, signed)).wait();
    expect(await revertName(f, fn(f.rewards, 'postRoot')(epoch, tree.root, rewards.total, signed))).toBe('RootAlreadyPosted');

    const [first, second] = donors as [Wallet, Wallet];
    const mine = rewardProof(tree, first.address);
    expect(await revertName(f, fn(f.rewards, 'claim')(epoch, first.address, mine.amount, mine.proof))).toBe('ClaimsNotOpen');
    await advanceWithFreshPrice(f, rewardChallengeWindowSeconds);

    // Forgeries: more than the leaf, someone else's proof, another donor's leaf for oneself.
    expect(await revertName(f, fn(f.rewards, 'claim')(epoch, first.address, mine.amount + 1n, mine.proof))).toBe('InvalidProof');
    const theirs = rewardProof(tree, second.address);
    expect(await revertName(f, fn(f.rewards, 'claim')(epoch, first.address, theirs.amount, theirs.proof))).toBe('InvalidProof');
    expect(await revertName(f, fn(f.rewards, 'claim')(epoch, account(f, 7).address, mine.amount, mine.proof))).toBe('InvalidProof');

    // Anyone may submit the claim (a relayer); the tokens go to the leaf's donor, not the submitter.
    const relayer = account(f, 8);
    const before = [await balanceOf(first.address), await balanceOf(relayer.address)];
    const claimed = await (await f.rewards.connect(relayer).getFunction('claim')(epoch, first.address, mine.amount, mine.proof)).wait();
    expect(await balanceOf(first.address)).toBe(before[0]! + mine.amount);
    expect(await balanceOf(relayer.address)).toBe(before[1]!);
    const event = claimed.logs.map((l: { topics: string[]; data: string }) => f.rewards.interface.parseLog(l)).find((l: { name?: string } | null) => l?.name === 'Claimed');
    expect([getAddress(event.args.donor), event.args.amount, getAddress(event.args.submitter)]).toEqual([first.address, mine.amount, relayer.address]);
    expect(await revertName(f, fn(f.rewards, 'claim')(epoch, first.address, mine.amount, mine.proof))).toBe('AlreadyClaimed');

    // The first donor staked five times the second and served five times as much: five times the reward.
    const leaf = (d: Wallet) => rewards.leaves.find((l) => l.donor === d.address)!; // both have leaves
    expect(leaf(first).availabilityWei / leaf(second).availabilityWei).toBe(5n);
    expect(leaf(first).usageWei).toBe(45n * token);
    expect(leaf(second).usageWei).toBe(9n * token);
  });

  it('refuses a claim from a donor whose stake fell below the minimum, and keeps it claimable once restaked', async () => {
    const epoch = (await currentEpoch()) - 3;
    const second = donors[1]!;
    const rewards = await oracleRewards(epoch);
    const { amount, proof } = rewardProof(rewardTree(rewards), second.address);
    await (await f.staking.connect(second).getFunction('requestUnbond')(1_500n * token)).wait();
    expect(await revertName(f, fn(f.rewards, 'claim')(epoch, second.address, amount, proof))).toBe('BelowMinimumStake');
    await fundAndStake(f, second, 1_500n * token);
    const before = await balanceOf(second.address);
    await (await fn(f.rewards, 'claim')(epoch, second.address, amount, proof)).wait();
    expect(await balanceOf(second.address)).toBe(before + amount);
  });

  it('posts nothing for an epoch that has not ended', async () => {
    const epoch = await currentEpoch();
    const root = `0x${'11'.repeat(32)}`;
    expect(await revertName(f, fn(f.rewards, 'postRoot')(epoch, root, 1n, await rootSignatures(epoch, root, 1n)))).toBe('EpochNotEnded');
  });

  it('never commits more than the schedule over epochs across the first halving and the availability horizon', async () => {
    // Each epoch: usage that wants more than the usage pool, leaves at the whole budget, every claim made.
    const epochs = [...range(4, 8), ...range(emissionHalvingEpochs - 2, emissionHalvingEpochs + 2), ...range(2 * emissionHalvingEpochs - 1, 2 * emissionHalvingEpochs + 1)];
    let lastEpoch = 0;
    for (const epoch of epochs) {
      await enterEpoch(epoch);
      await settleUsage(epoch, [1_000_000_000n, 200_000_000n]); // the service caps: 1,000 and 200 USD
      await enterEpoch(epoch + 1);
      await (await fn(f.rewards, 'closeEpoch')(epoch)).wait();
      const rewards = await oracleRewards(epoch);
      const tree = rewardTree(rewards);
      await postRoot(epoch, tree.root, rewards.total);
      const committed = (await fn(f.rewards, 'committed')()) as bigint;
      expect(committed).toBeLessThanOrEqual(cumulativeEmissionOf(epoch + 1));
      expect(rewards.total).toBeLessThanOrEqual(emissionOf(epoch));
      if (epoch >= availabilityHorizonEpochs) expect(rewards.availabilityTotal).toBe(0n);
      lastEpoch = epoch;
    }
    await advanceWithFreshPrice(f, rewardChallengeWindowSeconds);
    const supplyBefore = (await fn(f.token, 'totalSupply')()) as bigint;
    const tree = rewardTree(await oracleRewards(lastEpoch));
    let minted = 0n;
    for (const donor of donors) {
      const { amount, proof } = rewardProof(tree, donor.address);
      await (await fn(f.rewards, 'claim')(lastEpoch, donor.address, amount, proof)).wait();
      minted += amount;
    }
    expect((await fn(f.token, 'totalSupply')()) as bigint).toBe(supplyBefore + minted);
    expect((await fn(f.rewards, 'minted')()) as bigint).toBeLessThanOrEqual((await fn(f.rewards, 'committed')()) as bigint);
  });

  it('computes the same schedule on chain as the oracles and the simulation do, and it stays under the cap forever', async () => {
    for (const epoch of [0, 1, 364, 729, 730, 731, 1_459, 1_460, 10_000, 730 * 40, 730 * 255, 730 * 256, 730 * 300]) {
      expect((await fn(f.rewards, 'emissionOf')(epoch)) as bigint).toBe(emissionOf(epoch));
      expect((await fn(f.rewards, 'cumulativeEmissionOf')(epoch)) as bigint).toBe(cumulativeEmissionOf(epoch));
      const [availability, usage] = (await fn(f.rewards, 'poolsOf')(epoch)) as bigint[];
      expect({ availability, usage }).toEqual({ availability: poolsOf(epoch).availabilityPoolWei, usage: poolsOf(epoch).usagePoolWei });
    }
    expect((await fn(f.rewards, 'cumulativeEmissionOf')(730 * 300)) as bigint).toBeLessThanOrEqual(emissionCapWei);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
