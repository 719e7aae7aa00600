// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {PorchlightToken} from "./PorchlightToken.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {OracleQuorum} from "./OracleQuorum.sol";
import {Parameters} from "./Parameters.sol";

/// @title Staking
/// @notice Donors stake the token to be eligible for rewards. Stake is per identity: the donor's
///         payment address, the one its receipts and reward leaves name. Leaving takes an unbond
///         request and UNBONDING_SECONDS, longer than the reward challenge window, so stake that
///         earned a reward can still be slashed. Only a k-of-n oracle verdict slashes, and slashed
///         stake (active first, then unbonding) burns.
contract Staking {
    using SafeERC20 for IERC20;

    /// @notice A zero amount was given.
    error ZeroAmount();
    /// @notice Stake for the zero address would be locked forever.
    error ZeroDonor();
    /// @notice More was asked to unbond than the donor has staked.
    error InsufficientStake(uint256 requested, uint256 active);
    /// @notice Nothing is unbonding, or its delay has not passed yet.
    error NotWithdrawable(uint256 amount, uint256 releaseTime);
    /// @notice This slash verdict's nonce was already used.
    error VerdictReplayed(uint256 nonce);
    /// @notice The donor has no stake to slash.
    error NothingToSlash(address donor);

    /// @notice `donor` added `amount` wei of active stake.
    event Staked(address indexed donor, uint256 amount, uint256 active);
    /// @notice `donor` moved `amount` wei from active to unbonding; all of it is withdrawable at `releaseTime`.
    event UnbondRequested(address indexed donor, uint256 amount, uint256 unbonding, uint256 releaseTime);
    /// @notice `donor` took back `amount` wei of unbonded stake.
    event Withdrawn(address indexed donor, uint256 amount);
    /// @notice The quorum's verdict `nonce` burned `burned` wei of `donor`'s stake (asked: `requested`), citing `evidence`.
    event Slashed(address indexed donor, uint256 requested, uint256 burned, bytes32 indexed evidence, uint256 nonce);

    /// @notice EIP-712 type of a slash verdict the oracles sign.
    bytes32 public constant SLASH_TYPEHASH =
        keccak256("Slash(address staking,address donor,uint256 amount,bytes32 evidence,uint256 nonce)");

    /// @notice The staked token.
    PorchlightToken public immutable token;
    /// @notice The oracles whose k-of-n verdict slashes.
    OracleQuorum public immutable quorum;

    struct Stake {
        uint256 active;
        uint256 unbonding;
        uint256 releaseTime;
    }

    mapping(address => Stake) private _stakes;
    /// @notice Slash verdict nonces already used.
    mapping(uint256 => bool) public usedNonce;

    constructor(PorchlightToken token_, OracleQuorum quorum_) {
        token = token_;
        quorum = quorum_;
    }

    /// @notice `donor`'s active stake, wei (unbonding stake does not count).
    function stakeOf(address donor) public view returns (uint256) {
        return _stakes[donor].active;
    }

    /// @notice `donor`'s active stake, unbonding stake and when the unbonding stake is withdrawable.
    function stakeDetails(address donor) external view returns (uint256 active, uint256 unbonding, uint256 releaseTime) {
        Stake storage s = _stakes[donor];
        return (s.active, s.unbonding, s.releaseTime);
    }

    /// @notice Whether `donor`'s active stake reaches MIN_STAKE_WEI, the reward minimum.
    function isEligible(address donor) external view returns (bool) {
        return _stakes[donor].active >= Parameters.MIN_STAKE_WEI;
    }

    /// @notice Stakes `amount` wei of the caller's tokens (approve this contract first) for the caller.
    function stake(uint256 amount) external {
        _stake(msg.sender, amount);
    }

    /// @notice Stakes `amount` wei of the caller's tokens for `donor` (a sponsor backing a volunteer
    ///         who holds no tokens). The stake is the donor's: only the donor can unbond and withdraw it.
    function stakeFor(address donor, uint256 amount) external {
        if (donor == address(0)) revert ZeroDonor();
        _stake(donor, amount);
    }

    function _stake(address donor, uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        Stake storage s = _stakes[donor];
        s.active += amount;
        emit Staked(donor, amount, s.active);
        IERC20(address(token)).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Starts unbonding `amount` wei of the caller's active stake; it stops counting now and is
    ///         withdrawable UNBONDING_SECONDS from now (a new request restarts the delay for all of it).
    function requestUnbond(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Stake storage s = _stakes[msg.sender];
        if (amount > s.active) revert InsufficientStake(amount, s.active);
        s.active -= amount;
        s.unbonding += amount;
        s.releaseTime = block.timestamp + Parameters.UNBONDING_SECONDS;
        emit UnbondRequested(msg.sender, amount, s.unbonding, s.releaseTime);
    }

    /// @notice Sends the caller its unbonded stake once the delay has passed.
    function withdraw() external {
        Stake storage s = _stakes[msg.sender];
        uint256 amount = s.unbonding;
        if (amount == 0 || block.timestamp < s.releaseTime) revert NotWithdrawable(amount, s.releaseTime);
        s.unbonding = 0;
        s.releaseTime = 0;
        emit Withdrawn(msg.sender, amount);
        IERC20(address(token)).safeTransfer(msg.sender, amount);
    }

    /// @notice The struct hash oracles sign to slash `amount` wei of `donor`'s stake.
    function slashStructHash(address donor, uint256 amount, bytes32 evidence, uint256 nonce) public view returns (bytes32) {
        return keccak256(abi.encode(SLASH_TYPEHASH, address(this), donor, amount, evidence, nonce));
    }

    /// @notice Burns up to `amount` wei of `donor`'s stake, active first, then unbonding, on a quorum verdict.
    ///         Anyone may submit the verdict; only the signatures give it force.
    /// @param evidence a hash of what the oracles found (their attestations), for the record
    /// @param nonce makes each verdict single-use
    /// @param signatures at least `threshold` members' signatures over slashStructHash, sorted by signer
    function slash(address donor, uint256 amount, bytes32 evidence, uint256 nonce, bytes[] calldata signatures) external {
        if (amount == 0) revert ZeroAmount();
        if (usedNonce[nonce]) revert VerdictReplayed(nonce);
        quorum.verify(slashStructHash(donor, amount, evidence, nonce), signatures);
        usedNonce[nonce] = true;
        Stake storage s = _stakes[donor];
        uint256 fromActive = amount < s.active ? amount : s.active;
        uint256 rest = amount - fromActive;
        uint256 fromUnbonding = rest < s.unbonding ? rest : s.unbonding;
        uint256 burned = fromActive + fromUnbonding;
        if (burned == 0) revert NothingToSlash(donor);
        s.active -= fromActive;
        s.unbonding -= fromUnbonding;
        emit Slashed(donor, amount, burned, evidence, nonce);
        token.burn(burned);
    }
}
