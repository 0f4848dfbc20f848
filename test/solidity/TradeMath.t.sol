// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBallastCore} from "../../contracts/interfaces/IBallastCore.sol";
import {RiskTotals} from "../../contracts/libraries/AccountRisk.sol";
import {Fill, TradeMath} from "../../contracts/libraries/TradeMath.sol";

/// @notice Fuzz tests of TradeMath: a fill with no skew scale is at the mark price, "increases risk" means exactly
/// |size| grows or the side flips, an opposite trade of the whole size closes, and the fee and health checks
/// accept exactly what they should.
contract TradeMathTest {
    function _bounded(int256 x, uint256 bound) internal pure returns (int256) {
        int256 magnitude = int256(uint256(x < 0 ? -(x % int256(bound)) : x % int256(bound)));
        return x < 0 ? -magnitude : magnitude;
    }

    function testFillWithoutPremiumIsAtMark(int256 size, int256 delta, uint256 price) public pure {
        size = _bounded(size, 1e30);
        delta = _bounded(delta, 1e30);
        if (delta == 0) delta = 1;
        price = 1 + price % 1e30;
        Fill memory fill = TradeMath.priceFill(size, 0, 0, delta, price, 0, 0, 0, 0, 0);
        require(fill.price == price, "fill away from the mark without a skew scale");
        require(fill.newSize == size + delta, "new size");
        bool grows = (fill.newSize < 0 ? -fill.newSize : fill.newSize) > (size < 0 ? -size : size);
        bool flips = fill.newSize != 0 && size != 0 && (fill.newSize > 0) != (size > 0);
        require(fill.increasesRisk == (grows || flips), "increasesRisk");
    }

    function testOppositeTradeOfTheWholeSizeCloses(int256 size, uint256 price) public pure {
        size = _bounded(size, 1e30);
        if (size == 0) size = 1;
        price = 1 + price % 1e30;
        Fill memory fill = TradeMath.priceFill(size, size * int256(price) / 1e18, 0, -size, price, 0, 0, 0, 0, 0);
        require(fill.newSize == 0 && fill.newOpenNotional == 0, "not closed");
        require(!fill.increasesRisk, "a close increases risk");
    }

    /// The fee check passes exactly when the realised margin left covers the fee.
    function testFeeCoveredExactly(int128 marginBeforeFee, uint96 fee) external view {
        bool covered = fee == 0 || (marginBeforeFee >= 0 && uint256(int256(marginBeforeFee)) >= fee);
        try this.feeCovered(marginBeforeFee, fee) {
            require(covered, "accepted a fee the margin cannot pay");
        } catch (bytes memory reason) {
            require(!covered, "refused a fee the margin can pay");
            require(bytes4(reason) == IBallastCore.FeeExceedsMargin.selector, "wrong error");
        }
    }

    function feeCovered(int256 marginBeforeFee, uint256 fee) external pure {
        TradeMath.checkFeeCovered(marginBeforeFee, fee);
    }

    /// Risk-increasing trades need equity ≥ IM; reductions need equity ≥ 0 and not liquidatable.
    function testAccountAfterChecks(int128 equity, uint96 initialMargin, bool increasesRisk) external view {
        uint256 maintenanceMargin = uint256(initialMargin) / 2;
        RiskTotals memory totals = RiskTotals(equity, initialMargin, maintenanceMargin, 0);
        bool ok = increasesRisk
            ? equity >= int256(uint256(initialMargin))
            : equity >= 0 && !(maintenanceMargin > 0 && equity <= int256(maintenanceMargin));
        try this.accountAfter(totals, increasesRisk) {
            require(ok, "accepted an account that fails its check");
        } catch {
            require(!ok, "refused an account that passes its check");
        }
    }

    function accountAfter(RiskTotals memory totals, bool increasesRisk) external pure {
        TradeMath.checkAccountAfter(totals, increasesRisk);
    }
}
