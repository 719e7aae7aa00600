// claim-gas: what one donor's reward claim costs on chain as an epoch's reward tree grows, from 2
// leaves (the baseline) to 1,000 and 100,000: the proof grows with log2 of the leaves, and with it
// the calldata and the hashing. Each tree is a real epoch's root on anvil (Rewards, with
// MockEpochUsage for the epoch clock), posted with the quorum's signatures, claimed once its
// challenge window has passed. Leaves: one staked claimer among random donor addresses.
// The contract: contracts/Rewards.sol; the tree: economy/epoch-rewards.ts.
import { getAddress, hexlify, randomBytes, type Contract, type Wallet } from 'ethers';
import { rewardProof, rewardTree, type RewardLeaf } from '../economy/epoch-rewards.ts';
import { epochSeconds, minStakeWei, rewardChallengeWindowSeconds } from '../economy/parameters.ts';
import { account, advanceWithFreshPrice, deployRewardsFixture, fundAndStake, quorumSignatures, type RewardsFixture } from '../contracts/rewards-fixture.ts';
import { round, type StandaloneBenchmark } from './context.ts';

const name = 'claim-gas';
const baselineLeaves = 2;
/** Every leaf's amount, wei (a thousandth of a token): 100,000 of them stay far inside an epoch's pool. */
const leafAmountWei = 10n ** 15n;
/** The staked donor who claims, anvil account 5. */
const claimerAccount = 5;
/** The trees measured against the baseline, and whether a quick run (scale < 1) measures each. */
const sizes: readonly { readonly result: string; readonly leaves: number; readonly quick: boolean }[] = [
  { result: 'claim-gas-1k', leaves: 1_000, quick: true },
  { result: 'claim-gas-100k', leaves: 100_000, quick: false },
];

interface ClaimCost {
  readonly gas: number;
  readonly proofLength: number;
  /** Seconds to build the tree in Node (what each oracle spends on it). */
  readonly treeSeconds: number;
}

const fn = (c: Contract, functionName: string) => c.getFunction(functionName);

/** `count` leaves of leafAmountWei: the claimer's and count − 1 random donors'. */
function leavesWith(claimer: string, count: number): RewardLeaf[] {
  const leaf = (donor: string): RewardLeaf => ({ donor, amount: leafAmountWei, availabilityWei: leafAmountWei, usageWei: 0n, countedUsageMicroCredits: 0n });
  return [leaf(claimer), ...Array.from({ length: count - 1 }, () => leaf(getAddress(hexlify(randomBytes(20)))))];
}

/**
 * Posts a tree of `leaves` leaves as ended epoch `epoch`'s root, waits out the challenge window and
 * claims the claimer's leaf. @throws {Error} when the claim does not mint.
 */
async function claimCost(f: RewardsFixture, claimer: Wallet, epoch: number, leaves: number): Promise<ClaimCost> {
  const t0 = performance.now();
  const leafList = leavesWith(claimer.address, leaves);
  const total = leafAmountWei * BigInt(leaves);
  const tree = rewardTree({ epoch: BigInt(epoch), leaves: leafList, total, availabilityTotal: total, usageTotal: 0n });
  const treeSeconds = (performance.now() - t0) / 1000;
  const structHash = (await fn(f.rewards, 'rootStructHash')(epoch, tree.root, total)) as string;
  const signatures = await quorumSignatures(f.quorum, structHash, f.oracles.slice(0, 2));
  await (await fn(f.rewards, 'postRoot')(epoch, tree.root, total, signatures)).wait();
  await advanceWithFreshPrice(f, rewardChallengeWindowSeconds);
  const { amount, proof } = rewardProof(tree, claimer.address);
  const mined = await (await fn(f.rewards, 'claim')(epoch, claimer.address, amount, proof)).wait();
  if (!(await fn(f.rewards, 'hasClaimed')(epoch, claimer.address))) throw new Error(`epoch ${epoch}: the claim was mined but not recorded`);
  return { gas: Number(mined.gasUsed), proofLength: proof.length, treeSeconds: round(treeSeconds, 2) };
}

export const claimGas: StandaloneBenchmark = {
  name,
  standalone: true,
  async run(scale, emit) {
    const measured = sizes.filter((s) => scale >= 1 || s.quick);
    for (const s of sizes) if (!measured.includes(s)) console.error(`${s.result}: skipped at BENCH_SCALE=${scale} (below 1)`);
    let f: RewardsFixture | undefined;
    let failed = 0;
    try {
      f = await deployRewardsFixture();
      const claimer = account(f, claimerAccount);
      await fundAndStake(f, claimer, minStakeWei);
      // One ended epoch per claim (a warm-up, the baseline, each size), all ended before any is posted.
      const genesis = Number(await fn(f.usage, 'genesisTime')());
      const now = (await f.provider.getBlock('latest'))!.timestamp; // latest always exists
      await advanceWithFreshPrice(f, genesis + (2 + measured.length) * epochSeconds + 60 - now);
      // The donor's first claim ever also writes its token balance and Rewards.minted from zero: a
      // one-time cost, so it is claimed (and reported) apart and every compared claim starts warm.
      const firstClaim = await claimCost(f, claimer, 0, baselineLeaves);
      const baseline = await claimCost(f, claimer, 1, baselineLeaves);
      for (const [i, s] of measured.entries()) {
        try {
          const cost = await claimCost(f, claimer, 2 + i, s.leaves);
          console.error(`${s.result}: ${cost.gas} gas with a proof of ${cost.proofLength} (2 leaves: ${baseline.gas} gas)`);
          await emit({
            name: s.result,
            value: cost.gas,
            baseline: baseline.gas,
            ratio: round(cost.gas / baseline.gas),
            unit: 'gas',
            leaves: s.leaves,
            proofLength: cost.proofLength,
            baselineProofLength: baseline.proofLength,
            firstClaimOfDonorGas: firstClaim.gas,
            treeSeconds: cost.treeSeconds,
          });
        } catch (error) {
          failed++;
          console.error(`${s.result} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
      }
      return failed;
    } catch (error) {
      console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return measured.length - failed;
    } finally {
      await f?.close();
    }
  },
};
