// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title OracleQuorum
/// @notice A fixed set of n oracles and a threshold k, both set at deploy and never changed. A verdict
///         (a slash, an epoch's reward root) counts only with k distinct members' EIP-712 signatures
///         over its struct hash. k must be more than half of n, so a minority of oracles cannot act.
/// @dev Signatures are passed sorted by signer address, strictly ascending: one check refuses a
///      duplicate signer and a non-member alike, with no storage and no loop over members.
contract OracleQuorum is EIP712 {
    /// @notice The threshold is 0, above n, or not more than half of n.
    error InvalidThreshold(uint256 threshold, uint256 members);
    /// @notice A member is the zero address or appears twice in the constructor's list.
    error InvalidMember(address member);
    /// @notice Fewer signatures than the threshold were given.
    error TooFewSignatures(uint256 given, uint256 threshold);
    /// @notice A signature recovered to an address that is not a member.
    error NotAMember(address signer);
    /// @notice Signers are not strictly ascending: a duplicate or an unsorted list.
    error SignersNotAscending(address previous, address signer);

    /// @notice Emitted once, at deploy: who the members are and how many must agree.
    event QuorumFormed(address[] members, uint256 threshold);

    /// @notice How many members must sign a verdict.
    uint256 public immutable threshold;
    address[] private _members;
    mapping(address => bool) public isMember;

    /// @param members_ the oracles' signing addresses (distinct, non-zero)
    /// @param threshold_ signatures a verdict needs: more than half of members_.length
    constructor(address[] memory members_, uint256 threshold_) EIP712("PorchlightOracleQuorum", "1") {
        uint256 n = members_.length;
        if (threshold_ == 0 || threshold_ > n || threshold_ * 2 <= n) revert InvalidThreshold(threshold_, n);
        for (uint256 i = 0; i < n; i++) {
            address member = members_[i];
            if (member == address(0) || isMember[member]) revert InvalidMember(member);
            isMember[member] = true;
        }
        _members = members_;
        threshold = threshold_;
        emit QuorumFormed(members_, threshold_);
    }

    /// @notice The members, in the order given at deploy.
    function members() external view returns (address[] memory) {
        return _members;
    }

    /// @notice The EIP-712 digest members sign for `structHash` (this contract's domain).
    function digestOf(bytes32 structHash) public view returns (bytes32) {
        return _hashTypedDataV4(structHash);
    }

    /// @notice Reverts unless at least `threshold` distinct members signed `structHash`.
    /// @param structHash the verdict's EIP-712 struct hash (its type hash first, so verdicts of
    ///        different kinds never share a digest)
    /// @param signatures 65-byte signatures, sorted by signer address, strictly ascending
    function verify(bytes32 structHash, bytes[] calldata signatures) external view {
        if (signatures.length < threshold) revert TooFewSignatures(signatures.length, threshold);
        bytes32 digest = _hashTypedDataV4(structHash);
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= previous) revert SignersNotAscending(previous, signer);
            if (!isMember[signer]) revert NotAMember(signer);
            previous = signer;
        }
    }
}
