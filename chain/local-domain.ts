// The receipt domain of the local chain: where `npm start`'s deploy puts Settlement on anvil
// (chain id 31337), and what a default build of the extension signs for. wxt.config.ts computes the
// address from the deploy plan at every build; this copy is for code that cannot compile contracts
// (browser bundles of the test peers, unit tests), and chain/local-domain.test.ts fails the moment
// it differs from the plan. Browser-safe: imports nothing.
import type { ReceiptDomainConfig } from '../protocol/receipt.ts';

/** anvil's chain id. */
export const localChainId = 31337n;

/** chain/deploy-plan.ts's Settlement address for localDeployParameters(). */
export const localSettlementAddress = '0xe3b6C8EF716e8d90d330BAb63C9028BcA653a466';

/** The local chain's receipt domain. */
export const localReceiptDomain: ReceiptDomainConfig = { chainId: localChainId, verifyingContract: localSettlementAddress };
