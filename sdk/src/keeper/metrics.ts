/**
 * Prometheus metrics (prom-client, one registry per keeper so that several keepers can share a process) and the
 * HTTP endpoint that serves them with a `/health` check.
 *
 * @module
 */
/// <reference types="node" />
import { createServer, type Server } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export class KeeperMetrics {
  readonly registry = new Registry();
  readonly accountsTracked: Gauge;
  readonly accountsUnhealthy: Gauge;
  readonly accountsAtRisk: Gauge;
  readonly unhealthySeen: Counter;
  readonly liquidationsSent: Counter;
  readonly liquidationsConfirmed: Counter;
  readonly liquidationsAlreadyDone: Counter;
  readonly liquidationsFailed: Counter;
  readonly transactions: Counter<"status">;
  readonly detectionToConfirmation: Histogram;
  readonly scanDuration: Histogram;
  readonly accountsEvaluated: Counter;
  readonly headBlock: Gauge;
  readonly committedBlock: Gauge;
  readonly rpcErrors: Counter;
  readonly lastTick: Gauge;
  readonly gasFailures: Counter<"reason">;
  readonly batchSplits: Counter;
  readonly batchSizeLimit: Gauge;
  readonly gasModelFallbacks: Counter;
  readonly skippedUnprofitable: Counter;
  readonly accountsUnprofitable: Gauge;
  readonly walletBalance: Gauge;
  /** Order settlement (orders.ts): named `ballast_order…` (the prefix without its `keeper_`). */
  readonly ordersPending: Gauge;
  readonly orderSettleLatency: Histogram;
  readonly orderSettlementsFailed: Counter<"reason">;
  readonly ordersSettled: Counter;
  readonly orderSettleTransactions: Counter<"status">;
  readonly orderSettleRetries: Counter<"reason">;
  readonly orderBatchSplits: Counter;
  readonly orderUpdateErrors: Counter;

  /**
   * @param prefix of every keeper metric.
   * @param options.defaultMetrics also collect prom-client's process metrics (CPU, memory, event loop lag, handles)
   * into this registry, unprefixed as Prometheus conventions expect. Default true.
   */
  constructor(prefix = "ballast_keeper_", options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const gauge = (name: string, help: string) => new Gauge({ name: prefix + name, help, registers });
    const counter = (name: string, help: string) => new Counter({ name: prefix + name, help, registers });
    this.accountsTracked = gauge("accounts_tracked", "Accounts in the index (this shard)");
    this.accountsUnhealthy = gauge("accounts_unhealthy", "Accounts liquidatable at the last evaluation");
    this.accountsAtRisk = gauge(
      "accounts_at_risk",
      "Healthy accounts with a margin ratio at or above the warning line",
    );
    this.unhealthySeen = counter("unhealthy_seen_total", "Times an account was first seen liquidatable");
    this.liquidationsSent = counter("liquidations_sent_total", "Accounts included in sent liquidateMany transactions");
    this.liquidationsConfirmed = counter(
      "liquidations_confirmed_total",
      "Accounts liquidated by this keeper's transactions",
    );
    this.liquidationsAlreadyDone = counter(
      "liquidations_already_done_total",
      "Accounts found not (or no longer) liquidatable on chain: liquidated by someone else or topped up",
    );
    this.liquidationsFailed = counter(
      "liquidations_failed_total",
      "Accounts whose liquidation attempt failed (reverted or not sent)",
    );
    this.transactions = new Counter({
      name: `${prefix}transactions_total`,
      help: "liquidateMany transactions by outcome",
      labelNames: ["status"] as const,
      registers,
    });
    this.detectionToConfirmation = new Histogram({
      name: `${prefix}detection_to_confirmation_seconds`,
      help: "From the evaluation that found an account liquidatable to the receipt of its liquidation",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    });
    this.scanDuration = new Histogram({
      name: `${prefix}scan_duration_seconds`,
      help: "Off-chain health evaluation of the index, per block",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.accountsEvaluated = counter("accounts_evaluated_total", "Off-chain account health evaluations");
    this.headBlock = gauge("head_block", "Latest block seen");
    this.committedBlock = gauge("committed_block", "Latest block committed to the store");
    this.rpcErrors = counter(
      "rpc_errors_total",
      "Failed keeper iterations (RPC or node errors), each retried with backoff",
    );
    this.gasFailures = new Counter({
      name: `${prefix}batch_gas_failures_total`,
      help: "Batches that did not fit in gas: out of gas, over the block gas limit, or a failed estimate",
      labelNames: ["reason"] as const,
      registers,
    });
    this.batchSplits = counter("batch_splits_total", "Times the batch size limit was halved after a gas failure");
    this.batchSizeLimit = gauge("batch_size_limit", "Current largest batch (halved on gas failures, grown back)");
    this.gasModelFallbacks = counter(
      "gas_model_fallbacks_total",
      "Times the gas model was found too low (or over the block gas limit) and eth_estimateGas used instead",
    );
    this.lastTick = gauge("last_successful_tick_timestamp_seconds", "Unix time of the last successful iteration");
    this.skippedUnprofitable = counter(
      "skipped_unprofitable_total",
      "Liquidatable accounts left alone because expected reward − gas cost < --min-profit-usd (once per episode)",
    );
    this.accountsUnprofitable = gauge(
      "accounts_unprofitable",
      "Liquidatable accounts skipped as unprofitable at the last evaluation",
    );
    this.walletBalance = gauge("wallet_balance_native", "The sender's native-token balance, in whole tokens (ETH)");

    const orders = prefix.replace(/keeper_$/, "");
    this.ordersPending = new Gauge({
      name: `${orders}orders_pending`,
      help: "Orders committed and not yet settled, cancelled or expired",
      registers,
    });
    this.orderSettleLatency = new Histogram({
      name: `${orders}order_settle_latency_blocks`,
      help: "Blocks from an order's commit to its settlement (filled or cancelled) by this keeper",
      buckets: [1, 2, 3, 5, 10, 20, 50, 100],
      registers,
    });
    this.orderSettlementsFailed = new Counter({
      name: `${orders}order_settlements_failed_total`,
      help: "Orders that did not fill, by reason: the order book's cancellation reason (the core's error), OrderExpired",
      labelNames: ["reason"] as const,
      registers,
    });
    this.ordersSettled = new Counter({ name: `${orders}orders_settled_total`, help: "Orders filled", registers });
    this.orderSettleTransactions = new Counter({
      name: `${orders}order_settle_transactions_total`,
      help: "settleMany transactions by outcome (confirmed, reverted, error: not sent)",
      labelNames: ["status"] as const,
      registers,
    });
    this.orderSettleRetries = new Counter({
      name: `${orders}order_settle_retries_total`,
      help: "Single orders whose settlement would revert, retried on a later block with a fresh update, by reason",
      labelNames: ["reason"] as const,
      registers,
    });
    this.orderBatchSplits = new Counter({
      name: `${orders}order_batch_splits_total`,
      help: "Settlement batches split in halves because they would revert",
      registers,
    });
    this.orderUpdateErrors = new Counter({
      name: `${orders}order_update_fetch_errors_total`,
      help: "Failed fetches from the price service (Hermes), each retried with backoff",
      registers,
    });
  }

  /** A counter's current value (for tests and reports). */
  static async value(metric: Counter | Gauge): Promise<number> {
    const data = await metric.get();
    return data.values.reduce((sum, entry) => sum + entry.value, 0);
  }
}

/** What `/health` reports. */
export interface KeeperHealthStatus {
  ok: boolean;
  [field: string]: unknown;
}

/**
 * Serves `GET /metrics` (Prometheus text format) and `GET /health` (JSON; 200 when `health().ok`, else 503).
 * Listens on `host` (loopback by default).
 */
export async function startMetricsServer(
  metrics: KeeperMetrics,
  health: () => KeeperHealthStatus,
  port: number,
  host = "127.0.0.1",
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      metrics.registry
        .metrics()
        .then((body) => {
          response.writeHead(200, { "content-type": metrics.registry.contentType });
          response.end(body);
        })
        .catch((error: Error) => {
          response.writeHead(500).end(error.message);
        });
      return;
    }
    if (path === "/health" || path === "/healthz") {
      const status = health();
      const body = JSON.stringify(status, (_, v) => (typeof v === "bigint" ? v.toString() : v));
      response.writeHead(status.ok ? 200 : 503, { "content-type": "application/json" });
      response.end(body);
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics or /health\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
