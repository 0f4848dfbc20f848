// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccountHealth} from "../../contracts/interfaces/IBallastCore.sol";
import {AccountRisk, PositionRisk, RiskTotals} from "../../contracts/libraries/AccountRisk.sol";

/// @notice Fuzz tests of AccountRisk: replacing a position's risk equals summing the account again, and the
/// account figures agree with each other (liquidatable ⇔ health factor ≤ 1; withdrawable ≤ margin).
contract AccountRiskTest {
    uint256 internal constant WAD = 1e18;

    function _risk(uint256 seed) internal pure returns (PositionRisk memory risk) {
        risk.value = int256(seed % 1e30) - 5e29;
        risk.initialMargin = (seed >> 100) % 1e28 + 1;
        risk.maintenanceMargin = risk.initialMargin / 2;
        risk.notional = (seed >> 160) % 1e30;
    }

    /// replaceRisk(totals, a, b, Δ) equals the totals summed again with b instead of a and the margin moved by Δ.
    function testReplaceEqualsResum(uint256 seedA, uint256 seedB, uint256 seedOther, int128 margin, int128 delta)
        public
        pure
    {
        PositionRisk memory a = _risk(seedA);
        PositionRisk memory b = _risk(seedB);
        PositionRisk memory other = _risk(seedOther);
        RiskTotals memory before = RiskTotals(margin, 0, 0, 0);
        AccountRisk.addRisk(before, other);
        AccountRisk.addRisk(before, a);
        RiskTotals memory replaced = AccountRisk.replaceRisk(before, a, b, delta);
        RiskTotals memory resummed = RiskTotals(int256(margin) + delta, 0, 0, 0);
        AccountRisk.addRisk(resummed, other);
        AccountRisk.addRisk(resummed, b);
        require(replaced.equity == resummed.equity, "equity");
        require(replaced.initialMargin == resummed.initialMargin, "IM");
        require(replaced.maintenanceMargin == resummed.maintenanceMargin, "MM");
        require(replaced.totalNotional == resummed.totalNotional, "notional");
    }

    /// The figures agree: liquidatable ⇔ MM > 0 and health factor ≤ 1; withdrawable never exceeds the margin or
    /// equity − IM.
    function testHealthFiguresAgree(int128 margin, int128 value, uint96 maintenanceMargin) public pure {
        RiskTotals memory totals = RiskTotals(int256(margin) + value, uint256(maintenanceMargin) * 2, maintenanceMargin, 0);
        AccountHealth memory health = AccountRisk.healthFromTotals(margin, totals);
        require(health.liquidatable == (maintenanceMargin > 0 && health.healthFactor <= WAD), "liquidatable iff HF <= 1");
        require(health.withdrawable <= (margin > 0 ? uint256(int256(margin)) : 0), "withdrawable above margin");
        if (health.withdrawable > 0) {
            require(int256(health.withdrawable) <= totals.equity - int256(totals.initialMargin), "withdrawable above equity - IM");
        }
    }
}
