/**
 * The one decoder of the core's events: ABI items to filter `eth_getLogs` by, and logs turned into typed, normalised
 * events (every integer a bigint, whatever width viem decodes it at), for the keeper's indexer, its receipts and any
 * other reader of the core's history.
 *
 * @module
 */
import { type AbiEvent, type Address, decodeEventLog, type Hex, type Log } from "viem";
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
    keeperRewardFloor: BigInt(params.keeperRewardFloor as bigint),
    vaultReserveFactor: BigInt(params.vaultReserveFactor as bigint),
    maxOpenInterestFactor: BigInt(params.maxOpenInterestFactor as bigint),
    maxSkewFactor: BigInt(params.maxSkewFactor as bigint),
    maxPnlFactor: BigInt(params.maxPnlFactor as bigint),
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
  // decodeEventLog (not parseEventLogs, absent before viem 2.1): the SDK's peer range is every viem 2.
  const decode = (log: AnyLog): { eventName: string; args: Record<string, unknown> } | undefined => {
    if (log.eventName !== undefined && log.args !== undefined) {
      return { eventName: log.eventName, args: log.args as Record<string, unknown> };
    }
    try {
      const { eventName, args } = decodeEventLog({
        abi: ballastCoreAbi,
        data: log.data,
        topics: log.topics,
        strict: true,
      });
      return { eventName, args: args as unknown as Record<string, unknown> };
    } catch {
      return undefined; // another event of the same address that this ABI does not know, or malformed
    }
  };
  const events: DecodedCoreEvent[] = [];
  for (const log of live) {
    const decoded = decode(log);
    if (decoded === undefined || (names !== undefined && !names.has(decoded.eventName))) continue;
    const { eventName, args } = decoded;
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
