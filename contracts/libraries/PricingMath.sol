// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IBallastErrors} from "../interfaces/IBallastErrors.sol";
import {WadMath} from "./WadMath.sol";

/// @title PricingMath
/// @notice Fill price with a skew premium, and maker/taker trading fees.
/// @dev Fill = price × (1 + averageSkew / skewScale), averageSkew = skew + sizeDelta / 2 (Synthetix style):
/// a trade that grows the skew pays a premium, one that shrinks it gets a discount. skewScale = 0 disables it.
/// The fill rounds against the trader (up for buys, down for sells). Mirrored by `sdk/src/math/pricingMath.ts`.
library PricingMath {
    /// @notice The price a trade of `sizeDelta` fills at, given the oracle `price` and market `skew`.
    function fillPrice(uint256 price, int256 skew, int256 sizeDelta, uint256 skewScale) internal pure returns (uint256) {
        (uint256 fill, bool positive) = _fillPrice(price, skew, sizeDelta, skewScale);
        if (!positive) revert IBallastErrors.FillPriceNotPositive(price, skew, sizeDelta);
        return fill;
    }

    /// @notice `fillPrice` for a liquidation's close, which must never revert: where the discount would reach the
    /// whole price (only once governance has set `skewScale` below the open interest), the close fills at 1 wei.
    function closeFillPrice(uint256 price, int256 skew, int256 sizeDelta, uint256 skewScale)
        internal
        pure
        returns (uint256)
    {
        (uint256 fill, bool positive) = _fillPrice(price, skew, sizeDelta, skewScale);
        return positive ? fill : 1;
    }

    function _fillPrice(uint256 price, int256 skew, int256 sizeDelta, uint256 skewScale)
        private
        pure
        returns (uint256 fill, bool positive)
    {
        if (skewScale == 0) return (price, true);
        int256 doubledAverageSkew = 2 * skew + sizeDelta;
        bool buying = sizeDelta > 0;
        if (doubledAverageSkew >= 0) {
            Math.Rounding rounding = buying ? Math.Rounding.Ceil : Math.Rounding.Floor;
            return (price + Math.mulDiv(price, uint256(doubledAverageSkew), 2 * skewScale, rounding), true);
        }
        Math.Rounding discountRounding = buying ? Math.Rounding.Floor : Math.Rounding.Ceil;
        uint256 discount = Math.mulDiv(price, WadMath.abs(doubledAverageSkew), 2 * skewScale, discountRounding);
        if (discount >= price) return (0, false);
        return (price - discount, true);
    }

    /// @notice The fee for `sizeDelta` at `fill`: maker rate on the part that reduces |skew|, taker on the rest.
    /// @dev Rounded up (a fee owed by the trader).
    function tradingFee(int256 skew, int256 sizeDelta, uint256 fill, uint256 makerFeeRate, uint256 takerFeeRate)
        internal
        pure
        returns (uint256)
    {
        uint256 tradeSize = WadMath.abs(sizeDelta);
        uint256 makerSize = skew != 0 && (skew > 0) != (sizeDelta > 0) ? Math.min(tradeSize, WadMath.abs(skew)) : 0;
        uint256 weightedSize = makerSize * makerFeeRate + (tradeSize - makerSize) * takerFeeRate;
        return Math.mulDiv(weightedSize, fill, WadMath.WAD * WadMath.WAD, Math.Rounding.Ceil);
    }
}
