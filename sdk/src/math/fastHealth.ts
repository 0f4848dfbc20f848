/**
 * A fast path for evaluating many positions (keepers, dashboards): per-market tier constants are precomputed once,
 * so one position costs a bracket lookup and a handful of bigint operations.
 *
 * Equivalence. In bracket k (cap_{k−1} < N ≤ cap_k; the last bracket is unbounded) the core's sum
 * Σ_{j≤k} rate_j × width_j equals rate_k × N − cum_k with cum_k = Σ_{j<k} (rate_k − rate_j) × width_j, an exact
 * integer identity, and both are divided once, rounded up. Every other formula is the library's, with the same
 * rounding. So for every input the core accepts (no overflow), the results are bit-for-bit those of
 * {@link marketRequirements}, {@link positionRisk} and {@link accountHealth}; `test/ts/sdk/account.unit.test.ts`
 * checks this on random tables, ramps and positions. Unlike the library mirrors, nothing here checks ranges or
 * overflow: call it on state read from the chain.
 *
 * @module
 */
import type { PositionRisk } from "./accountRisk.js";
import { MAX_UINT256 } from "./internal/solidity.js";
import type { MarginTier, Requirements } from "./marginTiers.js";
import type { AccountHealth, Market, Position } from "./types.js";
import { WAD } from "./wadMath.js";

/** A margin table with the per-bracket constants precomputed. */
export type CompiledTiers = {
  /** Upper caps; the last bracket's is ignored (unbounded). */
  caps: bigint[];
  initialRates: bigint[];
  maintenanceRates: bigint[];
  /** cum_k in rate × notional units (WAD²). */
  initialAmounts: bigint[];
  maintenanceAmounts: bigint[];
  last: number;
};

/** Precomputes a table's cumulative amounts (the exchanges' "maintenance amount", scaled by WAD). */
export function compileTiers(tiers: readonly MarginTier[]): CompiledTiers {
  const compiled: CompiledTiers = {
    caps: [],
    initialRates: [],
    maintenanceRates: [],
    initialAmounts: [],
    maintenanceAmounts: [],
    last: tiers.length - 1,
  };
  let lower = 0n;
  let initialAmount = 0n;
  let maintenanceAmount = 0n;
  let initialRate = 0n;
  let maintenanceRate = 0n;
  for (const tier of tiers) {
    initialAmount += lower * (tier.initialMarginRate - initialRate);
    maintenanceAmount += lower * (tier.maintenanceMarginRate - maintenanceRate);
    initialRate = tier.initialMarginRate;
    maintenanceRate = tier.maintenanceMarginRate;
    compiled.caps.push(tier.notionalCap);
    compiled.initialRates.push(initialRate);
    compiled.maintenanceRates.push(maintenanceRate);
    compiled.initialAmounts.push(initialAmount);
    compiled.maintenanceAmounts.push(maintenanceAmount);
    lower = tier.notionalCap;
  }
  return compiled;
}

function ceilWad(sum: bigint): bigint {
  const quotient = sum / WAD;
  return sum % WAD === 0n ? quotient : quotient + 1n;
}

/** Scratch outputs of {@link tableRequirements} (no allocation on the hot path). */
let scratchInitial = 0n;
let scratchMaintenance = 0n;

function tableRequirements(table: CompiledTiers, notional: bigint): void {
  let k = 0;
  const { caps, last } = table;
  while (k < last && notional > (caps[k] as bigint)) k++;
  scratchInitial = ceilWad((table.initialRates[k] as bigint) * notional - (table.initialAmounts[k] as bigint));
  scratchMaintenance = ceilWad(
    (table.maintenanceRates[k] as bigint) * notional - (table.maintenanceAmounts[k] as bigint),
  );
}

/** `MarginTiers.requirements` on a compiled table: identical results. */
export function compiledRequirements(table: CompiledTiers, notional: bigint): Requirements {
  tableRequirements(table, notional);
  return { initialMargin: scratchInitial, maintenanceMargin: scratchMaintenance };
}

/** A market with its tables compiled. */
export type CompiledMarket = {
  marketId: number;
  current: CompiledTiers;
  /** The ramp's starting table, while one is defined. */
  previous: CompiledTiers | undefined;
  rampStart: bigint;
  rampEnd: bigint;
};

/** Compiles a market's current and previous tables (do it once per market, again after `MarginTiersSet`). */
export function compileMarket(market: Pick<Market, "marketId" | "tiers" | "ramp">): CompiledMarket {
  return {
    marketId: market.marketId,
    current: compileTiers(market.tiers),
    previous: market.ramp.previousTiers.length === 0 ? undefined : compileTiers(market.ramp.previousTiers),
    rampStart: market.ramp.start,
    rampEnd: market.ramp.end,
  };
}

function interpolate(from: bigint, to: bigint, elapsed: bigint, duration: bigint): bigint {
  if (to >= from) {
    const product = (to - from) * elapsed;
    const quotient = product / duration;
    return from + (product % duration === 0n ? quotient : quotient + 1n);
  }
  return from - ((from - to) * elapsed) / duration;
}

/** {@link fastMarketRequirements} into the scratch outputs. */
function marketRequirementsInto(market: CompiledMarket, notional: bigint, timestamp: bigint): void {
  if (timestamp >= market.rampEnd || market.previous === undefined) {
    tableRequirements(market.current, notional);
    return;
  }
  tableRequirements(market.previous, notional);
  const initialBefore = scratchInitial;
  const maintenanceBefore = scratchMaintenance;
  tableRequirements(market.current, notional);
  const elapsed = timestamp - market.rampStart;
  const duration = market.rampEnd - market.rampStart;
  scratchInitial = interpolate(initialBefore, scratchInitial, elapsed, duration);
  scratchMaintenance = interpolate(maintenanceBefore, scratchMaintenance, elapsed, duration);
}

/** `marketRequirements` on a compiled market: identical results. */
export function fastMarketRequirements(market: CompiledMarket, notional: bigint, timestamp: bigint): Requirements {
  marketRequirementsInto(market, notional, timestamp);
  return { initialMargin: scratchInitial, maintenanceMargin: scratchMaintenance };
}

/**
 * `positionRisk` on a compiled market: value (PnL rounded down minus funding rounded up), notional (rounded up)
 * and requirements. `fundingIndex` is the market's pending index (compute it once per market and timestamp).
 */
export function fastPositionRisk(
  market: CompiledMarket,
  position: Position,
  price: bigint,
  fundingIndex: bigint,
  timestamp: bigint,
): PositionRisk {
  const size = position.size;
  if (size === 0n) return { value: 0n, initialMargin: 0n, maintenanceMargin: 0n, notional: 0n };
  // size × price / WAD toward −∞.
  const value = size * price;
  let pnl = value / WAD;
  if (value < 0n && value % WAD !== 0n) pnl -= 1n;
  // size × (index − entry) / WAD toward +∞.
  const owed = size * (fundingIndex - position.lastFundingIndex);
  let funding = owed / WAD;
  if (owed > 0n && owed % WAD !== 0n) funding += 1n;
  const magnitude = value < 0n ? -value : value;
  const notional = magnitude === 0n ? 0n : (magnitude - 1n) / WAD + 1n;
  marketRequirementsInto(market, notional, timestamp);
  return {
    value: pnl - position.openNotional - funding,
    initialMargin: scratchInitial,
    maintenanceMargin: scratchMaintenance,
    notional,
  };
}

/** One position for {@link fastAccountHealth}: the position, its compiled market, price and pending index. */
export type FastPositionInput = {
  position: Position;
  market: CompiledMarket;
  price: bigint;
  fundingIndex: bigint;
};

/** `accountHealth` from compiled markets and per-market pending funding indices: identical results. */
export function fastAccountHealth(
  margin: bigint,
  positions: readonly FastPositionInput[],
  timestamp: bigint,
): AccountHealth {
  let equity = margin;
  let initialMargin = 0n;
  let maintenanceMargin = 0n;
  let totalNotional = 0n;
  for (const input of positions) {
    const { position, price } = input;
    const size = position.size;
    if (size === 0n) continue;
    // One division gives both roundings: PnL toward −∞, notional (of |size| × price) toward +∞.
    const value = size * price;
    const quotient = value / WAD;
    const inexact = value % WAD !== 0n;
    let pnl = quotient;
    let notional: bigint;
    if (value < 0n) {
      if (inexact) pnl -= 1n;
      notional = inexact ? 1n - quotient : -quotient;
    } else {
      notional = inexact ? quotient + 1n : quotient;
    }
    const owed = size * (input.fundingIndex - position.lastFundingIndex);
    let funding = owed / WAD;
    if (owed > 0n && owed % WAD !== 0n) funding += 1n;
    marketRequirementsInto(input.market, notional, timestamp);
    equity += pnl - position.openNotional - funding;
    initialMargin += scratchInitial;
    maintenanceMargin += scratchMaintenance;
    totalNotional += notional;
  }
  const free = equity - initialMargin;
  return {
    margin,
    equity,
    initialMargin,
    maintenanceMargin,
    totalNotional,
    healthFactor: maintenanceMargin === 0n ? MAX_UINT256 : equity <= 0n ? 0n : (equity * WAD) / maintenanceMargin,
    marginRatio:
      maintenanceMargin === 0n ? 0n : equity <= 0n ? MAX_UINT256 : ceilDivPositive(maintenanceMargin * WAD, equity),
    withdrawable: margin <= 0n || free <= 0n ? 0n : margin < free ? margin : free,
    liquidatable: maintenanceMargin > 0n && equity <= maintenanceMargin,
  };
}

function ceilDivPositive(a: bigint, b: bigint): bigint {
  return a === 0n ? 0n : (a - 1n) / b + 1n;
}
