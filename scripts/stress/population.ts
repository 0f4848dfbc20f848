/**
 * The trader population (seeded): a realistic spread of leverage, cross and isolated accounts, both sides,
 * several markets, and sizes across the margin tables' brackets. Opened in bulk by contracts/mocks/
 * BulkAccountOpener.sol (it owns those accounts: they are passive, they never trade again, as most retail
 * positions in a crash). Active agents (LPs, stakers, adversaries, flat accounts) live in agents.ts.
 */
import { maxUint256, parseEventLogs } from "viem";
import { ballastCoreAbi } from "../../sdk/src/abi/ballastCore.js";
import { requirements } from "../../sdk/src/math/marginTiers.js";
import { type MarketConfig, WAD } from "../lib/config.js";
import { seededRandom } from "../lib/random.js";
import { artifactAbi } from "./deploy.js";
import type { Hex } from "./node.js";
import { readContract, type Wallets } from "./wallets.js";
import { oracleAdapterAbi } from "../../sdk/src/abi/oracleAdapter.js";
import { orderBookAbi } from "../../sdk/src/abi/orderBook.js";
import type { BallastDeployment } from "../../sdk/src/deployment.js";
import { pythUpdate } from "../lib/orders.js";

export interface TraderSpec {
  isolated: boolean;
  marketId: number;
  sizeDelta: bigint;
  secondMarketId: number;
  secondSizeDelta: bigint;
  /** Collateral in token units. */
  assets: bigint;
  leverage: number;
  notionalUsd: number;
}

export interface PopulationPlan {
  traders: TraderSpec[];
  /** Every notional was multiplied by this so that each market's open interest stays under its cap. */
  sizeScale: number;
  openInterestUsd: { symbol: string; long: number; short: number; cap: number }[];
  longShare: number;
}

/** Size brackets (USD notional, before scaling) and their shares of traders: retail to whales. */
const SIZE_BRACKETS: readonly { share: number; min: number; max: number }[] = [
  { share: 0.7, min: 1_000, max: 20_000 },
  { share: 0.22, min: 20_000, max: 100_000 },
  { share: 0.07, min: 100_000, max: 400_000 },
  { share: 0.01, min: 500_000, max: 1_500_000 },
];
const LEVERAGES = [2, 3, 5, 8, 10, 12, 15, 20, 25, 30, 40, 50];
/** The crowd leans long before a crash (funding was positive before each of the historic episodes). */
const LONG_SHARE = 0.75;
/** Each market's open interest per side stays under this share of its cap. */
const CAP_USE = 0.6;

/**
 * `count` traders: 30% isolated, 70% cross (a third of those in two markets); 75% long; leverage 2x–50x, bounded
 * by the table (the deposit is never below 1.05 × initial margin, so the maximum leverage is the tier's).
 */
export function planPopulation(count: number, seed: number, markets: readonly MarketConfig[]): PopulationPlan {
  const rng = seededRandom(seed);
  const pickSize = () => {
    let u = rng.next();
    for (const bracket of SIZE_BRACKETS) {
      if (u < bracket.share) return bracket.min + rng.next() * (bracket.max - bracket.min);
      u -= bracket.share;
    }
    return SIZE_BRACKETS[0]!.min;
  };
  const raw = Array.from({ length: count }, () => {
    const isolated = rng.chance(0.3);
    const marketId = rng.int(0, markets.length - 1);
    const second = !isolated && markets.length > 1 && rng.chance(0.33) ? (marketId + 1) % markets.length : undefined;
    const long = rng.chance(LONG_SHARE);
    // Hedgers: a few two-market accounts hold the second leg on the other side.
    const secondLong = rng.chance(0.85) ? long : !long;
    return {
      isolated,
      marketId,
      second,
      long,
      secondLong,
      leverage: rng.pick(LEVERAGES),
      usd: pickSize(),
      usd2: second === undefined ? 0 : pickSize() / 2,
    };
  });
  // Scale so that no market's side goes over CAP_USE of its cap at the starting prices.
  const side = markets.map(() => ({ long: 0, short: 0 }));
  for (const t of raw) {
    side[t.marketId]![t.long ? "long" : "short"] += t.usd;
    if (t.second !== undefined) side[t.second]![t.secondLong ? "long" : "short"] += t.usd2;
  }
  const caps = markets.map((m) => (Number((m.params.maxOpenInterestPerSide ?? 0n) / WAD) || 1e12) * m.initialPriceUsd);
  let sizeScale = 1;
  for (const [i, s] of side.entries()) {
    const worst = Math.max(s.long, s.short);
    if (worst > 0) sizeScale = Math.min(sizeScale, (CAP_USE * caps[i]!) / worst);
  }
  const minNotional = (m: MarketConfig) => Number((m.params.minPositionNotional ?? 10n * WAD) / WAD) * 2;
  const traders = raw.map((t): TraderSpec => {
    const m1 = markets[t.marketId]!;
    const usd = Math.max(t.usd * sizeScale, minNotional(m1));
    const usd2 = t.second === undefined ? 0 : Math.max(t.usd2 * sizeScale, minNotional(markets[t.second]!));
    const notional = BigInt(Math.round(usd)) * WAD;
    const notional2 = BigInt(Math.round(usd2)) * WAD;
    let margin = (notional + notional2) / BigInt(t.leverage);
    const im =
      requirements(m1.tiers, notional).initialMargin +
      (t.second === undefined ? 0n : requirements(markets[t.second]!.tiers, notional2).initialMargin);
    // The open pays a fee and a skew premium (a mark-to-market loss at once): keep 8% above initial margin
    // plus 0.4% of notional, so the table's maximum leverage is approached but the open never fails.
    const floor = (im * 108n) / 100n + (notional + notional2) / 250n;
    if (margin < floor) margin = floor;
    const size = (n: bigint, m: MarketConfig, long: boolean) =>
      ((long ? 1n : -1n) * n * WAD) / (BigInt(m.initialPriceUsd) * WAD);
    return {
      isolated: t.isolated,
      marketId: t.marketId,
      sizeDelta: size(notional, m1, t.long),
      secondMarketId: t.second ?? 0,
      secondSizeDelta: t.second === undefined ? 0n : size(notional2, markets[t.second]!, t.secondLong),
      assets: margin,
      leverage: Number(notional + notional2) / Number(margin),
      notionalUsd: Math.round(usd + usd2),
    };
  });
  return {
    traders,
    sizeScale,
    openInterestUsd: markets.map((m, i) => ({
      symbol: m.symbol,
      long: Math.round(side[i]!.long * sizeScale),
      short: Math.round(side[i]!.short * sizeScale),
      cap: caps[i]!,
    })),
    longShare: LONG_SHARE,
  };
}

/** Settles the orders one `open` committed (all in one block: one settleTime, one update per market). */
async function settleOpened(
  options: { wallets: Wallets; from: Hex; opener: Hex; deployment: BallastDeployment },
  opened: bigint[],
): Promise<void> {
  const [first] = opened;
  if (first === undefined) return;
  const { deployment } = options;
  const rpc = options.wallets.rpc;
  const settleTimes = await Promise.all(
    deployment.markets.map((m) =>
      readContract<{ settleTime: number }>(rpc, {
        to: deployment.orderBook!,
        abi: orderBookAbi,
        functionName: "getOrder",
        args: [first, BigInt(m.marketId)],
      }),
    ),
  );
  const settleTime = BigInt(Math.max(...settleTimes.map((o) => Number(o.settleTime))));
  const updates = await Promise.all(
    deployment.markets.map(async (m) => {
      const priceWad = await readContract<bigint>(rpc, {
        to: deployment.oracle,
        abi: oracleAdapterAbi,
        functionName: "getPrice",
        args: [m.feedId],
      });
      return [pythUpdate({ feedId: m.pythFeedId!, priceWad, publishTime: settleTime })];
    }),
  );
  const openerAbi = artifactAbi("mocks/BulkAccountOpener.sol", "BulkAccountOpener");
  // 20 accounts (≤ 40 settlements of ~200k gas) per transaction: under the node's 16.7M transaction gas cap.
  const calls = [];
  for (let i = 0; i < opened.length; i += 20) {
    const count = Math.min(20, opened.length - i);
    calls.push({
      to: options.opener,
      abi: openerAbi,
      functionName: "settleOpened",
      args: [first + BigInt(i), BigInt(count), BigInt(deployment.markets.length), updates],
      gas: 16_000_000n,
      value: BigInt(count * deployment.markets.length),
    });
  }
  await options.wallets.must(options.from, calls);
}

/** Opens the planned accounts through the bulk opener, `perTx` at a time; returns their ids in plan order. */
export async function openPopulation(options: {
  wallets: Wallets;
  from: Hex;
  opener: Hex;
  deployment: BallastDeployment;
  plan: PopulationPlan;
  collateralDecimals: number;
  perTx?: number;
}): Promise<bigint[]> {
  const { wallets, plan } = options;
  const openerAbi = artifactAbi("mocks/BulkAccountOpener.sol", "BulkAccountOpener");
  const unit = 10n ** BigInt(options.collateralDecimals);
  const perTx = options.perTx ?? 40;
  const specs = plan.traders.map((t) => ({
    isolated: t.isolated,
    marketId: t.marketId,
    sizeDelta: t.sizeDelta,
    secondMarketId: t.secondMarketId,
    secondSizeDelta: t.secondSizeDelta,
    // WAD → token units, rounded up, plus one unit for rounding in the margin check.
    assets: (t.assets * unit + WAD - 1n) / WAD + unit,
  }));
  const acceptable = [maxUint256, maxUint256, maxUint256, maxUint256, maxUint256, maxUint256, maxUint256, maxUint256];
  const ids: bigint[] = [];
  const calls = [];
  for (let i = 0; i < specs.length; i += perTx) {
    calls.push({
      to: options.opener,
      abi: openerAbi,
      functionName: "open",
      args: [specs.slice(i, i + perTx), acceptable],
      gas: 16_000_000n,
    });
  }
  // One HTTP batch per 10 transactions (automine mines each in its own block). Each `open` commits its accounts'
  // orders; the opener then settles them with one local Pyth update per market, published at their settleTime.
  for (let i = 0; i < calls.length; i += 10) {
    const receipts = await wallets.must(options.from, calls.slice(i, i + 10));
    for (const receipt of receipts) {
      const events = parseEventLogs({ abi: ballastCoreAbi, eventName: "AccountCreated", logs: receipt.logs as never });
      const opened = events.map((event) => event.args.accountId);
      ids.push(...opened);
      await settleOpened(options, opened);
    }
  }
  if (ids.length !== specs.length) throw new Error(`opened ${ids.length} of ${specs.length} accounts`);
  return ids;
}
