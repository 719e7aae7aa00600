// The receipt domain of the local chain, computed offline from the deploy plan: where `npm start`'s
// deploy puts Settlement on anvil (chain id 31337), and what a default build of the extension signs
// for (wxt.config.ts computes it the same way). For tests and tools that sign or check receipts
// without reading a deployment file.
import type { ReceiptDomainConfig } from '../protocol/receipt.ts';
import { localChainId } from './anvil.ts';
import { compileContracts } from './compile.ts';
import { localDeployParameters, makeDeployPlan, plannedAddress } from './deploy-plan.ts';

/** The planned local Settlement address. */
export function localSettlementAddress(): string {
  return plannedAddress(makeDeployPlan(compileContracts(), localDeployParameters()), 'Settlement');
}

/** The local chain's receipt domain. */
export const localReceiptDomain: ReceiptDomainConfig = { chainId: localChainId, verifyingContract: localSettlementAddress() };
