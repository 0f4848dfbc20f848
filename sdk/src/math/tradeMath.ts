/**
 * Prices a trade against a position (fill price with the skew premium, fee, funding settled, the position after)
 * and checks the account after it. Mirrors `contracts/libraries/TradeMath.sol` function by function; where the
 * contract reverts, these return the error's name and arguments (callers turn them into typed errors).
 *
 * @module
 */
import type { RiskTotals } from "./accountRisk.js";
import { accruedFunding } from "./fundingMath.js";
import { isLiquidatable } from "./marginMath.js";
import { applyFill, notional, unrealisedPnl } from "./positionMath.js";
import { fillPrice, tradingFee } from "./pricingMath.js";
import { abs, mulWadDown, mulWadUp, positivePart } from "./wadMath.js";

/** A priced trade against one position, before anything is written. */
export type Fill = {
  /** The fill price: mark price plus the skew premium. */
  price: bigint;
  fee: bigint;
  /** Funding settled on the position before the trade. */
  fundingPaid: bigint;
  newSize: bigint;
  newOpenNotional: bigint;
  realisedPnl: bigint;
  /** Grows |size| or flips the side. */
  increasesRisk: boolean;
};

/** A revert the contract would raise: its name and arguments. */
export type TradeCheckFailure =
  | { errorName: "PositionBelowMinimum"; args: [bigint, bigint] }
  | { errorName: "FeeExceedsMargin"; args: [bigint, bigint] }
  | { errorName: "InsufficientMargin"; args: [bigint, bigint] }
  | { errorName: "ReductionLeavesAccountUnhealthy"; args: [bigint, bigint] }
  | { errorName: "OpenInterestCapacityExceeded"; args: [bigint, bigint, bigint] }
  | { errorName: "SkewCapacityExceeded"; args: [bigint, bigint, bigint] }
  | { errorName: "PnlCapacityExceeded"; args: [bigint, bigint, bigint] };

/**
 * Prices `sizeDelta` against a position of (`size`, `openNotional`, `lastFundingIndex`).
 * @param skew The market's skew before the trade (base units).
 * @see contracts/libraries/TradeMath.sol `priceFill`
 */
export function priceFill(
  size: bigint,
  openNotional: bigint,
  lastFundingIndex: bigint,
  sizeDelta: bigint,
  markPrice: bigint,
  fundingIndex: bigint,
  skew: bigint,
  skewScale: bigint,
  makerFeeRate: bigint,
  takerFeeRate: bigint,
): Fill {
  const price = fillPrice(markPrice, skew, sizeDelta, skewScale);
  const fee = tradingFee(skew, sizeDelta, price, makerFeeRate, takerFeeRate);
  const fundingPaid = accruedFunding(size, lastFundingIndex, fundingIndex);
  const { newSize, newOpenNotional, realisedPnl } = applyFill(size, openNotional, sizeDelta, price);
  const increasesRisk = abs(newSize) > abs(size) || (newSize !== 0n && size !== 0n && newSize > 0n !== size > 0n);
  return { price, fee, fundingPaid, newSize, newOpenNotional, realisedPnl, increasesRisk };
}

/**
 * The `PositionBelowMinimum` revert a risk-increasing trade to `newSize` would raise, if any.
 * @see contracts/libraries/TradeMath.sol `checkMinimumNotional`
 */
export function checkMinimumNotional(
  newSize: bigint,
  markPrice: bigint,
  minPositionNotional: bigint,
): TradeCheckFailure | undefined {
  const newNotional = notional(newSize, markPrice);
  if (newNotional < minPositionNotional) {
    return { errorName: "PositionBelowMinimum", args: [newNotional, minPositionNotional] };
  }
  return undefined;
}

/** The capacity factors of `RiskParams` (WAD of LP capital; 0 skips a check). */
export type CapacityFactors = {
  maxOpenInterestFactor: bigint;
  maxSkewFactor: bigint;
  maxPnlFactor: bigint;
};

/**
 * The capacity revert a risk-increasing trade would raise (`OpenInterestCapacityExceeded`, `SkewCapacityExceeded`,
 * `PnlCapacityExceeded`): each side's open-interest notional, the skew notional when the trade grew |skew|, and the
 * traders' net unrealised PnL in the market, each at most its factor of LP `capital` (DESIGN §8).
 * @param skewBefore The market's skew before the trade; the open interests and `netOpenNotional` are after it.
 * @param capital LP capital, WAD USD (the positive part of the realised LP ledger).
 * @see contracts/libraries/TradeMath.sol `checkCapacity`
 */
export function checkCapacity(
  marketId: bigint,
  longOpenInterest: bigint,
  shortOpenInterest: bigint,
  skewBefore: bigint,
  netOpenNotional: bigint,
  markPrice: bigint,
  capital: bigint,
  factors: CapacityFactors,
): TradeCheckFailure | undefined {
  if (factors.maxOpenInterestFactor !== 0n) {
    const capacity = mulWadDown(capital, factors.maxOpenInterestFactor);
    const larger = longOpenInterest > shortOpenInterest ? longOpenInterest : shortOpenInterest;
    const openInterestNotional = mulWadUp(larger, markPrice);
    if (openInterestNotional > capacity) {
      return { errorName: "OpenInterestCapacityExceeded", args: [marketId, openInterestNotional, capacity] };
    }
  }
  const skew = longOpenInterest - shortOpenInterest;
  if (factors.maxSkewFactor !== 0n && abs(skew) > abs(skewBefore)) {
    const capacity = mulWadDown(capital, factors.maxSkewFactor);
    const skewNotional = notional(skew, markPrice);
    if (skewNotional > capacity) return { errorName: "SkewCapacityExceeded", args: [marketId, skewNotional, capacity] };
  }
  if (factors.maxPnlFactor !== 0n) {
    const capacity = mulWadDown(capital, factors.maxPnlFactor);
    const traderPnl = unrealisedPnl(skew, netOpenNotional, markPrice);
    if (traderPnl > 0n && traderPnl > capacity) {
      return { errorName: "PnlCapacityExceeded", args: [marketId, traderPnl, capacity] };
    }
  }
  return undefined;
}

/**
 * The `FeeExceedsMargin` revert a trade would raise when the realised margin left after its PnL and funding
 * (`marginBeforeFee`) cannot pay the whole `fee`.
 * @see contracts/libraries/TradeMath.sol `checkFeeCovered`
 */
export function checkFeeCovered(marginBeforeFee: bigint, fee: bigint): TradeCheckFailure | undefined {
  if (fee === 0n) return undefined;
  const payableMargin = positivePart(marginBeforeFee);
  return fee > payableMargin ? { errorName: "FeeExceedsMargin", args: [fee, payableMargin] } : undefined;
}

/**
 * The revert the account after a trade would raise, if any: a risk-increasing trade must leave equity ≥ IM; a
 * reduction must not leave the account liquidatable or with negative equity.
 * @see contracts/libraries/TradeMath.sol `checkAccountAfter`
 */
export function checkAccountAfter(totalsAfter: RiskTotals, increasesRisk: boolean): TradeCheckFailure | undefined {
  if (increasesRisk) {
    if (totalsAfter.equity < totalsAfter.initialMargin) {
      return { errorName: "InsufficientMargin", args: [totalsAfter.equity, totalsAfter.initialMargin] };
    }
    return undefined;
  }
  if (totalsAfter.equity < 0n || isLiquidatable(totalsAfter.equity, totalsAfter.maintenanceMargin)) {
    return {
      errorName: "ReductionLeavesAccountUnhealthy",
      args: [totalsAfter.equity, totalsAfter.maintenanceMargin],
    };
  }
  return undefined;
}
