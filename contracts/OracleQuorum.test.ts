import { ContractFactory, Interface, Wallet, keccak256, toUtf8Bytes, type InterfaceAbi } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact } from '../chain/compile.ts';
import { deployRewardsFixture, quorumSignatures, revertName, type RewardsFixture } from './rewards-fixture.ts';

let f: RewardsFixture;
beforeAll(async () => {
  f = await deployRewardsFixture();
});
afterAll(async () => {
  await f?.close();
});

const verdict = keccak256(toUtf8Bytes('some verdict'));

describe('OracleQuorum (2 of 3)', () => {
  it('accepts 2 and 3 distinct members', async () => {
    const verify = f.quorum.getFunction('verify');
    await verify.staticCall(verdict, await quorumSignatures(f.quorum, verdict, f.oracles.slice(0, 2)));
    await verify.staticCall(verdict, await quorumSignatures(f.quorum, verdict, f.oracles));
  });

  it('refuses one member, a duplicate, an unsorted list, an outsider, and signatures over another verdict', async () => {
    const verify = f.quorum.getFunction('verify');
    const one = await quorumSignatures(f.quorum, verdict, f.oracles.slice(0, 1));
    expect(await revertName(f, verify.staticCall(verdict, one))).toBe('TooFewSignatures');
    expect(await revertName(f, verify.staticCall(verdict, [one[0], one[0]]))).toBe('SignersNotAscending');
    const two = await quorumSignatures(f.quorum, verdict, f.oracles.slice(0, 2));
    expect(await revertName(f, verify.staticCall(verdict, [two[1], two[0]]))).toBe('SignersNotAscending');
    const outsider = new Wallet(Wallet.createRandom().privateKey);
    expect(await revertName(f, verify.staticCall(verdict, await quorumSignatures(f.quorum, verdict, [f.oracles[0]!, outsider])))).toBe('NotAMember');
    const other = keccak256(toUtf8Bytes('another verdict'));
    expect(await revertName(f, verify.staticCall(other, two))).toMatch(/NotAMember|SignersNotAscending/);
  });

  it.each([
    [[1, 1], 'threshold 1 of 1 is fine', true],
    [[3, 1], 'a minority threshold (1 of 3)', false],
    [[4, 2], 'half is not more than half (2 of 4)', false],
    [[3, 4], 'a threshold above n', false],
    [[3, 0], 'a zero threshold', false],
  ] as const)('deploy with n, k = %j: %s', async ([n, k], _, ok) => {
    const a = artifact(f.artifacts, 'OracleQuorum');
    const members = Array.from({ length: n }, () => Wallet.createRandom().address);
    const deploying = new ContractFactory(a.abi as InterfaceAbi, a.bytecode, f.admin).deploy(members, k).then((c) => c.waitForDeployment());
    if (ok) await deploying;
    else expect(await revertName({ errors: [new Interface(a.abi as InterfaceAbi)] }, deploying)).toBe('InvalidThreshold');
  });
});
