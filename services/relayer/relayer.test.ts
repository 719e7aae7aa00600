// The relayer against anvil with the whole local deployment: a donor with no gas settles and claims
// through it. Hostile parties: a requester sending junk, replays, oversized or malformed bodies, or
// batches naming a victim's exit to use up its allowance; a donor flooding; a relayer rewriting the
// payee; a relayer killed between sending and reporting — none pays anyone wrongly or twice.
import { Wallet, hexlify, randomBytes } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anvilKeys } from '../../chain/anvil.ts';
import { connectHandle as signedBy } from '../../chain/contracts.ts';
import { computeEpochRewards, rewardProof, rewardTree } from '../../economy/epoch-rewards.ts';
import { readEpochTerms, readRewardRules } from '../../economy/rules-from-chain.ts';
import { maxRelayerRequestBytes } from '../../protocol/relayer-api.ts';
import type { SignedReceipt } from '../../protocol/receipt.ts';
import { encodeSettlementBatch } from '../../protocol/settlement-batch.ts';
import { advance, quorumSignatures } from '../../contracts/rewards-fixture.ts';
import { deploySettlementFixture, type SettlementFixture } from '../../contracts/settlement-fixture.ts';
import { startRelayerServer, type RelayerServer, type RelayerServerOptions } from './server.ts';

let f: SettlementFixture;
let server: RelayerServer;
const client = () => f.account(5);
const relayerKey = anvilKeys[8]!;
const relayerAddress = new Wallet(relayerKey).address;
const channel = () => hexlify(randomBytes(32));
/** A donor's payment address with no ether at all: everything it does on chain goes through the relayer. */
const gaslessExit = () => Wallet.createRandom().address;

async function startRelayer(overrides: Partial<RelayerServerOptions> = {}): Promise<RelayerServer> {
  return startRelayerServer({ deployment: f.deployment, privateKey: relayerKey, perDonor: { capacity: 100, refillPerSecond: 1 }, perRequester: { capacity: 1_000, refillPerSecond: 100 }, ...overrides });
}

async function post(path: string, body: unknown, target = server): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${target.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const batchOf = (exit: string, receipts: SignedReceipt[]) => ({ batch: encodeSettlementBatch(exit, receipts) });
const relayerNonce = () => f.provider.getTransactionCount(relayerAddress, 'latest');

beforeAll(async () => {
  f = await deploySettlementFixture();
  await f.fund(client().address, 100_000_000n); // 100 credits
  server = await startRelayer();
}, 60_000);

afterAll(async () => {
  await server?.close();
  await f?.close();
});

describe('relayer: settlement', () => {
  it('settles a gasless donor’s batch, pays its exit from the client’s credits, and reports the transaction', async () => {
    const exit = gaslessExit();
    const id = channel();
    const before = await f.c.credits.balanceOf(client().address);
    const reply = await post('/settle', batchOf(exit, [await f.receipt(client(), exit, id, 50n)]));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'confirmed', paid: '50000', rejected: [], settled: [{ channel: id, client: client().address, paid: '50000' }] });
    const mined = await f.provider.getTransactionReceipt(reply.body.txHash as string);
    expect(mined?.from).toBe(relayerAddress);
    expect(await f.c.settlement.settled(id, client().address, exit)).toBe(50_000n);
    expect(await f.c.credits.balanceOf(client().address)).toBe(before - 50_000n);
    expect(await f.provider.getBalance(exit)).toBe(0n);
  });

  it('sends nothing for a replay, junk signatures, or a batch whose exit a relayer rewrote to itself', async () => {
    const exit = gaslessExit();
    const honest = await f.receipt(client(), exit, channel(), 10n);
    expect((await post('/settle', batchOf(exit, [honest]))).status).toBe(200);
    const nonce = await relayerNonce();
    // The same batch again: already settled.
    expect(await post('/settle', batchOf(exit, [honest]))).toMatchObject({ status: 409, body: { error: 'nothing-to-settle' } });
    // A stranger's signature over a receipt charging the client.
    const forged = await f.receipt(new Wallet(Wallet.createRandom().privateKey), exit, channel(), 10n, { payer: client().address });
    expect((await post('/settle', batchOf(exit, [forged]))).body.error).toBe('nothing-to-settle');
    // The honest receipt, its exit rewritten to the relayer's own address: the client signed another exit.
    const fresh = await f.receipt(client(), exit, channel(), 10n);
    const redirected = { ...fresh, receipt: { ...fresh.receipt, exit: relayerAddress } };
    expect((await post('/settle', batchOf(relayerAddress, [redirected]))).body.error).toBe('nothing-to-settle');
    const direct = await f.settle(f.account(8), relayerAddress, [redirected]);
    expect(direct.rejected.map((r) => r.reason)).toEqual(['bad-signature']);
    expect(await relayerNonce()).toBe(nonce + 1); // only the direct submission above
    // The receipt still pays its own exit.
    expect((await post('/settle', batchOf(exit, [fresh]))).body.paid).toBe('10000');
  });

  it('refuses malformed, oversized and unknown requests with a clear error', async () => {
    expect(await post('/settle', 'not json')).toMatchObject({ status: 400, body: { error: 'malformed-request' } });
    expect(await post('/settle', { batch: 42 })).toMatchObject({ status: 400, body: { error: 'malformed-request' } });
    expect(await post('/settle', { batch: '0x01', extra: true })).toMatchObject({ status: 400 });
    const short = await post('/settle', { batch: '0x01' + '11'.repeat(20) + '22'.repeat(10) });
    expect(short).toMatchObject({ status: 400, body: { error: 'malformed-request' } });
    expect(String(short.body.reason)).toMatch(/not a header and whole receipts/);
    expect(await post('/settle', { batch: '0x' + '00'.repeat(maxRelayerRequestBytes) })).toMatchObject({ status: 413, body: { error: 'too-large' } });
    expect(await post('/claim', { epoch: '-1', donor: '0x12', amount: '1', proof: [] })).toMatchObject({ status: 400 });
    expect(await post('/nowhere', {})).toMatchObject({ status: 404, body: { error: 'not-found' } });
  });

  it('limits each donor’s submissions, and junk naming a victim’s exit does not use up the victim’s allowance', async () => {
    const limited = await startRelayer({ perDonor: { capacity: 2, refillPerSecond: 0.001 } });
    try {
      const flooder = gaslessExit();
      for (let i = 0; i < 2; i++) expect((await post('/settle', batchOf(flooder, [await f.receipt(client(), flooder, channel(), 1n)]), limited)).status).toBe(200);
      const third = await post('/settle', batchOf(flooder, [await f.receipt(client(), flooder, channel(), 1n)]), limited);
      expect(third).toMatchObject({ status: 429, body: { error: 'rate-limited' } });
      expect(third.body.retryAfterSeconds).toBeGreaterThan(0);

      const victim = gaslessExit();
      for (let i = 0; i < 5; i++) {
        const junk = await f.receipt(new Wallet(Wallet.createRandom().privateKey), victim, channel(), 1n, { payer: client().address });
        expect((await post('/settle', batchOf(victim, [junk]), limited)).status).toBe(409);
      }
      expect((await post('/settle', batchOf(victim, [await f.receipt(client(), victim, channel(), 1n)]), limited)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('limits requests per requester, refused or not', async () => {
    const limited = await startRelayer({ perRequester: { capacity: 3, refillPerSecond: 0.001 } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await post('/settle', { batch: '0x01' + '11'.repeat(20) }, limited)).status);
      expect(statuses).toEqual([400, 400, 400, 429]);
    } finally {
      await limited.close();
    }
  });

  it('reports its account’s balance, its queue and its outcomes on /metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/porchlight_relayer_balance_eth \d+(\.\d+)?/);
    expect(text).toMatch(/porchlight_relayer_queue_depth 0/);
    expect(text).toMatch(/porchlight_relayer_requests_total\{kind="settle",outcome="confirmed"\} \d+/);
    expect(text).toMatch(/porchlight_relayer_requests_total\{kind="settle",outcome="nothing-to-settle"\} \d+/);
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', relayer: relayerAddress, chainId: '31337', queued: 0 });
  });

  it('killed after sending and before reporting: the transaction still lands, a retry is refused, the channel is paid once', async () => {
    const doomed = await startRelayer({ maxQueue: 1 });
    const exit = gaslessExit();
    const id = channel();
    const held = await f.receipt(client(), exit, id, 30n);
    const before = await f.c.credits.balanceOf(client().address);
    await f.provider.send('evm_setAutomine', [false]);
    try {
      const pending = post('/settle', batchOf(exit, [held]), doomed).catch((error: unknown) => error);
      await waitFor(async () => (await f.provider.send('eth_getBlockByNumber', ['pending', false])).transactions.length === 1);
      // The queue holds one: another request is turned away until it drains.
      expect((await post('/settle', batchOf(exit, [await f.receipt(client(), exit, channel(), 1n)]), doomed)).body.error).toBe('queue-full');
      await doomed.close();
      expect(await pending).toBeInstanceOf(Error); // the donor never heard back
      await f.provider.send('evm_mine', []);
    } finally {
      await f.provider.send('evm_setAutomine', [true]);
    }
    // The donor retries through a fresh relayer.
    expect((await post('/settle', batchOf(exit, [held]))).body.error).toBe('nothing-to-settle');
    expect(await f.c.settlement.settled(id, client().address, exit)).toBe(30_000n);
    expect(await f.c.credits.balanceOf(client().address)).toBe(before - 30_000n);
  });
});

describe('relayer: claims', () => {
  it('mints a gasless donor’s reward to the leaf’s donor, once; a forged proof or a second claim sends nothing', async () => {
    // The donor stakes (its one transaction of its own) and serves one paid receipt in this epoch.
    const donor = new Wallet(Wallet.createRandom().privateKey, f.provider);
    const treasury = f.account(1);
    await (await treasury.sendTransaction({ to: donor.address, value: 10n ** 17n })).wait();
    await (await signedBy(f.c.token, treasury).transfer(donor.address, 1_000n * 10n ** 18n)).wait();
    await (await signedBy(f.c.token, donor).approve(await f.c.staking.getAddress(), 1_000n * 10n ** 18n)).wait();
    await (await signedBy(f.c.staking, donor).stake(1_000n * 10n ** 18n)).wait();
    expect((await post('/settle', batchOf(donor.address, [await f.receipt(client(), donor.address, channel(), 100n)]))).status).toBe(200);

    // The epoch ends; two of the three oracles sign its root.
    const epoch = await f.c.settlement.currentEpoch();
    await advance(f.provider, 86_400);
    await (await signedBy(f.c.priceFeed, f.account(0)).setAnswer(10_000_000n)).wait();
    await (await signedBy(f.c.rewards, f.account(0)).closeEpoch(epoch)).wait();
    const [stake] = await f.c.staking.stakeDetails(donor.address);
    const rewards = computeEpochRewards(await readRewardRules(f.c.rewards), await readEpochTerms(f.c.rewards, epoch), [
      { donor: donor.address, stakeWei: stake, usageMicroCredits: await f.c.settlement.usage(epoch, donor.address), challengesSent: 10, challengesAnswered: 10 },
    ]);
    const tree = rewardTree(rewards);
    const structHash = await f.c.rewards.rootStructHash(epoch, tree.root, rewards.total);
    const signatures = await quorumSignatures(f.c.quorum, structHash, [new Wallet(anvilKeys[2]!), new Wallet(anvilKeys[3]!)]);
    await (await signedBy(f.c.rewards, f.account(0)).postRoot(epoch, tree.root, rewards.total, signatures)).wait();
    const { amount, proof } = rewardProof(tree, donor.address);
    const claim = { epoch: epoch.toString(), donor: donor.address, amount: amount.toString(), proof };

    expect(await post('/claim', claim)).toMatchObject({ status: 422, body: { error: 'would-revert', reason: 'ClaimsNotOpen' } });
    await advance(f.provider, 2 * 86_400);
    const nonce = await relayerNonce();
    expect(await post('/claim', { ...claim, amount: (amount + 1n).toString() })).toMatchObject({ status: 422, body: { reason: 'InvalidProof' } });
    expect(await post('/claim', { ...claim, donor: relayerAddress })).toMatchObject({ status: 422, body: { reason: 'InvalidProof' } });
    expect(await relayerNonce()).toBe(nonce);

    const before = await f.c.token.balanceOf(donor.address);
    const reply = await post('/claim', claim);
    expect(reply).toMatchObject({ status: 200, body: { status: 'confirmed', donor: donor.address, amount: amount.toString() } });
    expect(await f.c.token.balanceOf(donor.address)).toBe(before + amount);
    expect(await post('/claim', claim)).toMatchObject({ status: 422, body: { reason: 'AlreadyClaimed' } });
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
