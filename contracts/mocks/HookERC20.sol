// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockERC20} from "./MockERC20.sol";

/// @notice Receiver of HookERC20's transfer callback.
interface ITransferHook {
    /// @notice Called by the token on every transfer (not on mint or burn).
    function onTokenTransfer(address from, address to, uint256 amount) external;
}

/// @title HookERC20
/// @notice LOCAL USE ONLY: a token that calls a hook contract on every transfer, before or after the
/// balances move (like ERC-777's `tokensToSend` / `tokensReceived`), so tests can attempt reentrancy.
contract HookERC20 is MockERC20 {
    /// @notice Contract called on every transfer; zero disables the callback.
    ITransferHook public hook;
    /// @notice Whether the hook runs after the balances move (else before).
    bool public hookAfterTransfer;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) MockERC20(name_, symbol_, decimals_) {}

    /// @notice Sets the hook and its timing. LOCAL USE ONLY: unrestricted on purpose.
    function setHook(ITransferHook hook_, bool afterTransfer) external {
        hook = hook_;
        hookAfterTransfer = afterTransfer;
    }

    function _update(address from, address to, uint256 value) internal override {
        bool isTransfer = from != address(0) && to != address(0) && address(hook) != address(0);
        if (isTransfer && !hookAfterTransfer) hook.onTokenTransfer(from, to, value);
        super._update(from, to, value);
        if (isTransfer && hookAfterTransfer) hook.onTokenTransfer(from, to, value);
    }
}
