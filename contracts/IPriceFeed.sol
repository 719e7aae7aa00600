// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IPriceFeed
/// @notice USD per whole token, shaped like Chainlink's AggregatorV3Interface, so a Chainlink feed
///         can stand in on a public chain. Read it through PriceReader, which refuses stale and
///         non-positive answers.
interface IPriceFeed {
    /// @notice Decimals of `answer` (8 for Chainlink's USD feeds).
    function decimals() external view returns (uint8);

    /// @notice What the feed prices, e.g. "PLT / USD".
    function description() external view returns (string memory);

    /// @notice The newest round.
    /// @return roundId the round's id.
    /// @return answer USD per whole token, with decimals() decimals.
    /// @return startedAt when the round started, Unix seconds.
    /// @return updatedAt when the answer was written, Unix seconds.
    /// @return answeredInRound the round the answer was computed in.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
