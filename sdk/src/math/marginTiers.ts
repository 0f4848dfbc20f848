/**
 * Progressive (continuous) initial and maintenance margin from a tier table:
 * MM(N) = Σ_i mmr_i × max(0, min(N, cap_i) − cap_{i−1}) with cap_0 = 0, and IM likewise. This equals the
 * exchanges' "notional × rate − maintenance amount" tables. Requirements round up (against the trader).
 *
 * Mirrors `contracts/libraries/MarginTiers.sol` bit for bit.
 *
 * @module
 */
import {
  InvalidTierCountError,
  InvalidTierRatesError,
  TierCapsNotIncreasingError,
  TierRatesDecreasingError,
} from "../errors.js";
import { assertUint, ceilDiv, checkedUint, min, mulDiv } from "./internal/solidity.js";
import { WAD } from "./wadMath.js";

/**
 * One bracket of a market's margin table (Solidity struct `MarginTier`). Bracket i covers position notional in
 * (notionalCap_{i−1}, notionalCap_i]; the last bracket also covers everything above its cap.
 */
export type MarginTier = {
  /** Upper notional bound of the bracket, WAD USD (uint128). */
  notionalCap: bigint;
  /** Initial margin rate, WAD: 1e18 = 100% (uint64). */
  initialMarginRate: bigint;
  /** Maintenance margin rate, WAD: 1e18 = 100% (uint64). */
  maintenanceMarginRate: bigint;
};

/** Initial and maintenance margin of one position, WAD USD. */
export type Requirements = {
  /** IM, rounded up. */
  initialMargin: bigint;
  /** MM, rounded up. */
  maintenanceMargin: bigint;
};

/** The most brackets a table may have (`MarginTiers.MAX_TIERS`). */
export const MAX_TIERS = 8n;

function assertTiers(functionName: string, tiers: readonly MarginTier[]): void {
  tiers.forEach((tier, i) => {
    assertUint(functionName, `tiers[${i}].notionalCap`, tier.notionalCap, 128n);
    assertUint(functionName, `tiers[${i}].initialMarginRate`, tier.initialMarginRate, 64n);
    assertUint(functionName, `tiers[${i}].maintenanceMarginRate`, tier.maintenanceMarginRate, 64n);
  });
}

/**
 * Initial and maintenance margin for a position of `notional`, both rounded up once from the exact sum of the
 * per-bracket products. The table is not validated here (see {@link validate}); an empty table throws
 * `Overflow` like the contract (`tiers.length − 1` underflows), and so does a sum above uint256.
 * @param tiers The market's table.
 * @param notional Position notional |size| × mark price, WAD USD (uint256).
 * @see contracts/libraries/MarginTiers.sol `requirements`
 */
export function requirements(tiers: readonly MarginTier[], notional: bigint): Requirements {
  assertTiers("requirements", tiers);
  assertUint("requirements", "notional", notional);
  const last = checkedUint("requirements", BigInt(tiers.length) - 1n, "tiers.length - 1");
  let initialSum = 0n;
  let maintenanceSum = 0n;
  let lowerCap = 0n;
  for (const [i, tier] of tiers.entries()) {
    const upper = BigInt(i) === last ? notional : min(notional, tier.notionalCap);
    if (upper <= lowerCap) break;
    const width = upper - lowerCap;
    initialSum = checkedUint(
      "requirements",
      initialSum + checkedUint("requirements", width * tier.initialMarginRate, "width * initialMarginRate"),
      "initialSum",
    );
    maintenanceSum = checkedUint(
      "requirements",
      maintenanceSum + checkedUint("requirements", width * tier.maintenanceMarginRate, "width * maintenanceMarginRate"),
      "maintenanceSum",
    );
    lowerCap = tier.notionalCap;
  }
  return {
    initialMargin: ceilDiv("requirements", initialSum, WAD),
    maintenanceMargin: ceilDiv("requirements", maintenanceSum, WAD),
  };
}

/**
 * The maintenance rate of the bracket that holds `notional`: MM's slope just below `notional`.
 * @param tiers The table (at least one bracket).
 * @param notional WAD USD (uint256).
 * @returns WAD (uint64).
 * @see contracts/libraries/MarginTiers.sol `maintenanceRateAt`
 */
export function maintenanceRateAt(tiers: readonly MarginTier[], notional: bigint): bigint {
  assertTiers("maintenanceRateAt", tiers);
  assertUint("maintenanceRateAt", "notional", notional);
  const last = Number(checkedUint("maintenanceRateAt", BigInt(tiers.length) - 1n, "tiers.length - 1"));
  for (let i = 0; i < last; i++) {
    const tier = tiers[i] as MarginTier;
    if (notional <= tier.notionalCap) return tier.maintenanceMarginRate;
  }
  return (tiers[last] as MarginTier).maintenanceMarginRate;
}

/**
 * A requirement part-way through a linear ramp from `fromRequirement` to `toRequirement`: rounded up while rising,
 * rounded toward `fromRequirement` (also up) while falling; equals `toRequirement` once `elapsed ≥ duration`.
 * Never throws for uint256 inputs.
 * @param fromRequirement WAD USD (uint256).
 * @param toRequirement WAD USD (uint256).
 * @param elapsed Seconds since the ramp started (uint256).
 * @param duration Ramp length in seconds (uint256).
 * @see contracts/libraries/MarginTiers.sol `interpolate`
 */
export function interpolate(fromRequirement: bigint, toRequirement: bigint, elapsed: bigint, duration: bigint): bigint {
  assertUint("interpolate", "fromRequirement", fromRequirement);
  assertUint("interpolate", "toRequirement", toRequirement);
  assertUint("interpolate", "elapsed", elapsed);
  assertUint("interpolate", "duration", duration);
  if (elapsed >= duration) return toRequirement;
  if (toRequirement >= fromRequirement) {
    return fromRequirement + mulDiv("interpolate", toRequirement - fromRequirement, elapsed, duration, "Ceil");
  }
  return fromRequirement - mulDiv("interpolate", fromRequirement - toRequirement, elapsed, duration, "Floor");
}

/**
 * Throws unless `tiers` is a valid table: 1..{@link MAX_TIERS} brackets, caps strictly increasing (the first above
 * 0), rates non-decreasing, and WAD ≥ imr > mmr > 0 in every bracket. Checks run in the contract's order, so the
 * first failure is the one the contract reports.
 * @throws {InvalidTierCountError | TierCapsNotIncreasingError | InvalidTierRatesError | TierRatesDecreasingError}
 * @see contracts/libraries/MarginTiers.sol `validate`
 */
export function validate(tiers: readonly MarginTier[]): void {
  assertTiers("validate", tiers);
  const count = BigInt(tiers.length);
  if (count === 0n || count > MAX_TIERS) throw new InvalidTierCountError({ count, maxCount: MAX_TIERS });
  let previousCap = 0n;
  let previous: MarginTier | undefined;
  for (const [i, tier] of tiers.entries()) {
    const index = BigInt(i);
    if (tier.notionalCap <= previousCap) {
      throw new TierCapsNotIncreasingError({ index, previousCap, cap: tier.notionalCap });
    }
    if (
      tier.maintenanceMarginRate === 0n ||
      tier.initialMarginRate <= tier.maintenanceMarginRate ||
      tier.initialMarginRate > WAD
    ) {
      throw new InvalidTierRatesError({
        index,
        initialMarginRate: tier.initialMarginRate,
        maintenanceMarginRate: tier.maintenanceMarginRate,
      });
    }
    if (
      previous !== undefined &&
      (tier.initialMarginRate < previous.initialMarginRate ||
        tier.maintenanceMarginRate < previous.maintenanceMarginRate)
    ) {
      throw new TierRatesDecreasingError({ index });
    }
    previousCap = tier.notionalCap;
    previous = tier;
  }
}
