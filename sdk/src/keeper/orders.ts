/**
 * Order settlement, as a part of the keeper: follows the order book's `OrderCommitted` (and `OrderSettled` /
 * `OrderCancelled`, to forget orders someone else settled), fetches for each due order the Pyth update of the first
 * price published at or after its settleTime from a {@link PriceUpdateSource} (Hermes), and hands the keeper
 * `settleMany` batches ({@link SettleJob}) that it runs through its own executor, so one key liquidates and settles
 * with one nonce manager. The keeper gives liquidations priority (see `Keeper`).
 *
 * Batches hold at most `batchSize` orders and one price per market (the order book refuses two prices of a market in
 * one transaction): orders of a market whose updates carry the same price share a batch, whatever their settleTime.
 * Every batch is estimated before it is sent; a batch that would revert (a stale or wrong update, an order someone
 * else settled, an expired one) is split in halves down to single orders, and a single order's revert decides its
 * fate: gone (`NoPendingOrder`), expired (`OrderExpired`, counted), or retried on a later block with a fresh update.
 * A check that fails at settlement does not revert: the order book cancels the order with a reason event, counted
 * by reason. A price service that cannot be reached is retried with backoff; it never stops the keeper.
 *
 * @module
 */
import { decodeErrorResult, encodeFunctionData, type Hex, type Log, parseEventLogs, type PublicClient } from "viem";
import { ballastErrorsAbi, LogChunker, mockPythUniqueAbi, orderBookAbi } from "../index.js";
import type { BallastDeployment } from "../deployment.js";
import { BatchGasError, CallRevertedError } from "./executor.js";
import type { KeeperMetrics } from "./metrics.js";
import type { ChainHead, Executor, KeeperLogger } from "./types.js";

/** A Pyth update for one feed, as a price service returns it. */
export interface PriceUpdate {
  /** The update data to pass to the order book (`priceUpdate`). */
  data: Hex[];
  /** Its publish time, when the service said. */
  publishTime?: bigint;
  /** Its price as WAD, when the service parsed it: orders of a market with equal prices share a batch. */
  priceWad?: bigint;
}

/** Where updates come from (Pyth's Hermes, or the local service of scripts/lib/priceService.ts). */
export interface PriceUpdateSource {
  /**
   * The update of `feedId` first published at or after `time`; undefined when there is none yet (retried later).
   * Throws when the service cannot be reached or answers with an error.
   */
  updateAt(feedId: Hex, time: bigint): Promise<PriceUpdate | undefined>;
}

/** An order-book event, reduced to what settlement needs. */
export type OrderEvent =
  | {
      kind: "committed";
      accountId: bigint;
      marketId: bigint;
      settleTime: bigint;
      expiry: bigint;
      blockNumber: bigint;
    }
  | { kind: "settled" | "cancelled"; accountId: bigint; marketId: bigint; blockNumber: bigint };

/** Where order-book events come from. */
export interface OrderEventSource {
  /** The order book's commits, settlements and cancellations in [fromBlock, toBlock], in chain order. */
  events(fromBlock: bigint, toBlock: bigint): Promise<OrderEvent[]>;
}

/** `eth_getLogs` of the order book in chunks of at most `maxBlockRange` blocks. */
export function orderEventSource(client: PublicClient, orderBook: Hex, maxBlockRange?: bigint): OrderEventSource {
  const chunker = new LogChunker(maxBlockRange);
  return {
    async events(fromBlock, toBlock) {
      const out: OrderEvent[] = [];
      for (let from = fromBlock; from <= toBlock; ) {
        const { to, result } = await chunker.next(from, toBlock, (a, b) =>
          client.getLogs({ address: orderBook, fromBlock: a, toBlock: b }),
        );
        for (const log of parseEventLogs({ abi: orderBookAbi, logs: result as Log[], strict: false })) {
          const args = log.args as { accountId?: bigint; marketId?: bigint; settleTime?: bigint; expiry?: bigint };
          if (args.accountId === undefined || args.marketId === undefined || log.blockNumber === null) continue;
          const base = { accountId: args.accountId, marketId: args.marketId, blockNumber: log.blockNumber };
          if (log.eventName === "OrderCommitted") {
            out.push({ kind: "committed", ...base, settleTime: args.settleTime!, expiry: args.expiry! });
          } else if (log.eventName === "OrderSettled") out.push({ kind: "settled", ...base });
          else if (log.eventName === "OrderCancelled") out.push({ kind: "cancelled", ...base });
        }
        from = to + 1n;
      }
      return out;
    },
  };
}

/** The Pyth fee of a set of updates: `pyth.getUpdateFee(updates)` of the order book's oracle. */
export function pythUpdateFee(client: PublicClient, orderBook: Hex, pyth?: Hex): (updates: Hex[]) => Promise<bigint> {
  let address: Promise<Hex> | undefined = pyth === undefined ? undefined : Promise.resolve(pyth);
  return async (updates) => {
    address ??= client.readContract({ address: orderBook, abi: orderBookAbi, functionName: "pyth" }) as Promise<Hex>;
    return client.readContract({
      address: await address,
      abi: mockPythUniqueAbi,
      functionName: "getUpdateFee",
      args: [updates],
    }) as Promise<bigint>;
  };
}

export interface OrderSettlerOptions {
  deployment: Pick<BallastDeployment, "markets" | "deploymentBlock"> & { orderBook: Hex };
  events: OrderEventSource;
  updates: PriceUpdateSource;
  /** The keeper's executor: every settlement goes through its `send` (its nonce manager). */
  executor: Executor;
  /** The oracle fee of a batch's updates (sent as value; the order book refunds the rest). */
  updateFee: (updates: Hex[]) => Promise<bigint>;
  metrics?: KeeperMetrics;
  logger?: KeeperLogger;
  /** Orders per `settleMany`. Default 20. */
  batchSize?: number;
  /** Backoff of the price service after a failure, ms. Default 1,000 → 30,000. */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** An order waiting for settlement. */
export interface PendingOrder {
  accountId: bigint;
  marketId: bigint;
  settleTime: bigint;
  expiry: bigint;
  committedBlock: bigint;
  update?: PriceUpdate;
  /** Not sent again before the head passes this block. */
  holdUntilBlock?: bigint;
  attempts: number;
}

/** A batch the keeper runs with {@link OrderSettler.run}. */
export interface SettleJob {
  orders: PendingOrder[];
  head: ChainHead;
}

/** Errors a price update or a market state can cure by the next block: retried with a fresh update. */
const NOT_YET = new Set(["OrderNotSettleableYet"]);

const keyOf = (accountId: bigint, marketId: bigint) => `${accountId}:${marketId}`;

/** Every error the settlement can revert or cancel with (the order book's, the core's, Pyth's). */
const errorsAbi = [...ballastErrorsAbi, ...mockPythUniqueAbi.filter((item) => item.type === "error")];

/** The name of a revert or cancellation reason, or its selector when unknown ("revert" without data). */
export function reasonName(data: Hex | undefined): string {
  if (data === undefined || data.length < 10) return "revert";
  try {
    return decodeErrorResult({ abi: errorsAbi, data }).errorName;
  } catch {
    return data.slice(0, 10);
  }
}

export class OrderSettler {
  private readonly pending = new Map<string, PendingOrder>();
  private readonly inFlight = new Set<string>();
  private fromBlock: bigint;
  private readonly batchSize: number;
  private updatesRetryAtMs = 0;
  private updateFailures = 0;
  /** Commit-to-settlement latency of every order this settler settled or saw cancelled, in blocks. */
  readonly latencies: number[] = [];
  /** Orders this settler filled (`accountId:marketId` of each fill, in order). */
  readonly filled: string[] = [];
  /** Orders cancelled at settlement, by reason. */
  readonly cancelled = new Map<string, number>();

  constructor(private readonly options: OrderSettlerOptions) {
    this.fromBlock = BigInt(options.deployment.deploymentBlock);
    this.batchSize = options.batchSize ?? 20;
    if (options.executor.send === undefined) throw new Error("the executor cannot send order settlements");
  }

  private get log(): KeeperLogger | undefined {
    return this.options.logger;
  }

  /** Orders committed and not yet settled, cancelled or expired. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** The pending orders (for reports and tests). */
  get orders(): readonly PendingOrder[] {
    return [...this.pending.values()];
  }

  /**
   * Brings the order index up to `head`, forgets expired orders, and fetches the updates of due orders that have
   * none. Throws only when the chain cannot be read (the price service's failures are absorbed and retried).
   */
  async refresh(head: ChainHead): Promise<void> {
    if (head.number >= this.fromBlock) {
      const events = await this.options.events.events(this.fromBlock, head.number);
      for (const event of events) {
        const key = keyOf(event.accountId, event.marketId);
        if (event.kind === "committed") {
          this.pending.set(key, {
            accountId: event.accountId,
            marketId: event.marketId,
            settleTime: event.settleTime,
            expiry: event.expiry,
            committedBlock: event.blockNumber,
            attempts: 0,
          });
        } else if (!this.inFlight.has(key)) this.pending.delete(key);
      }
      this.fromBlock = head.number + 1n;
    }
    // The next block is at least a second after the head: an order whose expiry is the head's time cannot settle.
    for (const [key, order] of this.pending) {
      if (!this.inFlight.has(key) && order.expiry <= head.timestamp) this.drop(order, "OrderExpired");
    }
    this.options.metrics?.ordersPending.set(this.pending.size);
    await this.fetchUpdates(head);
  }

  /** Whether an order can go in the next block: its delay will have passed, and it has not expired. */
  private due(order: PendingOrder, head: ChainHead): boolean {
    return order.settleTime <= head.timestamp + 1n && order.expiry > head.timestamp;
  }

  private async fetchUpdates(head: ChainHead): Promise<void> {
    if (Date.now() < this.updatesRetryAtMs) return;
    // One request per (feed, settleTime): orders committed in one block share it.
    const wanted = new Map<string, { feed: Hex; time: bigint; orders: PendingOrder[] }>();
    for (const [key, order] of this.pending) {
      if (order.update !== undefined || this.inFlight.has(key) || !this.due(order, head)) continue;
      const feed = this.options.deployment.markets[Number(order.marketId)]?.pythFeedId;
      if (feed === undefined) {
        this.drop(order, "no_feed");
        continue;
      }
      const id = `${feed}:${order.settleTime}`;
      const entry = wanted.get(id) ?? { feed, time: order.settleTime, orders: [] };
      entry.orders.push(order);
      wanted.set(id, entry);
    }
    if (wanted.size === 0) return;
    const results = await Promise.allSettled(
      [...wanted.values()].map(async (entry) => ({
        entry,
        update: await this.options.updates.updateAt(entry.feed, entry.time),
      })),
    );
    let failed: unknown;
    for (const result of results) {
      if (result.status === "rejected") {
        failed ??= result.reason;
        continue;
      }
      const { entry, update } = result.value;
      if (update !== undefined) for (const order of entry.orders) order.update = update;
    }
    if (failed === undefined) {
      if (this.updateFailures > 0) this.log?.info({ after: this.updateFailures }, "price service recovered");
      this.updateFailures = 0;
      return;
    }
    this.updateFailures++;
    this.options.metrics?.orderUpdateErrors.inc();
    const initial = this.options.backoff?.initialMs ?? 1_000;
    const max = this.options.backoff?.maxMs ?? 30_000;
    const delay = Math.min(max, initial * 2 ** (this.updateFailures - 1));
    this.updatesRetryAtMs = Date.now() + delay;
    this.log?.warn(
      { err: failed, attempt: this.updateFailures, retryInMs: delay },
      "cannot fetch price updates: retrying later",
    );
  }

  /**
   * The next batch to send at `head`: the oldest due orders with an update, at most `batchSize`, one price per
   * market. Its orders are in flight until {@link run} finishes. Undefined when nothing is ready.
   */
  next(head: ChainHead): SettleJob | undefined {
    const ready = [...this.pending.entries()]
      .filter(
        ([key, order]) =>
          !this.inFlight.has(key) &&
          order.update !== undefined &&
          this.due(order, head) &&
          (order.holdUntilBlock === undefined || head.number > order.holdUntilBlock),
      )
      .map(([, order]) => order)
      .sort((a, b) => (a.settleTime < b.settleTime ? -1 : a.settleTime > b.settleTime ? 1 : 0));
    const prices = new Map<bigint, string>();
    const batch: PendingOrder[] = [];
    for (const order of ready) {
      if (batch.length >= this.batchSize) break;
      const price = priceKey(order.update!);
      const taken = prices.get(order.marketId);
      if (taken !== undefined && taken !== price) continue;
      prices.set(order.marketId, price);
      batch.push(order);
    }
    if (batch.length === 0) return undefined;
    for (const order of batch) this.inFlight.add(keyOf(order.accountId, order.marketId));
    return { orders: batch, head };
  }

  /** Whether a batch could be taken now (a cheap check for the keeper's dispatcher). */
  hasWork(head: ChainHead): boolean {
    for (const [key, order] of this.pending) {
      if (
        !this.inFlight.has(key) &&
        order.update !== undefined &&
        this.due(order, head) &&
        (order.holdUntilBlock === undefined || head.number > order.holdUntilBlock)
      ) {
        return true;
      }
    }
    return false;
  }

  /** Settles a batch (splitting it while it would revert); never throws. */
  async run(job: SettleJob): Promise<void> {
    try {
      await this.settle(job.orders, job.head);
    } catch (error) {
      this.log?.error({ err: error }, "order settlement failed");
    } finally {
      for (const order of job.orders) this.inFlight.delete(keyOf(order.accountId, order.marketId));
      this.options.metrics?.ordersPending.set(this.pending.size);
    }
  }

  private async settle(orders: PendingOrder[], head: ChainHead): Promise<void> {
    const metrics = this.options.metrics;
    const updates = orders.flatMap((order) => order.update!.data);
    const data = encodeFunctionData({
      abi: orderBookAbi,
      functionName: "settleMany",
      args: [
        orders.map((order) => ({
          accountId: order.accountId,
          marketId: order.marketId,
          priceUpdate: order.update!.data,
        })),
      ],
    });
    const ids = orders.map((order) => keyOf(order.accountId, order.marketId));
    let outcome: Awaited<ReturnType<NonNullable<Executor["send"]>>>;
    try {
      const value = await this.options.updateFee(updates);
      outcome = await this.options.executor.send!(
        { to: this.options.deployment.orderBook, data, value, label: `settleMany of ${orders.length} orders` },
        { head },
      );
    } catch (error) {
      if (error instanceof CallRevertedError || error instanceof BatchGasError) {
        const reason = error instanceof CallRevertedError ? reasonName(error.data) : error.reason;
        if (orders.length > 1) {
          metrics?.orderBatchSplits.inc();
          this.log?.info({ orders: ids, reason }, "settlement batch would revert: splitting it");
          const half = Math.ceil(orders.length / 2);
          await this.settle(orders.slice(0, half), head);
          await this.settle(orders.slice(half), head);
          return;
        }
        this.refused(orders[0]!, reason, head);
        return;
      }
      // The node or the send failed (not the batch): every order is retried on a later block.
      metrics?.orderSettleTransactions.inc({ status: "error" });
      for (const order of orders) order.holdUntilBlock = head.number;
      this.log?.error({ err: error, orders: ids }, "order settlement not sent: retrying on the next block");
      return;
    }
    if (outcome.status === "dry-run") {
      for (const order of orders) order.holdUntilBlock = BigInt(Number.MAX_SAFE_INTEGER);
      this.log?.info({ wouldSettle: ids }, "dry run: not settling");
      return;
    }
    metrics?.orderSettleTransactions.inc({ status: outcome.status });
    if (outcome.status === "reverted") {
      // Mined but reverted (the state moved between the estimate and the block): split, re-estimating each part.
      if (orders.length > 1) {
        metrics?.orderBatchSplits.inc();
        const half = Math.ceil(orders.length / 2);
        await this.settle(orders.slice(0, half), outcome.blockNumber ? { ...head, number: outcome.blockNumber } : head);
        await this.settle(orders.slice(half), outcome.blockNumber ? { ...head, number: outcome.blockNumber } : head);
        return;
      }
      this.retry(orders[0]!, "reverted", outcome.blockNumber ?? head.number);
      return;
    }
    const block = outcome.blockNumber ?? head.number;
    const done = new Map<string, { filled: boolean; reason?: string }>();
    for (const log of parseEventLogs({ abi: orderBookAbi, logs: outcome.logs as Log[], strict: false })) {
      if (log.address.toLowerCase() !== this.options.deployment.orderBook.toLowerCase()) continue;
      const args = log.args as { accountId?: bigint; marketId?: bigint; reason?: Hex };
      if (args.accountId === undefined || args.marketId === undefined) continue;
      const key = keyOf(args.accountId, args.marketId);
      if (log.eventName === "OrderSettled") done.set(key, { filled: true });
      else if (log.eventName === "OrderCancelled") done.set(key, { filled: false, reason: reasonName(args.reason) });
    }
    let filled = 0;
    for (const order of orders) {
      const key = keyOf(order.accountId, order.marketId);
      const result = done.get(key);
      if (result === undefined) continue;
      const latency = Number(block - order.committedBlock);
      metrics?.orderSettleLatency.observe(latency);
      this.latencies.push(latency);
      this.forget(order);
      if (result.filled) {
        filled++;
        this.filled.push(key);
      } else {
        const reason = result.reason ?? "unknown";
        this.cancelled.set(reason, (this.cancelled.get(reason) ?? 0) + 1);
        metrics?.orderSettlementsFailed.inc({ reason });
      }
    }
    metrics?.ordersSettled.inc(filled);
    this.log?.info(
      { txHash: outcome.txHash, block, orders: orders.length, filled, cancelled: done.size - filled },
      "orders settled",
    );
  }

  /** A single order whose settlement would revert: gone, expired, or retried with a fresh update. */
  private refused(order: PendingOrder, reason: string, head: ChainHead): void {
    if (reason === "NoPendingOrder") {
      // Settled or cancelled by someone else: the index will see the event too.
      this.forget(order);
      this.log?.debug({ accountId: order.accountId, marketId: order.marketId }, "order already settled");
      return;
    }
    if (reason === "OrderExpired" || order.expiry <= head.timestamp + 1n) {
      this.drop(order, "OrderExpired");
      return;
    }
    this.retry(order, reason, head.number);
  }

  /** Tries again later with a fresh update: on the next block, then backing off (2, 4, … 64 blocks). */
  private retry(order: PendingOrder, reason: string, block: bigint): void {
    order.attempts++;
    if (!NOT_YET.has(reason)) order.update = undefined;
    order.holdUntilBlock = block + BigInt(Math.min(64, 2 ** (order.attempts - 1))) - 1n;
    this.options.metrics?.orderSettleRetries.inc({ reason });
    this.log?.warn(
      { accountId: order.accountId, marketId: order.marketId, reason, attempt: order.attempts },
      "order settlement would revert: retrying later",
    );
  }

  /** Removes `order` (not a newer order of the same account and market committed since). */
  private forget(order: PendingOrder): void {
    const key = keyOf(order.accountId, order.marketId);
    if (this.pending.get(key) === order) this.pending.delete(key);
  }

  private drop(order: PendingOrder, reason: string): void {
    this.forget(order);
    this.cancelled.set(reason, (this.cancelled.get(reason) ?? 0) + 1);
    this.options.metrics?.orderSettlementsFailed.inc({ reason });
    this.log?.info({ accountId: order.accountId, marketId: order.marketId, reason }, "order not settled");
  }
}

/** Orders of one market share a batch when their updates carry the same price. */
function priceKey(update: PriceUpdate): string {
  if (update.priceWad !== undefined) return `p${update.priceWad}`;
  if (update.publishTime !== undefined) return `t${update.publishTime}`;
  return update.data.join(",");
}
