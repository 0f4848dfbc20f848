import type { AbiEvent, Address, Client, Hash, Log } from "viem";
import { getBlock, getBlockNumber, getLogs, watchContractEvent } from "viem/actions";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import { DEFAULT_BLOCK_RANGE, getLogsChunked } from "./internal/logs.js";

/** One position closed inside a liquidation (a `PositionLiquidated` event). */
export type LiquidatedPosition = {
  marketId: number;
  /** Signed WAD base units closed. */
  closedSize: bigint;
  /** The price the close filled at (the mark with the skew premium), WAD. */
  fillPrice: bigint;
  realisedPnl: bigint;
  /** The position's size after the close (0 on a full liquidation). */
  newSize: bigint;
};

/** One liquidation: the `AccountLiquidated` event with its `PositionLiquidated` and `BadDebtSettled` siblings. */
export type LiquidationEntry = {
  /** `transactionHash:accountId`: unique per liquidation. */
  key: string;
  blockNumber: bigint;
  transactionHash: Hash;
  /** The block's timestamp (unix seconds), once known. */
  timestamp: bigint | undefined;
  accountId: bigint;
  liquidator: Address;
  recipient: Address;
  full: boolean;
  /** WAD share of every position closed. */
  fraction: bigint;
  closedNotional: bigint;
  fee: bigint;
  keeperReward: bigint;
  marginAfter: bigint;
  /** The positions closed, in log order. */
  positions: LiquidatedPosition[];
  /** The `BadDebtSettled` event of the same liquidation, if any. */
  badDebt: { badDebt: bigint; coveredByInsurance: bigint; socialised: bigint } | undefined;
};

export type WatchLiquidationsParameters = {
  deployment: BallastDeployment;
  /** Called with every liquidation seen so far, newest first: once after the back-fill, then on each new one. */
  onChange: (entries: LiquidationEntry[]) => void;
  onError?: (error: unknown) => void;
  /** Polling interval in ms for HTTP transports (default: the client's). */
  pollingInterval?: number;
  /** Back-fill from this block (default: `deployment.deploymentBlock`). */
  fromBlock?: bigint;
  /** Largest `eth_getLogs` range of the back-fill, in blocks (default 5,000; halved when refused). */
  blockRange?: bigint;
};

/** Stops watching. */
export type WatchLiquidationsReturnType = () => void;

type CoreLog = Log & { eventName?: string; args?: Record<string, unknown> };

const FEED_EVENTS = new Set(["AccountLiquidated", "PositionLiquidated", "BadDebtSettled"]);
const FEED_EVENT_ABIS = ballastCoreAbi.filter(
  (item) => item.type === "event" && FEED_EVENTS.has(item.name),
) as unknown as AbiEvent[];

function logId(log: CoreLog): string {
  return `${log.transactionHash}:${log.logIndex}`;
}

/** Groups the logs by liquidation (transaction and account), newest first. */
function group(logs: Iterable<CoreLog>, timestamps: Map<bigint, bigint>): LiquidationEntry[] {
  const byKey = new Map<string, CoreLog[]>();
  for (const log of logs) {
    const key = `${log.transactionHash}:${String(log.args?.accountId)}`;
    byKey.set(key, [...(byKey.get(key) ?? []), log]);
  }
  const entries: LiquidationEntry[] = [];
  for (const [key, group] of byKey) {
    const head = group.find((log) => log.eventName === "AccountLiquidated");
    if (head?.args === undefined || head.blockNumber === null || head.transactionHash === null) continue;
    const a = head.args;
    const debt = group.find((log) => log.eventName === "BadDebtSettled")?.args;
    entries.push({
      key,
      blockNumber: head.blockNumber,
      transactionHash: head.transactionHash,
      timestamp: timestamps.get(head.blockNumber),
      accountId: a.accountId as bigint,
      liquidator: a.liquidator as Address,
      recipient: a.recipient as Address,
      full: a.full as boolean,
      fraction: a.fraction as bigint,
      closedNotional: a.closedNotional as bigint,
      fee: a.fee as bigint,
      keeperReward: a.keeperReward as bigint,
      marginAfter: a.marginAfter as bigint,
      positions: group
        .filter((log) => log.eventName === "PositionLiquidated")
        .sort((x, y) => (x.logIndex ?? 0) - (y.logIndex ?? 0))
        .map((log) => ({
          marketId: Number(log.args?.marketId),
          closedSize: log.args?.closedSize as bigint,
          fillPrice: log.args?.fillPrice as bigint,
          realisedPnl: log.args?.realisedPnl as bigint,
          newSize: log.args?.newSize as bigint,
        })),
      badDebt:
        debt === undefined
          ? undefined
          : {
              badDebt: debt.badDebt as bigint,
              coveredByInsurance: debt.coveredByInsurance as bigint,
              socialised: debt.socialised as bigint,
            },
    });
  }
  return entries.sort((x, y) =>
    x.blockNumber === y.blockNumber ? y.key.localeCompare(x.key) : x.blockNumber > y.blockNumber ? -1 : 1,
  );
}

/**
 * A protocol-wide feed of liquidations (`watchAccount` follows one account): every `AccountLiquidated` since the
 * deployment block with its `PositionLiquidated` and `BadDebtSettled` events, newest first, then live.
 *
 * Watches the core's events (viem `watchContractEvent`) and back-fills history with chunked `eth_getLogs`; logs
 * are de-duplicated by transaction and log index, so the overlap of the two is harmless. Each entry carries its
 * block's timestamp (one `eth_getBlockByNumber` per block with a liquidation). `onChange([])` is called once when
 * the history holds none.
 *
 * @example
 * const unwatch = watchLiquidations(publicClient, { deployment, onChange: (entries) => render(entries) });
 */
export function watchLiquidations(
  client: Client,
  parameters: WatchLiquidationsParameters,
): WatchLiquidationsReturnType {
  const { deployment, onChange, onError } = parameters;
  const logs = new Map<string, CoreLog>();
  const timestamps = new Map<bigint, bigint>();
  let stopped = false;
  const report = (error: unknown) => {
    if (!stopped) onError?.(error);
  };

  const add = async (incoming: readonly CoreLog[]) => {
    let changed = false;
    for (const log of incoming) {
      if (!FEED_EVENTS.has(log.eventName ?? "") || log.transactionHash === null) continue;
      if (logs.has(logId(log))) continue;
      logs.set(logId(log), log);
      changed = true;
    }
    if (!changed) return;
    const blocks = new Set([...logs.values()].map((log) => log.blockNumber).filter((n): n is bigint => n !== null));
    for (const blockNumber of blocks) {
      if (timestamps.has(blockNumber)) continue;
      timestamps.set(blockNumber, (await getBlock(client, { blockNumber })).timestamp);
    }
    if (!stopped) onChange(group(logs.values(), timestamps));
  };

  const unwatch = watchContractEvent(client, {
    address: deployment.core,
    abi: ballastCoreAbi,
    ...(parameters.pollingInterval === undefined ? {} : { pollingInterval: parameters.pollingInterval }),
    onError: report,
    onLogs: (incoming) => {
      add(incoming as unknown as CoreLog[]).catch(report);
    },
  });

  (async () => {
    const toBlock = await getBlockNumber(client, { cacheTime: 0 });
    const history = await getLogsChunked(
      parameters.fromBlock ?? BigInt(deployment.deploymentBlock),
      toBlock,
      (fromBlock, to) => getLogs(client, { address: deployment.core, events: FEED_EVENT_ABIS, fromBlock, toBlock: to }),
      parameters.blockRange ?? DEFAULT_BLOCK_RANGE,
    );
    await add(history as unknown as CoreLog[]);
    if (!stopped && logs.size === 0) onChange([]);
  })().catch(report);

  return () => {
    stopped = true;
    unwatch();
  };
}
