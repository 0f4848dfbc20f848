// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IBallastCore} from "../interfaces/IBallastCore.sol";
import {RiskTotals} from "./AccountRisk.sol";
import {FundingMath} from "./FundingMath.sol";
import {MarginMath} from "./MarginMath.sol";
import {PositionMath} from "./PositionMath.sol";
import {PricingMath} from "./PricingMath.sol";
import {WadMath} from "./WadMath.sol";

/// @notice A priced trade against one position, before anything is written.
struct Fill {
    uint256 price; // the fill price: mark price plus the skew premium
    uint256 fee;
    int256 fundingPaid; // funding settled on the position before the trade
    int256 newSize;
    int256 newOpenNotional;
    int256 realisedPnl;
    bool increasesRisk; // grows |size| or flips the side
}

/// @title TradeMath
/// @notice Prices a trade against a position (fill price with the skew premium, fee, funding settled, the
/// position after) and checks the account after it. Pure. Mirrored by `sdk/src/math/tradeMath.ts`.
library TradeMath {
    /// @notice Prices `sizeDelta` against a position of (`size`, `openNotional`, `lastFundingIndex`).
    /// @param marketSkew The market's skew before the trade (base units).
    function priceFill(
        int256 size,
        int256 openNotional,
        int256 lastFundingIndex,
        int256 sizeDelta,
        uint256 markPrice,
        int256 fundingIndex,
        int256 marketSkew,
        uint256 skewScale,
        uint256 makerFeeRate,
        uint256 takerFeeRate
    ) internal pure returns (Fill memory result) {
        result.price = PricingMath.fillPrice(markPrice, marketSkew, sizeDelta, skewScale);
        result.fee = PricingMath.tradingFee(marketSkew, sizeDelta, result.price, makerFeeRate, takerFeeRate);
        result.fundingPaid = FundingMath.accruedFunding(size, lastFundingIndex, fundingIndex);
        (result.newSize, result.newOpenNotional, result.realisedPnl) = PositionMath.applyFill(
            size,
            openNotional,
            sizeDelta,
            result.price
        );
        result.increasesRisk =
            WadMath.abs(result.newSize) > WadMath.abs(size) ||
            (result.newSize != 0 && size != 0 && (result.newSize > 0) != (size > 0));
    }

    /// @notice Reverts unless the market after a risk-increasing trade is within the capacity LP capital backs
    /// (DESIGN §8): each side's open-interest notional, the skew notional when the trade grew |skew|, and the
    /// traders' net unrealised PnL, each at most its factor of `capital`. A factor of 0 skips its check.
    /// @param skewBefore The market's skew before the trade; `longOpenInterest`, `shortOpenInterest` and
    /// `netOpenNotional` are after it.
    /// @param capital LP capital, WAD USD (the positive part of the realised LP ledger).
    function checkCapacity(
        uint256 marketId,
        uint256 longOpenInterest,
        uint256 shortOpenInterest,
        int256 skewBefore,
        int256 netOpenNotional,
        uint256 markPrice,
        uint256 capital,
        uint256 maxOpenInterestFactor,
        uint256 maxSkewFactor,
        uint256 maxPnlFactor
    ) internal pure {
        if (maxOpenInterestFactor != 0) {
            uint256 capacity = WadMath.mulWadDown(capital, maxOpenInterestFactor);
            uint256 notional = WadMath.mulWadUp(Math.max(longOpenInterest, shortOpenInterest), markPrice);
            if (notional > capacity) revert IBallastCore.OpenInterestCapacityExceeded(marketId, notional, capacity);
        }
        int256 skew = int256(longOpenInterest) - int256(shortOpenInterest);
        if (maxSkewFactor != 0 && WadMath.abs(skew) > WadMath.abs(skewBefore)) {
            uint256 capacity = WadMath.mulWadDown(capital, maxSkewFactor);
            uint256 notional = PositionMath.notional(skew, markPrice);
            if (notional > capacity) revert IBallastCore.SkewCapacityExceeded(marketId, notional, capacity);
        }
        if (maxPnlFactor != 0) {
            uint256 capacity = WadMath.mulWadDown(capital, maxPnlFactor);
            int256 traderPnl = PositionMath.unrealisedPnl(skew, netOpenNotional, markPrice);
            if (traderPnl > 0 && uint256(traderPnl) > capacity) {
                revert IBallastCore.PnlCapacityExceeded(marketId, uint256(traderPnl), capacity);
            }
        }
    }

    /// @notice Reverts if a risk-increasing trade leaves a position below the market's minimum notional (at the
    /// mark price), so no dust position is opened that would cost more to liquidate than it pays.
    function checkMinimumNotional(int256 newSize, uint256 markPrice, uint256 minPositionNotional) internal pure {
        uint256 newNotional = PositionMath.notional(newSize, markPrice);
        if (newNotional < minPositionNotional)
            revert IBallastCore.PositionBelowMinimum(newNotional, minPositionNotional);
    }

    /// @notice Reverts unless the realised margin left after the trade's PnL and funding (`marginBeforeFee`) pays the
    /// whole `fee`: a fee never makes realised margin negative, so insurance and the vault are only ever credited
    /// fees that tokens back.
    function checkFeeCovered(int256 marginBeforeFee, uint256 fee) internal pure {
        if (fee == 0) return;
        uint256 payableMargin = WadMath.positivePart(marginBeforeFee);
        if (fee > payableMargin) revert IBallastCore.FeeExceedsMargin(fee, payableMargin);
    }

    /// @notice Reverts unless the account after a trade is acceptable: a risk-increasing trade must leave
    /// equity ≥ IM; a reduction must not leave the account liquidatable or with negative equity.
    function checkAccountAfter(RiskTotals memory totalsAfter, bool increasesRisk) internal pure {
        if (increasesRisk) {
            if (totalsAfter.equity < int256(totalsAfter.initialMargin)) {
                revert IBallastCore.InsufficientMargin(totalsAfter.equity, totalsAfter.initialMargin);
            }
        } else if (
            totalsAfter.equity < 0 || MarginMath.isLiquidatable(totalsAfter.equity, totalsAfter.maintenanceMargin)
        ) {
            revert IBallastCore.ReductionLeavesAccountUnhealthy(totalsAfter.equity, totalsAfter.maintenanceMargin);
        }
    }
}
