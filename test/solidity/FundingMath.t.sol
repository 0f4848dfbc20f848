// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FundingMath} from "../../contracts/libraries/FundingMath.sol";

/// @notice Fuzz tests of FundingMath: the rate follows the skew's sign and never exceeds its clamp, funding is
/// zero without index movement, and what longs and shorts of equal size owe sums to at least zero (rounded
/// against both traders).
contract FundingMathTest {
    function _bounded(int256 x, uint256 bound) internal pure returns (int256) {
        int256 magnitude = int256(uint256(x < 0 ? -(x % int256(bound)) : x % int256(bound)));
        return x < 0 ? -magnitude : magnitude;
    }

    function testRateFollowsSkewWithinClamp(int256 skew, uint128 scale, uint64 maxRate) public pure {
        skew = _bounded(skew, 1e30);
        int256 rate = FundingMath.fundingRate(skew, scale, maxRate);
        require(rate == 0 || (rate > 0) == (skew > 0), "rate against the skew");
        require((rate < 0 ? uint256(-rate) : uint256(rate)) <= maxRate, "rate above its clamp");
        if (scale == 0) require(rate == 0, "funding with a zero scale");
    }

    function testNoIndexMovementNoFunding(int256 size, int256 index) public pure {
        size = _bounded(size, 1e30);
        index = _bounded(index, 1e30);
        require(FundingMath.accruedFunding(size, index, index) == 0, "funding without index movement");
    }

    function testLongAndShortOweAtLeastZeroTogether(int256 size, int256 entry, int256 index) public pure {
        size = _bounded(size, 1e30);
        entry = _bounded(entry, 1e30);
        index = _bounded(index, 1e30);
        int256 longOwes = FundingMath.accruedFunding(size, entry, index);
        int256 shortOwes = FundingMath.accruedFunding(-size, entry, index);
        require(longOwes + shortOwes >= 0, "rounding paid out more than was owed");
        require(longOwes + shortOwes <= 1, "rounding kept more than one unit");
    }
}
