// The settlement domain this build signs and verifies receipts for, fixed at build time
// (wxt.config.ts: WXT_CHAIN_ID, WXT_SETTLEMENT_CONTRACT); never taken from a peer.
import type { ReceiptDomainConfig } from '../../protocol/receipt.ts';

/** The receipt domain of this build. */
export function buildReceiptDomain(): ReceiptDomainConfig {
  return { chainId: BigInt(__PORCHLIGHT_SETTLEMENT__.chainId), verifyingContract: __PORCHLIGHT_SETTLEMENT__.verifyingContract };
}
