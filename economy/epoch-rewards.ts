// The reward arithmetic every oracle runs for an ended epoch: from each donor's settled usage, stake
// and uptime-challenge record, the leaves (donor, amount) of the epoch's Merkle root. Pure and
// deterministic (bigints, no floats, no clock, no randomness, leaves in a canonical order), so every
// honest oracle computes the same root from the same chain state and its signatures agree.
// The rules are Parameters.sol's, read from the Rewards contract (rules-from-chain.ts); the epoch's
// pools and price are what Rewards recorded when it closed the epoch (its EpochClosed event).
// docs/economics.md explains why each step is what it is.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { getAddress } from 'ethers';

/** The leaf encoding Rewards.claim checks: OpenZeppelin's standard tree over (address, uint256). */
export const rewardLeafEncoding = ['address', 'uint256'] as const;

const bpsDenominator = 10_000n;
const weiPerToken = 10n ** 18n;
/** 10^12: micro-credits are 10^-6 USD and token amounts 10^-18 of a token. */
const weiPerMicroUsdAtUnitPrice = 10n ** 12n;

/** Parameters.sol's rules for leaves, as Rewards.rules() returns them. */
export interface RewardRules {
  readonly minStakeWei: bigint;
  readonly protocolTakeBps: bigint;
  /** Settled usage one staked token lets a donor count per epoch, micro-credits per whole token. */
  readonly serviceCapMicroCreditsPerStakedToken: bigint;
  /** Share of uptime challenges a donor must answer to earn availability, basis points. */
  readonly minUptimeBps: bigint;
}

/** What Rewards recorded when it closed the epoch (EpochClosed). */
export interface EpochTerms {
  readonly epoch: bigint;
  /** USD per whole token, with `priceDecimals` decimals. */
  readonly price: bigint;
  readonly priceDecimals: number;
  readonly availabilityPoolWei: bigint;
  readonly usagePoolWei: bigint;
}

/** One donor's epoch, as the oracle saw it. */
export interface DonorEpochRecord {
  /** The donor's payment address: its stake's identity, its receipts' payee, its leaf's recipient. */
  readonly donor: string;
  /** Active stake at the epoch's close, wei. */
  readonly stakeWei: bigint;
  /** Settlement.usage(epoch, donor), micro-credits. */
  readonly usageMicroCredits: bigint;
  /** Uptime challenges this oracle sent the donor in the epoch, and how many it answered correctly. */
  readonly challengesSent: number;
  readonly challengesAnswered: number;
}

/** One donor's reward, split by pool. */
export interface RewardLeaf {
  /** Checksummed address. */
  readonly donor: string;
  readonly amount: bigint;
  readonly availabilityWei: bigint;
  readonly usageWei: bigint;
  /** The usage that counted: settled usage up to what the donor's stake allows, micro-credits. */
  readonly countedUsageMicroCredits: bigint;
}

export interface EpochRewards {
  readonly epoch: bigint;
  /** Donors with a non-zero reward, in ascending address order. */
  readonly leaves: readonly RewardLeaf[];
  readonly total: bigint;
  readonly availabilityTotal: bigint;
  readonly usageTotal: bigint;
}

/**
 * Wei worth `microCredits` less the protocol take at `price`: Rewards.usageTokens, to the wei.
 * @throws {RangeError} when the price is not positive.
 */
export function usageTokensWei(microCredits: bigint, protocolTakeBps: bigint, price: bigint, priceDecimals: number): bigint {
  if (price <= 0n) throw new RangeError(`price: expected a positive integer, got ${price}`);
  return (microCredits * (bpsDenominator - protocolTakeBps) * weiPerMicroUsdAtUnitPrice * 10n ** BigInt(priceDecimals)) / (bpsDenominator * price);
}

/** Settled usage a stake lets a donor count in one epoch, micro-credits. */
export function serviceCapMicroCredits(stakeWei: bigint, rules: RewardRules): bigint {
  return (stakeWei * rules.serviceCapMicroCreditsPerStakedToken) / weiPerToken;
}

/** A donor's availability weight: its stake scaled by the share of challenges it answered, or 0 below the minimum uptime. */
export function availabilityWeight(record: DonorEpochRecord, rules: RewardRules): bigint {
  const sent = BigInt(record.challengesSent);
  const answered = BigInt(record.challengesAnswered);
  if (sent === 0n || answered * bpsDenominator < rules.minUptimeBps * sent) return 0n;
  return (record.stakeWei * answered) / sent;
}

function checkRecord(record: DonorEpochRecord): string {
  const donor = getAddress(record.donor); // throws on a malformed address
  if (record.stakeWei < 0n || record.usageMicroCredits < 0n) throw new RangeError(`${donor}: stake and usage must not be negative`);
  const { challengesSent: sent, challengesAnswered: answered } = record;
  if (!Number.isSafeInteger(sent) || !Number.isSafeInteger(answered) || sent < 0 || answered < 0 || answered > sent) {
    throw new RangeError(`${donor}: expected 0 ≤ challengesAnswered ≤ challengesSent, got ${answered} of ${sent}`);
  }
  return donor;
}

/**
 * Each donor's reward for the epoch. Donors below the minimum stake get nothing. Availability: the
 * pool pro rata to stake × uptime (uptime under the minimum counts 0). Usage: settled usage counted
 * up to stake × the service cap, less the protocol take, at the epoch's price; pro rata if the sum
 * exceeds the usage pool. Every division floors, so the total never exceeds the on-chain budget.
 * @throws {RangeError} on a malformed record, a donor listed twice, or a non-positive price.
 */
export function computeEpochRewards(rules: RewardRules, terms: EpochTerms, records: readonly DonorEpochRecord[]): EpochRewards {
  const seen = new Set<string>();
  const donors = records
    .map((record) => {
      const donor = checkRecord(record);
      if (seen.has(donor)) throw new RangeError(`${donor} is listed twice: merge its records first`);
      seen.add(donor);
      return { ...record, donor };
    })
    .filter((record) => record.stakeWei >= rules.minStakeWei)
    .sort((a, b) => (a.donor.toLowerCase() < b.donor.toLowerCase() ? -1 : 1));

  const weights = donors.map((d) => availabilityWeight(d, rules));
  const totalWeight = weights.reduce((sum, w) => sum + w, 0n);
  const counted = donors.map((d) => (d.usageMicroCredits < serviceCapMicroCredits(d.stakeWei, rules) ? d.usageMicroCredits : serviceCapMicroCredits(d.stakeWei, rules)));
  const wanted = counted.map((c) => usageTokensWei(c, rules.protocolTakeBps, terms.price, terms.priceDecimals));
  const totalWanted = wanted.reduce((sum, w) => sum + w, 0n);
  const overPool = totalWanted > terms.usagePoolWei;

  const leaves: RewardLeaf[] = [];
  donors.forEach((d, i) => {
    const availabilityWei = totalWeight === 0n ? 0n : (terms.availabilityPoolWei * weights[i]!) / totalWeight; // i < donors.length
    const usageWei = overPool ? (wanted[i]! * terms.usagePoolWei) / totalWanted : wanted[i]!;
    const amount = availabilityWei + usageWei;
    if (amount > 0n) leaves.push({ donor: d.donor, amount, availabilityWei, usageWei, countedUsageMicroCredits: counted[i]! });
  });
  const availabilityTotal = leaves.reduce((sum, l) => sum + l.availabilityWei, 0n);
  const usageTotal = leaves.reduce((sum, l) => sum + l.usageWei, 0n);
  return { epoch: terms.epoch, leaves, total: availabilityTotal + usageTotal, availabilityTotal, usageTotal };
}

export type RewardTree = StandardMerkleTree<[string, bigint]>;

/**
 * The epoch's Merkle tree in OpenZeppelin's standard format (the leaf Rewards.claim checks).
 * @throws {RangeError} when there are no leaves (an epoch with no rewards posts no root).
 */
export function rewardTree(rewards: EpochRewards): RewardTree {
  if (rewards.leaves.length === 0) throw new RangeError(`epoch ${rewards.epoch}: no rewards, so no root to post`);
  return StandardMerkleTree.of<[string, bigint]>(
    rewards.leaves.map((l) => [l.donor, l.amount]),
    [...rewardLeafEncoding],
  );
}

/**
 * The proof for `donor`'s leaf, with its amount.
 * @throws {RangeError} when the tree has no leaf for the donor.
 */
export function rewardProof(tree: RewardTree, donor: string): { amount: bigint; proof: string[] } {
  const wanted = getAddress(donor);
  for (const [index, [leafDonor, amount]] of tree.entries()) {
    if (getAddress(leafDonor) === wanted) return { amount: BigInt(amount), proof: tree.getProof(index) };
  }
  throw new RangeError(`no reward leaf for ${wanted} in this tree`);
}
