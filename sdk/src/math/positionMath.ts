/**
 * Value, notional and trade accounting of one position `(size, openNotional)`: size in signed WAD base units
 * (long > 0), openNotional the signed WAD USD paid to open it (size × entry price). One formula serves longs and
 * shorts: unrealisedPnl = size × price − openNotional. Every rounding goes against the trader.
 *
 * Mirrors `contracts/libraries/PositionMath.sol` bit for bit.
 *
 * @module
 */
import { assertInt256, assertUint, checkedInt, checkedUint } from "./internal/solidity.js";
import { abs, mulDivCeil, mulWadFloor, mulWadUp, WAD } from "./wadMath.js";

/**
 * The unit of every open notional, in WAD USD: a nano-dollar. Bases are kept whole multiples of it (each rounded up
 * to the next, against the trader) so that the core stores a position in one slot.
 * @see contracts/libraries/PositionMath.sol `BASIS_UNIT`
 */
export const BASIS_UNIT = 10n ** 9n;
const WAD_BASIS_UNITS = WAD * BASIS_UNIT;

/** The position after a fill, and the PnL the fill realised. */
export type ApplyFillReturnType = {
  /** Size after the fill, signed WAD base units. */
  newSize: bigint;
  /** Basis after the fill, signed WAD USD. */
  newOpenNotional: bigint;
  /** PnL realised by the closed part, WAD USD (0 for an increase). */
  realisedPnl: bigint;
};

/**
 * size × price − openNotional, rounded toward −∞.
 * @param size Signed WAD base units (int256).
 * @param openNotional Signed WAD USD (int256).
 * @param price WAD USD per base unit (uint256).
 * @returns WAD USD (int256).
 * @see contracts/libraries/PositionMath.sol `unrealisedPnl`
 */
export function unrealisedPnl(size: bigint, openNotional: bigint, price: bigint): bigint {
  assertInt256("unrealisedPnl", "openNotional", openNotional);
  const value = mulWadFloor(size, price);
  return checkedInt("unrealisedPnl", value - openNotional, "size × price − openNotional");
}

/**
 * |size| × price, rounded up (notional drives requirements and fees).
 * @param size Signed WAD base units (int256).
 * @param price WAD USD per base unit (uint256).
 * @returns WAD USD (uint256).
 * @see contracts/libraries/PositionMath.sol `notional`
 */
export function notional(size: bigint, price: bigint): bigint {
  return mulWadUp(abs(size), price);
}

/**
 * Applies a fill of `sizeDelta` at `price` to a position.
 * - Increase (or open): the basis grows by sizeDelta × price rounded toward +∞.
 * - Reduce: the remaining basis is scaled pro rata, rounded toward +∞; the realised PnL is the closed size at
 *   `price` rounded toward −∞ minus the released basis.
 * - Flip: close all, then open the rest at `price`.
 *
 * Value is never created: at `price`, realised + remaining PnL ≤ the PnL before.
 * @param size Signed WAD base units (int256).
 * @param openNotional Signed WAD USD (int256).
 * @param sizeDelta Signed WAD base units (int256): > 0 buys, < 0 sells.
 * @param price Fill price, WAD USD per base unit (uint256).
 * @see contracts/libraries/PositionMath.sol `applyFill`
 */
export function applyFill(size: bigint, openNotional: bigint, sizeDelta: bigint, price: bigint): ApplyFillReturnType {
  assertInt256("applyFill", "size", size);
  assertInt256("applyFill", "openNotional", openNotional);
  assertInt256("applyFill", "sizeDelta", sizeDelta);
  assertUint("applyFill", "price", price);
  const newSize = checkedInt("applyFill", size + sizeDelta, "size + sizeDelta");
  if (size === 0n || size > 0n === sizeDelta > 0n) {
    const newOpenNotional = checkedInt(
      "applyFill",
      openNotional +
        checkedInt("applyFill", mulDivCeil(sizeDelta, price, WAD_BASIS_UNITS) * BASIS_UNIT, "sizeDelta × price"),
      "openNotional + sizeDelta × price",
    );
    return { newSize, newOpenNotional, realisedPnl: 0n };
  }
  const sizeAbs = abs(size);
  if (abs(sizeDelta) <= sizeAbs) {
    // Rounding up to a whole unit can pass int256's bound (a basis within a unit of it), as on chain.
    const newOpenNotional =
      newSize === 0n
        ? 0n
        : checkedInt(
            "applyFill",
            mulDivCeil(
              openNotional,
              abs(newSize),
              checkedUint("applyFill", sizeAbs * BASIS_UNIT, "|size| × BASIS_UNIT"),
            ) * BASIS_UNIT,
            "openNotional × |newSize| / |size|",
          );
    // −sizeDelta and openNotional − newOpenNotional cannot overflow here (|sizeDelta| ≤ |size|, and both bases
    // have the same sign), so only the closed value and the final subtraction can throw, as on chain.
    const closedValue = mulWadFloor(-sizeDelta, price);
    const realisedPnl = checkedInt(
      "applyFill",
      closedValue - (openNotional - newOpenNotional),
      "closedValue − (openNotional − newOpenNotional)",
    );
    return { newSize, newOpenNotional, realisedPnl };
  }
  const realisedPnl = checkedInt("applyFill", mulWadFloor(size, price) - openNotional, "size × price − openNotional");
  const newOpenNotional = checkedInt(
    "applyFill",
    mulDivCeil(newSize, price, WAD_BASIS_UNITS) * BASIS_UNIT,
    "newSize × price",
  );
  return { newSize, newOpenNotional, realisedPnl };
}
