/**
 * Skew-proportional funding with a per-market cumulative index per unit of size.
 * rate (WAD per second) = maxRate × skew / fundingScale, clamped to ±maxRate; positive: longs pay shorts.
 * The index (WAD USD per base unit) grows by rate × price × elapsed. A position owes
 * size × (index − its entry index), rounded toward +∞ (against the trader).
 *
 * Mirrors `contracts/libraries/FundingMath.sol` bit for bit: a magnitude ≥ 2^255 throws where `SafeCast.toInt256`
 * reverts on chain (possible only with out-of-bounds parameters).
 *
 * @module
 */
import { assertInt256, assertUint, checkedInt, checkedUint, min, mulDiv, toInt256 } from "./internal/solidity.js";
import { abs, mulWadCeil, WAD } from "./wadMath.js";

/**
 * The funding rate per second for a skew of `skew` base units (longs − shorts), truncated toward zero so that
 * neither side is favoured; 0 when `fundingScale` is 0 (funding disabled).
 * @param skew Open-interest skew, signed WAD base units (int256).
 * @param fundingScale Skew at which the rate reaches the max, WAD base units (uint256).
 * @param maxRatePerSecond Rate clamp, WAD per second (uint256).
 * @returns WAD per second (int256): > 0 when longs pay shorts.
 * @see contracts/libraries/FundingMath.sol `fundingRate`
 */
export function fundingRate(skew: bigint, fundingScale: bigint, maxRatePerSecond: bigint): bigint {
  assertInt256("fundingRate", "skew", skew);
  assertUint("fundingRate", "fundingScale", fundingScale);
  assertUint("fundingRate", "maxRatePerSecond", maxRatePerSecond);
  if (fundingScale === 0n) return 0n;
  const magnitude = min(mulDiv("fundingRate", abs(skew), maxRatePerSecond, fundingScale, "Floor"), maxRatePerSecond);
  const rate = toInt256("fundingRate", magnitude);
  return skew >= 0n ? rate : -rate;
}

/**
 * The index after `elapsed` seconds at `ratePerSecond` and `price`; the increment |rate| × elapsed × price / WAD
 * is truncated toward zero, like the rate.
 * @param index Cumulative funding per base unit, WAD USD (int256).
 * @param ratePerSecond WAD per second (int256).
 * @param price Mark price, WAD USD per base unit (uint256).
 * @param elapsed Seconds (uint256).
 * @returns The new index, WAD USD per base unit (int256).
 * @see contracts/libraries/FundingMath.sol `nextIndex`
 */
export function nextIndex(index: bigint, ratePerSecond: bigint, price: bigint, elapsed: bigint): bigint {
  assertInt256("nextIndex", "index", index);
  assertInt256("nextIndex", "ratePerSecond", ratePerSecond);
  assertUint("nextIndex", "price", price);
  assertUint("nextIndex", "elapsed", elapsed);
  const ratePerElapsed = checkedUint("nextIndex", abs(ratePerSecond) * elapsed, "|ratePerSecond| × elapsed");
  const increment = toInt256("nextIndex", mulDiv("nextIndex", ratePerElapsed, price, WAD, "Floor"));
  return ratePerSecond >= 0n
    ? checkedInt("nextIndex", index + increment, "index + increment")
    : checkedInt("nextIndex", index - increment, "index − increment");
}

/**
 * Funding a position owes since its entry index (negative: it is owed): size × (index − entryIndex), rounded
 * toward +∞. Longs and shorts both round up, so the dust stays with the protocol.
 * @param size Signed WAD base units (int256).
 * @param entryIndex The market index when the position last settled, WAD USD per base unit (int256).
 * @param index The current market index, WAD USD per base unit (int256).
 * @returns WAD USD (int256).
 * @see contracts/libraries/FundingMath.sol `accruedFunding`
 */
export function accruedFunding(size: bigint, entryIndex: bigint, index: bigint): bigint {
  assertInt256("accruedFunding", "size", size);
  assertInt256("accruedFunding", "entryIndex", entryIndex);
  assertInt256("accruedFunding", "index", index);
  return mulWadCeil(size, checkedInt("accruedFunding", index - entryIndex, "index − entryIndex"));
}
