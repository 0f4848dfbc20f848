// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {WadMath} from "./WadMath.sol";

/// @title ProfitHaircut
/// @notice The last step of the solvency waterfall (DESIGN §8): when LP capital cannot pay all of the traders'
/// positive PnL, realised and unrealised, every unit of it is worth one global ratio h of its face, pro rata.
/// @dev A trader's realised profit is paid by the LP ledger V at face when realised (V falls, possibly below zero)
/// but stays `profit` in the account, apart from principal, until the account's next operation converts it. What
/// can pay profit is what V and the unconverted profit ΣP hold between them, A = ΣP + V; what is owed is
/// L = ΣP + U, with U the traders' net unrealised PnL over all markets (each market's as of its last trade or
/// liquidation, at the exit price; counted when positive). h = min(1, max(A, 0) / L) (Percolator's
/// min(residual, positive PnL) / positive PnL). A conversion pays P × h (rounded down) and returns the rest to V:
/// A and L fall by hP and P, so h stays (or rises by the rounding) for everyone else, and a realisation moves
/// g from U to ΣP and from V to ΣP, leaving A and L as they were: no queue, no advantage in going first, O(1).
/// Since L ≥ ΣP, A never goes below zero, so principal is always backed by tokens. Mirrored by
/// `sdk/src/math/profitHaircut.ts`.
library ProfitHaircut {
    /// @notice h in WAD, rounded down: 1 when LP capital covers every trader's positive PnL.
    function ratio(uint256 totalProfit, int256 vaultLedger, int256 unrealisedPnl) internal pure returns (uint256) {
        (uint256 backing, uint256 claims) = backingAndClaims(totalProfit, vaultLedger, unrealisedPnl);
        if (backing >= claims) return WadMath.WAD;
        return Math.mulDiv(WadMath.WAD, backing, claims);
    }

    /// @notice What `profit` (part of `totalProfit`) converts to now: profit × h, rounded down.
    function paid(
        uint256 profit,
        uint256 totalProfit,
        int256 vaultLedger,
        int256 unrealisedPnl
    ) internal pure returns (uint256) {
        (uint256 backing, uint256 claims) = backingAndClaims(totalProfit, vaultLedger, unrealisedPnl);
        if (backing >= claims) return profit;
        return Math.mulDiv(profit, backing, claims);
    }

    /// @notice A = max(ΣP + V, 0), what can pay profit; L = ΣP + max(U, 0), the positive PnL it owes.
    function backingAndClaims(
        uint256 totalProfit,
        int256 vaultLedger,
        int256 unrealisedPnl
    ) internal pure returns (uint256 backing, uint256 claims) {
        // Casts are safe: totalProfit is a sum of uint96 profits (< 2^128).
        int256 left = int256(totalProfit) + vaultLedger;
        backing = left > 0 ? uint256(left) : 0;
        claims = totalProfit + (unrealisedPnl > 0 ? uint256(unrealisedPnl) : 0);
    }
}
