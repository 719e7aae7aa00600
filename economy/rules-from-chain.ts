// Reads what economy/epoch-rewards.ts needs from the deployed Rewards contract: its rules
// (Parameters.sol, the one source) and an epoch's terms as closeEpoch recorded them.
import type { BaseContract } from 'ethers';
import type { EpochTerms, RewardRules } from './epoch-rewards.ts';

/** Rewards.rules(), typed. */
export async function readRewardRules(rewards: BaseContract): Promise<RewardRules> {
  const [minStakeWei, protocolTakeBps, serviceCapMicroCreditsPerStakedToken, minUptimeBps] = (await rewards.getFunction('rules')()) as bigint[];
  return { minStakeWei: minStakeWei!, protocolTakeBps: protocolTakeBps!, serviceCapMicroCreditsPerStakedToken: serviceCapMicroCreditsPerStakedToken!, minUptimeBps: minUptimeBps! }; // rules() returns five values
}

/**
 * Rewards.epochState(epoch) as EpochTerms.
 * @throws {Error} when the epoch has not been closed yet.
 */
export async function readEpochTerms(rewards: BaseContract, epoch: bigint): Promise<EpochTerms> {
  const state = (await rewards.getFunction('epochState')(epoch)) as { closed: boolean; price: bigint; priceDecimals: bigint; availabilityPool: bigint; usagePool: bigint };
  if (!state.closed) throw new Error(`epoch ${epoch} is not closed yet: call Rewards.closeEpoch(${epoch}) first`);
  return { epoch, price: state.price, priceDecimals: Number(state.priceDecimals), availabilityPoolWei: state.availabilityPool, usagePoolWei: state.usagePool };
}
