// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WadMath} from "../libraries/WadMath.sol";
import {MarginTier, MarginTiers} from "../libraries/MarginTiers.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {FundingMath} from "../libraries/FundingMath.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {LiquidationMath} from "../libraries/LiquidationMath.sol";
import {PricingMath} from "../libraries/PricingMath.sol";
import {ProfitHaircut} from "../libraries/ProfitHaircut.sol";

/// @title MathHarness
/// @notice LOCAL TEST USE ONLY. Exposes every function of the pure margin and pricing libraries so that the SDK's
/// bigint mirror can be tested against them (test/ts/sdk/math.differential.test.ts). Never deploy it to a live network.
/// @dev Each library function has an `external pure` wrapper of the same name and signature. `batch` runs many
/// encoded wrapper calls in one `eth_call`: each call is a `staticcall` to this contract, so an input that reverts
/// only fails its own element, and its revert data (Panic code or custom error) is returned for comparison.
contract MathHarness {
    /// @notice Runs each of `calls` (ABI-encoded calls to this contract) and reports, per call, whether it
    /// succeeded and its return data (success) or revert data (failure).
    function batch(bytes[] calldata calls) external view returns (bool[] memory success, bytes[] memory returnData) {
        success = new bool[](calls.length);
        returnData = new bytes[](calls.length);
        for (uint256 i; i < calls.length; ++i) {
            (success[i], returnData[i]) = address(this).staticcall(calls[i]);
        }
    }

    // ---------------------------------------------------------------- constants

    function WAD() external pure returns (uint256) {
        return WadMath.WAD;
    }

    function MAX_TIERS() external pure returns (uint256) {
        return MarginTiers.MAX_TIERS;
    }

    // ---------------------------------------------------------------- WadMath

    function mulWadDown(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.mulWadDown(x, y);
    }

    function mulWadUp(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.mulWadUp(x, y);
    }

    function divWadDown(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.divWadDown(x, y);
    }

    function divWadUp(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.divWadUp(x, y);
    }

    function mulDivFloor(int256 x, uint256 y, uint256 d) external pure returns (int256) {
        return WadMath.mulDivFloor(x, y, d);
    }

    function mulDivCeil(int256 x, uint256 y, uint256 d) external pure returns (int256) {
        return WadMath.mulDivCeil(x, y, d);
    }

    function mulWadFloor(int256 x, uint256 y) external pure returns (int256) {
        return WadMath.mulWadFloor(x, y);
    }

    function mulWadCeil(int256 x, int256 y) external pure returns (int256) {
        return WadMath.mulWadCeil(x, y);
    }

    function abs(int256 x) external pure returns (uint256) {
        return WadMath.abs(x);
    }

    function positivePart(int256 x) external pure returns (uint256) {
        return WadMath.positivePart(x);
    }

    // ---------------------------------------------------------------- MarginTiers

    function requirements(MarginTier[] calldata tiers, uint256 positionNotional)
        external
        pure
        returns (uint256 initialMargin, uint256 maintenanceMargin)
    {
        return MarginTiers.requirements(tiers, positionNotional);
    }

    function maintenanceRateAt(MarginTier[] calldata tiers, uint256 positionNotional) external pure returns (uint256) {
        return MarginTiers.maintenanceRateAt(tiers, positionNotional);
    }

    function interpolate(uint256 fromRequirement, uint256 toRequirement, uint256 elapsed, uint256 duration)
        external
        pure
        returns (uint256)
    {
        return MarginTiers.interpolate(fromRequirement, toRequirement, elapsed, duration);
    }

    function validate(MarginTier[] calldata tiers) external pure {
        MarginTiers.validate(tiers);
    }

    // ---------------------------------------------------------------- PositionMath

    function unrealisedPnl(int256 size, int256 openNotional, uint256 price) external pure returns (int256) {
        return PositionMath.unrealisedPnl(size, openNotional, price);
    }

    function notional(int256 size, uint256 price) external pure returns (uint256) {
        return PositionMath.notional(size, price);
    }

    function applyFill(int256 size, int256 openNotional, int256 sizeDelta, uint256 price)
        external
        pure
        returns (int256 newSize, int256 newOpenNotional, int256 realisedPnl)
    {
        return PositionMath.applyFill(size, openNotional, sizeDelta, price);
    }

    // ---------------------------------------------------------------- FundingMath

    function fundingRate(int256 skew, uint256 fundingScale, uint256 maxRatePerSecond) external pure returns (int256) {
        return FundingMath.fundingRate(skew, fundingScale, maxRatePerSecond);
    }

    function nextIndex(int256 index, int256 ratePerSecond, uint256 price, uint256 elapsed)
        external
        pure
        returns (int256)
    {
        return FundingMath.nextIndex(index, ratePerSecond, price, elapsed);
    }

    function accruedFunding(int256 size, int256 entryIndex, int256 index) external pure returns (int256) {
        return FundingMath.accruedFunding(size, entryIndex, index);
    }

    // ---------------------------------------------------------------- MarginMath

    function healthFactor(int256 equity, uint256 maintenanceMargin) external pure returns (uint256) {
        return MarginMath.healthFactor(equity, maintenanceMargin);
    }

    function marginRatio(int256 equity, uint256 maintenanceMargin) external pure returns (uint256) {
        return MarginMath.marginRatio(equity, maintenanceMargin);
    }

    function isLiquidatable(int256 equity, uint256 maintenanceMargin) external pure returns (bool) {
        return MarginMath.isLiquidatable(equity, maintenanceMargin);
    }

    function withdrawableMargin(int256 margin, int256 equity, uint256 initialMargin) external pure returns (uint256) {
        return MarginMath.withdrawableMargin(margin, equity, initialMargin);
    }

    // ---------------------------------------------------------------- LiquidationMath

    function targetEquity(uint256 maintenanceMargin, uint256 buffer) external pure returns (uint256) {
        return LiquidationMath.targetEquity(maintenanceMargin, buffer);
    }

    function closeSlope(
        int256 size,
        int256 closedSize,
        uint256 markPrice,
        uint256 closePrice,
        int256 skew,
        uint256 skewScale,
        uint256 maintenanceRate,
        uint256 feeRate,
        uint256 buffer
    ) external pure returns (int256) {
        return LiquidationMath.closeSlope(
            size, closedSize, markPrice, closePrice, skew, skewScale, maintenanceRate, feeRate, buffer
        );
    }

    function closeSize(int256 size, uint256 fraction) external pure returns (int256) {
        return LiquidationMath.closeSize(size, fraction);
    }

    function liquidationFee(uint256 closedNotional, uint256 feeRate, int256 equityAfterClose)
        external
        pure
        returns (uint256)
    {
        return LiquidationMath.liquidationFee(closedNotional, feeRate, equityAfterClose);
    }

    // ---------------------------------------------------------------- PricingMath

    function closeFillPrice(uint256 price, int256 skew, int256 sizeDelta, uint256 skewScale)
        external
        pure
        returns (uint256)
    {
        return PricingMath.closeFillPrice(price, skew, sizeDelta, skewScale);
    }

    function fillPrice(uint256 price, int256 skew, int256 sizeDelta, uint256 skewScale)
        external
        pure
        returns (uint256)
    {
        return PricingMath.fillPrice(price, skew, sizeDelta, skewScale);
    }

    function tradingFee(int256 skew, int256 sizeDelta, uint256 fill, uint256 makerFeeRate, uint256 takerFeeRate)
        external
        pure
        returns (uint256)
    {
        return PricingMath.tradingFee(skew, sizeDelta, fill, makerFeeRate, takerFeeRate);
    }

    // ---------------------------------------------------------------- ProfitHaircut (over the stored ranges)

    function haircutRatio(uint128 totalProfit, int128 vaultLedger, int128 tradersPnl) external pure returns (uint256) {
        return ProfitHaircut.ratio(totalProfit, vaultLedger, tradersPnl);
    }

    function convertedProfit(uint128 profit, uint128 totalProfit, int128 vaultLedger, int128 tradersPnl)
        external
        pure
        returns (uint256)
    {
        return ProfitHaircut.paid(profit, totalProfit, vaultLedger, tradersPnl);
    }
}
