// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title AdvHostileRecipient
/// @notice ADVERSARIAL TESTS ONLY: a keeper-reward recipient that reverts on receiving ether and on any call, or
/// (with `burnGas`) burns all the gas it is given. Used to prove that no recipient can block a liquidation.
contract AdvHostileRecipient {
    bool private immutable BURN_GAS;

    error Hostile();

    constructor(bool burnGas) {
        BURN_GAS = burnGas;
    }

    receive() external payable {
        _hostile();
    }

    fallback() external payable {
        _hostile();
    }

    function _hostile() private view {
        if (BURN_GAS) {
            // Spin until out of gas.
            uint256 i;
            while (gasleft() > 0) {
                ++i;
            }
        }
        revert Hostile();
    }
}
