// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockERC20
/// @notice LOCAL USE ONLY (tests, demos on a dev chain): anyone can mint any amount.
contract MockERC20 is ERC20 {
    uint8 private immutable DECIMALS;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        DECIMALS = decimals_;
    }

    /// @notice Mints `amount` to `to`. LOCAL USE ONLY: unrestricted on purpose.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice The decimals set at construction.
    function decimals() public view override returns (uint8) {
        return DECIMALS;
    }
}
