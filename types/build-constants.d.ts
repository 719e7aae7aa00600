// Replaced at build time (wxt.config.ts `define`, or esbuild's in the test harness).

/** The signaling server a fresh install uses. */
declare const __PORCHLIGHT_SIGNALING_URL__: string;
/** Test builds: the test site's loopback origin, where the test and partner bridges run (the first of `__PORCHLIGHT_TEST_ORIGINS__`); '' in production builds. */
declare const __PORCHLIGHT_TEST_ORIGIN__: string;
/** Test builds: the few loopback origins the exit may fetch (wxt.config.ts, `WXT_TEST_ORIGINS`); empty in production builds. */
declare const __PORCHLIGHT_TEST_ORIGINS__: readonly string[];
/** Where receipts settle: the EIP-712 domain's chain id (decimal) and settlement contract address. */
declare const __PORCHLIGHT_SETTLEMENT__: { chainId: string; verifyingContract: string };
