// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Parameters} from "./Parameters.sol";

/// @title TestStablecoin (tUSD)
/// @notice A 6-decimal test dollar for the LOCAL CHAIN ONLY: anyone may mint it from the faucet, so
///         it is worth nothing. On a public chain a real stablecoin (e.g. USDC) takes its place.
contract TestStablecoin is ERC20, ERC20Permit {
    /// @notice A faucet call asked for more than Parameters.FAUCET_MAX_PER_CALL_MICRO_USD.
    error FaucetAmountTooLarge(uint256 amount, uint256 max);

    constructor() ERC20("Porchlight Test Dollar", "tUSD") ERC20Permit("Porchlight Test Dollar") {}

    /// @notice 6: one unit is one micro-dollar.
    function decimals() public pure override returns (uint8) {
        return Parameters.STABLECOIN_DECIMALS;
    }

    /// @notice Mints `amount` test dollars (micro-dollars) to `to`; at most
    ///         Parameters.FAUCET_MAX_PER_CALL_MICRO_USD per call. Local chain only. Emits Transfer.
    function faucet(address to, uint256 amount) external {
        if (amount > Parameters.FAUCET_MAX_PER_CALL_MICRO_USD) revert FaucetAmountTooLarge(amount, Parameters.FAUCET_MAX_PER_CALL_MICRO_USD);
        _mint(to, amount);
    }
}
