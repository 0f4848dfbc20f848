/**
 * Account-level math of `BallastCore`, beyond the pure libraries: a market's requirements with the margin-table
 * ramp, pending funding, account health and the liquidation plan. Each function is a line-by-line port of the
 * core's internal function named in its `@see`, composed only of the library mirrors in this folder, so the
 * results equal the core's views bit for bit for the same state, prices and `block.timestamp`.
 *
 * @module
 */
import { BallastInputError } from "../errors.js";
import { accruedFunding, fundingRate, nextIndex } from "./fundingMath.js";
import { checkedUint } from "./internal/solidity.js";
import { closeFraction, closeSize, liquidationFee, targetEquity } from "./liquidationMath.js";
import { healthFactor, isLiquidatable, marginRatio, withdrawableMargin } from "./marginMath.js";
import { interpolate, type Requirements, requirements } from "./marginTiers.js";
import { applyFill, notional, unrealisedPnl } from "./positionMath.js";
import type {
  AccountHealth,
  AccountPosition,
  FundingState,
  LiquidationPreview,
  Market,
  MarketMap,
  MarketParams,
  MarketState,
  Position,
  RiskParams,
} from "./types.js";
import { WAD } from "./wadMath.js";

/** The market fields that requirements depend on. */
export type MarketTables = Pick<Market, "tiers" | "ramp">;

/**
 * A market's IM and MM for a position of `notional` at `timestamp`, interpolated while a new margin table ramps
 * in (linear in time from the previous table's requirement to the current one's, rounded up).
 * @param notional WAD USD.
 * @param timestamp Unix seconds (the `block.timestamp` the chain would use).
 * @see contracts/core/BallastCore.sol `_requirements`
 */
export function marketRequirements(market: MarketTables, notional: bigint, timestamp: bigint): Requirements {
  const current = requirements(market.tiers, notional);
  const { ramp } = market;
  if (timestamp >= ramp.end) return current;
  const before = requirements(ramp.previousTiers, notional);
  const elapsed = checkedUint("marketRequirements", timestamp - ramp.start, "block.timestamp − ramp.start");
  const duration = ramp.end - ramp.start;
  return {
    initialMargin: interpolate(before.initialMargin, current.initialMargin, elapsed, duration),
    maintenanceMargin: interpolate(before.maintenanceMargin, current.maintenanceMargin, elapsed, duration),
  };
}

/** A market's funding index and rate as of a timestamp. */
export type PendingFunding = {
  /** WAD USD per base unit. */
  fundingIndex: bigint;
  /** WAD per second; > 0 when longs pay shorts. */
  ratePerSecond: bigint;
};

/** Open-interest skew (longs − shorts), base units. */
export function marketSkew(state: Pick<MarketState, "longOpenInterest" | "shortOpenInterest">): bigint {
  return state.longOpenInterest - state.shortOpenInterest;
}

/**
 * The funding index and rate of a market as of `timestamp`, accrual since the last touch included (without
 * writing it): what `currentFunding` returns and what every account figure uses.
 * @param price The market's mark price, WAD USD per base unit.
 * @see contracts/core/BallastCore.sol `_pendingFunding`
 */
export function pendingFundingIndex(
  state: FundingState,
  params: Pick<MarketParams, "fundingScale" | "maxFundingRatePerSecond">,
  price: bigint,
  timestamp: bigint,
): PendingFunding {
  const ratePerSecond = fundingRate(marketSkew(state), params.fundingScale, params.maxFundingRatePerSecond);
  let fundingIndex = state.fundingIndex;
  const elapsed = checkedUint("pendingFundingIndex", timestamp - state.lastFundingTime, "block.timestamp − last");
  if (elapsed !== 0n && ratePerSecond !== 0n) {
    fundingIndex = nextIndex(fundingIndex, ratePerSecond, price, elapsed);
  }
  return { fundingIndex, ratePerSecond };
}

/** One position's contribution to its account's risk. */
export type PositionRisk = {
  /** unrealisedPnl − accruedFunding, WAD USD. */
  value: bigint;
  initialMargin: bigint;
  maintenanceMargin: bigint;
  /** |size| × price rounded up, WAD USD. */
  notional: bigint;
};

/**
 * A position's value and requirements at `price` and `fundingIndex` (all zero for an empty position).
 * @see contracts/core/BallastCore.sol `_positionRisk`
 */
export function positionRisk(
  market: MarketTables,
  position: Position,
  price: bigint,
  fundingIndex: bigint,
  timestamp: bigint,
): PositionRisk {
  if (position.size === 0n) return { value: 0n, initialMargin: 0n, maintenanceMargin: 0n, notional: 0n };
  const value =
    unrealisedPnl(position.size, position.openNotional, price) -
    accruedFunding(position.size, position.lastFundingIndex, fundingIndex);
  const positionNotional = notional(position.size, price);
  const { initialMargin, maintenanceMargin } = marketRequirements(market, positionNotional, timestamp);
  return { value, initialMargin, maintenanceMargin, notional: positionNotional };
}

/** An account's sums over its positions (the core's `RiskTotals`). */
export type RiskTotals = {
  equity: bigint;
  initialMargin: bigint;
  maintenanceMargin: bigint;
  totalNotional: bigint;
};

/** The inputs every account-level function reads. */
export type AccountSnapshot = {
  /** The account's realised margin, WAD USD (other fields of `Account` are optional here). */
  account: { margin: bigint };
  /** Its open positions (entries of size 0 are ignored), any order. */
  positions: readonly AccountPosition[];
  /** Markets by id: every market an open position is in. */
  markets: MarketMap<Market>;
  /** Mark prices by market id, WAD USD per base unit: every market an open position is in. */
  prices: MarketMap<bigint>;
  /** The `block.timestamp` to evaluate at (unix seconds). */
  timestamp: bigint;
};

/** A position's figures, as the account math sees them. */
export type PricedPosition = AccountPosition & {
  markPrice: bigint;
  /** The market's pending funding index at `timestamp`. */
  fundingIndex: bigint;
  risk: PositionRisk;
};

/** @internal The market and price of `marketId`, or a {@link BallastInputError}. */
export function marketAndPrice(
  functionName: string,
  markets: MarketMap<Market>,
  prices: MarketMap<bigint>,
  marketId: number,
): { market: Market; price: bigint } {
  const market = markets[marketId];
  if (market === undefined) {
    throw new BallastInputError({
      shortMessage: `${functionName}: market ${marketId} is missing from \`markets\`; read the markets again.`,
      details: `marketId=${marketId}`,
    });
  }
  const price = prices[marketId];
  if (price === undefined || price === 0n) {
    throw new BallastInputError({
      shortMessage: `${functionName}: no usable price for market ${marketId}; the contract would revert with the oracle's error.`,
      details: `marketId=${marketId} price=${price}`,
    });
  }
  return { market, price };
}

/** The open positions of a snapshot in the core's order (ascending market id). */
export function openPositions(positions: readonly AccountPosition[]): AccountPosition[] {
  return positions.filter((p) => p.size !== 0n).sort((a, b) => a.marketId - b.marketId);
}

/**
 * Prices every open position (pending funding included) and sums them.
 * @see contracts/core/BallastCore.sol `_accountRisk`
 */
export function accountRisk(snapshot: AccountSnapshot): { totals: RiskTotals; positions: PricedPosition[] } {
  const { account, markets, prices, timestamp } = snapshot;
  const totals: RiskTotals = { equity: account.margin, initialMargin: 0n, maintenanceMargin: 0n, totalNotional: 0n };
  const priced: PricedPosition[] = [];
  for (const position of openPositions(snapshot.positions)) {
    const { market, price } = marketAndPrice("accountRisk", markets, prices, position.marketId);
    const { fundingIndex } = pendingFundingIndex(market.state, market.params, price, timestamp);
    const risk = positionRisk(market, position, price, fundingIndex, timestamp);
    addRisk(totals, risk);
    priced.push({ ...position, markPrice: price, fundingIndex, risk });
  }
  return { totals, positions: priced };
}

/** @see contracts/core/BallastCore.sol `_addRisk` */
export function addRisk(totals: RiskTotals, risk: PositionRisk): void {
  totals.equity += risk.value;
  totals.initialMargin += risk.initialMargin;
  totals.maintenanceMargin += risk.maintenanceMargin;
  totals.totalNotional += risk.notional;
}

/** The health figures of an account with realised `margin` and these totals. */
export function healthFromTotals(margin: bigint, totals: RiskTotals): AccountHealth {
  return {
    margin,
    equity: totals.equity,
    initialMargin: totals.initialMargin,
    maintenanceMargin: totals.maintenanceMargin,
    totalNotional: totals.totalNotional,
    healthFactor: healthFactor(totals.equity, totals.maintenanceMargin),
    marginRatio: marginRatio(totals.equity, totals.maintenanceMargin),
    withdrawable: withdrawableMargin(margin, totals.equity, totals.initialMargin),
    liquidatable: isLiquidatable(totals.equity, totals.maintenanceMargin),
  };
}

/**
 * An account's health exactly as `BallastCore.accountHealth(id)` returns it at `timestamp`.
 * @see contracts/core/BallastCore.sol `_accountHealth`
 */
export function accountHealth(snapshot: AccountSnapshot): AccountHealth;
export function accountHealth(
  account: AccountSnapshot["account"],
  positions: AccountSnapshot["positions"],
  markets: AccountSnapshot["markets"],
  prices: AccountSnapshot["prices"],
  timestamp: bigint,
): AccountHealth;
export function accountHealth(
  snapshotOrAccount: AccountSnapshot | AccountSnapshot["account"],
  positions?: AccountSnapshot["positions"],
  markets?: AccountSnapshot["markets"],
  prices?: AccountSnapshot["prices"],
  timestamp?: bigint,
): AccountHealth {
  const snapshot = toSnapshot(snapshotOrAccount, positions, markets, prices, timestamp);
  return healthFromTotals(snapshot.account.margin, accountRisk(snapshot).totals);
}

function toSnapshot(
  snapshotOrAccount: AccountSnapshot | AccountSnapshot["account"],
  positions: AccountSnapshot["positions"] | undefined,
  markets: AccountSnapshot["markets"] | undefined,
  prices: AccountSnapshot["prices"] | undefined,
  timestamp: bigint | undefined,
): AccountSnapshot {
  if ("positions" in snapshotOrAccount && positions === undefined) return snapshotOrAccount as AccountSnapshot;
  if (positions === undefined || markets === undefined || prices === undefined || timestamp === undefined) {
    throw new BallastInputError({
      shortMessage: "Pass either one snapshot object or (account, positions, markets, prices, timestamp).",
      details: "an argument is missing",
    });
  }
  return { account: snapshotOrAccount as AccountSnapshot["account"], positions, markets, prices, timestamp };
}

/** What a liquidation does to one position. */
export type PositionPlan = {
  marketId: number;
  price: bigint;
  fundingIndex: bigint;
  before: Position;
  closedSize: bigint;
  newSize: bigint;
  newOpenNotional: bigint;
  realisedPnl: bigint;
  fundingPaid: bigint;
};

/** The whole liquidation, computed in memory (the core's `LiquidationPlan`). */
export type LiquidationPlan = {
  preview: LiquidationPreview;
  /** One entry per open position, ascending market id (what `PositionLiquidated` events will carry). */
  positions: PositionPlan[];
  /** Margin after the liquidation, before any bad-debt write-off. */
  marginAfter: bigint;
};

/**
 * The liquidation the core would run now: whether the account is liquidatable, the fraction, full or partial,
 * the fee and the bad debt, plus each position's close.
 * @see contracts/core/BallastCore.sol `_planLiquidation`
 */
export function planLiquidation(snapshot: AccountSnapshot & { riskParams: RiskParams }): LiquidationPlan {
  const { account, markets, prices, timestamp, riskParams: risk } = snapshot;
  const totals: RiskTotals = { equity: account.margin, initialMargin: 0n, maintenanceMargin: 0n, totalNotional: 0n };
  const positions: PositionPlan[] = [];
  for (const position of openPositions(snapshot.positions)) {
    const { market, price } = marketAndPrice("planLiquidation", markets, prices, position.marketId);
    const { fundingIndex } = pendingFundingIndex(market.state, market.params, price, timestamp);
    const before: Position = {
      size: position.size,
      openNotional: position.openNotional,
      lastFundingIndex: position.lastFundingIndex,
    };
    positions.push({
      marketId: position.marketId,
      price,
      fundingIndex,
      before,
      closedSize: 0n,
      newSize: 0n,
      newOpenNotional: 0n,
      realisedPnl: 0n,
      fundingPaid: 0n,
    });
    addRisk(totals, positionRisk(market, before, price, fundingIndex, timestamp));
  }
  const preview: LiquidationPreview = {
    liquidatable: false,
    full: false,
    fraction: 0n,
    equityBefore: totals.equity,
    maintenanceMarginBefore: totals.maintenanceMargin,
    closedNotional: 0n,
    fee: 0n,
    equityAfter: 0n,
    maintenanceMarginAfter: 0n,
    badDebt: 0n,
  };
  const plan: LiquidationPlan = { preview, positions, marginAfter: 0n };
  if (!isLiquidatable(totals.equity, totals.maintenanceMargin)) return plan;
  preview.liquidatable = true;

  const fraction = closeFraction(
    totals.equity,
    totals.maintenanceMargin,
    totals.totalNotional,
    risk.liquidationFeeRate,
    risk.liquidationBuffer,
  );
  let full =
    totals.equity <= 0n ||
    fraction === WAD ||
    healthFactor(totals.equity, totals.maintenanceMargin) < risk.fullLiquidationHealthFactor;
  if (!full) {
    const remainingNotional = applyFraction(
      plan,
      markets,
      timestamp,
      account.margin,
      fraction,
      risk.liquidationFeeRate,
    );
    // Too small to leave open, or (only through rounding) short of the target: close everything.
    full =
      remainingNotional < risk.minRemainingNotional ||
      preview.equityAfter < targetEquity(preview.maintenanceMarginAfter, risk.liquidationBuffer);
  }
  if (full) applyFraction(plan, markets, timestamp, account.margin, WAD, risk.liquidationFeeRate);
  preview.full = full;
  return plan;
}

/**
 * Closes `fraction` of every planned position at its mark price and fills in the plan's results.
 * @returns The notional left open.
 * @see contracts/core/BallastCore.sol `_applyFraction`
 */
function applyFraction(
  plan: LiquidationPlan,
  markets: MarketMap<Market>,
  timestamp: bigint,
  marginBefore: bigint,
  fraction: bigint,
  feeRate: bigint,
): bigint {
  const { preview } = plan;
  let margin = marginBefore;
  let remainingNotional = 0n;
  preview.fraction = fraction;
  preview.closedNotional = 0n;
  preview.maintenanceMarginAfter = 0n;
  let remainingValue = 0n;
  for (const p of plan.positions) {
    p.closedSize = closeSize(p.before.size, fraction);
    p.fundingPaid = accruedFunding(p.before.size, p.before.lastFundingIndex, p.fundingIndex);
    const fill = applyFill(p.before.size, p.before.openNotional, -p.closedSize, p.price);
    p.newSize = fill.newSize;
    p.newOpenNotional = fill.newOpenNotional;
    p.realisedPnl = fill.realisedPnl;
    margin += p.realisedPnl - p.fundingPaid;
    preview.closedNotional += notional(p.closedSize, p.price);
    if (p.newSize !== 0n) {
      const remaining = notional(p.newSize, p.price);
      const market = markets[p.marketId] as Market; // present: checked when the plan was built
      remainingNotional += remaining;
      preview.maintenanceMarginAfter += marketRequirements(market, remaining, timestamp).maintenanceMargin;
      remainingValue += unrealisedPnl(p.newSize, p.newOpenNotional, p.price);
    }
  }
  preview.fee = liquidationFee(preview.closedNotional, feeRate, margin + remainingValue);
  margin -= preview.fee;
  plan.marginAfter = margin;
  preview.equityAfter = margin + remainingValue;
  preview.badDebt = remainingNotional === 0n && margin < 0n ? -margin : 0n;
  return remainingNotional;
}

/**
 * What `BallastCore.previewLiquidation(id)` returns at `timestamp`.
 * @see contracts/core/BallastCore.sol `previewLiquidation`
 */
export function previewLiquidation(snapshot: AccountSnapshot & { riskParams: RiskParams }): LiquidationPreview;
export function previewLiquidation(
  account: AccountSnapshot["account"],
  positions: AccountSnapshot["positions"],
  markets: AccountSnapshot["markets"],
  prices: AccountSnapshot["prices"],
  timestamp: bigint,
  riskParams: RiskParams,
): LiquidationPreview;
export function previewLiquidation(
  snapshotOrAccount: (AccountSnapshot & { riskParams: RiskParams }) | AccountSnapshot["account"],
  positions?: AccountSnapshot["positions"],
  markets?: AccountSnapshot["markets"],
  prices?: AccountSnapshot["prices"],
  timestamp?: bigint,
  riskParams?: RiskParams,
): LiquidationPreview {
  if (positions === undefined)
    return planLiquidation(snapshotOrAccount as AccountSnapshot & { riskParams: RiskParams }).preview;
  if (riskParams === undefined) {
    throw new BallastInputError({ shortMessage: "previewLiquidation: `riskParams` is missing.", details: "" });
  }
  return planLiquidation({ ...toSnapshot(snapshotOrAccount, positions, markets, prices, timestamp), riskParams })
    .preview;
}
