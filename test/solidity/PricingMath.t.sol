// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PricingMath} from "../../contracts/libraries/PricingMath.sol";

/// @notice Fuzz tests of PricingMath: no premium without a skew scale; a trade that grows a skew pays a premium
/// and one that shrinks it from the far side gets a discount; fees never exceed the taker rate on the notional.
contract PricingMathTest {
    uint256 internal constant WAD = 1e18;

    function _bounded(int256 x, uint256 bound) internal pure returns (int256) {
        int256 magnitude = int256(uint256(x < 0 ? -(x % int256(bound)) : x % int256(bound)));
        return x < 0 ? -magnitude : magnitude;
    }

    function testNoPremiumWithoutSkewScale(uint256 price, int256 skew, int256 delta) public pure {
        price = 1 + price % 1e30;
        skew = _bounded(skew, 1e30);
        delta = _bounded(delta, 1e30);
        require(PricingMath.fillPrice(price, skew, delta, 0) == price, "premium with skewScale 0");
    }

    function testGrowingTheSkewPaysAPremium(uint256 price, uint128 skew, uint128 delta, uint128 scale) public pure {
        price = 1e18 + price % 1e24;
        uint256 skewScale = 1e24 + uint256(scale); // a premium of at most ~ (skew + delta) / 1e24
        int256 longSkew = int256(uint256(skew % 1e22));
        int256 buy = int256(1 + uint256(delta % 1e22));
        require(PricingMath.fillPrice(price, longSkew, buy, skewScale) >= price, "a buy into a long skew at a discount");
        require(PricingMath.fillPrice(price, -longSkew, -buy, skewScale) <= price, "a sell into a short skew at a premium");
    }

    function testFeeAtMostTakerRate(int256 skew, int256 delta, uint256 fill, uint64 maker, uint64 taker) public pure {
        skew = _bounded(skew, 1e30);
        delta = _bounded(delta, 1e30);
        fill = fill % 1e30;
        if (maker > taker) (maker, taker) = (taker, maker);
        uint256 fee = PricingMath.tradingFee(skew, delta, fill, maker, taker);
        uint256 notional = uint256(delta < 0 ? -delta : delta) * fill / WAD + 1; // WAD USD, rounded up
        require(fee <= notional * taker / WAD + 2, "fee above the taker rate (plus rounding)");
    }
}
