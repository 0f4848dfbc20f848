/**
 * Solidity 0.8 semantics on bigint: checked arithmetic, the unchecked `int256(uint256)` conversion, and the parts of
 * OpenZeppelin `Math` / `SafeCast` (v5.x) that the Ballast libraries use. Internal to the SDK: each public math
 * function calls these in the same order as its Solidity twin, so it throws exactly where the contract reverts.
 *
 * @see node_modules/@openzeppelin/contracts/utils/math/Math.sol
 * @see node_modules/@openzeppelin/contracts/utils/math/SafeCast.sol
 */
import { BallastMathError } from "../../errors.js";

/** 2^256 − 1: `type(uint256).max`. */
export const MAX_UINT256 = (1n << 256n) - 1n;
/** 2^255 − 1: `type(int256).max`. */
export const MAX_INT256 = (1n << 255n) - 1n;
/** −2^255: `type(int256).min`. */
export const MIN_INT256 = -(1n << 255n);

/** OpenZeppelin `Math.Rounding`, restricted to the two modes Ballast uses. */
export type Rounding = "Floor" | "Ceil";

function overflow(functionName: string, details: string): BallastMathError {
  return new BallastMathError({
    reason: "Overflow",
    functionName,
    shortMessage: "arithmetic overflow; the contract reverts with Panic(0x11). Check the magnitudes of the inputs.",
    details,
  });
}

/** Throws unless `value` fits `uint<bits>` (the ABI could not encode it otherwise). */
export function assertUint(functionName: string, parameter: string, value: bigint, bits = 256n): void {
  if (value < 0n || value >> bits !== 0n) {
    throw new BallastMathError({
      reason: "InvalidInput",
      functionName,
      shortMessage: `\`${parameter}\` must be a uint${bits} (0 ≤ ${parameter} < 2^${bits}).`,
      details: `${parameter}=${value}`,
    });
  }
}

/** Throws unless `value` fits `int256` (the ABI could not encode it otherwise). */
export function assertInt256(functionName: string, parameter: string, value: bigint): void {
  if (value < MIN_INT256 || value > MAX_INT256) {
    throw new BallastMathError({
      reason: "InvalidInput",
      functionName,
      shortMessage: `\`${parameter}\` must be an int256 (−2^255 ≤ ${parameter} < 2^255).`,
      details: `${parameter}=${value}`,
    });
  }
}

/** Checked `uint256` result: throws `Overflow` (Panic 0x11) outside [0, 2^256). */
export function checkedUint(functionName: string, value: bigint, expression: string): bigint {
  if (value < 0n || value > MAX_UINT256) throw overflow(functionName, `${expression} = ${value} is outside uint256`);
  return value;
}

/** Checked `int256` result: throws `Overflow` (Panic 0x11) outside [−2^255, 2^255). */
export function checkedInt(functionName: string, value: bigint, expression: string): bigint {
  if (value < MIN_INT256 || value > MAX_INT256) {
    throw overflow(functionName, `${expression} = ${value} is outside int256`);
  }
  return value;
}

/** Solidity's unchecked explicit conversion `int256(x)` of a uint256: the same bits, read as two's complement. */
export function uint256ToInt256Unchecked(x: bigint): bigint {
  return x > MAX_INT256 ? x - (1n << 256n) : x;
}

/** OpenZeppelin `SafeCast.toInt256`: reverts with `SafeCastOverflowedUintToInt(value)` above `type(int256).max`. */
export function toInt256(functionName: string, value: bigint): bigint {
  if (value > MAX_INT256) {
    throw new BallastMathError({
      reason: "SafeCastOverflow",
      functionName,
      shortMessage:
        "result does not fit in int256; the contract reverts with SafeCastOverflowedUintToInt. Check the magnitudes of the inputs.",
      details: `value=${value}`,
      value,
    });
  }
  return value;
}

/** OpenZeppelin `Math.min` for uint256. */
export function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/**
 * OpenZeppelin `Math.mulDiv(x, y, denominator[, rounding])`: x × y / denominator with a full-precision product.
 * Throws `DivisionByZero` (Panic 0x12) when denominator = 0 and `Overflow` (Panic 0x11) when the rounded result
 * exceeds uint256 (for `Ceil`, also when the floor is `type(uint256).max` and a remainder is left).
 */
export function mulDiv(functionName: string, x: bigint, y: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator === 0n) {
    throw new BallastMathError({
      reason: "DivisionByZero",
      functionName,
      shortMessage: "division by zero; the contract reverts with Panic(0x12). The divisor must be positive.",
      details: `x=${x} y=${y} denominator=0`,
    });
  }
  const product = x * y;
  // Operands are non-negative here, so bigint `/` (truncation) is the floor.
  const floor = product / denominator;
  const result = rounding === "Ceil" && product % denominator !== 0n ? floor + 1n : floor;
  return checkedUint(functionName, result, `${x} × ${y} / ${denominator} (${rounding})`);
}

/** OpenZeppelin `Math.ceilDiv(a, b)`: ⌈a / b⌉ for uint256; throws `DivisionByZero` (Panic 0x12) when b = 0. */
export function ceilDiv(functionName: string, a: bigint, b: bigint): bigint {
  if (b === 0n) {
    throw new BallastMathError({
      reason: "DivisionByZero",
      functionName,
      shortMessage: "division by zero; the contract reverts with Panic(0x12). The divisor must be positive.",
      details: `a=${a} b=0`,
    });
  }
  return a === 0n ? 0n : (a - 1n) / b + 1n;
}
