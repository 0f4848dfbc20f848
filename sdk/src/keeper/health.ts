/**
 * Account health off chain, composed from the SDK's math mirrors exactly as `BallastCore` composes the libraries:
 * `_pendingFunding` (funding accrued to now without writing it), `_requirements` (the margin table, interpolated
 * while a new table ramps in), `_positionRisk`, `_accountRisk` and `_accountHealth`. Given the same records, prices
 * and timestamp, {@link accountHealth} returns what `core.accountHealth(id)` returns at that block, bit for bit.
 *
 * @module
 */
import { accruedFunding, fundingRate, nextIndex } from "../math/fundingMath.js";
import { healthFactor, isLiquidatable, marginRatio, withdrawableMargin } from "../math/marginMath.js";
import { interpolate, type MarginTier, requirements } from "../math/marginTiers.js";
import { notional as positionNotional, unrealisedPnl } from "../math/positionMath.js";
import type { AccountHealth, AccountRecord, MarketRecord, PositionRecord, PriceMap } from "./types.js";

/** A market's funding index and rate as of `timestamp` (BallastCore `_pendingFunding`). */
export function pendingFunding(
  market: MarketRecord,
  price: bigint,
  timestamp: bigint,
): { fundingIndex: bigint; ratePerSecond: bigint } {
  const ratePerSecond = fundingRate(
    market.longOpenInterest - market.shortOpenInterest,
    market.params.fundingScale,
    market.params.maxFundingRatePerSecond,
  );
  let fundingIndex = market.fundingIndex;
  // On chain `block.timestamp − lastFundingTime` cannot be negative; an index at an older head never asks for less.
  const elapsed = timestamp > market.lastFundingTime ? timestamp - market.lastFundingTime : 0n;
  if (elapsed !== 0n && ratePerSecond !== 0n) fundingIndex = nextIndex(fundingIndex, ratePerSecond, price, elapsed);
  return { fundingIndex, ratePerSecond };
}

/** The brackets a notional reaches (BallastCore `_loadTiers`): the ones after it add nothing. */
function loadTiers(tiers: readonly MarginTier[], notional: bigint): readonly MarginTier[] {
  let loaded = 0;
  while (loaded < tiers.length) {
    const tier = tiers[loaded++]!;
    if (notional <= tier.notionalCap) break;
  }
  return loaded === tiers.length ? tiers : tiers.slice(0, loaded);
}

/** A market's IM and MM for `notional` at `timestamp`, ramp included (BallastCore `_requirements`). */
export function marketRequirements(
  market: MarketRecord,
  notional: bigint,
  timestamp: bigint,
): { initialMargin: bigint; maintenanceMargin: bigint } {
  const target = requirements(loadTiers(market.tiers, notional), notional);
  if (timestamp >= market.rampEnd) return target;
  const before = requirements(loadTiers(market.previousTiers, notional), notional);
  const elapsed = timestamp - market.rampStart;
  const duration = market.rampEnd - market.rampStart;
  return {
    initialMargin: interpolate(before.initialMargin, target.initialMargin, elapsed, duration),
    maintenanceMargin: interpolate(before.maintenanceMargin, target.maintenanceMargin, elapsed, duration),
  };
}

/** One position's contribution (BallastCore `_positionRisk`). */
export interface PositionRisk {
  /** unrealisedPnl − accruedFunding, WAD USD. */
  value: bigint;
  initialMargin: bigint;
  maintenanceMargin: bigint;
  notional: bigint;
}

export function positionRisk(
  market: MarketRecord,
  position: PositionRecord,
  price: bigint,
  fundingIndex: bigint,
  timestamp: bigint,
): PositionRisk {
  if (position.size === 0n) return { value: 0n, initialMargin: 0n, maintenanceMargin: 0n, notional: 0n };
  const value =
    unrealisedPnl(position.size, position.openNotional, price) -
    accruedFunding(position.size, position.lastFundingIndex, fundingIndex);
  const notional = positionNotional(position.size, price);
  const { initialMargin, maintenanceMargin } = marketRequirements(market, notional, timestamp);
  return { value, initialMargin, maintenanceMargin, notional };
}

/** Why an account's health cannot be computed right now. */
export class HealthUnavailableError extends Error {
  override name = "HealthUnavailableError";
  constructor(
    readonly accountId: bigint,
    readonly marketId: number,
    readonly reason: "unknown market" | "no price",
  ) {
    super(`Account ${accountId}: market ${marketId} has ${reason === "no price" ? "no usable price" : "no record"}`);
  }
}

/**
 * Per-market funding indices at `timestamp`, computed once per market and reused for every account
 * (the contract reads each price once per call the same way).
 */
export class FundingCache {
  private readonly indices = new Map<number, bigint>();
  constructor(
    private readonly markets: (marketId: number) => MarketRecord | undefined,
    private readonly prices: PriceMap,
    readonly timestamp: bigint,
  ) {}

  index(marketId: number): bigint | undefined {
    const cached = this.indices.get(marketId);
    if (cached !== undefined) return cached;
    const market = this.markets(marketId);
    const price = this.prices.get(marketId);
    if (market === undefined || price === undefined) return undefined;
    const { fundingIndex } = pendingFunding(market, price, this.timestamp);
    this.indices.set(marketId, fundingIndex);
    return fundingIndex;
  }
}

/** Per-position details the keeper's scheduler uses alongside the health. */
export interface AccountRisk {
  health: AccountHealth;
  /** Notional per market, WAD USD. */
  notionals: Map<number, bigint>;
}

/**
 * An account's health at `timestamp` with `prices` (BallastCore `_accountHealth` over `_accountRisk`).
 * @throws {HealthUnavailableError} when a market the account trades has no record or no usable price: the
 * contract would revert there too.
 */
export function accountRisk(
  account: AccountRecord,
  market: (marketId: number) => MarketRecord | undefined,
  prices: PriceMap,
  timestamp: bigint,
  funding: FundingCache = new FundingCache(market, prices, timestamp),
): AccountRisk {
  let equity = account.margin;
  let initialMargin = 0n;
  let maintenanceMargin = 0n;
  let totalNotional = 0n;
  const notionals = new Map<number, bigint>();
  // The contract walks the market bitmap from the lowest id; the sums are exact, so only the order of errors matters.
  const marketIds = [...account.positions.keys()].sort((a, b) => a - b);
  for (const marketId of marketIds) {
    const position = account.positions.get(marketId)!;
    const record = market(marketId);
    if (record === undefined) throw new HealthUnavailableError(account.accountId, marketId, "unknown market");
    const price = prices.get(marketId);
    const fundingIndex = funding.index(marketId);
    if (price === undefined || fundingIndex === undefined) {
      throw new HealthUnavailableError(account.accountId, marketId, "no price");
    }
    const risk = positionRisk(record, position, price, fundingIndex, timestamp);
    equity += risk.value;
    initialMargin += risk.initialMargin;
    maintenanceMargin += risk.maintenanceMargin;
    totalNotional += risk.notional;
    notionals.set(marketId, risk.notional);
  }
  return {
    health: {
      margin: account.margin,
      equity,
      initialMargin,
      maintenanceMargin,
      totalNotional,
      healthFactor: healthFactor(equity, maintenanceMargin),
      marginRatio: marginRatio(equity, maintenanceMargin),
      withdrawable: withdrawableMargin(account.margin, equity, initialMargin),
      liquidatable: isLiquidatable(equity, maintenanceMargin),
    },
    notionals,
  };
}

/** {@link accountRisk}'s health alone: what `core.accountHealth(accountId)` returns at the same block. */
export function accountHealth(
  account: AccountRecord,
  market: (marketId: number) => MarketRecord | undefined,
  prices: PriceMap,
  timestamp: bigint,
): AccountHealth {
  return accountRisk(account, market, prices, timestamp).health;
}
