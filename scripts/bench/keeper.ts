/**
 * Keeper benchmark (`npm run bench:keeper`): for 1,000 and 10,000 accounts on the embedded Hardhat network,
 *   - index build: a fresh keeper's backfill of every account from events (accounts/s);
 *   - scan rate: off-chain health evaluations per second of the keeper's full scan (every account, every market);
 *   - reaction: from the block that crashes the prices to the receipt of the last liquidation (the keeper's own
 *     polling loop, batches of 100, 4 in flight).
 * Accounts are opened in bulk by contracts/mocks/BulkAccountOpener.sol (250 per transaction). Prints the figures
 * and, on the last line, all of them as JSON. BENCH_SIZES=1000,10000 overrides the sizes.
 */
import { mulberry32 } from "../lib/random.js";
import { network } from "hardhat";
import { createPublicClient, custom, keccak256, type PublicClient, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { BallastDeployment } from "../../sdk/src/deployment.js";
import { createKeeper } from "../../sdk/src/keeper/create.js";
import { Keeper } from "../../sdk/src/keeper/keeper.js";
import { KeeperMetrics } from "../../sdk/src/keeper/metrics.js";
import { OraclePriceSource } from "../../sdk/src/keeper/prices.js";
import type { Executor } from "../../sdk/src/keeper/types.js";
import { requirements } from "../../sdk/src/math/marginTiers.js";
import { LOCAL_MARKETS, type MarketConfig, WAD, wad } from "../lib/config.js";
import { deployBallast } from "../lib/deployment.js";

const SIZES = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const PER_TX = Number(process.env.BENCH_PER_TX ?? 40);

/** The demo markets with room for 10,000 traders: no open-interest cap in practice, no skew premium. */
const BENCH_MARKETS: MarketConfig[] = LOCAL_MARKETS.map((market) => ({
  ...market,
  params: { ...market.params, maxOpenInterestPerSide: wad(1_000_000_000), skewScale: 0n },
}));

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
}

async function bench(accounts: number): Promise<Figures> {
  const setupStarted = performance.now();
  const connection = await network.create({ override: { blockGasLimit: 2_000_000_000n } });
  const { ethers, provider } = connection;
  const deployment: BallastDeployment = await deployBallast(connection, { markets: BENCH_MARKETS });
  const core = await ethers.getContractAt("BallastCore", deployment.core);
  const opener = await ethers.deployContract("BulkAccountOpener", [deployment.core, deployment.collateral]);
  const feeds = await Promise.all(deployment.markets.map((m) => ethers.getContractAt("MockAggregator", m.feed)));

  // 70% cross (a third of them in two markets), 30% isolated; 85% long; 2x–25x within each table.
  const random = mulberry32(accounts);
  const unit = 10n ** BigInt(deployment.collateralDecimals);
  const prices = BENCH_MARKETS.map((m) => BigInt(m.initialPriceUsd));
  const specs = Array.from({ length: accounts }, (_, i) => {
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
      id: BigInt(i),
    };
  });
  const acceptable = prices.map((p) => p * WAD * 2n);
  for (let i = 0; i < specs.length; i += PER_TX) {
    // An explicit gas limit skips ethers' estimate (a second execution of the whole batch).
    await opener.open(
      specs.slice(i, i + PER_TX).map(({ id: _, ...spec }) => spec),
      acceptable,
      { gasLimit: 16_000_000n },
    );
  }
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  // A fresh keeper: the first iteration backfills every account from events.
  const metrics = new KeeperMetrics();
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
    warn() {},
    error(fields: object, message?: string) {
      console.error(message, fields);
    },
  };
  const { keeper, indexer } = await createKeeper({
    transport: custom(provider),
    deployment,
    account: privateKeyToAccount(keccak256(toHex("ballast-bench-keeper"))),
    reorgDepth: 0,
    pollIntervalMs: 10,
    batchSize: Number(process.env.BENCH_BATCH ?? 100),
    maxConcurrency: 4,
    metrics,
    logger,
    skipPreflight: true,
  });
  await provider.request({
    method: "hardhat_setBalance",
    params: [privateKeyToAccount(keccak256(toHex("ballast-bench-keeper"))).address, toHex(10n ** 22n)],
  });
  const indexStarted = performance.now();
  await keeper.tick();
  const indexSeconds = (performance.now() - indexStarted) / 1000;
  const view = keeper.view!;
  if (view.accountCount !== accounts) throw new Error(`indexed ${view.accountCount} of ${accounts} accounts`);

  // Scan rate: the keeper's full scan (no risk scheduling) over the whole index, a few times.
  const head = view.head;
  const client = createPublicClient({ transport: custom(provider) }) as PublicClient;
  const priceMap = await new OraclePriceSource(client, deployment.multicall3).getPrices(
    head,
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
    blocks: { latest: async () => head },
    accounts: indexer,
    prices: { getPrices: async () => priceMap },
    executor: idle,
  };
  const scanner = new Keeper({ ...scannerOptions, fullScan: true });
  const rounds = 3;
  const scanStarted = performance.now();
  for (let i = 0; i < rounds; i++) scanner.scan(view, priceMap);
  const scanSeconds = (performance.now() - scanStarted) / 1000;
  // With risk scheduling (the default), a second scan at unchanged prices skips the comfortable accounts.
  const scheduler = new Keeper(scannerOptions);
  scheduler.scan(view, priceMap);
  const scheduledStarted = performance.now();
  scheduler.scan({ ...view, changedAccounts: new Set(), marketsChanged: false }, priceMap);
  const scheduledScanMs = performance.now() - scheduledStarted;

  // The crash, in one block, with the keeper's loop running.
  void keeper.start();
  await provider.request({ method: "evm_setAutomine", params: [false] });
  const crash = [-12, -15, -18];
  for (const [i, feed] of feeds.entries())
    await feed.setAnswer((prices[i]! * BigInt(100 + crash[i]!) * 10n ** 8n) / 100n);
  await provider.request({ method: "evm_mine", params: [] });
  await provider.request({ method: "evm_setAutomine", params: [true] });
  const crashed = performance.now();
  const crashBlock = await ethers.provider.getBlockNumber();
  const liquidatableIds: bigint[] = [];
  for (let t = 0; t < 600; t++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const current = keeper.view;
    if (
      current &&
      current.head.number > BigInt(crashBlock) &&
      keeper.pending.length === 0 &&
      keeper.health().inFlight === 0
    )
      break;
  }
  await keeper.stop();
  const events = await core.queryFilter(core.filters.AccountLiquidated(), crashBlock);
  const accountsLiquidated = new Set(events.map((e) => e.args.accountId));
  const transactions = new Set(events.map((e) => e.transactionHash)).size;
  // Spot-check the chain: no account left liquidatable among a sample (every 50th) plus every liquidated one.
  for (let id = 1; id <= accounts; id += 50) {
    if ((await core.accountHealth(id)).liquidatable) liquidatableIds.push(BigInt(id));
  }
  if (liquidatableIds.length > 0) throw new Error(`accounts left liquidatable: ${liquidatableIds.join(", ")}`);
  await connection.close();
  return {
    accounts,
    setupSeconds: round(setupSeconds),
    indexSeconds: round(indexSeconds),
    indexedAccountsPerSecond: Math.round(accounts / indexSeconds),
    scanAccountsPerSecond: Math.round((accounts * rounds) / scanSeconds),
    scheduledScanMs: round(scheduledScanMs),
    liquidatable: accountsLiquidated.size,
    liquidated: await KeeperMetrics.value(metrics.liquidationsConfirmed),
    transactions,
    priceToLastConfirmationMs: Math.round(lastConfirmation - crashed),
    priceToFirstConfirmationMs: Math.round(firstConfirmation - crashed),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

const results: Figures[] = [];
for (const size of SIZES) {
  console.log(`\n${size.toLocaleString("en-US")} accounts`);
  const figures = await bench(size);
  results.push(figures);
  console.log(`  setup (deploy + open accounts)     ${figures.setupSeconds.toFixed(1)} s`);
  console.log(
    `  index build (backfill)             ${figures.indexSeconds.toFixed(2)} s, ${figures.indexedAccountsPerSecond.toLocaleString("en-US")} accounts/s`,
  );
  console.log(
    `  full scan (off-chain health)       ${figures.scanAccountsPerSecond.toLocaleString("en-US")} accounts/s`,
  );
  console.log(`  scheduled rescan, prices unchanged ${figures.scheduledScanMs.toFixed(1)} ms`);
  console.log(
    `  crash → liquidations               ${figures.liquidated} accounts in ${figures.transactions} transactions`,
  );
  console.log(`  price update → first confirmation  ${figures.priceToFirstConfirmationMs} ms`);
  console.log(`  price update → last confirmation   ${figures.priceToLastConfirmationMs} ms`);
}
console.log(JSON.stringify({ keeperBenchmark: results }));
