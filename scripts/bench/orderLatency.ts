/**
 * Settle latency of the keeper's order settlement (sdk/src/keeper/orders.ts, run by the keeper exactly as
 * `npm run keeper -- --hermes-url …` does: createKeeper with `orders`, its executor and nonce manager), in blocks, for
 * 100 and 1,000 orders pending at once: a bulk opener commits them, 40 accounts per transaction (orders of one
 * transaction share a settleTime), the local Hermes service publishes each market's price every second, and the
 * keeper settles in batches of 20 (one price per market per transaction) with its default concurrency (2 slots, one
 * kept free for liquidations); every transaction is its own block, one second apart (automine on Hardhat's embedded
 * network). The keeper is driven iteration by iteration (`tick` + `idle`), one iteration per block.
 *   npm run bench:orders   (hardhat run scripts/bench/orderLatency.ts)
 */
import { network } from "hardhat";
import type { Address, Hex } from "viem";
import { custom, type EIP1193Provider } from "viem";
import type { BallastDeployment } from "../../sdk/src/deployment.js";
import { createKeeper } from "../../sdk/src/keeper/create.js";
import { KeeperMetrics } from "../../sdk/src/keeper/metrics.js";
import { DEMO_MARKETS, feedId, pythFeedId, WAD } from "../lib/config.js";
import { deployProtocol } from "../lib/deploy.js";
import { hermesUpdateSource } from "../lib/hermes.js";
import { LocalPriceService } from "../lib/priceService.js";

async function run(orders: number) {
  const { ethers, provider } = await network.create();
  await provider.request({ method: "evm_setBlockGasLimit", params: ["0x77359400"] });
  const [admin, keeper] = await ethers.getSigners();
  const d = await deployProtocol(ethers, { admin: admin!, markets: DEMO_MARKETS });
  const address = async (c: { getAddress(): Promise<string> }) => (await c.getAddress()) as Hex;
  const multicall = await ethers.deployContract("Multicall3");
  const deployment: BallastDeployment = {
    chainId: 31337,
    deploymentBlock: 0,
    core: await address(d.core),
    collateral: await address(d.token),
    collateralDecimals: 6,
    oracle: await address(d.oracle),
    vault: await address(d.vault as never),
    insurancePool: await address(d.insurance as never),
    multicall3: await address(multicall),
    orderBook: await address(d.orderBook),
    pyth: await address(d.pyth),
    markets: DEMO_MARKETS.map((m, marketId) => ({
      marketId,
      symbol: m.symbol,
      feedId: feedId(m.symbol) as Hex,
      feed: "0x0000000000000000000000000000000000000000",
      pythFeedId: pythFeedId(m.symbol) as Hex,
    })),
  };
  const opener = await ethers.deployContract("BulkAccountOpener", [d.core, d.token, d.orderBook]);
  const specs = Array.from({ length: orders }, (_, i) => {
    const marketId = i % DEMO_MARKETS.length;
    const price = BigInt(DEMO_MARKETS[marketId]!.initialPriceUsd);
    return {
      isolated: false,
      marketId,
      sizeDelta: ((i % 2 === 0 ? 1n : -1n) * 1_000n * WAD) / price, // $1,000, alternating sides
      secondMarketId: 0,
      secondSizeDelta: 0n,
      assets: 1_000n * 10n ** 6n,
    };
  });
  const max = 2n ** 256n - 1n;
  for (let i = 0; i < specs.length; i += 40) {
    await (await opener.open(specs.slice(i, i + 40), [max, max, max], { gasLimit: 16_000_000n })).wait();
  }
  const service = new LocalPriceService();
  const first = await d.orderBook.getOrder(1n, 0n);
  const lastTime = (await d.orderBook.getOrder(BigInt(orders), BigInt((orders - 1) % DEMO_MARKETS.length))).settleTime;
  for (const [m, market] of DEMO_MARKETS.entries()) {
    for (let t = first.settleTime; t <= lastTime; t++) {
      service.publish(pythFeedId(market.symbol), BigInt(market.initialPriceUsd) * WAD, t);
    }
    void m;
  }
  const url = await service.listen();
  const { keeper: bot, orders: settler } = await createKeeper({
    transport: custom(provider as unknown as EIP1193Provider),
    deployment,
    account: keeper!.address as Address,
    metrics: new KeeperMetrics("ballast_keeper_", { defaultMetrics: false }),
    orders: { updates: hermesUpdateSource(url) },
  });
  for (let i = 0; i < 10_000 && settler!.latencies.length < orders; i++) {
    await bot.tick();
    await bot.idle();
  }
  await bot.stop();
  await service.close();
  const sorted = [...settler!.latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const filled = settler!.filled.length;
  console.log(
    `${orders} orders pending: settled ${sorted.length} (${filled} filled), latency median ${median} blocks, max ${sorted.at(-1)} blocks`,
  );
}

await run(100);
await run(1_000);
