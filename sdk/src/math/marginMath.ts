/**
 * Account-level health: health factor, margin ratio, liquidatability and withdrawable collateral.
 * equity = margin + Σ (unrealisedPnl − accruedFunding); MM and IM are the sums of each market's requirement.
 * Figures shown to users round against them.
 *
 * Mirrors `contracts/libraries/MarginMath.sol` bit for bit: a requirement ≥ 2^255 throws where `SafeCast.toInt256`
 * reverts on chain.
 *
 * @module
 */
import { assertInt256, assertUint, checkedInt, MAX_UINT256, min, toInt256 } from "./internal/solidity.js";
import { divWadDown, divWadUp } from "./wadMath.js";

export { MAX_UINT256 } from "./internal/solidity.js";

/**
 * equity / MM in WAD, rounded down; {@link MAX_UINT256} when MM = 0, 0 when equity ≤ 0.
 * @param equity WAD USD (int256).
 * @param maintenanceMargin WAD USD (uint256).
 * @returns WAD (uint256): < 1e18 means below maintenance.
 * @see contracts/libraries/MarginMath.sol `healthFactor`
 */
export function healthFactor(equity: bigint, maintenanceMargin: bigint): bigint {
  assertInt256("healthFactor", "equity", equity);
  assertUint("healthFactor", "maintenanceMargin", maintenanceMargin);
  if (maintenanceMargin === 0n) return MAX_UINT256;
  if (equity <= 0n) return 0n;
  return divWadDown(equity, maintenanceMargin);
}

/**
 * MM / equity in WAD, rounded up; 0 when MM = 0, {@link MAX_UINT256} when equity ≤ 0 < MM.
 * @param equity WAD USD (int256).
 * @param maintenanceMargin WAD USD (uint256).
 * @returns WAD (uint256): ≥ 1e18 means liquidatable; ≥ 0.8e18 is a warning.
 * @see contracts/libraries/MarginMath.sol `marginRatio`
 */
export function marginRatio(equity: bigint, maintenanceMargin: bigint): bigint {
  assertInt256("marginRatio", "equity", equity);
  assertUint("marginRatio", "maintenanceMargin", maintenanceMargin);
  if (maintenanceMargin === 0n) return 0n;
  if (equity <= 0n) return MAX_UINT256;
  return divWadUp(maintenanceMargin, equity);
}

/**
 * An account is liquidatable when it has a requirement (MM > 0) and its equity does not exceed it.
 * @param equity WAD USD (int256).
 * @param maintenanceMargin WAD USD (uint256).
 * @see contracts/libraries/MarginMath.sol `isLiquidatable`
 */
export function isLiquidatable(equity: bigint, maintenanceMargin: bigint): boolean {
  assertInt256("isLiquidatable", "equity", equity);
  assertUint("isLiquidatable", "maintenanceMargin", maintenanceMargin);
  return maintenanceMargin > 0n && equity <= toInt256("isLiquidatable", maintenanceMargin);
}

/**
 * What may leave the account: realised margin and equity above IM, whichever is less; 0 when either is ≤ 0.
 * Unrealised profit supports margin but never leaves the protocol.
 * @param margin Realised margin, WAD USD (int256).
 * @param equity WAD USD (int256).
 * @param initialMargin IM, WAD USD (uint256).
 * @returns WAD USD (uint256).
 * @see contracts/libraries/MarginMath.sol `withdrawableMargin`
 */
export function withdrawableMargin(margin: bigint, equity: bigint, initialMargin: bigint): bigint {
  assertInt256("withdrawableMargin", "margin", margin);
  assertInt256("withdrawableMargin", "equity", equity);
  assertUint("withdrawableMargin", "initialMargin", initialMargin);
  const free = checkedInt(
    "withdrawableMargin",
    equity - toInt256("withdrawableMargin", initialMargin),
    "equity − SafeCast.toInt256(initialMargin)",
  );
  if (margin <= 0n || free <= 0n) return 0n;
  return min(margin, free);
}
