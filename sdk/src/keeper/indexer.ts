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
import { type Address, BlockNotFoundError, type Hex, type PublicClient } from "viem";
import {
  type BallastDeployment,
  coreEventAbis,
  DEFAULT_BLOCK_RANGE,
  DEFAULT_REORG_DEPTH,
  type DecodedCoreEvent,
  decodeCoreLogs,
  LogChunker,
} from "../index.js";
import { type CoreEvent, INDEXED_EVENTS, IndexState } from "./state.js";
import type { AccountSource, ChainHead, IndexView, KeeperLogger, Shard, Store } from "./types.js";

const INDEXED_EVENT_ABIS = coreEventAbis(INDEXED_EVENTS);

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

export class EventIndexer implements AccountSource {
  private indexState: IndexState;
  private readonly identity: string;
  private readonly reorgDepth: bigint;
  private readonly chunker: LogChunker;
  private loaded = false;
  private committed: bigint;
  private committedHash: Hex | undefined;
  private readonly timestamps = new Map<Hex, bigint>();
  /** The head of the last complete sync. */
  private lastHead: ChainHead | undefined;

  constructor(private readonly options: EventIndexerOptions) {
    this.indexState = new IndexState(options.shard);
    const shard = options.shard && options.shard.count > 1 ? `${options.shard.index}/${options.shard.count}` : "all";
    this.identity = `${options.deployment.chainId}:${options.deployment.core.toLowerCase()}:${shard}`;
    this.reorgDepth = BigInt(options.reorgDepth ?? DEFAULT_REORG_DEPTH);
    this.chunker = new LogChunker(options.maxBlockRange ?? DEFAULT_BLOCK_RANGE, ({ from, range, error }) =>
      options.logger?.warn({ from, range, err: (error as Error).message }, "eth_getLogs refused a range: halving it"),
    );
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
    this.lastHead = undefined;
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
    // Every sync, not only when a block is about to be committed: a node restarted and redeployed at the same
    // addresses can leave the stored block within the re-read window of the new head, and on an idle chain no new
    // block would ever be committed to reveal that the stored one is gone.
    // A head that extends the last one synced (its parent) cannot have dropped the committed block: skip the read.
    if (head.parentHash === undefined || head.parentHash !== this.lastHead?.hash) await this.checkCommittedBlock();
    const target = head.number - this.reorgDepth;
    if (target > this.committed) {
      this.state.dropTip();
      while (this.committed < target) {
        const from = this.committed + 1n;
        const { to, events } = await this.fetchEvents(from, target);
        for (const event of events) this.state.apply(event);
        // The head's hash is known: no read when the commit reaches it (reorgDepth 0).
        const blockHash =
          to === head.number ? head.hash : (await this.options.client.getBlock({ blockNumber: to })).hash;
        this.options.store.commit(this.identity, {
          block: to,
          blockHash,
          oracle: this.state.committedOracle,
          markets: this.state.baseMarketRecords(this.state.dirtyMarkets),
          accounts: this.state.baseAccountRecords(this.state.dirtyAccounts),
        });
        this.state.dirtyMarkets.clear();
        this.state.dirtyAccounts.clear();
        this.committed = to;
        this.committedHash = blockHash;
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
    this.lastHead = head;
    return this.state.view(head, this.committed);
  }

  /**
   * Detects a reorg deeper than the window, or a different chain behind the same RPC (a restarted dev node): the
   * committed block is no longer canonical. Checked once per sync, that is once per new head.
   */
  private async checkCommittedBlock(): Promise<void> {
    if (this.committedHash === undefined || this.committed < 0n) return;
    // A transport error propagates (the iteration is retried); only the node's "no such block" counts as gone.
    const block = await this.options.client.getBlock({ blockNumber: this.committed }).catch((error: unknown) => {
      if (error instanceof BlockNotFoundError) return undefined;
      throw error;
    });
    if (block?.hash === this.committedHash) return;
    this.options.logger?.error(
      { block: this.committed, storedHash: this.committedHash, chainHash: block?.hash ?? null },
      "reorg deeper than the re-read window (or a restarted node): the stored block is not on the chain; rebuilding the index",
    );
    this.reset();
  }

  /** Logs from `from` up to at most `to`, in as large a range as the node accepts. */
  private async fetchEvents(from: bigint, to: bigint): Promise<{ to: bigint; events: CoreEvent[] }> {
    const chunk = await this.chunker.next(from, to, (fromBlock, toBlock) =>
      this.options.client.getLogs({
        address: this.options.deployment.core as Address,
        events: INDEXED_EVENT_ABIS,
        fromBlock,
        toBlock,
        strict: true,
      }),
    );
    return { to: chunk.to, events: await this.decode(decodeCoreLogs(chunk.result)) };
  }

  private async timestampOf(blockHash: Hex): Promise<bigint> {
    const cached = this.timestamps.get(blockHash);
    if (cached !== undefined) return cached;
    const block = await this.options.client.getBlock({ blockHash });
    if (this.timestamps.size > 4_096) this.timestamps.clear();
    this.timestamps.set(blockHash, block.timestamp);
    return block.timestamp;
  }

  private async decode(logs: DecodedCoreEvent[]): Promise<CoreEvent[]> {
    // Only the last funding-relevant event of each market needs its block's time (the clock only moves forward).
    const needsTime = new Set<number>();
    const lastPerMarket = new Map<string, number>();
    logs.forEach((log, i) => {
      if (FUNDING_EVENTS.has(log.eventName)) lastPerMarket.set(String(log.args.marketId), i);
    });
    for (const i of lastPerMarket.values()) needsTime.add(i);
    const events: CoreEvent[] = [];
    for (const [i, log] of logs.entries()) {
      let timestamp = log.blockTimestamp;
      if (timestamp === undefined) timestamp = needsTime.has(i) ? await this.timestampOf(log.blockHash) : 0n;
      events.push({
        eventName: log.eventName,
        args: log.args,
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
