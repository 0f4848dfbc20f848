// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ProfitHaircut} from "../../contracts/libraries/ProfitHaircut.sol";

/// @notice Fuzz tests of ProfitHaircut (DESIGN §8): a conversion pays at most the profit and never lowers anyone
/// else's ratio; what backs profit never goes below zero, so principal stays backed; a realisation (unrealised PnL
/// moved into realised profit, paid by the LP ledger) leaves the ratio where it was; h = 1 exactly when LP capital
/// covers every positive PnL.
contract ProfitHaircutTest {
    uint256 internal constant WAD = 1e18;

    function testConversionKeepsEveryoneElsesRatio(uint96 profitSeed, uint96 others, int96 vaultLedger, int96 pnl)
        public
        pure
    {
        uint256 totalProfit = uint256(profitSeed) + others;
        uint256 profit = profitSeed;
        uint256 paid = ProfitHaircut.paid(profit, totalProfit, vaultLedger, pnl);
        require(paid <= profit, "paid more than the profit");
        uint256 ratioBefore = ProfitHaircut.ratio(totalProfit, vaultLedger, pnl);
        require(ratioBefore <= WAD, "ratio above 1");
        (uint256 backing, uint256 claims) = ProfitHaircut.backingAndClaims(totalProfit, vaultLedger, pnl);
        require((ratioBefore == WAD) == (backing >= claims), "ratio 1 exactly when covered");
        // Convert: the profit leaves the total, the haircut returns to the LP ledger.
        int256 vaultAfter = int256(vaultLedger) + int256(profit - paid);
        uint256 ratioAfter = ProfitHaircut.ratio(totalProfit - profit, vaultAfter, pnl);
        require(ratioAfter >= ratioBefore, "a conversion lowered the others' ratio");
        // Principal stays backed: if ΣP + V was ≥ 0 it still is.
        if (int256(totalProfit) + vaultLedger >= 0) {
            require(int256(totalProfit - profit) + vaultAfter >= 0, "conversion left principal unbacked");
        }
    }

    function testRealisationLeavesTheRatio(uint96 totalProfit, int96 vaultLedger, uint96 pnl, uint96 gainSeed)
        public
        pure
    {
        uint256 gain = pnl == 0 ? 0 : uint256(gainSeed) % (uint256(pnl) + 1);
        uint256 ratioBefore = ProfitHaircut.ratio(totalProfit, vaultLedger, int256(uint256(pnl)));
        uint256 ratioAfter = ProfitHaircut.ratio(
            uint256(totalProfit) + gain,
            int256(vaultLedger) - int256(gain),
            int256(uint256(pnl)) - int256(gain)
        );
        require(ratioAfter == ratioBefore, "a realisation moved the ratio");
    }

    function testNoHaircutWhileCapitalCovers(uint96 profit, uint96 others, uint96 vaultLedger, int96 pnl) public pure {
        if (pnl > 0 && uint256(int256(pnl)) > vaultLedger) return; // outside the property's domain
        uint256 totalProfit = uint256(profit) + others;
        require(ProfitHaircut.paid(profit, totalProfit, int256(uint256(vaultLedger)), pnl) == profit, "haircut");
        require(ProfitHaircut.ratio(totalProfit, int256(uint256(vaultLedger)), pnl) == WAD, "ratio below 1");
    }

    function testWorkedExample() public pure {
        // $250k realised against an LP ledger of −$150k (it held $100k): h = 100k / 250k = 0.4.
        require(ProfitHaircut.ratio(250_000e18, -150_000e18, 0) == 0.4e18, "ratio");
        require(ProfitHaircut.paid(250_000e18, 250_000e18, -150_000e18, 0) == 100_000e18, "paid");
        // Two $125k winners, one closed (the LP ledger paid it: −$25k), one still open: $100k backs $250k, h = 0.4
        // for both, realised or not.
        require(ProfitHaircut.paid(125_000e18, 125_000e18, -25_000e18, 125_000e18) == 50_000e18, "pro rata");
    }
}
