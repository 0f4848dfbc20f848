/**
 * Prices at which a position's account crosses a line — liquidation (equity ≤ MM), bankruptcy (equity ≤ 0), the
 * margin-ratio warning (MM / equity ≥ 80%) — with the other markets' prices held, and the largest position a
 * margin can carry.
 *
 * Method. In one market, MM is piecewise linear in the notional N = |size| × price: in bracket k of a table it is
 * `(mmr_k × N − cum_k) / WAD` with the exchanges' "maintenance amount" cum_k = Σ_{j<k} (mmr_k − mmr_j) × width_j,
 * and while a ramp runs it is the time-weighted blend of two such tables (linear between the union of their caps).
 * Equity is linear in the price. Each line is therefore solved in closed form per bracket segment
 * ({@link requirementSegments}), which gives an estimate; an integer search on the price grid (1e-8 USD for
 * 8-decimal feeds) then makes it EXACT against the full account math ({@link accountHealth}, i.e. the contract):
 * at the returned price the line is crossed, one tick better it is not. The search assumes the line is crossed on
 * one side only (true for every table the core accepts: rates < 100%, and funding accrual below 100% of the price).
 *
 * @module
 */
import { BallastInputError } from "../errors.js";
import {
  type AccountSnapshot,
  accountHealth,
  accountRisk,
  type MarketTables,
  marketRequirements,
} from "./accountMath.js";
import type { MarginTier } from "./marginTiers.js";
import { notional as positionNotional } from "./positionMath.js";
import type { AccountHealth, MarketMap } from "./types.js";
import { abs, mulWadDown, mulWadUp, WAD } from "./wadMath.js";

/** The price grid of an 8-decimal Chainlink feed, in WAD: 1e-8 USD. */
export const FEED_TICK_8_DECIMALS = 10n ** 10n;
/** The highest price the oracle adapter accepts (`OracleAdapter.MAX_PRICE_WAD`). */
export const MAX_PRICE_WAD = 10n ** 36n;
/** The margin-ratio warning line: 80% (WAD). */
export const WARNING_MARGIN_RATIO = (8n * WAD) / 10n;

const MAX_INT128 = (1n << 127n) - 1n;

/**
 * One linear piece of a requirement: for notional N in (from, to] (to = undefined: unbounded), the requirement is
 * (slope × N − intercept) / denominator before rounding up.
 */
export type RequirementSegment = {
  from: bigint;
  to: bigint | undefined;
  slope: bigint;
  intercept: bigint;
  denominator: bigint;
};

/** Per-bracket rate and cumulative amount (in rate × notional units, i.e. WAD²) of a table. */
function brackets(tiers: readonly MarginTier[], kind: "initial" | "maintenance") {
  let lower = 0n;
  let cumulative = 0n;
  let previousRate = 0n;
  return tiers.map((tier, i) => {
    const rate = kind === "initial" ? tier.initialMarginRate : tier.maintenanceMarginRate;
    // cum_k = cum_{k−1} + cap_{k−1} × (rate_k − rate_{k−1}), so that Σ_{j≤k} rate_j × width_j = rate_k × N − cum_k.
    cumulative += lower * (rate - previousRate);
    previousRate = rate;
    const entry = { from: lower, to: i === tiers.length - 1 ? undefined : tier.notionalCap, rate, cumulative };
    lower = tier.notionalCap;
    return entry;
  });
}

function bracketAt(table: ReturnType<typeof brackets>, notional: bigint) {
  for (const entry of table) if (entry.to === undefined || notional <= entry.to) return entry;
  return table[table.length - 1];
}

/**
 * A market's IM or MM at `timestamp` as linear pieces in the notional (ramp included), before rounding.
 * The pieces are exact for a fixed table; during a ramp they blend the two tables with weights
 * (end − t, t − start) / (end − start), which the contract's `interpolate` rounds per requirement.
 */
export function requirementSegments(
  market: MarketTables,
  timestamp: bigint,
  kind: "initial" | "maintenance",
): RequirementSegment[] {
  const current = brackets(market.tiers, kind);
  const { ramp } = market;
  if (timestamp >= ramp.end || ramp.previousTiers.length === 0) {
    return current.map((b) => ({ from: b.from, to: b.to, slope: b.rate, intercept: b.cumulative, denominator: WAD }));
  }
  const previous = brackets(ramp.previousTiers, kind);
  const elapsed = timestamp - ramp.start;
  const duration = ramp.end - ramp.start;
  const caps = [...new Set([...current, ...previous].map((b) => b.to).filter((to) => to !== undefined))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const bounds: (bigint | undefined)[] = [...caps, undefined];
  let from = 0n;
  return bounds.map((to) => {
    const probe = to ?? from + 1n;
    const c = bracketAt(current, probe);
    const p = bracketAt(previous, probe);
    const segment = {
      from,
      to,
      slope: (duration - elapsed) * (p?.rate ?? 0n) + elapsed * (c?.rate ?? 0n),
      intercept: (duration - elapsed) * (p?.cumulative ?? 0n) + elapsed * (c?.cumulative ?? 0n),
      denominator: WAD * duration,
    };
    from = to ?? from;
    return segment;
  });
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * The largest k in [min, max] with `test(k)` true, for a `test` that is true up to a point and false after it,
 * starting from the guess `start`; `min − 1` when `test(min)` is false. Galloping then bisection: O(log distance).
 */
function lastTrue(test: (k: bigint) => boolean, start: bigint, min: bigint, max: bigint): bigint {
  const k0 = start < min ? min : start > max ? max : start;
  let lo: bigint;
  let hi: bigint;
  if (test(k0)) {
    lo = k0;
    let step = 1n;
    for (;;) {
      const candidate = lo + step;
      if (candidate > max) {
        if (test(max)) return max;
        hi = max;
        break;
      }
      if (!test(candidate)) {
        hi = candidate;
        break;
      }
      lo = candidate;
      step *= 2n;
    }
  } else {
    hi = k0;
    let step = 1n;
    for (;;) {
      const candidate = hi - step;
      if (candidate < min) {
        if (!test(min)) return min - 1n;
        lo = min;
        break;
      }
      if (test(candidate)) {
        lo = candidate;
        break;
      }
      hi = candidate;
      step *= 2n;
    }
  }
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (test(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The inputs of the price solvers: an account snapshot and the market whose price moves. */
export type PositionPriceParameters = AccountSnapshot & {
  /** The market whose price moves (the account must hold a position in it); other prices are held. */
  marketId: number;
  /** The price grid, WAD: 1e10 (1e-8 USD) for 8-decimal feeds, the default. */
  tick?: bigint;
  /** The highest price searched, WAD (default 1e36, the oracle adapter's maximum). */
  maxPrice?: bigint;
};

type Line = {
  /** Whether the account is past the line at this health. */
  crossed: (health: AccountHealth) => boolean;
  /** The line as equity × kDenominator = MM × kNumerator (for the closed-form estimate). */
  kNumerator: bigint;
  kDenominator: bigint;
};

function solve(parameters: PositionPriceParameters, line: Line): bigint | undefined {
  const { marketId } = parameters;
  const tick = parameters.tick ?? FEED_TICK_8_DECIMALS;
  const maxK = (parameters.maxPrice ?? MAX_PRICE_WAD) / tick;
  const position = parameters.positions.find((p) => p.marketId === marketId && p.size !== 0n);
  if (position === undefined) {
    throw new BallastInputError({
      shortMessage: `The account has no position in market ${marketId}; a price line needs one.`,
      details: `marketId=${marketId}`,
    });
  }
  const size = position.size;
  const long = size > 0n;
  const prices: { [id: number]: bigint | undefined } = {};
  for (const key of Object.keys(parameters.prices)) prices[Number(key)] = parameters.prices[Number(key)];
  const probe: AccountSnapshot = { ...parameters, prices };
  const crossedAt = (k: bigint): boolean => {
    prices[marketId] = k * tick;
    return line.crossed(accountHealth(probe));
  };

  const estimate = estimatePrice(parameters, size, line);
  const startK = estimate === undefined ? 1n : estimate / tick;
  if (long) {
    // Crossed at low prices: the highest crossed tick.
    const k = lastTrue(crossedAt, startK, 1n, maxK);
    return k < 1n || k === maxK ? undefined : k * tick;
  }
  // Short: crossed at high prices: one tick above the highest uncrossed tick.
  const k = lastTrue((candidate) => !crossedAt(candidate), startK, 1n, maxK);
  return k >= maxK || k < 1n ? undefined : (k + 1n) * tick;
}

/** The closed-form solution of the line on the bracket segment it falls in (an estimate; `solve` makes it exact). */
function estimatePrice(parameters: PositionPriceParameters, size: bigint, line: Line): bigint | undefined {
  const { marketId } = parameters;
  const market = (parameters.markets as MarketMap<MarketTables>)[marketId];
  const price0 = parameters.prices[marketId];
  if (market === undefined || price0 === undefined) return undefined;
  const { totals, positions } = accountRisk(parameters);
  const own = positions.find((p) => p.marketId === marketId);
  if (own === undefined) return undefined;
  // Equity = E0 + size × p / WAD; MM = MMo + MM_market(|size| × p / WAD).
  const equity0 = totals.equity - (size * price0) / WAD;
  const otherRequirement = totals.maintenanceMargin - own.risk.maintenanceMargin;
  const { kNumerator: kn, kDenominator: kd } = line;
  const sizeAbs = abs(size);
  for (const s of requirementSegments(market, parameters.timestamp, "maintenance")) {
    // kd × (E0 + size·p/WAD) = kn × (MMo + (slope·|size|·p/WAD − intercept) / D), solved for p.
    const numerator = WAD * (kn * (otherRequirement * s.denominator - s.intercept) - kd * equity0 * s.denominator);
    const denominator = kd * size * s.denominator - kn * s.slope * sizeAbs;
    if (denominator === 0n) continue;
    const price = floorDiv(numerator, denominator);
    if (price <= 0n) continue;
    const notional = (sizeAbs * price) / WAD;
    if (notional >= s.from && (s.to === undefined || notional <= s.to)) return price;
  }
  return price0;
}

/**
 * The liquidation price of the position in `marketId`, other prices held: for a long, the HIGHEST price on the
 * grid at which the core says `liquidatable` (one tick higher it does not); for a short, the LOWEST such price.
 * `undefined` when no price in [tick, maxPrice] separates the two (the account is liquidatable at every price,
 * or at none, e.g. a long whose margin covers its whole entry notional).
 */
export function liquidationPrice(parameters: PositionPriceParameters): bigint | undefined {
  return solve(parameters, { crossed: (h) => h.liquidatable, kNumerator: 1n, kDenominator: 1n });
}

/**
 * The bankruptcy price of the position in `marketId`, other prices held: where equity reaches 0 — for a long the
 * highest grid price with equity ≤ 0, for a short the lowest. `undefined` when none in [tick, maxPrice].
 */
export function bankruptcyPrice(parameters: PositionPriceParameters): bigint | undefined {
  return solve(parameters, { crossed: (h) => h.equity <= 0n, kNumerator: 0n, kDenominator: 1n });
}

/**
 * The price at which the margin ratio (MM / equity, rounded up as the core does) reaches `marginRatio` (default
 * 80%, the warning line): for a long the highest grid price with ratio ≥ the line, for a short the lowest.
 */
export function warningPrice(parameters: PositionPriceParameters & { marginRatio?: bigint }): bigint | undefined {
  const ratio = parameters.marginRatio ?? WARNING_MARGIN_RATIO;
  return solve(parameters, { crossed: (h) => h.marginRatio >= ratio, kNumerator: WAD, kDenominator: ratio });
}

/** The three lines of one position. */
export type PositionPriceLines = {
  liquidationPrice: bigint | undefined;
  bankruptcyPrice: bigint | undefined;
  warningPrice: bigint | undefined;
};

/** {@link liquidationPrice}, {@link bankruptcyPrice} and {@link warningPrice} of one position. */
export function positionPriceLines(parameters: PositionPriceParameters): PositionPriceLines {
  return {
    liquidationPrice: liquidationPrice(parameters),
    bankruptcyPrice: bankruptcyPrice(parameters),
    warningPrice: warningPrice(parameters),
  };
}

/** The inputs of {@link maxPositionSize}. */
export type MaxPositionSizeParameters = {
  /** The market's tables (and ramp). */
  market: MarketTables;
  /**
   * The margin available to back the position, WAD USD. For a position to add to an account: its equity minus the
   * IM of its other positions (`health.equity − health.initialMargin + IM of the current position`).
   */
  margin: bigint;
  /** Mark price, WAD USD per base unit. */
  price: bigint;
  timestamp: bigint;
  /** Optional leverage cap, WAD (10e18 = 10×): notional ≤ margin × leverage (rounded down). */
  leverage?: bigint;
  /**
   * Optional market caps, for a position opened on one side: the side's open interest now (base units), its cap
   * `maxOpenInterestPerSide`, and, with the capacity factors (DESIGN §8), LP capital (the realised LP ledger) and
   * `maxOpenInterestFactor`. The size returned keeps the side within both (the skew and PnL capacity depend on the
   * other side and on prices: `simulateTrade` with `capacity` checks them).
   */
  caps?: {
    sideOpenInterest: bigint;
    maxOpenInterestPerSide: bigint;
    vaultLedger?: bigint;
    maxOpenInterestFactor?: bigint;
  };
};

/** The result of {@link maxPositionSize}. */
export type MaxPositionSizeReturnType = {
  /** |size|, WAD base units (0 when even the smallest size does not fit). */
  size: bigint;
  /** Its notional at `price` (rounded up, as the core does). */
  notional: bigint;
  /** Its IM at `timestamp` (rounded up). */
  initialMargin: bigint;
};

/**
 * The largest position a margin can carry in one market: the largest |size| S (1-wei grid, up to int128) whose
 * notional N = ⌈S × price / WAD⌉ has IM(N) ≤ `margin` under the market's tiered table at `timestamp` (ramp included),
 * and, with `leverage`, N ≤ ⌊margin × leverage⌋, and, with `caps`, the side's open interest stays within its cap and
 * its notional within `maxOpenInterestFactor` × LP capital (the core's `OpenInterestCapExceeded` and
 * `OpenInterestCapacityExceeded`). At S the condition holds; at S + 1 wei it does not.
 *
 * This is the IM side of the core's check `equity ≥ IM` for a position opened at the mark price. A real trade
 * also pays the fee and the skew premium, and its basis rounds up by at most 1 wei: use `simulateTrade` on the
 * resulting size to confirm, or subtract the expected fee from `margin` first.
 */
export function maxPositionSize(parameters: MaxPositionSizeParameters): MaxPositionSizeReturnType {
  const { market, margin, price, timestamp, leverage, caps } = parameters;
  const notionalCap = leverage === undefined ? undefined : margin > 0n ? mulWadDown(margin, leverage) : 0n;
  const capacity =
    caps?.maxOpenInterestFactor === undefined || caps.maxOpenInterestFactor === 0n
      ? undefined
      : mulWadDown(
          caps.vaultLedger !== undefined && caps.vaultLedger > 0n ? caps.vaultLedger : 0n,
          caps.maxOpenInterestFactor,
        );
  const fits = (size: bigint): boolean => {
    const n = positionNotional(size, price);
    if (notionalCap !== undefined && n > notionalCap) return false;
    if (caps !== undefined) {
      const openInterest = caps.sideOpenInterest + size;
      if (openInterest > caps.maxOpenInterestPerSide) return false;
      if (capacity !== undefined && mulWadUp(openInterest, price) > capacity) return false;
    }
    return marketRequirements(market, n, timestamp).initialMargin <= margin;
  };
  // Closed form on the IM segment: N = (margin × D + intercept) / slope.
  let estimate = 0n;
  if (margin > 0n && price > 0n) {
    for (const s of requirementSegments(market, timestamp, "initial")) {
      if (s.slope === 0n) continue;
      const n = (margin * s.denominator + s.intercept) / s.slope;
      if (n >= s.from && (s.to === undefined || n <= s.to)) {
        estimate = n;
        break;
      }
    }
    if (notionalCap !== undefined && estimate > notionalCap) estimate = notionalCap;
  }
  const guess = price === 0n ? 0n : (estimate * WAD) / price;
  const size = lastTrue(fits, guess, 0n, MAX_INT128);
  const best = size < 0n ? 0n : size;
  const n = positionNotional(best, price);
  return { size: best, notional: n, initialMargin: marketRequirements(market, n, timestamp).initialMargin };
}
