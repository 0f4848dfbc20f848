// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccountHealth} from "../interfaces/IBallastCore.sol";
import {FundingMath} from "./FundingMath.sol";
import {MarginMath} from "./MarginMath.sol";
import {PositionMath} from "./PositionMath.sol";

/// @notice One position's contribution to its account's risk.
struct PositionRisk {
    int256 value; // unrealisedPnl − accruedFunding, WAD USD
    uint256 initialMargin;
    uint256 maintenanceMargin;
    uint256 notional; // |size| × mark price, rounded up
}

/// @notice An account's sums over its positions (equity includes the realised margin).
struct RiskTotals {
    int256 equity;
    uint256 initialMargin;
    uint256 maintenanceMargin;
    uint256 totalNotional;
}

/// @title AccountRisk
/// @notice Position value, account totals and the account figures derived from them. Pure: requirements come
/// from `MarketMath.requirements`. Mirrored by `sdk/src/math/accountRisk.ts`.
library AccountRisk {
    /// @notice A position's value at `price` with funding settled to `fundingIndex` (PnL down, funding owed up),
    /// and its notional. Requirements are filled in by the caller, which knows the market's table.
    function positionValue(
        int256 size,
        int256 openNotional,
        int256 lastFundingIndex,
        uint256 price,
        int256 fundingIndex
    ) internal pure returns (int256 value, uint256 notional) {
        value =
            PositionMath.unrealisedPnl(size, openNotional, price) -
            FundingMath.accruedFunding(size, lastFundingIndex, fundingIndex);
        notional = PositionMath.notional(size, price);
    }

    /// @notice Adds one position's risk to the account's totals.
    function addRisk(RiskTotals memory totals, PositionRisk memory risk) internal pure {
        totals.equity += risk.value;
        totals.initialMargin += risk.initialMargin;
        totals.maintenanceMargin += risk.maintenanceMargin;
        totals.totalNotional += risk.notional;
    }

    /// @notice The totals with one position's risk replaced (`before` → `afterwards`) and the margin moved by
    /// `marginDelta`: the account after a trade, without a second pass over its positions.
    function replaceRisk(
        RiskTotals memory totals,
        PositionRisk memory before,
        PositionRisk memory afterwards,
        int256 marginDelta
    ) internal pure returns (RiskTotals memory result) {
        result.equity = totals.equity - before.value + afterwards.value + marginDelta;
        result.initialMargin = totals.initialMargin - before.initialMargin + afterwards.initialMargin;
        result.maintenanceMargin = totals.maintenanceMargin - before.maintenanceMargin + afterwards.maintenanceMargin;
        result.totalNotional = totals.totalNotional - before.notional + afterwards.notional;
    }

    /// @notice The account figures users see, from its realised margin and totals.
    function healthFromTotals(int256 margin, RiskTotals memory totals) internal pure returns (AccountHealth memory result) {
        result.margin = margin;
        result.equity = totals.equity;
        result.initialMargin = totals.initialMargin;
        result.maintenanceMargin = totals.maintenanceMargin;
        result.totalNotional = totals.totalNotional;
        result.healthFactor = MarginMath.healthFactor(totals.equity, totals.maintenanceMargin);
        result.marginRatio = MarginMath.marginRatio(totals.equity, totals.maintenanceMargin);
        result.withdrawable = MarginMath.withdrawableMargin(margin, totals.equity, totals.initialMargin);
        result.liquidatable = MarginMath.isLiquidatable(totals.equity, totals.maintenanceMargin);
    }
}
