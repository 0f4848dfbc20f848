// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {WadMath} from "./WadMath.sol";

/// @title MarginMath
/// @notice Account-level health: health factor, margin ratio, liquidatability and withdrawable collateral.
/// @dev equity = margin + Σ (unrealisedPnl − accruedFunding); MM and IM are the sums of each market's
/// requirement. Figures shown to users round against them. Mirrored by `sdk/src/math/marginMath.ts`.
library MarginMath {
    /// @notice equity / MM in WAD, rounded down; type(uint256).max when MM = 0, 0 when equity ≤ 0.
    function healthFactor(int256 equity, uint256 maintenanceMargin) internal pure returns (uint256) {
        if (maintenanceMargin == 0) return type(uint256).max;
        if (equity <= 0) return 0;
        return WadMath.divWadDown(uint256(equity), maintenanceMargin);
    }

    /// @notice MM / equity in WAD, rounded up; 0 when MM = 0, type(uint256).max when equity ≤ 0 < MM.
    function marginRatio(int256 equity, uint256 maintenanceMargin) internal pure returns (uint256) {
        if (maintenanceMargin == 0) return 0;
        if (equity <= 0) return type(uint256).max;
        return WadMath.divWadUp(maintenanceMargin, uint256(equity));
    }

    /// @notice An account is liquidatable when it has a requirement and its equity does not exceed it.
    function isLiquidatable(int256 equity, uint256 maintenanceMargin) internal pure returns (bool) {
        return maintenanceMargin > 0 && equity <= SafeCast.toInt256(maintenanceMargin);
    }

    /// @notice What may leave the account: realised margin and equity above IM, whichever is less.
    /// @dev Unrealised profit supports margin but never leaves the protocol.
    function withdrawableMargin(int256 margin, int256 equity, uint256 initialMargin) internal pure returns (uint256) {
        int256 free = equity - SafeCast.toInt256(initialMargin);
        if (margin <= 0 || free <= 0) return 0;
        return Math.min(uint256(margin), uint256(free));
    }
}
