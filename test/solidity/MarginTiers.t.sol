// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarginTier, MarginTiers} from "../../contracts/libraries/MarginTiers.sol";

/// @notice Fuzz tests of the progressive margin table: continuity and monotonicity across brackets, IM > MM for
/// every positive notional, and rounding that never undercharges (each requirement ≥ the exact value).
contract MarginTiersTest {
    uint256 internal constant WAD = 1e18;

    /// @dev A valid random table of 1..8 brackets: caps increasing, rates non-decreasing, WAD ≥ imr > mmr > 0.
    function _table(uint256 seed) internal pure returns (MarginTier[] memory tiers) {
        uint256 count = 1 + (seed % MarginTiers.MAX_TIERS);
        tiers = new MarginTier[](count);
        uint256 cap;
        uint256 maintenanceRate = 1 + (uint256(keccak256(abi.encode(seed, "m"))) % 1e16); // ≤ 1%
        uint256 initialRate = maintenanceRate + 1 + (uint256(keccak256(abi.encode(seed, "i"))) % 1e16);
        for (uint256 i; i < count; ++i) {
            uint256 step = uint256(keccak256(abi.encode(seed, i)));
            cap += 1 + (step % 1e30);
            maintenanceRate += step % 5e16;
            initialRate = maxOf(initialRate + ((step >> 64) % 5e16), maintenanceRate + 1);
            if (initialRate > WAD) initialRate = WAD;
            if (maintenanceRate >= initialRate) maintenanceRate = initialRate - 1;
            tiers[i] = MarginTier(uint128(cap), uint64(initialRate), uint64(maintenanceRate));
        }
        MarginTiers.validate(tiers);
    }

    function maxOf(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a : b;
    }

    /// @dev The exact requirement times WAD (no rounding), computed bracket by bracket independently.
    function _exactTimesWad(MarginTier[] memory tiers, uint256 notional, bool initial) internal pure returns (uint256 sum) {
        uint256 lower;
        for (uint256 i; i < tiers.length; ++i) {
            uint256 upper = i == tiers.length - 1 ? notional : (notional < tiers[i].notionalCap ? notional : tiers[i].notionalCap);
            if (upper <= lower) break;
            sum += (upper - lower) * (initial ? tiers[i].initialMarginRate : tiers[i].maintenanceMarginRate);
            lower = tiers[i].notionalCap;
        }
    }

    function testRoundsUpNeverUndercharges(uint256 seed, uint256 notional) public pure {
        MarginTier[] memory tiers = _table(seed);
        notional = notional % 1e33;
        (uint256 initialMargin, uint256 maintenanceMargin) = MarginTiers.requirements(tiers, notional);
        uint256 exactInitial = _exactTimesWad(tiers, notional, true);
        uint256 exactMaintenance = _exactTimesWad(tiers, notional, false);
        require(initialMargin * WAD >= exactInitial && initialMargin * WAD < exactInitial + WAD, "IM not ceil");
        require(
            maintenanceMargin * WAD >= exactMaintenance && maintenanceMargin * WAD < exactMaintenance + WAD,
            "MM not ceil"
        );
    }

    function testInitialAboveMaintenanceForEveryNotional(uint256 seed, uint256 notional) public pure {
        MarginTier[] memory tiers = _table(seed);
        notional = 1 + (notional % 1e33);
        (uint256 initialMargin, uint256 maintenanceMargin) = MarginTiers.requirements(tiers, notional);
        // Exact values satisfy IM > MM strictly; after ceil both may meet at tiny notionals, never invert.
        require(initialMargin >= maintenanceMargin, "IM below MM");
        require(_exactTimesWad(tiers, notional, true) > _exactTimesWad(tiers, notional, false), "exact IM <= MM");
    }

    function testMonotonic(uint256 seed, uint256 notional, uint256 increase) public pure {
        MarginTier[] memory tiers = _table(seed);
        notional = notional % 1e33;
        uint256 larger = notional + (increase % 1e33);
        (uint256 initialSmall, uint256 maintenanceSmall) = MarginTiers.requirements(tiers, notional);
        (uint256 initialLarge, uint256 maintenanceLarge) = MarginTiers.requirements(tiers, larger);
        require(initialLarge >= initialSmall && maintenanceLarge >= maintenanceSmall, "not monotonic");
    }

    /// @dev Across every bracket edge, one wei of notional moves a requirement by at most the top rate (+1 for
    /// the ceil): no jump at the edges.
    function testContinuousAcrossEveryEdge(uint256 seed) public pure {
        MarginTier[] memory tiers = _table(seed);
        for (uint256 i; i < tiers.length; ++i) {
            uint256 edge = tiers[i].notionalCap;
            (uint256 initialBelow, uint256 maintenanceBelow) = MarginTiers.requirements(tiers, edge - 1);
            (uint256 initialAt, uint256 maintenanceAt) = MarginTiers.requirements(tiers, edge);
            (uint256 initialAbove, uint256 maintenanceAbove) = MarginTiers.requirements(tiers, edge + 1);
            require(initialAt - initialBelow <= 2 && initialAbove - initialAt <= 2, "IM jumps at an edge");
            require(maintenanceAt - maintenanceBelow <= 2 && maintenanceAbove - maintenanceAt <= 2, "MM jumps");
        }
    }

    /// @dev Convexity (what the liquidation fraction relies on): MM(N × (1 − f)) ≤ (1 − f) × MM(N) + 1.
    function testConvexInTheClosedFraction(uint256 seed, uint256 notional, uint256 fraction) public pure {
        MarginTier[] memory tiers = _table(seed);
        notional = notional % 1e33;
        fraction = fraction % (WAD + 1);
        uint256 remaining = notional - (notional * fraction) / WAD;
        (, uint256 maintenanceAll) = MarginTiers.requirements(tiers, notional);
        (, uint256 maintenanceRemaining) = MarginTiers.requirements(tiers, remaining);
        require(maintenanceRemaining <= (maintenanceAll * (WAD - fraction)) / WAD + 2, "not convex");
    }

    function testInterpolateStaysBetweenEndsAndRoundsUp(uint256 from, uint256 to, uint256 elapsed, uint256 duration)
        public
        pure
    {
        from = from % 1e40;
        to = to % 1e40;
        duration = 1 + (duration % 30 days);
        elapsed = elapsed % (2 * duration);
        uint256 value = MarginTiers.interpolate(from, to, elapsed, duration);
        uint256 low = from < to ? from : to;
        uint256 high = from < to ? to : from;
        require(value >= low && value <= high, "outside the ramp");
        if (elapsed >= duration) require(value == to, "ramp not finished");
        // Never below the exact linear value: value × duration ≥ from × (duration − elapsed) + to × elapsed.
        if (elapsed < duration) {
            require(value * duration >= from * (duration - elapsed) + to * elapsed, "rounded down");
        }
    }
}
