// The donor's reader of a client's credits: the `Credits` contract's `clientStatus` view over JSON-RPC
// (contracts/Credits.sol), for client-credits.ts. Where this build settles on no chain, there is no
// reader and the credit check is off.
import { Contract, JsonRpcProvider, getAddress } from 'ethers';
import { makeClientCreditCheck, offCreditCheck, type ClientCreditCheck, type ClientCreditCheckOptions, type ClientCredits, type ReadCredits } from './client-credits.ts';

/** Where the donor reads credits: the deployment's RPC URL, chain id and `Credits` address. */
export interface ChainCreditsConfig {
  rpcUrl: string;
  chainId: bigint;
  /** The deployed `Credits` contract. */
  credits: string;
}

// Credits.clientStatus(client): its balance (micro-credits) and the Unix second before which none
// of it can leave except through settlement. (chain/contracts.ts will hold the full ABI.)
const creditsAbi = ['function clientStatus(address client) view returns (uint256 balance, uint256 lockedUntil)'];

/**
 * A reader of `Credits.clientStatus` on the chain `config` names.
 * @throws {TypeError} when the RPC URL is not http(s) or the address is not one.
 */
export function makeChainCreditsReader(config: ChainCreditsConfig): ReadCredits {
  const url = new URL(config.rpcUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`rpcUrl: expected http or https, got ${url.protocol}`);
  // staticNetwork: the chain id is configuration, not something to ask (and re-ask) the node.
  const provider = new JsonRpcProvider(config.rpcUrl, Number(config.chainId), { staticNetwork: true, batchMaxCount: 1 });
  const credits = new Contract(getAddress(config.credits), creditsAbi, provider);
  return async (client: string): Promise<ClientCredits> => {
    const [balance, lockedUntil] = (await credits.getFunction('clientStatus').staticCall(getAddress(client))) as [bigint, bigint];
    // A lock beyond any safe integer of seconds is as good as forever.
    return { balance, lockedUntil: lockedUntil > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(lockedUntil) };
  };
}

/** The donor's credit check for `config`: off (and saying so) where the build settles on no chain. */
export function chainCreditCheck(config: ChainCreditsConfig | undefined, options: Omit<ClientCreditCheckOptions, 'readCredits'> = {}): ClientCreditCheck {
  return config ? makeClientCreditCheck({ ...options, readCredits: makeChainCreditsReader(config) }) : offCreditCheck();
}
