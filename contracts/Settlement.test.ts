// Settlement end to end on anvil, deployed the way npm start deploys it: a client buys credits
// with the test dollar (the reserve's token burns), signs receipts with protocol/receipt.ts, and
// an exit settles packed batches. Hostile parties: a replayed or rolled-back receipt, a forged
// signature, a client without the credits, an expired receipt — each settles nothing and says why,
// without blocking the honest receipts in the same batch.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet, hexlify, randomBytes, type Log, type LogDescription } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anvilKeys, startAnvil, type Anvil } from '../chain/anvil.ts';
import { coreContracts, type CoreContracts } from '../chain/contracts.ts';
import { deployLocal } from '../chain/deploy.ts';
import { receiptDomainOf } from '../chain/deployment.ts';
import { creditsForBytes, signReceipt, type ReceiptDomainConfig, type SignedReceipt } from '../protocol/receipt.ts';
import { encodeSettlementBatch, settlementRejectReasons } from '../protocol/settlement-batch.ts';

let anvil: Anvil;
let provider: JsonRpcProvider;
let dir: string;
let c: CoreContracts;
let domain: ReceiptDomainConfig;
const client = () => new Wallet(anvilKeys[5], provider);
const poorClient = () => new Wallet(anvilKeys[6], provider);
const exit = () => new Wallet(anvilKeys[7], provider);
const price = 1_000n; // micro-credits per MiB
const MiB = 1n << 20n;

beforeAll(async () => {
  anvil = await startAnvil();
  provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
  dir = await mkdtemp(join(tmpdir(), 'porchlight-deploy-'));
  const { deployment } = await deployLocal(anvil.url, { outDir: dir });
  c = coreContracts(deployment, provider);
  domain = receiptDomainOf(deployment);
  // The client buys 10 credits with the test dollar.
  const buyer = client();
  await (await c.stablecoin.connect(buyer).getFunction('faucet')(buyer.address, 100_000_000n)).wait();
  await (await c.stablecoin.connect(buyer).getFunction('approve')(await c.credits.getAddress(), 100_000_000n)).wait();
  await (await c.credits.connect(buyer).getFunction('buyWithStable')(buyer.address, 10_000_000n)).wait();
}, 60_000);

afterAll(async () => {
  provider?.destroy();
  await anvil?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function receipt(signer: Wallet, channelId: string, mib: bigint, overrides: { expiry?: bigint; payer?: string } = {}): Promise<SignedReceipt> {
  const now = BigInt((await provider.getBlock('latest'))!.timestamp);
  return signReceipt(signer, domain, {
    channelId,
    client: overrides.payer ?? signer.address,
    exit: exit().address,
    cumBytes: mib * MiB,
    cumCredits: creditsForBytes(mib * MiB, price),
    price,
    expiry: overrides.expiry ?? now + 30n * 86_400n,
  });
}

async function settle(receipts: SignedReceipt[]) {
  const tx = await c.settlement.connect(exit()).getFunction('settle')(encodeSettlementBatch(exit().address, receipts));
  const logs = ((await tx.wait())?.logs ?? []) as Log[];
  const events = logs.map((log) => c.settlement.interface.parseLog(log)).filter((e): e is LogDescription => e !== null);
  return {
    settled: events.filter((e) => e.name === 'ReceiptSettled').map((e) => ({ channel: e.args[0] as string, paid: e.args[2] as bigint })),
    rejected: events
      .filter((e) => e.name === 'ReceiptRejected')
      .map((e) => ({ channel: e.args[0] as string, reason: settlementRejectReasons[Number(e.args[2])] })),
  };
}

const channel = () => hexlify(randomBytes(32));

describe('Settlement', () => {
  it('pays each channel its new cumulative once, burns the credits, and records the exit usage', async () => {
    const id = channel();
    const before = await c.credits.balanceOf(client().address);
    const first = await settle([await receipt(client(), id, 100n)]);
    expect(first).toEqual({ settled: [{ channel: id, paid: 100_000n }], rejected: [] });
    const second = await settle([await receipt(client(), id, 250n)]);
    expect(second.settled).toEqual([{ channel: id, paid: 150_000n }]);
    expect(await c.settlement.settled(id, client().address, exit().address)).toBe(250_000n);
    expect(before - (await c.credits.balanceOf(client().address))).toBe(250_000n);
    expect(await c.settlement.usage(await c.settlement.currentEpoch(), exit().address)).toBeGreaterThanOrEqual(250_000n);
  });

  it('refuses a replay and a rollback, and a forged, expired or unfunded receipt, while the honest one in the batch settles', async () => {
    const id = channel();
    const r200 = await receipt(client(), id, 200n);
    await settle([r200]);
    const honest = channel();
    const stranger = new Wallet(Wallet.createRandom().privateKey);
    const now = BigInt((await provider.getBlock('latest'))!.timestamp);
    const result = await settle([
      r200, // replay
      await receipt(client(), channel(), 1n, { expiry: now - 1n }), // expired
      await receipt(stranger, channel(), 5n, { payer: client().address }), // signed by someone else for the client
      await receipt(poorClient(), channel(), 5n), // no credits
      await receipt(client(), honest, 3n),
    ]);
    expect(result.settled).toEqual([{ channel: honest, paid: 3_000n }]);
    expect(result.rejected.map((r) => r.reason)).toEqual(['replay', 'expired', 'bad-signature', 'insufficient-credits']);
    const rollback = await settle([await receipt(client(), id, 150n)]);
    expect(rollback.rejected.map((r) => r.reason)).toEqual(['rollback']);
    expect(await c.settlement.settled(id, client().address, exit().address)).toBe(200_000n);
  });
});
