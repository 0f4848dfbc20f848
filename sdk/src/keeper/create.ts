/**
 * Wiring: a ready keeper from a transport (HTTP URL or any EIP-1193 provider), a deployment and a signer, after
 * checks that fail early with an error a person can act on ({@link KeeperStartupError}).
 *
 * @module
 */
/// <reference types="node" />
import {
  type Account,
  type Address,
  type Chain,
  createClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  fallback,
  http,
  type PublicClient,
  type Transport,
} from "viem";
import { type BallastDeployment, ballastCoreAbi, normaliseRiskParams } from "../index.js";
import { DryRunExecutor, type GasSettings, ViemExecutor } from "./executor.js";
import { EventIndexer } from "./indexer.js";
import { Keeper, type KeeperOptions, type ProfitabilityOptions } from "./keeper.js";
import { KeeperMetrics } from "./metrics.js";
import { OrderSettler, orderEventSource, type PriceUpdateSource, pythUpdateFee } from "./orders.js";
import { OraclePriceSource } from "./prices.js";
import { MemoryStore, SqliteStore } from "./store.js";
import type { BlockSource, KeeperLogger, Shard, Store } from "./types.js";

/** The native-token price the gas cost is converted at when none is configured: 3,000 USD (WAD). */
export const DEFAULT_NATIVE_PRICE_USD = 3_000n * 10n ** 18n;

export type KeeperStartupErrorCode =
  | "DEPLOYMENT_FILE"
  | "RPC_UNREACHABLE"
  | "WRONG_CHAIN"
  | "NO_CONTRACT"
  | "NO_FUNDS"
  | "BAD_OPTION";

/** A keeper that cannot start, and why. */
export class KeeperStartupError extends Error {
  override name = "KeeperStartupError";
  constructor(
    readonly code: KeeperStartupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Reads and checks a `BallastDeployment` file. */
export async function loadDeploymentFile(path: string): Promise<BallastDeployment> {
  const { readFile } = await import("node:fs/promises");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new KeeperStartupError(
      "DEPLOYMENT_FILE",
      `Deployment file not found: ${path}. Deploy first (npm run deploy:local) or pass --deployment <file>.`,
      { cause: error },
    );
  }
  let deployment: BallastDeployment;
  try {
    deployment = JSON.parse(text) as BallastDeployment;
  } catch (error) {
    throw new KeeperStartupError("DEPLOYMENT_FILE", `Deployment file ${path} is not valid JSON.`, { cause: error });
  }
  const missing = (["chainId", "deploymentBlock", "core", "oracle", "markets"] as const).filter(
    (key) => deployment[key] === undefined,
  );
  if (missing.length > 0) {
    throw new KeeperStartupError("DEPLOYMENT_FILE", `Deployment file ${path} lacks ${missing.join(", ")}.`);
  }
  return deployment;
}

/** Parses `--shard i/n`. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) {
    throw new KeeperStartupError("BAD_OPTION", `Bad shard "${text}": expected i/n with 0 ≤ i < n, e.g. 0/2.`);
  }
  return { index, count };
}

/**
 * The transport for a list of RPC URLs: `http(url)` for one, viem's `fallback` over all of them (in order, the next
 * one taking over when a request fails) for several.
 */
export function rpcTransport(
  urls: readonly string[],
  options: { timeout?: number; retryCount?: number } = {},
): Transport {
  if (urls.length === 0) throw new KeeperStartupError("BAD_OPTION", "No RPC URL: pass --rpc (or BALLAST_RPC_URL).");
  const transports = urls.map((url) => http(url, { timeout: options.timeout, retryCount: options.retryCount }));
  return transports.length === 1 ? transports[0]! : fallback(transports, { retryCount: options.retryCount });
}

/** The profitability rule for {@link createKeeper}: USD figures as WAD. */
export interface CreateKeeperProfitability {
  /** Send only when expected reward − gas cost ≥ this (WAD USD; negative accepts a loss up to that much). */
  minProfitUsd: bigint;
  /** USD per whole native token (WAD). Default 3,000. */
  nativePriceUsd?: bigint;
  /** The reward floor the protocol pays at least (WAD USD); 0 until the contracts pay one. */
  rewardFloor?: bigint;
}

export interface CreateKeeperOptions
  extends Omit<KeeperOptions, "blocks" | "accounts" | "prices" | "executor" | "metrics" | "profitability" | "orders"> {
  /** `http(url)`, `rpcTransport(urls)` (fallback over several) or `custom(eip1193Provider)`: every read. */
  transport: Transport;
  /**
   * Where signed transactions go instead (a private submission endpoint, e.g. a builder's RPC, so liquidations are
   * not front-run from the public mempool). Needs a local account. Reads never go there.
   */
  submitTransport?: Transport;
  /** The profitability rule; omitted: every liquidatable account is sent (the CLI always sets it). */
  profitability?: CreateKeeperProfitability;
  /** Shown in errors (e.g. the RPC URL). */
  rpcLabel?: string;
  deployment: BallastDeployment;
  /** The signer: a local account (private key) or an address the node signs for. */
  account: Account | Address;
  /** Keeper rewards go here (default: the signer). */
  recipient?: Address;
  /** SQLite file of the index; omitted: kept in memory (a restart rescans). */
  dbPath?: string;
  store?: Store;
  dryRun?: boolean;
  shard?: Shard;
  reorgDepth?: number;
  maxBlockRange?: bigint;
  gas?: GasSettings;
  receiptTimeoutMs?: number;
  metrics?: KeeperMetrics;
  logger?: KeeperLogger;
  /** Skip the startup checks (tests that deliberately start against a dead node). */
  skipPreflight?: boolean;
  /**
   * Settle orders too (the deployment must have an order book): due orders' updates come from `updates` (Hermes),
   * batches of `batchSize` (default 20) go through the keeper's executor.
   */
  orders?: { updates: PriceUpdateSource; batchSize?: number; backoff?: { initialMs?: number; maxMs?: number } };
}

export interface KeeperBundle {
  keeper: Keeper;
  /** The order settler, when `orders` was given. */
  orders?: OrderSettler;
  indexer: EventIndexer;
  metrics: KeeperMetrics;
  publicClient: PublicClient;
  executor: ViemExecutor | DryRunExecutor;
  chain: Chain;
}

/** Checks the node, the chain id, the contract and the signer's balance. */
export async function preflight(
  publicClient: PublicClient,
  deployment: BallastDeployment,
  signer: Address,
  options: { dryRun?: boolean; rpcLabel?: string },
): Promise<void> {
  const where = options.rpcLabel ?? "the RPC endpoint";
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (error) {
    throw new KeeperStartupError(
      "RPC_UNREACHABLE",
      `Cannot reach ${where}: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}. ` +
        "Is the node running (npm run node) and the URL right?",
      { cause: error },
    );
  }
  if (chainId !== deployment.chainId) {
    throw new KeeperStartupError(
      "WRONG_CHAIN",
      `Wrong chain: ${where} is chain ${chainId}, but the deployment file is for chain ${deployment.chainId}.`,
    );
  }
  const code = await publicClient.getCode({ address: deployment.core });
  if (code === undefined || code === "0x") {
    throw new KeeperStartupError(
      "NO_CONTRACT",
      `No contract at the core address ${deployment.core} on chain ${chainId}. A local node loses its state on ` +
        "restart: deploy again (npm run deploy:local).",
    );
  }
  if (!options.dryRun) {
    const balance = await publicClient.getBalance({ address: signer });
    if (balance === 0n) {
      throw new KeeperStartupError(
        "NO_FUNDS",
        `The keeper account ${signer} has no native token on chain ${chainId} to pay for gas. Fund it, or run with --dry-run.`,
      );
    }
  }
}

/** Builds a keeper with the default sources (event indexer, oracle prices, viem executor). */
export async function createKeeper(options: CreateKeeperOptions): Promise<KeeperBundle> {
  const { deployment } = options;
  const chain = defineChain({
    id: deployment.chainId,
    name: `chain-${deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [] } },
  });
  const pollingInterval = Math.max(50, Math.min(options.pollIntervalMs ?? 1_000, 4_000));
  const publicClient = createPublicClient({ chain, transport: options.transport, pollingInterval }) as PublicClient;
  const walletClient = createWalletClient({ chain, transport: options.transport });
  const signer = typeof options.account === "string" ? options.account : options.account.address;
  if (options.submitTransport !== undefined && typeof options.account === "string") {
    throw new KeeperStartupError(
      "BAD_OPTION",
      "A private submission endpoint needs a local signer (a private key): the node cannot sign for it.",
    );
  }
  if (!options.skipPreflight) await preflight(publicClient, deployment, signer, options);

  const store = options.store ?? (options.dbPath ? await SqliteStore.open(options.dbPath) : new MemoryStore());
  const metrics = options.metrics ?? new KeeperMetrics();
  const indexer = new EventIndexer({
    client: publicClient,
    deployment,
    store,
    shard: options.shard,
    reorgDepth: options.reorgDepth,
    maxBlockRange: options.maxBlockRange,
    logger: options.logger,
    onCommit: (block) => metrics.committedBlock.set(Number(block)),
  });
  const viemExecutor = new ViemExecutor({
    publicClient,
    walletClient,
    submitClient:
      options.submitTransport === undefined ? undefined : createClient({ chain, transport: options.submitTransport }),
    account: options.account,
    chain,
    deployment,
    recipient: options.recipient,
    gas: options.gas,
    receiptTimeoutMs: options.receiptTimeoutMs,
    pollingIntervalMs: pollingInterval,
    logger: options.logger,
    metrics,
  });
  const executor = options.dryRun ? new DryRunExecutor(viemExecutor) : viemExecutor;
  const blocks: BlockSource = {
    latest: async () => {
      const block = await publicClient.getBlock({ blockTag: "latest" });
      return {
        number: block.number,
        hash: block.hash,
        timestamp: block.timestamp,
        gasLimit: block.gasLimit,
        baseFeePerGas: block.baseFeePerGas ?? undefined,
        parentHash: block.parentHash,
      };
    },
  };
  const rule = options.profitability;
  const profitability: ProfitabilityOptions | undefined = rule && {
    minProfitUsd: rule.minProfitUsd,
    nativePriceUsd: rule.nativePriceUsd ?? DEFAULT_NATIVE_PRICE_USD,
    rewardParams: async (head) => ({
      riskParams: normaliseRiskParams(
        (await publicClient.readContract({
          address: deployment.core,
          abi: ballastCoreAbi,
          functionName: "riskParams",
          blockNumber: head.number,
        })) as unknown as Record<string, unknown>,
      ),
      rewardFloor: rule.rewardFloor,
    }),
  };
  let orders: OrderSettler | undefined;
  if (options.orders !== undefined) {
    const orderBook = deployment.orderBook;
    if (orderBook === undefined) {
      throw new KeeperStartupError("BAD_OPTION", "Order settlement needs an order book: the deployment has none.");
    }
    orders = new OrderSettler({
      deployment: { ...deployment, orderBook },
      events: orderEventSource(publicClient, orderBook, options.maxBlockRange),
      updates: options.orders.updates,
      executor,
      updateFee: pythUpdateFee(publicClient, orderBook, deployment.pyth),
      metrics,
      logger: options.logger,
      batchSize: options.orders.batchSize,
      backoff: options.orders.backoff,
    });
  }
  const keeper = new Keeper({
    gasModel: options.gas?.model,
    ...options,
    blocks,
    accounts: indexer,
    prices: new OraclePriceSource(publicClient, deployment.multicall3, deployment.core),
    executor,
    metrics,
    profitability,
    orders,
  });
  return { keeper, orders, indexer, metrics, publicClient, executor, chain };
}
