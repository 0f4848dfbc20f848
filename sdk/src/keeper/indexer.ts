/**
 * The default {@link AccountSource}: an event indexer over JSON-RPC `eth_getLogs`.
 *
 * - Backfill: from the deployment block (or the stored block) in chunks of at most `maxBlockRange` blocks, halved
 *   when the node refuses a range (too many results / range too large).
 * - Confirmed base and tip: blocks up to `head − reorgDepth` are applied once and committed to the {@link Store};
 *   the newest `reorgDepth` blocks are re-read on every sync into a throw-away overlay, so a reorg inside that
 *   window needs no undo. A reorg deeper than the window (the committed block's hash changed) resets the index
 *   and rebuilds it from the deployment block.
 * - Block timestamps (funding accrues per second) come from the logs' `blockTimestamp` when the node provides it,
 *   otherwise from `eth_getBlockByHash`, fetched only for the last funding-relevant event of each market.
 *
 * @module
 */
import type { AbiEvent, Address, Hex, Log, PublicClient } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import { isRangeError } from "../actions/internal/logs.js";
import type { BallastDeployment } from "../deployment.js";
import { type CoreEvent, INDEXED_EVENTS, IndexState } from "./state.js";
import type { AccountSource, ChainHead, IndexView, KeeperLogger, MarketParams, Shard, Store } from "./types.js";

const INDEXED_EVENT_ABIS = ballastCoreAbi.filter(
  (item) => item.type === "event" && (INDEXED_EVENTS as readonly string[]).includes(item.name),
) as AbiEvent[];

/** Events that move a market's funding clock. */
const FUNDING_EVENTS = new Set([
  "MarketListed",
  "MarketParamsSet",
  "FundingAccrued",
  "PositionTraded",
  "PositionLiquidated",
]);

export interface EventIndexerOptions {
  client: PublicClient;
  deployment: Pick<BallastDeployment, "chainId" | "core" | "deploymentBlock">;
  store: Store;
  shard?: Shard;
  /** Blocks re-read on every sync (and never committed before they are this deep). Default 12. */
  reorgDepth?: number;
  /** Largest `eth_getLogs` range. Default 5,000 blocks. */
  maxBlockRange?: bigint;
  logger?: KeeperLogger;
  /** Called after each committed chunk of a backfill. */
  onCommit?: (block: bigint, target: bigint) => void;
}

/** Normalises a decoded `MarketParams` tuple (viem returns small uints as numbers). */
function marketParams(params: Record<string, unknown>): MarketParams {
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

type DecodedLog = Log<bigint, number, false, AbiEvent, true> & {
  eventName: string;
  args: Record<string, unknown>;
  blockTimestamp?: bigint | null;
};

export class EventIndexer implements AccountSource {
  private indexState: IndexState;
  private readonly identity: string;
  private readonly reorgDepth: bigint;
  private maxRange: bigint;
  private range: bigint;
  private loaded = false;
  private committed: bigint;
  private committedHash: Hex | undefined;
  private readonly timestamps = new Map<Hex, bigint>();

  constructor(private readonly options: EventIndexerOptions) {
    this.indexState = new IndexState(options.shard);
    const shard = options.shard && options.shard.count > 1 ? `${options.shard.index}/${options.shard.count}` : "all";
    this.identity = `${options.deployment.chainId}:${options.deployment.core.toLowerCase()}:${shard}`;
    this.reorgDepth = BigInt(options.reorgDepth ?? 12);
    this.maxRange = options.maxBlockRange ?? 5_000n;
    this.range = this.maxRange;
    this.committed = BigInt(options.deployment.deploymentBlock) - 1n;
  }

  /** The index itself (markets and accounts up to the last sync). */
  get state(): IndexState {
    return this.indexState;
  }

  /** The last block written to the store. */
  get committedBlock(): bigint {
    return this.committed;
  }

  private load(): void {
    this.loaded = true;
    const stored = this.options.store.load(this.identity);
    if (stored === undefined) {
      this.options.logger?.info(
        { fromBlock: this.committed + 1n, identity: this.identity },
        "no stored index: backfilling from the deployment block",
      );
      return;
    }
    this.state.load(stored.oracle, stored.markets, stored.accounts);
    this.committed = stored.block;
    this.committedHash = stored.blockHash;
    this.options.logger?.info(
      { fromBlock: stored.block + 1n, accounts: stored.accounts.length, markets: stored.markets.length },
      "resuming from the stored index",
    );
  }

  private reset(): void {
    this.options.store.reset(this.identity);
    // A fresh state object is simplest after a deep reorg: rebuild everything.
    this.indexState = new IndexState(this.options.shard);
    this.committed = BigInt(this.options.deployment.deploymentBlock) - 1n;
    this.committedHash = undefined;
  }

  async sync(head: ChainHead): Promise<IndexView> {
    if (!this.loaded) this.load();
    if (head.number < this.committed) {
      // The chain is now shorter than what was committed: a reorg deeper than the window (or a reset dev chain).
      this.options.logger?.error(
        { head: head.number, committed: this.committed },
        "reorg deeper than the re-read window: rebuilding the index from the deployment block",
      );
      this.reset();
    }
    const target = head.number - this.reorgDepth;
    if (target > this.committed) {
      await this.checkCommittedBlock();
      this.state.dropTip();
      while (this.committed < target) {
        const from = this.committed + 1n;
        const { to, events } = await this.fetchEvents(from, target);
        for (const event of events) this.state.apply(event);
        const block = await this.options.client.getBlock({ blockNumber: to });
        this.options.store.commit(this.identity, {
          block: to,
          blockHash: block.hash,
          oracle: this.state.committedOracle,
          markets: this.state.baseMarketRecords(this.state.dirtyMarkets),
          accounts: this.state.baseAccountRecords(this.state.dirtyAccounts),
        });
        this.state.dirtyMarkets.clear();
        this.state.dirtyAccounts.clear();
        this.committed = to;
        this.committedHash = block.hash;
        this.options.onCommit?.(to, target);
      }
    }

    // The tip: fetched completely before anything is applied, so a failure leaves the previous view intact.
    const tip: CoreEvent[] = [];
    let from = this.committed + 1n;
    while (from <= head.number) {
      const { to, events } = await this.fetchEvents(from, head.number);
      tip.push(...events);
      from = to + 1n;
    }
    this.state.beginTip();
    for (const event of tip) this.state.apply(event);
    this.state.endTip();
    return this.state.view(head, this.committed);
  }

  /** Detects a reorg deeper than the window: the committed block is no longer canonical. */
  private async checkCommittedBlock(): Promise<void> {
    if (this.committedHash === undefined || this.committed < 0n) return;
    const block = await this.options.client.getBlock({ blockNumber: this.committed }).catch(() => undefined);
    if (block === undefined || block.hash === this.committedHash) return;
    this.options.logger?.error(
      { block: this.committed, storedHash: this.committedHash, chainHash: block.hash },
      "reorg deeper than the re-read window: rebuilding the index from the deployment block",
    );
    this.reset();
  }

  /** Logs from `from` up to at most `to`, in as large a range as the node accepts. */
  private async fetchEvents(from: bigint, to: bigint): Promise<{ to: bigint; events: CoreEvent[] }> {
    for (;;) {
      const end = from + this.range - 1n < to ? from + this.range - 1n : to;
      try {
        const logs = (await this.options.client.getLogs({
          address: this.options.deployment.core as Address,
          events: INDEXED_EVENT_ABIS,
          fromBlock: from,
          toBlock: end,
          strict: true,
        })) as unknown as DecodedLog[];
        if (this.range < this.maxRange) this.range = this.range * 2n < this.maxRange ? this.range * 2n : this.maxRange;
        return { to: end, events: await this.decode(logs) };
      } catch (error) {
        if (this.range > 1n && isRangeError(error)) {
          this.range /= 2n;
          this.options.logger?.warn(
            { from, range: this.range, err: (error as Error).message },
            "eth_getLogs refused a range: halving it",
          );
          continue;
        }
        throw error;
      }
    }
  }

  private async timestampOf(blockHash: Hex): Promise<bigint> {
    const cached = this.timestamps.get(blockHash);
    if (cached !== undefined) return cached;
    const block = await this.options.client.getBlock({ blockHash });
    if (this.timestamps.size > 4_096) this.timestamps.clear();
    this.timestamps.set(blockHash, block.timestamp);
    return block.timestamp;
  }

  private async decode(logs: DecodedLog[]): Promise<CoreEvent[]> {
    const live = logs.filter((log) => !log.removed);
    // Only the last funding-relevant event of each market needs its block's time (the clock only moves forward).
    const needsTime = new Set<number>();
    const lastPerMarket = new Map<string, number>();
    live.forEach((log, i) => {
      if (FUNDING_EVENTS.has(log.eventName)) lastPerMarket.set(String(log.args.marketId), i);
    });
    for (const i of lastPerMarket.values()) needsTime.add(i);
    const events: CoreEvent[] = [];
    for (const [i, log] of live.entries()) {
      let timestamp = log.blockTimestamp ?? undefined;
      if (timestamp === undefined) timestamp = needsTime.has(i) ? await this.timestampOf(log.blockHash) : 0n;
      const args =
        log.eventName === "MarketListed" || log.eventName === "MarketParamsSet"
          ? { ...log.args, params: marketParams(log.args.params as Record<string, unknown>) }
          : log.args;
      events.push({
        eventName: log.eventName,
        args,
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        logIndex: log.logIndex,
        timestamp,
      } as CoreEvent);
    }
    return events;
  }

  close(): void {
    this.options.store.close();
  }
}
