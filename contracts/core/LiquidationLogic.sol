// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {
    Account,
    AccountHealth,
    IBallastCore,
    LiquidationPreview,
    MarginSchedule,
    Position,
    RiskParams
} from "../interfaces/IBallastCore.sol";
import {AccountRisk, PositionRisk, RiskTotals} from "../libraries/AccountRisk.sol";
import {FundingMath} from "../libraries/FundingMath.sol";
import {ClosingPosition, CloseOutcome, LiquidationMath} from "../libraries/LiquidationMath.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {MarketMath} from "../libraries/MarketMath.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {CoreStorage} from "./CoreStorage.sol";
import {StateLogic} from "./StateLogic.sol";

/// @title LiquidationLogic
/// @notice Liquidation planning and execution. An external (linked) library that runs in the core's context by
/// DELEGATECALL over the core's `CoreStorage`, so the core's runtime code keeps room below EIP-170; one call per
/// transaction (a batch is one call), so it costs one cold DELEGATECALL.
/// @dev The plan is computed in memory and shared by `liquidate` and `previewLiquidation`, so a keeper's preview
/// can never disagree with the execution in the same block. Mirrored by `sdk/src/math/liquidationLogic.ts`.
library LiquidationLogic {
    using SafeCast for int256;
    using SafeCast for uint256;

    /// @dev One position of the plan: where it is, and its close (`closes[i]` belongs to `positions[i]`).
    struct PositionPlan {
        uint256 marketId;
        int256 fundingIndex;
        Position before;
    }

    struct LiquidationPlan {
        LiquidationPreview preview;
        PositionPlan[] positions;
        ClosingPosition[] closes;
        int256 marginAfter; // before any bad-debt write-off
    }

    /// @notice Liquidates `accountId`, reverting unless it is liquidatable.
    function liquidate(
        CoreStorage storage s,
        uint256 accountId,
        address recipient
    ) external returns (LiquidationPreview memory result) {
        if (s.accounts[accountId].owner == address(0)) revert IBallastCore.AccountNotFound(accountId);
        result = _liquidate(s, accountId, recipient, new uint256[](s.marketCount));
        if (!result.liquidatable) {
            revert IBallastCore.AccountNotLiquidatable(accountId, result.equityBefore, result.maintenanceMarginBefore);
        }
    }

    /// @notice Liquidates every liquidatable account of `accountIds`, skipping the others.
    function liquidateMany(
        CoreStorage storage s,
        uint256[] calldata accountIds,
        address recipient
    ) external returns (bool[] memory liquidated) {
        // One price read per market for the whole batch.
        uint256[] memory prices = new uint256[](s.marketCount);
        liquidated = new bool[](accountIds.length);
        for (uint256 i; i < accountIds.length; ++i) {
            if (s.accounts[accountIds[i]].owner == address(0)) continue;
            liquidated[i] = _liquidate(s, accountIds[i], recipient, prices).liquidatable;
        }
    }

    /// @notice The account's health now, its profit counted at the haircut ratio (the core's `accountHealth`; here
    /// to keep the core's code small).
    function accountHealth(CoreStorage storage s, uint256 accountId) external view returns (AccountHealth memory) {
        Account memory account = StateLogic.effectiveAccount(s, accountId);
        return AccountRisk.healthFromTotals(
            account.margin,
            StateLogic.accountRisk(s, accountId, account, new uint256[](s.marketCount))
        );
    }

    /// @notice What `liquidate` would do now.
    function previewLiquidation(
        CoreStorage storage s,
        uint256 accountId
    ) external view returns (LiquidationPreview memory) {
        return planLiquidation(s, accountId, new uint256[](s.marketCount)).preview;
    }

    /// @dev Accrues funding in the account's markets, plans, and (if liquidatable) executes. Never reverts for a
    /// healthy account: the plan says `liquidatable = false` and nothing is written but funding accrual.
    function _liquidate(
        CoreStorage storage s,
        uint256 accountId,
        address recipient,
        uint256[] memory prices
    ) private returns (LiquidationPreview memory) {
        uint256 remaining = s.accounts[accountId].activeMarkets;
        while (remaining != 0) {
            uint256 marketId = StateLogic.lowestMarket(remaining);
            remaining &= remaining - 1;
            StateLogic.accrueFunding(s, marketId, StateLogic.priceOf(s, prices, marketId));
        }
        LiquidationPlan memory plan = planLiquidation(s, accountId, prices);
        if (plan.preview.liquidatable) _execute(s, accountId, plan, recipient);
        return plan.preview;
    }

    /// @notice The whole liquidation of `accountId` at `prices`, computed in memory.
    function planLiquidation(
        CoreStorage storage s,
        uint256 accountId,
        uint256[] memory prices
    ) internal view returns (LiquidationPlan memory plan) {
        // Unconverted profit counts at the haircut ratio: `_execute` converts it before anything moves.
        Account memory account = StateLogic.effectiveAccount(s, accountId);
        uint256 count = StateLogic.popCount(account.activeMarkets);
        plan.positions = new PositionPlan[](count);
        plan.closes = new ClosingPosition[](count);
        RiskTotals memory totals = RiskTotals(account.margin, 0, 0, 0);
        uint256 remaining = account.activeMarkets;
        for (uint256 i; remaining != 0; ++i) {
            uint256 marketId = StateLogic.lowestMarket(remaining);
            remaining &= remaining - 1;
            AccountRisk.addRisk(totals, _loadPosition(s, plan.positions[i], plan.closes[i], accountId, marketId, prices));
        }

        LiquidationPreview memory preview = plan.preview;
        preview.equityBefore = totals.equity;
        preview.maintenanceMarginBefore = totals.maintenanceMargin;
        if (!MarginMath.isLiquidatable(totals.equity, totals.maintenanceMargin)) return plan;
        preview.liquidatable = true;

        // A storage pointer: a liquidation reads the risk parameters' first two slots only.
        RiskParams storage risk = s.risk;
        uint256 feeRate = risk.liquidationFeeRate;
        uint256 fraction = WadMath.WAD;
        if (
            totals.equity > 0 &&
            MarginMath.healthFactor(totals.equity, totals.maintenanceMargin) >= risk.fullLiquidationHealthFactor
        ) {
            fraction = LiquidationMath.minimalFraction(
                plan.closes,
                account.margin,
                feeRate,
                risk.liquidationBuffer,
                block.timestamp
            );
        }
        CloseOutcome memory outcome = LiquidationMath.applyFraction(
            plan.closes,
            account.margin,
            fraction,
            feeRate,
            block.timestamp
        );
        // A partial close that leaves too little open to be worth liquidating again closes everything.
        if (fraction != WadMath.WAD && outcome.remainingNotional < risk.minRemainingNotional) {
            outcome = LiquidationMath.applyFraction(plan.closes, account.margin, WadMath.WAD, feeRate, block.timestamp);
        }
        preview.full = outcome.fraction == WadMath.WAD;
        preview.fraction = outcome.fraction;
        preview.closedNotional = outcome.closedNotional;
        preview.fee = outcome.fee;
        preview.equityAfter = outcome.equityAfter;
        preview.maintenanceMarginAfter = outcome.maintenanceMarginAfter;
        preview.badDebt = outcome.remainingNotional == 0 && outcome.marginAfter < 0 ? uint256(-outcome.marginAfter) : 0;
        plan.marginAfter = outcome.marginAfter;
    }

    /// @dev Reads what closing any part of one position needs, and returns the position's risk now.
    function _loadPosition(
        CoreStorage storage s,
        PositionPlan memory p,
        ClosingPosition memory close,
        uint256 accountId,
        uint256 marketId,
        uint256[] memory prices
    ) private view returns (PositionRisk memory risk) {
        p.marketId = marketId;
        uint256 price = StateLogic.priceOf(s, prices, marketId);
        (p.fundingIndex, ) = StateLogic.pendingFunding(s, marketId, price);
        p.before = StateLogic.loadPosition(s, accountId, marketId);
        close.size = p.before.size;
        close.openNotional = p.before.openNotional;
        close.fundingPaid = FundingMath.accruedFunding(p.before.size, p.before.lastFundingIndex, p.fundingIndex);
        close.price = price;
        close.skew = StateLogic.skew(s.marketState[marketId]);
        close.skewScale = s.marketParams[marketId].skewScale;
        (risk.value, risk.notional) = AccountRisk.positionValue(
            p.before.size,
            p.before.openNotional,
            p.before.lastFundingIndex,
            price,
            p.fundingIndex
        );
        MarginSchedule memory schedule = s.schedules[marketId];
        close.tiers = StateLogic.loadTiers(s.tiers[marketId], schedule.tierCount, risk.notional);
        if (block.timestamp < schedule.rampEnd) {
            close.previousTiers = StateLogic.loadTiers(
                s.previousTiers[marketId],
                schedule.previousTierCount,
                risk.notional
            );
        }
        close.rampStart = schedule.rampStart;
        close.rampEnd = schedule.rampEnd;
        (risk.initialMargin, risk.maintenanceMargin) = MarketMath.rampedRequirements(
            close.tiers,
            close.previousTiers,
            close.rampStart,
            close.rampEnd,
            risk.notional,
            block.timestamp
        );
    }

    /// @dev Writes a liquidation plan: positions, markets, ledgers, keeper reward, bad debt.
    function _execute(
        CoreStorage storage s,
        uint256 accountId,
        LiquidationPlan memory plan,
        address recipient
    ) private {
        Account memory account = s.accounts[accountId];
        StateLogic.convertProfit(s, accountId, account);
        int256 vaultPays;
        for (uint256 i; i < plan.positions.length; ++i) {
            ClosingPosition memory close = plan.closes[i];
            account.activeMarkets = _closePart(s, accountId, account.activeMarkets, plan.positions[i], close);
            vaultPays += close.realisedPnl - close.fundingPaid;
        }
        StateLogic.settleWithVault(s, vaultPays);

        LiquidationPreview memory preview = plan.preview;
        // Liquidating your own account pays no reward: it must never be cheaper than being liquidated.
        bool selfLiquidation = msg.sender == account.owner || s.isOperator[account.owner][msg.sender];
        (uint256 keeperReward, uint256 insurance) = keeperRewardOf(
            preview.fee,
            preview.closedNotional,
            s.risk.keeperRewardShare,
            s.risk.keeperRewardFloor,
            s.risk.minRemainingNotional,
            s.insuranceLedger,
            selfLiquidation
        );
        if (keeperReward != 0) {
            s.claimableRewards[recipient] += keeperReward;
            s.unclaimedRewards += keeperReward;
        }

        int256 marginAfter = plan.marginAfter;
        if (preview.badDebt != 0) {
            uint256 coveredByInsurance = Math.min(insurance, preview.badDebt);
            uint256 socialised = preview.badDebt - coveredByInsurance;
            insurance -= coveredByInsurance;
            s.vaultLedger -= socialised.toInt256().toInt128();
            marginAfter = 0;
            emit IBallastCore.BadDebtSettled(accountId, preview.badDebt, coveredByInsurance, socialised);
        }
        s.insuranceLedger = insurance.toUint128();
        // A liquidation can realise a net gain (a cross account's winning positions): profit, like any other.
        StateLogic.storeMargin(s, accountId, marginAfter, vaultPays);

        emit IBallastCore.AccountLiquidated(
            accountId,
            msg.sender,
            recipient,
            preview.full,
            preview.fraction,
            preview.closedNotional,
            preview.fee,
            keeperReward,
            marginAfter
        );
    }

    /// @notice The keeper's reward for a liquidation that charged `fee` on `closedNotional`, and the insurance
    /// ledger after the fee's remainder comes in and any top-up goes out: `keeperRewardShare` of the fee, raised
    /// to `keeperRewardFloor` for a close of at least `minRemainingNotional` (dust earns no floor), the top-up paid
    /// from insurance as far as it reaches. Nothing for a self-liquidation (owner or operator). Insurance pays the
    /// top-up before any bad debt: a keeper must be paid to close the accounts that need it most.
    function keeperRewardOf(
        uint256 fee,
        uint256 closedNotional,
        uint256 keeperRewardShare,
        uint256 keeperRewardFloor,
        uint256 minRemainingNotional,
        uint256 insuranceLedger,
        bool selfLiquidation
    ) internal pure returns (uint256 keeperReward, uint256 insuranceAfter) {
        if (!selfLiquidation) keeperReward = WadMath.mulWadDown(fee, keeperRewardShare);
        insuranceAfter = insuranceLedger + (fee - keeperReward);
        if (!selfLiquidation && keeperReward < keeperRewardFloor && closedNotional >= minRemainingNotional) {
            uint256 topUp = Math.min(keeperRewardFloor - keeperReward, insuranceAfter);
            keeperReward += topUp;
            insuranceAfter -= topUp;
        }
    }

    /// @dev Writes one position's part of a plan: the market's aggregates and the position.
    function _closePart(
        CoreStorage storage s,
        uint256 accountId,
        uint64 activeMarkets,
        PositionPlan memory p,
        ClosingPosition memory close
    ) private returns (uint64) {
        StateLogic.updateMarket(
            s,
            p.marketId,
            p.before,
            close.newSize,
            close.newOpenNotional,
            p.fundingIndex,
            false,
            close.price
        );
        emit IBallastCore.PositionLiquidated(
            accountId,
            p.marketId,
            close.closedSize,
            close.closePrice,
            close.realisedPnl,
            close.fundingPaid,
            close.newSize,
            close.newOpenNotional,
            p.fundingIndex
        );
        return
            StateLogic.storePosition(
                s,
                accountId,
                p.marketId,
                activeMarkets,
                p.before.size,
                close.newSize,
                close.newOpenNotional,
                p.fundingIndex
            );
    }
}
