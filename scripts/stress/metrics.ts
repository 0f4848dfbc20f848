/**
 * Every figure of a run, from the chain after the fact: events (liquidations, bad debt), views at past blocks
 * (`eth_call` at the block: health, ledgers, NAV), receipts (keeper gas). Nothing the lab "knows" is used except
 * which blocks carried price updates and at what price.
 *
 * ABIs come from the compiled artifacts, and the bad-debt event is read by its field names, so a build whose
 * waterfall reports more parts (e.g. a haircut) is measured without changing this file.
 */
import { type Abi, type AbiEvent, decodeEventLog, decodeFunctionResult, toEventSelector, toHex } from "viem";
import { artifactAbi } from "./deploy.js";
import type { Hex } from "./node.js";
import type { RunContext } from "./runner.js";
import { readContract, Wallets } from "./wallets.js";

const WAD = 1e18;
const toUsd = (wad: bigint) => Number(wad) / WAD;
const MAX_UINT = 2n ** 256n - 1n;
/** Price updates a lag walk goes back at most. */
const MAX_WALK = 48;

export interface Percentiles {
  count: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

export interface Headline {
  badDebtTotalUsd: number;
  badDebtPaidByInsuranceUsd: number;
  badDebtPaidByLpUsd: number;
  badDebtPaidByHaircutUsd: number;
  /** Bad debt no party of the waterfall recorded (should be 0). */
  badDebtUnattributedUsd: number;
  flatAccountLossUsd: number;
  liquidatedNotionalUsd: number;
  deficitPercentOfLiquidatedNotional: number;
  keeperLagBlocksMedian: number;
  keeperLagBlocksP95: number;
  keeperLagBlocksMax: number;
  keeperPnlUsd: number;
  keeperRewardsUsd: number;
  keeperGasUsd: number;
  maxLiquidatableAtOnce: number;
  lpReturnPercent: number;
  coalitionProfitUsd: number;
  jitLpProfitUsd: number;
  liquidations: number;
  partialLiquidations: number;
  fullLiquidations: number;
  accountsLiquidated: number;
  accountsLeftLiquidatable: number;
  insuranceStartUsd: number;
  insuranceEndUsd: number;
  /** The smallest starting insurance that would have kept LPs whole in this run (see docs/stress.md). */
  insuranceNeededEstimateUsd: number;
  conservationHolds: number;
}

export interface RunMetrics {
  scenario: string;
  title: string;
  seed: number;
  accounts: number;
  keepers: number;
  keeperLag: number;
  insuranceUsd: number;
  headline: Headline;
  haircut: { source: string; inThisBuild: boolean };
  waterfall: { part: string; usd: number }[];
  lag: Percentiles & { definition: string; capped: number };
  keepersDetail: {
    address: string;
    transactions: number;
    reverted: number;
    liquidations: number;
    rewardsUsd: number;
    gasUsed: number;
    gasUsd: number;
    pnlUsd: number;
    starts: number;
    crashes: number;
  }[];
  conservation: {
    tokenBalanceWad: string;
    margins: string;
    vaultLedger: string;
    insuranceLedger: string;
    unclaimedRewards: string;
    holds: boolean;
  };
  flatAccounts: { label: string; depositedUsd: number; withdrawnUsd: number; lossUsd: number }[];
  agents: RunContext["agents"];
  population: {
    traders: number;
    isolated: number;
    cross: number;
    twoMarket: number;
    long: number;
    short: number;
    leverage: Percentiles;
    notionalUsd: Percentiles;
    sizeScale: number;
    openInterestUsd: RunContext["population"]["openInterestUsd"];
  };
  series: {
    prices: { t: number; block: number; prices: Record<string, number>; oracle: Record<string, number> }[];
    ledgers: {
      t: number;
      block: number;
      insuranceUsd: number;
      lpLedgerUsd: number;
      lpNavUsd: number;
      lpSharePrice: number;
      haircut: number;
    }[];
    health: { t: number; block: number; buckets: Record<string, number> }[];
    liquidationsPerBlock: { block: number; t: number; partial: number; full: number }[];
    liquidatableAtUpdate: { t: number; block: number; count: number }[];
  };
  loop: RunContext["loop"];
  timings: RunContext["timings"];
  scenarioFile: RunContext["scenario"]["file"];
}

export const HEALTH_BUCKETS = ["≤ 1 (liquidatable)", "1–1.1", "1.1–1.5", "1.5–2", "2–5", "> 5"] as const;

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { count: 0, median: 0, p95: 0, max: 0, mean: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    count: values.length,
    median: at(0.5),
    p95: at(0.95),
    max: sorted.at(-1)!,
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}

interface Log {
  address: Hex;
  topics: [Hex, ...Hex[]];
  data: Hex;
  blockNumber: Hex;
  transactionHash: Hex;
}

/** Decoded events of `names` from the core between two blocks. */
async function coreEvents(ctx: RunContext, abi: Abi, names: string[], from: bigint, to: bigint) {
  const { rpc } = ctx.node;
  // Only the wanted events' logs leave the node (topic filter): a crash emits several events per liquidation.
  const selectors = abi
    .filter((item): item is AbiEvent => item.type === "event" && names.includes(item.name))
    .map((item) => toEventSelector(item));
  const logs: Log[] = [];
  for (let start = from; start <= to; start += 2_000n) {
    const end = start + 1_999n < to ? start + 1_999n : to;
    logs.push(
      ...(await rpc.call<Log[]>("eth_getLogs", [
        { address: ctx.deployment.core, fromBlock: toHex(start), toBlock: toHex(end), topics: [selectors] },
      ])),
    );
  }
  const out: { name: string; args: Record<string, unknown>; block: bigint; tx: Hex }[] = [];
  for (const log of logs) {
    try {
      const decoded = decodeEventLog({ abi, data: log.data, topics: log.topics, strict: false });
      if (decoded.eventName && names.includes(decoded.eventName))
        out.push({
          name: decoded.eventName,
          args: decoded.args as unknown as Record<string, unknown>,
          block: BigInt(log.blockNumber),
          tx: log.transactionHash,
        });
    } catch {
      // Another event of the core (or one this ABI does not know): not needed here.
    }
  }
  return out;
}

/** The waterfall's parts by field name: insurance, LP capital, haircut; whatever the build calls them. */
function waterfallPart(field: string): "insurance" | "lp" | "haircut" | undefined {
  const f = field.toLowerCase();
  if (f === "baddebt" || f === "accountid") return undefined;
  if (f.includes("insurance")) return "insurance";
  if (f.includes("haircut")) return "haircut";
  if (f.includes("socialised") || f.includes("socialized") || f.includes("vault") || f.includes("lp")) return "lp";
  return undefined;
}

export async function collectMetrics(ctx: RunContext): Promise<RunMetrics> {
  const { rpc } = ctx.node;
  const phase = (name: string) => ctx.options.log?.(`figures: ${name}`);
  const coreAbi = artifactAbi("core/BallastCore.sol", "BallastCore");
  const lensAbi = artifactAbi("core/BallastLens.sol", "BallastLens");
  const vaultAbi = artifactAbi("vault/LiquidityVault.sol", "LiquidityVault");
  const erc20Abi = artifactAbi("mocks/MockERC20.sol", "MockERC20");
  const d = ctx.deployment;
  const scale = 10n ** BigInt(18 - d.collateralDecimals);
  const latest = BigInt(await rpc.call<Hex>("eth_blockNumber"));
  const updates = ctx.updates;
  const updateBlocks = updates.map((u) => u.block);
  const tOfBlock = (block: bigint) => {
    let t = 0;
    for (const u of updates) if (u.block <= block) t = u.t;
    return t;
  };
  const priceAt = (block: bigint, symbol: string) => {
    let price = ctx.markets.find((m) => m.symbol === symbol)?.initialPriceUsd ?? 0;
    for (const u of updates) if (u.block <= block) price = u.prices[symbol] ?? price;
    return price;
  };

  // ------------------------------------------------------------------ events
  const events = await coreEvents(ctx, coreAbi, ["AccountLiquidated", "BadDebtSettled"], ctx.startBlock, latest);
  const liquidations = events.filter((e) => e.name === "AccountLiquidated");
  const badDebts = events.filter((e) => e.name === "BadDebtSettled");
  const big = (v: unknown) => (typeof v === "bigint" ? v : 0n);
  const parts = { insurance: 0n, lp: 0n, haircut: 0n };
  let badDebtTotal = 0n;
  for (const e of badDebts) {
    badDebtTotal += big(e.args.badDebt);
    for (const [field, value] of Object.entries(e.args)) {
      const part = waterfallPart(field);
      if (part) parts[part] += big(value);
    }
  }
  const closedNotional = liquidations.reduce((sum, e) => sum + big(e.args.closedNotional), 0n);

  // ------------------------------------------------------------------ haircut view (if the build has one)
  const haircutFn = coreAbi.find(
    (item) =>
      item.type === "function" &&
      /haircut/i.test(item.name) &&
      item.inputs.length === 0 &&
      (item.stateMutability === "view" || item.stateMutability === "pure"),
  ) as { name: string } | undefined;

  // ------------------------------------------------------------------ ledgers at every update block
  phase("ledgers");
  const read = (to: Hex, abi: Abi, functionName: string, args: unknown[], block: bigint) =>
    ["eth_call", [{ to, data: Wallets.data({ to, abi, functionName, args }) }, toHex(block)]] as const;
  const ledgerBlocks = [ctx.startBlock, ...updateBlocks, ctx.endBlock];
  const perBlock = haircutFn ? 5 : 4;
  const answers = await ctx.node.rpc.batchSettled<Hex>(
    ledgerBlocks.flatMap((block) => [
      read(d.core, coreAbi, "ledgers", [], block),
      read(d.core, coreAbi, "vaultNetAssetValue", [], block),
      read(d.vault, vaultAbi, "totalAssets", [], block),
      read(d.vault, vaultAbi, "totalSupply", [], block),
      ...(haircutFn ? [read(d.core, coreAbi, haircutFn.name, [], block)] : []),
    ]),
  );
  const dec = <T>(abi: Abi, functionName: string, data: Hex | Error): T | undefined =>
    data instanceof Error ? undefined : (decodeFunctionResult({ abi, functionName, data }) as T);
  const ledgerSeries = ledgerBlocks.map((block, i) => {
    const a = answers.slice(i * perBlock, (i + 1) * perBlock);
    const ledgers = dec<[bigint, bigint]>(coreAbi, "ledgers", a[0]!) ?? [0n, 0n];
    const nav = dec<bigint>(coreAbi, "vaultNetAssetValue", a[1]!) ?? 0n;
    const assets = dec<bigint>(vaultAbi, "totalAssets", a[2]!) ?? 0n;
    const supply = dec<bigint>(vaultAbi, "totalSupply", a[3]!) ?? 0n;
    // `profitHaircut()` returns (ΣP, U, h): the series is the haircut 1 − h (a build with a plain view: its value).
    const haircutRead = haircutFn ? dec<bigint | readonly bigint[]>(coreAbi, haircutFn.name, a[4]!) : undefined;
    const haircut =
      haircutRead === undefined
        ? 0n
        : typeof haircutRead === "bigint"
          ? haircutRead
          : 10n ** 18n - (haircutRead.at(-1) ?? 10n ** 18n);
    return {
      t: tOfBlock(block),
      block: Number(block),
      insuranceUsd: toUsd(ledgers[1]),
      lpLedgerUsd: toUsd(ledgers[0]),
      lpNavUsd: toUsd(nav),
      // Shares have 6 more decimals than the asset (the vault's decimals offset): price per 1e6 shares.
      lpSharePrice: supply === 0n ? 1 : (Number(assets) / Number(supply)) * 1e6,
      haircut: Number(haircut) / WAD,
    };
  });

  // ------------------------------------------------------------------ keeper lag (exact, by walking back)
  phase("lag walk");
  // For each liquidation at block L: the earliest price-update block from which the account was liquidatable
  // without interruption until L (state after that block). Lag = L − that block.
  const lastLiquidation = new Map<bigint, bigint>();
  const walks = liquidations
    .sort((a, b) => (a.block < b.block ? -1 : a.block > b.block ? 1 : 0))
    .map((e) => {
      const id = big(e.args.accountId);
      const floor = lastLiquidation.get(id) ?? ctx.startBlock;
      lastLiquidation.set(id, e.block);
      let k = updateBlocks.findLastIndex((b) => b < e.block);
      if (k >= 0 && updateBlocks[k]! < floor) k = -1;
      return { id, block: e.block, floor, k, first: e.block - 1n, done: k < 0 };
    });
  // One lens call per (block, 250 accounts) instead of one call per liquidation: a past block's state is the
  // expensive part of an eth_call on the node.
  // Bounded: past blocks are the node's slowest reads, and a keeper far behind (10,000 accounts, a gap) would
  // make every walk long. A walk still liquidatable MAX_WALK updates back gives a lower bound (counted as capped).
  for (let depth = 0; depth < Math.min(MAX_WALK, updateBlocks.length) && walks.some((w) => !w.done); depth++) {
    const open = walks.filter((w) => !w.done);
    const byBlock = new Map<bigint, bigint[]>();
    for (const w of open) {
      const block = updateBlocks[w.k]!;
      const ids = byBlock.get(block) ?? [];
      if (!ids.includes(w.id)) ids.push(w.id);
      byBlock.set(block, ids);
    }
    const queries = [...byBlock.entries()].flatMap(([block, ids]) => {
      const out = [];
      for (let i = 0; i < ids.length; i += 250) out.push({ block, ids: ids.slice(i, i + 250) });
      return out;
    });
    const results = await ctx.node.rpc.batchSettled<Hex>(
      queries.map((q) => read(ctx.lens, lensAbi, "accountHealths", [d.core, q.ids], q.block)),
      20,
    );
    const liquidatable = new Set<string>();
    queries.forEach((q, i) => {
      const healths = dec<{ liquidatable: boolean }[]>(lensAbi, "accountHealths", results[i]!) ?? [];
      healths.forEach((h, j) => {
        if (h.liquidatable) liquidatable.add(`${q.block}/${q.ids[j]}`);
      });
    });
    for (const w of open) {
      if (liquidatable.has(`${updateBlocks[w.k]}/${w.id}`)) {
        w.first = updateBlocks[w.k]!;
        w.k--;
        if (w.k < 0 || updateBlocks[w.k]! < w.floor) w.done = true;
      } else w.done = true;
    }
  }
  const capped = walks.filter((w) => !w.done).length;
  const lags = walks.map((w) => Number(w.block - w.first));
  const liquidatableAtUpdate = updates.map((u) => ({
    t: u.t,
    block: Number(u.block),
    count: walks.filter((w) => w.first <= u.block && u.block < w.block).length,
  }));

  // ------------------------------------------------------------------ health distribution at sampled blocks
  phase("health samples");
  const traderIds = ctx.traderIds;
  // About 30 samples at 1,000 accounts, fewer (down to 10) for larger populations: each is N/250 lens calls.
  const maxSamples = Math.max(10, Math.min(30, Math.floor((30 * 1000) / Math.max(1000, traderIds.length))));
  const stride = Math.max(1, Math.ceil(updates.length / maxSamples));
  const sampleUpdates = updates.filter((_, i) => i % stride === 0 || i === updates.length - 1);
  const chunk = 250;
  const health: RunMetrics["series"]["health"] = [];
  for (const u of sampleUpdates) {
    const calls = [];
    for (let i = 0; i < traderIds.length; i += chunk)
      calls.push(read(ctx.lens, lensAbi, "accountHealths", [d.core, traderIds.slice(i, i + chunk)], u.block));
    const results = await ctx.node.rpc.batchSettled<Hex>(calls, 20);
    const buckets: Record<string, number> = Object.fromEntries(HEALTH_BUCKETS.map((b) => [b, 0]));
    buckets.flat = 0;
    for (const result of results) {
      const healths = dec<{ healthFactor: bigint; liquidatable: boolean; maintenanceMargin: bigint }[]>(
        lensAbi,
        "accountHealths",
        result,
      );
      for (const h of healths ?? []) {
        if (h.maintenanceMargin === 0n || h.healthFactor === MAX_UINT) buckets.flat!++;
        else {
          const hf = Number(h.healthFactor) / WAD;
          const bucket = h.liquidatable
            ? HEALTH_BUCKETS[0]
            : hf < 1.1
              ? HEALTH_BUCKETS[1]
              : hf < 1.5
                ? HEALTH_BUCKETS[2]
                : hf < 2
                  ? HEALTH_BUCKETS[3]
                  : hf < 5
                    ? HEALTH_BUCKETS[4]
                    : HEALTH_BUCKETS[5];
          buckets[bucket]!++;
        }
      }
    }
    health.push({ t: u.t, block: Number(u.block), buckets });
  }

  // ------------------------------------------------------------------ liquidations per block
  const perBlockMap = new Map<bigint, { partial: number; full: number }>();
  for (const e of liquidations) {
    const entry = perBlockMap.get(e.block) ?? { partial: 0, full: 0 };
    if (e.args.full) entry.full++;
    else entry.partial++;
    perBlockMap.set(e.block, entry);
  }
  const liquidationsPerBlock = [...perBlockMap.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([block, v]) => ({ block: Number(block), t: tOfBlock(block), ...v }));

  // ------------------------------------------------------------------ keepers: rewards, gas, P&L
  phase("keeper gas");
  const keeperAddresses = new Map(ctx.keepers.map((k) => [k.address.toLowerCase(), k]));
  const keeperTxs: { from: string; hash: Hex; block: bigint }[] = [];
  const blockNumbers: bigint[] = [];
  for (let b = ctx.startBlock; b <= latest; b++) blockNumbers.push(b);
  const blocks = await rpc.batch<{ transactions: { from: string; hash: Hex }[] }>(
    blockNumbers.map((b) => ["eth_getBlockByNumber", [toHex(b), true]]),
    100,
  );
  blocks.forEach((block, i) => {
    for (const tx of block.transactions)
      if (keeperAddresses.has(tx.from.toLowerCase()))
        keeperTxs.push({ from: tx.from.toLowerCase(), hash: tx.hash, block: blockNumbers[i]! });
  });
  const receipts = await rpc.batch<{ gasUsed: Hex; effectiveGasPrice: Hex; status: Hex }>(
    keeperTxs.map((tx) => ["eth_getTransactionReceipt", [tx.hash]]),
    100,
  );
  const keepersDetail = ctx.keepers.map((k) => {
    const address = k.address.toLowerCase();
    let gasUsed = 0n;
    let gasUsd = 0;
    let transactions = 0;
    let reverted = 0;
    keeperTxs.forEach((tx, i) => {
      if (tx.from !== address) return;
      const r = receipts[i]!;
      transactions++;
      if (r.status !== "0x1") reverted++;
      const used = BigInt(r.gasUsed);
      gasUsed += used;
      gasUsd += (Number(used * BigInt(r.effectiveGasPrice)) / 1e18) * priceAt(tx.block, "ETH");
    });
    const mine = liquidations.filter((e) => String(e.args.recipient).toLowerCase() === address);
    const rewardsUsd = toUsd(mine.reduce((s, e) => s + big(e.args.keeperReward), 0n));
    return {
      address: k.address,
      transactions,
      reverted,
      liquidations: mine.length,
      rewardsUsd,
      gasUsed: Number(gasUsed),
      gasUsd,
      pnlUsd: rewardsUsd - gasUsd,
      starts: k.starts,
      crashes: k.crashes,
    };
  });

  // ------------------------------------------------------------------ final state: conservation, leftovers
  phase("final state");
  const created = await coreEvents(ctx, coreAbi, ["AccountCreated"], BigInt(d.deploymentBlock), latest);
  const allIds = created.map((e) => big(e.args.accountId));
  const accountAnswers = await rpc.batch<Hex>(
    allIds.map((id) => read(d.core, coreAbi, "getAccount", [id], latest)),
    200,
  );
  const margins = accountAnswers.reduce(
    (sum, data) => sum + (dec<{ margin: bigint }>(coreAbi, "getAccount", data)?.margin ?? 0n),
    0n,
  );
  const [vaultLedger, insuranceLedger] = await readContract<[bigint, bigint]>(rpc, {
    to: d.core,
    abi: coreAbi,
    functionName: "ledgers",
    args: [],
  });
  const unclaimed = await readContract<bigint>(rpc, {
    to: d.core,
    abi: coreAbi,
    functionName: "totalUnclaimedRewards",
    args: [],
  });
  const balance = await readContract<bigint>(rpc, {
    to: d.collateral,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [d.core],
  });
  const holds = balance * scale === margins + vaultLedger + insuranceLedger + unclaimed;
  const leftLiquidatable = await (async () => {
    let count = 0;
    for (let i = 0; i < traderIds.length; i += chunk) {
      const data = await rpc.call<Hex>("eth_call", [
        {
          to: ctx.lens,
          data: Wallets.data({
            to: ctx.lens,
            abi: lensAbi,
            functionName: "accountHealths",
            args: [d.core, traderIds.slice(i, i + chunk)],
          }),
        },
        toHex(ctx.endBlock),
      ]);
      count += (dec<{ liquidatable: boolean }[]>(lensAbi, "accountHealths", data) ?? []).filter(
        (h) => h.liquidatable,
      ).length;
    }
    return count;
  })();

  // ------------------------------------------------------------------ agents
  const flats = ctx.agents.filter((a) => a.role === "flat");
  const flatAccounts = flats.map((a) => ({
    label: a.label,
    depositedUsd: a.inUsd,
    withdrawnUsd: a.outUsd,
    lossUsd: a.inUsd - a.outUsd,
  }));
  const profitOf = (role: string) => ctx.agents.filter((a) => a.role === role).reduce((s, a) => s + a.profitUsd, 0);

  const first = ledgerSeries[0]!;
  const last = ledgerSeries.at(-1)!;
  const rewardsUsd = keepersDetail.reduce((s, k) => s + k.rewardsUsd, 0);
  const gasUsd = keepersDetail.reduce((s, k) => s + k.gasUsd, 0);
  const lag = percentiles(lags);
  const traders = ctx.population.traders;
  const headline: Headline = {
    badDebtTotalUsd: toUsd(badDebtTotal),
    badDebtPaidByInsuranceUsd: toUsd(parts.insurance),
    badDebtPaidByLpUsd: toUsd(parts.lp),
    badDebtPaidByHaircutUsd: toUsd(parts.haircut),
    badDebtUnattributedUsd: toUsd(badDebtTotal - parts.insurance - parts.lp - parts.haircut),
    flatAccountLossUsd: flatAccounts.reduce((s, f) => s + f.lossUsd, 0),
    liquidatedNotionalUsd: toUsd(closedNotional),
    deficitPercentOfLiquidatedNotional:
      closedNotional === 0n ? 0 : (Number(badDebtTotal) / Number(closedNotional)) * 100,
    keeperLagBlocksMedian: lag.median,
    keeperLagBlocksP95: lag.p95,
    keeperLagBlocksMax: lag.max,
    keeperPnlUsd: rewardsUsd - gasUsd,
    keeperRewardsUsd: rewardsUsd,
    keeperGasUsd: gasUsd,
    maxLiquidatableAtOnce: Math.max(0, ...liquidatableAtUpdate.map((x) => x.count)),
    lpReturnPercent: (last.lpSharePrice / first.lpSharePrice - 1) * 100,
    coalitionProfitUsd: profitOf("coalition"),
    jitLpProfitUsd: profitOf("jit-lp"),
    liquidations: liquidations.length,
    partialLiquidations: liquidations.filter((e) => !e.args.full).length,
    fullLiquidations: liquidations.filter((e) => e.args.full).length,
    accountsLiquidated: new Set(liquidations.map((e) => big(e.args.accountId))).size,
    accountsLeftLiquidatable: leftLiquidatable,
    insuranceStartUsd: first.insuranceUsd,
    insuranceEndUsd: last.insuranceUsd,
    // Insurance pays first: with x more at the start, the first x of what LPs paid would have been insurance's.
    insuranceNeededEstimateUsd: ctx.options.insuranceUsd + toUsd(parts.lp) + toUsd(parts.haircut),
    conservationHolds: holds ? 1 : 0,
  };
  const sortedLeverage = traders.map((t) => t.leverage);
  return {
    scenario: ctx.options.scenario,
    title: ctx.scenario.file.title,
    seed: ctx.options.seed,
    accounts: ctx.options.accounts,
    keepers: ctx.options.keepers,
    keeperLag: ctx.options.keeperLag,
    insuranceUsd: ctx.options.insuranceUsd,
    headline,
    haircut: haircutFn
      ? { source: `BallastCore.${haircutFn.name}()`, inThisBuild: true }
      : { source: "not in this build (no haircut view on the core): reported as 0", inThisBuild: false },
    waterfall: [
      { part: "bad debt", usd: headline.badDebtTotalUsd },
      { part: "insurance", usd: headline.badDebtPaidByInsuranceUsd },
      { part: "LP capital", usd: headline.badDebtPaidByLpUsd },
      { part: "haircut", usd: headline.badDebtPaidByHaircutUsd },
      { part: "unattributed", usd: headline.badDebtUnattributedUsd },
    ],
    lag: {
      ...lag,
      capped,
      definition: `blocks from the first price-update block after which the account was liquidatable (continuously) to the block of its liquidation; walks go back at most ${MAX_WALK} price updates (${capped} capped: lower bounds)`,
    },
    keepersDetail,
    conservation: {
      tokenBalanceWad: (balance * scale).toString(),
      margins: margins.toString(),
      vaultLedger: vaultLedger.toString(),
      insuranceLedger: insuranceLedger.toString(),
      unclaimedRewards: unclaimed.toString(),
      holds,
    },
    flatAccounts,
    agents: ctx.agents,
    population: {
      traders: traders.length,
      isolated: traders.filter((t) => t.isolated).length,
      cross: traders.filter((t) => !t.isolated).length,
      twoMarket: traders.filter((t) => t.secondSizeDelta !== 0n).length,
      long: traders.filter((t) => t.sizeDelta > 0n).length,
      short: traders.filter((t) => t.sizeDelta < 0n).length,
      leverage: percentiles(sortedLeverage),
      notionalUsd: percentiles(traders.map((t) => t.notionalUsd)),
      sizeScale: ctx.population.sizeScale,
      openInterestUsd: ctx.population.openInterestUsd,
    },
    series: {
      // From the deployed start prices (t = 0), then every update.
      prices: [
        {
          t: 0,
          block: Number(ctx.startBlock),
          prices: Object.fromEntries(ctx.markets.map((m) => [m.symbol, m.initialPriceUsd])),
          oracle: Object.fromEntries(ctx.markets.map((m) => [m.symbol, m.initialPriceUsd])),
        },
        ...updates.map((u) => ({ t: u.t, block: Number(u.block), prices: u.prices, oracle: u.oracle })),
      ],
      ledgers: ledgerSeries,
      health,
      liquidationsPerBlock,
      liquidatableAtUpdate,
    },
    loop: ctx.loop,
    timings: ctx.timings,
    scenarioFile: ctx.scenario.file,
  };
}
