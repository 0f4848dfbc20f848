// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockERC20} from "./MockERC20.sol";

/// @title FeeOnTransferERC20
/// @notice LOCAL USE ONLY: a token that burns `feeBps` of every transfer (mints and burns are exempt),
/// so the recipient gets less than was sent. Used to prove such tokens are rejected.
contract FeeOnTransferERC20 is MockERC20 {
    uint256 private constant BPS = 10_000;

    /// @notice Fee burnt from every transfer, in basis points of the amount, rounded down.
    uint256 public feeBps;

    error FeeTooHigh(uint256 feeBps);

    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint256 feeBps_)
        MockERC20(name_, symbol_, decimals_)
    {
        setFeeBps(feeBps_);
    }

    /// @notice Sets the transfer fee. LOCAL USE ONLY: unrestricted on purpose.
    function setFeeBps(uint256 feeBps_) public {
        if (feeBps_ > BPS) revert FeeTooHigh(feeBps_);
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value * feeBps / BPS;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
