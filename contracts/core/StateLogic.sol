// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {
    Account,
    IBallastCore,
    MarginSchedule,
    MarketParams,
    MarketState,
    Position,
    RiskParams
} from "../interfaces/IBallastCore.sol";
import {AccountRisk, PositionRisk, RiskTotals} from "../libraries/AccountRisk.sol";
import {MarginTier} from "../libraries/MarginTiers.sol";
import {MarketAggregates, MarketMath} from "../libraries/MarketMath.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {ProfitHaircut} from "../libraries/ProfitHaircut.sol";
import {TradeMath} from "../libraries/TradeMath.sol";
import {SettlementPrice} from "../orders/SettlementPrice.sol";
import {CoreStorage, StoredPosition} from "./CoreStorage.sol";
import {VaultAccounting} from "./VaultAccounting.sol";

/// @title StateLogic
/// @notice The storage side of the account math, shared by the core and `LiquidationLogic`: it reads what the
/// pure libraries need (prices once per call, funding state, the brackets a notional reaches), calls them, and
/// writes their results. Internal: compiled into each contract that uses it.
library StateLogic {
    using SafeCast for int256;
    using SafeCast for uint256;

    /// @notice Markets are ids 0..63, so an account's open markets fit a uint64 bitmap.
    uint256 internal constant MAX_MARKETS = 64;
    /// @notice Bounds the work of one liquidation (each position costs one price read and a few writes).
    uint256 internal constant MAX_POSITIONS_PER_ACCOUNT = 16;

    // ---------------------------------------------------------------- markets

    /// @dev Reads each market's price at most once per call, through `prices` (0 = not read yet), so a market
    /// has one price within a transaction: the price an order settled it at earlier in this transaction (transient,
    /// see `SettlementPrice`) when there is one, else the guarded adapter's.
    function priceOf(
        CoreStorage storage s,
        uint256[] memory prices,
        uint256 marketId
    ) internal view returns (uint256 price) {
        price = prices[marketId];
        if (price == 0) {
            price = SettlementPrice.get(marketId);
            if (price == 0) price = s.oracle.getPrice(s.marketParams[marketId].feedId);
            prices[marketId] = price;
        }
    }

    function skew(MarketState storage state) internal view returns (int256) {
        return MarketMath.marketSkew(state.longOpenInterest, state.shortOpenInterest);
    }

    /// @dev The funding index and rate as of now, including accrual since the last touch.
    function pendingFunding(
        CoreStorage storage s,
        uint256 marketId,
        uint256 price
    ) internal view returns (int256 fundingIndex, int256 ratePerSecond) {
        MarketState storage state = s.marketState[marketId];
        MarketParams storage params = s.marketParams[marketId];
        return
            MarketMath.pendingFunding(
                state.fundingIndex,
                state.lastFundingTime,
                skew(state),
                params.fundingScale,
                params.maxFundingRatePerSecond,
                price,
                block.timestamp
            );
    }

    /// @dev Advances a market's funding index to now at the skew it had since the last touch.
    function accrueFunding(
        CoreStorage storage s,
        uint256 marketId,
        uint256 price
    ) internal returns (int256 fundingIndex) {
        MarketState storage state = s.marketState[marketId];
        if (state.lastFundingTime == block.timestamp) return state.fundingIndex;
        int256 ratePerSecond;
        (fundingIndex, ratePerSecond) = pendingFunding(s, marketId, price);
        state.lastFundingTime = uint64(block.timestamp);
        if (ratePerSecond != 0) {
            state.fundingIndex = fundingIndex.toInt96();
            emit IBallastCore.FundingAccrued(marketId, ratePerSecond, fundingIndex);
        }
    }

    /// @dev Moves a position's contribution in the market's aggregates from `before` to the new state. After a
    /// risk-increasing fill (`checkCap`), the side the position now sits on must be within its open-interest cap,
    /// and the market within the capacity LP capital backs (`TradeMath.checkCapacity`, at `price`).
    function updateMarket(
        CoreStorage storage s,
        uint256 marketId,
        Position memory before,
        int256 newSize,
        int256 newOpenNotional,
        int256 fundingIndex,
        bool checkCap,
        uint256 price
    ) internal {
        MarketState storage state = s.marketState[marketId];
        MarketAggregates memory aggregates = MarketAggregates(
            state.longOpenInterest,
            state.shortOpenInterest,
            state.netOpenNotional,
            state.netFundingBasis
        );
        MarketMath.movePosition(
            aggregates,
            before.size,
            before.openNotional,
            before.lastFundingIndex,
            newSize,
            newOpenNotional,
            fundingIndex
        );
        if (checkCap) {
            uint256 cap = s.marketParams[marketId].maxOpenInterestPerSide;
            uint256 openInterest = newSize > 0 ? aggregates.longOpenInterest : aggregates.shortOpenInterest;
            if (openInterest > cap) revert IBallastCore.OpenInterestCapExceeded(marketId, openInterest, cap);
            RiskParams storage risk = s.risk;
            TradeMath.checkCapacity(
                marketId,
                aggregates.longOpenInterest,
                aggregates.shortOpenInterest,
                int256(uint256(state.longOpenInterest)) - int256(uint256(state.shortOpenInterest)),
                aggregates.netOpenNotional,
                price,
                s.vaultLedger > 0 ? uint256(int256(s.vaultLedger)) : 0,
                risk.maxOpenInterestFactor,
                risk.maxSkewFactor,
                risk.maxPnlFactor
            );
        }
        state.longOpenInterest = aggregates.longOpenInterest.toUint128();
        state.shortOpenInterest = aggregates.shortOpenInterest.toUint128();
        state.netOpenNotional = aggregates.netOpenNotional.toInt128();
        state.netFundingBasis = aggregates.netFundingBasis.toInt128();
        // The traders' net unrealised PnL here at this price (what the LP ledger owes on it), kept in the total the
        // haircut ratio reads: refreshed by every trade and liquidation in the market, O(1).
        int256 tradersPnl = VaultAccounting.exitValue(
            int256(aggregates.longOpenInterest) - int256(aggregates.shortOpenInterest),
            price,
            s.marketParams[marketId].skewScale
        ) - aggregates.netOpenNotional;
        s.tradersPnl = (s.tradersPnl + tradersPnl - state.tradersPnl).toInt128();
        state.tradersPnl = tradersPnl.toInt96();
    }

    /// @dev A market's IM and MM for `notional`, interpolated while a new margin table ramps in.
    function requirements(
        CoreStorage storage s,
        uint256 marketId,
        uint256 notional
    ) internal view returns (uint256 initialMargin, uint256 maintenanceMargin) {
        MarginSchedule memory schedule = s.schedules[marketId];
        MarginTier[] memory previous;
        if (block.timestamp < schedule.rampEnd) {
            previous = loadTiers(s.previousTiers[marketId], schedule.previousTierCount, notional);
        }
        return
            MarketMath.rampedRequirements(
                loadTiers(s.tiers[marketId], schedule.tierCount, notional),
                previous,
                schedule.rampStart,
                schedule.rampEnd,
                notional,
                block.timestamp
            );
    }

    /// @dev Copies the brackets that `notional` reaches (the rest cannot matter), saving a cold read per bracket.
    function loadTiers(
        MarginTier[8] storage stored,
        uint256 count,
        uint256 notional
    ) internal view returns (MarginTier[] memory tiers) {
        tiers = new MarginTier[](count);
        uint256 loaded;
        while (loaded < count) {
            MarginTier memory tier = stored[loaded];
            tiers[loaded++] = tier;
            if (notional <= tier.notionalCap) break;
        }
        // Shrinking the length is safe: the last loaded bracket covers `notional`, so the ones after it add 0.
        assembly ("memory-safe") {
            mstore(tiers, loaded)
        }
    }

    // ---------------------------------------------------------------- accounts

    /// @dev Equity, IM, MM and notional of an account, with funding accrued to now (without writing it).
    function accountRisk(
        CoreStorage storage s,
        uint256 accountId,
        Account memory account,
        uint256[] memory prices
    ) internal view returns (RiskTotals memory totals) {
        totals.equity = account.margin;
        uint256 remaining = account.activeMarkets;
        while (remaining != 0) {
            uint256 marketId = lowestMarket(remaining);
            remaining &= remaining - 1;
            uint256 price = priceOf(s, prices, marketId);
            (int256 fundingIndex, ) = pendingFunding(s, marketId, price);
            Position memory position = loadPosition(s, accountId, marketId);
            AccountRisk.addRisk(totals, positionRisk(s, marketId, position, price, fundingIndex));
        }
    }

    function positionRisk(
        CoreStorage storage s,
        uint256 marketId,
        Position memory position,
        uint256 price,
        int256 fundingIndex
    ) internal view returns (PositionRisk memory risk) {
        if (position.size == 0) return risk;
        (risk.value, risk.notional) = AccountRisk.positionValue(
            position.size,
            position.openNotional,
            position.lastFundingIndex,
            price,
            fundingIndex
        );
        (risk.initialMargin, risk.maintenanceMargin) = requirements(s, marketId, risk.notional);
    }

    /// @dev A stored position, widened back to WAD (`Position`).
    function loadPosition(
        CoreStorage storage s,
        uint256 accountId,
        uint256 marketId
    ) internal view returns (Position memory) {
        StoredPosition storage stored = s.positions[accountId][marketId];
        return Position(
            stored.size,
            int128(stored.openNotionalUnits) * int128(int256(PositionMath.BASIS_UNIT)),
            stored.lastFundingIndex
        );
    }

    /// @dev Writes a position (deleting it when closed) and keeps the account's market bitmap in step.
    /// @return activeMarkets The account's bitmap after the write.
    function storePosition(
        CoreStorage storage s,
        uint256 accountId,
        uint256 marketId,
        uint64 activeMarkets,
        int256 oldSize,
        int256 newSize,
        int256 newOpenNotional,
        int256 fundingIndex
    ) internal returns (uint64) {
        uint64 bit = uint64(1 << marketId);
        if (newSize == 0) {
            delete s.positions[accountId][marketId];
            if (oldSize == 0) return activeMarkets;
            activeMarkets &= ~bit;
        } else {
            // Exact: every basis is a whole number of BASIS_UNIT (PositionMath.applyFill).
            s.positions[accountId][marketId] = StoredPosition(
                newSize.toInt96(),
                (newOpenNotional / int256(PositionMath.BASIS_UNIT)).toInt64(),
                fundingIndex.toInt96()
            );
            if (oldSize != 0) return activeMarkets;
            if (popCount(activeMarkets) >= MAX_POSITIONS_PER_ACCOUNT) {
                revert IBallastCore.TooManyPositions(accountId, MAX_POSITIONS_PER_ACCOUNT);
            }
            activeMarkets |= bit;
        }
        s.accounts[accountId].activeMarkets = activeMarkets;
        return activeMarkets;
    }

    /// @dev Converts the account's unconverted profit (in `account`, which the caller writes back) to principal at
    /// the haircut ratio, returning the haircut to the LP ledger. Every operation on an account starts with this,
    /// so all it pays out or risks is principal, which tokens back.
    function convertProfit(CoreStorage storage s, uint256 accountId, Account memory account) internal {
        uint256 profit = account.profit;
        if (profit == 0) return;
        uint256 totalProfit = s.totalProfit;
        uint256 paid = ProfitHaircut.paid(profit, totalProfit, s.vaultLedger, s.tradersPnl);
        // Cast is safe: profit ≤ totalProfit < 2^128.
        s.totalProfit = uint128(totalProfit - profit);
        if (paid != profit) {
            // Casts are safe: paid ≤ profit < 2^96.
            s.vaultLedger += int128(int256(profit - paid));
            account.margin -= int96(int256(profit - paid));
        }
        account.profit = 0;
        emit IBallastCore.ProfitConverted(accountId, profit, paid);
    }

    /// @dev The account as its next operation will see it, unconverted profit valued at the haircut ratio (for
    /// views and previews; nothing is written).
    function effectiveAccount(CoreStorage storage s, uint256 accountId) internal view returns (Account memory account) {
        account = s.accounts[accountId];
        uint256 profit = account.profit;
        if (profit == 0) return account;
        // Cast is safe: paid ≤ profit < 2^96.
        uint256 paid = ProfitHaircut.paid(profit, s.totalProfit, s.vaultLedger, s.tradersPnl);
        account.margin -= int96(int256(profit - paid));
        account.profit = 0;
    }

    /// @dev Writes an account's margin after an operation that started from principal only (`convertProfit`) and
    /// realised `gain` (PnL − funding, gross of fees) against LP capital: the gain, as far as the margin still holds
    /// it, is profit, held apart until converted. Fees come out of principal first. Call it after the ledgers moved.
    /// @return haircut What the new profit would lose if converted now (0 unless LP capital is short).
    function storeMargin(
        CoreStorage storage s,
        uint256 accountId,
        int256 marginAfter,
        int256 gain
    ) internal returns (int256 haircut) {
        Account storage account = s.accounts[accountId];
        uint256 profit;
        if (gain > 0 && marginAfter > 0) {
            profit = Math.min(uint256(gain), uint256(marginAfter));
            uint256 totalProfit = s.totalProfit + profit;
            s.totalProfit = totalProfit.toUint128();
            // Cast is safe: paid ≤ profit, which the toUint96 below bounds.
            haircut = int256(profit - ProfitHaircut.paid(profit, totalProfit, s.vaultLedger, s.tradersPnl));
        }
        account.margin = marginAfter.toInt96();
        account.profit = profit.toUint96();
    }

    // ---------------------------------------------------------------- ledgers

    /// @dev Traders gained `traderGain` (negative: lost it) against the vault.
    function settleWithVault(CoreStorage storage s, int256 traderGain) internal {
        if (traderGain != 0) s.vaultLedger = (s.vaultLedger - traderGain).toInt128();
    }

    // ---------------------------------------------------------------- bitmaps

    /// @dev Index of the lowest set bit of a non-zero bitmap.
    function lowestMarket(uint256 bitmap) internal pure returns (uint256) {
        // unchecked: 0 − bitmap is the two's complement; its AND with bitmap isolates the lowest set bit.
        unchecked {
            return Math.log2(bitmap & (0 - bitmap));
        }
    }

    function popCount(uint256 bitmap) internal pure returns (uint256 count) {
        // unchecked: bitmap ≠ 0 inside the loop, and count ≤ 256.
        unchecked {
            for (; bitmap != 0; ++count) {
                bitmap &= bitmap - 1;
            }
        }
    }
}
