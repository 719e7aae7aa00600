// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {Parameters} from "../Parameters.sol";

/// @notice Tests only: a capped, burnable token whose genesis goes to the deployer and whose one
///         minter is set once (the Rewards contract), standing in for PorchlightToken.
contract MockRewardToken is ERC20Capped, ERC20Burnable {
    error NotMinter(address caller);

    address public minter;

    constructor() ERC20("Mock Porchlight", "mPLT") ERC20Capped(Parameters.TOKEN_CAP_WEI) {
        _mint(msg.sender, Parameters.GENESIS_SUPPLY_WEI);
    }

    function setMinter(address minter_) external {
        require(minter == address(0), "minter set");
        minter = minter_;
    }

    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
