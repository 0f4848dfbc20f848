// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {OracleAdapter} from "../../contracts/oracle/OracleAdapter.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {AggregatorV3Interface} from "../../contracts/interfaces/AggregatorV3Interface.sol";

/// @notice Fuzz tests of OracleAdapter's normalisation to 18 decimals, against a reference written independently
/// (one decimal digit at a time), plus tryGetPrice against aggregators that misbehave.
/// @dev This contract is also the "broken aggregator" of the tryGetPrice tests (see `latestRoundData` below).
contract OracleAdapterTest {
    bytes32 internal constant FEED = keccak256("FUZZ/USD");
    uint256 internal constant MAX_PRICE_WAD = 1e36;
    uint8 internal constant MAX_DECIMALS = 36;

    error NormalisationMismatch(uint256 answer, uint8 decimals, uint256 priceWad, uint256 expectedWad);
    error NotRoundedDown(uint256 answer, uint8 decimals, uint256 priceWad);
    error UnexpectedSuccess(uint256 answer, uint8 decimals, uint256 priceWad);
    error UnexpectedRevert(uint256 answer, uint8 decimals, bytes reason);
    error TryGetPriceDisagrees(bool ok, uint256 priceWad);

    OracleAdapter internal adapter;

    function setUp() public {
        adapter = new OracleAdapter(address(this));
    }

    /* FUZZ: normalisation */

    /// Every answer whose WAD value lies in [1, 1e36] is normalised exactly (d ≤ 18) or rounded down (d > 18).
    function testFuzzInRangeAnswerIsNormalisedExactlyOrDown(uint256 priceSeed, uint256 decimalsSeed) public {
        uint8 feedDecimals = uint8(decimalsSeed % (MAX_DECIMALS + 1));
        // Answers whose WAD value is in [1, 1e36]: [1, 1e36 / 10^(18-d)] or [10^(d-18), (1e36 + 1) × 10^(d-18) − 1].
        uint256 answer =
            feedDecimals <= 18
                ? _bound(priceSeed, 1, MAX_PRICE_WAD / 10 ** (18 - feedDecimals))
                : _bound(priceSeed, 10 ** (feedDecimals - 18), (MAX_PRICE_WAD + 1) * 10 ** (feedDecimals - 18) - 1);

        _setFeed(answer, feedDecimals);
        uint256 priceWad = adapter.getPrice(FEED);

        (uint256 expectedWad, ) = _referenceWad(answer, feedDecimals);
        if (priceWad != expectedWad) revert NormalisationMismatch(answer, feedDecimals, priceWad, expectedWad);
        // Rounding down: priceWad × 10^(d-18) ≤ answer < (priceWad + 1) × 10^(d-18); exact when d ≤ 18.
        if (feedDecimals <= 18) {
            if (priceWad / 10 ** (18 - feedDecimals) != answer) revert NotRoundedDown(answer, feedDecimals, priceWad);
        } else {
            uint256 unit = 10 ** (feedDecimals - 18);
            if (priceWad * unit > answer || (priceWad + 1) * unit <= answer) {
                revert NotRoundedDown(answer, feedDecimals, priceWad);
            }
        }
    }

    /// Any positive answer, at any magnitude, either yields the reference WAD value within bounds or reverts
    /// with PriceOutOfBounds: never a panic, never a wrong price.
    function testFuzzAnyAnswerIsReferenceOrOutOfBounds(uint256 answerSeed, uint8 shift, uint256 decimalsSeed) public {
        uint8 feedDecimals = uint8(decimalsSeed % (MAX_DECIMALS + 1));
        // Shifting spreads answers over every magnitude instead of clustering them near 2^255.
        uint256 answer = _bound(answerSeed >> shift, 1, uint256(type(int256).max));

        _setFeed(answer, feedDecimals);
        (uint256 expectedWad, bool overflows) = _referenceWad(answer, feedDecimals);
        bool inBounds = !overflows && expectedWad >= 1 && expectedWad <= MAX_PRICE_WAD;

        try adapter.getPrice(FEED) returns (uint256 priceWad) {
            if (!inBounds) revert UnexpectedSuccess(answer, feedDecimals, priceWad);
            if (priceWad != expectedWad) revert NormalisationMismatch(answer, feedDecimals, priceWad, expectedWad);
        } catch (bytes memory reason) {
            if (inBounds || bytes4(reason) != IOracleAdapter.PriceOutOfBounds.selector) {
                revert UnexpectedRevert(answer, feedDecimals, reason);
            }
        }
        _assertTryGetPriceAgrees(inBounds, expectedWad);
    }

    /* tryGetPrice against a broken aggregator (this contract) */

    /// 0: latestRoundData reverts; 1: it returns too few bytes to decode.
    uint256 internal brokenMode;

    function testTryGetPriceReturnsFalseWhenAggregatorReverts() public {
        brokenMode = 0;
        adapter.setFeed(FEED, AggregatorV3Interface(address(this)), 1 days, 1, MAX_PRICE_WAD);
        _assertTryGetPriceAgrees(false, 0);
    }

    function testTryGetPriceReturnsFalseWhenAggregatorReturnsGarbage() public {
        brokenMode = 1;
        adapter.setFeed(FEED, AggregatorV3Interface(address(this)), 1 days, 1, MAX_PRICE_WAD);
        _assertTryGetPriceAgrees(false, 0);
    }

    /// @dev Broken aggregator: well-formed decimals, misbehaving latestRoundData.
    function decimals() external pure returns (uint8) {
        return 8;
    }

    /// @dev Broken aggregator. Declared without return values so that mode 1 can return a malformed payload.
    function latestRoundData() external view {
        if (brokenMode == 0) revert("aggregator down");
        assembly ("memory-safe") {
            mstore(0, 1)
            return(0, 32) // one word where five are expected
        }
    }

    /* HELPERS */

    function _setFeed(uint256 answer, uint8 feedDecimals) internal {
        // The cast is safe: every caller bounds answer to ≤ type(int256).max.
        MockAggregator aggregator = new MockAggregator(feedDecimals, int256(answer), "FUZZ / USD");
        adapter.setFeed(FEED, aggregator, 1 days, 1, MAX_PRICE_WAD);
    }

    function _assertTryGetPriceAgrees(bool expectedOk, uint256 expectedWad) internal view {
        (bool ok, uint256 priceWad) = adapter.tryGetPrice(FEED);
        if (ok != expectedOk || priceWad != (expectedOk ? expectedWad : 0)) revert TryGetPriceDisagrees(ok, priceWad);
    }

    /// @dev Reference normalisation, one decimal digit at a time: ×10 per missing decimal (flagging overflow),
    /// ÷10 per extra decimal (each floor of a floor is the floor of the whole quotient, so this rounds down).
    function _referenceWad(uint256 answer, uint8 feedDecimals) internal pure returns (uint256 wad, bool overflows) {
        wad = answer;
        for (uint256 d = feedDecimals; d < 18; ++d) {
            if (wad > type(uint256).max / 10) return (0, true);
            wad *= 10;
        }
        for (uint256 d = feedDecimals; d > 18; --d) {
            wad /= 10;
        }
    }

    /// @dev `x` mapped into [min, max] (min ≤ max, max − min < type(uint256).max).
    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
