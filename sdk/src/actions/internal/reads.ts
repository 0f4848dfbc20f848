/**
 * The multicall reads shared by `getMarkets`, `getAccount`, `getAccounts` and `watchAccount`, and the pure
 * functions that turn their results into views.
 * @internal
 */
import type { Address, Client } from "viem";
import { getBlock, multicall } from "viem/actions";
import { ballastCoreAbi } from "../../abi/ballastCore.js";
import { oracleAdapterAbi } from "../../abi/oracleAdapter.js";
import type { ContractErrorContext } from "../../contractErrors.js";
import type { BallastDeployment } from "../../deployment.js";
import { type BallastError, BallastInputError } from "../../errors.js";
import { type AccountSnapshot, accountRisk, type PendingFunding, pendingFundingIndex } from "../../math/accountMath.js";
import { planLiquidation } from "../../math/liquidationLogic.js";
import { positionPriceLines } from "../../math/liquidationPrice.js";
import { effectiveMargin, type ProfitLedger } from "../../math/profitHaircut.js";
import type {
  Account,
  AccountHealth,
  AccountPosition,
  LiquidationPreview,
  Market,
  MarketParams,
  MarketState,
  RiskParams,
} from "../../math/types.js";
import { healthFromTotals } from "../../math/accountRisk.js";
import { accruedFunding } from "../../math/fundingMath.js";
import { unrealisedPnl } from "../../math/positionMath.js";
import { abs, WAD } from "../../math/wadMath.js";
import { decodeBallastError } from "../decodeBallastError.js";

/** A market as read from the chain, with its oracle price and pending funding at the block. */
export type MarketView = Market & {
  symbol: string;
  /** The Chainlink-style aggregator behind the feed. */
  feed: Address;
  /** The oracle adapter's guarded price (WAD) at the block; `undefined` when it reverts (see `priceError`). */
  price: bigint | undefined;
  /** Why the oracle refused the price (stale, out of bounds, sequencer down, …). */
  priceError: BallastError | undefined;
  /** The feed's configuration in the oracle adapter. */
  feedConfig: { decimals: number; heartbeat: number; minPriceWad: bigint; maxPriceWad: bigint };
  /** Funding index and rate at the block's timestamp (`undefined` without a price). */
  funding: PendingFunding | undefined;
};

/** The protocol-wide state every account view needs. */
export type MarketsView = {
  blockNumber: bigint;
  /** The block's timestamp: what `block.timestamp` is in calls at this block. */
  timestamp: bigint;
  /** Markets by id (a sparse array: `markets[marketId]`). */
  markets: MarketView[];
  /** Usable prices by market id. */
  prices: { [marketId: number]: bigint | undefined };
  riskParams: RiskParams;
  paused: boolean;
  marketCount: number;
  /** What backs traders' unconverted profit, and the ratio it converts at now (`core.profitHaircut()`). */
  profitLedger: ProfitLedger & { haircutRatio: bigint };
};

export type Call = {
  address: Address;
  abi: readonly unknown[];
  functionName: string;
  args?: readonly unknown[];
};

export type CallResult = { status: "success"; result: unknown } | { status: "failure"; error: Error };

/** The error context (names) of a deployment. */
export function deploymentContext(deployment: BallastDeployment): ContractErrorContext {
  return {
    collateral: { symbol: deployment.collateralSymbol ?? "USDC", decimals: deployment.collateralDecimals },
    markets: deployment.markets.map((m) => ({ marketId: m.marketId, symbol: m.symbol, feedId: m.feedId })),
  };
}

/** The calls that read every deployed market, its ramp, oracle price and feed, plus the risk params. */
export function marketCalls(deployment: BallastDeployment): Call[] {
  const calls: Call[] = [];
  for (const m of deployment.markets) {
    const id = BigInt(m.marketId);
    calls.push({ address: deployment.core, abi: ballastCoreAbi, functionName: "getMarket", args: [id] });
    calls.push({ address: deployment.core, abi: ballastCoreAbi, functionName: "marginRamp", args: [id] });
    calls.push({ address: deployment.oracle, abi: oracleAdapterAbi, functionName: "getPrice", args: [m.feedId] });
    calls.push({ address: deployment.oracle, abi: oracleAdapterAbi, functionName: "feedConfig", args: [m.feedId] });
  }
  calls.push({ address: deployment.core, abi: ballastCoreAbi, functionName: "riskParams" });
  calls.push({ address: deployment.core, abi: ballastCoreAbi, functionName: "paused" });
  calls.push({ address: deployment.core, abi: ballastCoreAbi, functionName: "marketCount" });
  calls.push({ address: deployment.core, abi: ballastCoreAbi, functionName: "ledgers" });
  calls.push({ address: deployment.core, abi: ballastCoreAbi, functionName: "profitHaircut" });
  return calls;
}

/** The calls that read one account and its position in every deployed market. */
export function accountCalls(deployment: BallastDeployment, accountId: bigint): Call[] {
  return [
    { address: deployment.core, abi: ballastCoreAbi, functionName: "getAccount", args: [accountId] },
    ...deployment.markets.map((m) => ({
      address: deployment.core,
      abi: ballastCoreAbi,
      functionName: "getPosition",
      args: [accountId, BigInt(m.marketId)],
    })),
  ];
}

/** The result of one call of a multicall, or its revert thrown as a typed Ballast error. */
export function success<T>(result: CallResult | undefined, what: string, context: ContractErrorContext): T {
  if (result === undefined) {
    throw new BallastInputError({ shortMessage: `The multicall returned no result for ${what}.`, details: what });
  }
  if (result.status === "failure") throw decodeBallastError(result.error, { context }) ?? result.error;
  return result.result as T;
}

type RawTier = { notionalCap: bigint; initialMarginRate: bigint; maintenanceMarginRate: bigint };
type RawParams = Omit<MarketParams, "marginRampDuration"> & { marginRampDuration: number | bigint };

/** Runs `calls` (and the block header) at one block, through Multicall3. */
export async function readAtBlock(
  client: Client,
  deployment: BallastDeployment,
  calls: Call[],
  blockNumber: bigint | undefined,
  batchSize?: number,
): Promise<{ results: CallResult[]; blockNumber: bigint; timestamp: bigint }> {
  const block = await getBlock(client, blockNumber === undefined ? { blockTag: "latest" } : { blockNumber });
  if (block.number === null) throw new BallastInputError({ shortMessage: "The block is pending.", details: "" });
  const results = (await multicall(client, {
    // biome-ignore lint/suspicious/noExplicitAny: a heterogeneous call list; results are typed by the parsers.
    contracts: calls as any,
    allowFailure: true,
    multicallAddress: deployment.multicall3,
    blockNumber: block.number,
    ...(batchSize === undefined ? {} : { batchSize }),
  })) as CallResult[];
  return { results, blockNumber: block.number, timestamp: block.timestamp };
}

/** Parses the results of {@link marketCalls} (at the start of `results`). */
export function parseMarkets(
  deployment: BallastDeployment,
  results: readonly CallResult[],
  blockNumber: bigint,
  timestamp: bigint,
): MarketsView {
  const context = deploymentContext(deployment);
  const markets: MarketView[] = [];
  const prices: { [marketId: number]: bigint | undefined } = {};
  deployment.markets.forEach((m, i) => {
    const [params, state, tiers] = success<readonly [RawParams, MarketState, readonly RawTier[]]>(
      results[4 * i],
      `getMarket(${m.marketId})`,
      context,
    );
    const [previousTiers, start, end] = success<readonly [readonly RawTier[], bigint, bigint]>(
      results[4 * i + 1],
      `marginRamp(${m.marketId})`,
      context,
    );
    const priceResult = results[4 * i + 2];
    const feed = success<{ heartbeat: number; decimals: number; minPriceWad: bigint; maxPriceWad: bigint }>(
      results[4 * i + 3],
      `feedConfig(${m.feedId})`,
      context,
    );
    let price: bigint | undefined;
    let priceError: BallastError | undefined;
    if (priceResult?.status === "success") price = priceResult.result as bigint;
    else if (priceResult !== undefined) priceError = decodeBallastError(priceResult.error, { context });
    const market: Market = {
      marketId: m.marketId,
      params: { ...params, marginRampDuration: BigInt(params.marginRampDuration) },
      state: { ...state },
      tiers: tiers.map((t) => ({ ...t })),
      ramp: { previousTiers: previousTiers.map((t) => ({ ...t })), start, end },
    };
    markets[m.marketId] = {
      ...market,
      symbol: m.symbol,
      feed: m.feed,
      price,
      priceError,
      feedConfig: {
        decimals: Number(feed.decimals),
        heartbeat: Number(feed.heartbeat),
        minPriceWad: feed.minPriceWad,
        maxPriceWad: feed.maxPriceWad,
      },
      funding: price === undefined ? undefined : pendingFundingIndex(market.state, market.params, price, timestamp),
    };
    if (price !== undefined) prices[m.marketId] = price;
  });
  const offset = 4 * deployment.markets.length;
  return {
    blockNumber,
    timestamp,
    markets,
    prices,
    riskParams: { ...success<RiskParams>(results[offset], "riskParams()", context) },
    paused: success<boolean>(results[offset + 1], "paused()", context),
    marketCount: Number(success<bigint>(results[offset + 2], "marketCount()", context)),
    profitLedger: parseProfitLedger(
      success<readonly [bigint, bigint]>(results[offset + 3], "ledgers()", context),
      success<readonly [bigint, bigint, bigint]>(results[offset + 4], "profitHaircut()", context),
    ),
  };
}

function parseProfitLedger(
  [vaultLedger]: readonly [bigint, bigint],
  [totalProfit, tradersPnl, haircutRatio]: readonly [bigint, bigint, bigint],
): MarketsView["profitLedger"] {
  return { totalProfit, vaultLedger, tradersPnl, haircutRatio };
}

/** One position with everything a frontend shows about it. */
export type PositionView = AccountPosition & {
  symbol: string;
  /** Mark price (WAD); `undefined` when the oracle refuses it. */
  markPrice: bigint | undefined;
  /** |size| × mark, rounded up. */
  notional: bigint | undefined;
  /** Average entry price: |openNotional| / |size| (WAD, rounded down). */
  entryPrice: bigint;
  unrealisedPnl: bigint | undefined;
  /** Funding owed since the last settlement (negative: owed to the position). */
  accruedFunding: bigint | undefined;
  initialMargin: bigint | undefined;
  maintenanceMargin: bigint | undefined;
  /** Exact on the feed grid (see `liquidationPrice`); `undefined` when none or without prices. */
  liquidationPrice: bigint | undefined;
  bankruptcyPrice: bigint | undefined;
  /** Where the margin ratio reaches 80%. */
  warningPrice: bigint | undefined;
};

/** An account with its positions, the markets and prices they need, and its health — all at one block. */
export type AccountView = Omit<AccountSnapshot, "account" | "positions" | "markets" | "prices" | "timestamp"> & {
  accountId: bigint;
  /** The account as stored: `margin` at face value, `profit` the unconverted part of it. */
  account: Account;
  /** The haircut (DESIGN §8) as it applies to this account now: the ratio its unconverted profit is worth, what
   * that costs it (`margin − effectiveMargin`), and the margin every figure here is computed from. */
  haircut: { ratio: bigint; amount: bigint; effectiveMargin: bigint };
  /** The haircut's inputs at this block (`core.profitHaircut()`, `core.ledgers()`). */
  profitLedger: ProfitLedger;
  positions: PositionView[];
  markets: MarketView[];
  prices: { [marketId: number]: bigint | undefined };
  blockNumber: bigint;
  timestamp: bigint;
  riskParams: RiskParams;
  paused: boolean;
  /** `accountHealth(id)` as the core returns it at this block; `undefined` when a needed price is refused. */
  health: AccountHealth | undefined;
  /** `previewLiquidation(id)` at this block; `undefined` when a needed price is refused. */
  liquidation: LiquidationPreview | undefined;
  /** Refused prices of the markets the account is in, by market id. */
  priceErrors: { [marketId: number]: BallastError | undefined };
};

type RawAccount = Omit<Account, "isolatedMarketId"> & { isolatedMarketId: number | bigint };

/** Parses the results of {@link accountCalls} (at `offset`). */
export function parseAccount(
  deployment: BallastDeployment,
  results: readonly CallResult[],
  offset: number,
  accountId: bigint,
): { account: Account; positions: AccountPosition[] } {
  const context = deploymentContext(deployment);
  const raw = success<RawAccount>(results[offset], `getAccount(${accountId})`, context);
  const positions: AccountPosition[] = [];
  deployment.markets.forEach((m, i) => {
    const position = success<{ size: bigint; openNotional: bigint; lastFundingIndex: bigint }>(
      results[offset + 1 + i],
      `getPosition(${accountId}, ${m.marketId})`,
      context,
    );
    if (position.size !== 0n) positions.push({ marketId: m.marketId, ...position });
  });
  return { account: { ...raw, isolatedMarketId: Number(raw.isolatedMarketId) }, positions };
}

/**
 * The view as the core's next operation on the account sees it: unconverted profit converted at the haircut ratio
 * (`convertProfit` runs first in every trade, withdrawal and liquidation). What the previews start from.
 */
export function asConverted(view: AccountView): AccountView {
  if (view.account.profit === 0n) return view;
  const { totalProfit, vaultLedger, tradersPnl } = view.profitLedger;
  return {
    ...view,
    account: { ...view.account, margin: view.haircut.effectiveMargin, profit: 0n },
    // The conversion takes the profit out of the total and returns its haircut to the LP ledger.
    profitLedger: {
      totalProfit: totalProfit - view.account.profit,
      vaultLedger: vaultLedger + view.haircut.amount,
      tradersPnl,
    },
  };
}

/** Options of the derived figures. */
export type AccountViewOptions = {
  /** Compute each position's liquidation, bankruptcy and warning prices (default true). */
  priceLines?: boolean;
};

/** Builds an {@link AccountView} from raw state, with the SDK's math (pure; used again on every price update). */
export function toAccountView(
  accountId: bigint,
  account: Account,
  positions: readonly AccountPosition[],
  markets: MarketsView,
  options: AccountViewOptions = {},
): AccountView {
  const priceErrors: { [marketId: number]: BallastError | undefined } = {};
  for (const p of positions) {
    const market = markets.markets[p.marketId];
    if (market?.price === undefined) priceErrors[p.marketId] = market?.priceError;
  }
  const complete = positions.every((p) => markets.prices[p.marketId] !== undefined);
  // Every figure counts unconverted profit at the haircut ratio, as the core does (`effectiveAccount`).
  const margin = effectiveMargin(account, markets.profitLedger);
  const snapshot: AccountSnapshot = {
    account: { ...account, margin },
    positions,
    markets: markets.markets,
    prices: markets.prices,
    timestamp: markets.timestamp,
  };
  let health: AccountHealth | undefined;
  let liquidation: LiquidationPreview | undefined;
  const views: PositionView[] = [];
  const risk = complete ? accountRisk(snapshot) : undefined;
  if (risk !== undefined) {
    health = healthFromTotals(margin, risk.totals);
    liquidation = planLiquidation({ ...snapshot, riskParams: markets.riskParams }).preview;
  }
  for (const p of positions) {
    const market = markets.markets[p.marketId];
    const priced = risk?.positions.find((r) => r.marketId === p.marketId);
    const markPrice = markets.prices[p.marketId];
    const lines =
      complete && options.priceLines !== false
        ? positionPriceLines({ ...snapshot, marketId: p.marketId })
        : { liquidationPrice: undefined, bankruptcyPrice: undefined, warningPrice: undefined };
    views.push({
      ...p,
      symbol: market?.symbol ?? `market ${p.marketId}`,
      markPrice,
      notional: priced?.risk.notional,
      entryPrice: (abs(p.openNotional) * WAD) / abs(p.size),
      unrealisedPnl: markPrice === undefined ? undefined : unrealisedPnl(p.size, p.openNotional, markPrice),
      accruedFunding:
        priced === undefined ? undefined : accruedFunding(p.size, p.lastFundingIndex, priced.fundingIndex),
      initialMargin: priced?.risk.initialMargin,
      maintenanceMargin: priced?.risk.maintenanceMargin,
      ...lines,
    });
  }
  views.sort((a, b) => a.marketId - b.marketId);
  return {
    accountId,
    account,
    haircut: { ratio: markets.profitLedger.haircutRatio, amount: account.margin - margin, effectiveMargin: margin },
    profitLedger: {
      totalProfit: markets.profitLedger.totalProfit,
      vaultLedger: markets.profitLedger.vaultLedger,
      tradersPnl: markets.profitLedger.tradersPnl,
    },
    positions: views,
    markets: markets.markets,
    prices: markets.prices,
    blockNumber: markets.blockNumber,
    timestamp: markets.timestamp,
    riskParams: markets.riskParams,
    paused: markets.paused,
    health,
    liquidation,
    priceErrors,
  };
}
