// The world bench/economy.ts and docs/economics.md report: a few honest donors, a self-dealing
// donor–client pair, a sybil farm and an idle donor among the rest of the network, on a price that drifts, cycles and crashes
// once, over 1,500 daily epochs (past the first halving and the availability horizon, both 730).
// Every figure here is a modelling choice, not a protocol parameter (those are economy/parameters.ts).
import { priceFeedDecimals } from './parameters.ts';
import { poolsOf } from './emission-schedule.ts';
import { tokenWeiToMicroUsd, type ActorSpec, type SimulationConfig } from './simulation.ts';

/** 1,500 daily epochs: a little over four years. */
export const scenarioEpochs = 1_500;
/** Uptime challenges each identity is sent per epoch (one an hour). */
export const challengesPerEpoch = 24;
/** A donor that is online but restarts its browser now and then answers 23 of 24. */
const onlineAnswered = 23;
/** The epoch whose start sees the price fall by a fifth in a day. */
export const crashEpoch = 1_000;
const crashFactor = 0.8;
/** Epoch 0's price, USD per token. */
const initialPriceUsd = 0.1;

const weiPerToken = 10n ** 18n;
const plt = (tokens: number): bigint => BigInt(tokens) * weiPerToken;
const microUsd = (usd: number): bigint => BigInt(Math.round(usd * 1e6));

/**
 * The feed's price at the start of `epoch`, priceFeedDecimals decimals: +50% over the run, a ±20%
 * yearly cycle, and a one-day 20% crash at crashEpoch that never recovers.
 */
export function scenarioPriceAt(epoch: number): bigint {
  const drift = 1 + (0.5 * epoch) / scenarioEpochs;
  const cycle = 1 + 0.2 * Math.sin((2 * Math.PI * epoch) / 365);
  const crash = epoch >= crashEpoch ? crashFactor : 1;
  return BigInt(Math.round(initialPriceUsd * drift * cycle * crash * 10 ** priceFeedDecimals));
}

/** USD a day that honest-0's paying clients settle: 20 at the start, growing to 200 by the end. */
export function referenceServiceMicroCredits(epoch: number): bigint {
  return microUsd(20 + (180 * epoch) / scenarioEpochs);
}

/** Each donor's stake (the sybil farm's in all): 10,000 PLT, so a service cap of 1,000 USD a day. */
export const donorStakeWei = plt(10_000);
/** Identities the sybil farm splits its stake and service over (1,000 PLT each: the minimum stake). */
export const sybilIdentities = 10;

export interface ScenarioOptions {
  /** USD a day the self-dealer's own client buys and routes through it (default 500: inside its service cap). */
  readonly selfDealtUsdPerEpoch?: number;
  /**
   * The rest of the network's paying clients settle a quarter more each day than the usage pool can
   * mint at that day's price, so every donor's usage is paid pro rata (default false: 2,000 growing
   * to 20,000 USD a day, which the pool covers).
   */
  readonly crowded?: boolean;
}

/** The rest of the network: stake and identities (1,000,000 PLT each, a service cap of 100,000 USD a day). */
export const networkStakeWei = plt(20_000_000);
const networkIdentities = 20;
/** In the crowded world, the network's usage over what the usage pool can mint. */
const crowdedDemandOverPool = 1.25;

/** Micro-credits a quarter over what epoch `epoch`'s usage pool mints at its closing price, less τ. */
function crowdedNetworkServiceMicroCredits(epoch: number): bigint {
  const poolMicroUsd = tokenWeiToMicroUsd(poolsOf(epoch).usagePoolWei, scenarioPriceAt(epoch + 1));
  return (poolMicroUsd * BigInt(crowdedDemandOverPool * 100)) / 100n;
}

/** Actor names, as the bench reports them. */
export const actorNames = { reference: 'honest-0', selfDealer: 'self-dealer', sybil: 'sybil-farm', idle: 'idle', network: 'network' } as const;

/** The scenario's config: economy/simulation.ts runs it. */
export function scenario(options: ScenarioOptions = {}): SimulationConfig {
  const selfDealt = microUsd(options.selfDealtUsdPerEpoch ?? 500);
  const honest = [1, 0.5, 0.75, 1.25, 1.5].map(
    (factor, i): ActorSpec => ({
      name: `honest-${i}`,
      identities: 1,
      stakeWei: donorStakeWei,
      challengesAnswered: onlineAnswered,
      servedMicroCredits: (e) => (referenceServiceMicroCredits(e) * BigInt(Math.round(factor * 100))) / 100n,
    }),
  );
  const actors: ActorSpec[] = [
    ...honest,
    {
      // The same donor as honest-0, whose own client also buys credits to route through it.
      name: actorNames.selfDealer,
      identities: 1,
      stakeWei: donorStakeWei,
      challengesAnswered: onlineAnswered,
      servedMicroCredits: referenceServiceMicroCredits,
      selfDealtMicroCredits: () => selfDealt,
    },
    {
      // honest-0's stake and uplink, split over many identities.
      name: actorNames.sybil,
      identities: sybilIdentities,
      stakeWei: donorStakeWei,
      challengesAnswered: onlineAnswered,
      servedMicroCredits: referenceServiceMicroCredits,
    },
    {
      // Online all day, answers every challenge, serves nobody.
      name: actorNames.idle,
      identities: 1,
      stakeWei: donorStakeWei,
      challengesAnswered: challengesPerEpoch,
      servedMicroCredits: () => 0n,
    },
  ];
  actors.push({
    // Everyone else: many honest donors, as a few large identities (their split changes nothing).
    name: actorNames.network,
    identities: networkIdentities,
    stakeWei: networkStakeWei,
    challengesAnswered: onlineAnswered,
    servedMicroCredits: options.crowded ? crowdedNetworkServiceMicroCredits : (e) => microUsd(2_000 + (18_000 * e) / scenarioEpochs),
  });
  return { epochs: scenarioEpochs, actors, priceAt: scenarioPriceAt, challengesPerEpoch };
}
