/**
 * Fill price with a skew premium, and maker/taker trading fees.
 * Fill = price × (1 + averageSkew / skewScale), averageSkew = skew + sizeDelta / 2 (Synthetix style): a trade that
 * grows the skew pays a premium, one that shrinks it gets a discount; skewScale = 0 disables it. The fill rounds
 * against the trader (up for buys, down for sells).
 *
 * Mirrors `contracts/libraries/PricingMath.sol` bit for bit.
 *
 * @module
 */
import { FillPriceNotPositiveError } from "../errors.js";
import { assertInt256, assertUint, checkedInt, checkedUint, min, mulDiv } from "./internal/solidity.js";
import { abs, WAD } from "./wadMath.js";

/**
 * The price a trade of `sizeDelta` fills at, given the oracle `price` and the market `skew` before the trade.
 * Rounded up for buys and down for sells (sizeDelta ≤ 0 counts as a sell).
 * @param price Oracle price, WAD USD per base unit (uint256).
 * @param skew Open-interest skew before the trade (longs − shorts), signed WAD base units (int256).
 * @param sizeDelta Trade size, signed WAD base units (int256): > 0 buys.
 * @param skewScale Skew at which the premium reaches 100%, WAD base units (uint256); 0 disables the premium.
 * @returns WAD USD per base unit (uint256).
 * @throws {FillPriceNotPositiveError} when the discount reaches the price.
 * @see contracts/libraries/PricingMath.sol `fillPrice`
 */
export function fillPrice(price: bigint, skew: bigint, sizeDelta: bigint, skewScale: bigint): bigint {
  const { fill, positive } = fillPriceChecked("fillPrice", price, skew, sizeDelta, skewScale);
  if (!positive) throw new FillPriceNotPositiveError({ price, skew, sizeDelta });
  return fill;
}

/**
 * {@link fillPrice} for a liquidation's close, which never reverts: where the discount would reach the whole price
 * (only once governance has set `skewScale` below the open interest), the close fills at 1 wei.
 * @see contracts/libraries/PricingMath.sol `closeFillPrice`
 */
export function closeFillPrice(price: bigint, skew: bigint, sizeDelta: bigint, skewScale: bigint): bigint {
  const { fill, positive } = fillPriceChecked("closeFillPrice", price, skew, sizeDelta, skewScale);
  return positive ? fill : 1n;
}

/** The fill, and whether it is positive (the discount stays below the price). @see PricingMath.sol `_fillPrice` */
function fillPriceChecked(
  functionName: string,
  price: bigint,
  skew: bigint,
  sizeDelta: bigint,
  skewScale: bigint,
): { fill: bigint; positive: boolean } {
  assertUint(functionName, "price", price);
  assertInt256(functionName, "skew", skew);
  assertInt256(functionName, "sizeDelta", sizeDelta);
  assertUint(functionName, "skewScale", skewScale);
  if (skewScale === 0n) return { fill: price, positive: true };
  const doubledAverageSkew = checkedInt(
    functionName,
    checkedInt(functionName, 2n * skew, "2 × skew") + sizeDelta,
    "2 × skew + sizeDelta",
  );
  const buying = sizeDelta > 0n;
  const denominator = checkedUint(functionName, 2n * skewScale, "2 × skewScale");
  if (doubledAverageSkew >= 0n) {
    const premium = mulDiv(functionName, price, doubledAverageSkew, denominator, buying ? "Ceil" : "Floor");
    return { fill: checkedUint(functionName, price + premium, "price + premium"), positive: true };
  }
  const discount = mulDiv(functionName, price, abs(doubledAverageSkew), denominator, buying ? "Floor" : "Ceil");
  return discount >= price ? { fill: 0n, positive: false } : { fill: price - discount, positive: true };
}

/**
 * The fee for `sizeDelta` at `fill`: the maker rate on the part that reduces |skew|, the taker rate on the rest;
 * rounded up (a fee owed by the trader).
 * @param skew Open-interest skew before the trade, signed WAD base units (int256).
 * @param sizeDelta Trade size, signed WAD base units (int256).
 * @param fill Fill price, WAD USD per base unit (uint256).
 * @param makerFeeRate WAD (uint256).
 * @param takerFeeRate WAD (uint256).
 * @returns WAD USD (uint256).
 * @see contracts/libraries/PricingMath.sol `tradingFee`
 */
export function tradingFee(
  skew: bigint,
  sizeDelta: bigint,
  fill: bigint,
  makerFeeRate: bigint,
  takerFeeRate: bigint,
): bigint {
  assertInt256("tradingFee", "skew", skew);
  assertInt256("tradingFee", "sizeDelta", sizeDelta);
  assertUint("tradingFee", "fill", fill);
  assertUint("tradingFee", "makerFeeRate", makerFeeRate);
  assertUint("tradingFee", "takerFeeRate", takerFeeRate);
  const tradeSize = abs(sizeDelta);
  const makerSize = skew !== 0n && skew > 0n !== sizeDelta > 0n ? min(tradeSize, abs(skew)) : 0n;
  const weightedSize = checkedUint(
    "tradingFee",
    checkedUint("tradingFee", makerSize * makerFeeRate, "makerSize × makerFeeRate") +
      checkedUint("tradingFee", (tradeSize - makerSize) * takerFeeRate, "takerSize × takerFeeRate"),
    "weightedSize",
  );
  return mulDiv("tradingFee", weightedSize, fill, WAD * WAD, "Ceil");
}
