import { keccak256, toUtf8Bytes, type Log } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account, advance, deployRewardsFixture, fundAndStake, quorumSignatures, revertName, token, type RewardsFixture } from './rewards-fixture.ts';

let f: RewardsFixture;
beforeAll(async () => {
  f = await deployRewardsFixture();
});
afterAll(async () => {
  await f?.close();
});

const unbondingSeconds = 14 * 86_400;
const evidence = keccak256(toUtf8Bytes('attestations of a donor that lied about its capacity'));

async function stakeOf(address: string): Promise<{ active: bigint; unbonding: bigint; releaseTime: bigint }> {
  const [active, unbonding, releaseTime] = (await f.staking.getFunction('stakeDetails')(address)) as bigint[];
  return { active: active!, unbonding: unbonding!, releaseTime: releaseTime! };
}

async function slashSignatures(donor: string, amount: bigint, nonce: bigint, signers = f.oracles.slice(0, 2)): Promise<string[]> {
  const structHash = (await f.staking.getFunction('slashStructHash')(donor, amount, evidence, nonce)) as string;
  return quorumSignatures(f.quorum, structHash, signers);
}

describe('Staking', () => {
  it('counts a donor eligible from the minimum stake, per identity', async () => {
    const donor = account(f, 5);
    const address = await donor.getAddress();
    await fundAndStake(f, donor, 999n * token);
    expect(await f.staking.getFunction('isEligible')(address)).toBe(false);
    await fundAndStake(f, donor, 1n * token);
    expect(await f.staking.getFunction('isEligible')(address)).toBe(true);
    expect(await f.staking.getFunction('isEligible')(await account(f, 6).getAddress())).toBe(false);
  });

  it('lets a sponsor stake for a donor: the stake is the donor’s, and the sponsor cannot take it back', async () => {
    const sponsor = account(f, 8);
    const donor = account(f, 9);
    await (await f.token.connect(f.admin).getFunction('transfer')(sponsor.address, 1_000n * token)).wait();
    await (await f.token.connect(sponsor).getFunction('approve')(await f.staking.getAddress(), 1_000n * token)).wait();
    expect(await revertName(f, f.staking.connect(sponsor).getFunction('stakeFor')('0x' + '00'.repeat(20), 1_000n * token))).toBe('ZeroDonor');
    expect(await revertName(f, f.staking.connect(sponsor).getFunction('stakeFor')(donor.address, 0n))).toBe('ZeroAmount');
    await (await f.staking.connect(sponsor).getFunction('stakeFor')(donor.address, 1_000n * token)).wait();
    expect(await f.staking.getFunction('isEligible')(donor.address)).toBe(true);
    expect((await stakeOf(sponsor.address)).active).toBe(0n);
    expect(await revertName(f, f.staking.connect(sponsor).getFunction('requestUnbond')(1n))).toBe('InsufficientStake');
  });

  it('unbonds only after the delay: unbonding stake stops counting at once', async () => {
    const donor = account(f, 6);
    const address = await donor.getAddress();
    await fundAndStake(f, donor, 2_000n * token);
    const staking = f.staking.connect(donor);
    expect(await revertName(f, staking.getFunction('requestUnbond')(3_000n * token))).toBe('InsufficientStake');
    await (await staking.getFunction('requestUnbond')(1_500n * token)).wait();
    expect(await f.staking.getFunction('isEligible')(address)).toBe(false);
    expect(await revertName(f, staking.getFunction('withdraw')())).toBe('NotWithdrawable');
    await advance(f.provider, unbondingSeconds - 60);
    expect(await revertName(f, staking.getFunction('withdraw')())).toBe('NotWithdrawable');
    await advance(f.provider, 120);
    const before = (await f.token.getFunction('balanceOf')(address)) as bigint;
    await (await staking.getFunction('withdraw')()).wait();
    expect((await f.token.getFunction('balanceOf')(address)) - before).toBe(1_500n * token);
    expect(await stakeOf(address)).toMatchObject({ active: 500n * token, unbonding: 0n });
    expect(await revertName(f, staking.getFunction('withdraw')())).toBe('NotWithdrawable');
  });

  it('slashes by 2 of 3 oracles, active stake first, then unbonding; the slashed stake burns', async () => {
    const donor = account(f, 7);
    const address = await donor.getAddress();
    await fundAndStake(f, donor, 3_000n * token);
    await (await f.staking.connect(donor).getFunction('requestUnbond')(1_000n * token)).wait();
    const supply = (await f.token.getFunction('totalSupply')()) as bigint;
    // The relayer (any account) submits; the signatures give it force.
    const relayer = f.staking.connect(account(f, 9));
    const receipt = await (await relayer.getFunction('slash')(address, 2_500n * token, evidence, 1n, await slashSignatures(address, 2_500n * token, 1n))).wait();
    expect(receipt!.logs.map((l: Log) => f.staking.interface.parseLog(l)?.name).filter(Boolean)).toContain('Slashed');
    expect(await stakeOf(address)).toMatchObject({ active: 0n, unbonding: 500n * token });
    expect(supply - ((await f.token.getFunction('totalSupply')()) as bigint)).toBe(2_500n * token);
    // Asking more than is left burns what is left.
    await (await relayer.getFunction('slash')(address, 10_000n * token, evidence, 2n, await slashSignatures(address, 10_000n * token, 2n, f.oracles.slice(1)))).wait();
    expect(await stakeOf(address)).toMatchObject({ active: 0n, unbonding: 0n });
    expect(await revertName(f, relayer.getFunction('slash')(address, token, evidence, 3n, await slashSignatures(address, token, 3n)))).toBe('NothingToSlash');
  });

  it('refuses a slash by one oracle, a duplicate signer, a replayed verdict and a verdict altered after signing', async () => {
    const donor = account(f, 8);
    const address = await donor.getAddress();
    await fundAndStake(f, donor, 2_000n * token);
    const slash = f.staking.connect(account(f, 9)).getFunction('slash');
    const one = await slashSignatures(address, 100n * token, 10n, f.oracles.slice(0, 1));
    expect(await revertName(f, slash(address, 100n * token, evidence, 10n, one))).toBe('TooFewSignatures');
    expect(await revertName(f, slash(address, 100n * token, evidence, 10n, [one[0], one[0]]))).toBe('SignersNotAscending');
    const two = await slashSignatures(address, 100n * token, 10n);
    expect(await revertName(f, slash(address, 2_000n * token, evidence, 10n, two))).toMatch(/NotAMember|SignersNotAscending/);
    await (await slash(address, 100n * token, evidence, 10n, two)).wait();
    expect(await revertName(f, slash(address, 100n * token, evidence, 10n, two))).toBe('VerdictReplayed');
    expect(await stakeOf(address)).toMatchObject({ active: 1_900n * token });
  });
});
