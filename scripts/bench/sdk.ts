/**
 * Benchmark of the SDK's account math: 10,000 accounts × 3 positions (BTC, ETH and a third market on the realistic
 * tier tables of scripts/lib/config.ts, funding accrued), evaluated on one core.
 *
 * A "position health evaluation" is one position's value (PnL − funding), notional, IM and MM at a price, summed
 * into its account's health (equity, IM, MM, health factor, margin ratio, withdrawable, liquidatable) — what a
 * keeper redoes for every position on every price update. Two paths are timed:
 *   - straightforward: `accountHealth(snapshot)` (the library mirrors, with their range checks);
 *   - fast: `fastAccountHealth` over markets compiled once (`compileMarket`: cumulative amounts per bracket),
 *     checked here to give the very same results for every account (and property-tested in
 *     test/ts/sdk/account.unit.test.ts).
 *
 *   node scripts/bench/sdk.ts        (Node ≥ 22; the last line of stdout is the result as JSON)
 *
 * The SDK and the config are bundled with esbuild first (Node runs this file with type stripping, which cannot
 * resolve the sources' `.js` import specifiers).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import type * as SdkModule from "../../sdk/src/index.js";
import type * as ConfigModule from "../lib/config.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ACCOUNTS = 10_000;
const POSITIONS_PER_ACCOUNT = 3;
const TARGET = 1_000_000;
const WAD = 10n ** 18n;

async function load(): Promise<typeof SdkModule & Pick<typeof ConfigModule, "BTC_TIERS" | "ETH_TIERS" | "wad">> {
  const result = await build({
    stdin: {
      contents:
        'export * from "./sdk/src/index.ts";\nexport { BTC_TIERS, ETH_TIERS, wad } from "./scripts/lib/config.ts";\n',
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "silent",
  });
  const file = join(mkdtempSync(join(tmpdir(), "ballast-bench-")), "sdk.mjs");
  writeFileSync(file, result.outputFiles[0]?.text ?? "");
  return import(pathToFileURL(file).href);
}

/**
 * A deterministic PRNG (mulberry32), the same as scripts/lib/random.ts: repeated here because this script runs
 * under plain `node`, whose type stripping cannot resolve that module's `.js` specifier to its `.ts` source.
 */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sdk = await load();
const random = rng(20_251_121);
const big = (min: bigint, max: bigint) => min + (BigInt(Math.floor(random() * 2 ** 52)) * (max - min)) / 2n ** 52n;

// ------------------------------------------------------------------------------------------------ markets

const timestamp = 1_800_000_000n;
const symbols = ["BTC", "ETH", "SOL"] as const;
const prices = [sdk.wad("50123.45678901"), sdk.wad("2012.34567891"), sdk.wad("151.23456789")];
const tables = [sdk.BTC_TIERS, sdk.ETH_TIERS, sdk.ETH_TIERS];
const markets: SdkModule.Market[] = symbols.map((_, marketId) => ({
  marketId,
  params: {
    feedId: `0x${String(marketId).padStart(64, "0")}`,
    maxOpenInterestPerSide: 10n ** 30n,
    minPositionNotional: sdk.wad(10),
    skewScale: sdk.wad(100_000),
    takerFeeRate: sdk.wad("0.0005"),
    makerFeeRate: sdk.wad("0.0002"),
    fundingScale: sdk.wad(1_000),
    maxFundingRatePerSecond: sdk.wad("0.001") / 3600n,
    marginRampDuration: 3n * 86_400n,
  },
  state: {
    fundingIndex: big(-(10n ** 20n), 10n ** 20n),
    lastFundingTime: timestamp - 600n,
    longOpenInterest: sdk.wad(400),
    shortOpenInterest: sdk.wad(310),
    netOpenNotional: 0n,
    netFundingBasis: 0n,
    tradersPnl: 0n,
  },
  tiers: tables[marketId] ?? sdk.BTC_TIERS,
  ramp: { previousTiers: [], start: 0n, end: 0n },
}));
const compiled = markets.map((m) => sdk.compileMarket(m));

// ------------------------------------------------------------------------------------------------ accounts

type Bench = { margin: bigint; positions: SdkModule.AccountPosition[] };
const accounts: Bench[] = [];
for (let i = 0; i < ACCOUNTS; i++) {
  const margin = big(500n * WAD, 500_000n * WAD);
  const positions = markets.map((m, marketId) => {
    const price = prices[marketId] ?? WAD;
    const leverage = big(WAD / 2n, 8n * WAD);
    const size = (((margin * leverage) / WAD / BigInt(POSITIONS_PER_ACCOUNT)) * WAD) / price;
    const signed = random() < 0.5 ? size : -size;
    const entry = (price * big(90n, 110n)) / 100n;
    return {
      marketId,
      size: signed,
      openNotional: (signed * entry) / WAD,
      lastFundingIndex: m.state.fundingIndex - big(0n, 10n ** 18n),
    };
  });
  accounts.push({ margin, positions });
}

// ------------------------------------------------------------------------------------------------ timing

function time(label: string, pass: () => void, minMs: number): number {
  pass(); // warm-up
  let passes = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    pass();
    passes++;
    elapsed = performance.now() - start;
  }
  const perSecond = (passes * ACCOUNTS * POSITIONS_PER_ACCOUNT) / (elapsed / 1000);
  console.log(
    `${label.padEnd(16)} ${passes} passes of ${ACCOUNTS * POSITIONS_PER_ACCOUNT} positions in ${elapsed.toFixed(0)} ms: ${Math.round(perSecond).toLocaleString("en-US")} position health evaluations/s`,
  );
  return perSecond;
}

const priceMap = prices;
let sink = 0n;

const straightforward = time(
  "straightforward",
  () => {
    for (const account of accounts) {
      const health = sdk.accountHealth({
        account: { margin: account.margin },
        positions: account.positions,
        markets,
        prices: priceMap,
        timestamp,
      });
      sink ^= health.equity;
    }
  },
  1_500,
);

const fast = time(
  "fast",
  () => {
    // Once per price update: each market's pending funding index.
    const quotes = markets.map((m, i) => ({
      market: compiled[i] as SdkModule.CompiledMarket,
      price: priceMap[i] as bigint,
      fundingIndex: sdk.pendingFundingIndex(m.state, m.params, priceMap[i] as bigint, timestamp).fundingIndex,
    }));
    for (const account of accounts) {
      const inputs = account.positions.map((position) => {
        const quote = quotes[position.marketId] as (typeof quotes)[number];
        return { position, market: quote.market, price: quote.price, fundingIndex: quote.fundingIndex };
      });
      sink ^= sdk.fastAccountHealth(account.margin, inputs, timestamp).equity;
    }
  },
  2_000,
);

// Equivalence on every account.
let mismatches = 0;
let liquidatable = 0;
for (const account of accounts) {
  const slow = sdk.accountHealth({
    account: { margin: account.margin },
    positions: account.positions,
    markets,
    prices: priceMap,
    timestamp,
  });
  const inputs = account.positions.map((position) => ({
    position,
    market: compiled[position.marketId] as SdkModule.CompiledMarket,
    price: priceMap[position.marketId] as bigint,
    fundingIndex: sdk.pendingFundingIndex(
      (markets[position.marketId] as SdkModule.Market).state,
      (markets[position.marketId] as SdkModule.Market).params,
      priceMap[position.marketId] as bigint,
      timestamp,
    ).fundingIndex,
  }));
  const quick = sdk.fastAccountHealth(account.margin, inputs, timestamp);
  if (
    JSON.stringify(slow, (_, v) => (typeof v === "bigint" ? v.toString() : v)) !==
    JSON.stringify(quick, (_, v) => (typeof v === "bigint" ? v.toString() : v))
  ) {
    mismatches++;
  }
  if (slow.liquidatable) liquidatable++;
}
console.log(
  `fast ≡ straightforward on ${ACCOUNTS} accounts: ${mismatches === 0 ? "yes" : `NO (${mismatches} mismatches)`}; ${liquidatable} liquidatable (sink ${sink & 1n})`,
);
console.log(
  `position health evaluations per second (one core): ${Math.round(fast).toLocaleString("en-US")} (target ${TARGET.toLocaleString("en-US")}: ${fast >= TARGET ? "met" : "NOT met"})`,
);
console.log(
  JSON.stringify({
    benchmark: "sdk-position-health",
    accounts: ACCOUNTS,
    positionsPerAccount: POSITIONS_PER_ACCOUNT,
    positionEvaluationsPerSecond: Math.round(fast),
    straightforwardPositionEvaluationsPerSecond: Math.round(straightforward),
    target: TARGET,
    meetsTarget: fast >= TARGET,
    equivalent: mismatches === 0,
    node: process.version,
  }),
);
if (mismatches !== 0) process.exit(1);
