// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Tests only: a Chainlink-shaped price anyone may set, standing in for SettablePriceFeed.
contract MockPriceFeed {
    int256 public answer;
    uint256 public updatedAt;
    uint8 public constant decimals = 8;

    function set(int256 answer_) external {
        answer = answer_;
        updatedAt = block.timestamp;
    }

    function setWithTime(int256 answer_, uint256 updatedAt_) external {
        answer = answer_;
        updatedAt = updatedAt_;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (1, answer, updatedAt, updatedAt, 1);
    }
}
