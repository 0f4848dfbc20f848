/**
 * The one decoder of the core's events: ABI items to filter `eth_getLogs` by, and logs turned into typed, normalised
 * events (every integer a bigint, whatever width viem decodes it at), for the keeper's indexer, its receipts and any
 * other reader of the core's history.
 *
 * @module
 */
import { type AbiEvent, type Address, type Hex, type Log, parseEventLogs } from "viem";
import { ballastCoreAbi } from "./abi/ballastCore.js";
import type { MarketParams, RiskParams } from "./math/types.js";

type CoreAbiEvent = Extract<(typeof ballastCoreAbi)[number], { type: "event" }>;

/** The name of an event the core emits. */
export type CoreEventName = CoreAbiEvent["name"];

/** The core's event ABI items named `names` (every event when omitted), e.g. for `getLogs({ events })`. */
export function coreEventAbis(names?: readonly CoreEventName[]): AbiEvent[] {
  return ballastCoreAbi.filter(
    (item) => item.type === "event" && (names === undefined || (names as readonly string[]).includes(item.name)),
  ) as AbiEvent[];
}

/** A decoded core event with where it was emitted. */
export interface DecodedCoreEvent {
  eventName: CoreEventName;
  args: Record<string, unknown>;
  address: Address;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: number;
  /** The block's timestamp, when the node includes it in logs (`blockTimestamp`). */
  blockTimestamp: bigint | undefined;
}

/**
 * `MarketParams` as the SDK's math expects it: viem decodes `uint32 marginRampDuration` as a number and wider
 * fields as bigints; everything becomes a bigint here.
 */
export function normaliseMarketParams(params: Record<string, unknown>): MarketParams {
  return {
    feedId: params.feedId as Hex,
    maxOpenInterestPerSide: BigInt(params.maxOpenInterestPerSide as bigint),
    minPositionNotional: BigInt(params.minPositionNotional as bigint),
    skewScale: BigInt(params.skewScale as bigint),
    takerFeeRate: BigInt(params.takerFeeRate as bigint),
    makerFeeRate: BigInt(params.makerFeeRate as bigint),
    fundingScale: BigInt(params.fundingScale as bigint),
    maxFundingRatePerSecond: BigInt(params.maxFundingRatePerSecond as bigint),
    marginRampDuration: BigInt(params.marginRampDuration as bigint),
  };
}

/** `RiskParams` with every field a bigint (as `core.riskParams()` and `RiskParamsSet` decode it). */
export function normaliseRiskParams(params: Record<string, unknown>): RiskParams {
  return {
    liquidationFeeRate: BigInt(params.liquidationFeeRate as bigint),
    keeperRewardShare: BigInt(params.keeperRewardShare as bigint),
    liquidationBuffer: BigInt(params.liquidationBuffer as bigint),
    fullLiquidationHealthFactor: BigInt(params.fullLiquidationHealthFactor as bigint),
    minRemainingNotional: BigInt(params.minRemainingNotional as bigint),
    insuranceFeeShare: BigInt(params.insuranceFeeShare as bigint),
    vaultReserveFactor: BigInt(params.vaultReserveFactor as bigint),
  };
}

function normaliseArgs(eventName: string, args: Record<string, unknown>): Record<string, unknown> {
  if (eventName === "MarketListed" || eventName === "MarketParamsSet") {
    return { ...args, params: normaliseMarketParams(args.params as Record<string, unknown>) };
  }
  if (eventName === "RiskParamsSet")
    return { ...args, params: normaliseRiskParams(args.params as Record<string, unknown>) };
  return args;
}

type AnyLog = Log<bigint, number, boolean> & {
  eventName?: string;
  args?: unknown;
  blockTimestamp?: bigint | string | null;
};

export interface DecodeCoreLogsOptions {
  /** Keep only logs emitted by this address (the core): a receipt carries the token's and others' logs too. */
  address?: Address;
  /** Keep only these events. */
  eventNames?: readonly CoreEventName[];
}

/**
 * Decodes logs of the core: raw logs (a receipt's) are decoded with the core's ABI, logs viem already decoded
 * (`getLogs({ events })`) are taken as they are; removed (reorged-out) and pending logs, other contracts' logs and
 * logs that do not match the ABI are dropped. Struct arguments are normalised (see {@link normaliseMarketParams}).
 */
export function decodeCoreLogs(logs: readonly AnyLog[], options: DecodeCoreLogsOptions = {}): DecodedCoreEvent[] {
  const address = options.address?.toLowerCase();
  const names = options.eventNames === undefined ? undefined : new Set<string>(options.eventNames);
  const live = logs.filter(
    (log) =>
      !log.removed &&
      log.blockNumber !== null &&
      log.blockHash !== null &&
      log.transactionHash !== null &&
      log.logIndex !== null &&
      (address === undefined || log.address.toLowerCase() === address),
  );
  const undecoded = live.filter((log) => log.eventName === undefined || log.args === undefined);
  const decoded = new Map<AnyLog, { eventName: string; args: Record<string, unknown> }>();
  if (undecoded.length > 0) {
    const parsed = parseEventLogs({ abi: ballastCoreAbi, logs: undecoded as Log[], strict: true });
    // parseEventLogs keeps order and drops what it cannot decode: match by transaction and log index.
    const key = (log: { transactionHash: Hex | null; logIndex: number | null }) =>
      `${log.transactionHash}:${log.logIndex}`;
    const byKey = new Map(parsed.map((log) => [key(log), log]));
    for (const log of undecoded) {
      const match = byKey.get(key(log));
      if (match) decoded.set(log, { eventName: match.eventName, args: match.args as Record<string, unknown> });
    }
  }
  const events: DecodedCoreEvent[] = [];
  for (const log of live) {
    const { eventName, args } =
      log.eventName !== undefined && log.args !== undefined
        ? { eventName: log.eventName, args: log.args as Record<string, unknown> }
        : (decoded.get(log) ?? {});
    if (eventName === undefined || args === undefined || (names !== undefined && !names.has(eventName))) continue;
    const timestamp = log.blockTimestamp;
    events.push({
      eventName: eventName as CoreEventName,
      args: normaliseArgs(eventName, args),
      address: log.address,
      blockNumber: log.blockNumber!,
      blockHash: log.blockHash!,
      transactionHash: log.transactionHash!,
      logIndex: log.logIndex!,
      blockTimestamp: timestamp === null || timestamp === undefined ? undefined : BigInt(timestamp),
    });
  }
  return events;
}
