// Test and bench support for settlement: a fresh anvil with the whole local deployment exactly as
// npm start deploys it (chain/deploy.ts), a sponsor that buys credits for any client address with
// the test dollar (clients never need gas), receipts signed by protocol/receipt.ts, and batches
// packed by protocol/settlement-batch.ts with their events read back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet, type Log } from 'ethers';
import { anvilKeys, startAnvil, type Anvil } from '../chain/anvil.ts';
import { coreContracts, type CoreContracts } from '../chain/contracts.ts';
import { deployLocal } from '../chain/deploy.ts';
import { receiptDomainOf, type Deployment } from '../chain/deployment.ts';
import { settlementEvents, type SettlementEvents } from '../chain/settlement-events.ts';
import { creditsForBytes, signReceipt, type ReceiptDomainConfig, type SignedReceipt } from '../protocol/receipt.ts';
import { encodeSettlementBatch } from '../protocol/settlement-batch.ts';

export const MiB = 1n << 20n;
/** The price the fixture's receipts carry: micro-credits per MiB (1 USD per GiB). */
export const fixturePrice = 1_000n;
/** Anvil account that buys credits for clients (a sponsor, as an NGO would). */
const sponsorAccount = 9;

export interface SettleOutcome extends SettlementEvents {
  gasUsed: bigint;
}

export interface SettlementFixture {
  anvil: Anvil;
  provider: JsonRpcProvider;
  deployment: Deployment;
  c: CoreContracts;
  domain: ReceiptDomainConfig;
  /** A connected wallet for anvil account `index` (below 10). */
  account(index: number): Wallet;
  /** The chain's clock, unix seconds. */
  now(): Promise<bigint>;
  /** Buys `microCredits` of credits for each of `clients` from the sponsor's test dollars (at most 1,000 USD in all). */
  fund(clients: string | readonly string[], microCredits: bigint): Promise<void>;
  /** `signer`'s receipt for `mib` MiB on `channelId` to `exit` (defaults: payer = signer, expiry 30 days out). */
  receipt(signer: Wallet, exit: string, channelId: string, mib: bigint, overrides?: { expiry?: bigint; payer?: string; cumCredits?: bigint }): Promise<SignedReceipt>;
  /** Submits one batch for `exit` from `sender` and reads its events back. */
  settle(sender: Wallet, exit: string, receipts: readonly SignedReceipt[]): Promise<SettleOutcome>;
  close(): Promise<void>;
}


/** Starts anvil and deploys the local network into a temporary deployments folder. */
export async function deploySettlementFixture(): Promise<SettlementFixture> {
  const anvil = await startAnvil();
  const provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
  const dir = await mkdtemp(join(tmpdir(), 'porchlight-deploy-'));
  const { deployment } = await deployLocal(anvil.url, { outDir: dir });
  const c = coreContracts(deployment, provider);
  const domain = receiptDomainOf(deployment);
  const account = (index: number): Wallet => new Wallet(anvilKeys[index]!, provider);
  const sponsor = account(sponsorAccount);
  await (await c.stablecoin.connect(sponsor).getFunction('approve')(await c.credits.getAddress(), 2n ** 255n)).wait();
  const now = async (): Promise<bigint> => BigInt((await provider.getBlock('latest'))!.timestamp); // latest always exists
  return {
    anvil, provider, deployment, c, domain, account, now,
    async fund(clients, microCredits) {
      const list = typeof clients === 'string' ? [clients] : clients;
      await (await c.stablecoin.connect(sponsor).getFunction('faucet')(sponsor.address, microCredits * BigInt(list.length))).wait();
      // Sent back to back with explicit nonces, then awaited together: one block each, no round trip between.
      let nonce = await provider.getTransactionCount(sponsor.address, 'pending');
      const sent = [];
      for (const client of list) sent.push(await c.credits.connect(sponsor).getFunction('buyWithStable')(client, microCredits, { nonce: nonce++ }));
      await Promise.all(sent.map((tx) => tx.wait()));
    },
    async receipt(signer, exit, channelId, mib, overrides = {}) {
      return signReceipt(signer, domain, {
        channelId,
        client: overrides.payer ?? signer.address,
        exit,
        cumBytes: mib * MiB,
        cumCredits: overrides.cumCredits ?? creditsForBytes(mib * MiB, fixturePrice),
        price: fixturePrice,
        expiry: overrides.expiry ?? (await now()) + 30n * 86_400n,
      });
    },
    async settle(sender, exit, receipts) {
      const tx = await c.settlement.connect(sender).getFunction('settle')(encodeSettlementBatch(exit, receipts));
      const mined = await tx.wait();
      return { ...settlementEvents(c, (mined?.logs ?? []) as Log[]), gasUsed: mined?.gasUsed ?? 0n };
    },
    async close() {
      provider.destroy();
      await anvil.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
