/**
 * 18-decimal fixed-point arithmetic with the rounding direction in every name. Signed helpers round toward −∞
 * (`Floor`) or +∞ (`Ceil`), never toward zero.
 *
 * Mirrors `contracts/libraries/WadMath.sol` bit for bit: same names, same rounding, and a {@link BallastMathError}
 * wherever the contract reverts.
 *
 * @module
 */
import { assertInt256, assertUint, checkedInt, mulDiv, toInt256 } from "./internal/solidity.js";

/** 1e18: one in WAD fixed point (`WadMath.WAD`). */
export const WAD = 10n ** 18n;

/**
 * x × y / WAD, rounded down. Reverts (throws `Overflow`) when the result exceeds uint256.
 * @param x uint256.
 * @param y uint256.
 * @see contracts/libraries/WadMath.sol `mulWadDown`
 */
export function mulWadDown(x: bigint, y: bigint): bigint {
  assertUint("mulWadDown", "x", x);
  assertUint("mulWadDown", "y", y);
  return mulDiv("mulWadDown", x, y, WAD, "Floor");
}

/**
 * x × y / WAD, rounded up. Reverts (throws `Overflow`) when the result exceeds uint256.
 * @param x uint256.
 * @param y uint256.
 * @see contracts/libraries/WadMath.sol `mulWadUp`
 */
export function mulWadUp(x: bigint, y: bigint): bigint {
  assertUint("mulWadUp", "x", x);
  assertUint("mulWadUp", "y", y);
  return mulDiv("mulWadUp", x, y, WAD, "Ceil");
}

/**
 * x × WAD / y, rounded down. Throws `DivisionByZero` when y = 0 and `Overflow` when the result exceeds uint256.
 * @param x uint256.
 * @param y uint256.
 * @see contracts/libraries/WadMath.sol `divWadDown`
 */
export function divWadDown(x: bigint, y: bigint): bigint {
  assertUint("divWadDown", "x", x);
  assertUint("divWadDown", "y", y);
  return mulDiv("divWadDown", x, WAD, y, "Floor");
}

/**
 * x × WAD / y, rounded up. Throws `DivisionByZero` when y = 0 and `Overflow` when the result exceeds uint256.
 * @param x uint256.
 * @param y uint256.
 * @see contracts/libraries/WadMath.sol `divWadUp`
 */
export function divWadUp(x: bigint, y: bigint): bigint {
  assertUint("divWadUp", "x", x);
  assertUint("divWadUp", "y", y);
  return mulDiv("divWadUp", x, WAD, y, "Ceil");
}

/**
 * x × y / d for signed x, rounded toward −∞. Throws `DivisionByZero` when d = 0, `Overflow` when |x| × y / d
 * (rounded away from zero for negative x) exceeds uint256, and `SafeCastOverflow` when it exceeds int256 —
 * so the result lies in [−(2^255 − 1), 2^255 − 1]: −2^255 itself is never returned.
 * @param x int256.
 * @param y uint256.
 * @param d uint256.
 * @see contracts/libraries/WadMath.sol `mulDivFloor`
 */
export function mulDivFloor(x: bigint, y: bigint, d: bigint): bigint {
  assertInt256("mulDivFloor", "x", x);
  assertUint("mulDivFloor", "y", y);
  assertUint("mulDivFloor", "d", d);
  if (x >= 0n) return toInt256("mulDivFloor", mulDiv("mulDivFloor", x, y, d, "Floor"));
  return -toInt256("mulDivFloor", mulDiv("mulDivFloor", abs(x), y, d, "Ceil"));
}

/**
 * x × y / d for signed x, rounded toward +∞. Same failure modes as {@link mulDivFloor}.
 * @param x int256.
 * @param y uint256.
 * @param d uint256.
 * @see contracts/libraries/WadMath.sol `mulDivCeil`
 */
export function mulDivCeil(x: bigint, y: bigint, d: bigint): bigint {
  assertInt256("mulDivCeil", "x", x);
  assertUint("mulDivCeil", "y", y);
  assertUint("mulDivCeil", "d", d);
  if (x >= 0n) return toInt256("mulDivCeil", mulDiv("mulDivCeil", x, y, d, "Ceil"));
  return -toInt256("mulDivCeil", mulDiv("mulDivCeil", abs(x), y, d, "Floor"));
}

/**
 * x × y / WAD for signed x, rounded toward −∞.
 * @param x int256.
 * @param y uint256.
 * @see contracts/libraries/WadMath.sol `mulWadFloor`
 */
export function mulWadFloor(x: bigint, y: bigint): bigint {
  return mulDivFloor(x, y, WAD);
}

/**
 * x × y / WAD for signed x and y, rounded toward +∞. For y < 0 the contract computes (−x) × |y|, so
 * x = type(int256).min with y < 0 throws `Overflow` (Panic 0x11) even when the product would fit.
 * @param x int256.
 * @param y int256.
 * @see contracts/libraries/WadMath.sol `mulWadCeil`
 */
export function mulWadCeil(x: bigint, y: bigint): bigint {
  assertInt256("mulWadCeil", "x", x);
  assertInt256("mulWadCeil", "y", y);
  if (y >= 0n) return mulDivCeil(x, y, WAD);
  return mulDivCeil(checkedInt("mulWadCeil", -x, `-(${x})`), abs(y), WAD);
}

/**
 * |x| as a uint256; defined for type(int256).min too (2^255).
 * @param x int256.
 * @see contracts/libraries/WadMath.sol `abs`
 */
export function abs(x: bigint): bigint {
  assertInt256("abs", "x", x);
  return x >= 0n ? x : -x;
}

/**
 * max(x, 0) as a uint256.
 * @param x int256.
 * @see contracts/libraries/WadMath.sol `positivePart`
 */
export function positivePart(x: bigint): bigint {
  assertInt256("positivePart", "x", x);
  return x > 0n ? x : 0n;
}
