// Typed ethers handles on the deployed contracts, built from the compiled artifacts' ABIs. The
// method types below are hand-written from the Solidity (the ABI is the source of truth at run
// time: a name that is not in it fails on first call); views return values, state changes a
// transaction response. For anything else, `handle.getFunction(name)`.
import { BaseContract, Contract, type ContractRunner, type ContractTransactionResponse, type InterfaceAbi, type Overrides } from 'ethers';
import { artifact, compileContracts, type Artifacts } from './compile.ts';
import type { Deployment } from './deployment.ts';

type Tx = Promise<ContractTransactionResponse>;

export interface ERC20Methods {
  name(): Promise<string>;
  symbol(): Promise<string>;
  decimals(): Promise<bigint>;
  totalSupply(): Promise<bigint>;
  balanceOf(account: string): Promise<bigint>;
  allowance(owner: string, spender: string): Promise<bigint>;
  nonces(owner: string): Promise<bigint>;
  transfer(to: string, amount: bigint, overrides?: Overrides): Tx;
  approve(spender: string, amount: bigint, overrides?: Overrides): Tx;
  transferFrom(from: string, to: string, amount: bigint, overrides?: Overrides): Tx;
  permit(owner: string, spender: string, value: bigint, deadline: bigint, v: number, r: string, s: string, overrides?: Overrides): Tx;
}

export interface PorchlightTokenMethods extends ERC20Methods {
  cap(): Promise<bigint>;
  admin(): Promise<string>;
  minter(): Promise<string>;
  setMinter(minter: string, overrides?: Overrides): Tx;
  mint(to: string, amountWei: bigint, overrides?: Overrides): Tx;
  burn(amountWei: bigint, overrides?: Overrides): Tx;
  burnFrom(account: string, amountWei: bigint, overrides?: Overrides): Tx;
}

export interface SettablePriceFeedMethods {
  decimals(): Promise<bigint>;
  description(): Promise<string>;
  owner(): Promise<string>;
  latestRoundData(): Promise<[roundId: bigint, answer: bigint, startedAt: bigint, updatedAt: bigint, answeredInRound: bigint]>;
  setAnswer(answer: bigint, overrides?: Overrides): Tx;
}

export interface TestStablecoinMethods extends ERC20Methods {
  faucet(to: string, amount: bigint, overrides?: Overrides): Tx;
}

export interface CreditsMethods {
  token(): Promise<string>;
  stablecoin(): Promise<string>;
  priceFeed(): Promise<string>;
  treasury(): Promise<string>;
  admin(): Promise<string>;
  settlement(): Promise<string>;
  balanceOf(client: string): Promise<bigint>;
  totalSupply(): Promise<bigint>;
  withdrawals(client: string): Promise<[amount: bigint, unlockAt: bigint]>;
  clientStatus(client: string): Promise<[balance: bigint, lockedUntil: bigint]>;
  quoteTokenWei(microCredits: bigint): Promise<bigint>;
  setSettlement(settlement: string, overrides?: Overrides): Tx;
  buyWithToken(beneficiary: string, microCredits: bigint, maxTokenWei: bigint, overrides?: Overrides): Tx;
  buyWithTokenPermit(beneficiary: string, microCredits: bigint, maxTokenWei: bigint, deadline: bigint, v: number, r: string, s: string, overrides?: Overrides): Tx;
  buyWithStable(beneficiary: string, microCredits: bigint, overrides?: Overrides): Tx;
  buyWithStablePermit(beneficiary: string, microCredits: bigint, deadline: bigint, v: number, r: string, s: string, overrides?: Overrides): Tx;
  requestWithdrawal(microCredits: bigint, overrides?: Overrides): Tx;
  cancelWithdrawal(overrides?: Overrides): Tx;
  withdraw(overrides?: Overrides): Tx;
}

export interface SettlementMethods {
  credits(): Promise<string>;
  genesisTime(): Promise<bigint>;
  RECEIPT_TYPEHASH(): Promise<string>;
  domainSeparator(): Promise<string>;
  epochOf(time: bigint): Promise<bigint>;
  currentEpoch(): Promise<bigint>;
  channelKey(channelId: string, client: string, exit: string): Promise<string>;
  settled(channelId: string, client: string, exit: string): Promise<bigint>;
  usage(epoch: bigint, exit: string): Promise<bigint>;
  totalUsage(epoch: bigint): Promise<bigint>;
  /** `batch`: protocol/settlement-batch.ts encodeSettlementBatch. */
  settle(batch: string, overrides?: Overrides): Tx;
}

export interface OracleQuorumMethods {
  threshold(): Promise<bigint>;
  isMember(account: string): Promise<boolean>;
  digestOf(structHash: string): Promise<string>;
}

export interface StakingMethods {
  isEligible(donor: string): Promise<boolean>;
  stakeDetails(donor: string): Promise<[active: bigint, unbonding: bigint, releaseTime: bigint]>;
  stake(amountWei: bigint, overrides?: Overrides): Tx;
  stakeFor(donor: string, amountWei: bigint, overrides?: Overrides): Tx;
  requestUnbond(amountWei: bigint, overrides?: Overrides): Tx;
  withdraw(overrides?: Overrides): Tx;
}

export interface RewardsEpochState {
  closed: boolean;
  price: bigint;
  priceDecimals: bigint;
  totalUsage: bigint;
  availabilityPool: bigint;
  usagePool: bigint;
  usageBudget: bigint;
  root: string;
  total: bigint;
  claimed: bigint;
  postedAt: bigint;
}

export interface RewardsMethods {
  currentEpoch(): Promise<bigint>;
  committed(): Promise<bigint>;
  minted(): Promise<bigint>;
  hasClaimed(epoch: bigint, donor: string): Promise<boolean>;
  epochState(epoch: bigint): Promise<RewardsEpochState>;
  rootStructHash(epoch: bigint, root: string, total: bigint): Promise<string>;
  closeEpoch(epoch: bigint, overrides?: Overrides): Tx;
  postRoot(epoch: bigint, root: string, total: bigint, signatures: readonly string[], overrides?: Overrides): Tx;
  claim(epoch: bigint, donor: string, amountWei: bigint, proof: readonly string[], overrides?: Overrides): Tx;
}

export type Handle<M> = BaseContract & M;

export interface CoreContracts {
  token: Handle<PorchlightTokenMethods>;
  priceFeed: Handle<SettablePriceFeedMethods>;
  stablecoin: Handle<TestStablecoinMethods>;
  credits: Handle<CreditsMethods>;
  settlement: Handle<SettlementMethods>;
  quorum: Handle<OracleQuorumMethods>;
  staking: Handle<StakingMethods>;
  rewards: Handle<RewardsMethods>;
}

/** A handle on `name` (an artifact) at `address`. @throws {Error} when no artifact has that name. */
export function contractAt<M>(artifacts: Artifacts, name: string, address: string, runner: ContractRunner | null): Handle<M> {
  return new Contract(address, artifact(artifacts, name).abi as InterfaceAbi, runner) as unknown as Handle<M>;
}

/** Handles on a deployment's core contracts, calling through `runner` (a signer sends, a provider reads). */
export function coreContracts(deployment: Deployment, runner: ContractRunner | null, artifacts: Artifacts = compileContracts()): CoreContracts {
  const { contracts } = deployment;
  return {
    token: contractAt(artifacts, 'PorchlightToken', contracts.PorchlightToken, runner),
    priceFeed: contractAt(artifacts, 'SettablePriceFeed', contracts.SettablePriceFeed, runner),
    stablecoin: contractAt(artifacts, 'TestStablecoin', contracts.TestStablecoin, runner),
    credits: contractAt(artifacts, 'Credits', contracts.Credits, runner),
    settlement: contractAt(artifacts, 'Settlement', contracts.Settlement, runner),
    quorum: contractAt(artifacts, 'OracleQuorum', contracts.OracleQuorum, runner),
    staking: contractAt(artifacts, 'Staking', contracts.Staking, runner),
    rewards: contractAt(artifacts, 'Rewards', contracts.Rewards, runner),
  };
}

/** `handle` calling through `runner` instead (ethers' connect, keeping the method types). */
export function connectHandle<M>(handle: Handle<M>, runner: ContractRunner): Handle<M> {
  return handle.connect(runner) as Handle<M>;
}
