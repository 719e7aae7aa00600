// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Parameters} from "../Parameters.sol";

/// @notice Tests only: Settlement's epoch clock and usage record, with usage set directly.
contract MockEpochUsage {
    uint256 public immutable genesisTime;
    mapping(uint256 => mapping(address => uint256)) public usage;
    mapping(uint256 => uint256) public totalUsage;

    constructor(uint256 genesisTime_) {
        genesisTime = genesisTime_;
    }

    function epochOf(uint256 t) external view returns (uint256) {
        return t < genesisTime ? 0 : (t - genesisTime) / Parameters.EPOCH_SECONDS;
    }

    function addUsage(uint256 epoch, address exit, uint256 microCredits) external {
        usage[epoch][exit] += microCredits;
        totalUsage[epoch] += microCredits;
    }
}
