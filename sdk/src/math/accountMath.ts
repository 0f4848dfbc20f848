/**
 * Account-level math over a snapshot (the account, its positions, the markets, prices and a timestamp): a
 * market's requirements with the margin-table ramp, pending funding and account health. Each function is the
 * SDK side of the storage glue named in its `@see` (`contracts/core/StateLogic.sol`), composed only of the
 * library twins in this folder, so the results equal the core's views bit for bit.
 *
 * @module
 */
import { BallastInputError } from "../errors.js";
import { addRisk, healthFromTotals, type PositionRisk, positionValue, type RiskTotals } from "./accountRisk.js";
import type { Requirements } from "./marginTiers.js";
import { marketSkew, type PendingFunding, pendingFunding, rampedRequirements } from "./marketMath.js";

export type { PendingFunding, PositionRisk, RiskTotals };
import type {
  AccountHealth,
  AccountPosition,
  FundingState,
  Market,
  MarketMap,
  MarketParams,
  Position,
} from "./types.js";

/** The market fields that requirements depend on. */
export type MarketTables = Pick<Market, "tiers" | "ramp">;

/**
 * A market's IM and MM for a position of `notional` at `timestamp`, interpolated while a new margin table ramps
 * in (linear in time from the previous table's requirement to the current one's, rounded up).
 * @param notional WAD USD.
 * @param timestamp Unix seconds (the `block.timestamp` the chain would use).
 * @see contracts/core/StateLogic.sol `requirements`
 */
export function marketRequirements(market: MarketTables, notional: bigint, timestamp: bigint): Requirements {
  const { ramp } = market;
  return rampedRequirements(market.tiers, ramp.previousTiers, ramp.start, ramp.end, notional, timestamp);
}

/**
 * The funding index and rate of a market as of `timestamp`, accrual since the last touch included (without
 * writing it): what `currentFunding` returns and what every account figure uses.
 * @param price The market's mark price, WAD USD per base unit.
 * @see contracts/core/StateLogic.sol `pendingFunding`
 */
export function pendingFundingIndex(
  state: FundingState,
  params: Pick<MarketParams, "fundingScale" | "maxFundingRatePerSecond">,
  price: bigint,
  timestamp: bigint,
): PendingFunding {
  return pendingFunding(
    state.fundingIndex,
    state.lastFundingTime,
    marketSkew(state.longOpenInterest, state.shortOpenInterest),
    params.fundingScale,
    params.maxFundingRatePerSecond,
    price,
    timestamp,
  );
}

/**
 * A position's value and requirements at `price` and `fundingIndex` (all zero for an empty position).
 * @see contracts/core/StateLogic.sol `positionRisk`
 */
export function positionRisk(
  market: MarketTables,
  position: Position,
  price: bigint,
  fundingIndex: bigint,
  timestamp: bigint,
): PositionRisk {
  if (position.size === 0n) return { value: 0n, initialMargin: 0n, maintenanceMargin: 0n, notional: 0n };
  const { value, notional } = positionValue(
    position.size,
    position.openNotional,
    position.lastFundingIndex,
    price,
    fundingIndex,
  );
  const { initialMargin, maintenanceMargin } = marketRequirements(market, notional, timestamp);
  return { value, initialMargin, maintenanceMargin, notional };
}

/** The inputs every account-level function reads. */
export type AccountSnapshot = {
  /** The account's realised margin as the core counts it, WAD USD: unconverted profit at the haircut ratio
   * (`effectiveMargin`; the readers pass it so). Other fields of `Account` are optional here. */
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
 * @see contracts/core/StateLogic.sol `accountRisk`
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

/**
 * An account's health exactly as `BallastCore.accountHealth(id)` returns it at `timestamp`.
 * @see contracts/core/BallastCore.sol `accountHealth`
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

/** @internal */
export function toSnapshot(
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
