// `npm start`'s on-chain half: anvil with the whole deployment, the relayer, three oracles (k = 2),
// and the steps that move money — a sponsor buys credits for a client, the donor's stored
// receipts settle through the relayer, the epoch closes by the oracles' quorum, the donor claims.
// Each step prints what it changed. The local chain's clock is moved forward by hand (a day per
// epoch would be a long demo); everything else is what a real deployment does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet, formatUnits } from 'ethers';
import { anvilKeys, startAnvil, type Anvil } from '../chain/anvil.ts';
import { connectHandle, coreContracts, type CoreContracts } from '../chain/contracts.ts';
import { localAccounts } from '../chain/deploy-plan.ts';
import { deployLocal } from '../chain/deploy.ts';
import type { Deployment } from '../chain/deployment.ts';
import { localSettlementAddress } from '../chain/local-domain.ts';
import { decimalFromMicroCredits, parseSignedReceipt, type ReceiptJson } from '../protocol/receipt.ts';
import { encodeSettlementBatch } from '../protocol/settlement-batch.ts';
import { createOracle, type Oracle } from '../services/oracle/oracle.ts';
import { createUptimeRecord } from '../services/oracle/uptime-record.ts';
import { startRelayerServer, type RelayerServer } from '../services/relayer/server.ts';

const day = 86_400;
const sponsorAccount = 9;
const plt = (wei: bigint): string => `${Number(formatUnits(wei, 18)).toLocaleString('en-US', { maximumFractionDigits: 4 })} PLT`;
const usd = (micro: bigint): string => `${decimalFromMicroCredits(micro)} USD`;

export interface LocalEconomy {
  readonly deployment: Deployment;
  readonly relayer: RelayerServer;
  /** A sponsor buys `microCredits` of credits for `client` with the test dollar; prints what burned. */
  sponsorCredits(client: string, microCredits: bigint): Promise<void>;
  /** Settles the donor's newest receipt through the relayer; prints the payment. Resolves true when the client paid exactly it. */
  settle(held: { receipt: ReceiptJson; signature: string }): Promise<boolean>;
  /** A sponsor stakes for the donor, the epoch ends, the oracles post its root, the donor claims; true when it minted exactly usage × (1 − τ). */
  closeEpochAndClaim(donor: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function startLocalEconomy(say: (line: string) => void): Promise<LocalEconomy> {
  const anvil: Anvil = await startAnvil();
  const dir = await mkdtemp(join(tmpdir(), 'porchlight-start-'));
  let relayer: RelayerServer | undefined;
  try {
    const { deployment } = await deployLocal(anvil.url, { outDir: dir, log: () => undefined });
    if (deployment.contracts.Settlement !== localSettlementAddress) throw new Error('Settlement is not where the extension build expects it');
    const provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
    const c: CoreContracts = coreContracts(deployment, provider);
    say(`  anvil on ${anvil.url} (chain ${deployment.chainId}); Settlement at ${deployment.contracts.Settlement}, the address the extension signs receipts for`);
    relayer = await startRelayerServer({ deployment, privateKey: anvilKeys[localAccounts.relayer]! });
    say(`  relayer ${relayer.relayer.address} on ${relayer.url} (donors need no gas)`);
    const firstEpoch = await c.settlement.currentEpoch();
    const oracles: Oracle[] = [];
    for (const [i, account] of localAccounts.oracles.entries()) {
      oracles.push(
        createOracle({
          wallet: new Wallet(anvilKeys[account]!, provider),
          contracts: c,
          record: createUptimeRecord(),
          firstEpoch,
          fetchPeerAttestations: async (epoch) => oracles.filter((_, j) => j !== i).map((o) => o.attestation(epoch)),
        }),
      );
    }
    say(`  three oracles, any two of which post an epoch's rewards: ${oracles.map((o) => o.address.slice(0, 10) + '…').join(', ')}`);
    const admin = new Wallet(anvilKeys[localAccounts.admin]!, provider);
    const treasury = new Wallet(anvilKeys[localAccounts.treasury]!, provider);
    const sponsor = new Wallet(anvilKeys[sponsorAccount]!, provider);
    const startSupply = await c.token.totalSupply();
    let payer: string | undefined;

    return {
      deployment,
      relayer,
      async sponsorCredits(client, microCredits) {
        payer = client;
        const supplyBefore = await c.token.totalSupply();
        await (await connectHandle(c.stablecoin, sponsor).faucet(sponsor.address, microCredits)).wait();
        await (await connectHandle(c.stablecoin, sponsor).approve(await c.credits.getAddress(), microCredits)).wait();
        await (await connectHandle(c.credits, sponsor).buyWithStable(client, microCredits)).wait();
        const burned = supplyBefore - (await c.token.totalSupply());
        say(`  a sponsor paid ${usd(microCredits)} in the test dollar for the client's ${decimalFromMicroCredits(microCredits)} credits (address ${client.slice(0, 10)}…); the treasury got the dollars and ${plt(burned)} burned from the buy-back reserve at $0.10`);
        say(`  the client's credits: ${usd(await c.credits.balanceOf(client))}`);
      },
      async settle(held) {
        const signed = parseSignedReceipt(held);
        const before = payer ? await c.credits.balanceOf(payer) : 0n;
        const response = await fetch(`${relayer!.url}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch: encodeSettlementBatch(signed.receipt.exit, [signed]) }) });
        const body = (await response.json()) as { status?: string; txHash?: string; paid?: string; error?: string; message?: string };
        if (body.status !== 'confirmed') {
          say(`  the relayer refused: ${body.error}: ${body.message}`);
          return false;
        }
        const after = payer ? await c.credits.balanceOf(payer) : 0n;
        say(`  settled in ${body.txHash!.slice(0, 14)}… : ${usd(BigInt(body.paid!))} paid to the donor ${signed.receipt.exit.slice(0, 10)}…, which spent no gas`);
        say(`  the client's credits: ${usd(before)} → ${usd(after)} (burned as they are spent)`);
        return BigInt(body.paid!) === before - after && BigInt(body.paid!) > 0n;
      },
      async closeEpochAndClaim(donor) {
        const minStake = 1_000n * 10n ** 18n;
        await (await connectHandle(c.token, treasury).approve(await c.staking.getAddress(), minStake)).wait();
        await (await connectHandle(c.staking, treasury).stakeFor(donor, minStake)).wait();
        say(`  a sponsor staked ${plt(minStake)} for the donor (the minimum to earn rewards)`);
        const epoch = await c.settlement.currentEpoch();
        const usage = await c.settlement.usage(epoch, donor);
        await provider.send('evm_increaseTime', [day]);
        await (await connectHandle(c.priceFeed, admin).setAnswer(10_000_000n)).wait();
        say(`  the chain's clock moves a day: epoch ${epoch} ends with ${usd(usage)} settled to the donor`);
        const outcomes = [];
        for (const oracle of oracles) outcomes.push((await oracle.tick()).get(epoch.toString()));
        const state = await c.rewards.epochState(epoch);
        say(`  the oracles: ${outcomes.join(', ')}; root ${state.root.slice(0, 14)}… for ${plt(state.total)} in the epoch`);
        const proof = oracles.map((o) => o.proof(epoch, donor)).find((p) => p !== undefined);
        if (!proof) {
          say('  NO reward leaf for the donor');
          return false;
        }
        await provider.send('evm_increaseTime', [2 * day]);
        await provider.send('evm_mine', []);
        const before = await c.token.balanceOf(donor);
        const supplyBefore = await c.token.totalSupply();
        const response = await fetch(`${relayer!.url}/claim`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ epoch: epoch.toString(), donor, ...proof }) });
        const body = (await response.json()) as { status?: string; txHash?: string; error?: string; reason?: string };
        if (body.status !== 'confirmed') {
          say(`  the claim failed: ${body.error} ${body.reason ?? ''}`);
          return false;
        }
        const minted = (await c.token.balanceOf(donor)) - before;
        // Usage pays 1:1 in USD less τ = 10% at $0.10; this donor answered no uptime challenges, so no availability share.
        const expected = (usage * 9n * 10n ** 12n * 10n ** 8n) / (10n * 10_000_000n);
        say(`  two days later (the challenge window) the donor claimed through the relayer: ${plt(minted)} minted (usage ${usd(usage)} × 0.9 at $0.10 = ${plt(expected)})`);
        say(`  token supply: ${plt(startSupply)} at the start → ${plt(supplyBefore)} after the burn → ${plt(await c.token.totalSupply())} after the claim`);
        return minted === expected;
      },
      async close() {
        await relayer?.close();
        provider.destroy();
        await anvil.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await relayer?.close();
    await anvil.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
