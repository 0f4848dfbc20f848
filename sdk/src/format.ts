/**
 * Display helpers for WAD amounts, prices, rates and token amounts. Pure string formatting (no rounding of any
 * value the SDK computes): every figure is cut, not rounded, to the digits shown, with the cut direction named.
 *
 * @module
 */
import { WAD } from "./math/wadMath.js";

/** How a formatter cuts the digits it does not show. */
export type DisplayRounding = "down" | "up" | "nearest";

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A fixed-point integer `value` with `decimals` decimals as a decimal string with `fractionDigits` digits and
 * thousands separators, e.g. `formatFixed(1234567n * 10n ** 16n, 18, 2)` = `"12,345.67"`.
 * @param rounding Cut toward −∞ (`down`, default), +∞ (`up`) or to the nearest (half away from zero).
 */
export function formatFixed(
  value: bigint,
  decimals: number,
  fractionDigits = 2,
  rounding: DisplayRounding = "down",
): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const shift = decimals - fractionDigits;
  let scaled: bigint;
  if (shift <= 0) {
    scaled = magnitude * 10n ** BigInt(-shift);
  } else {
    const unit = 10n ** BigInt(shift);
    scaled = magnitude / unit;
    const remainder = magnitude % unit;
    if (remainder !== 0n) {
      // "down" and "up" are toward −∞ and +∞ of the signed value.
      const awayFromZero = rounding === "nearest" ? 2n * remainder >= unit : rounding === "up" ? !negative : negative;
      if (awayFromZero) scaled += 1n;
    }
  }
  const text = scaled.toString().padStart(fractionDigits + 1, "0");
  const whole = groupThousands(text.slice(0, text.length - fractionDigits));
  const fraction = fractionDigits > 0 ? `.${text.slice(text.length - fractionDigits)}` : "";
  return `${negative && scaled !== 0n ? "-" : ""}${whole}${fraction}`;
}

/** A WAD USD amount as `$1,234.56` (or `-$12.00`), 2 decimals by default. */
export function formatUsd(wad: bigint, fractionDigits = 2, rounding: DisplayRounding = "nearest"): string {
  const text = formatFixed(wad, 18, fractionDigits, rounding);
  return text.startsWith("-") ? `-$${text.slice(1)}` : `$${text}`;
}

/** A WAD price as `$50,000.00`; prices below $1 get 8 decimals (the feeds' precision). */
export function formatPrice(wad: bigint): string {
  return formatUsd(wad, wad < WAD && wad > -WAD ? 8 : 2, "nearest");
}

/** A WAD rate as a percentage, e.g. 5e16 → `5.00%`. */
export function formatPercent(rate: bigint, fractionDigits = 2): string {
  return `${formatFixed(rate * 100n, 18, fractionDigits, "nearest")}%`;
}

/** A token amount in its own units, e.g. `formatToken(500_000000n, 6, "USDC")` = `"500 USDC"` (trailing zeros cut). */
export function formatToken(assets: bigint, decimals: number, symbol?: string): string {
  let text = formatFixed(assets, decimals, decimals, "down");
  if (text.includes(".")) text = text.replace(/\.?0+$/, "");
  return symbol === undefined ? text : `${text} ${symbol}`;
}

/** A signed WAD base-unit size, e.g. `1.5 BTC` or `-0.25 ETH`, up to 8 decimals. */
export function formatSize(size: bigint, symbol?: string): string {
  let text = formatFixed(size, 18, 8, "nearest");
  if (text.includes(".")) text = text.replace(/\.?0+$/, "");
  return symbol === undefined ? text : `${text} ${symbol}`;
}
