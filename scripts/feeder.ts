/**
 * Drives the mock price feeds (`MockAggregator.setAnswer`) of a local deployment along a path:
 *
 *   npm run feeder -- --path steps --steps -5,-5,-10 --interval 2000        # percent moves from the current prices
 *   npm run feeder -- --path walk --walk-steps 120 --volatility 1.5 --seed 7  # seeded random walk
 *   npm run feeder -- --path csv --csv scripts/data/crash.csv                # historical-style closes
 *
 * With `--hermes-port <port>` it also serves the Hermes HTTP endpoints a settlement keeper needs
 * (`/v2/updates/price/latest`, `/v2/updates/price/<publish_time>`, `/v2/price_feeds`; scripts/lib/priceService.ts)
 * with MockPyth-encoded updates of the same prices, published at each point's block time, so a keeper fetches them
 * with `@pythnetwork/hermes-client` as from Pyth's service (HERMES_URL, default http://127.0.0.1:<port> on 31337).
 *
 * Mock feeds accept answers from anyone: this is for local and test networks only.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { createPublicClient, createWalletClient, defineChain, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { mockAggregatorAbi } from "../sdk/src/abi/mockAggregator.js";
import { loadDeploymentFile } from "../sdk/src/keeper/create.js";
import { feedAnswer, type PricePoint, readCsvPath, stepsPath, walkPath } from "./lib/pricePaths.js";
import { LocalPriceService } from "./lib/priceService.js";

/** Hardhat's well-known development account #9 (funded on every local node; never use it elsewhere). */
const HARDHAT_DEV_KEY_9 = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

const num = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new InvalidArgumentError(`${name} must be a number.`);
  return parsed;
};

const program = new Command()
  .name("feeder")
  .description("Moves the mock price feeds of a local Ballast deployment along a path.")
  .addOption(new Option("--path <kind>", "steps, walk or csv").choices(["steps", "walk", "csv"]).default("steps"))
  .option("--rpc <url>", "JSON-RPC endpoint", process.env.BALLAST_RPC_URL ?? "http://127.0.0.1:8545")
  .option("--deployment <file>", "BallastDeployment file", "deployments/localhost.json")
  .addOption(
    new Option("--private-key <hex>", "sender (default on chain 31337: Hardhat dev account #9)").env(
      "FEEDER_PRIVATE_KEY",
    ),
  )
  .option("--markets <symbols>", "comma-separated symbols to move (default: all)")
  .option("--steps <percents>", "steps: comma-separated percent moves", "-5,-5,-5,-5,-5")
  .option("--walk-steps <n>", "walk: number of steps", num("--walk-steps"), 60)
  .option("--volatility <percent>", "walk: standard deviation per step, percent", num("--volatility"), 1)
  .option("--drift <percent>", "walk: mean move per step, percent", num("--drift"), 0)
  .option("--seed <n>", "walk: random seed", num("--seed"), 1)
  .option("--csv <file>", "csv: prices file (header: label,SYMBOL,...)", "scripts/data/crash.csv")
  .option("--interval <ms>", "pause between points", num("--interval"), 1000)
  .option("--advance-time <seconds>", "local chains: evm_increaseTime before each point", num("--advance-time"), 0)
  .option("--hermes-port <port>", "also serve the Hermes endpoints with these prices (0: off)", num("--hermes-port"), 0)
  .option("--hermes-linger <ms>", "keep serving this long after the last point", num("--hermes-linger"), 60_000);

program.parse();
const opts = program.opts<{
  path: "steps" | "walk" | "csv";
  rpc: string;
  deployment: string;
  privateKey?: string;
  markets?: string;
  steps: string;
  walkSteps: number;
  volatility: number;
  drift: number;
  seed: number;
  csv: string;
  interval: number;
  advanceTime: number;
  hermesPort: number;
  hermesLinger: number;
}>();

try {
  const deployment = await loadDeploymentFile(opts.deployment);
  const chain = defineChain({
    id: deployment.chainId,
    name: `chain-${deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [opts.rpc] } },
  });
  const transport = http(opts.rpc, { timeout: 10_000 });
  const publicClient = createPublicClient({ chain, transport });
  const chainId = await publicClient.getChainId().catch((error: Error) => {
    throw new Error(`Cannot reach ${opts.rpc}: ${error.message.split("\n")[0]}`);
  });
  if (chainId !== deployment.chainId) {
    throw new Error(`Wrong chain: ${opts.rpc} is chain ${chainId}, the deployment is for ${deployment.chainId}.`);
  }
  const key = opts.privateKey ?? (chainId === 31337 ? HARDHAT_DEV_KEY_9 : undefined);
  if (!key) throw new Error("Pass --private-key (or FEEDER_PRIVATE_KEY) on a network other than a local Hardhat node.");
  const account = privateKeyToAccount(key as Hex);
  const wallet = createWalletClient({ chain, transport, account });

  const wanted = opts.markets?.split(",").map((symbol) => symbol.trim().toUpperCase());
  const markets = deployment.markets.filter((market) => !wanted || wanted.includes(market.symbol));
  if (markets.length === 0) throw new Error(`No market matches --markets ${opts.markets}.`);

  const start: PricePoint = {};
  for (const market of markets) {
    const [, answer] = await publicClient.readContract({
      address: market.feed,
      abi: mockAggregatorAbi,
      functionName: "latestRoundData",
    });
    const decimals = await publicClient.readContract({
      address: market.feed,
      abi: mockAggregatorAbi,
      functionName: "decimals",
    });
    start[market.symbol] = Number(answer) / 10 ** decimals;
  }
  const path =
    opts.path === "steps"
      ? stepsPath(start, opts.steps.split(",").map(Number))
      : opts.path === "walk"
        ? walkPath(start, {
            steps: opts.walkSteps,
            volatilityPercent: opts.volatility,
            driftPercent: opts.drift,
            seed: opts.seed,
          })
        : readCsvPath(opts.csv);

  const hermes = opts.hermesPort > 0 ? new LocalPriceService() : undefined;
  if (hermes !== undefined) {
    const url = await hermes.listen(opts.hermesPort);
    console.log(`feeder: Hermes endpoints on ${url}/v2/updates/price/latest?ids[]=…`);
  }
  console.log(`feeder: ${path.length} points on ${markets.map((m) => m.symbol).join(", ")} from ${account.address}`);
  let nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
  for (const [i, point] of path.entries()) {
    if (opts.advanceTime > 0) {
      await publicClient.request({ method: "evm_increaseTime", params: [opts.advanceTime] } as never);
    }
    const hashes: Hex[] = [];
    const shown: string[] = [];
    for (const market of markets) {
      const usd = point[market.symbol];
      if (usd === undefined) continue;
      hashes.push(
        await wallet.writeContract({
          address: market.feed,
          abi: mockAggregatorAbi,
          functionName: "setAnswer",
          args: [feedAnswer(usd)],
          nonce: nonce++,
        }),
      );
      shown.push(`${market.symbol} ${usd.toFixed(2)}`);
    }
    let blockTime = 0n;
    for (const hash of hashes) {
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
      if (block.timestamp > blockTime) blockTime = block.timestamp;
    }
    // The pull price of each market, published when the push price landed.
    for (const market of markets) {
      const usd = point[market.symbol];
      if (hermes === undefined || usd === undefined || market.pythFeedId === undefined) continue;
      try {
        hermes.publish(market.pythFeedId, feedAnswer(usd) * 10n ** 10n, blockTime);
      } catch {
        // Two points in one block second: the first stands (Hermes publishes one price per feed per second).
      }
    }
    console.log(`  ${String(i + 1).padStart(3)}/${path.length}  ${shown.join("  ")}`);
    if (i + 1 < path.length) await new Promise((resolve) => setTimeout(resolve, opts.interval));
  }
  if (hermes !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, opts.hermesLinger));
    await hermes.close();
  }
} catch (error) {
  console.error(`feeder: ${(error as Error).message}`);
  process.exit(2);
}
