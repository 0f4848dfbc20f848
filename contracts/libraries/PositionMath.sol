// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WadMath} from "./WadMath.sol";

/// @title PositionMath
/// @notice Value, notional and trade accounting of one position.
/// @dev A position is (size, openNotional): size in signed WAD base units (long > 0), openNotional the signed
/// WAD USD paid to open it (size × entry price). One formula serves longs and shorts:
/// unrealisedPnl = size × price − openNotional. Every rounding goes against the trader.
/// Mirrored by `sdk/src/math/positionMath.ts`.
library PositionMath {
    using WadMath for int256;

    /// @notice The unit of every open notional, in WAD USD: a nano-dollar. Bases are kept whole multiples of it (each
    /// rounded up to the next, against the trader) so that the core stores a position in one slot (issue 17).
    uint256 internal constant BASIS_UNIT = 1e9;
    /// @dev WAD × BASIS_UNIT: dividing a WAD × WAD product by it gives the basis in whole nano-dollars.
    uint256 private constant WAD_BASIS_UNITS = 1e27;

    /// @notice size × price − openNotional, rounded down (toward −∞).
    function unrealisedPnl(int256 size, int256 openNotional, uint256 price) internal pure returns (int256) {
        return size.mulWadFloor(price) - openNotional;
    }

    /// @notice |size| × price, rounded up (notional drives requirements and fees).
    function notional(int256 size, uint256 price) internal pure returns (uint256) {
        return WadMath.mulWadUp(WadMath.abs(size), price);
    }

    /// @notice Applies a fill of `sizeDelta` at `price` to a position.
    /// @dev Increase: the basis grows by sizeDelta × price rounded up (toward +∞) to a whole `BASIS_UNIT`, which
    /// lowers the PnL of longs and shorts alike. Reduce: the remaining basis is scaled pro rata, rounded toward +∞ to
    /// a whole `BASIS_UNIT`, and the realised PnL is the closed size at `price` rounded toward −∞ minus the released
    /// basis. Flip: close all, then open the rest. Value is never created: at `price`, realised + remaining PnL ≤
    /// the PnL before. Every basis returned is a multiple of `BASIS_UNIT` when `openNotional` is.
    /// @return newSize The size after the fill.
    /// @return newOpenNotional The basis after the fill.
    /// @return realisedPnl The PnL realised by the part closed (0 for an increase).
    function applyFill(int256 size, int256 openNotional, int256 sizeDelta, uint256 price)
        internal
        pure
        returns (int256 newSize, int256 newOpenNotional, int256 realisedPnl)
    {
        newSize = size + sizeDelta;
        if (size == 0 || (size > 0) == (sizeDelta > 0)) {
            return (newSize, openNotional + sizeDelta.mulDivCeil(price, WAD_BASIS_UNITS) * int256(BASIS_UNIT), 0);
        }
        uint256 sizeAbs = WadMath.abs(size);
        if (WadMath.abs(sizeDelta) <= sizeAbs) {
            newOpenNotional = newSize == 0
                ? int256(0)
                : openNotional.mulDivCeil(WadMath.abs(newSize), sizeAbs * BASIS_UNIT) * int256(BASIS_UNIT);
            realisedPnl = (-sizeDelta).mulWadFloor(price) - (openNotional - newOpenNotional);
            return (newSize, newOpenNotional, realisedPnl);
        }
        realisedPnl = size.mulWadFloor(price) - openNotional;
        newOpenNotional = newSize.mulDivCeil(price, WAD_BASIS_UNITS) * int256(BASIS_UNIT);
    }
}
