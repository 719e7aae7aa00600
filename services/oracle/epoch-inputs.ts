// What an oracle feeds economy/epoch-rewards.ts for an ended epoch, from the chain and its own
// uptime record only. Chain reads are pinned to the block that closed the epoch (Rewards'
// EpochClosed), so every honest oracle reads the same stake and usage whenever it looks.
//
// Uptime is the one input oracles do not share: each challenges donors at its own random times, so
// their counts differ. For their roots to agree, a donor's uptime enters as pass or fail (at least
// the rules' minimum share of this oracle's challenges answered): honest donors online all day pass
// at every oracle; a donor at the threshold may split them, and then the two that agree post.
import type { BaseContract } from 'ethers';
import type { DonorEpochRecord, RewardRules } from '../../economy/epoch-rewards.ts';
import { availability, type DonorUptime } from './uptime-record.ts';

/** Settlement and Staking as the oracle reads them. */
export interface EpochChain {
  readonly settlement: BaseContract;
  readonly staking: BaseContract;
  readonly rewards: BaseContract;
}

/**
 * The block that closed `epoch`.
 * @throws {Error} when the epoch has not been closed.
 */
export async function closingBlock(chain: EpochChain, epoch: bigint): Promise<number> {
  const closed = await chain.rewards.queryFilter(chain.rewards.filters.EpochClosed!(epoch));
  const first = closed[0];
  if (!first) throw new Error(`epoch ${epoch} is not closed yet`);
  return first.blockNumber;
}

/** Exits paid in `epoch` (from BatchSettled events) with their recorded usage, micro-credits. */
export async function settledUsage(chain: EpochChain, epoch: bigint, atBlock: number): Promise<Map<string, bigint>> {
  const batches = await chain.settlement.queryFilter(chain.settlement.filters.BatchSettled!(null, epoch), 0, atBlock);
  const usage = new Map<string, bigint>();
  for (const log of batches) {
    const exit = (log as unknown as { args: [string] }).args[0];
    if (usage.has(exit)) continue;
    usage.set(exit, (await chain.settlement.getFunction('usage')(epoch, exit, { blockTag: atBlock })) as bigint);
  }
  return usage;
}

/** Pass (1 of 1) or fail (0 of 1) per payment address; a payment address seen under several peer ids takes its best. */
export function uptimeVerdicts(uptime: ReadonlyMap<string, DonorUptime>, rules: Pick<RewardRules, 'minUptimeBps'>): Map<string, boolean> {
  const verdicts = new Map<string, boolean>();
  for (const record of uptime.values()) {
    if (!record.paymentAddress) continue;
    const passed = availability(record) * 10_000 >= Number(rules.minUptimeBps);
    verdicts.set(record.paymentAddress, (verdicts.get(record.paymentAddress) ?? false) || passed);
  }
  return verdicts;
}

/** Every donor with usage or an uptime verdict, with its stake at the closing block. */
export async function epochRecords(chain: EpochChain, epoch: bigint, rules: RewardRules, uptime: ReadonlyMap<string, DonorUptime>): Promise<DonorEpochRecord[]> {
  const atBlock = await closingBlock(chain, epoch);
  const usage = await settledUsage(chain, epoch, atBlock);
  const verdicts = uptimeVerdicts(uptime, rules);
  const donors = new Set([...usage.keys(), ...verdicts.keys()]);
  const records: DonorEpochRecord[] = [];
  for (const donor of donors) {
    const [stakeWei] = (await chain.staking.getFunction('stakeDetails')(donor, { blockTag: atBlock })) as bigint[];
    const passed = verdicts.get(donor);
    records.push({
      donor,
      stakeWei: stakeWei!, // stakeDetails returns three values
      usageMicroCredits: usage.get(donor) ?? 0n,
      challengesSent: passed === undefined ? 0 : 1,
      challengesAnswered: passed ? 1 : 0,
    });
  }
  return records;
}
