// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ClosingPosition, CloseOutcome, LiquidationMath} from "../../contracts/libraries/LiquidationMath.sol";
import {MarginTier, MarginTiers} from "../../contracts/libraries/MarginTiers.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {WadMath} from "../../contracts/libraries/WadMath.sol";

/// @notice Fuzz tests of the liquidation fraction (LiquidationMath.minimalFraction) on a single-tier, a multi-tier
/// and a two-position (cross) account, with and without a skew premium on the close. For any liquidatable input:
///   - the fraction is in (0, 100%] (a liquidation always closes something),
///   - it is minimal to the rounding unit: when f < 100%, closing f meets the health target and closing f − 1 wei
///     misses it; when f = 100%, closing 100% − 1 wei misses it,
///   - the fee never exceeds the positive equity after the close, and the close never raises MM.
/// @dev A test fails by reverting; each error carries the values that broke the property.
contract LiquidationMathTest {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant MAX_LIQUIDATION_FEE_RATE = 0.1e18; // GovernanceLogic's bound
    uint256 internal constant MAX_BUFFER = 1e18; // GovernanceLogic's bound

    error ZeroFractionForLiquidatableAccount(int256 equity, uint256 maintenanceMargin, uint256 buffer);
    error FractionAboveOne(uint256 fraction);
    error FeeAbovePositiveEquity(uint256 fee, int256 equityAfter);
    error MaintenanceMarginRose(uint256 before, uint256 afterClose);
    error FractionMissesTarget(uint256 fraction, int256 equityAfter, uint256 target);
    error FractionNotMinimal(uint256 fraction, int256 equityAfterOneLess, uint256 targetOneLess);
    error ClosedSizeWrong(int256 size, int256 closed, uint256 fraction);
    error FractionMismatch(uint256 fraction, uint256 low, uint256 high);

    /// @dev One position of the simulated account.
    struct Pos {
        int256 size;
        int256 openNotional;
        uint256 price;
        MarginTier[] tiers;
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

    /// The design's worked example (fixture numbers): equity 400, MM 470 (one 5% bracket), notional 9,400, fee
    /// 0.5%, buffer 10%. On one bracket without premium the exact answer is 117 / 470 (400 − 47 f ≥ 517 (1 − f));
    /// the minimal wei fraction sits within a few wei of it (the requirement and fee round up).
    function testWorkedExampleFraction() public pure {
        MarginTier[] memory tiers = new MarginTier[](1);
        tiers[0] = MarginTier(uint128(1e36), 0.1e18, 0.05e18);
        ClosingPosition[] memory positions = new ClosingPosition[](1);
        positions[0].size = 1e18;
        positions[0].openNotional = 9400e18;
        positions[0].price = 9400e18;
        positions[0].tiers = tiers;
        uint256 f = LiquidationMath.minimalFraction(positions, 400e18, 0.005e18, 0.1e18, 0);
        uint256 exact = Math.mulDiv(117e18, WAD, 470e18);
        if (f < exact || f > exact + 10) revert FractionMismatch(f, exact, exact + 10);
        _checkMinimal(positions, 400e18, f, 0.005e18, 0.1e18);
    }

    /// A liquidatable account (equity = MM) with a zero buffer must still have something closed: with f = 0 a
    /// "liquidation" leaves it exactly as liquidatable as before (DESIGN §6.4: healthy at the target, or empty).
    function testZeroBufferAtMaintenanceClosesSomething() public pure {
        MarginTier[] memory tiers = new MarginTier[](1);
        tiers[0] = MarginTier(uint128(1e36), 0.1e18, 0.05e18);
        ClosingPosition[] memory positions = new ClosingPosition[](1);
        positions[0].size = 1e18;
        positions[0].openNotional = 9400e18;
        positions[0].price = 9400e18;
        positions[0].tiers = tiers;
        uint256 f = LiquidationMath.minimalFraction(positions, 470e18, 0.005e18, 0, 0);
        if (f == 0) revert ZeroFractionForLiquidatableAccount(470e18, 470e18, 0);
        _checkMinimal(positions, 470e18, f, 0.005e18, 0);
    }

    // ================================================================ the property

    function _checkFraction(Pos[] memory positions, uint256 equitySeed, uint256 paramSeed, uint256 lowestRate)
        internal
        pure
    {
        uint256 maintenanceMargin;
        int256 pnl;
        ClosingPosition[] memory closes = new ClosingPosition[](positions.length);
        for (uint256 i; i < positions.length; ++i) {
            Pos memory p = positions[i];
            uint256 n = PositionMath.notional(p.size, p.price);
            (, uint256 mm) = MarginTiers.requirements(p.tiers, n);
            maintenanceMargin += mm;
            pnl += PositionMath.unrealisedPnl(p.size, p.openNotional, p.price);
            closes[i] = _closing(p, uint256(keccak256(abi.encode(paramSeed, i))));
        }
        if (maintenanceMargin == 0) return; // not liquidatable: nothing to test

        // A liquidatable, positive equity in (0, MM] (the core closes everything at equity ≤ 0), and its margin.
        int256 equity = 1 + int256(equitySeed % maintenanceMargin);
        int256 margin = equity - pnl;
        // Governance bounds: 0 < feeRate < the lowest maintenance rate (and ≤ 10%), 0 ≤ buffer ≤ 100%.
        uint256 feeRate = 1 + paramSeed % (Math.min(lowestRate, MAX_LIQUIDATION_FEE_RATE + 1) - 1);
        uint256 buffer = uint256(keccak256(abi.encode(paramSeed))) % (MAX_BUFFER + 1);

        uint256 fraction = LiquidationMath.minimalFraction(closes, margin, feeRate, buffer, 0);
        if (fraction == 0) revert ZeroFractionForLiquidatableAccount(equity, maintenanceMargin, buffer);
        if (fraction > WAD) revert FractionAboveOne(fraction);
        _checkMinimal(closes, margin, fraction, feeRate, buffer);

        CloseOutcome memory o = LiquidationMath.applyFraction(closes, margin, fraction, feeRate, 0);
        if (o.maintenanceMarginAfter > maintenanceMargin) {
            revert MaintenanceMarginRose(maintenanceMargin, o.maintenanceMarginAfter);
        }
        if (o.fee > WadMath.positivePart(o.equityAfter + int256(o.fee))) revert FeeAbovePositiveEquity(o.fee, o.equityAfter);
        for (uint256 i; i < closes.length; ++i) {
            ClosingPosition memory c = closes[i];
            uint256 closedAbs = WadMath.abs(c.closedSize);
            // |closed| = ceil(|size| × f), same sign, never more than the size.
            if (
                (c.closedSize > 0) != (c.size > 0)
                    || closedAbs != Math.min(WadMath.mulWadUp(WadMath.abs(c.size), fraction), WadMath.abs(c.size))
            ) revert ClosedSizeWrong(c.size, c.closedSize, fraction);
        }
    }

    /// @dev f meets the target (unless it is the whole account) and f − 1 misses it.
    function _checkMinimal(ClosingPosition[] memory closes, int256 margin, uint256 fraction, uint256 feeRate, uint256 buffer)
        internal
        pure
    {
        if (fraction < WAD) {
            CloseOutcome memory o = LiquidationMath.applyFraction(closes, margin, fraction, feeRate, 0);
            uint256 target = LiquidationMath.targetEquity(o.maintenanceMarginAfter, buffer);
            if (o.equityAfter < int256(target)) revert FractionMissesTarget(fraction, o.equityAfter, target);
        }
        CloseOutcome memory less = LiquidationMath.applyFraction(closes, margin, fraction - 1, feeRate, 0);
        uint256 targetLess = LiquidationMath.targetEquity(less.maintenanceMarginAfter, buffer);
        if (less.equityAfter >= int256(targetLess)) revert FractionNotMinimal(fraction, less.equityAfter, targetLess);
    }

    /// @dev The close of `p`, in a market whose skew is up to ±2× the position and, one time in three, without a
    /// premium; otherwise a skew scale of 5 … 1,000× the position (premiums up to ±60%).
    function _closing(Pos memory p, uint256 seed) internal pure returns (ClosingPosition memory c) {
        c.size = p.size;
        c.openNotional = p.openNotional;
        c.price = p.price;
        c.tiers = p.tiers;
        uint256 absSize = WadMath.abs(p.size);
        if (seed % 3 == 0) return c;
        c.skew = int256(Math.mulDiv(absSize, seed >> 128 & 0xffff, 0x7fff)) - int256(2 * absSize);
        c.skewScale = absSize * (5 + (seed >> 16) % 996);
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
