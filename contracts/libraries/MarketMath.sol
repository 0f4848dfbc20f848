// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {FundingMath} from "./FundingMath.sol";
import {MarginTier, MarginTiers} from "./MarginTiers.sol";
import {WadMath} from "./WadMath.sol";

/// @notice A market's aggregates over all of its positions, as the vault's valuation needs them.
struct MarketAggregates {
    uint256 longOpenInterest; // base units
    uint256 shortOpenInterest; // base units
    int256 netOpenNotional; // Σ openNotional (WAD USD)
    int256 netFundingBasis; // Σ mulWadCeil(size, entry funding index) (WAD USD)
}

/// @title MarketMath
/// @notice A market's skew, pending funding, aggregates after a position changes, and margin requirements while
/// a new table ramps in. Pure: the core passes in what it read. Mirrored by `sdk/src/math/marketMath.ts`.
library MarketMath {
    using SafeCast for uint256;

    /// @notice Open-interest skew, longs − shorts (base units).
    function marketSkew(uint256 longOpenInterest, uint256 shortOpenInterest) internal pure returns (int256) {
        return longOpenInterest.toInt256() - shortOpenInterest.toInt256();
    }

    /// @notice The funding index and rate as of `timestamp`, accrual since `lastFundingTime` included.
    /// @param price The market's mark price (WAD USD per base unit), which funding is paid on.
    function pendingFunding(
        int256 fundingIndex,
        uint256 lastFundingTime,
        int256 skew,
        uint256 fundingScale,
        uint256 maxFundingRatePerSecond,
        uint256 price,
        uint256 timestamp
    ) internal pure returns (int256 indexNow, int256 ratePerSecond) {
        ratePerSecond = FundingMath.fundingRate(skew, fundingScale, maxFundingRatePerSecond);
        indexNow = fundingIndex;
        uint256 elapsed = timestamp - lastFundingTime;
        if (elapsed != 0 && ratePerSecond != 0) {
            indexNow = FundingMath.nextIndex(fundingIndex, ratePerSecond, price, elapsed);
        }
    }

    /// @notice Moves one position's contribution to the aggregates from (`sizeBefore`, `openNotionalBefore`,
    /// `fundingIndexBefore`) to (`newSize`, `newOpenNotional`, `fundingIndex`), in place.
    /// @dev Each position's funding-basis term is recomputed exactly from its stored fields, so the updates of a
    /// position over its life cancel without drift.
    function movePosition(
        MarketAggregates memory aggregates,
        int256 sizeBefore,
        int256 openNotionalBefore,
        int256 fundingIndexBefore,
        int256 newSize,
        int256 newOpenNotional,
        int256 fundingIndex
    ) internal pure {
        if (sizeBefore > 0) aggregates.longOpenInterest -= uint256(sizeBefore);
        else aggregates.shortOpenInterest -= WadMath.abs(sizeBefore);
        if (newSize > 0) aggregates.longOpenInterest += uint256(newSize);
        else aggregates.shortOpenInterest += WadMath.abs(newSize);
        aggregates.netOpenNotional += newOpenNotional - openNotionalBefore;
        aggregates.netFundingBasis +=
            WadMath.mulWadCeil(newSize, fundingIndex) - WadMath.mulWadCeil(sizeBefore, fundingIndexBefore);
    }

    /// @notice IM and MM of a position of `notional` at `timestamp`: the current table's, moving linearly from the
    /// previous table's between `rampStart` and `rampEnd` (both rounded up).
    /// @param previousTiers Only read while `timestamp < rampEnd`.
    function rampedRequirements(
        MarginTier[] memory tiers,
        MarginTier[] memory previousTiers,
        uint256 rampStart,
        uint256 rampEnd,
        uint256 notional,
        uint256 timestamp
    ) internal pure returns (uint256 initialMargin, uint256 maintenanceMargin) {
        (initialMargin, maintenanceMargin) = MarginTiers.requirements(tiers, notional);
        if (timestamp >= rampEnd) return (initialMargin, maintenanceMargin);
        (uint256 initialBefore, uint256 maintenanceBefore) = MarginTiers.requirements(previousTiers, notional);
        uint256 elapsed = timestamp - rampStart;
        uint256 duration = rampEnd - rampStart;
        initialMargin = MarginTiers.interpolate(initialBefore, initialMargin, elapsed, duration);
        maintenanceMargin = MarginTiers.interpolate(maintenanceBefore, maintenanceMargin, elapsed, duration);
    }

    /// @notice MM's slope at `notional` part-way through a ramp: the two tables' bracket rates, interpolated like the
    /// requirements. An estimate for the liquidation search's steps; the search checks every step exactly.
    function rampedMaintenanceRate(
        MarginTier[] memory tiers,
        MarginTier[] memory previousTiers,
        uint256 rampStart,
        uint256 rampEnd,
        uint256 notional,
        uint256 timestamp
    ) internal pure returns (uint256 rate) {
        rate = MarginTiers.maintenanceRateAt(tiers, notional);
        if (timestamp >= rampEnd) return rate;
        rate = MarginTiers.interpolate(
            MarginTiers.maintenanceRateAt(previousTiers, notional),
            rate,
            timestamp - rampStart,
            rampEnd - rampStart
        );
    }
}
