/**
 * A market's skew, pending funding, aggregates after a position changes, and margin requirements while a new
 * table ramps in. Mirrors `contracts/libraries/MarketMath.sol` function by function, with the same rounding.
 *
 * @module
 */
import { nextIndex, fundingRate } from "./fundingMath.js";
import { checkedUint } from "./internal/solidity.js";
import { interpolate, maintenanceRateAt, type MarginTier, type Requirements, requirements } from "./marginTiers.js";
import { abs, mulWadCeil } from "./wadMath.js";

/** A market's aggregates over all of its positions, as the vault's valuation needs them. */
export type MarketAggregates = {
  /** Base units. */
  longOpenInterest: bigint;
  /** Base units. */
  shortOpenInterest: bigint;
  /** Σ openNotional, WAD USD. */
  netOpenNotional: bigint;
  /** Σ mulWadCeil(size, entry funding index), WAD USD. */
  netFundingBasis: bigint;
};

/** A market's funding index and rate as of a timestamp. */
export type PendingFunding = {
  /** WAD USD per base unit. */
  fundingIndex: bigint;
  /** WAD per second; > 0 when longs pay shorts. */
  ratePerSecond: bigint;
};

/**
 * Open-interest skew, longs − shorts (base units).
 * @see contracts/libraries/MarketMath.sol `marketSkew`
 */
export function marketSkew(longOpenInterest: bigint, shortOpenInterest: bigint): bigint {
  return longOpenInterest - shortOpenInterest;
}

/**
 * The funding index and rate as of `timestamp`, accrual since `lastFundingTime` included.
 * @param price The market's mark price (WAD USD per base unit), which funding is paid on.
 * @see contracts/libraries/MarketMath.sol `pendingFunding`
 */
export function pendingFunding(
  fundingIndex: bigint,
  lastFundingTime: bigint,
  skew: bigint,
  fundingScale: bigint,
  maxFundingRatePerSecond: bigint,
  price: bigint,
  timestamp: bigint,
): PendingFunding {
  const ratePerSecond = fundingRate(skew, fundingScale, maxFundingRatePerSecond);
  const elapsed = checkedUint("pendingFunding", timestamp - lastFundingTime, "timestamp − lastFundingTime");
  if (elapsed === 0n || ratePerSecond === 0n) return { fundingIndex, ratePerSecond };
  return { fundingIndex: nextIndex(fundingIndex, ratePerSecond, price, elapsed), ratePerSecond };
}

/**
 * The aggregates after one position moves from (`sizeBefore`, `openNotionalBefore`, `fundingIndexBefore`) to
 * (`newSize`, `newOpenNotional`, `fundingIndex`). Returns a new object (the Solidity twin updates in place).
 * @see contracts/libraries/MarketMath.sol `movePosition`
 */
export function movePosition(
  aggregates: MarketAggregates,
  sizeBefore: bigint,
  openNotionalBefore: bigint,
  fundingIndexBefore: bigint,
  newSize: bigint,
  newOpenNotional: bigint,
  fundingIndex: bigint,
): MarketAggregates {
  let { longOpenInterest, shortOpenInterest } = aggregates;
  if (sizeBefore > 0n) longOpenInterest -= sizeBefore;
  else shortOpenInterest -= abs(sizeBefore);
  if (newSize > 0n) longOpenInterest += newSize;
  else shortOpenInterest += abs(newSize);
  return {
    // Unchecked here (the contract's checked subtraction cannot underflow on a state it wrote): a hand-built
    // snapshot whose open interest omits the position still gets a result to display.
    longOpenInterest,
    shortOpenInterest,
    netOpenNotional: aggregates.netOpenNotional + newOpenNotional - openNotionalBefore,
    netFundingBasis:
      aggregates.netFundingBasis + mulWadCeil(newSize, fundingIndex) - mulWadCeil(sizeBefore, fundingIndexBefore),
  };
}

/**
 * IM and MM of a position of `notional` at `timestamp`: the current table's, moving linearly from the previous
 * table's between `rampStart` and `rampEnd` (both rounded up).
 * @see contracts/libraries/MarketMath.sol `rampedRequirements`
 */
export function rampedRequirements(
  tiers: readonly MarginTier[],
  previousTiers: readonly MarginTier[],
  rampStart: bigint,
  rampEnd: bigint,
  notional: bigint,
  timestamp: bigint,
): Requirements {
  const current = requirements(tiers, notional);
  if (timestamp >= rampEnd) return current;
  const before = requirements(previousTiers, notional);
  const elapsed = checkedUint("rampedRequirements", timestamp - rampStart, "timestamp − rampStart");
  const duration = rampEnd - rampStart;
  return {
    initialMargin: interpolate(before.initialMargin, current.initialMargin, elapsed, duration),
    maintenanceMargin: interpolate(before.maintenanceMargin, current.maintenanceMargin, elapsed, duration),
  };
}

/**
 * MM's slope at `notional` part-way through a ramp: the two tables' bracket rates, interpolated like the
 * requirements. An estimate for the liquidation search's steps; the search checks every step exactly.
 * @see contracts/libraries/MarketMath.sol `rampedMaintenanceRate`
 */
export function rampedMaintenanceRate(
  tiers: readonly MarginTier[],
  previousTiers: readonly MarginTier[],
  rampStart: bigint,
  rampEnd: bigint,
  notional: bigint,
  timestamp: bigint,
): bigint {
  const rate = maintenanceRateAt(tiers, notional);
  if (timestamp >= rampEnd) return rate;
  return interpolate(
    maintenanceRateAt(previousTiers, notional),
    rate,
    checkedUint("rampedMaintenanceRate", timestamp - rampStart, "timestamp − rampStart"),
    rampEnd - rampStart,
  );
}
