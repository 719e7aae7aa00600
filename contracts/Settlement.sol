// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Credits} from "./Credits.sol";
import {Parameters} from "./Parameters.sol";

/// @title Settlement
/// @notice Settles batches of the newest EIP-712 receipts of protocol/receipt.ts (domain
///         "Porchlight", "1", this chain, this contract). Each valid receipt pays
///         cumCredits − settled from the client's credits, which burn, and the exit's usage in the
///         current epoch grows by it (Rewards mints from usage). A bad receipt is reported in
///         ReceiptRejected and skipped; the rest of the batch settles. Anyone may submit a batch:
///         what it pays and to whom is fixed by the signed receipts.
/// @dev Batch layout (protocol/settlement-batch.ts encodes it), big-endian, no padding:
///      header: version u8 (= 1) ‖ exit (20 bytes);
///      then per receipt (156 bytes): channelId (32) ‖ client (20) ‖ cumBytes u64 ‖ cumCredits u128 ‖
///      price u64 ‖ expiry u64 ‖ r (32) ‖ yParityAndS (32, EIP-2098).
contract Settlement is EIP712 {
    /// @notice Why a receipt was skipped (ReceiptRejected's reason).
    enum RejectReason {
        BadSignature, // not signed by `client` for this exit under this domain, or a high-s signature
        Expired, // block.timestamp > expiry
        Replay, // cumCredits equal to what this channel has settled
        Rollback, // cumCredits below what this channel has settled
        InconsistentCredits, // cumCredits != ceil(cumBytes × price / 2^20)
        InsufficientCredits, // the client's credits do not cover cumCredits − settled
        DuplicateChannel // a second receipt for one channel in one batch
    }

    /// @notice keccak256 of the Receipt type, as protocol/receipt.ts hashes it.
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(bytes32 channelId,address client,address exit,uint256 cumBytes,uint256 cumCredits,uint256 price,uint64 expiry)"
    );
    /// @notice The batch layout version this contract reads.
    uint8 public constant BATCH_VERSION = 1;
    uint256 private constant HEADER_BYTES = 21;
    uint256 private constant RECEIPT_BYTES = 156;

    /// @notice Where credits are spent.
    Credits public immutable credits;
    /// @notice Start of epoch 0, Unix seconds (this contract's deployment).
    uint256 public immutable genesisTime;

    mapping(bytes32 key => uint256) private _settled;
    /// @notice Micro-credits settled to `exit` in `epoch`.
    mapping(uint256 epoch => mapping(address exit => uint256)) public usage;
    /// @notice Micro-credits settled to every exit in `epoch`.
    mapping(uint256 epoch => uint256) public totalUsage;

    /// @notice A receipt paid `paid` micro-credits from `client` to the batch's exit on `channelId`.
    event ReceiptSettled(bytes32 indexed channelId, address indexed client, uint256 paid);
    /// @notice A receipt was skipped, for `reason`; nothing moved.
    event ReceiptRejected(bytes32 indexed channelId, address indexed client, RejectReason reason);
    /// @notice A batch for `exit` settled `settledCount` receipts paying `paid` in `epoch`, and skipped `rejectedCount`.
    event BatchSettled(address indexed exit, uint256 indexed epoch, uint256 paid, uint256 settledCount, uint256 rejectedCount);

    /// @notice The batch's length is not a header plus whole receipts.
    error BadBatchLength(uint256 length);
    /// @notice The batch's version byte is not BATCH_VERSION.
    error UnsupportedBatchVersion(uint8 version);
    /// @notice The batch holds no receipt.
    error EmptyBatch();
    /// @notice The batch holds more than Parameters.MAX_RECEIPTS_PER_BATCH receipts.
    error BatchTooLarge(uint256 count, uint256 max);
    /// @notice The batch's exit is the zero address.
    error ZeroExit();
    /// @notice An address that must be set was zero.
    error ZeroAddress();
    /// @notice A time before genesisTime has no epoch.
    error BeforeGenesis(uint256 time);

    /// @param credits_ the credits contract (which must name this contract its settlement).
    constructor(Credits credits_) EIP712("Porchlight", "1") {
        if (address(credits_) == address(0)) revert ZeroAddress();
        credits = credits_;
        genesisTime = block.timestamp;
    }

    /// @notice The epoch containing Unix time `time`.
    function epochOf(uint256 time) public view returns (uint256) {
        if (time < genesisTime) revert BeforeGenesis(time);
        return (time - genesisTime) / Parameters.EPOCH_SECONDS;
    }

    /// @notice The current epoch.
    function currentEpoch() external view returns (uint256) {
        return epochOf(block.timestamp);
    }

    /// @notice The EIP-712 domain separator receipts are signed under.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The storage key of a channel: its id alone is chosen by the client, so a hostile
    ///         client's receipts can never touch another client's (or another exit's) channel.
    function channelKey(bytes32 channelId, address client, address exit) public pure returns (bytes32 key) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, channelId)
            mstore(add(m, 0x20), client)
            mstore(add(m, 0x40), exit)
            key := keccak256(m, 0x60)
        }
    }

    /// @notice Micro-credits settled so far on a channel.
    function settled(bytes32 channelId, address client, address exit) external view returns (uint256) {
        return _settled[channelKey(channelId, client, exit)];
    }

    /// @notice Settles a batch (layout in the contract's notes). Bad receipts are skipped with
    ///         ReceiptRejected; a malformed batch reverts.
    /// @return paid micro-credits settled to the batch's exit.
    function settle(bytes calldata batch) external returns (uint256 paid) {
        uint256 length = batch.length;
        if (length < HEADER_BYTES) revert BadBatchLength(length);
        uint8 version = uint8(batch[0]);
        if (version != BATCH_VERSION) revert UnsupportedBatchVersion(version);
        uint256 count;
        unchecked {
            uint256 body = length - HEADER_BYTES;
            if (body % RECEIPT_BYTES != 0) revert BadBatchLength(length);
            count = body / RECEIPT_BYTES;
        }
        if (count == 0) revert EmptyBatch();
        if (count > Parameters.MAX_RECEIPTS_PER_BATCH) revert BatchTooLarge(count, Parameters.MAX_RECEIPTS_PER_BATCH);
        address exit = address(bytes20(batch[1:HEADER_BYTES]));
        if (exit == address(0)) revert ZeroExit();

        // Pass 1: check each receipt; those that pass owe amounts[i] from clients[i].
        address[] memory clients = new address[](count);
        uint256[] memory amounts = new uint256[](count);
        bytes32[] memory keys = new bytes32[](count);
        uint256[] memory cums = new uint256[](count);
        uint256 rejected;
        for (uint256 i; i < count;) {
            (bytes32 key, address client, uint256 cumCredits, uint256 owed, bool ok) = _check(batch, i, exit);
            if (ok) {
                clients[i] = client;
                amounts[i] = owed;
                keys[i] = key;
                cums[i] = cumCredits;
            } else {
                unchecked {
                    ++rejected;
                }
            }
            unchecked {
                ++i;
            }
        }

        // One call burns every client's share, each only if its balance covers it.
        bool[] memory spent = credits.spend(clients, amounts);

        // Pass 2: record what was paid (effects after the trusted Credits call, which holds no callback).
        uint256 settledCount;
        for (uint256 i; i < count;) {
            bytes32 key = keys[i];
            if (key != 0) {
                _forget(key);
                bytes32 channelId = _word(batch, i, 0);
                if (spent[i]) {
                    _settled[key] = cums[i];
                    unchecked {
                        paid += amounts[i];
                        ++settledCount;
                    }
                    emit ReceiptSettled(channelId, clients[i], amounts[i]);
                } else {
                    unchecked {
                        ++rejected;
                    }
                    emit ReceiptRejected(channelId, clients[i], RejectReason.InsufficientCredits);
                }
            }
            unchecked {
                ++i;
            }
        }
        uint256 epoch = epochOf(block.timestamp);
        if (paid != 0) {
            usage[epoch][exit] += paid;
            totalUsage[epoch] += paid;
        }
        emit BatchSettled(exit, epoch, paid, settledCount, rejected);
    }

    /// @dev Checks receipt `i`; emits ReceiptRejected and returns ok = false when it fails.
    function _check(bytes calldata batch, uint256 i, address exit)
        private
        returns (bytes32 key, address client, uint256 cumCredits, uint256 owed, bool ok)
    {
        bytes32 channelId;
        uint256 cumBytes;
        uint256 price;
        uint256 expiry;
        bytes32 r;
        bytes32 vs;
        assembly ("memory-safe") {
            let p := add(add(batch.offset, HEADER_BYTES), mul(i, RECEIPT_BYTES))
            channelId := calldataload(p)
            client := shr(96, calldataload(add(p, 32)))
            cumBytes := shr(192, calldataload(add(p, 52)))
            cumCredits := shr(128, calldataload(add(p, 60)))
            price := shr(192, calldataload(add(p, 76)))
            expiry := shr(192, calldataload(add(p, 84)))
            r := calldataload(add(p, 92))
            vs := calldataload(add(p, 124))
        }
        RejectReason reason;
        if (block.timestamp > expiry) {
            reason = RejectReason.Expired;
        } else if (cumCredits != _creditsForBytes(cumBytes, price)) {
            reason = RejectReason.InconsistentCredits;
        } else if (!_signedBy(client, _receiptHash(channelId, client, exit, cumBytes, cumCredits, price, expiry), r, vs)) {
            reason = RejectReason.BadSignature;
        } else {
            key = channelKey(channelId, client, exit);
            uint256 before = _settled[key];
            if (_seen(key)) {
                reason = RejectReason.DuplicateChannel;
            } else if (cumCredits == before) {
                reason = RejectReason.Replay;
            } else if (cumCredits < before) {
                reason = RejectReason.Rollback;
            } else {
                _remember(key);
                unchecked {
                    owed = cumCredits - before;
                }
                return (key, client, cumCredits, owed, true);
            }
        }
        emit ReceiptRejected(channelId, client, reason);
        return (bytes32(0), client, cumCredits, 0, false);
    }

    /// @dev protocol/receipt.ts creditsForBytes: ceil(bytes × price / 2^20). Both below 2^64 here, so no overflow.
    function _creditsForBytes(uint256 cumBytes, uint256 price) private pure returns (uint256) {
        unchecked {
            return (cumBytes * price + Parameters.BYTES_PER_MIB - 1) / Parameters.BYTES_PER_MIB;
        }
    }

    /// @dev The EIP-712 digest of a receipt under this contract's domain.
    function _receiptHash(bytes32 channelId, address client, address exit, uint256 cumBytes, uint256 cumCredits, uint256 price, uint256 expiry)
        private
        view
        returns (bytes32)
    {
        bytes32 structHash;
        bytes32 typeHash = RECEIPT_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            mstore(add(m, 0x20), channelId)
            mstore(add(m, 0x40), client)
            mstore(add(m, 0x60), exit)
            mstore(add(m, 0x80), cumBytes)
            mstore(add(m, 0xa0), cumCredits)
            mstore(add(m, 0xc0), price)
            mstore(add(m, 0xe0), expiry)
            structHash := keccak256(m, 0x100)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @dev Whether (r, vs) is `client`'s signature of `digest`: OpenZeppelin's recovery, low s only.
    function _signedBy(address client, bytes32 digest, bytes32 r, bytes32 vs) private pure returns (bool) {
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, r, vs);
        return error == ECDSA.RecoverError.NoError && signer == client;
    }

    /// @dev Word `offset` of receipt `i` (offset 0: channelId).
    function _word(bytes calldata batch, uint256 i, uint256 offset) private pure returns (bytes32 word) {
        assembly ("memory-safe") {
            word := calldataload(add(add(add(batch.offset, HEADER_BYTES), mul(i, RECEIPT_BYTES)), offset))
        }
    }

    // Channels seen in the current batch, in transient storage (EIP-1153): cleared before settle
    // returns, so two batches in one transaction do not see each other's.
    function _seen(bytes32 key) private view returns (bool seen) {
        assembly ("memory-safe") {
            seen := tload(key)
        }
    }

    function _remember(bytes32 key) private {
        assembly ("memory-safe") {
            tstore(key, 1)
        }
    }

    function _forget(bytes32 key) private {
        assembly ("memory-safe") {
            tstore(key, 0)
        }
    }
}
