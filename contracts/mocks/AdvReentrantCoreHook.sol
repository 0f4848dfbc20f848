// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

import {IAsyncShareVault} from "../interfaces/IAsyncShareVault.sol";
import {ILiquidityVault} from "../interfaces/ILiquidityVault.sol";

import {IBallastCore} from "../interfaces/IBallastCore.sol";
import {IOrderBook} from "../interfaces/IOrderBook.sol";
import {ITransferHook} from "./HookERC20.sol";

/// @title AdvReentrantCoreHook
/// @notice ADVERSARIAL TESTS ONLY (never deploy with real funds): a HookERC20 callback that owns a Ballast account
/// and, from inside a token transfer (a deposit's pull, a withdrawal's or reward's payout, a pool's payout), tries
/// once to re-enter the core. It swallows the inner revert and records it, so the test can check both that the
/// outer call completed and that the inner one was refused.
contract AdvReentrantCoreHook is ITransferHook {
    enum Reentry {
        None,
        Deposit,
        Withdraw,
        Trade,
        ClosePosition,
        Liquidate,
        LiquidateMany,
        ClaimRewards
    }

    IBallastCore public immutable CORE;
    uint256 public immutable ACCOUNT_ID;
    uint256 public victimAccountId;
    Reentry public armed;
    uint256 public attempts;
    uint256 public successes;
    bytes public lastError;

    error OnlySelf();

    constructor(IBallastCore core) {
        CORE = core;
        IERC20(core.collateralToken()).approve(address(core), type(uint256).max);
        ACCOUNT_ID = core.createAccount(false, 0);
    }

    function setVictim(uint256 accountId) external {
        victimAccountId = accountId;
    }

    /// @notice Makes the next transfer callback attempt `reentry` once.
    function arm(Reentry reentry) external {
        armed = reentry;
    }

    function deposit(uint256 assets) external {
        CORE.deposit(ACCOUNT_ID, assets);
    }

    function withdraw(uint256 assets) external {
        CORE.withdraw(ACCOUNT_ID, assets, address(this));
    }

    /// @notice Commits an order for this contract's account (trades go through the order book).
    function commitOrder(IOrderBook book, uint256 marketId, int256 sizeDelta, uint256 acceptablePrice) external {
        IERC20(CORE.collateralToken()).approve(address(book), type(uint256).max);
        book.commitOrder(ACCOUNT_ID, marketId, sizeDelta, acceptablePrice, 0);
    }

    function liquidate(uint256 accountId) external {
        CORE.liquidate(accountId, address(this));
    }

    function claimRewards() external returns (uint256) {
        return CORE.claimRewards(address(this));
    }

    /// @notice Requests a deposit of `assets` into the liquidity vault, for this contract.
    function vaultRequestDeposit(ILiquidityVault vault, uint256 assets) external {
        IERC20(IERC4626(address(vault)).asset()).approve(address(vault), assets);
        vault.requestDeposit(assets, address(this), address(this));
    }

    /// @notice Settles this contract's deposit request in the liquidity vault.
    function vaultSettleDeposit(ILiquidityVault vault) external returns (uint256) {
        return vault.settleDeposit(address(this));
    }

    /// @notice Requests the redemption of `shares` from a pool over the core (vault or insurance).
    function poolRequestRedeem(IAsyncShareVault pool, uint256 shares) external {
        pool.requestRedeem(shares, address(this), address(this));
    }

    /// @notice Settles this contract's redemption request in a pool over the core: the core pays this contract.
    function poolSettleRedeem(IAsyncShareVault pool) external returns (uint256) {
        return pool.settleRedeem(address(this));
    }

    /// @inheritdoc ITransferHook
    function onTokenTransfer(address, address, uint256) external {
        Reentry reentry = armed;
        if (reentry == Reentry.None) return;
        armed = Reentry.None;
        ++attempts;
        try this.reenter(reentry) {
            ++successes;
        } catch (bytes memory reason) {
            lastError = reason;
        }
    }

    /// @dev External so that `onTokenTransfer` can catch its revert; only this contract may call it.
    function reenter(Reentry reentry) external {
        if (msg.sender != address(this)) revert OnlySelf();
        if (reentry == Reentry.Deposit) {
            CORE.deposit(ACCOUNT_ID, 1);
        } else if (reentry == Reentry.Withdraw) {
            CORE.withdraw(ACCOUNT_ID, 1, address(this));
        } else if (reentry == Reentry.Trade) {
            // Only the order book may execute trades; re-entering the core's entry is refused either way.
            CORE.settleOrder(ACCOUNT_ID, 0, 1e15, type(uint256).max, 1e18);
        } else if (reentry == Reentry.ClosePosition) {
            CORE.settleOrder(ACCOUNT_ID, 0, type(int256).min, 0, 1e18);
        } else if (reentry == Reentry.Liquidate) {
            CORE.liquidate(victimAccountId, address(this));
        } else if (reentry == Reentry.LiquidateMany) {
            uint256[] memory ids = new uint256[](1);
            ids[0] = victimAccountId;
            CORE.liquidateMany(ids, address(this));
        } else if (reentry == Reentry.ClaimRewards) {
            CORE.claimRewards(address(this));
        }
    }
}
