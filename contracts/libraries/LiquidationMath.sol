// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {MarginTier} from "./MarginTiers.sol";
import {MarketMath} from "./MarketMath.sol";
import {PositionMath} from "./PositionMath.sol";
import {PricingMath} from "./PricingMath.sol";
import {WadMath} from "./WadMath.sol";

/// @notice One position of a liquidated account: what closing any part of it needs, and the close of the fraction
/// last applied (`LiquidationMath.applyFraction` fills in the second half).
struct ClosingPosition {
    int256 size;
    int256 openNotional;
    int256 fundingPaid; // funding the position owes up to now, settled whatever fraction closes
    uint256 price; // mark
    int256 skew; // the market's skew before the close
    uint256 skewScale;
    MarginTier[] tiers; // the brackets the position's notional reaches
    MarginTier[] previousTiers; // the same of the table a ramp starts from; empty outside a ramp
    uint256 rampStart;
    uint256 rampEnd;
    int256 closedSize;
    uint256 closePrice; // the close's fill, skew premium included
    int256 newSize;
    int256 newOpenNotional;
    int256 realisedPnl;
}

/// @notice An account after closing `fraction` of every position.
struct CloseOutcome {
    uint256 fraction;
    uint256 closedNotional; // at the close's fill
    uint256 fee;
    uint256 maintenanceMarginAfter;
    uint256 remainingNotional; // at the mark
    int256 marginAfter; // before any bad-debt write-off
    int256 equityAfter;
}

/// @title LiquidationMath
/// @notice The smallest pro-rata fraction of an account to close, the close at the price a close of that size
/// gets, and the liquidation fee.
/// @dev Closing fraction f of every position changes equity by the fee and the close's skew premium (closing at
/// the mark would leave it unchanged), and MM by the tier brackets the shrinking notionals cross. Tiered MM is
/// convex and piecewise linear in f and the premium cost convex, so g(f) = equity after − target after is concave:
/// Newton steps from f = 0 along g's slope approach its root from below, crossing at least one bracket edge each;
/// the search then checks exactly that f meets the target and f − 1 misses it. Mirrored by
/// `sdk/src/math/liquidationMath.ts`.
library LiquidationMath {
    /// @dev Newton steps before the search falls back to bisection. Each step crosses at least one bracket edge
    /// of one position or lands on the root, so a handful suffice in practice.
    uint256 internal constant MAX_NEWTON_STEPS = 16;
    /// @dev False-position steps before the search falls back to bisection (which bounds it at 60 more steps).
    uint256 internal constant MAX_CHORD_STEPS = 24;

    /// @notice The smallest fraction (WAD) whose close meets the health target, to the rounding unit: the close of
    /// f meets it and the close of f − 1 does not. WAD when no partial close does.
    /// @dev Newton steps from 0 along `closeSlope` give a fraction that misses and one that meets the target
    /// (concave g: the steps approach its root from below, crossing a bracket edge each, so they land within
    /// rounding of it); false position (Illinois) then shrinks that bracket to two adjacent fractions, falling back to
    /// bisection if it has not after `MAX_CHORD_STEPS`. Each evaluation moves its end of the bracket to the edge of
    /// the plateau of fractions that close the same sizes (`_plateau`). Leaves `positions` holding the close of the last fraction
    /// tried, not necessarily of the result.
    /// @param margin The account's realised margin before the liquidation.
    /// @param timestamp The time the margin tables are read at (a ramp moves with it).
    function minimalFraction(
        ClosingPosition[] memory positions,
        int256 margin,
        uint256 feeRate,
        uint256 buffer,
        uint256 timestamp
    ) internal pure returns (uint256) {
        uint256 low; // misses the target: fraction 0 leaves a liquidatable account as it is
        int256 gapLow;
        uint256 high = WadMath.WAD; // meets it, or (gapHigh unknown) the whole account
        int256 gapHigh = type(int256).max;
        uint256 fraction;
        for (uint256 step; step < MAX_NEWTON_STEPS; ++step) {
            (int256 gap, int256 slope) = _gapAndSlope(positions, margin, fraction, feeRate, buffer, timestamp, true);
            (uint256 first, uint256 last) = _plateau(positions);
            if (gap >= 0) {
                (high, gapHigh) = (first, gap);
                break;
            }
            (low, gapLow) = (last, gap);
            if (low >= WadMath.WAD - 1) return WadMath.WAD; // even the largest partial close misses
            // Where g no longer rises (concave: nothing beyond meets the target, but for rounding), try the largest
            // partial close next.
            fraction = slope <= 0
                ? WadMath.WAD - 1
                : Math.min(
                    Math.max(
                        fraction + Math.mulDiv(uint256(-gap), WadMath.WAD, uint256(slope), Math.Rounding.Ceil),
                        low + 1
                    ),
                    WadMath.WAD - 1
                );
        }
        bool lowMovedLast;
        bool highMovedLast;
        for (uint256 step; high > low + 1; ++step) {
            uint256 probe = low + (high - low) / 2;
            uint256 span = uint256(gapHigh) + uint256(-gapLow);
            if (step < MAX_CHORD_STEPS && gapHigh != type(int256).max && span != 0) {
                // Where the chord between the two gaps crosses zero, kept strictly inside the bracket.
                uint256 below = Math.mulDiv(uint256(gapHigh), high - low, span);
                probe = Math.min(Math.max(high - below, low + 1), high - 1);
            }
            (int256 gap, ) = _gapAndSlope(positions, margin, probe, feeRate, buffer, timestamp, false);
            (uint256 first, uint256 last) = _plateau(positions);
            if (gap >= 0) {
                (high, gapHigh) = (first, gap);
                // Illinois: an end that stays put twice has its gap halved, so the chord cannot stall beside it.
                if (highMovedLast) gapLow /= 2;
                (highMovedLast, lowMovedLast) = (true, false);
            } else {
                (low, gapLow) = (last, gap);
                if (lowMovedLast && gapHigh != type(int256).max) gapHigh /= 2;
                (highMovedLast, lowMovedLast) = (false, true);
            }
        }
        return high;
    }

    /// @dev The fractions that close exactly what the last applied fraction closed, in every position: [first, last].
    /// The outcome depends on the fraction only through the closed sizes (|size| × f rounded up), so every fraction
    /// in it meets or misses the target alike, and the search jumps to its edge instead of stepping through it.
    function _plateau(ClosingPosition[] memory positions) private pure returns (uint256 first, uint256 last) {
        last = WadMath.WAD;
        for (uint256 i; i < positions.length; ++i) {
            uint256 size = WadMath.abs(positions[i].size);
            uint256 closed = WadMath.abs(positions[i].closedSize);
            // ceil(size × f / WAD) = closed ⇔ (closed − 1) × WAD < size × f ≤ closed × WAD; capped at size.
            uint256 lowest = closed == 0 ? 0 : (closed - 1) * WadMath.WAD / size + 1;
            uint256 highest = closed == size ? WadMath.WAD : closed * WadMath.WAD / size;
            if (lowest > first) first = lowest;
            if (highest < last) last = highest;
        }
    }

    /// @notice Closes `fraction` of every position at the price a close of that size gets (skew premium included),
    /// charges the fee on the closed notional, and returns the account after it; each position's close is written
    /// into `positions`.
    function applyFraction(
        ClosingPosition[] memory positions,
        int256 margin,
        uint256 fraction,
        uint256 feeRate,
        uint256 timestamp
    ) internal pure returns (CloseOutcome memory outcome) {
        outcome.fraction = fraction;
        int256 remainingValue;
        for (uint256 i; i < positions.length; ++i) {
            ClosingPosition memory p = positions[i];
            p.closedSize = closeSize(p.size, fraction);
            p.closePrice = PricingMath.closeFillPrice(p.price, p.skew, -p.closedSize, p.skewScale);
            (p.newSize, p.newOpenNotional, p.realisedPnl) =
                PositionMath.applyFill(p.size, p.openNotional, -p.closedSize, p.closePrice);
            margin += p.realisedPnl - p.fundingPaid;
            outcome.closedNotional += PositionMath.notional(p.closedSize, p.closePrice);
            if (p.newSize != 0) {
                uint256 notional = PositionMath.notional(p.newSize, p.price);
                (, uint256 maintenanceMargin) = MarketMath.rampedRequirements(
                    p.tiers, p.previousTiers, p.rampStart, p.rampEnd, notional, timestamp
                );
                outcome.remainingNotional += notional;
                outcome.maintenanceMarginAfter += maintenanceMargin;
                remainingValue += PositionMath.unrealisedPnl(p.newSize, p.newOpenNotional, p.price);
            }
        }
        outcome.fee = liquidationFee(outcome.closedNotional, feeRate, margin + remainingValue);
        outcome.marginAfter = margin - int256(outcome.fee);
        outcome.equityAfter = outcome.marginAfter + remainingValue;
    }

    /// @dev Equity after closing `fraction` less the health target after it (≥ 0: the fraction is enough), and
    /// (if `withSlope`) that difference's slope per WAD of fraction.
    function _gapAndSlope(
        ClosingPosition[] memory positions,
        int256 margin,
        uint256 fraction,
        uint256 feeRate,
        uint256 buffer,
        uint256 timestamp,
        bool withSlope
    ) private pure returns (int256 gap, int256 slope) {
        CloseOutcome memory outcome = applyFraction(positions, margin, fraction, feeRate, timestamp);
        gap = outcome.equityAfter - int256(targetEquity(outcome.maintenanceMarginAfter, buffer));
        if (!withSlope) return (gap, 0);
        for (uint256 i; i < positions.length; ++i) {
            ClosingPosition memory p = positions[i];
            uint256 maintenanceRate = MarketMath.rampedMaintenanceRate(
                p.tiers, p.previousTiers, p.rampStart, p.rampEnd, PositionMath.notional(p.newSize, p.price), timestamp
            );
            slope += closeSlope(
                p.size, p.closedSize, p.price, p.closePrice, p.skew, p.skewScale, maintenanceRate, feeRate, buffer
            );
        }
    }

    /// @notice The health target after a partial liquidation: MM × (1 + buffer), rounded up, and at least MM + 1,
    /// so that an account at the target is never liquidatable (equity ≤ MM), even with a zero buffer.
    function targetEquity(uint256 maintenanceMargin, uint256 buffer) internal pure returns (uint256) {
        return Math.max(WadMath.mulWadUp(maintenanceMargin, WadMath.WAD + buffer), maintenanceMargin + 1);
    }

    /// @notice d(equity after − target)/df of closing fraction f of one position, per WAD of fraction, in WAD
    /// USD: MM released × (1 + buffer), plus the skew premium the close earns (negative: pays) at the margin,
    /// less the fee. An estimate for the search's Newton steps (it ignores the fee's premium term and rounding).
    /// @param size The position before the liquidation.
    /// @param closedSize What fraction f closes of it (`closeSize`).
    /// @param markPrice The mark price; `closePrice` the close's fill.
    /// @param skew The market's skew before the close; 0 `skewScale` disables the premium.
    /// @param maintenanceRate MM's slope at the notional left open (`MarketMath.rampedMaintenanceRate`).
    function closeSlope(
        int256 size,
        int256 closedSize,
        uint256 markPrice,
        uint256 closePrice,
        int256 skew,
        uint256 skewScale,
        uint256 maintenanceRate,
        uint256 feeRate,
        uint256 buffer
    ) internal pure returns (int256 slope) {
        uint256 absSize = WadMath.abs(size);
        uint256 released = WadMath.mulWadDown(WadMath.mulWadDown(absSize, markPrice), maintenanceRate);
        slope = SafeCast.toInt256(WadMath.mulWadDown(released, WadMath.WAD + buffer))
            - SafeCast.toInt256(WadMath.mulWadDown(WadMath.mulWadDown(absSize, closePrice), feeRate));
        if (skewScale == 0) return slope;
        // Closing one more unit fills at markPrice × (1 + skewAfter / skewScale): a gain where the skew left still
        // leans the position's way (the close shrinks it), a cost where it leans against.
        int256 skewAfter = skew - closedSize;
        uint256 premium = Math.mulDiv(Math.mulDiv(markPrice, WadMath.abs(skewAfter), skewScale), absSize, WadMath.WAD);
        slope = (size > 0) == (skewAfter > 0) ? slope + SafeCast.toInt256(premium) : slope - SafeCast.toInt256(premium);
    }

    /// @notice The size to close out of `size` for fraction `fraction`: |size| × fraction rounded up, signed
    /// like `size`, never more than `size`.
    function closeSize(int256 size, uint256 fraction) internal pure returns (int256) {
        uint256 closed = Math.min(WadMath.mulWadUp(WadMath.abs(size), fraction), WadMath.abs(size));
        // Cast is safe for every size the core stores (int128): closed ≤ |size| < 2^127.
        return size >= 0 ? int256(closed) : -int256(closed);
    }

    /// @notice feeRate × closedNotional (at the close's fill) rounded up, capped at the equity left after the close (never below 0).
    function liquidationFee(uint256 closedNotional, uint256 feeRate, int256 equityAfterClose)
        internal
        pure
        returns (uint256)
    {
        return Math.min(WadMath.mulWadUp(closedNotional, feeRate), WadMath.positivePart(equityAfterClose));
    }
}
