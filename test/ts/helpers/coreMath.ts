/**
 * An independent bigint model of the formulas in DESIGN.md §2–4, used by the core tests to compute expected
 * values. It is written from the design notes and the library doc comments, never by calling the contracts.
 */
export const WAD = 10n ** 18n;

export const abs = (x: bigint): bigint => (x < 0n ? -x : x);
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** a / b rounded toward −∞ (b > 0). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** a / b rounded toward +∞ (b > 0). */
export function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** An 8-decimal Chainlink answer → WAD price. */
export const feedToWad = (answer: bigint): bigint => answer * 10n ** 10n;
/** A price in 1e-8 USD ticks → WAD. */
export const ticks = (t: bigint): bigint => t * 10n ** 10n;

export interface TierModel {
  notionalCap: bigint;
  initialMarginRate: bigint;
  maintenanceMarginRate: bigint;
}

/** Progressive requirements: Σ rate_i × width_i over brackets, then one division rounded up. */
export function requirements(tiers: TierModel[], notional: bigint): { im: bigint; mm: bigint } {
  let im = 0n;
  let mm = 0n;
  let lower = 0n;
  tiers.forEach((tier, i) => {
    const upper = i === tiers.length - 1 ? notional : min(notional, tier.notionalCap);
    if (upper > lower) {
      im += (upper - lower) * tier.initialMarginRate;
      mm += (upper - lower) * tier.maintenanceMarginRate;
    }
    lower = max(lower, tier.notionalCap);
  });
  return { im: ceilDiv(im, WAD), mm: ceilDiv(mm, WAD) };
}

/** |size| × price, rounded up. */
export const notional = (size: bigint, price: bigint): bigint => ceilDiv(abs(size) * price, WAD);

/** size × price − openNotional with the product rounded down. */
export const unrealisedPnl = (size: bigint, openNotional: bigint, price: bigint): bigint =>
  floorDiv(size * price, WAD) - openNotional;

/** The core keeps every basis in whole nano-dollars (one-slot positions): 1e9 WAD. */
export const BASIS_UNIT = 10n ** 9n;

/** `x / WAD` rounded up (toward +∞) to a whole BASIS_UNIT. */
const basisCeil = (x: bigint, divisor: bigint): bigint => ceilDiv(x, divisor * BASIS_UNIT) * BASIS_UNIT;

/** Position accounting (increase / reduce / flip), rounding against the trader; bases in whole BASIS_UNITs. */
export function applyFill(size: bigint, openNotional: bigint, sizeDelta: bigint, price: bigint) {
  const newSize = size + sizeDelta;
  if (size === 0n || size > 0n === sizeDelta > 0n) {
    return {
      newSize,
      newOpenNotional: openNotional + basisCeil(sizeDelta * price, WAD),
      realisedPnl: 0n,
    };
  }
  if (abs(sizeDelta) <= abs(size)) {
    const newOpenNotional = newSize === 0n ? 0n : basisCeil(openNotional * abs(newSize), abs(size));
    const realisedPnl = floorDiv(-sizeDelta * price, WAD) - (openNotional - newOpenNotional);
    return { newSize, newOpenNotional, realisedPnl };
  }
  return {
    newSize,
    newOpenNotional: basisCeil(newSize * price, WAD),
    realisedPnl: floorDiv(size * price, WAD) - openNotional,
  };
}

/** Synthetix-style fill: price × (1 + (skew + sizeDelta/2) / skewScale), rounded against the trader. */
export function fillPrice(price: bigint, skew: bigint, sizeDelta: bigint, skewScale: bigint): bigint {
  if (skewScale === 0n) return price;
  const doubled = 2n * skew + sizeDelta;
  const buying = sizeDelta > 0n;
  const num = price * abs(doubled);
  const den = 2n * skewScale;
  if (doubled >= 0n) return price + (buying ? ceilDiv(num, den) : num / den);
  return price - (buying ? num / den : ceilDiv(num, den));
}

/** Maker rate on the part of the trade that shrinks |skew|, taker on the rest; rounded up. */
export function tradingFee(skew: bigint, sizeDelta: bigint, fill: bigint, makerRate: bigint, takerRate: bigint) {
  const size = abs(sizeDelta);
  const makerSize = skew !== 0n && skew > 0n !== sizeDelta > 0n ? min(size, abs(skew)) : 0n;
  return ceilDiv((makerSize * makerRate + (size - makerSize) * takerRate) * fill, WAD * WAD);
}

/** maxRate × skew / scale, truncated toward zero and clamped to ±maxRate. */
export function fundingRate(skew: bigint, scale: bigint, maxRate: bigint): bigint {
  if (scale === 0n) return 0n;
  const magnitude = min((abs(skew) * maxRate) / scale, maxRate);
  return skew >= 0n ? magnitude : -magnitude;
}

/** index + rate × price × elapsed, the increment truncated toward zero. */
export function nextIndex(index: bigint, rate: bigint, price: bigint, elapsed: bigint): bigint {
  const increment = (abs(rate) * elapsed * price) / WAD;
  return rate >= 0n ? index + increment : index - increment;
}

/** size × (index − entry), rounded toward +∞ (against the trader). */
export const accruedFunding = (size: bigint, entryIndex: bigint, index: bigint): bigint =>
  ceilDiv(size * (index - entryIndex), WAD);
