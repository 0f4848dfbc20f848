// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {LiquidationMath} from "../../contracts/libraries/LiquidationMath.sol";
import {MarginTier, MarginTiers} from "../../contracts/libraries/MarginTiers.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {WadMath} from "../../contracts/libraries/WadMath.sol";

/// @notice Fuzz tests of the liquidation fraction (LiquidationMath) on a single-tier, a multi-tier and a two-position
/// (cross) account: for any liquidatable input, closing the fraction f of every position at the mark with
/// PositionMath.applyFill and charging LiquidationMath.liquidationFee
///   - never returns f = 0 (a liquidation always closes something),
///   - never charges more than the positive equity (before or after the close),
///   - never raises MM (and lowers it by at least f, up to one wei: tiers are convex),
///   - and, when f < 100%, leaves equity − fee ≥ targetEquity(MM after) (the partial liquidation restores health).
/// @dev A test fails by reverting; each error carries the values that broke the property.
contract LiquidationMathTest {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant MAX_LIQUIDATION_FEE_RATE = 0.1e18; // GovernanceLogic's bound
    uint256 internal constant MAX_BUFFER = 1e18; // GovernanceLogic's bound

    error ZeroFractionForLiquidatableAccount(int256 equity, uint256 maintenanceMargin, uint256 buffer);
    error FractionAboveOne(uint256 fraction);
    error FeeAbovePositiveEquity(uint256 fee, int256 equityBefore, int256 equityAfterClose);
    error CloseCreatedValue(int256 equityBefore, int256 equityAfterClose);
    error MaintenanceMarginRose(uint256 before, uint256 afterClose);
    error MaintenanceMarginNotConvex(uint256 before, uint256 afterClose, uint256 fraction);
    error PartialMissesTarget(uint256 fraction, int256 equityAfter, uint256 target, uint256 maintenanceMarginAfter);
    error ClosedSizeWrong(int256 size, int256 closed, uint256 fraction);
    error FractionMismatch(uint256 fraction, uint256 expected);

    /// @dev One position of the simulated account.
    struct Pos {
        int256 size;
        int256 openNotional;
        uint256 price;
        MarginTier[] tiers;
    }

    /// @dev What closing a fraction did to the account.
    struct Outcome {
        int256 equityAfterClose; // margin + realised + value left, before the fee
        uint256 closedNotional;
        uint256 maintenanceMarginAfter;
        uint256 fee;
    }

    // ================================================================ fuzz tests

    function testFuzzSingleTierFraction(
        uint256 sizeSeed,
        uint256 priceSeed,
        uint256 moveSeed,
        uint256 equitySeed,
        uint256 rateSeed,
        uint256 paramSeed
    ) public pure {
        MarginTier[] memory tiers = _singleTier(rateSeed);
        Pos[] memory positions = new Pos[](1);
        positions[0] = _position(sizeSeed, priceSeed, moveSeed, tiers);
        _checkFraction(positions, equitySeed, paramSeed, tiers[0].maintenanceMarginRate);
    }

    function testFuzzMultiTierFraction(
        uint256 sizeSeed,
        uint256 priceSeed,
        uint256 moveSeed,
        uint256 equitySeed,
        uint256 tierSeed,
        uint256 paramSeed
    ) public pure {
        MarginTier[] memory tiers = _multiTier(tierSeed);
        Pos[] memory positions = new Pos[](1);
        positions[0] = _position(sizeSeed, priceSeed, moveSeed, tiers);
        _checkFraction(positions, equitySeed, paramSeed, tiers[0].maintenanceMarginRate);
    }

    /// Two positions (a single-tier one and a multi-tier one, long or short each) closed by the same fraction.
    function testFuzzCrossAccountFraction(
        uint256 sizeSeed,
        uint256 priceSeed,
        uint256 moveSeed,
        uint256 equitySeed,
        uint256 tierSeed,
        uint256 paramSeed
    ) public pure {
        MarginTier[] memory single = _singleTier(tierSeed >> 128);
        MarginTier[] memory multi = _multiTier(tierSeed);
        Pos[] memory positions = new Pos[](2);
        positions[0] = _position(sizeSeed, priceSeed, moveSeed, single);
        positions[1] = _position(
            uint256(keccak256(abi.encode(sizeSeed))), uint256(keccak256(abi.encode(priceSeed))), moveSeed >> 128, multi
        );
        uint256 lowestRate = Math.min(single[0].maintenanceMarginRate, multi[0].maintenanceMarginRate);
        _checkFraction(positions, equitySeed, paramSeed, lowestRate);
    }

    // ================================================================ deterministic cases

    /// The design's worked example (fixture numbers): equity 400, MM 470, notional 9,400, fee 0.5%, buffer 10%.
    function testWorkedExampleFraction() public pure {
        uint256 f = LiquidationMath.closeFraction(400e18, 470e18, 9400e18, 0.005e18, 0.1e18);
        // (517 − 400 + 1e-9) / (517 − 47), rounded up.
        uint256 expected = Math.mulDiv(117e18 + LiquidationMath.ROUNDING_SLACK, WAD, 470e18, Math.Rounding.Ceil);
        if (f != expected) revert FractionMismatch(f, expected);
    }

    /// A liquidatable account (equity = MM) with a zero buffer must still have something closed: with f = 0 a
    /// "liquidation" leaves it exactly as liquidatable as before (DESIGN §6.4: healthy at the target, or empty).
    function testZeroBufferAtMaintenanceClosesSomething() public pure {
        uint256 f = LiquidationMath.closeFraction(470e18, 470e18, 9400e18, 0.005e18, 0);
        if (f == 0) revert ZeroFractionForLiquidatableAccount(470e18, 470e18, 0);
    }

    /// Equity at or below zero, or at most the fee on everything: the whole account.
    function testFractionIsWholeWhenEquityCannotPayTheFee() public pure {
        int256[3] memory equities = [int256(0), -1, 47e18];
        for (uint256 i; i < equities.length; ++i) {
            uint256 f = LiquidationMath.closeFraction(equities[i], 470e18, 9400e18, 0.005e18, 0.1e18);
            if (f != WAD) revert FractionMismatch(f, WAD);
        }
        // Just above the fee on everything, a partial is possible.
        uint256 g = LiquidationMath.closeFraction(47e18 + 2e9, 470e18, 9400e18, 0.005e18, 0.1e18);
        if (g >= WAD) revert FractionMismatch(g, WAD - 1);
    }

    // ================================================================ the property

    function _checkFraction(Pos[] memory positions, uint256 equitySeed, uint256 paramSeed, uint256 lowestRate)
        internal
        pure
    {
        uint256 maintenanceMargin;
        uint256 totalNotional;
        int256 pnl;
        for (uint256 i; i < positions.length; ++i) {
            Pos memory p = positions[i];
            uint256 n = PositionMath.notional(p.size, p.price);
            (, uint256 mm) = MarginTiers.requirements(p.tiers, n);
            maintenanceMargin += mm;
            totalNotional += n;
            pnl += PositionMath.unrealisedPnl(p.size, p.openNotional, p.price);
        }
        if (maintenanceMargin == 0) return; // not liquidatable: nothing to test

        // A liquidatable equity in [−MM, MM], and the margin that gives it.
        int256 equity = int256(equitySeed % (2 * maintenanceMargin + 1)) - int256(maintenanceMargin);
        int256 margin = equity - pnl;
        // Governance bounds: 0 < feeRate < the lowest maintenance rate (and ≤ 10%), 0 ≤ buffer ≤ 100%.
        uint256 feeRate = 1 + paramSeed % (Math.min(lowestRate, MAX_LIQUIDATION_FEE_RATE + 1) - 1);
        // Hashed so that every buffer in [0, 100%] is reachable; the zero-buffer edge at equity = MM has its own
        // deterministic test below (testZeroBufferAtMaintenanceClosesSomething).
        uint256 buffer = uint256(keccak256(abi.encode(paramSeed))) % (MAX_BUFFER + 1);

        uint256 fraction = LiquidationMath.closeFraction(equity, maintenanceMargin, totalNotional, feeRate, buffer);
        if (fraction == 0) revert ZeroFractionForLiquidatableAccount(equity, maintenanceMargin, buffer);
        if (fraction > WAD) revert FractionAboveOne(fraction);

        Outcome memory o = _close(positions, margin, fraction, feeRate);

        if (o.equityAfterClose > equity) revert CloseCreatedValue(equity, o.equityAfterClose);
        if (o.fee > WadMath.positivePart(o.equityAfterClose) || o.fee > WadMath.positivePart(equity)) {
            revert FeeAbovePositiveEquity(o.fee, equity, o.equityAfterClose);
        }
        if (o.maintenanceMarginAfter > maintenanceMargin) {
            revert MaintenanceMarginRose(maintenanceMargin, o.maintenanceMarginAfter);
        }
        // Convexity with MM(0) = 0, per position: MM((1 − f) N) ≤ (1 − f) MM(N), up to the ceil of the requirement
        // and one wei of notional rounding per position.
        if (o.maintenanceMarginAfter > WadMath.mulWadUp(maintenanceMargin, WAD - fraction) + positions.length) {
            revert MaintenanceMarginNotConvex(maintenanceMargin, o.maintenanceMarginAfter, fraction);
        }
        if (fraction < WAD) {
            int256 equityAfter = o.equityAfterClose - int256(o.fee);
            uint256 target = LiquidationMath.targetEquity(o.maintenanceMarginAfter, buffer);
            if (equityAfter < 0 || uint256(equityAfter) < target) {
                revert PartialMissesTarget(fraction, equityAfter, target, o.maintenanceMarginAfter);
            }
        }
    }

    /// @dev Closes `fraction` of every position at its mark, as the core does.
    function _close(Pos[] memory positions, int256 margin, uint256 fraction, uint256 feeRate)
        internal
        pure
        returns (Outcome memory o)
    {
        int256 remainingValue;
        for (uint256 i; i < positions.length; ++i) {
            Pos memory p = positions[i];
            int256 closed = LiquidationMath.closeSize(p.size, fraction);
            uint256 closedAbs = WadMath.abs(closed);
            // |closed| = ceil(|size| × f), same sign, never more than the size.
            if (
                (closed > 0) != (p.size > 0) || closedAbs > WadMath.abs(p.size)
                    || closedAbs != Math.min(WadMath.mulWadUp(WadMath.abs(p.size), fraction), WadMath.abs(p.size))
            ) revert ClosedSizeWrong(p.size, closed, fraction);
            (int256 newSize, int256 newOpenNotional, int256 realised) =
                PositionMath.applyFill(p.size, p.openNotional, -closed, p.price);
            margin += realised;
            o.closedNotional += PositionMath.notional(closed, p.price);
            if (newSize != 0) {
                (, uint256 mm) = MarginTiers.requirements(p.tiers, PositionMath.notional(newSize, p.price));
                o.maintenanceMarginAfter += mm;
                remainingValue += PositionMath.unrealisedPnl(newSize, newOpenNotional, p.price);
            }
        }
        o.equityAfterClose = margin + remainingValue;
        o.fee = LiquidationMath.liquidationFee(o.closedNotional, feeRate, o.equityAfterClose);
    }

    // ================================================================ input generation

    /// @dev A position opened at an entry price and marked at up to ±50% from it; size and price log-uniform
    /// (size 1e-18 … 1e6 base units, price 1e-10 … 1e6 USD), long or short.
    function _position(uint256 sizeSeed, uint256 priceSeed, uint256 moveSeed, MarginTier[] memory tiers)
        internal
        pure
        returns (Pos memory p)
    {
        uint256 sizeAbs = (1 + (sizeSeed >> 8) % 1e12) * 10 ** (sizeSeed % 13);
        p.size = (sizeSeed & (1 << 255)) == 0 ? int256(sizeAbs) : -int256(sizeAbs);
        uint256 entry = (1 + (priceSeed >> 8) % 1e8) * 10 ** (priceSeed % 17);
        p.price = Math.max(1, Math.mulDiv(entry, 0.5e18 + moveSeed % 1e18, WAD));
        (p.openNotional,,) = PositionMath.applyFill(0, 0, p.size, entry);
        p.tiers = tiers;
    }

    /// @dev One bracket: maintenance rate 0.5% … 45%, initial twice that.
    function _singleTier(uint256 seed) internal pure returns (MarginTier[] memory tiers) {
        uint256 mmr = 0.005e18 + seed % 0.445e18;
        tiers = new MarginTier[](1);
        tiers[0] = MarginTier(uint128(1e36), uint64(2 * mmr), uint64(mmr));
        MarginTiers.validate(tiers);
    }

    /// @dev 2 … 8 brackets, caps from 1,000 … 101,000 USD growing 2–10× each, maintenance rates non-decreasing
    /// from 0.5% … 5% up to at most 45%, initial twice that.
    function _multiTier(uint256 seed) internal pure returns (MarginTier[] memory tiers) {
        uint256 count = 2 + seed % 7;
        tiers = new MarginTier[](count);
        uint256 cap = 1_000e18 + (seed >> 8) % 100_000e18;
        uint256 mmr = 0.005e18 + (seed >> 80) % 0.045e18;
        for (uint256 i; i < count; ++i) {
            tiers[i] = MarginTier(uint128(cap), uint64(2 * mmr), uint64(mmr));
            uint256 step = uint256(keccak256(abi.encode(seed, i)));
            cap *= 2 + step % 9;
            mmr = Math.min(mmr + (step >> 8) % 0.06e18, 0.45e18);
        }
        MarginTiers.validate(tiers);
    }
}
