/**
 * Keeper benchmark (`npm run bench:keeper`), against a real `hardhat node` over HTTP with 1-second interval mining
 * (a block every second, transactions wait in the mempool, like a chain), for 1,000 and 10,000 accounts:
 *   - index build: a fresh keeper's backfill of every account from events (accounts/s);
 *   - scan rate: off-chain health evaluations per second of the keeper's full scan (every account, every market);
 *   - reaction, in blocks: from the block with the price update to the first and to the last liquidation, over a
 *     few runs (median and max), against the target: first in the block right after the update, last within
 *     ⌈total liquidation gas / block gas limit⌉ + 1 blocks.
 * Accounts are opened in bulk by contracts/mocks/BulkAccountOpener.sol (with automine and a raised block gas limit,
 * which are restored before measuring); each run starts from an `evm_snapshot` of the opened accounts with a fresh
 * keeper. Prints the figures, writes the `keeper` section of bench/results.json, and prints all of them as JSON on
 * the last line (scripts/bench/index.ts reads it). BENCH_SIZES=1000,10000 and BENCH_RUNS=3 override the defaults.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { network } from "hardhat";
import { createPublicClient, http, keccak256, type PublicClient, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { pythUpdate } from "../lib/orders.js";
import type { BallastDeployment } from "../../sdk/src/deployment.js";
import { createKeeper } from "../../sdk/src/keeper/create.js";
import { Keeper } from "../../sdk/src/keeper/keeper.js";
import { KeeperMetrics } from "../../sdk/src/keeper/metrics.js";
import { OraclePriceSource } from "../../sdk/src/keeper/prices.js";
import type { Executor } from "../../sdk/src/keeper/types.js";
import { requirements } from "../../sdk/src/math/marginTiers.js";
import { LOCAL_MARKETS, type MarketConfig, WAD, wad } from "../lib/config.js";
import { deployBallast } from "../lib/deployment.js";
import { mulberry32 } from "../lib/random.js";

const SIZES = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PER_TX = Number(process.env.BENCH_PER_TX ?? 40);
const BLOCK_TIME_MS = 1_000;
/** The block gas limit while measuring (Ethereum mainnet's order of magnitude). */
const BLOCK_GAS_LIMIT = BigInt(process.env.BENCH_BLOCK_GAS_LIMIT ?? 30_000_000);
const BATCH_SIZE = Number(process.env.BENCH_BATCH ?? 50);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const KEEPER_KEY = keccak256(toHex("ballast-bench-keeper"));

/** The demo markets with room for 10,000 traders: no open-interest cap in practice, no skew premium. */
const BENCH_MARKETS: MarketConfig[] = LOCAL_MARKETS.map((market) => ({
  ...market,
  params: { ...market.params, maxOpenInterestPerSide: wad(1_000_000_000), skewScale: 0n },
}));

interface RunFigures {
  updateBlock: number;
  blocksToFirst: number;
  blocksToLast: number;
  liquidated: number;
  transactions: number;
  totalLiquidationGas: number;
  targetLastBlocks: number;
  priceToFirstConfirmationMs: number;
  priceToLastConfirmationMs: number;
}

interface Figures {
  accounts: number;
  setupSeconds: number;
  indexSeconds: number;
  indexedAccountsPerSecond: number;
  scanAccountsPerSecond: number;
  scheduledScanMs: number;
  liquidatable: number;
  liquidated: number;
  transactions: number;
  priceToLastConfirmationMs: number;
  priceToFirstConfirmationMs: number;
  /** Added with the block-based measurement. */
  network: string;
  blockTimeSeconds: number;
  blockGasLimit: number;
  batchSize: number;
  concurrency: number;
  runs: number;
  blocksToFirstLiquidation: { median: number; max: number; values: number[] };
  blocksToLastLiquidation: { median: number; max: number; values: number[] };
  /** ⌈total liquidation gas / block gas limit⌉ + 1, per run (the target for blocksToLastLiquidation). */
  targetLastBlocks: number[];
  meetsTarget: boolean;
  totalLiquidationGas: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (x: number) => Math.round(x * 1000) / 1000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function startNode(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const cli = join(process.cwd(), "node_modules", "hardhat", "dist", "src", "cli.js");
  const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    }).then(
      () => true,
      () => false,
    );
    if (ok) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("hardhat node did not start");
}

async function bench(accounts: number): Promise<Figures> {
  const node = await startNode();
  const deploymentId = `bench-keeper-${accounts}-${Date.now()}`;
  const connection = await network.create({ network: "localhost", override: { url: node.url } });
  try {
    const { ethers, provider } = connection;
    const rpc = (method: string, params: unknown[] = []) => provider.request({ method, params });
    const setupStarted = performance.now();
    await rpc("evm_setBlockGasLimit", [toHex(2_000_000_000n)]);
    const deployment: BallastDeployment = await deployBallast(connection, { markets: BENCH_MARKETS, deploymentId });
    const core = await ethers.getContractAt("BallastCore", deployment.core);
    const opener = await ethers.deployContract("BulkAccountOpener", [
      deployment.core,
      deployment.collateral,
      deployment.orderBook!,
    ]);
    const orderBook = await ethers.getContractAt("OrderBook", deployment.orderBook!);
    const oracle = await ethers.getContractAt("OracleAdapter", deployment.oracle);
    const feeds = await Promise.all(deployment.markets.map((m) => ethers.getContractAt("MockAggregator", m.feed)));

    // 70% cross (a third of them in two markets), 30% isolated; 85% long; 2x–25x within each table.
    const random = mulberry32(accounts);
    const unit = 10n ** BigInt(deployment.collateralDecimals);
    const prices = BENCH_MARKETS.map((m) => BigInt(m.initialPriceUsd));
    const specs = Array.from({ length: accounts }, () => {
      const isolated = random() < 0.3;
      const marketId = Math.floor(random() * 3);
      const second = !isolated && random() < 0.33 ? (marketId + 1) % 3 : undefined;
      const long = random() < 0.85 ? 1n : -1n;
      const leverage = BigInt([2, 3, 5, 8, 10, 12, 15, 20, 25][Math.floor(random() * 9)]!);
      const notional = () => BigInt(1_000 + Math.floor(random() * 19_000));
      const usd = notional();
      const usd2 = second === undefined ? 0n : notional();
      let margin = ((usd + usd2) * WAD) / leverage;
      const im =
        requirements(BENCH_MARKETS[marketId]!.tiers, usd * WAD).initialMargin +
        (second === undefined ? 0n : requirements(BENCH_MARKETS[second]!.tiers, usd2 * WAD).initialMargin);
      if (margin < (im * 12n) / 10n) margin = (im * 12n) / 10n;
      return {
        isolated,
        marketId,
        sizeDelta: (long * usd * WAD) / prices[marketId]!,
        secondMarketId: second ?? 0,
        secondSizeDelta: second === undefined ? 0n : (long * usd2 * WAD) / prices[second]!,
        assets: (margin * unit) / WAD + 10n * unit,
      };
    });
    const acceptable = prices.map((p) => p * WAD * 2n);
    for (let i = 0; i < specs.length; i += PER_TX) {
      // An explicit gas limit skips ethers' estimate (a second execution of the whole batch).
      const batch = specs.slice(i, i + PER_TX);
      const first = await opener.open.staticCall(batch, acceptable, { gasLimit: 16_000_000n });
      await (await opener.open(batch, acceptable, { gasLimit: 16_000_000n })).wait();
      // The batch's orders were committed in one block: settle them with one local Pyth update per market.
      const settleTime = (await orderBook.getOrder(first, BigInt(batch[0]!.marketId))).settleTime;
      const updates = await Promise.all(
        deployment.markets.map(async (m) => [
          pythUpdate({ feedId: m.pythFeedId!, priceWad: await oracle.getPrice(m.feedId), publishTime: settleTime }),
        ]),
      );
      await (
        await opener.settleOpened(first, batch.length, deployment.markets.length, updates, {
          gasLimit: 200_000_000n,
          value: BigInt(batch.length * deployment.markets.length),
        })
      ).wait();
    }
    await rpc("evm_setBlockGasLimit", [toHex(BLOCK_GAS_LIMIT)]);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const keeperAddress = privateKeyToAccount(KEEPER_KEY).address;
    await rpc("hardhat_setBalance", [keeperAddress, toHex(10n ** 22n)]);
    // A snapshot id is used up by its revert: each run takes the next one.
    let snapshot = (await rpc("evm_snapshot")) as string;
    const client = createPublicClient({ transport: http(node.url) }) as PublicClient;

    let indexSeconds = 0;
    let scanAccountsPerSecond = 0;
    let scheduledScanMs = 0;
    const runs: RunFigures[] = [];
    for (let run = 0; run < RUNS; run++) {
      if (run > 0) {
        if (!(await rpc("evm_revert", [snapshot]))) throw new Error("evm_revert failed");
        snapshot = (await rpc("evm_snapshot")) as string;
      }
      let firstConfirmation = 0;
      let lastConfirmation = 0;
      const logger = {
        debug() {},
        info(_: object, message?: string) {
          if (message === "liquidation confirmed") {
            lastConfirmation = performance.now();
            firstConfirmation ||= lastConfirmation;
          }
        },
        warn(fields: object, message?: string) {
          if (process.env.BENCH_VERBOSE) console.error(message, fields);
        },
        error(fields: object, message?: string) {
          console.error(message, fields);
        },
      };
      const metrics = new KeeperMetrics("bench_", { defaultMetrics: false });
      const methods = new Map<string, number>();
      const { keeper, indexer } = await createKeeper({
        transport: http(node.url, {
          timeout: 30_000,
          // BENCH_VERBOSE: count the keeper's RPC requests by method.
          onFetchRequest: process.env.BENCH_VERBOSE
            ? async (request) => {
                const body = JSON.parse(await request.clone().text()) as { method: string } | { method: string }[];
                for (const call of Array.isArray(body) ? body : [body]) {
                  methods.set(call.method, (methods.get(call.method) ?? 0) + 1);
                }
              }
            : undefined,
        }),
        deployment,
        account: privateKeyToAccount(KEEPER_KEY),
        reorgDepth: 0,
        pollIntervalMs: 50,
        batchSize: BATCH_SIZE,
        maxConcurrency: CONCURRENCY,
        receiptTimeoutMs: 120_000,
        metrics,
        logger,
        skipPreflight: true,
      });
      // A fresh keeper: the first iteration backfills every account from events.
      const indexStarted = performance.now();
      await keeper.tick();
      if (run === 0) indexSeconds = (performance.now() - indexStarted) / 1000;
      const view = keeper.view!;
      if (view.accountCount !== accounts) throw new Error(`indexed ${view.accountCount} of ${accounts} accounts`);

      if (run === 0) {
        // Scan rate: the keeper's full scan (no risk scheduling) over the whole index, a few times.
        const priceMap = await new OraclePriceSource(client, deployment.multicall3, deployment.core).getPrices(
          view.head,
          view.markets(),
          view.oracle!,
        );
        const idle: Executor = {
          address: "0x0000000000000000000000000000000000000001",
          simulate: async () => [],
          execute: async () => ({ status: "skipped", sent: [], liquidated: [], notLiquidatable: [] }),
          balance: async () => 0n,
        };
        const scannerOptions = {
          blocks: { latest: async () => view.head },
          accounts: indexer,
          prices: { getPrices: async () => priceMap },
          executor: idle,
        };
        const scanner = new Keeper({ ...scannerOptions, fullScan: true });
        const scanStarted = performance.now();
        for (let i = 0; i < 3; i++) scanner.scan(view, priceMap);
        scanAccountsPerSecond = Math.round((accounts * 3) / ((performance.now() - scanStarted) / 1000));
        // With risk scheduling (the default), a second scan at unchanged prices skips the comfortable accounts.
        const scheduler = new Keeper(scannerOptions);
        scheduler.scan(view, priceMap);
        const scheduledStarted = performance.now();
        scheduler.scan({ ...view, changedAccounts: new Set(), marketsChanged: false }, priceMap);
        scheduledScanMs = round(performance.now() - scheduledStarted);
      }

      // Blocks every second from now on; the keeper's own loop runs.
      await rpc("evm_setAutomine", [false]);
      await rpc("evm_setIntervalMining", [BLOCK_TIME_MS]);
      void keeper.start();
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      // The crash: the three price updates go out together and land in the next block (or, rarely, two).
      const crash = [-12, -15, -18];
      const sent = await Promise.all(
        feeds.map((feed, i) => feed.setAnswer((prices[i]! * BigInt(100 + crash[i]!) * 10n ** 8n) / 100n)),
      );
      const sentAt = performance.now();
      const receipts = await Promise.all(sent.map((tx) => tx.wait()));
      const updateBlock = Math.max(...receipts.map((r) => r!.blockNumber));
      for (let t = 0; t < 1_200; t++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const current = keeper.view;
        if (
          current &&
          current.head.number > BigInt(updateBlock) + 1n &&
          keeper.pending.length === 0 &&
          keeper.health().inFlight === 0
        )
          break;
      }
      await keeper.stop();
      await rpc("evm_setIntervalMining", [0]);
      await rpc("evm_setAutomine", [true]);
      const events = await core.queryFilter(core.filters.AccountLiquidated(), updateBlock);
      if (events.length === 0) throw new Error("nothing liquidated");
      const blocks = events.map((e) => e.blockNumber);
      const hashes = [...new Set(events.map((e) => e.transactionHash))];
      let totalGas = 0n;
      for (const hash of hashes) totalGas += (await ethers.provider.getTransactionReceipt(hash))!.gasUsed;
      // Spot-check the chain: no account left liquidatable among a sample (every 50th).
      for (let id = 1; id <= accounts; id += 50) {
        if ((await core.accountHealth(id)).liquidatable) throw new Error(`account ${id} left liquidatable`);
      }
      runs.push({
        updateBlock,
        blocksToFirst: Math.min(...blocks) - updateBlock,
        blocksToLast: Math.max(...blocks) - updateBlock,
        liquidated: new Set(events.map((e) => e.args.accountId)).size,
        transactions: hashes.length,
        totalLiquidationGas: Number(totalGas),
        targetLastBlocks: Number((totalGas + BLOCK_GAS_LIMIT - 1n) / BLOCK_GAS_LIMIT) + 1,
        priceToFirstConfirmationMs: Math.round(firstConfirmation - sentAt),
        priceToLastConfirmationMs: Math.round(lastConfirmation - sentAt),
      });
      if (process.env.BENCH_VERBOSE) {
        const perBlock = new Map<number, number>();
        for (const block of blocks) perBlock.set(block, (perBlock.get(block) ?? 0) + 1);
        console.log(
          "  liquidations per block:",
          [...perBlock.entries()].map(([b, n]) => `${b - updateBlock}:${n}`).join(" "),
        );
        console.log(`  RPC requests: ${JSON.stringify(Object.fromEntries(methods))}`);
      }
      const last = runs.at(-1)!;
      console.log(
        `  run ${run + 1}: ${last.liquidated} liquidated in ${last.transactions} txs, ` +
          `blocks to first ${last.blocksToFirst}, to last ${last.blocksToLast} (target ≤ ${last.targetLastBlocks})`,
      );
    }
    const firsts = runs.map((r) => r.blocksToFirst);
    const lasts = runs.map((r) => r.blocksToLast);
    return {
      accounts,
      setupSeconds: round(setupSeconds),
      indexSeconds: round(indexSeconds),
      indexedAccountsPerSecond: Math.round(accounts / indexSeconds),
      scanAccountsPerSecond,
      scheduledScanMs,
      liquidatable: runs[0]!.liquidated,
      liquidated: runs[0]!.liquidated,
      transactions: runs[0]!.transactions,
      priceToLastConfirmationMs: median(runs.map((r) => r.priceToLastConfirmationMs)),
      priceToFirstConfirmationMs: median(runs.map((r) => r.priceToFirstConfirmationMs)),
      network: "hardhat node over HTTP, interval mining",
      blockTimeSeconds: BLOCK_TIME_MS / 1000,
      blockGasLimit: Number(BLOCK_GAS_LIMIT),
      batchSize: BATCH_SIZE,
      concurrency: CONCURRENCY,
      runs: RUNS,
      blocksToFirstLiquidation: { median: median(firsts), max: Math.max(...firsts), values: firsts },
      blocksToLastLiquidation: { median: median(lasts), max: Math.max(...lasts), values: lasts },
      targetLastBlocks: runs.map((r) => r.targetLastBlocks),
      meetsTarget: runs.every((r) => r.blocksToFirst === 1 && r.blocksToLast <= r.targetLastBlocks),
      totalLiquidationGas: runs[0]!.totalLiquidationGas,
    };
  } finally {
    await connection.close();
    node.child.kill("SIGTERM");
    rmSync(join("ignition", "deployments", deploymentId), { recursive: true, force: true });
  }
}

const results: Figures[] = [];
for (const size of SIZES) {
  console.log(`\n${size.toLocaleString("en-US")} accounts (hardhat node, a block every ${BLOCK_TIME_MS / 1000} s)`);
  const figures = await bench(size);
  results.push(figures);
  console.log(`  setup (deploy + open accounts)     ${figures.setupSeconds.toFixed(1)} s`);
  console.log(
    `  index build (backfill over HTTP)   ${figures.indexSeconds.toFixed(2)} s, ${figures.indexedAccountsPerSecond.toLocaleString("en-US")} accounts/s`,
  );
  console.log(
    `  full scan (off-chain health)       ${figures.scanAccountsPerSecond.toLocaleString("en-US")} accounts/s`,
  );
  console.log(`  scheduled rescan, prices unchanged ${figures.scheduledScanMs.toFixed(1)} ms`);
  console.log(
    `  crash → liquidations               ${figures.liquidated} accounts in ${figures.transactions} transactions`,
  );
  console.log(
    `  blocks to first liquidation        median ${figures.blocksToFirstLiquidation.median}, max ${figures.blocksToFirstLiquidation.max}`,
  );
  console.log(
    `  blocks to last liquidation         median ${figures.blocksToLastLiquidation.median}, max ${figures.blocksToLastLiquidation.max} (target ≤ ${figures.targetLastBlocks.join("/")})`,
  );
}

// The `keeper` section of bench/results.json, in the shape scripts/bench/index.ts writes it.
const largest = results.at(-1)!;
const keeperSection = {
  accounts: largest.accounts,
  detectToLastConfirmMs: largest.priceToLastConfirmationMs,
  accountsScannedPerSecond: largest.scanAccountsPerSecond,
  blocksToFirstLiquidation: largest.blocksToFirstLiquidation,
  blocksToLastLiquidation: largest.blocksToLastLiquidation,
  bySize: results,
};
const resultsFile = join("bench", "results.json");
if (existsSync(resultsFile) && !process.env.BENCH_NO_WRITE) {
  const all = JSON.parse(readFileSync(resultsFile, "utf8")) as Record<string, unknown>;
  all.keeper = keeperSection;
  all.keeperGeneratedAt = new Date().toISOString();
  writeFileSync(resultsFile, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`\nwrote the keeper section of ${resultsFile}`);
}
console.log(JSON.stringify({ keeperBenchmark: results }));
