/**
 * The Ballast liquidation keeper (CLI over `sdk/src/keeper`). See docs/keeper.md.
 *
 *   npm run keeper -- --rpc http://127.0.0.1:8545 --deployment deployments/localhost.json --private-key 0x…
 *
 * Logs are JSON lines (pino) on stdout; metrics and /health on --metrics-port. Exit codes: 0 after a graceful
 * shutdown (SIGINT/SIGTERM), 2 when it cannot start (bad option, missing deployment file, unreachable RPC, wrong
 * chain, no contract, no funds), 1 on an unexpected crash (let a supervisor restart it: the index resumes).
 */
import type { Server } from "node:http";
import { Command, InvalidArgumentError, Option } from "commander";
import { pino } from "pino";
import { http, isAddress, isHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  createKeeper,
  type Keeper,
  KeeperStartupError,
  loadDeploymentFile,
  parseShard,
  startMetricsServer,
} from "../sdk/src/keeper/index.js";

// node:sqlite announces itself as experimental on every start; the keeper relies on it knowingly.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "ExperimentalWarning" && /SQLite/i.test(warning.message)) return;
  console.error(`${warning.name}: ${warning.message}`);
});

const integer =
  (name: string, min = 0) =>
  (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}.`);
    return parsed;
  };
const decimal = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0.`);
  return parsed;
};
const gwei = (value: number | undefined) => (value === undefined ? undefined : BigInt(Math.round(value * 1e9)));

const program = new Command()
  .name("keeper")
  .description("Finds and liquidates unhealthy Ballast accounts.")
  .option("--rpc <url>", "JSON-RPC endpoint", process.env.BALLAST_RPC_URL ?? "http://127.0.0.1:8545")
  .option("--deployment <file>", "BallastDeployment file", "deployments/localhost.json")
  .addOption(new Option("--private-key <hex>", "signer key (or env KEEPER_PRIVATE_KEY)").env("KEEPER_PRIVATE_KEY"))
  .option("--recipient <address>", "where keeper rewards accrue (default: the signer)")
  .option("--dry-run", "simulate liquidations, send nothing", false)
  .option("--shard <i/n>", "only accounts with id mod n = i", "0/1")
  .option("--db <path>", "SQLite index file (default .keeper/keeper-<chainId>-<shard>.sqlite; ':memory:' for none)")
  .option("--metrics-port <port>", "Prometheus /metrics and /health port (0: off)", integer("--metrics-port"), 9464)
  .option("--metrics-host <host>", "address the metrics server listens on", "127.0.0.1")
  .option("--poll-interval <ms>", "how often to look for a new block", integer("--poll-interval", 10), 1000)
  .option("--batch-size <n>", "accounts per liquidateMany", integer("--batch-size", 1), 25)
  .option("--concurrency <n>", "liquidation transactions in flight at once", integer("--concurrency", 1), 2)
  .option(
    "--reorg-depth <blocks>",
    "newest blocks re-read every time (never committed before)",
    integer("--reorg-depth"),
    12,
  )
  .option("--max-block-range <blocks>", "largest eth_getLogs range", integer("--max-block-range", 1), 5000)
  .option("--max-fee-gwei <gwei>", "EIP-1559 max fee (default: node estimate)", decimal("--max-fee-gwei"))
  .option(
    "--priority-fee-gwei <gwei>",
    "EIP-1559 priority fee (default: node estimate)",
    decimal("--priority-fee-gwei"),
  )
  .option("--gas-multiplier <x>", "gas limit = estimate × x", decimal("--gas-multiplier"), 1.3)
  .option(
    "--receipt-timeout <ms>",
    "wait this long before replacing a transaction",
    integer("--receipt-timeout", 1),
    60000,
  )
  .option("--rpc-timeout <ms>", "timeout of one RPC request", integer("--rpc-timeout", 1), 10000)
  .option(
    "--warn-margin-ratio <percent>",
    "log healthy accounts at or above this margin ratio",
    decimal("--warn-margin-ratio"),
    80,
  )
  .option(
    "--max-recheck <seconds>",
    "longest a healthy account goes unchecked (chain time)",
    integer("--max-recheck"),
    60,
  )
  .option("--full-scan", "evaluate every account on every block (no risk scheduling)", false)
  .option("--log-level <level>", "trace, debug, info, warn, error", "info");

program.parse();
const opts = program.opts<{
  rpc: string;
  deployment: string;
  privateKey?: string;
  recipient?: string;
  dryRun: boolean;
  shard: string;
  db?: string;
  metricsPort: number;
  metricsHost: string;
  pollInterval: number;
  batchSize: number;
  concurrency: number;
  reorgDepth: number;
  maxBlockRange: number;
  maxFeeGwei?: number;
  priorityFeeGwei?: number;
  gasMultiplier: number;
  receiptTimeout: number;
  rpcTimeout: number;
  warnMarginRatio: number;
  maxRecheck: number;
  fullScan: boolean;
  logLevel: string;
}>();

const logger = pino({ level: opts.logLevel, base: { service: "ballast-keeper" } });

async function main(): Promise<{ keeper: Keeper; server?: Server }> {
  const shard = parseShard(opts.shard);
  if (!opts.privateKey && !opts.dryRun) {
    throw new KeeperStartupError("BAD_OPTION", "No signer: pass --private-key (or KEEPER_PRIVATE_KEY), or --dry-run.");
  }
  if (opts.privateKey && !(isHex(opts.privateKey) && opts.privateKey.length === 66)) {
    throw new KeeperStartupError("BAD_OPTION", "--private-key must be 32 bytes of hex with a 0x prefix.");
  }
  if (opts.recipient && !isAddress(opts.recipient)) {
    throw new KeeperStartupError("BAD_OPTION", `--recipient ${opts.recipient} is not an address.`);
  }
  let url: URL;
  try {
    url = new URL(opts.rpc);
    if (!/^https?:$/.test(url.protocol)) throw new Error(url.protocol);
  } catch {
    throw new KeeperStartupError("BAD_OPTION", `--rpc ${opts.rpc} is not an http(s) URL.`);
  }
  const deployment = await loadDeploymentFile(opts.deployment);
  // Dry runs need no key: simulations are sent from a fixed, unfunded address.
  const account = opts.privateKey
    ? privateKeyToAccount(opts.privateKey as Hex)
    : ("0x000000000000000000000000000000000000dEaD" as Address);
  const shardLabel = shard.count > 1 ? `-${shard.index}of${shard.count}` : "";
  const dbPath = opts.db ?? `.keeper/keeper-${deployment.chainId}${shardLabel}.sqlite`;

  const { keeper, metrics, executor } = await createKeeper({
    transport: http(url.toString(), { timeout: opts.rpcTimeout, retryCount: 1 }),
    rpcLabel: url.origin,
    deployment,
    account,
    recipient: opts.recipient as Address | undefined,
    dbPath: dbPath === ":memory:" ? undefined : dbPath,
    dryRun: opts.dryRun,
    shard,
    reorgDepth: opts.reorgDepth,
    maxBlockRange: BigInt(opts.maxBlockRange),
    pollIntervalMs: opts.pollInterval,
    batchSize: opts.batchSize,
    maxConcurrency: opts.concurrency,
    warnMarginRatio: BigInt(Math.round(opts.warnMarginRatio * 100)) * 10n ** 14n,
    maxRecheckSeconds: opts.maxRecheck,
    fullScan: opts.fullScan,
    receiptTimeoutMs: opts.receiptTimeout,
    gas: {
      maxFeePerGas: gwei(opts.maxFeeGwei),
      maxPriorityFeePerGas: gwei(opts.priorityFeeGwei),
      gasLimitMultiplier: opts.gasMultiplier,
    },
    logger,
  });
  const server =
    opts.metricsPort > 0
      ? await startMetricsServer(metrics, () => keeper.health(), opts.metricsPort, opts.metricsHost)
      : undefined;
  logger.info(
    {
      rpc: url.origin,
      chainId: deployment.chainId,
      core: deployment.core,
      signer: executor.address,
      balanceWei: await executor.balance(),
      dryRun: opts.dryRun,
      shard: `${shard.index}/${shard.count}`,
      db: dbPath,
      metrics: server ? `http://${opts.metricsHost}:${opts.metricsPort}/metrics` : "off",
    },
    "keeper started",
  );
  void keeper.start();
  return { keeper, server };
}

let stopping = false;
main()
  .then(({ keeper, server }) => {
    const shutdown = async (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, "second signal: exiting now");
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, "shutting down: waiting for transactions in flight");
      await keeper.stop(30_000);
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      logger.info("stopped");
      process.exit(0);
    };
    process.on("SIGINT", () => void shutdown("SIGINT"));
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
  })
  .catch((error: unknown) => {
    if (error instanceof KeeperStartupError) {
      logger.fatal({ code: error.code }, error.message);
      console.error(`keeper: ${error.message}`);
      process.exit(2);
    }
    logger.fatal({ err: error }, "keeper crashed while starting");
    process.exit(1);
  });

process.on("uncaughtException", (error) => {
  logger.fatal(
    { err: error },
    "uncaught exception: exiting (a supervisor should restart the keeper; its index resumes)",
  );
  process.exit(1);
});
process.on("unhandledRejection", (error) => {
  logger.fatal({ err: error }, "unhandled rejection: exiting");
  process.exit(1);
});
