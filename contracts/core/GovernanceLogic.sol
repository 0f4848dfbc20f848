// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBallastErrors} from "../interfaces/IBallastErrors.sol";
import {IBallastCore, MarginSchedule, MarketParams, MarketState, RiskParams} from "../interfaces/IBallastCore.sol";
import {MarginTier, MarginTiers} from "../libraries/MarginTiers.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title GovernanceLogic
/// @notice Bounds on every governance parameter of the core, and the margin-table copy. An external (linked)
/// library so that the core's runtime code stays under the EIP-170 size limit; it runs in the core's context.
library GovernanceLogic {
    uint256 internal constant MAX_TRADING_FEE_RATE = 0.01e18; // 1% of notional
    uint256 internal constant MAX_FUNDING_RATE_PER_SECOND = uint256(1e18) / 1 days; // 100% a day
    uint256 internal constant MAX_MARGIN_RAMP = 30 days;
    uint256 internal constant MAX_LIQUIDATION_FEE_RATE = 0.1e18;
    uint256 internal constant MAX_LIQUIDATION_BUFFER = 1e18;
    uint256 internal constant MAX_USD_FLOOR = 1e24; // 1,000,000 USD


    /// @notice Lists market `marketId`: checks and writes its parameters and margin table (effective at once).
    function listMarket(
        mapping(uint256 => MarketParams) storage marketParams,
        mapping(uint256 => MarketState) storage marketStates,
        mapping(uint256 => MarginTier[8]) storage marginTiers,
        mapping(uint256 => MarginSchedule) storage schedules,
        uint256 marketId,
        MarketParams calldata params,
        MarginTier[] calldata tiers,
        uint256 liquidationFeeRate
    ) external {
        validateMarketParams(params);
        schedules[marketId].tierCount = writeTiers(marginTiers[marketId], tiers, liquidationFeeRate);
        marketParams[marketId] = params;
        marketStates[marketId].lastFundingTime = uint64(block.timestamp);
        emit IBallastCore.MarketListed(marketId, params);
        emit IBallastCore.MarginTiersSet(marketId, tiers, block.timestamp, block.timestamp);
    }

    /// @notice Starts a ramp from the current margin table of `marketId` to `tiers` over `rampDuration`.
    function setMarginTiers(
        mapping(uint256 => MarginTier[8]) storage marginTiers,
        mapping(uint256 => MarginTier[8]) storage previousTiers,
        mapping(uint256 => MarginSchedule) storage schedules,
        uint256 marketId,
        MarginTier[] calldata tiers,
        uint256 liquidationFeeRate,
        uint256 rampDuration
    ) external {
        MarginSchedule memory schedule = schedules[marketId];
        if (block.timestamp < schedule.rampEnd) revert IBallastCore.RampInProgress(marketId, schedule.rampEnd);
        MarginTier[8] storage current = marginTiers[marketId];
        MarginTier[8] storage previous = previousTiers[marketId];
        for (uint256 i; i < schedule.tierCount; ++i) {
            previous[i] = current[i];
        }
        // Casts are safe: timestamps and a ramp of at most MAX_MARGIN_RAMP fit in 64 bits.
        schedules[marketId] = MarginSchedule({
            rampStart: uint64(block.timestamp),
            rampEnd: uint64(block.timestamp + rampDuration),
            tierCount: writeTiers(current, tiers, liquidationFeeRate),
            previousTierCount: schedule.tierCount
        });
        emit IBallastCore.MarginTiersSet(marketId, tiers, block.timestamp, block.timestamp + rampDuration);
    }

    /// @notice Reverts unless `params` are within bounds and the liquidation fee stays below every maintenance
    /// rate in force in every market (current tables, and previous ones while they ramp out).
    function checkRiskParams(
        mapping(uint256 => MarginTier[8]) storage marginTiers,
        mapping(uint256 => MarginTier[8]) storage previousTiers,
        mapping(uint256 => MarginSchedule) storage schedules,
        uint256 marketCount,
        RiskParams calldata params
    ) external view {
        validateRiskParams(params);
        for (uint256 marketId; marketId < marketCount; ++marketId) {
            checkFeeBelowMaintenance(params.liquidationFeeRate, marginTiers[marketId][0].maintenanceMarginRate);
            if (block.timestamp < schedules[marketId].rampEnd) {
                checkFeeBelowMaintenance(params.liquidationFeeRate, previousTiers[marketId][0].maintenanceMarginRate);
            }
        }
    }

    /// @notice Reverts unless every market parameter is within its bounds.
    function validateMarketParams(MarketParams calldata params) public pure {
        if (params.feedId == bytes32(0)) revert IBallastErrors.ParameterOutOfBounds("feedId", 0, 1, type(uint256).max);
        checkBounds("maxOpenInterestPerSide", params.maxOpenInterestPerSide, 1, type(uint128).max);
        checkBounds("minPositionNotional", params.minPositionNotional, 0, MAX_USD_FLOOR);
        checkBounds("takerFeeRate", params.takerFeeRate, 0, MAX_TRADING_FEE_RATE);
        checkBounds("makerFeeRate", params.makerFeeRate, 0, params.takerFeeRate);
        checkBounds("maxFundingRatePerSecond", params.maxFundingRatePerSecond, 0, MAX_FUNDING_RATE_PER_SECOND);
        checkBounds("marginRampDuration", params.marginRampDuration, 0, MAX_MARGIN_RAMP);
    }

    /// @notice Reverts unless every risk parameter is within its bounds (the fee-below-maintenance rule is
    /// checked per market with `checkFeeBelowMaintenance`).
    function validateRiskParams(RiskParams memory params) public pure {
        checkBounds("liquidationFeeRate", params.liquidationFeeRate, 1, MAX_LIQUIDATION_FEE_RATE);
        checkBounds("keeperRewardShare", params.keeperRewardShare, 0, WadMath.WAD);
        checkBounds("liquidationBuffer", params.liquidationBuffer, 0, MAX_LIQUIDATION_BUFFER);
        checkBounds("fullLiquidationHealthFactor", params.fullLiquidationHealthFactor, 0, WadMath.WAD - 1);
        checkBounds("minRemainingNotional", params.minRemainingNotional, 0, MAX_USD_FLOOR);
        checkBounds("insuranceFeeShare", params.insuranceFeeShare, 0, WadMath.WAD);
        checkBounds("vaultReserveFactor", params.vaultReserveFactor, 0, WadMath.WAD);
    }

    /// @notice Validates `tiers` and writes them over the first brackets of `target`.
    /// @return count The number of brackets written (≤ MAX_TIERS = 8, the fixed array's length).
    function writeTiers(MarginTier[8] storage target, MarginTier[] calldata tiers, uint256 liquidationFeeRate)
        internal
        returns (uint8 count)
    {
        MarginTiers.validate(tiers);
        checkFeeBelowMaintenance(liquidationFeeRate, tiers[0].maintenanceMarginRate);
        for (uint256 i; i < tiers.length; ++i) {
            target[i] = tiers[i];
        }
        // Cast is safe: validate() allows at most MAX_TIERS = 8 brackets.
        return uint8(tiers.length);
    }

    /// @notice Reverts unless `liquidationFeeRate` < `maintenanceMarginRate`.
    function checkFeeBelowMaintenance(uint256 liquidationFeeRate, uint256 maintenanceMarginRate) public pure {
        if (liquidationFeeRate >= maintenanceMarginRate) {
            revert IBallastErrors.LiquidationFeeNotBelowMaintenance(liquidationFeeRate, maintenanceMarginRate);
        }
    }

    function checkBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert IBallastErrors.ParameterOutOfBounds(parameter, value, min, max);
    }
}
