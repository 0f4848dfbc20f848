// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarginTier} from "../../contracts/libraries/MarginTiers.sol";
import {MarketAggregates, MarketMath} from "../../contracts/libraries/MarketMath.sol";
import {WadMath} from "../../contracts/libraries/WadMath.sol";

/// @notice Fuzz tests of MarketMath: aggregates that cancel exactly over a position's life, pending funding that
/// is the identity without elapsed time or rate, and ramped requirements that start at the old table, end at the
/// new one and never leave the interval between them.
contract MarketMathTest {
    uint256 internal constant WAD = 1e18;

    function _bounded(int256 x, uint256 bound) internal pure returns (int256) {
        return int256(uint256(x < 0 ? -(x % int256(bound)) : x % int256(bound))) * (x < 0 ? int256(-1) : int256(1));
    }

    /// Opening, resizing and closing one position returns every aggregate to where it started.
    function testMovePositionCancelsOverALife(
        int256 size1,
        int256 size2,
        int256 notional1,
        int256 notional2,
        int256 index1,
        int256 index2,
        uint128 longStart,
        uint128 shortStart
    ) public pure {
        size1 = _bounded(size1, 1e30);
        size2 = _bounded(size2, 1e30);
        notional1 = _bounded(notional1, 1e36);
        notional2 = _bounded(notional2, 1e36);
        index1 = _bounded(index1, 1e30);
        index2 = _bounded(index2, 1e30);
        MarketAggregates memory aggregates = MarketAggregates(longStart, shortStart, 7, -3);
        MarketMath.movePosition(aggregates, 0, 0, 0, size1, notional1, index1);
        MarketMath.movePosition(aggregates, size1, notional1, index1, size2, notional2, index2);
        MarketMath.movePosition(aggregates, size2, notional2, index2, 0, 0, index2);
        require(aggregates.longOpenInterest == longStart, "long OI drifted");
        require(aggregates.shortOpenInterest == shortStart, "short OI drifted");
        require(aggregates.netOpenNotional == 7, "net open notional drifted");
        require(aggregates.netFundingBasis == -3, "funding basis drifted");
    }

    /// A position sits on exactly one side: its size is added to that side's open interest only.
    function testMovePositionCountsOneSide(int256 size) public pure {
        size = _bounded(size, 1e30);
        MarketAggregates memory aggregates = MarketAggregates(0, 0, 0, 0);
        MarketMath.movePosition(aggregates, 0, 0, 0, size, 0, int256(WadMath.WAD));
        require(aggregates.longOpenInterest == (size > 0 ? uint256(size) : 0), "long side");
        require(aggregates.shortOpenInterest == (size < 0 ? uint256(-size) : 0), "short side");
        require(MarketMath.marketSkew(aggregates.longOpenInterest, aggregates.shortOpenInterest) == size, "skew");
    }

    /// No time elapsed, or no rate: the index does not move.
    function testPendingFundingIdentity(int128 index, uint64 last, int256 skew, uint256 price) public pure {
        skew = _bounded(skew, 1e30);
        price = price % 1e30;
        (int256 sameTime,) = MarketMath.pendingFunding(index, last, skew, 1e24, 1e12, price, last);
        require(sameTime == index, "moved with no time elapsed");
        (int256 noScale, int256 rate) = MarketMath.pendingFunding(index, last, skew, 0, 1e12, price, uint256(last) + 1 days);
        require(noScale == index && rate == 0, "moved with funding disabled");
    }

    /// A ramp starts at the old requirement, ends at the new one, and stays between them (rounded up).
    function testRampStaysBetweenTables(uint256 notional, uint64 mmBefore, uint64 mmAfter, uint32 elapsed) public view {
        notional = notional % 1e33;
        uint64 before = 1 + mmBefore % 5e17;
        uint64 afterwards = 1 + mmAfter % 5e17;
        MarginTier[] memory previous = new MarginTier[](1);
        previous[0] = MarginTier(type(uint128).max, uint64(before + 1), before);
        MarginTier[] memory current = new MarginTier[](1);
        current[0] = MarginTier(type(uint128).max, uint64(afterwards + 1), afterwards);
        uint256 start = block.timestamp;
        uint256 end = start + 1 days;
        (, uint256 atStart) = MarketMath.rampedRequirements(current, previous, start, end, notional, start);
        (, uint256 atEnd) = MarketMath.rampedRequirements(current, previous, start, end, notional, end);
        (, uint256 between) =
            MarketMath.rampedRequirements(current, previous, start, end, notional, start + (elapsed % 1 days));
        uint256 oldMm = (notional * before + WAD - 1) / WAD;
        uint256 newMm = (notional * afterwards + WAD - 1) / WAD;
        require(atStart == oldMm, "ramp does not start at the old table");
        require(atEnd == newMm, "ramp does not end at the new table");
        uint256 low = oldMm < newMm ? oldMm : newMm;
        uint256 high = oldMm < newMm ? newMm : oldMm;
        require(between >= low && between <= high, "ramp leaves the interval");
    }
}
