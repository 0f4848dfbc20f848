// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {IBallastLedger} from "../interfaces/IBallastLedger.sol";
import {ILiquidityVault} from "../interfaces/ILiquidityVault.sol";
import {LedgerShareVault} from "./LedgerShareVault.sol";

/// @title LiquidityVault
/// @notice LP shares (ERC-4626) over the Ballast core's LP ledger. LPs are the counterparty of every trade:
/// the NAV counts the traders' net unrealised PnL and the funding they owe.
/// @dev Asset = `ledger.collateralToken()`. The core holds every token; see `LedgerShareVault`.
contract LiquidityVault is LedgerShareVault, ILiquidityVault {
    constructor(IBallastLedger ledger_, string memory name_, string memory symbol_)
        ERC20(name_, symbol_)
        LedgerShareVault(ledger_)
    {}

    /// @notice Max assets `owner` can withdraw now: its shares' value, capped by the core's reserve.
    /// @dev Reverts while an oracle is unusable (the NAV cannot be priced).
    function maxWithdraw(address owner) public view override returns (uint256) {
        return Math.min(super.maxWithdraw(owner), ledger.vaultWithdrawableAssets());
    }

    /// @notice Max shares `owner` can redeem now: its balance, capped by the core's reserve.
    /// @dev The reserve converts to shares rounding down, so redeeming `maxRedeem` pays at most the reserve's
    /// headroom. Reverts while an oracle is unusable.
    function maxRedeem(address owner) public view override returns (uint256) {
        uint256 reserveCapShares = _convertToShares(ledger.vaultWithdrawableAssets(), Math.Rounding.Floor);
        return Math.min(super.maxRedeem(owner), reserveCapShares);
    }

    /// @notice Max assets anyone can deposit now: unlimited, or 0 while shares exist and the NAV reads 0.
    /// @dev The core floors a negative NAV at 0; a deposit then would pay the traders' profit first.
    function maxDeposit(address receiver) public view override returns (uint256) {
        return _navWipedOut() ? 0 : super.maxDeposit(receiver);
    }

    /// @notice Max shares anyone can mint now: see `maxDeposit`.
    function maxMint(address receiver) public view override returns (uint256) {
        return _navWipedOut() ? 0 : super.maxMint(receiver);
    }

    function _navWipedOut() private view returns (bool) {
        return totalSupply() > 0 && totalAssets() == 0;
    }

    function _ledgerTotalAssets() internal view override returns (uint256) {
        return ledger.vaultTotalAssets();
    }

    function _ledgerCredit(uint256 assets) internal override {
        ledger.creditVault(assets);
    }

    function _ledgerDebit(address receiver, uint256 assets) internal override {
        ledger.debitVault(receiver, assets);
    }
}
