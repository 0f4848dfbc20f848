/**
 * The smallest pro-rata fraction of an account to close, the close at the price a close of that size gets, and
 * the liquidation fee. Closing fraction f of every position changes equity by the fee and the close's skew premium,
 * and MM by the tier brackets the shrinking notionals cross; g(f) = equity after − target after is concave, so
 * Newton steps from f = 0 approach its root from below, and the search then checks exactly that f meets the
 * target and f − 1 misses it.
 *
 * Mirrors `contracts/libraries/LiquidationMath.sol` bit for bit.
 *
 * @module
 */
import {
  assertInt256,
  assertUint,
  checkedInt,
  checkedUint,
  MAX_INT256,
  min,
  mulDiv,
  toInt256,
  uint256ToInt256Unchecked,
} from "./internal/solidity.js";
import type { MarginTier } from "./marginTiers.js";
import { rampedMaintenanceRate, rampedRequirements } from "./marketMath.js";
import { applyFill, notional, unrealisedPnl } from "./positionMath.js";
import { closeFillPrice } from "./pricingMath.js";
import { abs, mulWadDown, mulWadUp, positivePart, WAD } from "./wadMath.js";

/** Newton steps before the fraction search falls back to bisection (`MAX_NEWTON_STEPS`). */
export const MAX_NEWTON_STEPS = 16;

/** False-position steps before the fraction search falls back to bisection (`MAX_CHORD_STEPS`). */
export const MAX_CHORD_STEPS = 24;

/**
 * One position of a liquidated account: what closing any part of it needs, and the close of the fraction last
 * applied ({@link applyFraction} fills in the second half). The Solidity struct `ClosingPosition`.
 */
export type ClosingPosition = {
  size: bigint;
  openNotional: bigint;
  /** Funding the position owes up to now, settled whatever fraction closes. */
  fundingPaid: bigint;
  /** Mark price, WAD USD. */
  price: bigint;
  /** The market's skew before the close. */
  skew: bigint;
  skewScale: bigint;
  /** The brackets the position's notional reaches. */
  tiers: readonly MarginTier[];
  /** The same of the table a ramp starts from; empty outside a ramp. */
  previousTiers: readonly MarginTier[];
  rampStart: bigint;
  rampEnd: bigint;
  closedSize: bigint;
  /** The close's fill, skew premium included. */
  closePrice: bigint;
  newSize: bigint;
  newOpenNotional: bigint;
  realisedPnl: bigint;
};

/** An account after closing `fraction` of every position (the Solidity struct `CloseOutcome`). */
export type CloseOutcome = {
  fraction: bigint;
  /** At the close's fill. */
  closedNotional: bigint;
  fee: bigint;
  maintenanceMarginAfter: bigint;
  /** At the mark. */
  remainingNotional: bigint;
  /** Before any bad-debt write-off. */
  marginAfter: bigint;
  equityAfter: bigint;
};

/**
 * The smallest fraction (WAD) whose close meets the health target, to the rounding unit: the close of f meets it
 * and the close of f − 1 does not; WAD when no partial close does. Newton steps along the slope, then false position
 * (Illinois) between a fraction that misses and one that meets, then bisection. Leaves `positions` holding the
 * close of the last fraction tried.
 * @param margin The account's realised margin before the liquidation, WAD USD.
 * @param timestamp The time the margin tables are read at.
 * @see contracts/libraries/LiquidationMath.sol `minimalFraction`
 */
export function minimalFraction(
  positions: ClosingPosition[],
  margin: bigint,
  feeRate: bigint,
  buffer: bigint,
  timestamp: bigint,
): bigint {
  const UNKNOWN = MAX_INT256;
  let low = 0n;
  let gapLow = 0n;
  let high = WAD;
  let gapHigh = UNKNOWN;
  let fraction = 0n;
  for (let step = 0; step < MAX_NEWTON_STEPS; step++) {
    const { gap, slope } = gapAndSlope(positions, margin, fraction, feeRate, buffer, timestamp, true);
    const { first, last } = plateau(positions);
    if (gap >= 0n) {
      high = first;
      gapHigh = gap;
      break;
    }
    low = last;
    gapLow = gap;
    if (low >= WAD - 1n) return WAD;
    if (slope <= 0n) fraction = WAD - 1n;
    else {
      const next = fraction + mulDiv("minimalFraction", -gap, WAD, slope, "Ceil");
      fraction = min(next > low + 1n ? next : low + 1n, WAD - 1n);
    }
  }
  let lowMovedLast = false;
  let highMovedLast = false;
  for (let step = 0; high > low + 1n; step++) {
    let probe = low + (high - low) / 2n;
    const span = gapHigh - gapLow;
    if (step < MAX_CHORD_STEPS && gapHigh !== UNKNOWN && span !== 0n) {
      const below = mulDiv("minimalFraction", gapHigh, high - low, span, "Floor");
      const chord = high - below;
      probe = min(chord > low + 1n ? chord : low + 1n, high - 1n);
    }
    const { gap } = gapAndSlope(positions, margin, probe, feeRate, buffer, timestamp, false);
    const { first, last } = plateau(positions);
    if (gap >= 0n) {
      high = first;
      gapHigh = gap;
      if (highMovedLast) gapLow /= 2n;
      highMovedLast = true;
      lowMovedLast = false;
    } else {
      low = last;
      gapLow = gap;
      if (lowMovedLast && gapHigh !== UNKNOWN) gapHigh /= 2n;
      highMovedLast = false;
      lowMovedLast = true;
    }
  }
  return high;
}

/**
 * The fractions that close exactly what the last applied fraction closed, in every position: [first, last].
 * @see contracts/libraries/LiquidationMath.sol `_plateau`
 */
function plateau(positions: readonly ClosingPosition[]): { first: bigint; last: bigint } {
  let first = 0n;
  let last = WAD;
  for (const p of positions) {
    const size = abs(p.size);
    const closed = abs(p.closedSize);
    const lowest = closed === 0n ? 0n : ((closed - 1n) * WAD) / size + 1n;
    const highest = closed === size ? WAD : (closed * WAD) / size;
    if (lowest > first) first = lowest;
    if (highest < last) last = highest;
  }
  return { first, last };
}

/**
 * Closes `fraction` of every position at the price a close of that size gets (skew premium included), charges the
 * fee on the closed notional, and returns the account after it; each position's close is written into `positions`.
 * @see contracts/libraries/LiquidationMath.sol `applyFraction`
 */
export function applyFraction(
  positions: ClosingPosition[],
  marginBefore: bigint,
  fraction: bigint,
  feeRate: bigint,
  timestamp: bigint,
): CloseOutcome {
  let margin = marginBefore;
  const outcome: CloseOutcome = {
    fraction,
    closedNotional: 0n,
    fee: 0n,
    maintenanceMarginAfter: 0n,
    remainingNotional: 0n,
    marginAfter: 0n,
    equityAfter: 0n,
  };
  let remainingValue = 0n;
  for (const p of positions) {
    p.closedSize = closeSize(p.size, fraction);
    p.closePrice = closeFillPrice(p.price, p.skew, -p.closedSize, p.skewScale);
    const fill = applyFill(p.size, p.openNotional, -p.closedSize, p.closePrice);
    p.newSize = fill.newSize;
    p.newOpenNotional = fill.newOpenNotional;
    p.realisedPnl = fill.realisedPnl;
    margin = checkedInt("applyFraction", margin + p.realisedPnl - p.fundingPaid, "margin");
    outcome.closedNotional = checkedUint(
      "applyFraction",
      outcome.closedNotional + notional(p.closedSize, p.closePrice),
      "closedNotional",
    );
    if (p.newSize !== 0n) {
      const remaining = notional(p.newSize, p.price);
      const { maintenanceMargin } = rampedRequirements(
        p.tiers,
        p.previousTiers,
        p.rampStart,
        p.rampEnd,
        remaining,
        timestamp,
      );
      outcome.remainingNotional += remaining;
      outcome.maintenanceMarginAfter += maintenanceMargin;
      remainingValue += unrealisedPnl(p.newSize, p.newOpenNotional, p.price);
    }
  }
  outcome.fee = liquidationFee(outcome.closedNotional, feeRate, margin + remainingValue);
  outcome.marginAfter = margin - outcome.fee;
  outcome.equityAfter = outcome.marginAfter + remainingValue;
  return outcome;
}

/** Equity after closing `fraction` less the target after it, and that difference's slope per WAD of fraction. */
function gapAndSlope(
  positions: ClosingPosition[],
  margin: bigint,
  fraction: bigint,
  feeRate: bigint,
  buffer: bigint,
  timestamp: bigint,
  withSlope: boolean,
): { gap: bigint; slope: bigint } {
  const outcome = applyFraction(positions, margin, fraction, feeRate, timestamp);
  const gap = outcome.equityAfter - targetEquity(outcome.maintenanceMarginAfter, buffer);
  if (!withSlope) return { gap, slope: 0n };
  let slope = 0n;
  for (const p of positions) {
    const maintenanceRate = rampedMaintenanceRate(
      p.tiers,
      p.previousTiers,
      p.rampStart,
      p.rampEnd,
      notional(p.newSize, p.price),
      timestamp,
    );
    slope += closeSlope(
      p.size,
      p.closedSize,
      p.price,
      p.closePrice,
      p.skew,
      p.skewScale,
      maintenanceRate,
      feeRate,
      buffer,
    );
  }
  return { gap, slope };
}

/**
 * d(equity after − target)/df of closing fraction f of one position, per WAD of fraction, in WAD USD: MM released
 * × (1 + buffer), plus the skew premium the close earns (negative: pays) at the margin, less the fee. An estimate
 * for the search's Newton steps.
 * @see contracts/libraries/LiquidationMath.sol `closeSlope`
 */
export function closeSlope(
  size: bigint,
  closedSize: bigint,
  markPrice: bigint,
  closePrice: bigint,
  skew: bigint,
  skewScale: bigint,
  maintenanceRate: bigint,
  feeRate: bigint,
  buffer: bigint,
): bigint {
  assertInt256("closeSlope", "size", size);
  assertInt256("closeSlope", "closedSize", closedSize);
  assertInt256("closeSlope", "skew", skew);
  assertUint("closeSlope", "skewScale", skewScale);
  const absSize = abs(size);
  const released = mulWadDown(mulWadDown(absSize, markPrice), maintenanceRate);
  const slope = checkedInt(
    "closeSlope",
    toInt256("closeSlope", mulWadDown(released, checkedUint("closeSlope", WAD + buffer, "WAD + buffer"))) -
      toInt256("closeSlope", mulWadDown(mulWadDown(absSize, closePrice), feeRate)),
    "slope",
  );
  if (skewScale === 0n) return slope;
  const skewAfter = checkedInt("closeSlope", skew - closedSize, "skew − closedSize");
  const premium = mulDiv(
    "closeSlope",
    mulDiv("closeSlope", markPrice, abs(skewAfter), skewScale, "Floor"),
    absSize,
    WAD,
    "Floor",
  );
  const signedPremium = toInt256("closeSlope", premium);
  return checkedInt(
    "closeSlope",
    size > 0n === skewAfter > 0n ? slope + signedPremium : slope - signedPremium,
    "slope",
  );
}

/**
 * The health target after a partial liquidation: MM × (1 + buffer), rounded up, and at least MM + 1.
 * @param maintenanceMargin WAD USD (uint256).
 * @param buffer Health buffer above MM, WAD (uint256).
 * @returns WAD USD (uint256).
 * @see contracts/libraries/LiquidationMath.sol `targetEquity`
 */
export function targetEquity(maintenanceMargin: bigint, buffer: bigint): bigint {
  assertUint("targetEquity", "maintenanceMargin", maintenanceMargin);
  assertUint("targetEquity", "buffer", buffer);
  // Same order as Solidity's `Math.max(mulWadUp(...), maintenanceMargin + 1)`: either operand may revert.
  const buffered = mulWadUp(maintenanceMargin, checkedUint("targetEquity", WAD + buffer, "WAD + buffer"));
  const aboveMaintenance = checkedUint("targetEquity", maintenanceMargin + 1n, "maintenanceMargin + 1");
  return buffered > aboveMaintenance ? buffered : aboveMaintenance;
}

/**
 * The size to close out of `size` for `fraction`: |size| × fraction rounded up, signed like `size`, never more
 * than |size|.
 * @param size Signed WAD base units (int256).
 * @param fraction WAD (uint256).
 * @returns Signed WAD base units (int256).
 * @see contracts/libraries/LiquidationMath.sol `closeSize`
 */
export function closeSize(size: bigint, fraction: bigint): bigint {
  assertInt256("closeSize", "size", size);
  assertUint("closeSize", "fraction", fraction);
  const closed = min(mulWadUp(abs(size), fraction), abs(size));
  // The contract casts with an unchecked int256(closed): only closed = 2^255 (size = type(int256).min) wraps, to
  // type(int256).min, whose negation then reverts with Panic(0x11).
  const signed = uint256ToInt256Unchecked(closed);
  return size >= 0n ? signed : checkedInt("closeSize", -signed, "-int256(closed)");
}

/**
 * feeRate × closedNotional rounded up, capped at the equity left after the close (never below 0).
 * @param closedNotional Notional closed, at the close's fill, WAD USD (uint256).
 * @param feeRate WAD (uint256).
 * @param equityAfterClose WAD USD (int256).
 * @returns WAD USD (uint256).
 * @see contracts/libraries/LiquidationMath.sol `liquidationFee`
 */
export function liquidationFee(closedNotional: bigint, feeRate: bigint, equityAfterClose: bigint): bigint {
  assertInt256("liquidationFee", "equityAfterClose", equityAfterClose);
  return min(mulWadUp(closedNotional, feeRate), positivePart(equityAfterClose));
}
