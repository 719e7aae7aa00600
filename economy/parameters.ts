// Parameters.sol's values on the TypeScript side, for code that reasons about the economy without a
// chain (the simulation in economy/simulation.ts, bench/economy.ts, docs/economics.md's figures).
// Parameters.sol is the one source: parameters.test.ts parses every constant out of it and checks
// each one here, and contracts/Rewards.test.ts checks the emission against the compiled Rewards on
// anvil, so a change there that is not made here fails a test instead of drifting. Code that talks to a
// deployed chain reads the rules from it (rules-from-chain.ts) and does not need this file.
// Names are Parameters.sol's in camelCase, units in the name; amounts are bigints (wei,
// micro-credits, basis points), counts and durations plain numbers.
import { bytesPerMiB, microCreditsPerCredit, settlementLagSeconds } from '../protocol/receipt.ts';
import type { RewardRules } from './epoch-rewards.ts';

const day = 86_400;
const weiPerToken = 10n ** 18n;

// ---- Units (the receipt's, defined once in protocol/receipt.ts) --------------------------------

export { bytesPerMiB, microCreditsPerCredit, settlementLagSeconds };
/** Basis points in one whole (100%). */
export const bpsDenominator = 10_000n;

// ---- Token -------------------------------------------------------------------------------------

/** Decimals of PLT: amounts are in wei, 10^18 per token. */
export const tokenDecimals = 18;
/** Hard cap on PLT's total supply, wei (1,000,000,000 PLT). */
export const tokenCapWei = 1_000_000_000n * weiPerToken;
/** Minted to the genesis holder at deployment, wei (200,000,000 PLT). */
export const genesisSupplyWei = 200_000_000n * weiPerToken;

// ---- Price feed --------------------------------------------------------------------------------

/** Decimals of the feed's USD-per-token answer. */
export const priceFeedDecimals = 8;
/** A feed answer older than this is stale, seconds. */
export const priceMaxAgeSeconds = 3_600;

// ---- Stablecoin (local chain) ------------------------------------------------------------------

/** Decimals of the stablecoin: one unit is one micro-dollar. */
export const stablecoinDecimals = 6;
/** Most one TestStablecoin faucet call hands out, micro-dollars (1,000 USD). */
export const faucetMaxPerCallMicroUsd = 1_000_000_000n;

// ---- Credits and settlement --------------------------------------------------------------------

/** Delay from a withdrawal request to its payout, seconds (8 days, longer than the settlement lag). */
export const thawSeconds = 8 * day;
/** Length of a reward epoch, seconds. */
export const epochSeconds = day;
/** Share of settled usage not minted back to the donor, basis points (10%). */
export const protocolTakeBps = 1_000n;
/** Most receipts one settlement batch may carry. */
export const maxReceiptsPerBatch = 500;

// ---- Oracles, staking and rewards --------------------------------------------------------------

/** Oracles the local deployment starts with. */
export const defaultOracleCount = 3;
/** Signatures a quorum verdict needs by default. */
export const defaultOracleThreshold = 2;
/** Active stake a donor needs to be eligible for rewards, wei (1,000 PLT). */
export const minStakeWei = 1_000n * weiPerToken;
/** From a root's posting to its claims opening, seconds (2 days). */
export const rewardChallengeWindowSeconds = 2 * day;
/** From an unbond request to the withdrawal, seconds (14 days). */
export const unbondingSeconds = 14 * day;
/** Most Rewards may ever mint, wei (800,000,000 PLT). */
export const emissionCapWei = tokenCapWei - genesisSupplyWei;
/** Epochs between halvings of the per-epoch emission. */
export const emissionHalvingEpochs = 730;
/** Epoch 0's emission, wei (about 547,945 PLT). */
export const initialEpochEmissionWei = emissionCapWei / (2n * BigInt(emissionHalvingEpochs));
/** Availability's share of epoch 0's emission, basis points (80%). */
export const availabilityInitialShareBps = 8_000n;
/** Epochs over which availability's share falls linearly to zero. */
export const availabilityHorizonEpochs = 730;
/** Share of uptime challenges a donor must answer to earn availability, basis points (50%). */
export const availabilityMinUptimeBps = 5_000n;
/** Settled usage one staked token lets a donor count per epoch, micro-credits per PLT (0.1 USD). */
export const serviceCapMicroCreditsPerStakedToken = 100_000n;

/** The rules economy/epoch-rewards.ts applies, as Rewards.rules() returns them. */
export const rewardRules: RewardRules = {
  minStakeWei,
  protocolTakeBps,
  serviceCapMicroCreditsPerStakedToken,
  minUptimeBps: availabilityMinUptimeBps,
};
