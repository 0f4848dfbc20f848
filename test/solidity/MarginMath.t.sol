// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarginMath} from "../../contracts/libraries/MarginMath.sol";

/// @notice Fuzz tests of MarginMath: liquidatable exactly at equity ≤ MM > 0; health factor and margin ratio
/// round against the trader and agree with it; withdrawable never exceeds the margin or equity − IM.
contract MarginMathTest {
    uint256 internal constant WAD = 1e18;

    function testLiquidatableExactlyAtOrBelowMaintenance(int128 equity, uint128 maintenanceMargin) public pure {
        bool expected = maintenanceMargin > 0 && int256(equity) <= int256(uint256(maintenanceMargin));
        require(MarginMath.isLiquidatable(equity, maintenanceMargin) == expected, "liquidation line");
        if (maintenanceMargin == 0) {
            require(MarginMath.healthFactor(equity, 0) == type(uint256).max, "health factor without MM");
            return;
        }
        uint256 hf = MarginMath.healthFactor(equity, maintenanceMargin);
        if (expected) require(hf <= WAD, "liquidatable with health factor above 1");
        else require(hf >= WAD, "healthy with health factor below 1");
        if (equity > 0) {
            uint256 ratio = MarginMath.marginRatio(equity, maintenanceMargin);
            require(ratio * uint256(int256(equity)) >= uint256(maintenanceMargin) * WAD, "margin ratio rounded down");
        }
    }

    function testWithdrawableBounds(int128 margin, int128 equity, uint128 initialMargin) public pure {
        uint256 w = MarginMath.withdrawableMargin(margin, equity, initialMargin);
        if (w == 0) return;
        require(int256(w) <= margin, "above the realised margin");
        require(int256(w) <= int256(equity) - int256(uint256(initialMargin)), "above equity - IM");
    }
}
