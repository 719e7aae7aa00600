// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IPriceFeed} from "./IPriceFeed.sol";
import {Parameters} from "./Parameters.sol";

/// @title PriceReader
/// @notice The one place a price is read: refuses a stale or non-positive answer, and turns USD
///         amounts into token amounts at the feed's price.
library PriceReader {
    /// @notice The feed's answer is older than Parameters.PRICE_MAX_AGE_SECONDS (or from the future, or never written).
    error StalePrice(uint256 updatedAt, uint256 blockTime);
    /// @notice The feed's answer is zero or negative.
    error InvalidPrice(int256 answer);

    /// @notice The feed's current answer, checked.
    /// @return answer USD per whole token, with `decimals` decimals, > 0.
    /// @return decimals the feed's decimals.
    function freshPrice(IPriceFeed feed) internal view returns (uint256 answer, uint8 decimals) {
        (, int256 raw,, uint256 updatedAt,) = feed.latestRoundData();
        if (updatedAt == 0 || updatedAt > block.timestamp || block.timestamp - updatedAt > Parameters.PRICE_MAX_AGE_SECONDS) {
            revert StalePrice(updatedAt, block.timestamp);
        }
        if (raw <= 0) revert InvalidPrice(raw);
        return (uint256(raw), feed.decimals());
    }

    /// @notice Token wei worth `microUsd` micro-dollars at the feed's price, rounded up (the burn
    ///         covers at least the USD value).
    function tokenWeiForMicroUsd(IPriceFeed feed, uint256 microUsd) internal view returns (uint256) {
        (uint256 answer, uint8 decimals) = freshPrice(feed);
        // wei = microUsd / 10^6 USD ÷ (answer / 10^decimals USD per token) × 10^18 wei per token.
        return Math.mulDiv(microUsd, 10 ** (uint256(decimals) + Parameters.TOKEN_DECIMALS - 6), answer, Math.Rounding.Ceil);
    }
}
