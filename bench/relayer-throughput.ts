// relayer-throughput: receipts settled per second through the relayer's HTTP API against anvil,
// against the same kind of batches sent straight to Settlement by a funded exit (the baseline, in
// the same run: no HTTP, no simulation, no queue). Each batch is 100 fresh channels of 10 clients;
// the relayer simulates every batch twice (before queueing and before sending) and waits for each
// to confirm, which is what its ratio measures.
import { Wallet } from 'ethers';
import { anvilKeys } from '../chain/anvil.ts';
import { newChannelId } from '../protocol/channel-open.ts';
import { encodeSettlementBatch } from '../protocol/settlement-batch.ts';
import type { SignedReceipt } from '../protocol/receipt.ts';
import { deploySettlementFixture, type SettlementFixture } from '../contracts/settlement-fixture.ts';
import { startRelayerServer } from '../services/relayer/server.ts';
import { round, type StandaloneBenchmark } from './context.ts';

const name = 'relayer-throughput';
const receiptsPerBatch = 100;
const clientsCount = 10;

/** `batches` batches of fresh channels for `exit`, each receipt 1 MiB. */
async function makeBatches(f: SettlementFixture, clients: readonly Wallet[], exit: string, batches: number): Promise<string[]> {
  const out: string[] = [];
  for (let b = 0; b < batches; b++) {
    const receipts: SignedReceipt[] = [];
    for (let i = 0; i < receiptsPerBatch; i++) receipts.push(await f.receipt(clients[i % clients.length]!, exit, newChannelId(), 1n));
    out.push(encodeSettlementBatch(exit, receipts));
  }
  return out;
}

export const relayerThroughput: StandaloneBenchmark = {
  name,
  standalone: true,
  async run(scale, emit) {
    const batches = Math.max(2, Math.round(10 * scale));
    const f = await deploySettlementFixture();
    try {
      const clients = Array.from({ length: clientsCount }, () => new Wallet(Wallet.createRandom().privateKey));
      await f.fund(clients.map((c) => c.address), 10_000_000n);
      const directExit = f.account(7);
      const relayedExit = Wallet.createRandom().address;
      const [direct, relayed] = [await makeBatches(f, clients, directExit.address, batches), await makeBatches(f, clients, relayedExit, batches)];

      const directStart = performance.now();
      for (const batch of direct) await (await f.c.settlement.connect(directExit).getFunction('settle')(batch)).wait();
      const directPerSecond = (batches * receiptsPerBatch) / ((performance.now() - directStart) / 1000);

      const relayer = await startRelayerServer({ deployment: f.deployment, privateKey: anvilKeys[8]!, perDonor: { capacity: batches, refillPerSecond: 1 } });
      let settled = 0;
      const relayedStart = performance.now();
      try {
        for (const batch of relayed) {
          const response = await fetch(`${relayer.url}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
          const body = (await response.json()) as { status?: string; settled?: unknown[]; error?: string };
          if (body.status !== 'confirmed') throw new Error(`relayer refused a batch: ${body.error}`);
          settled += body.settled!.length;
        }
      } finally {
        await relayer.close();
      }
      const relayedPerSecond = settled / ((performance.now() - relayedStart) / 1000);
      if (settled !== batches * receiptsPerBatch) throw new Error(`only ${settled} of ${batches * receiptsPerBatch} receipts settled`);
      console.log(`${name}: ${round(relayedPerSecond, 0)} receipts/s through the relayer, ${round(directPerSecond, 0)} sent directly (${batches} batches of ${receiptsPerBatch})`);
      await emit({ name, value: round(relayedPerSecond, 1), baseline: round(directPerSecond, 1), ratio: round(relayedPerSecond / directPerSecond, 3), unit: 'receipts/s', batches, receiptsPerBatch });
      return 0;
    } catch (error) {
      console.error(`${name}: ${(error as Error).message}`);
      return 1;
    } finally {
      await f.close();
    }
  },
};
