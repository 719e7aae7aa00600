// Executes the deploy plan (chain/deploy-plan.ts) against a chain: each contract through the
// deterministic deployment proxy unless its planned address already holds code (a CREATE2 address
// commits to its init code, so code there is the planned code), then the one-time wiring, then
// deployments/<network>.json. Running it again changes nothing but what has drifted (the
// reserve below its target, the feed's price going stale).
//
//   npx tsx chain/deploy.ts --rpc http://127.0.0.1:8545 [--network local]
//
// On the local chain (chain id 31337) the admin, treasury and oracles are anvil's accounts, as
// localAccounts in deploy-plan.ts says, and the file records which.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonRpcProvider, MaxUint256, Wallet, getAddress, type ContractTransactionResponse, type Provider, type Signer } from 'ethers';
import { localChainId, anvilKeys } from './anvil.ts';
import { compileContracts, type Artifacts } from './compile.ts';
import { contractAt, type CreditsMethods, type Handle, type PorchlightTokenMethods, type SettablePriceFeedMethods, type TestStablecoinMethods } from './contracts.ts';
import { deployerCalldata, deterministicDeployer, localAccounts, localDeployParameters, makeDeployPlan, plannedAddress, type DeployParameters, type DeployPlan } from './deploy-plan.ts';
import { deploymentPath, deploymentsDir, parseDeployment, type Deployment } from './deployment.ts';

/** Parameters.PRICE_MAX_AGE_SECONDS: the feed is refreshed once half of it has passed. */
const priceMaxAgeSeconds = 3600n;

/** What a wiring step may use. */
export interface WiringContext {
  readonly plan: DeployPlan;
  readonly artifacts: Artifacts;
  readonly provider: Provider;
  readonly admin: Signer;
  readonly treasury: Signer;
  /** A handle on a planned contract, calling as `signer`. */
  handle<M>(name: string, signer: Signer): Handle<M>;
}

/** One piece of wiring after deployment: run only when `needed`, so deploying again is harmless. */
export interface WiringStep {
  readonly name: string;
  needed(context: WiringContext): Promise<boolean>;
  run(context: WiringContext): Promise<ContractTransactionResponse>;
}

const zeroAddress = '0x0000000000000000000000000000000000000000';

/** The wiring, in order. */
export const wiringSteps: WiringStep[] = [
  {
    name: 'Credits.setSettlement(Settlement)',
    needed: async (c) => (await c.handle<CreditsMethods>('Credits', c.admin).settlement()) === zeroAddress,
    run: (c) => c.handle<CreditsMethods>('Credits', c.admin).setSettlement(plannedAddress(c.plan, 'Settlement')),
  },
  {
    // The token's only minter is Rewards.
    name: 'PorchlightToken.setMinter(Rewards)',
    needed: async (c) => (await c.handle<PorchlightTokenMethods>('PorchlightToken', c.admin).minter()) === zeroAddress,
    run: (c) => c.handle<PorchlightTokenMethods>('PorchlightToken', c.admin).setMinter(plannedAddress(c.plan, 'Rewards')),
  },
  {
    name: 'buy-back reserve: token from the genesis holder to Credits, up to reserveWei',
    needed: async (c) => (await c.handle<PorchlightTokenMethods>('PorchlightToken', c.treasury).balanceOf(plannedAddress(c.plan, 'Credits'))) < c.plan.params.reserveWei,
    run: async (c) => {
      const token = c.handle<PorchlightTokenMethods>('PorchlightToken', c.treasury);
      const credits = plannedAddress(c.plan, 'Credits');
      return token.transfer(credits, c.plan.params.reserveWei - (await token.balanceOf(credits)));
    },
  },
  {
    name: 'treasury approves Credits for stablecoin withdrawals',
    needed: async (c) => (await c.handle<TestStablecoinMethods>('TestStablecoin', c.treasury).allowance(await c.treasury.getAddress(), plannedAddress(c.plan, 'Credits'))) < MaxUint256 / 2n,
    run: (c) => c.handle<TestStablecoinMethods>('TestStablecoin', c.treasury).approve(plannedAddress(c.plan, 'Credits'), MaxUint256),
  },
  {
    name: 'price feed answer (set, or refreshed before it goes stale)',
    needed: async (c) => {
      const [, answer, , updatedAt] = await c.handle<SettablePriceFeedMethods>('SettablePriceFeed', c.admin).latestRoundData();
      const block = await c.provider.getBlock('latest');
      const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
      return answer !== c.plan.params.priceAnswer || updatedAt + priceMaxAgeSeconds / 2n < now;
    },
    run: (c) => c.handle<SettablePriceFeedMethods>('SettablePriceFeed', c.admin).setAnswer(c.plan.params.priceAnswer),
  },
];

export interface DeployOptions {
  readonly rpcUrl: string;
  /** The deployment file's name: deployments/<network>.json. Default "local". */
  readonly network?: string;
  /** Sends the deployments and the admin's wiring. */
  readonly admin: Signer;
  /** Sends the treasury's wiring (reserve funding, approval). */
  readonly treasury: Signer;
  readonly params: DeployParameters;
  /** Where deployment files go (default deployments/ at the repository root). */
  readonly outDir?: string;
  readonly artifacts?: Artifacts;
  /** Records which anvil account each role is (local chain). */
  readonly localAccounts?: Deployment['localAccounts'];
  readonly log?: (line: string) => void;
}

export interface DeployResult {
  readonly deployment: Deployment;
  readonly plan: DeployPlan;
  readonly file: string;
  /** Contracts deployed by this run (the others were already there). */
  readonly deployed: readonly string[];
  /** Wiring steps this run sent. */
  readonly wired: readonly string[];
}

/**
 * Deploys what is missing, wires what is not wired, writes the deployment file.
 * @throws {Error} when the chain has no deterministic deployment proxy, or an address holds code of another length than planned.
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const log = options.log ?? (() => {});
  const network = options.network ?? 'local';
  const artifacts = options.artifacts ?? compileContracts();
  const plan = makeDeployPlan(artifacts, options.params);
  const provider = options.admin.provider;
  if (!provider) throw new Error('deploy: the admin signer needs a provider');
  if ((await provider.getCode(deterministicDeployer)) === '0x') {
    throw new Error(`deploy: no deterministic deployment proxy at ${deterministicDeployer} on ${options.rpcUrl}; deploy it first (see github.com/Arachnid/deterministic-deployment-proxy)`);
  }
  const deployed: string[] = [];
  for (const contract of plan.contracts) {
    let code = await provider.getCode(contract.address);
    if (code === '0x') {
      const tx = await options.admin.sendTransaction({ to: deterministicDeployer, data: deployerCalldata(contract) });
      await tx.wait();
      code = await provider.getCode(contract.address);
      if (code === '0x') throw new Error(`deploy: ${contract.name} did not deploy at ${contract.address} (transaction ${tx.hash})`);
      deployed.push(contract.name);
      log(`deployed ${contract.name} at ${contract.address}`);
    } else {
      log(`${contract.name} already at ${contract.address}`);
    }
    if ((code.length - 2) / 2 !== contract.runtimeBytes) throw new Error(`deploy: ${contract.address} holds ${(code.length - 2) / 2} bytes, ${contract.name} is ${contract.runtimeBytes}`);
  }
  const context: WiringContext = {
    plan,
    artifacts,
    provider,
    admin: options.admin,
    treasury: options.treasury,
    handle: (name, signer) => contractAt(artifacts, name, plannedAddress(plan, name), signer),
  };
  const wired: string[] = [];
  for (const step of wiringSteps) {
    if (!(await step.needed(context))) continue;
    await (await step.run(context)).wait();
    wired.push(step.name);
    log(`wired: ${step.name}`);
  }
  const { chainId } = await provider.getNetwork();
  const deployment = parseDeployment({
    network,
    chainId: chainId.toString(),
    rpcUrl: options.rpcUrl,
    contracts: Object.fromEntries(plan.contracts.map((c) => [c.name, getAddress(c.address)])),
    admin: getAddress(options.params.admin),
    treasury: getAddress(options.params.treasury),
    oracles: options.params.oracles.map((o) => getAddress(o)),
    oracleThreshold: options.params.oracleThreshold,
    ...(options.localAccounts ? { localAccounts: options.localAccounts } : {}),
  });
  const file = deploymentPath(network, options.outDir ?? deploymentsDir);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(deployment, null, 2) + '\n');
  log(`wrote ${file}`);
  return { deployment, plan, file, deployed, wired };
}

/**
 * Deploys to the local chain at `rpcUrl` with anvil's accounts (localAccounts).
 * @throws {Error} as deploy does.
 */
export async function deployLocal(rpcUrl: string, options: Pick<DeployOptions, 'network' | 'outDir' | 'artifacts' | 'log'> = {}): Promise<DeployResult> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const admin = new Wallet(anvilKeys[localAccounts.admin], provider);
  const treasury = new Wallet(anvilKeys[localAccounts.treasury], provider);
  try {
    return await deploy({ rpcUrl, admin, treasury, params: localDeployParameters(), localAccounts: { ...localAccounts, oracles: [...localAccounts.oracles] }, ...options });
  } finally {
    provider.destroy();
  }
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rpcUrl = argument('--rpc');
  const network = argument('--network') ?? 'local';
  if (!rpcUrl) {
    console.error('usage: npx tsx chain/deploy.ts --rpc URL [--network NAME]');
    process.exit(2);
  }
  const probe = new JsonRpcProvider(rpcUrl);
  const chainId = (await probe.getNetwork()).chainId;
  probe.destroy();
  if (chainId !== localChainId) {
    console.error(`chain ${chainId} is not the local chain (${localChainId}): only local deployments (anvil's accounts, the test dollar, the settable feed) are supported by this command yet`);
    process.exit(2);
  }
  const result = await deployLocal(rpcUrl, { network, log: (line) => console.log(line) });
  console.log(`${result.deployed.length} deployed, ${result.wired.length} wiring steps sent; receipts settle at ${result.deployment.contracts.Settlement} on chain ${result.deployment.chainId}`);
}
