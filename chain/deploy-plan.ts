// The deployment, computed offline: from the compiled artifacts and the parameters, every
// contract's CREATE2 address and init code, through the standard deterministic deployment proxy.
// Pure: nothing here talks to a chain, so the extension build, the services and the tests can know
// the addresses (the receipt domain's verifyingContract above all) before anything is deployed, and
// chain/deploy.ts executes exactly this plan.
//
// One entry per contract, in deployment order; an entry may name any earlier entry's address.
import { Interface, computeAddress, concat, getAddress, getCreate2Address, keccak256, toUtf8Bytes, type InterfaceAbi } from 'ethers';
import { anvilKeys } from './anvil.ts';
import { artifact, type Artifacts } from './compile.ts';

/** The deterministic deployment proxy (Arachnid's): CREATE2 with data = salt ‖ initCode. anvil carries it. */
export const deterministicDeployer = '0x4e59b44847b379578588920ca78fbf26c0b4956c';

/** What a deployment is made from, besides the code. */
export interface DeployParameters {
  /** May set the token's minter and Credits' settlement, once each; owns the settable price feed. */
  readonly admin: string;
  /** Receives stablecoin purchases and pays withdrawals; approves Credits for the stablecoin. */
  readonly treasury: string;
  /** Receives the token's genesis supply (and funds the buy-back reserve from it). */
  readonly genesisHolder: string;
  /** The oracles' addresses (k of n sign epochs and verdicts). */
  readonly oracles: readonly string[];
  /** k: how many oracles must sign. */
  readonly oracleThreshold: number;
  /** The settable feed's answer: USD per whole token × 10^8 (10_000_000n is $0.10). */
  readonly priceAnswer: bigint;
  /** Token the buy-back reserve (held by Credits) is topped up to, wei. */
  readonly reserveWei: bigint;
  /** Namespaces the CREATE2 salts: another namespace gives another set of addresses on the same chain. */
  readonly saltNamespace: string;
}

/** What an entry's constructor arguments may read. */
export interface PlanContext {
  readonly params: DeployParameters;
  /** The planned address of an earlier entry. @throws {Error} when none is named so. */
  address(name: string): string;
}

export interface PlanEntry {
  /** The contract's artifact name (and its key in the deployment file). */
  readonly name: string;
  /** Its constructor's arguments, in order. */
  args(context: PlanContext): readonly unknown[];
}

/** Every contract, in deployment order. */
export const planEntries: PlanEntry[] = [
  { name: 'PorchlightToken', args: ({ params }) => [params.genesisHolder, params.admin] },
  { name: 'SettablePriceFeed', args: ({ params }) => [params.admin] },
  { name: 'TestStablecoin', args: () => [] },
  {
    name: 'Credits',
    args: ({ params, address }) => [address('PorchlightToken'), address('TestStablecoin'), address('SettablePriceFeed'), params.treasury, params.admin],
  },
  { name: 'Settlement', args: ({ address }) => [address('Credits')] },
  { name: 'OracleQuorum', args: ({ params }) => [params.oracles, params.oracleThreshold] },
  { name: 'Staking', args: ({ address }) => [address('PorchlightToken'), address('OracleQuorum')] },
  {
    name: 'Rewards',
    args: ({ address }) => [address('PorchlightToken'), address('Settlement'), address('Staking'), address('OracleQuorum'), address('SettablePriceFeed')],
  },
];

export interface PlannedContract {
  readonly name: string;
  readonly address: string;
  /** 0x-hex, 32 bytes. */
  readonly salt: string;
  /** Creation code ‖ ABI-encoded constructor arguments. */
  readonly initCode: string;
  /** Length of the runtime code the address will hold, bytes (immutables change its bytes, not its length). */
  readonly runtimeBytes: number;
  readonly abi: InterfaceAbi;
}

export interface DeployPlan {
  readonly params: DeployParameters;
  readonly contracts: readonly PlannedContract[];
}

/** The CREATE2 salt of a contract: keccak256 of "<namespace>/<name>". */
export function saltFor(namespace: string, name: string): string {
  return keccak256(toUtf8Bytes(`${namespace}/${name}`));
}

/**
 * Every contract's address and init code.
 * @throws {Error} when an entry names a contract with no artifact or a later entry's address.
 */
export function makeDeployPlan(artifacts: Artifacts, params: DeployParameters, entries: readonly PlanEntry[] = planEntries): DeployPlan {
  const planned: PlannedContract[] = [];
  const context: PlanContext = {
    params,
    address(name) {
      const found = planned.find((c) => c.name === name);
      if (!found) throw new Error(`deploy plan: ${name} is not planned before the entry that needs it`);
      return found.address;
    },
  };
  for (const entry of entries) {
    if (planned.some((c) => c.name === entry.name)) throw new Error(`deploy plan: ${entry.name} appears twice`);
    const compiled = artifact(artifacts, entry.name);
    const abi = compiled.abi as InterfaceAbi;
    const encodedArgs = new Interface(abi).encodeDeploy([...entry.args(context)]);
    const initCode = concat([compiled.bytecode, encodedArgs]);
    const salt = saltFor(params.saltNamespace, entry.name);
    const address = getCreate2Address(deterministicDeployer, salt, keccak256(initCode));
    planned.push({ name: entry.name, address, salt, initCode, runtimeBytes: (compiled.deployedBytecode.length - 2) / 2, abi });
  }
  return { params, contracts: planned };
}

/** The planned address of `name`. @throws {Error} when the plan has no such contract. */
export function plannedAddress(plan: DeployPlan, name: string): string {
  const found = plan.contracts.find((c) => c.name === name);
  if (!found) throw new Error(`deploy plan: no contract named ${name}`);
  return getAddress(found.address);
}

/** The proxy's calldata for one contract: salt ‖ initCode. */
export function deployerCalldata(contract: PlannedContract): string {
  return concat([contract.salt, contract.initCode]);
}

/** The local chain's accounts (anvil's, by index): who is who in a local deployment. */
export const localAccounts = { admin: 0, treasury: 1, oracles: [2, 3, 4], relayer: 8 } as const;

/** The local chain's parameters: anvil's accounts as localAccounts says, $0.10 per token, a 10,000,000 PLT reserve. */
export function localDeployParameters(): DeployParameters {
  const account = (index: number): string => computeAddress(anvilKeys[index]!); // indices below 10
  return {
    admin: account(localAccounts.admin),
    treasury: account(localAccounts.treasury),
    genesisHolder: account(localAccounts.treasury),
    oracles: localAccounts.oracles.map(account),
    oracleThreshold: 2,
    priceAnswer: 10_000_000n,
    reserveWei: 10_000_000n * 10n ** 18n,
    saltNamespace: 'porchlight/v1',
  };
}
