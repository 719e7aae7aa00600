// settlement-gas: what an exit pays on chain per channel it settles, in one packed batch of 100
// channels (100 clients, one exit) against a batch of one, on anvil with the local deployment as
// npm start deploys it. Two cases: FRESH channels (their first settlement writes each channel's
// slot from zero, ≥ 22,100 gas apiece) and RE-SETTLED ones (the same channels again at a higher
// cumulative: the steady state of an exit that settles as it goes). Gas is deterministic, so each
// is one transaction. Layout and sizes: protocol/settlement-batch.ts; the contract: contracts/Settlement.sol.
import { Wallet } from 'ethers';
import { hexToBytes } from '../protocol/bytes.ts';
import { newChannelId } from '../protocol/channel-open.ts';
import { encodeSettlementBatch, settlementBatchHeaderBytes, settlementReceiptBytes } from '../protocol/settlement-batch.ts';
import type { SignedReceipt } from '../protocol/receipt.ts';
import { deploySettlementFixture, type SettlementFixture } from '../contracts/settlement-fixture.ts';
import { round, type BenchResult, type StandaloneBenchmark } from './context.ts';

const name = 'settlement-gas';
const batchChannels = 100;
/** Gas per re-settled channel in a batch of 100 that the settlement design aims at. */
const targetGasPerChannel = 15_000;
/** Credits each client is bought (1 USD): covers both settlements below. */
const clientFundingMicroCredits = 1_000_000n;
/** The exit, anvil account 7: payee and submitter of every batch (it pays the gas). */
const exitAccount = 7;
/** EIP-2028 calldata prices, gas per byte. */
const zeroByteGas = 4;
const nonzeroByteGas = 16;

interface Channel {
  readonly client: Wallet;
  readonly id: string;
}

/** A funded fresh client with a new channel each. */
async function openChannels(f: SettlementFixture, count: number): Promise<Channel[]> {
  const channels = Array.from({ length: count }, () => ({ client: new Wallet(Wallet.createRandom().privateKey), id: newChannelId() }));
  await f.fund(channels.map((c) => c.client.address), clientFundingMicroCredits);
  return channels;
}

/** Gas of one batch settling every channel at `mib(i)` MiB. @throws {Error} when any receipt is refused. */
async function settleGas(f: SettlementFixture, exit: Wallet, channels: readonly Channel[], mib: (i: number) => bigint): Promise<{ gas: number; receipts: SignedReceipt[] }> {
  const receipts = await Promise.all(channels.map((c, i) => f.receipt(c.client, exit.address, c.id, mib(i))));
  const outcome = await f.settle(exit, exit.address, receipts);
  if (outcome.rejected.length > 0 || outcome.settled.length !== channels.length) {
    throw new Error(`settled ${outcome.settled.length} of ${channels.length} receipts; refused: ${outcome.rejected.map((r) => r.reason).join(', ')}`);
  }
  return { gas: Number(outcome.gasUsed), receipts };
}

/** Calldata gas of one packed receipt, averaged over the batch's receipts (their zero bytes are cheaper). */
function calldataGasPerReceipt(exit: string, receipts: readonly SignedReceipt[]): number {
  const body = hexToBytes(encodeSettlementBatch(exit, receipts).slice(2)).subarray(settlementBatchHeaderBytes);
  const zeros = body.reduce((n, byte) => n + (byte === 0 ? 1 : 0), 0);
  return (zeros * zeroByteGas + (body.length - zeros) * nonzeroByteGas) / receipts.length;
}

export const settlementGas: StandaloneBenchmark = {
  name,
  standalone: true,
  async run(_scale, emit) {
    // Gas does not depend on the machine, and 100 channels is the case the target names: no scaling.
    let emitted = 0;
    let f: SettlementFixture | undefined;
    try {
      f = await deploySettlementFixture();
      const exit = f.account(exitAccount);
      const [first, single, ...batch] = (await openChannels(f, 2 + batchChannels)) as [Channel, Channel, ...Channel[]]; // 2 + batchChannels of them
      // The exit's first settlement of the epoch also writes its epoch usage slots from zero: not
      // a per-channel cost, so it is settled (and reported) apart, before anything is compared.
      const firstOfEpoch = await settleGas(f, exit, [first], () => 1n);
      const singleFresh = await settleGas(f, exit, [single], () => 1n);
      const batchFresh = await settleGas(f, exit, batch, (i) => BigInt(i + 1));
      const singleAgain = await settleGas(f, exit, [single], () => 2n);
      const batchAgain = await settleGas(f, exit, batch, (i) => BigInt(2 * (i + 1)));

      const common = {
        channels: batchChannels,
        calldataBytesPerReceipt: settlementReceiptBytes,
        calldataGasPerReceipt: round(calldataGasPerReceipt(exit.address, batchAgain.receipts), 1),
        singleFirstOfEpochGas: firstOfEpoch.gas,
      };
      const result = (resultName: string, batchGas: number, singleGas: number): BenchResult => {
        const perChannel = batchGas / batchChannels;
        return { name: resultName, value: round(perChannel, 1), baseline: singleGas, ratio: round(perChannel / singleGas), unit: 'gas', batchGas, ...common };
      };
      const fresh = result('settlement-gas-fresh', batchFresh.gas, singleFresh.gas);
      const steady = result(name, batchAgain.gas, singleAgain.gas);
      console.error(`${name}: ${steady.value} gas per re-settled channel in a batch of ${batchChannels} (single ${singleAgain.gas}); fresh ${fresh.value} (single ${singleFresh.gas})`);
      await emit(fresh);
      emitted++;
      await emit({ ...steady, target: `value <= ${targetGasPerChannel}`, targetGasPerChannel, pass: steady.value <= targetGasPerChannel });
      emitted++;
      return 0;
    } catch (error) {
      console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return 2 - emitted;
    } finally {
      await f?.close();
    }
  },
};
