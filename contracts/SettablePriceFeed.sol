// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IPriceFeed} from "./IPriceFeed.sol";
import {Parameters} from "./Parameters.sol";

/// @title SettablePriceFeed
/// @notice The local chain's price feed: its owner writes the answer, stamped with the block's time.
///         It stores any answer, zero and negative included, so tests can show PriceReader refusing them.
///         On a public chain a Chainlink aggregator takes its place.
contract SettablePriceFeed is IPriceFeed, Ownable {
    uint80 private _roundId;
    int256 private _answer;
    uint256 private _updatedAt;

    /// @notice A new answer was written (Chainlink's event shape).
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    /// @param owner_ the account that may set the answer.
    constructor(address owner_) Ownable(owner_) {}

    /// @inheritdoc IPriceFeed
    function decimals() external pure returns (uint8) {
        return Parameters.PRICE_FEED_DECIMALS;
    }

    /// @inheritdoc IPriceFeed
    function description() external pure returns (string memory) {
        return "PLT / USD (settable, local chain)";
    }

    /// @notice Writes a new answer as a new round, updatedAt = now. Owner only.
    /// @param answer USD per whole token, with decimals() decimals.
    function setAnswer(int256 answer) external onlyOwner {
        uint80 roundId = ++_roundId;
        _answer = answer;
        _updatedAt = block.timestamp;
        emit AnswerUpdated(answer, roundId, block.timestamp);
    }

    /// @inheritdoc IPriceFeed
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (_roundId, _answer, _updatedAt, _updatedAt, _roundId);
    }
}
