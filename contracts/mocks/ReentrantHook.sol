// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

import {ITransferHook} from "./HookERC20.sol";

/// @title ReentrantHook
/// @notice LOCAL USE ONLY: a HookERC20 callback that re-enters an ERC-4626 vault once, or records what
/// the vault reports mid-operation (read-only reentrancy).
contract ReentrantHook is ITransferHook {
    enum Action {
        None,
        Deposit,
        Redeem,
        Observe
    }

    IERC4626 public immutable VAULT;
    Action public armedAction;
    uint256 public armedAmount;

    uint256 public observedTotalAssets;
    uint256 public observedTotalSupply;

    constructor(IERC4626 vault_) {
        VAULT = vault_;
        IERC20(vault_.asset()).approve(address(vault_), type(uint256).max);
    }

    /// @notice Makes the next transfer callback perform `action` with `amount`.
    function arm(Action action, uint256 amount) external {
        armedAction = action;
        armedAmount = amount;
    }

    /// @notice Deposits `assets` from this contract into the target.
    function deposit(uint256 assets) external returns (uint256 shares) {
        return VAULT.deposit(assets, address(this));
    }

    /// @notice Redeems `shares` of this contract to this contract.
    function redeem(uint256 shares) external returns (uint256 assets) {
        return VAULT.redeem(shares, address(this), address(this));
    }

    /// @inheritdoc ITransferHook
    function onTokenTransfer(address, address, uint256) external {
        Action action = armedAction;
        armedAction = Action.None;
        if (action == Action.Deposit) {
            VAULT.deposit(armedAmount, address(this));
        } else if (action == Action.Redeem) {
            VAULT.redeem(armedAmount, address(this), address(this));
        } else if (action == Action.Observe) {
            observedTotalAssets = VAULT.totalAssets();
            observedTotalSupply = VAULT.totalSupply();
        }
    }
}
