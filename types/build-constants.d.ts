// Replaced at build time (wxt.config.ts `define`, or esbuild's in the test harness).

/** The signaling server a fresh install uses. */
declare const __PORCHLIGHT_SIGNALING_URL__: string;
/** Test builds: the one loopback origin the exit may fetch; '' in production builds. */
declare const __PORCHLIGHT_TEST_ORIGIN__: string;
/** Where receipts settle: the EIP-712 domain's chain id (decimal) and settlement contract address. */
declare const __PORCHLIGHT_SETTLEMENT__: { chainId: string; verifyingContract: string };
