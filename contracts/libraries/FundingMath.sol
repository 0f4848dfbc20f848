// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {WadMath} from "./WadMath.sol";

/// @title FundingMath
/// @notice Skew-proportional funding with a per-market cumulative index per unit of size.
/// @dev rate (WAD per second) = maxRate × skew / fundingScale, clamped to ±maxRate; positive: longs pay shorts.
/// The index (WAD USD per base unit) grows by rate × price × elapsed. A position owes
/// size × (index − its entry index), rounded toward +∞ (against the trader); the vault carries the net skew,
/// so everything traders pay or receive is mirrored in the LP ledger and funding is zero-sum.
/// Mirrored by `sdk/src/math/fundingMath.ts`.
library FundingMath {
    using WadMath for int256;

    /// @notice The funding rate per second for a skew of `skew` base units (longs − shorts).
    /// @dev Truncated toward zero: the rate is shared by both sides, so neither is favoured. `fundingScale` = 0
    /// disables funding.
    function fundingRate(int256 skew, uint256 fundingScale, uint256 maxRatePerSecond) internal pure returns (int256) {
        if (fundingScale == 0) return 0;
        uint256 magnitude = Math.min(Math.mulDiv(WadMath.abs(skew), maxRatePerSecond, fundingScale), maxRatePerSecond);
        int256 rate = SafeCast.toInt256(magnitude);
        return skew >= 0 ? rate : -rate;
    }

    /// @notice The index after `elapsed` seconds at `ratePerSecond` and `price`.
    /// @dev The increment is truncated toward zero, like the rate.
    function nextIndex(int256 index, int256 ratePerSecond, uint256 price, uint256 elapsed)
        internal
        pure
        returns (int256)
    {
        int256 increment = SafeCast.toInt256(Math.mulDiv(WadMath.abs(ratePerSecond) * elapsed, price, WadMath.WAD));
        return ratePerSecond >= 0 ? index + increment : index - increment;
    }

    /// @notice Funding a position owes since its entry index (negative: it is owed), rounded toward +∞.
    function accruedFunding(int256 size, int256 entryIndex, int256 index) internal pure returns (int256) {
        return size.mulWadCeil(index - entryIndex);
    }
}
