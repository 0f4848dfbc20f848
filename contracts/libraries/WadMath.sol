// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title WadMath
/// @notice 18-decimal fixed-point arithmetic with the rounding direction in every name.
/// @dev Ballast's only place for plain `/`. Signed helpers round toward −∞ (`Floor`) or +∞ (`Ceil`),
/// never toward zero, so "against the trader" is one word whatever the sign of the value.
/// Mirrored by `sdk/src/math/wadMath.ts`.
library WadMath {
    uint256 internal constant WAD = 1e18;

    /// @dev x × y / WAD, rounded down.
    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD);
    }

    /// @dev x × y / WAD, rounded up.
    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);
    }

    /// @dev x × WAD / y, rounded down.
    function divWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y);
    }

    /// @dev x × WAD / y, rounded up.
    function divWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y, Math.Rounding.Ceil);
    }

    /// @dev x × y / d for signed x, rounded toward −∞.
    function mulDivFloor(int256 x, uint256 y, uint256 d) internal pure returns (int256) {
        if (x >= 0) return SafeCast.toInt256(Math.mulDiv(uint256(x), y, d));
        return -SafeCast.toInt256(Math.mulDiv(abs(x), y, d, Math.Rounding.Ceil));
    }

    /// @dev x × y / d for signed x, rounded toward +∞.
    function mulDivCeil(int256 x, uint256 y, uint256 d) internal pure returns (int256) {
        if (x >= 0) return SafeCast.toInt256(Math.mulDiv(uint256(x), y, d, Math.Rounding.Ceil));
        return -SafeCast.toInt256(Math.mulDiv(abs(x), y, d));
    }

    /// @dev x × y / WAD for signed x, rounded toward −∞.
    function mulWadFloor(int256 x, uint256 y) internal pure returns (int256) {
        return mulDivFloor(x, y, WAD);
    }

    /// @dev x × y / WAD for signed x and y, rounded toward +∞.
    function mulWadCeil(int256 x, int256 y) internal pure returns (int256) {
        return y >= 0 ? mulDivCeil(x, uint256(y), WAD) : mulDivCeil(-x, abs(y), WAD);
    }

    /// @dev |x| as uint256; defined for type(int256).min too.
    function abs(int256 x) internal pure returns (uint256) {
        // unchecked: -(x + 1) + 1 cannot overflow in uint256, even for type(int256).min.
        unchecked {
            return x >= 0 ? uint256(x) : uint256(-(x + 1)) + 1;
        }
    }

    /// @dev max(x, 0) as uint256.
    function positivePart(int256 x) internal pure returns (uint256) {
        return x > 0 ? uint256(x) : 0;
    }
}
