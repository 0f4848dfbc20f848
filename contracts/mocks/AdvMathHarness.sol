// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidationMath} from "../libraries/LiquidationMath.sol";
import {MarginTiers} from "../libraries/MarginTiers.sol";

/// @title AdvMathHarness
/// @notice TESTS ONLY: exposes the library branches that the core, by construction, never reaches (a liquidation
/// fraction for a healthy account or for a fee above the target), so that they are exercised and measured.
contract AdvMathHarness {
    function closeFraction(
        int256 equity,
        uint256 maintenanceMargin,
        uint256 totalNotional,
        uint256 feeRate,
        uint256 buffer
    ) external pure returns (uint256) {
        return LiquidationMath.closeFraction(equity, maintenanceMargin, totalNotional, feeRate, buffer);
    }

    function interpolate(uint256 fromRequirement, uint256 toRequirement, uint256 elapsed, uint256 duration)
        external
        pure
        returns (uint256)
    {
        return MarginTiers.interpolate(fromRequirement, toRequirement, elapsed, duration);
    }
}
