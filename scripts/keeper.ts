/**
 * The Ballast keeper (CLI over `sdk/src/keeper`): liquidates and, given a Hermes URL, settles orders, with one key
 * and one nonce manager. See docs/keeper.md.
 *
 *   npm run keeper -- --rpc http://127.0.0.1:8545 --deployment deployments/localhost.json --private-key-file key.txt \
 *     --hermes-url http://127.0.0.1:8787
 *
 * Settings: flags > environment (BALLAST_RPC_URL, BALLAST_KEEPER_PRIVATE_KEY, BALLAST_DEPLOYMENT, BALLAST_KEEPER_*)
 * > a JSON config file (--config, or BALLAST_KEEPER_CONFIG) > defaults.
 *
 * Logs are JSON lines (pino, bigints as strings) on stdout; metrics and /health on --metrics-port. Exit codes: 0
 * after a graceful shutdown (SIGINT/SIGTERM), 2 when it cannot start (bad option, missing deployment file,
 * unreachable RPC, wrong chain, no contract, no funds), 1 on an unexpected crash (let a supervisor restart it: the
 * index resumes).
 *
 * `npm run keeper` runs this file with `node --import tsx` (tsx as a loader inside this process, not tsx's CLI, which
 * is a second process in between): npm forwards SIGTERM/SIGINT to its child, and the child is the keeper itself.
 */
import type { Server } from "node:http";
import { Command, Option } from "commander";
import { pino } from "pino";
import { type Address, type Hex, http, isAddress, isHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { SIMULATION_SENDER } from "../sdk/src/index.js";
import {
  CONFIG_ENV,
  createKeeper,
  envName,
  formatUsd,
  KEEPER_OPTIONS,
  type Keeper,
  type KeeperCliConfig,
  type KeeperOptionName,
  KeeperStartupError,
  loadConfigFile,
  loadDeploymentFile,
  parseShard,
  parseUsd,
  readPrivateKeyFile,
  resolveKeeperConfig,
  rpcTransport,
  startMetricsServer,
} from "../sdk/src/keeper/index.js";
import { hermesUpdateSource } from "./lib/hermes.js";

// node:sqlite announces itself as experimental on every start; the keeper relies on it knowingly.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "ExperimentalWarning" && /SQLite/i.test(warning.message)) return;
  console.error(`${warning.name}: ${warning.message}`);
});

const program = new Command()
  .name("keeper")
  .description(
    "Finds and liquidates unhealthy Ballast accounts and, with --hermes-url, settles orders.\n\n" +
      "Precedence: flags > environment > --config file > defaults. Every option has an environment variable\n" +
      "(shown below) and a config-file key (its camelCase name, e.g. batchSize).",
  )
  .option("--config <file>", `JSON config file (env ${CONFIG_ENV})`);
for (const [name, spec] of Object.entries(KEEPER_OPTIONS) as [
  KeeperOptionName,
  (typeof KEEPER_OPTIONS)[KeeperOptionName],
][]) {
  const defaultText = "default" in spec ? `; default ${JSON.stringify(spec.default)}` : "";
  const option = new Option(spec.flag, `${spec.description} (env ${envName(name)}${defaultText})`);
  // Repeatable: --rpc a --rpc b (each may also be comma-separated).
  if (spec.kind === "list") option.argParser((value: string, previous?: string[]) => [...(previous ?? []), value]);
  program.addOption(option);
}
program.parse();
// Only the flags actually given: a negatable flag (--no-settle-orders) would otherwise bring commander's default.
const flags = Object.fromEntries(
  Object.entries(program.opts()).filter(([key]) => program.getOptionValueSource(key) === "cli"),
) as Partial<Record<KeeperOptionName | "config", unknown>>;

// Logs print bigints as decimal strings: JSON numbers would lose precision above 2^53 (WAD amounts always are).
const bigintsAsStrings = (value: unknown): unknown => {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(bigintsAsStrings);
  if (value !== null && typeof value === "object" && !(value instanceof Error)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, bigintsAsStrings(inner)]));
  }
  return value;
};
const logger = pino({
  level: typeof flags.logLevel === "string" ? flags.logLevel : (process.env[envName("logLevel")] ?? "info"),
  base: { service: "ballast-keeper", pid: process.pid },
  formatters: { log: (fields) => bigintsAsStrings(fields) as Record<string, unknown> },
});

const gwei = (value: number | undefined) => (value === undefined ? undefined : BigInt(Math.round(value * 1e9)));

function httpUrl(text: string, flag: string): URL {
  try {
    const url = new URL(text);
    if (/^https?:$/.test(url.protocol)) return url;
  } catch {}
  throw new KeeperStartupError("BAD_OPTION", `${flag} ${text} is not an http(s) URL.`);
}

/** The signer's key: --private-key, BALLAST_KEEPER_PRIVATE_KEY, or --private-key-file (in that order). */
async function signerKey(config: KeeperCliConfig): Promise<Hex | undefined> {
  const key =
    config.privateKey ?? (config.privateKeyFile ? await readPrivateKeyFile(config.privateKeyFile) : undefined);
  if (key !== undefined && !(isHex(key) && key.length === 66)) {
    throw new KeeperStartupError(
      "BAD_OPTION",
      `The private key${config.privateKeyFile && !config.privateKey ? ` in ${config.privateKeyFile}` : ""} must be 32 bytes of hex with a 0x prefix.`,
    );
  }
  return key as Hex | undefined;
}

async function main(): Promise<{ keeper: Keeper; server?: Server }> {
  const configPath = (flags.config as string | undefined) ?? process.env[CONFIG_ENV];
  const file = configPath ? await loadConfigFile(configPath) : undefined;
  const { config, sources } = resolveKeeperConfig({
    flags,
    env: process.env,
    file,
    fileName: configPath,
  });
  logger.level = config.logLevel;
  const shard = parseShard(config.shard);
  const key = await signerKey(config);
  if (!key && !config.dryRun) {
    throw new KeeperStartupError(
      "BAD_OPTION",
      `No signer: pass --private-key-file <file>, set ${envName("privateKey")}, or run with --dry-run.`,
    );
  }
  if (config.recipient && !isAddress(config.recipient)) {
    throw new KeeperStartupError("BAD_OPTION", `--recipient ${config.recipient} is not an address.`);
  }
  const urls = config.rpc.map((text) => httpUrl(text, "--rpc"));
  const privateUrl = config.privateRpc ? httpUrl(config.privateRpc, "--private-rpc") : undefined;
  let minProfitUsd: bigint;
  try {
    minProfitUsd = parseUsd(config.minProfitUsd, "--min-profit-usd");
  } catch (error) {
    throw new KeeperStartupError("BAD_OPTION", (error as Error).message);
  }
  const nativePriceUsd = parseUsd(String(config.nativePriceUsd), "--native-price-usd");
  const deployment = await loadDeploymentFile(config.deployment);
  // Dry runs need no key: simulations are sent from a fixed, unfunded address.
  const account = key ? privateKeyToAccount(key) : (SIMULATION_SENDER as Address);
  const hermesUrl = config.hermesUrl ? httpUrl(config.hermesUrl, "--hermes-url") : undefined;
  const settling = config.settleOrders && hermesUrl !== undefined && deployment.orderBook !== undefined;
  const shardLabel = shard.count > 1 ? `-${shard.index}of${shard.count}` : "";
  const dbPath = config.db ?? `.keeper/keeper-${deployment.chainId}${shardLabel}.sqlite`;
  const origins = urls.map((url) => url.origin);

  const { keeper, metrics, executor } = await createKeeper({
    transport: rpcTransport(
      urls.map((url) => url.toString()),
      { timeout: config.rpcTimeout, retryCount: 1 },
    ),
    submitTransport:
      privateUrl && !config.dryRun ? http(privateUrl.toString(), { timeout: config.rpcTimeout }) : undefined,
    rpcLabel: origins.join(", "),
    deployment,
    account,
    recipient: config.recipient as Address | undefined,
    dbPath: dbPath === ":memory:" ? undefined : dbPath,
    dryRun: config.dryRun,
    shard,
    reorgDepth: config.reorgDepth,
    maxBlockRange: BigInt(config.maxBlockRange),
    pollIntervalMs: config.pollInterval,
    batchSize: config.batchSize,
    maxConcurrency: config.concurrency,
    warnMarginRatio: BigInt(Math.round(config.warnMarginRatio * 100)) * 10n ** 14n,
    maxRecheckSeconds: config.maxRecheck,
    fullScan: config.fullScan,
    receiptTimeoutMs: config.receiptTimeout,
    gas: {
      maxFeePerGas: gwei(config.maxFeeGwei),
      maxPriorityFeePerGas: gwei(config.priorityFeeGwei),
      gasLimitMultiplier: config.gasMultiplier,
    },
    profitability: { minProfitUsd, nativePriceUsd },
    orders: settling
      ? { updates: hermesUpdateSource(hermesUrl.toString().replace(/\/$/, "")), batchSize: config.orderBatchSize }
      : undefined,
    logger,
  });
  if (!settling && config.settleOrders && deployment.orderBook !== undefined) {
    logger.warn({ orderBook: deployment.orderBook }, "not settling orders: no --hermes-url (or BALLAST_HERMES_URL)");
  }
  if (!settling && hermesUrl !== undefined && deployment.orderBook === undefined) {
    logger.warn({}, "not settling orders: the deployment has no order book");
  }
  const server =
    config.metricsPort > 0
      ? await startMetricsServer(metrics, () => keeper.health(), config.metricsPort, config.metricsHost)
      : undefined;
  logger.info(
    {
      rpc: origins,
      privateRpc: privateUrl?.origin ?? null,
      chainId: deployment.chainId,
      core: deployment.core,
      signer: executor.address,
      balanceWei: await executor.balance(),
      dryRun: config.dryRun,
      shard: `${shard.index}/${shard.count}`,
      db: dbPath,
      minProfitUsd: formatUsd(minProfitUsd),
      nativePriceUsd: formatUsd(nativePriceUsd),
      settleOrders: settling ? { hermes: hermesUrl.origin, batchSize: config.orderBatchSize } : false,
      maxFeeGwei: config.maxFeeGwei ?? null,
      priorityFeeGwei: config.priorityFeeGwei ?? "node",
      config: configPath ?? null,
      // Where each setting came from (flag, env, config, default): answers "why is it using that?".
      sources,
      metrics: server ? `http://${config.metricsHost}:${config.metricsPort}/metrics` : "off",
    },
    "keeper started",
  );
  void keeper.start();
  return { keeper, server };
}

let stopping = false;
let running: { keeper: Keeper; server?: Server } | undefined;
const shutdown = async (signal: string) => {
  if (stopping) {
    logger.warn({ signal }, "second signal: exiting now");
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, "shutting down: waiting for transactions in flight");
  if (running) {
    await running.keeper.stop(30_000);
    const { server } = running;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
  logger.info({ signal }, "stopped");
  logger.flush();
  process.exit(0);
};
// Installed before start-up: a signal during the preflight must stop the process too, not be ignored.
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
// A wrapper that dies without passing the signal on (a shell between npm and node, tsx's CLI) would leave the
// keeper running as an orphan: being re-parented means whoever started it is gone, so stop as if told to.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown("parent exited");
}, 500).unref();

main()
  .then((started) => {
    running = started;
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
