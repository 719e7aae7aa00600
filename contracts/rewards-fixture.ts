// Test and bench support: the token, a settable price, the oracle quorum, staking and rewards on a
// fresh anvil, deployed with ethers from chain/compile.ts's artifacts, and helpers for what the
// oracles sign. Usage comes from Settlement in the real deployment; here `MockEpochUsage`
// (contracts/test/) stands in, so a test can set an epoch's usage directly.
import { BaseContract, Contract, ContractFactory, Interface, JsonRpcProvider, SigningKey, Wallet, type InterfaceAbi } from 'ethers';
import { anvilKeys, startAnvil, type Anvil } from '../chain/anvil.ts';
import { artifact, compileContracts, type Artifacts } from '../chain/compile.ts';

export const token = 10n ** 18n;
export const epochSeconds = 86_400;
/** 0.10 USD per token, 8 decimals. */
export const defaultPrice = 10_000_000n;

export interface RewardsFixture {
  anvil: Anvil;
  provider: JsonRpcProvider;
  artifacts: Artifacts;
  admin: Wallet;
  adminAddress: string;
  oracles: Wallet[];
  token: Contract;
  feed: Contract;
  quorum: Contract;
  staking: Contract;
  usage: Contract;
  rewards: Contract;
  /** Every ABI above, for decoding a custom error wherever it was raised. */
  errors: Interface[];
  close(): Promise<void>;
}

async function deploy(artifacts: Artifacts, name: string, signer: Wallet, ...args: unknown[]): Promise<Contract> {
  const a = artifact(artifacts, name);
  const contract = await new ContractFactory(a.abi as InterfaceAbi, a.bytecode, signer).deploy(...args);
  await contract.waitForDeployment();
  return contract as Contract;
}

/** A connected wallet for anvil account `index` (nonces read fresh from the chain: the provider caches nothing). */
export function account(f: Pick<RewardsFixture, 'provider'>, index: number): Wallet {
  return new Wallet(anvilKeys[index]!, f.provider); // indices below 10
}

/** Starts anvil and deploys: quorum of anvil accounts 2, 3, 4 (threshold 2), genesis to the admin (account 0). */
export async function deployRewardsFixture(options: { oracleCount?: number; threshold?: number } = {}): Promise<RewardsFixture> {
  const artifacts = compileContracts();
  const anvil = await startAnvil();
  const provider = new JsonRpcProvider(anvil.url, undefined, { pollingInterval: 20, cacheTimeout: -1, staticNetwork: true });
  const admin = new Wallet(anvilKeys[0], provider);
  const adminAddress = await admin.getAddress();
  const oracles = anvilKeys.slice(2, 2 + (options.oracleCount ?? 3)).map((key) => new Wallet(key));
  const tokenC = await deploy(artifacts, 'PorchlightToken', admin, adminAddress, adminAddress);
  const feed = await deploy(artifacts, 'SettablePriceFeed', admin, adminAddress);
  await (await feed.getFunction('setAnswer')(defaultPrice)).wait();
  const quorum = await deploy(artifacts, 'OracleQuorum', admin, oracles.map((o) => o.address), options.threshold ?? 2);
  const staking = await deploy(artifacts, 'Staking', admin, await tokenC.getAddress(), await quorum.getAddress());
  const block = await provider.getBlock('latest');
  const usage = await deploy(artifacts, 'MockEpochUsage', admin, block!.timestamp); // latest always exists
  const rewards = await deploy(artifacts, 'Rewards', admin, await tokenC.getAddress(), await usage.getAddress(), await staking.getAddress(), await quorum.getAddress(), await feed.getAddress());
  await (await tokenC.getFunction('setMinter')(await rewards.getAddress())).wait();
  const errors = ['PorchlightToken', 'SettablePriceFeed', 'OracleQuorum', 'Staking', 'Rewards'].map((n) => new Interface(artifact(artifacts, n).abi as InterfaceAbi));
  return {
    anvil, provider, artifacts, admin, adminAddress, oracles, token: tokenC, feed, quorum, staking, usage, rewards, errors,
    async close() {
      provider.destroy();
      await anvil.stop();
    },
  };
}

/** Signatures of `signers` over the quorum's digest of `structHash`, sorted by signer as OracleQuorum.verify wants. */
export async function quorumSignatures(quorum: BaseContract, structHash: string, signers: readonly Wallet[]): Promise<string[]> {
  const digest = (await quorum.getFunction('digestOf')(structHash)) as string;
  return [...signers]
    .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1))
    .map((w) => new SigningKey(w.privateKey).sign(digest).serialized);
}

/** The custom error's name a failed call or transaction carries, decoded against every ABI of the fixture. */
export async function revertName(f: Pick<RewardsFixture, 'errors'>, action: Promise<unknown>): Promise<string> {
  try {
    await action;
  } catch (error) {
    const e = error as { data?: string; info?: { error?: { data?: string } }; revert?: { name?: string } };
    if (e.revert?.name) return e.revert.name;
    const data = e.data ?? e.info?.error?.data;
    if (typeof data === 'string') {
      for (const iface of f.errors) {
        const parsed = iface.parseError(data);
        if (parsed) return parsed.name;
      }
      return `unknown error ${data.slice(0, 10)}`;
    }
    throw error;
  }
  throw new Error('expected a revert, but it succeeded');
}

/** Moves the chain's clock forward `seconds` and mines a block. */
export async function advance(provider: JsonRpcProvider, seconds: number): Promise<void> {
  await provider.send('evm_increaseTime', [seconds]);
  await provider.send('evm_mine', []);
}

/** Moves time forward and refreshes the price so it is not stale afterwards. */
export async function advanceWithFreshPrice(f: Pick<RewardsFixture, 'provider' | 'feed'>, seconds: number, price = defaultPrice): Promise<void> {
  await advance(f.provider, seconds);
  await (await f.feed.getFunction('setAnswer')(price)).wait();
}

/** Gives `to` `amount` wei of token from the genesis holder (the admin) and stakes it from `to`. */
export async function fundAndStake(f: RewardsFixture, to: Wallet, amount: bigint): Promise<void> {
  const address = await to.getAddress();
  await (await f.token.connect(f.admin).getFunction('transfer')(address, amount)).wait();
  await (await f.token.connect(to).getFunction('approve')(await f.staking.getAddress(), amount)).wait();
  await (await f.staking.connect(to).getFunction('stake')(amount)).wait();
}
