// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Parameters} from "./Parameters.sol";

/// @title EmissionSchedule
/// @notice The most Rewards may mint for each epoch, and how it splits between availability and usage.
///         Epoch e's emission is INITIAL_EPOCH_EMISSION_WEI halved once every EMISSION_HALVING_EPOCHS:
///         the sum over all epochs is below 2 × INITIAL × HALVING ≤ EMISSION_CAP_WEI, exactly, in integers.
///         Availability's share starts at AVAILABILITY_INITIAL_SHARE_BPS and falls linearly to zero
///         over AVAILABILITY_HORIZON_EPOCHS; the rest of the epoch's emission is the usage pool.
library EmissionSchedule {
    /// @notice Epoch `epoch`'s whole emission, wei.
    function emissionOf(uint256 epoch) internal pure returns (uint256) {
        uint256 halvings = epoch / Parameters.EMISSION_HALVING_EPOCHS;
        if (halvings >= 256) return 0;
        return Parameters.INITIAL_EPOCH_EMISSION_WEI >> halvings;
    }

    /// @notice Sum of emissionOf(0 .. epochs - 1), wei: what the schedule allows through `epochs` epochs.
    function cumulativeOf(uint256 epochs) internal pure returns (uint256 total) {
        uint256 era = Parameters.EMISSION_HALVING_EPOCHS;
        uint256 perEpoch = Parameters.INITIAL_EPOCH_EMISSION_WEI;
        while (epochs > 0 && perEpoch > 0) {
            uint256 n = epochs < era ? epochs : era;
            total += n * perEpoch;
            epochs -= n;
            perEpoch >>= 1;
        }
    }

    /// @notice Availability's share of epoch `epoch`'s emission, basis points.
    function availabilityShareBps(uint256 epoch) internal pure returns (uint256) {
        uint256 horizon = Parameters.AVAILABILITY_HORIZON_EPOCHS;
        if (epoch >= horizon) return 0;
        return (Parameters.AVAILABILITY_INITIAL_SHARE_BPS * (horizon - epoch)) / horizon;
    }

    /// @notice Epoch `epoch`'s availability pool and usage pool, wei; they sum to emissionOf(epoch).
    function poolsOf(uint256 epoch) internal pure returns (uint256 availability, uint256 usage) {
        uint256 emission = emissionOf(epoch);
        availability = (emission * availabilityShareBps(epoch)) / Parameters.BPS_DENOMINATOR;
        usage = emission - availability;
    }
}
