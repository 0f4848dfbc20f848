// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PositionMath} from "../../contracts/libraries/PositionMath.sol";

/// @notice Fuzz tests of PositionMath: value is never created by a fill (realised + remaining PnL after ≤ PnL
/// before, at the fill price), a whole close leaves nothing, every basis is whole nano-dollars, and notional
/// ignores the side.
contract PositionMathTest {
    function _bounded(int256 x, uint256 bound) internal pure returns (int256) {
        int256 magnitude = int256(uint256(x < 0 ? -(x % int256(bound)) : x % int256(bound)));
        return x < 0 ? -magnitude : magnitude;
    }

    function testNoValueCreatedByAFill(int256 size, int256 delta, uint256 entry, uint256 price) public pure {
        size = _bounded(size, 1e30);
        delta = _bounded(delta, 1e30);
        entry = 1 + entry % 1e30;
        price = 1 + price % 1e30;
        (, int256 openNotional,) = PositionMath.applyFill(0, 0, size, entry);
        int256 before = PositionMath.unrealisedPnl(size, openNotional, price);
        (int256 newSize, int256 newOpenNotional, int256 realised) = PositionMath.applyFill(size, openNotional, delta, price);
        int256 afterwards = realised + PositionMath.unrealisedPnl(newSize, newOpenNotional, price);
        require(afterwards <= before, "a fill created value");
    }

    function testWholeCloseLeavesNothing(int256 size, uint256 entry, uint256 price) public pure {
        size = _bounded(size, 1e30);
        if (size == 0) size = 1;
        entry = 1 + entry % 1e30;
        price = 1 + price % 1e30;
        (, int256 openNotional,) = PositionMath.applyFill(0, 0, size, entry);
        (int256 newSize, int256 newOpenNotional, int256 realised) = PositionMath.applyFill(size, openNotional, -size, price);
        require(newSize == 0 && newOpenNotional == 0, "a whole close left a position");
        require(realised == PositionMath.unrealisedPnl(size, openNotional, price), "realised != the PnL closed");
    }

    /// The core stores a basis in whole nano-dollars (one-slot positions): every fill keeps it a multiple of
    /// BASIS_UNIT, rounded up by less than one unit from the exact WAD basis (against the trader).
    function testEveryBasisIsWholeBasisUnits(int256 size, int256 delta, uint256 entry, uint256 price) public pure {
        size = _bounded(size, 1e30);
        delta = _bounded(delta, 1e30);
        entry = 1 + entry % 1e30;
        price = 1 + price % 1e30;
        int256 unit = int256(PositionMath.BASIS_UNIT);
        (, int256 openNotional,) = PositionMath.applyFill(0, 0, size, entry);
        require(openNotional % unit == 0, "an opening basis is not whole units");
        // Rounded up, by less than a unit: exact ≤ basis < exact + unit (exact = size × entry / WAD, as a fraction).
        int256 scaled = openNotional * 1e18;
        int256 exact = size * int256(entry);
        require(scaled >= exact && scaled < exact + unit * 1e18, "an opening basis is not the next whole unit");
        (, int256 newOpenNotional,) = PositionMath.applyFill(size, openNotional, delta, price);
        require(newOpenNotional % unit == 0, "a basis after a fill is not whole units");
    }

    function testNotionalIgnoresTheSide(int256 size, uint256 price) public pure {
        size = _bounded(size, 1e30);
        price = price % 1e30;
        require(PositionMath.notional(size, price) == PositionMath.notional(-size, price), "notional depends on side");
    }
}
