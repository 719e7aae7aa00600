// An economic simulation of the reward system over many epochs, with no chain: each epoch, every
// actor's identities settle usage, the epoch closes at the feed's price, and the oracles' own
// arithmetic (computeEpochRewards) decides the leaves. Rewards.postRoot's checks (the epoch's
// budget, the emission cap) and the token's hard cap are applied as the contracts would, and a
// breach throws instead of being minted. Pure and deterministic: bigints, no clock, no randomness.
// Scenarios live in economy/scenario.ts; bench/economy.ts prints them; docs/economics.md explains.
import { getAddress } from 'ethers';
import { cumulativeEmissionOf, poolsOf } from './emission-schedule.ts';
import { computeEpochRewards, usageTokensWei, type DonorEpochRecord, type RewardRules } from './epoch-rewards.ts';
import { emissionCapWei, genesisSupplyWei, priceFeedDecimals, rewardRules, tokenCapWei, tokenDecimals } from './parameters.ts';

/** 10^6: micro-credits (and micro-dollars) in one USD. */
const microUsdDecimals = 6;

/** What one participant does, every epoch, over all the identities it runs. */
export interface ActorSpec {
  readonly name: string;
  /** Identities (payment addresses, each with its own stake) it runs: one, or many for a sybil farm. */
  readonly identities: number;
  /** Stake over all its identities, wei, split evenly between them (the first takes any remainder). */
  readonly stakeWei: bigint;
  /** Micro-credits that paying clients (not the actor) settle to it in `epoch`, split evenly over its identities. */
  servedMicroCredits(epoch: number): bigint;
  /**
   * Micro-credits the actor's own client buys in `epoch` (burning the actor's token at the feed's
   * price then) and settles through the actor's own donor in the same epoch. Absent: none.
   */
  selfDealtMicroCredits?(epoch: number): bigint;
  /** Uptime challenges each identity answers per epoch, of SimulationConfig.challengesPerEpoch. */
  readonly challengesAnswered: number;
}

export interface SimulationConfig {
  /** The first epoch simulated (default 0, genesis); supply and minting are counted from it. */
  readonly firstEpoch?: number;
  readonly epochs: number;
  readonly actors: readonly ActorSpec[];
  /**
   * The feed's price at the start of `epoch`, USD per token with priceFeedDecimals decimals.
   * Credits bought during epoch e burn at priceAt(e); epoch e closes (its usage is priced for
   * minting) at priceAt(e + 1), the moment after it ends.
   */
  priceAt(epoch: number): bigint;
  /** Uptime challenges the oracle sends each identity per epoch. */
  readonly challengesPerEpoch: number;
  /** Defaults to Parameters.sol's (economy/parameters.ts). */
  readonly rules?: RewardRules;
}

/** One actor's totals over the run, and its per-epoch series (index 0: the first simulated epoch). */
export interface ActorOutcome {
  readonly name: string;
  readonly identities: number;
  readonly stakeWei: bigint;
  /** Stake's USD value at the first simulated epoch's price, micro-dollars. */
  readonly stakeMicroUsd: bigint;
  readonly earnedWei: bigint;
  readonly availabilityWei: bigint;
  readonly usageWei: bigint;
  /** Each epoch's reward valued at that epoch's closing price, summed, micro-dollars. */
  readonly earnedMicroUsd: bigint;
  /** Token its own client burned buying credits, wei, and those credits' USD value, micro-dollars. */
  readonly burnedWei: bigint;
  readonly burnedMicroUsd: bigint;
  /** Usage settled to it (paid by others and self-dealt), and the part the service cap let count, micro-credits. */
  readonly settledMicroCredits: bigint;
  readonly countedMicroCredits: bigint;
  /** Per epoch: reward, wei; token its own client burned, wei. */
  readonly earnedWeiByEpoch: readonly bigint[];
  readonly burnedWeiByEpoch: readonly bigint[];
}

/** The token after an epoch's close and claims. */
export interface SupplyPoint {
  readonly epoch: number;
  /** What the emission schedule allows from the first simulated epoch through this one, wei. */
  readonly scheduleWei: bigint;
  /** Minted by Rewards so far (the sum of posted roots, all claimed), wei. */
  readonly mintedWei: bigint;
  /** Burned for credits so far, by every client, wei. */
  readonly burnedWei: bigint;
  /** Genesis + minted − burned, wei. */
  readonly supplyWei: bigint;
}

export interface SimulationOutcome {
  readonly actors: readonly ActorOutcome[];
  /** One point per epoch. */
  readonly supply: readonly SupplyPoint[];
  readonly maxSupplyWei: bigint;
  /** Epochs whose counted usage wanted more than the usage pool (everyone's usage paid pro rata). */
  readonly usagePoolBoundEpochs: number;
}

/**
 * Token wei `microUsd` of credits cost at `price`: PriceReader.tokenWeiForMicroUsd (Credits.quoteTokenWei), rounded up.
 * @throws {RangeError} when the price is not positive.
 */
export function creditPurchaseTokenWei(microUsd: bigint, price: bigint, decimals = priceFeedDecimals): bigint {
  if (price <= 0n) throw new RangeError(`price: expected a positive integer, got ${price}`);
  const numerator = microUsd * 10n ** BigInt(decimals + tokenDecimals - microUsdDecimals);
  return (numerator + price - 1n) / price;
}

/** Micro-dollars `wei` of token are worth at `price` (priceFeedDecimals decimals), rounded down. */
export function tokenWeiToMicroUsd(wei: bigint, price: bigint, decimals = priceFeedDecimals): bigint {
  return (wei * price) / 10n ** BigInt(decimals + tokenDecimals - microUsdDecimals);
}

/** `total` split into `parts` shares, the first taking the remainder. */
function split(total: bigint, parts: number): bigint[] {
  const each = total / BigInt(parts);
  return Array.from({ length: parts }, (_, i) => (i === 0 ? each + (total - each * BigInt(parts)) : each));
}

function checkConfig(config: SimulationConfig): void {
  const first = config.firstEpoch ?? 0;
  if (!Number.isSafeInteger(first) || first < 0) throw new RangeError(`firstEpoch: expected a whole number ≥ 0, got ${first}`);
  if (!Number.isSafeInteger(config.epochs) || config.epochs < 1) throw new RangeError(`epochs: expected a whole number ≥ 1, got ${config.epochs}`);
  if (!Number.isSafeInteger(config.challengesPerEpoch) || config.challengesPerEpoch < 1) {
    throw new RangeError(`challengesPerEpoch: expected a whole number ≥ 1, got ${config.challengesPerEpoch}`);
  }
  const names = new Set<string>();
  for (const a of config.actors) {
    if (names.has(a.name)) throw new RangeError(`actor ${a.name} is listed twice`);
    names.add(a.name);
    if (!Number.isSafeInteger(a.identities) || a.identities < 1) throw new RangeError(`${a.name}: identities must be a whole number ≥ 1, got ${a.identities}`);
    if (a.stakeWei < 0n) throw new RangeError(`${a.name}: stake must not be negative`);
    if (!Number.isSafeInteger(a.challengesAnswered) || a.challengesAnswered < 0 || a.challengesAnswered > config.challengesPerEpoch) {
      throw new RangeError(`${a.name}: expected 0 ≤ challengesAnswered ≤ ${config.challengesPerEpoch}, got ${a.challengesAnswered}`);
    }
  }
}

interface Tally {
  earnedWei: bigint;
  availabilityWei: bigint;
  usageWei: bigint;
  earnedMicroUsd: bigint;
  burnedWei: bigint;
  burnedMicroUsd: bigint;
  settledMicroCredits: bigint;
  countedMicroCredits: bigint;
  earnedWeiByEpoch: bigint[];
  burnedWeiByEpoch: bigint[];
}

/**
 * Runs the economy for `config.epochs` epochs from `config.firstEpoch`.
 * @throws {RangeError} on a malformed config or a non-positive price.
 * @throws {Error} when an epoch's leaves would breach what Rewards or the token allow (a root the
 *         chain would refuse): that is a bug in the reward arithmetic, not an outcome.
 */
export function simulate(config: SimulationConfig): SimulationOutcome {
  checkConfig(config);
  const rules = config.rules ?? rewardRules;
  // Identity addresses: 0x…01, 0x…02, …, in actor order; owner[address] is the actor's index.
  const owner = new Map<string, number>();
  const identities = config.actors.map((actor, a) =>
    split(actor.stakeWei, actor.identities).map((stakeWei) => {
      const address = getAddress(`0x${(owner.size + 1).toString(16).padStart(40, '0')}`);
      owner.set(address, a);
      return { address, stakeWei };
    }),
  );
  const tallies: Tally[] = config.actors.map(() => ({
    earnedWei: 0n, availabilityWei: 0n, usageWei: 0n, earnedMicroUsd: 0n, burnedWei: 0n, burnedMicroUsd: 0n,
    settledMicroCredits: 0n, countedMicroCredits: 0n, earnedWeiByEpoch: [], burnedWeiByEpoch: [],
  }));

  const supply: SupplyPoint[] = [];
  let mintedWei = 0n;
  let burnedWei = 0n;
  let maxSupplyWei = genesisSupplyWei;
  let usagePoolBoundEpochs = 0;
  const first = config.firstEpoch ?? 0;
  const scheduleBefore = cumulativeEmissionOf(first);
  for (let epoch = first; epoch < first + config.epochs; epoch++) {
    const buyPrice = config.priceAt(epoch);
    const closePrice = config.priceAt(epoch + 1);
    const records: DonorEpochRecord[] = [];
    let totalUsage = 0n;
    config.actors.forEach((actor, a) => {
      const tally = tallies[a]!; // one tally per actor
      const served = actor.servedMicroCredits(epoch);
      const selfDealt = actor.selfDealtMicroCredits?.(epoch) ?? 0n;
      if (served < 0n || selfDealt < 0n) throw new RangeError(`${actor.name}, epoch ${epoch}: usage must not be negative`);
      // Everyone who buys credits burns token at the price of the moment: paying clients and the self-dealer's own.
      const ownBurn = creditPurchaseTokenWei(selfDealt, buyPrice);
      burnedWei += creditPurchaseTokenWei(served, buyPrice) + ownBurn;
      tally.burnedWei += ownBurn;
      tally.burnedMicroUsd += selfDealt;
      tally.burnedWeiByEpoch.push(ownBurn);
      tally.settledMicroCredits += served + selfDealt;
      totalUsage += served + selfDealt;
      const usage = split(served + selfDealt, actor.identities);
      identities[a]!.forEach((identity, i) => {
        records.push({
          donor: identity.address,
          stakeWei: identity.stakeWei,
          usageMicroCredits: usage[i]!, // one share per identity
          challengesSent: config.challengesPerEpoch,
          challengesAnswered: actor.challengesAnswered,
        });
      });
    });

    const { availabilityPoolWei, usagePoolWei } = poolsOf(epoch);
    const terms = { epoch: BigInt(epoch), price: closePrice, priceDecimals: priceFeedDecimals, availabilityPoolWei, usagePoolWei };
    const rewards = computeEpochRewards(rules, terms, records);
    // Rewards.closeEpoch and postRoot: the root's total may not pass the budget nor carry minting past the cap.
    const usageBudgetWei = usageTokensWei(totalUsage, rules.protocolTakeBps, closePrice, priceFeedDecimals);
    const budgetWei = availabilityPoolWei + (usageBudgetWei < usagePoolWei ? usageBudgetWei : usagePoolWei);
    if (rewards.total > budgetWei) throw new Error(`epoch ${epoch}: leaves total ${rewards.total} wei, over the budget of ${budgetWei} (Rewards would revert RootOverBudget)`);
    if (mintedWei + rewards.total > emissionCapWei) throw new Error(`epoch ${epoch}: minting would pass EMISSION_CAP_WEI (Rewards would revert EmissionCapExceeded)`);
    const wanted = rewards.leaves.reduce((sum, l) => sum + usageTokensWei(l.countedUsageMicroCredits, rules.protocolTakeBps, closePrice, priceFeedDecimals), 0n);
    if (wanted > usagePoolWei) usagePoolBoundEpochs++;

    const earnedThisEpoch = config.actors.map(() => 0n);
    for (const leaf of rewards.leaves) {
      const a = owner.get(leaf.donor)!; // every leaf is one of the identities above
      const tally = tallies[a]!;
      earnedThisEpoch[a]! += leaf.amount;
      tally.earnedWei += leaf.amount;
      tally.availabilityWei += leaf.availabilityWei;
      tally.usageWei += leaf.usageWei;
      tally.countedMicroCredits += leaf.countedUsageMicroCredits;
    }
    tallies.forEach((tally, a) => {
      tally.earnedWeiByEpoch.push(earnedThisEpoch[a]!);
      tally.earnedMicroUsd += tokenWeiToMicroUsd(earnedThisEpoch[a]!, closePrice);
    });
    mintedWei += rewards.total;
    const supplyWei = genesisSupplyWei + mintedWei - burnedWei;
    if (supplyWei < 0n) throw new Error(`epoch ${epoch}: clients burned more token than exists; the world's demand or price is impossible`);
    // ERC20Capped checks every mint against the cap; burns before it make room (the schedule's cap does not grow).
    if (supplyWei > tokenCapWei) throw new Error(`epoch ${epoch}: supply would pass TOKEN_CAP_WEI (the token would revert)`);
    if (supplyWei > maxSupplyWei) maxSupplyWei = supplyWei;
    supply.push({ epoch, scheduleWei: cumulativeEmissionOf(epoch + 1) - scheduleBefore, mintedWei, burnedWei, supplyWei });
  }

  const stakePrice = config.priceAt(first);
  return {
    actors: config.actors.map((actor, a) => ({
      name: actor.name,
      identities: actor.identities,
      stakeWei: actor.stakeWei,
      stakeMicroUsd: tokenWeiToMicroUsd(actor.stakeWei, stakePrice),
      ...tallies[a]!, // one tally per actor
    })),
    supply,
    maxSupplyWei,
    usagePoolBoundEpochs,
  };
}

/** What self-dealing adds, measured against the same world with the same actor not self-dealing. */
export interface SelfDealingMargin {
  /** The self-dealer's own client's purchases: USD value (micro-dollars) and token burned (wei). */
  readonly burnedMicroUsd: bigint;
  readonly burnedWei: bigint;
  /** Its reward with self-dealing minus without: wei, and micro-dollars at each epoch's closing price. */
  readonly extraEarnedWei: bigint;
  readonly extraEarnedMicroUsd: bigint;
  /** extraEarnedMicroUsd / burnedMicroUsd: at most 1 − τ. */
  readonly usdBackPerUsdBurned: number;
  /** extraEarnedWei / burnedWei: (1 − τ) × burn price / close price when nothing else binds. */
  readonly tokensBackPerTokenBurned: number;
  /** The most tokens back per token burned in any one epoch, and in how many epochs it was above 1. */
  readonly worstEpochTokensBackPerTokenBurned: number;
  readonly epochsTokensBackAboveBurned: number;
  /** Every other actor's reward with self-dealing minus without, micro-dollars (negative: they lost). */
  readonly othersChangeMicroUsd: bigint;
  readonly withSelfDealing: SimulationOutcome;
  readonly withoutSelfDealing: SimulationOutcome;
}

const ratio = (a: bigint, b: bigint): number => (b === 0n ? 0 : Number((a * 1_000_000_000n) / b) / 1e9);

/**
 * Runs `config` twice, with and without `selfDealer`'s self-dealing (its stake, service and uptime
 * the same), and returns the margin: what burning for its own donor brought back.
 * @throws {RangeError} when no actor has that name or it does not self-deal; as simulate.
 */
export function selfDealingMargin(config: SimulationConfig, selfDealer: string): SelfDealingMargin {
  const index = config.actors.findIndex((a) => a.name === selfDealer);
  const actor = config.actors[index];
  if (actor === undefined || actor.selfDealtMicroCredits === undefined) throw new RangeError(`no self-dealing actor named ${selfDealer}`);
  const honest: ActorSpec = { name: actor.name, identities: actor.identities, stakeWei: actor.stakeWei, challengesAnswered: actor.challengesAnswered, servedMicroCredits: (e) => actor.servedMicroCredits(e) };
  const withSelfDealing = simulate(config);
  const withoutSelfDealing = simulate({ ...config, actors: config.actors.map((a, i) => (i === index ? honest : a)) });
  const dealer = withSelfDealing.actors[index]!;
  const plain = withoutSelfDealing.actors[index]!;
  let worst = 0;
  let above = 0;
  dealer.burnedWeiByEpoch.forEach((burned, e) => {
    if (burned === 0n) return;
    const back = ratio(dealer.earnedWeiByEpoch[e]! - plain.earnedWeiByEpoch[e]!, burned); // same epochs in both runs
    if (back > worst) worst = back;
    if (back > 1) above++;
  });
  const others = (o: SimulationOutcome): bigint => o.actors.reduce((sum, a, i) => (i === index ? sum : sum + a.earnedMicroUsd), 0n);
  const extraEarnedWei = dealer.earnedWei - plain.earnedWei;
  const extraEarnedMicroUsd = dealer.earnedMicroUsd - plain.earnedMicroUsd;
  return {
    burnedMicroUsd: dealer.burnedMicroUsd,
    burnedWei: dealer.burnedWei,
    extraEarnedWei,
    extraEarnedMicroUsd,
    usdBackPerUsdBurned: ratio(extraEarnedMicroUsd, dealer.burnedMicroUsd),
    tokensBackPerTokenBurned: ratio(extraEarnedWei, dealer.burnedWei),
    worstEpochTokensBackPerTokenBurned: worst,
    epochsTokensBackAboveBurned: above,
    othersChangeMicroUsd: others(withSelfDealing) - others(withoutSelfDealing),
    withSelfDealing,
    withoutSelfDealing,
  };
}
