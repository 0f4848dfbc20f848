/**
 * An order-settling loop: follows `OrderCommitted` events, fetches for each pending order the Pyth update of the
 * first price at or after its settleTime from a Hermes service (`@pythnetwork/hermes-client`: Pyth's, or the local
 * one of scripts/lib/priceService.ts), and settles in batches with `settleMany`, grouping so that a batch holds at
 * most one price per market. Metrics (prom-client): orders pending, settle latency in blocks, failed settlements by
 * reason.
 *
 * Not yet wired into `npm run keeper` (which liquidates, with its own nonce management): this loop sends through a
 * viem wallet client of its own, so running it beside the liquidation keeper needs a second key.
 */
import { HermesClient } from "@pythnetwork/hermes-client";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { type Hex, type PublicClient, parseEventLogs, type WalletClient } from "viem";
import { orderBookAbi } from "../../sdk/src/abi/orderBook.js";
import type { BallastDeployment } from "../../sdk/src/deployment.js";

export interface OrderSettlerOptions {
  deployment: BallastDeployment;
  publicClient: PublicClient;
  walletClient: WalletClient;
  /** Hermes base URL (Pyth's, or the local price service). */
  hermesUrl: string;
  registry?: Registry;
  /** Orders per settleMany transaction (default 20). */
  batchSize?: number;
}

interface Pending {
  accountId: bigint;
  marketId: bigint;
  settleTime: bigint;
  expiry: bigint;
  committedBlock: bigint;
}

export class OrderSettler {
  private readonly hermes: HermesClient;
  private readonly pending = new Map<string, Pending>();
  private fromBlock: bigint;
  /** Commit-to-settlement latency of every settled order, in blocks (for benchmarks). */
  readonly latencies: number[] = [];
  readonly metrics: { pending: Gauge; latency: Histogram; failed: Counter; settled: Counter };

  constructor(private readonly o: OrderSettlerOptions) {
    this.hermes = new HermesClient(o.hermesUrl, { timeout: 5_000 });
    this.fromBlock = BigInt(o.deployment.deploymentBlock);
    const registers = o.registry === undefined ? {} : { registers: [o.registry] };
    this.metrics = {
      pending: new Gauge({
        name: "ballast_orders_pending",
        help: "Orders committed and not yet settled",
        ...registers,
      }),
      latency: new Histogram({
        name: "ballast_order_settle_latency_blocks",
        help: "Blocks from an order's commit to its settlement",
        buckets: [1, 2, 3, 5, 10, 20, 50, 100],
        ...registers,
      }),
      failed: new Counter({
        name: "ballast_order_settlements_failed_total",
        help: "Settlements that cancelled the order or reverted, by reason",
        labelNames: ["reason"],
        ...registers,
      }),
      settled: new Counter({ name: "ballast_orders_settled_total", help: "Orders filled", ...registers }),
    };
  }

  /** Indexes new commits, then settles every order whose delay has passed. Returns the orders settled. */
  async tick(): Promise<number> {
    const { publicClient, deployment } = this.o;
    const head = await publicClient.getBlock();
    const logs = await publicClient.getContractEvents({
      address: deployment.orderBook!,
      abi: orderBookAbi,
      eventName: "OrderCommitted",
      fromBlock: this.fromBlock,
      toBlock: head.number,
    });
    for (const log of logs) {
      const { accountId, marketId, settleTime, expiry } = log.args;
      this.pending.set(`${accountId}:${marketId}`, {
        accountId: accountId!,
        marketId: marketId!,
        settleTime: settleTime!,
        expiry: expiry!,
        committedBlock: log.blockNumber,
      });
    }
    this.fromBlock = head.number + 1n;
    const due = [...this.pending.values()].filter((p) => p.settleTime <= head.timestamp && p.expiry >= head.timestamp);
    for (const p of [...this.pending.values()]) if (p.expiry < head.timestamp) this.drop(p, "expired");
    this.metrics.pending.set(this.pending.size);

    // One price per market per transaction: orders sharing a settleTime share the update; others wait a batch.
    let settled = 0;
    while (due.length > 0) {
      const batch: { order: Pending; update: Hex[] }[] = [];
      const seen = new Map<bigint, bigint>();
      for (let i = 0; i < due.length && batch.length < (this.o.batchSize ?? 20); ) {
        const order = due[i]!;
        const time = seen.get(order.marketId);
        if (time !== undefined && time !== order.settleTime) {
          i++;
          continue;
        }
        seen.set(order.marketId, order.settleTime);
        const feed = deployment.markets[Number(order.marketId)]?.pythFeedId;
        if (feed === undefined) {
          due.splice(i, 1);
          continue;
        }
        const update = await this.hermes.getPriceUpdatesAtTimestamp(Number(order.settleTime), [feed], {
          encoding: "hex",
        });
        batch.push({ order, update: update.binary.data.map((d) => `0x${d}` as Hex) });
        due.splice(i, 1);
      }
      if (batch.length === 0) break;
      settled += await this.send(batch, head.number);
    }
    this.metrics.pending.set(this.pending.size);
    return settled;
  }

  private async send(batch: { order: Pending; update: Hex[] }[], headBlock: bigint): Promise<number> {
    const { walletClient, publicClient, deployment } = this.o;
    const requests = batch.map(({ order, update }) => ({
      accountId: order.accountId,
      marketId: order.marketId,
      priceUpdate: update,
    }));
    try {
      const hash = await walletClient.writeContract({
        address: deployment.orderBook!,
        abi: orderBookAbi,
        functionName: "settleMany",
        args: [requests],
        value: BigInt(batch.length),
        account: walletClient.account!,
        chain: walletClient.chain ?? null,
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      const logs = parseEventLogs({ abi: orderBookAbi, logs: receipt.logs });
      let filled = 0;
      for (const log of logs) {
        if (log.eventName === "OrderSettled") filled++;
        if (log.eventName === "OrderCancelled") this.metrics.failed.inc({ reason: log.args.reasonSelector });
      }
      for (const { order } of batch) {
        const latency = Number((receipt.blockNumber ?? headBlock) - order.committedBlock);
        this.metrics.latency.observe(latency);
        this.latencies.push(latency);
        this.pending.delete(`${order.accountId}:${order.marketId}`);
      }
      this.metrics.settled.inc(filled);
      return batch.length;
    } catch (error) {
      const reason = (error as { shortMessage?: string }).shortMessage?.split(":")[0] ?? "revert";
      this.metrics.failed.inc({ reason }, batch.length);
      return 0;
    }
  }

  private drop(order: Pending, reason: string) {
    this.pending.delete(`${order.accountId}:${order.marketId}`);
    this.metrics.failed.inc({ reason });
  }
}
