// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IBallastErrors} from "../interfaces/IBallastErrors.sol";
import {IBallastCore, MarginSchedule, MarketParams, MarketState, RiskParams} from "../interfaces/IBallastCore.sol";
import {MarginTier, MarginTiers} from "../libraries/MarginTiers.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {CoreStorage} from "./CoreStorage.sol";
import {StateLogic} from "./StateLogic.sol";

/// @title GovernanceLogic
/// @notice The governance setters of the core (role checks stay in the core) and the bounds on every parameter.
/// An external (linked) library over the core's `CoreStorage`, run in its context by DELEGATECALL, so that the
/// core's runtime code keeps room below EIP-170; governance is rare, so the call's cost does not matter.
library GovernanceLogic {
    uint256 internal constant MAX_TRADING_FEE_RATE = 0.01e18; // 1% of notional
    uint256 internal constant MAX_FUNDING_RATE_PER_SECOND = uint256(1e18) / 1 days; // 100% a day
    uint256 internal constant MAX_MARGIN_RAMP = 30 days;
    /// @notice The shortest ramp a margin-table change gets in a market with open interest, whatever the market's
    /// `marginRampDuration` says: no governance action can make an open position liquidatable at once.
    uint256 internal constant MIN_MARGIN_RAMP = 1 days;
    uint256 internal constant MAX_LIQUIDATION_FEE_RATE = 0.1e18;
    uint256 internal constant MAX_LIQUIDATION_BUFFER = 1e18;
    uint256 internal constant MAX_USD_FLOOR = 1e24; // 1,000,000 USD
    /// @dev Open interest or skew up to 10× LP capital: beyond that one ordinary move wipes the vault out.
    uint256 internal constant MAX_CAPACITY_FACTOR = 10e18;


    /// @notice Lists the next market: checks and writes its parameters and margin table (effective at once:
    /// nothing is open yet).
    function listMarket(CoreStorage storage s, MarketParams calldata params, MarginTier[] calldata tiers)
        external
        returns (uint256 marketId)
    {
        marketId = s.marketCount;
        if (marketId >= StateLogic.MAX_MARKETS) revert IBallastCore.TooManyMarkets(StateLogic.MAX_MARKETS);
        validateMarketParams(params);
        checkSelfLiquidationCost(s.risk, params.takerFeeRate);
        // Cast is safe: marketId < MAX_MARKETS = 64.
        s.marketCount = uint8(marketId + 1);
        s.schedules[marketId].tierCount = writeTiers(s.tiers[marketId], tiers, s.risk.liquidationFeeRate);
        s.marketParams[marketId] = params;
        s.marketState[marketId].lastFundingTime = uint64(block.timestamp);
        emit IBallastCore.MarketListed(marketId, params);
        emit IBallastCore.MarginTiersSet(marketId, tiers, block.timestamp, block.timestamp);
    }

    /// @notice Replaces a market's parameters; funding accrues under the old ones first.
    function setMarketParams(CoreStorage storage s, uint256 marketId, MarketParams calldata params) external {
        validateMarketParams(params);
        bytes32 feedId = s.marketParams[marketId].feedId;
        if (params.feedId != feedId) revert IBallastCore.FeedIdImmutable(marketId, feedId);
        checkSelfLiquidationCost(s.risk, params.takerFeeRate);
        StateLogic.accrueFunding(s, marketId, s.oracle.getPrice(feedId));
        s.marketParams[marketId] = params;
        emit IBallastCore.MarketParamsSet(marketId, params);
    }

    /// @notice Starts a ramp from the current margin table of `marketId` to `tiers` over the market's
    /// `marginRampDuration`, at least MIN_MARGIN_RAMP while anything is open in the market (at once otherwise).
    /// A ramp cannot be replaced or shortened before it ends (`RampInProgress`).
    function setMarginTiers(CoreStorage storage s, uint256 marketId, MarginTier[] calldata tiers) external {
        MarginSchedule memory schedule = s.schedules[marketId];
        if (block.timestamp < schedule.rampEnd) revert IBallastCore.RampInProgress(marketId, schedule.rampEnd);
        // With nothing open the new table can apply at once; otherwise it ramps in over at least MIN_MARGIN_RAMP.
        MarketState storage state = s.marketState[marketId];
        uint256 rampDuration = state.longOpenInterest == 0 && state.shortOpenInterest == 0
            ? 0
            : Math.max(s.marketParams[marketId].marginRampDuration, MIN_MARGIN_RAMP);
        MarginTier[8] storage current = s.tiers[marketId];
        MarginTier[8] storage previous = s.previousTiers[marketId];
        for (uint256 i; i < schedule.tierCount; ++i) {
            previous[i] = current[i];
        }
        // Casts are safe: timestamps and a ramp of at most MAX_MARGIN_RAMP fit in 64 bits.
        s.schedules[marketId] = MarginSchedule({
            rampStart: uint64(block.timestamp),
            rampEnd: uint64(block.timestamp + rampDuration),
            tierCount: writeTiers(current, tiers, s.risk.liquidationFeeRate),
            previousTierCount: schedule.tierCount
        });
        emit IBallastCore.MarginTiersSet(marketId, tiers, block.timestamp, block.timestamp + rampDuration);
    }

    /// @notice Sets the risk parameters: within their bounds, the liquidation fee below every maintenance rate in
    /// force in every market (current tables, and previous ones while they ramp out), and self-liquidation never
    /// cheaper than closing in any market.
    function setRiskParams(CoreStorage storage s, RiskParams calldata params) external {
        validateRiskParams(params);
        for (uint256 marketId; marketId < s.marketCount; ++marketId) {
            checkFeeBelowMaintenance(params.liquidationFeeRate, s.tiers[marketId][0].maintenanceMarginRate);
            if (block.timestamp < s.schedules[marketId].rampEnd) {
                checkFeeBelowMaintenance(params.liquidationFeeRate, s.previousTiers[marketId][0].maintenanceMarginRate);
            }
            checkSelfLiquidationCost(params, s.marketParams[marketId].takerFeeRate);
        }
        s.risk = params;
        emit IBallastCore.RiskParamsSet(params);
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
        checkBounds("keeperRewardFloor", params.keeperRewardFloor, 0, MAX_USD_FLOOR);
        checkSelfLiquidationCost(params, 0); // with no taker fee: each market's own fee is checked against it too
        checkBounds("vaultReserveFactor", params.vaultReserveFactor, 0, WadMath.WAD);
        checkBounds("maxOpenInterestFactor", params.maxOpenInterestFactor, 0, MAX_CAPACITY_FACTOR);
        checkBounds("maxSkewFactor", params.maxSkewFactor, 0, MAX_CAPACITY_FACTOR);
        checkBounds("maxPnlFactor", params.maxPnlFactor, 0, WadMath.WAD);
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

    /// @notice Reverts unless self-liquidation through any address (an operator, or a sybil that collects the
    /// keeper reward) costs at least what a close pays: liquidationFeeRate × (1 − keeperRewardShare), rounded down,
    /// must be at least the market's taker fee rate (a close pays at most the taker fee).
    function checkSelfLiquidationCost(RiskParams memory risk, uint256 takerFeeRate) public pure {
        if (WadMath.mulWadDown(risk.liquidationFeeRate, WadMath.WAD - risk.keeperRewardShare) < takerFeeRate) {
            revert IBallastErrors.SelfLiquidationCheaperThanClosing(
                risk.liquidationFeeRate, risk.keeperRewardShare, takerFeeRate
            );
        }
        // The floor tops a reward up to at most what a solvent close of the smallest eligible size pays in fees
        // beyond the taker fee a close would cost, so a sybil gains nothing by liquidating itself for the floor.
        uint256 maxFloor = risk.liquidationFeeRate > takerFeeRate
            ? WadMath.mulWadDown(risk.minRemainingNotional, risk.liquidationFeeRate - takerFeeRate)
            : 0;
        if (risk.keeperRewardFloor > maxFloor) {
            revert IBallastErrors.KeeperRewardFloorTooHigh(risk.keeperRewardFloor, maxFloor);
        }
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

    // ================================================================ views of what governance writes

    /// @notice A market's parameters, running state and current margin table (the core's `getMarket`).
    function getMarket(CoreStorage storage s, uint256 marketId)
        external
        view
        returns (MarketParams memory, MarketState memory, MarginTier[] memory)
    {
        MarginTier[] memory tiers = table(s.tiers[marketId], s.schedules[marketId].tierCount);
        return (s.marketParams[marketId], s.marketState[marketId], tiers);
    }

    /// @notice The table a ramp starts from and the ramp's interval (the core's `marginRamp`).
    function marginRamp(CoreStorage storage s, uint256 marketId)
        external
        view
        returns (MarginTier[] memory previousTiers, uint256 start, uint256 end)
    {
        MarginSchedule memory schedule = s.schedules[marketId];
        return (table(s.previousTiers[marketId], schedule.previousTierCount), schedule.rampStart, schedule.rampEnd);
    }

    /// @dev The first `count` brackets of a stored table, as a dynamic array.
    function table(MarginTier[8] storage stored, uint256 count) internal view returns (MarginTier[] memory tiers) {
        tiers = new MarginTier[](count);
        for (uint256 i; i < count; ++i) {
            tiers[i] = stored[i];
        }
    }
}
