// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {WadMath} from "./WadMath.sol";

/// @title LiquidationMath
/// @notice The smallest pro-rata fraction of an account to close, and the liquidation fee.
/// @dev Closing fraction f of every position at the mark price leaves equity unchanged but for the fee
/// (feeRate × f × N), and lowers MM by at least f because tiered MM is convex with MM(0) = 0. Restoring
/// equity − fee ≥ (1 + buffer) × MM after therefore needs f ≥ (T − E) / (T − feeRate × N), T = (1 + buffer) × MM.
/// The fraction is rounded up and padded by `ROUNDING_SLACK` wei of equity so that per-position rounding
/// cannot leave the account a few wei short of the target. Mirrored by `sdk/src/math/liquidationMath.ts`.
library LiquidationMath {
    /// @dev Covers the wei lost to rounding across at most 64 positions (a few wei each); worth 1e-9 USD.
    uint256 internal constant ROUNDING_SLACK = 1e9;

    /// @notice The health target after a partial liquidation: MM × (1 + buffer), rounded up, and at least MM + 1,
    /// so that an account at the target is never liquidatable (equity ≤ MM), even with a zero buffer.
    function targetEquity(uint256 maintenanceMargin, uint256 buffer) internal pure returns (uint256) {
        return Math.max(WadMath.mulWadUp(maintenanceMargin, WadMath.WAD + buffer), maintenanceMargin + 1);
    }

    /// @notice The fraction (WAD) of every position to close; WAD means the whole account.
    /// @param equity Equity before liquidation.
    /// @param maintenanceMargin MM before liquidation.
    /// @param totalNotional Σ position notionals at the mark price.
    /// @param feeRate Liquidation fee rate (WAD), required below every market's lowest MM rate.
    /// @param buffer Health buffer (WAD) above MM to restore.
    function closeFraction(
        int256 equity,
        uint256 maintenanceMargin,
        uint256 totalNotional,
        uint256 feeRate,
        uint256 buffer
    ) internal pure returns (uint256) {
        uint256 target = targetEquity(maintenanceMargin, buffer);
        if (equity >= 0 && uint256(equity) >= target) return 0;
        uint256 feeOnAll = WadMath.mulWadUp(totalNotional, feeRate);
        if (feeOnAll >= target) return WadMath.WAD;
        uint256 shortfall = equity >= 0 ? target - uint256(equity) : target + WadMath.abs(equity);
        return Math.min(WadMath.divWadUp(shortfall + ROUNDING_SLACK, target - feeOnAll), WadMath.WAD);
    }

    /// @notice The size to close out of `size` for fraction `fraction`: |size| × fraction rounded up, signed
    /// like `size`, never more than `size`.
    function closeSize(int256 size, uint256 fraction) internal pure returns (int256) {
        uint256 closed = Math.min(WadMath.mulWadUp(WadMath.abs(size), fraction), WadMath.abs(size));
        // Cast is safe for every size the core stores (int128): closed ≤ |size| < 2^127.
        return size >= 0 ? int256(closed) : -int256(closed);
    }

    /// @notice feeRate × closedNotional rounded up, capped at the equity left after the close (never below 0).
    function liquidationFee(uint256 closedNotional, uint256 feeRate, int256 equityAfterClose)
        internal
        pure
        returns (uint256)
    {
        return Math.min(WadMath.mulWadUp(closedNotional, feeRate), WadMath.positivePart(equityAfterClose));
    }
}
