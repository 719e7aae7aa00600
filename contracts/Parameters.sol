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

    // ---- Oracles, staking and rewards (OracleQuorum, Staking, Rewards, EmissionSchedule) ---------

    /// @notice Oracles the local deployment starts with; the quorum's members are fixed at deploy.
    uint256 internal constant DEFAULT_ORACLE_COUNT = 3;
    /// @notice Signatures a quorum verdict needs by default (2 of 3): more than half, so a minority cannot act.
    uint256 internal constant DEFAULT_ORACLE_THRESHOLD = 2;
    /// @notice Active stake a donor needs to be eligible for rewards, wei (1,000 PLT).
    uint256 internal constant MIN_STAKE_WEI = 1_000e18;
    /// @notice Time after an epoch's root is posted before its claims open, seconds (2 days): the
    ///         window in which the oracles can slash a donor the root wrongly paid.
    uint256 internal constant REWARD_CHALLENGE_WINDOW_SECONDS = 2 days;
    /// @notice Delay between a donor's unbond request and its withdrawal, seconds (14 days): longer
    ///         than an epoch, the oracles' posting and REWARD_CHALLENGE_WINDOW_SECONDS together, so
    ///         stake that earned a reward is still there to slash.
    uint256 internal constant UNBONDING_SECONDS = 14 days;
    /// @notice Most Rewards may ever mint, wei: what the cap leaves after genesis (800,000,000 PLT).
    uint256 internal constant EMISSION_CAP_WEI = TOKEN_CAP_WEI - GENESIS_SUPPLY_WEI;
    /// @notice Epochs between halvings of the per-epoch emission (730: two years of daily epochs).
    uint256 internal constant EMISSION_HALVING_EPOCHS = 730;
    /// @notice Epoch 0's emission, wei: EMISSION_CAP_WEI / (2 × EMISSION_HALVING_EPOCHS), so the
    ///         sum over every halving era stays below EMISSION_CAP_WEI (about 547,945 PLT a day).
    uint256 internal constant INITIAL_EPOCH_EMISSION_WEI = EMISSION_CAP_WEI / (2 * EMISSION_HALVING_EPOCHS);
    /// @notice Availability's share of epoch 0's emission, basis points (80%); the rest is the usage pool.
    uint256 internal constant AVAILABILITY_INITIAL_SHARE_BPS = 8000;
    /// @notice Epochs over which availability's share falls linearly to zero (730: two years).
    uint256 internal constant AVAILABILITY_HORIZON_EPOCHS = 730;
    /// @notice Uptime challenges a donor must answer to earn availability, basis points of those it was sent (50%).
    uint256 internal constant AVAILABILITY_MIN_UPTIME_BPS = 5000;
    /// @notice Settled usage one staked token lets a donor count per epoch, micro-credits per PLT
    ///         (0.1 USD): service beyond stake × this earns nothing, so splitting one uplink into
    ///         many identities earns nothing extra (1,000 PLT count up to 100 USD a day).
    uint256 internal constant SERVICE_CAP_MICRO_CREDITS_PER_STAKED_TOKEN = 100_000;
}
