// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WadMath} from "../../contracts/libraries/WadMath.sol";

/// @notice Fuzz tests of WadMath's named roundings: up and down differ by at most one unit and bracket the exact
/// value; signed floor/ceil round toward −∞/+∞; abs and positivePart.
contract WadMathTest {
    uint256 internal constant WAD = 1e18;

    function testUpAndDownBracketTheExactProduct(uint128 x, uint128 y) public pure {
        uint256 down = WadMath.mulWadDown(x, y);
        uint256 up = WadMath.mulWadUp(x, y);
        uint256 exact = uint256(x) * y;
        require(down * WAD <= exact && exact <= up * WAD, "mulWad does not bracket");
        require(up - down <= 1 && (up == down) == (exact % WAD == 0), "mulWad up/down differ by more than rounding");
    }

    function testDivBracketsTheExactQuotient(uint128 x, uint128 y) public pure {
        if (y == 0) y = 1;
        uint256 down = WadMath.divWadDown(x, y);
        uint256 up = WadMath.divWadUp(x, y);
        require(down * y <= uint256(x) * WAD && uint256(x) * WAD <= up * y, "divWad does not bracket");
        require(up - down <= 1, "divWad up/down differ by more than one");
    }

    function testSignedFloorAndCeil(int128 x, uint128 y, uint128 d) public pure {
        if (d == 0) d = 1;
        int256 floor = WadMath.mulDivFloor(x, y, d);
        int256 ceil = WadMath.mulDivCeil(x, y, d);
        int256 exact = int256(x) * int256(uint256(y));
        require(floor * int256(uint256(d)) <= exact, "floor above the exact value");
        require(ceil * int256(uint256(d)) >= exact, "ceil below the exact value");
        require(ceil - floor <= 1, "floor and ceil more than one apart");
        require(WadMath.mulDivFloor(-int256(x), y, d) == -ceil, "floor(-x) != -ceil(x)");
    }

    function testAbsAndPositivePart(int256 x) public pure {
        uint256 a = WadMath.abs(x);
        if (x >= 0) require(a == uint256(x) && WadMath.positivePart(x) == uint256(x), "non-negative");
        else require(a == uint256(-(x + 1)) + 1 && WadMath.positivePart(x) == 0, "negative");
    }
}
