// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

import {ILiquidityVault} from "../interfaces/ILiquidityVault.sol";

import {ITransferHook} from "./HookERC20.sol";

/// @title ReentrantHook
/// @notice LOCAL USE ONLY: a HookERC20 callback that re-enters the liquidity vault once (a deposit request, or a
/// redemption settlement), or records what the vault reports mid-operation (read-only reentrancy).
contract ReentrantHook is ITransferHook {
    enum Action {
        None,
        Deposit,
        Redeem,
        Observe
    }

    ILiquidityVault public immutable VAULT;
    Action public armedAction;
    uint256 public armedAmount;

    uint256 public observedTotalAssets;
    uint256 public observedTotalSupply;

    constructor(ILiquidityVault vault_) {
        VAULT = vault_;
        IERC20(address(vault_.ledger().collateralToken())).approve(address(vault_), type(uint256).max);
    }

    /// @notice Makes the next transfer callback perform `action` with `amount`.
    function arm(Action action, uint256 amount) external {
        armedAction = action;
        armedAmount = amount;
    }

    /// @notice Requests a deposit of `assets` from this contract, for this contract.
    function requestDeposit(uint256 assets) external {
        VAULT.requestDeposit(assets, address(this), address(this));
    }

    /// @notice Settles this contract's deposit request.
    function settleDeposit() external returns (uint256 shares) {
        return VAULT.settleDeposit(address(this));
    }

    /// @notice Requests the redemption of `shares` of this contract.
    function requestRedeem(uint256 shares) external {
        VAULT.requestRedeem(shares, address(this), address(this));
    }

    /// @notice Settles this contract's redemption request.
    function settleRedeem() external returns (uint256 assets) {
        return VAULT.settleRedeem(address(this));
    }

    /// @inheritdoc ITransferHook
    function onTokenTransfer(address, address, uint256) external {
        Action action = armedAction;
        armedAction = Action.None;
        if (action == Action.Deposit) {
            VAULT.requestDeposit(armedAmount, address(this), address(this));
        } else if (action == Action.Redeem) {
            VAULT.settleRedeem(address(this));
        } else if (action == Action.Observe) {
            observedTotalAssets = IERC4626(address(VAULT)).totalAssets();
            observedTotalSupply = IERC4626(address(VAULT)).totalSupply();
        }
    }
}
