/**
 * The smallest pro-rata fraction of an account to close, and the liquidation fee.
 * Closing fraction f of every position at the mark price leaves equity unchanged but for the fee
 * (feeRate × f × N), and lowers MM by at least f (tiered MM is convex with MM(0) = 0). Restoring
 * equity − fee ≥ (1 + buffer) × MM after needs f ≥ (T − E) / (T − feeRate × N), T = (1 + buffer) × MM;
 * f is rounded up and padded by {@link ROUNDING_SLACK} wei of equity.
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
  min,
  uint256ToInt256Unchecked,
} from "./internal/solidity.js";
import { abs, divWadUp, mulWadUp, positivePart, WAD } from "./wadMath.js";

/** 1e9 wei of equity (1e-9 USD) added to the shortfall to absorb per-position rounding (`ROUNDING_SLACK`). */
export const ROUNDING_SLACK = 10n ** 9n;

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
 * The fraction (WAD) of every position to close, rounded up; 0 when equity already meets the target, WAD
 * (everything) when the fee on the whole account would reach the target.
 * @param equity Equity before liquidation, WAD USD (int256).
 * @param maintenanceMargin MM before liquidation, WAD USD (uint256).
 * @param totalNotional Σ position notionals at the mark price, WAD USD (uint256).
 * @param feeRate Liquidation fee rate, WAD (uint256); required below every market's lowest MM rate.
 * @param buffer Health buffer above MM to restore, WAD (uint256).
 * @returns WAD (uint256), at most 1e18.
 * @see contracts/libraries/LiquidationMath.sol `closeFraction`
 */
export function closeFraction(
  equity: bigint,
  maintenanceMargin: bigint,
  totalNotional: bigint,
  feeRate: bigint,
  buffer: bigint,
): bigint {
  assertInt256("closeFraction", "equity", equity);
  assertUint("closeFraction", "totalNotional", totalNotional);
  assertUint("closeFraction", "feeRate", feeRate);
  const target = targetEquity(maintenanceMargin, buffer);
  if (equity >= 0n && equity >= target) return 0n;
  const feeOnAll = mulWadUp(totalNotional, feeRate);
  if (feeOnAll >= target) return WAD;
  const shortfall =
    equity >= 0n ? target - equity : checkedUint("closeFraction", target + abs(equity), "target + |equity|");
  const padded = checkedUint("closeFraction", shortfall + ROUNDING_SLACK, "shortfall + ROUNDING_SLACK");
  return min(divWadUp(padded, target - feeOnAll), WAD);
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
 * @param closedNotional Notional closed at the mark price, WAD USD (uint256).
 * @param feeRate WAD (uint256).
 * @param equityAfterClose WAD USD (int256).
 * @returns WAD USD (uint256).
 * @see contracts/libraries/LiquidationMath.sol `liquidationFee`
 */
export function liquidationFee(closedNotional: bigint, feeRate: bigint, equityAfterClose: bigint): bigint {
  assertInt256("liquidationFee", "equityAfterClose", equityAfterClose);
  return min(mulWadUp(closedNotional, feeRate), positivePart(equityAfterClose));
}
