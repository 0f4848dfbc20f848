// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IBallastErrors} from "../interfaces/IBallastErrors.sol";
import {WadMath} from "./WadMath.sol";

/// @notice One bracket of a market's margin table.
/// @dev Bracket i covers position notional in (notionalCap_{i−1}, notionalCap_i]; the last bracket also covers
/// everything above its cap. Rates are WAD (1e18 = 100%). One storage slot.
struct MarginTier {
    uint128 notionalCap; // WAD USD
    uint64 initialMarginRate; // WAD
    uint64 maintenanceMarginRate; // WAD
}

/// @title MarginTiers
/// @notice Progressive (continuous) initial and maintenance margin from a tier table.
/// @dev MM(N) = Σ_i mmr_i × max(0, min(N, cap_i) − cap_{i−1}) with cap_0 = 0, and IM likewise. This equals the
/// exchanges' "notional × rate − maintenance amount" tables. Non-decreasing rates make both functions convex,
/// which the liquidation fraction relies on. Requirements round up (against the trader).
/// Mirrored by `sdk/src/math/marginTiers.ts`.
library MarginTiers {
    uint256 internal constant MAX_TIERS = 8;


    /// @notice Initial and maintenance margin for a position of `notional` (WAD USD), both rounded up.
    function requirements(MarginTier[] memory tiers, uint256 notional)
        internal
        pure
        returns (uint256 initialMargin, uint256 maintenanceMargin)
    {
        // Sum the exact products (WAD × WAD) and divide once, so the only rounding is the final one.
        uint256 initialSum;
        uint256 maintenanceSum;
        uint256 lowerCap;
        uint256 last = tiers.length - 1;
        for (uint256 i; i <= last; ++i) {
            MarginTier memory tier = tiers[i];
            uint256 upper = i == last ? notional : Math.min(notional, tier.notionalCap);
            if (upper <= lowerCap) break;
            uint256 width = upper - lowerCap;
            initialSum += width * tier.initialMarginRate;
            maintenanceSum += width * tier.maintenanceMarginRate;
            lowerCap = tier.notionalCap;
        }
        initialMargin = Math.ceilDiv(initialSum, WadMath.WAD);
        maintenanceMargin = Math.ceilDiv(maintenanceSum, WadMath.WAD);
    }

    /// @notice The maintenance rate of the bracket that holds `notional`: MM's slope just below `notional` (a bracket
    /// covers (cap_{i−1}, cap_i]), the rate at which MM falls as the position shrinks from there.
    function maintenanceRateAt(MarginTier[] memory tiers, uint256 notional) internal pure returns (uint256) {
        uint256 last = tiers.length - 1;
        for (uint256 i; i < last; ++i) {
            if (notional <= tiers[i].notionalCap) return tiers[i].maintenanceMarginRate;
        }
        return tiers[last].maintenanceMarginRate;
    }

    /// @notice A requirement part-way through a ramp from `fromRequirement` to `toRequirement`, rounded up.
    /// @dev Linear in time; equals `toRequirement` once `elapsed ≥ duration`.
    function interpolate(uint256 fromRequirement, uint256 toRequirement, uint256 elapsed, uint256 duration)
        internal
        pure
        returns (uint256)
    {
        if (elapsed >= duration) return toRequirement;
        if (toRequirement >= fromRequirement) {
            return fromRequirement + Math.mulDiv(toRequirement - fromRequirement, elapsed, duration, Math.Rounding.Ceil);
        }
        return fromRequirement - Math.mulDiv(fromRequirement - toRequirement, elapsed, duration);
    }

    /// @notice Reverts unless `tiers` is a valid table: 1..MAX_TIERS brackets, caps strictly increasing,
    /// rates non-decreasing, and WAD ≥ imr > mmr > 0 in every bracket.
    function validate(MarginTier[] memory tiers) internal pure {
        if (tiers.length == 0 || tiers.length > MAX_TIERS) revert IBallastErrors.InvalidTierCount(tiers.length, MAX_TIERS);
        uint256 previousCap;
        for (uint256 i; i < tiers.length; ++i) {
            MarginTier memory tier = tiers[i];
            if (tier.notionalCap <= previousCap) revert IBallastErrors.TierCapsNotIncreasing(i, previousCap, tier.notionalCap);
            if (
                tier.maintenanceMarginRate == 0 || tier.initialMarginRate <= tier.maintenanceMarginRate
                    || tier.initialMarginRate > WadMath.WAD
            ) revert IBallastErrors.InvalidTierRates(i, tier.initialMarginRate, tier.maintenanceMarginRate);
            if (
                i > 0
                    && (
                        tier.initialMarginRate < tiers[i - 1].initialMarginRate
                            || tier.maintenanceMarginRate < tiers[i - 1].maintenanceMarginRate
                    )
            ) revert IBallastErrors.TierRatesDecreasing(i);
            previousCap = tier.notionalCap;
        }
    }
}
