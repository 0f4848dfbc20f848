/**
 * Position value, account totals and the account figures derived from them. Mirrors
 * `contracts/libraries/AccountRisk.sol` function by function, with the same rounding.
 *
 * @module
 */
import { accruedFunding } from "./fundingMath.js";
import { healthFactor, isLiquidatable, marginRatio, withdrawableMargin } from "./marginMath.js";
import { notional, unrealisedPnl } from "./positionMath.js";
import type { AccountHealth } from "./types.js";

/** One position's contribution to its account's risk. */
export type PositionRisk = {
  /** unrealisedPnl − accruedFunding, WAD USD. */
  value: bigint;
  initialMargin: bigint;
  maintenanceMargin: bigint;
  /** |size| × price rounded up, WAD USD. */
  notional: bigint;
};

/** An account's sums over its positions (equity includes the realised margin). */
export type RiskTotals = {
  equity: bigint;
  initialMargin: bigint;
  maintenanceMargin: bigint;
  totalNotional: bigint;
};

/**
 * A position's value at `price` with funding settled to `fundingIndex` (PnL down, funding owed up), and its
 * notional.
 * @see contracts/libraries/AccountRisk.sol `positionValue`
 */
export function positionValue(
  size: bigint,
  openNotional: bigint,
  lastFundingIndex: bigint,
  price: bigint,
  fundingIndex: bigint,
): { value: bigint; notional: bigint } {
  return {
    value: unrealisedPnl(size, openNotional, price) - accruedFunding(size, lastFundingIndex, fundingIndex),
    notional: notional(size, price),
  };
}

/**
 * Adds one position's risk to the account's totals, in place.
 * @see contracts/libraries/AccountRisk.sol `addRisk`
 */
export function addRisk(totals: RiskTotals, risk: PositionRisk): void {
  totals.equity += risk.value;
  totals.initialMargin += risk.initialMargin;
  totals.maintenanceMargin += risk.maintenanceMargin;
  totals.totalNotional += risk.notional;
}

/**
 * The totals with one position's risk replaced (`before` → `afterwards`) and the margin moved by `marginDelta`.
 * @see contracts/libraries/AccountRisk.sol `replaceRisk`
 */
export function replaceRisk(
  totals: RiskTotals,
  before: PositionRisk,
  afterwards: PositionRisk,
  marginDelta: bigint,
): RiskTotals {
  return {
    equity: totals.equity - before.value + afterwards.value + marginDelta,
    initialMargin: totals.initialMargin - before.initialMargin + afterwards.initialMargin,
    maintenanceMargin: totals.maintenanceMargin - before.maintenanceMargin + afterwards.maintenanceMargin,
    totalNotional: totals.totalNotional - before.notional + afterwards.notional,
  };
}

/**
 * The account figures users see, from its realised margin and totals.
 * @see contracts/libraries/AccountRisk.sol `healthFromTotals`
 */
export function healthFromTotals(margin: bigint, totals: RiskTotals): AccountHealth {
  return {
    margin,
    equity: totals.equity,
    initialMargin: totals.initialMargin,
    maintenanceMargin: totals.maintenanceMargin,
    totalNotional: totals.totalNotional,
    healthFactor: healthFactor(totals.equity, totals.maintenanceMargin),
    marginRatio: marginRatio(totals.equity, totals.maintenanceMargin),
    withdrawable: withdrawableMargin(margin, totals.equity, totals.initialMargin),
    liquidatable: isLiquidatable(totals.equity, totals.maintenanceMargin),
  };
}
