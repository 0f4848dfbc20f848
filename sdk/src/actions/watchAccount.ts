import type { Client, Log } from "viem";
import { getBlock, watchContractEvent } from "viem/actions";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import { mockAggregatorAbi } from "../abi/mockAggregator.js";
import { createContractError } from "../contractErrors.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastError } from "../errors.js";
import { pendingFundingIndex } from "../math/accountMath.js";
import {
  type AccountView,
  accountCalls,
  deploymentContext,
  marketCalls,
  type MarketsView,
  parseAccount,
  parseMarkets,
  readAtBlock,
  toAccountView,
} from "./internal/reads.js";

/** Why the view changed. */
export type AccountChange =
  | { reason: "initial"; blockNumber: bigint }
  /** A core event about the account or its markets: the account was read again (one multicall). */
  | { reason: "event"; eventNames: string[]; blockNumber: bigint }
  /** A feed's `AnswerUpdated`: the new price was applied locally and health recomputed with the SDK's math. */
  | { reason: "price"; marketIds: number[]; blockNumber: bigint };

export type WatchAccountParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  /** Called with the first view, then after every change. */
  onChange: (view: AccountView, change: AccountChange) => void;
  onError?: (error: unknown) => void;
  /** Polling interval in ms for HTTP transports (default: the client's). */
  pollingInterval?: number;
  /** Compute liquidation, bankruptcy and warning prices on each update (default true). */
  priceLines?: boolean;
};

/** Stops watching. */
export type WatchAccountReturnType = () => void;

const ACCOUNT_EVENTS = new Set([
  "PositionTraded",
  "PositionLiquidated",
  "MarginDeposited",
  "MarginWithdrawn",
  "AccountLiquidated",
  "BadDebtSettled",
]);
const MARKET_EVENTS = new Set(["FundingAccrued", "MarginTiersSet", "MarketParamsSet"]);
const PROTOCOL_EVENTS = new Set(["RiskParamsSet", "Paused", "Unpaused", "OracleSet"]);

type DecodedLog = Log & { eventName?: string; args?: Record<string, unknown> };

/**
 * Keeps an account's view current: reads it once, then re-reads it (one multicall) on every core event about it
 * (PositionTraded, PositionLiquidated, MarginDeposited/Withdrawn, AccountLiquidated, BadDebtSettled), about a market
 * it holds (FundingAccrued, MarginTiersSet, MarketParamsSet) or about the protocol (RiskParamsSet, pause), and
 * applies each feed `AnswerUpdated` of a market it holds locally (normalised to WAD, with the adapter's bounds),
 * recomputing health, liquidation preview and price lines with the SDK's math at the event's block timestamp.
 *
 * Note: on public chains `AnswerUpdated` is emitted by the aggregator behind a Chainlink proxy: the deployment's
 * `feed` must be that emitting contract. Staleness is not re-checked locally; the next read does.
 */
export function watchAccount(client: Client, parameters: WatchAccountParameters): WatchAccountReturnType {
  const { deployment, accountId, onChange, onError } = parameters;
  const options = { priceLines: parameters.priceLines };
  let current:
    | { account: AccountView["account"]; positions: AccountView["positions"]; markets: MarketsView }
    | undefined;
  let stopped = false;
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>) => {
    queue = queue.then(task).catch((error: unknown) => {
      if (!stopped) onError?.(error);
    });
  };

  const refresh = async (change: AccountChange) => {
    const markets = marketCalls(deployment);
    const read = await readAtBlock(client, deployment, [...markets, ...accountCalls(deployment, accountId)], undefined);
    const marketsView = parseMarkets(deployment, read.results, read.blockNumber, read.timestamp);
    const { account, positions } = parseAccount(deployment, read.results, markets.length, accountId);
    const view = toAccountView(accountId, account, positions, marketsView, options);
    current = { account, positions: view.positions, markets: marketsView };
    if (!stopped) onChange(view, { ...change, blockNumber: read.blockNumber });
  };

  enqueue(() => refresh({ reason: "initial", blockNumber: 0n }));

  const holds = (marketId: unknown) =>
    current?.positions.some((p) => BigInt(p.marketId) === (marketId as bigint)) ?? false;

  const unwatchCore = watchContractEvent(client, {
    address: deployment.core,
    abi: ballastCoreAbi,
    ...(parameters.pollingInterval === undefined ? {} : { pollingInterval: parameters.pollingInterval }),
    onError: (error) => onError?.(error),
    onLogs: (logs) => {
      const names = new Set<string>();
      for (const log of logs as DecodedLog[]) {
        // Already reflected in the current view (filters may start at the block the view was read at).
        if (current !== undefined && log.blockNumber !== null && log.blockNumber <= current.markets.blockNumber)
          continue;
        const name = log.eventName ?? "";
        const args = log.args ?? {};
        if (
          (ACCOUNT_EVENTS.has(name) && args.accountId === accountId) ||
          (MARKET_EVENTS.has(name) && holds(args.marketId)) ||
          PROTOCOL_EVENTS.has(name)
        ) {
          names.add(name);
        }
      }
      if (names.size > 0) enqueue(() => refresh({ reason: "event", eventNames: [...names], blockNumber: 0n }));
    },
  });

  const feeds = deployment.markets.map((m) => m.feed);
  const unwatchFeeds = watchContractEvent(client, {
    address: feeds,
    abi: mockAggregatorAbi,
    eventName: "AnswerUpdated",
    ...(parameters.pollingInterval === undefined ? {} : { pollingInterval: parameters.pollingInterval }),
    onError: (error) => onError?.(error),
    onLogs: (logs) => {
      enqueue(async () => {
        if (current === undefined) return;
        const touched: number[] = [];
        // Copies, so that views already handed out never change under their holders.
        const markets: MarketsView = {
          ...current.markets,
          prices: { ...current.markets.prices },
          markets: current.markets.markets.map((m) => ({ ...m })),
        };
        let blockNumber = markets.blockNumber;
        for (const log of logs) {
          const market = deployment.markets.find((m) => m.feed.toLowerCase() === log.address.toLowerCase());
          if (market === undefined || !holds(BigInt(market.marketId))) continue;
          if (log.blockNumber !== null && log.blockNumber <= current.markets.blockNumber) continue;
          applyAnswer(deployment, markets, market.marketId, log.args.current ?? 0n);
          touched.push(market.marketId);
          if (log.blockNumber !== null && log.blockNumber > blockNumber) blockNumber = log.blockNumber;
        }
        if (touched.length === 0) return;
        const block = await getBlock(client, { blockNumber });
        markets.blockNumber = blockNumber;
        markets.timestamp = block.timestamp;
        for (const market of markets.markets) {
          if (market === undefined) continue;
          const price = markets.prices[market.marketId];
          market.funding =
            price === undefined ? undefined : pendingFundingIndex(market.state, market.params, price, block.timestamp);
        }
        current = { ...current, markets };
        const view = toAccountView(accountId, current.account, current.positions, markets, options);
        if (!stopped) onChange(view, { reason: "price", marketIds: touched, blockNumber });
      });
    },
  });

  return () => {
    stopped = true;
    unwatchCore();
    unwatchFeeds();
  };
}

/** The adapter's normalisation and guards applied to a new answer (staleness aside). */
function applyAnswer(deployment: BallastDeployment, markets: MarketsView, marketId: number, answer: bigint): void {
  const market = markets.markets[marketId];
  if (market === undefined) return;
  const { decimals, minPriceWad, maxPriceWad } = market.feedConfig;
  const feedId = market.params.feedId;
  const context = deploymentContext(deployment);
  let error: BallastError | undefined;
  let price: bigint | undefined;
  if (answer <= 0n) {
    error = createContractError("InvalidAnswer", [feedId, answer], context);
  } else {
    const wad = decimals <= 18 ? answer * 10n ** BigInt(18 - decimals) : answer / 10n ** BigInt(decimals - 18);
    if (wad < minPriceWad || wad > maxPriceWad) {
      error = createContractError("PriceOutOfBounds", [feedId, wad, minPriceWad, maxPriceWad], context);
    } else {
      price = wad;
    }
  }
  market.price = price;
  market.priceError = error;
  markets.prices[marketId] = price;
}
