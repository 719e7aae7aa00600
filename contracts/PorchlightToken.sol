// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Parameters} from "./Parameters.sol";

/// @title PorchlightToken (PLT)
/// @notice The native token: ERC-20 with permit (EIP-2612) and burn, a hard supply cap
///         (Parameters.TOKEN_CAP_WEI), the genesis supply minted once to a holder, and every later
///         mint by the one minter (Rewards), set once by the admin.
contract PorchlightToken is ERC20, ERC20Permit, ERC20Burnable, ERC20Capped {
    /// @notice The account that may set the minter, once. Passed in because under CREATE2
    ///         msg.sender in this constructor is the deployment proxy, not the deployer.
    address public immutable admin;
    /// @notice The only account that may mint; zero until setMinter.
    address public minter;

    /// @notice The minter was set (it can never change afterwards).
    event MinterSet(address indexed minter);

    /// @notice The caller is not the admin.
    error NotAdmin(address caller);
    /// @notice The caller is not the minter.
    error NotMinter(address caller);
    /// @notice setMinter was already called.
    error MinterAlreadySet(address minter);
    /// @notice An address that must be set was zero.
    error ZeroAddress();

    /// @param genesisHolder receives Parameters.GENESIS_SUPPLY_WEI.
    /// @param admin_ may call setMinter once.
    constructor(address genesisHolder, address admin_)
        ERC20("Porchlight", "PLT")
        ERC20Permit("Porchlight")
        ERC20Capped(Parameters.TOKEN_CAP_WEI)
    {
        if (genesisHolder == address(0) || admin_ == address(0)) revert ZeroAddress();
        admin = admin_;
        _mint(genesisHolder, Parameters.GENESIS_SUPPLY_WEI);
    }

    /// @notice Sets the minter (Rewards). Admin only, once.
    /// @param minter_ the account that will be the only minter.
    function setMinter(address minter_) external {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        if (minter != address(0)) revert MinterAlreadySet(minter);
        if (minter_ == address(0)) revert ZeroAddress();
        minter = minter_;
        emit MinterSet(minter_);
    }

    /// @notice Mints `amountWei` to `to`. Minter only; reverts ERC20ExceededCap above the cap.
    /// @param to the recipient.
    /// @param amountWei the amount, wei.
    function mint(address to, uint256 amountWei) external {
        if (msg.sender != minter || minter == address(0)) revert NotMinter(msg.sender);
        _mint(to, amountWei);
    }

    /// @dev Both ERC20 and ERC20Capped define _update; the cap's check runs on every mint.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
