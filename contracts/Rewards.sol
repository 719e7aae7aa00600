// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {EmissionSchedule} from "./EmissionSchedule.sol";
import {IPriceFeed} from "./IPriceFeed.sol";
import {OracleQuorum} from "./OracleQuorum.sol";
import {Parameters} from "./Parameters.sol";
import {PorchlightToken} from "./PorchlightToken.sol";
import {PriceReader} from "./PriceReader.sol";
import {Staking} from "./Staking.sol";

/// @notice What Rewards reads from Settlement: the epoch clock and each epoch's settled usage.
interface IEpochUsage {
    /// @notice When epoch 0 began, unix seconds.
    function genesisTime() external view returns (uint256);
    /// @notice The epoch unix time `t` falls in.
    function epochOf(uint256 t) external view returns (uint256);
    /// @notice Micro-credits settled to `exit` (the donor) in `epoch`.
    function usage(uint256 epoch, address exit) external view returns (uint256);
    /// @notice Micro-credits settled to every donor in `epoch`.
    function totalUsage(uint256 epoch) external view returns (uint256);
}

/// @title Rewards
/// @notice Mints donors' epoch rewards. Each ended epoch is closed once: its emission (EmissionSchedule)
///         splits into an availability pool and a usage pool, and the usage budget is the smaller of the
///         usage pool and the epoch's settled usage less PROTOCOL_TAKE_BPS, in tokens at the feed's price
///         then. The oracle quorum posts the epoch's Merkle root of (donor, amount) leaves (OpenZeppelin
///         StandardMerkleTree, ["address", "uint256"]) with its total in one transaction; a total above
///         the budget, or one that would carry all minting past EMISSION_CAP_WEI, reverts. After
///         REWARD_CHALLENGE_WINDOW_SECONDS anyone may submit a donor's claim; the tokens go to the
///         leaf's donor, who must hold MIN_STAKE_WEI of active stake.
contract Rewards {
    /// @notice The epoch has not ended yet.
    error EpochNotEnded(uint256 epoch, uint256 current);
    /// @notice The epoch was closed already.
    error EpochAlreadyClosed(uint256 epoch);
    /// @notice A root of zero was posted.
    error EmptyRoot();
    /// @notice The epoch's root was posted already.
    error RootAlreadyPosted(uint256 epoch);
    /// @notice The root's total is more than the epoch may mint.
    error RootOverBudget(uint256 epoch, uint256 total, uint256 budget);
    /// @notice Posting the root would commit more than EMISSION_CAP_WEI over all epochs.
    error EmissionCapExceeded(uint256 committed, uint256 total);
    /// @notice No root has been posted for the epoch.
    error RootNotPosted(uint256 epoch);
    /// @notice The epoch's challenge window has not passed yet.
    error ClaimsNotOpen(uint256 epoch, uint256 opensAt);
    /// @notice The donor already claimed this epoch.
    error AlreadyClaimed(uint256 epoch, address donor);
    /// @notice The proof does not lead from the leaf (donor, amount) to the epoch's root.
    error InvalidProof(uint256 epoch, address donor, uint256 amount);
    /// @notice The donor's active stake is below MIN_STAKE_WEI.
    error BelowMinimumStake(address donor);
    /// @notice Claims would mint more than the root's total (a tree whose leaves outsum its total).
    error ClaimsExceedRoot(uint256 epoch);

    /// @notice Epoch `epoch` was closed: the price, its settled usage and what it may mint.
    event EpochClosed(
        uint256 indexed epoch,
        uint256 price,
        uint8 priceDecimals,
        uint256 totalUsageMicroCredits,
        uint256 availabilityPool,
        uint256 usagePool,
        uint256 usageBudget
    );
    /// @notice The quorum posted epoch `epoch`'s root; claims open at `claimsOpenAt`.
    event RootPosted(uint256 indexed epoch, bytes32 root, uint256 total, uint256 budget, uint256 claimsOpenAt);
    /// @notice `donor` received `amount` wei for epoch `epoch`; `submitter` sent the claim (the donor or a relayer).
    event Claimed(uint256 indexed epoch, address indexed donor, uint256 amount, address submitter);

    /// @notice EIP-712 type of an epoch root the oracles sign.
    bytes32 public constant ROOT_TYPEHASH =
        keccak256("EpochRoot(address rewards,uint256 epoch,bytes32 root,uint256 total)");

    PorchlightToken public immutable token;
    IEpochUsage public immutable settlement;
    Staking public immutable staking;
    OracleQuorum public immutable quorum;
    IPriceFeed public immutable priceFeed;

    struct EpochState {
        bool closed;
        uint8 priceDecimals;
        uint64 postedAt;
        uint256 price;
        uint256 totalUsage;
        uint256 availabilityPool;
        uint256 usagePool;
        uint256 usageBudget;
        bytes32 root;
        uint256 total;
        uint256 claimed;
    }

    mapping(uint256 => EpochState) private _epochs;
    mapping(uint256 => mapping(address => bool)) public hasClaimed;
    /// @notice Sum of every posted root's total, wei: never above EMISSION_CAP_WEI.
    uint256 public committed;
    /// @notice Wei minted by claims so far.
    uint256 public minted;

    constructor(PorchlightToken token_, IEpochUsage settlement_, Staking staking_, OracleQuorum quorum_, IPriceFeed priceFeed_) {
        token = token_;
        settlement = settlement_;
        staking = staking_;
        quorum = quorum_;
        priceFeed = priceFeed_;
    }

    /// @notice The epoch now, by Settlement's clock.
    function currentEpoch() public view returns (uint256) {
        return settlement.epochOf(block.timestamp);
    }

    /// @notice Epoch `epoch`'s whole emission, wei (EmissionSchedule).
    function emissionOf(uint256 epoch) external pure returns (uint256) {
        return EmissionSchedule.emissionOf(epoch);
    }

    /// @notice What the schedule allows through the first `epochs` epochs, wei.
    function cumulativeEmissionOf(uint256 epochs) external pure returns (uint256) {
        return EmissionSchedule.cumulativeOf(epochs);
    }

    /// @notice Epoch `epoch`'s availability and usage pools, wei.
    function poolsOf(uint256 epoch) external pure returns (uint256 availability, uint256 usage) {
        return EmissionSchedule.poolsOf(epoch);
    }

    /// @notice The rules the oracles apply when they compute an epoch's leaves (economy/epoch-rewards.ts).
    function rules()
        external
        pure
        returns (
            uint256 minStakeWei,
            uint256 protocolTakeBps,
            uint256 serviceCapMicroCreditsPerStakedToken,
            uint256 minUptimeBps,
            uint256 challengeWindowSeconds
        )
    {
        return (
            Parameters.MIN_STAKE_WEI,
            Parameters.PROTOCOL_TAKE_BPS,
            Parameters.SERVICE_CAP_MICRO_CREDITS_PER_STAKED_TOKEN,
            Parameters.AVAILABILITY_MIN_UPTIME_BPS,
            Parameters.REWARD_CHALLENGE_WINDOW_SECONDS
        );
    }

    /// @notice Everything recorded about epoch `epoch`.
    function epochState(uint256 epoch) external view returns (EpochState memory) {
        return _epochs[epoch];
    }

    /// @notice Wei of tokens worth `microCredits` less PROTOCOL_TAKE_BPS at `price` (USD per token, `decimals` decimals).
    function usageTokens(uint256 microCredits, uint256 price, uint8 decimals) public pure returns (uint256) {
        uint256 keptBps = Parameters.BPS_DENOMINATOR - Parameters.PROTOCOL_TAKE_BPS;
        // wei = micro × (1 − τ) × 10^18 / 10^6 / (price / 10^decimals), floored once.
        return Math.mulDiv(microCredits * keptBps, 10 ** (12 + uint256(decimals)), Parameters.BPS_DENOMINATOR * price);
    }

    /// @notice Closes ended epoch `epoch`: records the feed's price, its settled usage and its budget.
    ///         Anyone may call it; postRoot calls it when no one has.
    function closeEpoch(uint256 epoch) public {
        uint256 current = currentEpoch();
        if (epoch >= current) revert EpochNotEnded(epoch, current);
        EpochState storage e = _epochs[epoch];
        if (e.closed) revert EpochAlreadyClosed(epoch);
        // A stale or non-positive price reverts (PriceReader's StalePrice, InvalidPrice).
        (uint256 price, uint8 decimals) = PriceReader.freshPrice(priceFeed);
        uint256 totalUsage = settlement.totalUsage(epoch);
        (uint256 availabilityPool, uint256 usagePool) = EmissionSchedule.poolsOf(epoch);
        uint256 usageBudget = Math.min(usagePool, usageTokens(totalUsage, price, decimals));
        e.closed = true;
        e.price = price;
        e.priceDecimals = decimals;
        e.totalUsage = totalUsage;
        e.availabilityPool = availabilityPool;
        e.usagePool = usagePool;
        e.usageBudget = usageBudget;
        emit EpochClosed(epoch, price, decimals, totalUsage, availabilityPool, usagePool, usageBudget);
    }

    /// @notice The struct hash oracles sign to post `root` with `total` for `epoch`.
    function rootStructHash(uint256 epoch, bytes32 root, uint256 total) public view returns (bytes32) {
        return keccak256(abi.encode(ROOT_TYPEHASH, address(this), epoch, root, total));
    }

    /// @notice Posts epoch `epoch`'s Merkle root and the sum of its leaves, signed by the quorum.
    ///         Anyone may submit it; only the signatures give it force.
    /// @param signatures at least `threshold` members' signatures over rootStructHash, sorted by signer
    function postRoot(uint256 epoch, bytes32 root, uint256 total, bytes[] calldata signatures) external {
        if (root == bytes32(0)) revert EmptyRoot();
        EpochState storage e = _epochs[epoch];
        if (e.root != bytes32(0)) revert RootAlreadyPosted(epoch);
        quorum.verify(rootStructHash(epoch, root, total), signatures);
        if (!e.closed) closeEpoch(epoch);
        uint256 budget = e.availabilityPool + e.usageBudget;
        if (total > budget) revert RootOverBudget(epoch, total, budget);
        if (committed + total > Parameters.EMISSION_CAP_WEI) revert EmissionCapExceeded(committed, total);
        committed += total;
        e.root = root;
        e.total = total;
        e.postedAt = uint64(block.timestamp);
        emit RootPosted(epoch, root, total, budget, block.timestamp + Parameters.REWARD_CHALLENGE_WINDOW_SECONDS);
    }

    /// @notice Mints `donor`'s reward for `epoch`, proven by `proof` against the epoch's root. Anyone
    ///         may submit it (a relayer, gasless for the donor); the tokens always go to `donor`.
    function claim(uint256 epoch, address donor, uint256 amount, bytes32[] calldata proof) external {
        EpochState storage e = _epochs[epoch];
        if (e.root == bytes32(0)) revert RootNotPosted(epoch);
        uint256 opensAt = uint256(e.postedAt) + Parameters.REWARD_CHALLENGE_WINDOW_SECONDS;
        if (block.timestamp < opensAt) revert ClaimsNotOpen(epoch, opensAt);
        if (hasClaimed[epoch][donor]) revert AlreadyClaimed(epoch, donor);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(donor, amount))));
        if (!MerkleProof.verifyCalldata(proof, e.root, leaf)) revert InvalidProof(epoch, donor, amount);
        if (!staking.isEligible(donor)) revert BelowMinimumStake(donor);
        hasClaimed[epoch][donor] = true;
        e.claimed += amount;
        if (e.claimed > e.total) revert ClaimsExceedRoot(epoch);
        minted += amount;
        emit Claimed(epoch, donor, amount, msg.sender);
        token.mint(donor, amount);
    }
}
