// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Parameters
/// @notice Every protocol parameter, in one place, with its unit in its name. docs/economics.md gives
///         each one's default and why. Contracts read these as compile-time constants.
library Parameters {
    // ---- Units --------------------------------------------------------------------------------

    /// @notice Micro-credits in one credit (one credit = one US dollar), as protocol/receipt.ts counts them.
    uint256 internal constant MICRO_CREDITS_PER_CREDIT = 1e6;
    /// @notice Bytes in a MiB: a receipt's price is micro-credits per MiB.
    uint256 internal constant BYTES_PER_MIB = 1 << 20;
    /// @notice Basis points in one whole (100%).
    uint256 internal constant BPS_DENOMINATOR = 10_000;

    // ---- Token --------------------------------------------------------------------------------

    /// @notice Decimals of the token (PLT): amounts are in wei, 10^18 per token.
    uint8 internal constant TOKEN_DECIMALS = 18;
    /// @notice Hard cap on the token's total supply, wei (1,000,000,000 PLT): no mint can pass it.
    uint256 internal constant TOKEN_CAP_WEI = 1_000_000_000e18;
    /// @notice Supply minted to the genesis holder at deployment, wei (200,000,000 PLT); the rest is
    ///         left for Rewards' emission, which stays under TOKEN_CAP_WEI.
    uint256 internal constant GENESIS_SUPPLY_WEI = 200_000_000e18;

    // ---- Price feed ---------------------------------------------------------------------------

    /// @notice Decimals of the USD-per-token price the feed reports (Chainlink's USD feeds use 8).
    uint8 internal constant PRICE_FEED_DECIMALS = 8;
    /// @notice A price older than this, seconds, is stale and every purchase that needs it reverts.
    uint256 internal constant PRICE_MAX_AGE_SECONDS = 3600;

    // ---- Stablecoin (local chain) -------------------------------------------------------------

    /// @notice Decimals of the stablecoin: one unit is one micro-dollar, the same as one micro-credit.
    uint8 internal constant STABLECOIN_DECIMALS = 6;
    /// @notice Most a single TestStablecoin faucet call hands out, micro-dollars (1,000 USD).
    uint256 internal constant FAUCET_MAX_PER_CALL_MICRO_USD = 1_000e6;

    // ---- Credits and settlement ---------------------------------------------------------------

    /// @notice The longest a donor may take to settle a receipt it holds, seconds (7 days);
    ///         protocol/receipt.ts settlementLagSeconds.
    uint256 internal constant SETTLEMENT_LAG_SECONDS = 7 days;
    /// @notice Delay between a client's withdrawal request and the payout, seconds (8 days): longer
    ///         than SETTLEMENT_LAG_SECONDS, so a donor always has time to settle what it served.
    uint256 internal constant THAW_SECONDS = 8 days;
    /// @notice Length of a reward epoch, seconds (1 day), counted from Settlement.genesisTime().
    uint256 internal constant EPOCH_SECONDS = 1 days;
    /// @notice Share of settled usage the protocol keeps instead of minting it back to the donor,
    ///         basis points (10%): self-dealing returns (1 - take) of what it burned.
    uint256 internal constant PROTOCOL_TAKE_BPS = 1000;
    /// @notice Most receipts one settlement batch may carry (a bound on a batch's gas).
    uint256 internal constant MAX_RECEIPTS_PER_BATCH = 500;
}
