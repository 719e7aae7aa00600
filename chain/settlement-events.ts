// What a settlement transaction did, read back from its logs: each receipt settled (and what it
// paid) or rejected (and why). The relayer reports it to the donor; tests and benches check it.
import type { Log, LogDescription } from 'ethers';
import { settlementRejectReasons, type SettlementRejectReason } from '../protocol/settlement-batch.ts';
import type { CoreContracts } from './contracts.ts';

export interface SettlementEvents {
  settled: { channel: string; client: string; paid: bigint }[];
  rejected: { channel: string; client: string; reason: SettlementRejectReason }[];
}

/** Reads ReceiptSettled and ReceiptRejected out of a settlement transaction's logs (other contracts' logs are skipped). */
export function settlementEvents(c: Pick<CoreContracts, 'settlement'>, logs: readonly Log[]): SettlementEvents {
  const events = logs.map((log) => c.settlement.interface.parseLog(log)).filter((e): e is LogDescription => e !== null);
  return {
    settled: events.filter((e) => e.name === 'ReceiptSettled').map((e) => ({ channel: e.args[0] as string, client: e.args[1] as string, paid: e.args[2] as bigint })),
    rejected: events
      .filter((e) => e.name === 'ReceiptRejected')
      .map((e) => ({ channel: e.args[0] as string, client: e.args[1] as string, reason: settlementRejectReasons[Number(e.args[2])]! })), // the contract's enum
  };
}
