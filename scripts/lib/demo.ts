/**
 * The demo's engine: on a Hardhat network connection (the embedded one for `npm run demo`), deploy Ballast with
 * Ignition, let LPs and insurance stakers deposit, have ~100 traders open positions at mixed leverage (cross and
 * isolated), crash the prices along a path, and let the SDK keeper — the same code as `npm run keeper`, in process,
 * over the network's EIP-1193 provider — liquidate. Returns a report with a token-conservation check.
 */
import { seededRandom } from "./random.js";
import type { NetworkConnection } from "hardhat/types/network";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  keccak256,
  maxUint256,
  type PublicClient,
  parseEventLogs,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ballastCoreAbi } from "../../sdk/src/abi/ballastCore.js";
import { insurancePoolAbi } from "../../sdk/src/abi/insurancePool.js";
import { liquidityVaultAbi } from "../../sdk/src/abi/liquidityVault.js";
import { mockAggregatorAbi } from "../../sdk/src/abi/mockAggregator.js";
import { mockErc20Abi } from "../../sdk/src/abi/mockErc20.js";
import { oracleAdapterAbi } from "../../sdk/src/abi/oracleAdapter.js";
import { orderBookAbi } from "../../sdk/src/abi/orderBook.js";
import type { BallastDeployment } from "../../sdk/src/deployment.js";
import { createKeeper } from "../../sdk/src/keeper/create.js";
import { KeeperMetrics } from "../../sdk/src/keeper/metrics.js";
import type { KeeperLogger } from "../../sdk/src/keeper/types.js";
import { requirements } from "../../sdk/src/math/marginTiers.js";
import { DEMO_CAPACITY, DEMO_INSURANCE_STAKES, DEMO_LP_DEPOSITS, LOCAL_MARKETS } from "./config.js";
import { deployBallast } from "./deployment.js";
import { pythUpdate } from "./orders.js";
import { feedAnswer, interpolatePath, type PricePoint, readCsvPath } from "./pricePaths.js";

const WAD = 10n ** 18n;

export interface DemoOptions {
  traders?: number;
  /** The crash: points of USD prices by symbol (default: scripts/data/crash.csv). */
  path?: PricePoint[];
  /** Points inserted per step of the path (linear), so the keeper sees the moves as a feed would. Default 4. */
  subSteps?: number;
  /** Chain seconds between points (funding accrues meanwhile). Default 3,600 / subSteps. */
  secondsPerPoint?: number;
  seed?: number;
  /** Called after each point with its index (1-based) and the liquidations so far. */
  onProgress?: (done: number, total: number, liquidations: number, point: PricePoint) => void;
  /** Called once before the crash starts with the number of points. */
  onStart?: (points: number) => void;
  logger?: KeeperLogger;
}

export interface DemoReport {
  deployment: BallastDeployment;
  traders: number;
  accounts: { total: number; cross: number; isolated: number; withPositions: number };
  openNotionalUsd: number;
  prices: { symbol: string; start: number; low: number; end: number }[];
  liquidations: {
    events: number;
    partial: number;
    full: number;
    accounts: number;
    accountsPartialOnly: number;
    accountsFull: number;
    accountsPartialThenFull: number;
    closedNotional: bigint;
    fees: bigint;
  };
  keeper: {
    address: Address;
    transactions: number;
    liquidated: number;
    rewards: bigint;
    claimable: bigint;
    latencyMeanSeconds: number;
  };
  insurance: { before: bigint; after: bigint; feesIn: bigint };
  badDebt: { total: bigint; coveredByInsurance: bigint; socialised: bigint; events: number };
  /** The waterfall's last step: the ratio at the end, and what converted profit lost to it during the crash. */
  haircut: { ratio: bigint; unconvertedProfit: bigint; lost: bigint; conversions: number };
  /** A bystander with margin and no position: what it deposited, and what it could withdraw after the crash. */
  flatAccount: { deposited: bigint; withdrew: bigint };
  /** The capacity the demo set (WAD fractions of LP capital). */
  capacity: typeof DEMO_CAPACITY;
  vault: { ledgerBefore: bigint; ledgerAfter: bigint; navBefore: bigint; navAfter: bigint };
  leftLiquidatable: number;
  conservation: {
    tokenBalanceWad: bigint;
    margins: bigint;
    vaultLedger: bigint;
    insuranceLedger: bigint;
    claimableRewards: bigint;
    holds: boolean;
  };
  durationMs: number;
}

interface TraderPlan {
  isolated?: number;
  trades: { market: number; notionalUsd: number; long: boolean }[];
  leverage: number;
}

/** ~100 traders: 30% isolated, the rest cross over 1–3 markets; 80% long; leverage 2x–40x within each table. */
function planTraders(count: number, seed: number): TraderPlan[] {
  const rng = seededRandom(seed);
  const leverages = [2, 3, 4, 5, 8, 10, 12, 15, 20, 25, 30, 40];
  return Array.from({ length: count }, (_, i) => {
    const isolated = i % 10 < 3 ? rng.int(0, 2) : undefined;
    const markets = isolated !== undefined ? [isolated] : [0, 1, 2].filter(() => rng.next() < 0.55);
    if (markets.length === 0) markets.push(rng.int(0, 2));
    const long = rng.next() < 0.8;
    return {
      isolated,
      leverage: rng.pick(leverages),
      trades: markets.map((market) => ({
        market,
        // Mostly retail sizes, a few whales reaching the second bracket.
        notionalUsd: rng.next() < 0.1 ? rng.int(60_000, 150_000) : rng.int(2_000, 40_000),
        long: rng.next() < 0.9 ? long : !long,
      })),
    };
  });
}

export async function runDemo(connection: NetworkConnection, options: DemoOptions = {}): Promise<DemoReport> {
  const started = Date.now();
  const provider = connection.provider;
  const transport = custom(provider);
  const publicClient = createPublicClient({ transport }) as PublicClient;
  const rpc = (method: string, params: unknown[] = []) => provider.request({ method, params });

  const deployment = await deployBallast(connection);
  const chain = defineChain({
    id: deployment.chainId,
    name: "hardhat",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [] } },
  });
  const unit = 10n ** BigInt(deployment.collateralDecimals);
  const scale = 10n ** BigInt(18 - deployment.collateralDecimals);
  const core = deployment.core;
  const read = <T>(
    functionName: string,
    args: unknown[] = [],
    address: Address = core,
    abi: unknown = ballastCoreAbi,
  ) =>
    publicClient.readContract({
      address,
      abi: abi as typeof ballastCoreAbi,
      functionName: functionName as "ledgers",
      args: args as [],
    }) as Promise<T>;

  // Local wallets signed in process; the node only sees raw transactions.
  async function wallet(label: string) {
    const account = privateKeyToAccount(keccak256(toHex(`ballast-demo-${label}`)));
    await rpc("hardhat_setBalance", [account.address, toHex(10n ** 21n)]);
    const client = createWalletClient({ account, chain, transport });
    let nonce = await publicClient.getTransactionCount({ address: account.address });
    const write = async (address: Address, abi: unknown, functionName: string, args: unknown[], value?: bigint) => {
      const hash = await client.writeContract({
        address,
        abi: abi as typeof ballastCoreAbi,
        functionName: functionName as "deposit",
        args: args as [bigint, bigint],
        nonce: nonce++,
        gas: 3_000_000n,
        ...(value === undefined ? {} : { value }),
      } as Parameters<typeof client.writeContract>[0]);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`${label}: ${functionName} reverted`);
      return receipt;
    };
    return { address: account.address, write };
  }

  // ---------------------------------------------------------------- liquidity: LPs and insurance stakers
  // LP deposits are ERC-7540 requests: escrowed now, settled by anyone (here a keeper) after the vault's delay.
  const lps = [];
  for (const [i, assets] of DEMO_LP_DEPOSITS.entries()) {
    const lp = await wallet(`lp-${i}`);
    await lp.write(deployment.collateral, mockErc20Abi, "mint", [lp.address, assets * unit]);
    await lp.write(deployment.collateral, mockErc20Abi, "approve", [deployment.vault, maxUint256]);
    await lp.write(deployment.vault, liquidityVaultAbi, "requestDeposit", [assets * unit, lp.address, lp.address]);
    lps.push(lp.address);
  }
  const settlementDelay = await read<number>("settlementDelay", [], deployment.vault, liquidityVaultAbi);
  await rpc("evm_increaseTime", [Number(settlementDelay)]);
  await rpc("evm_mine", []);
  const lpSettler = await wallet("lp-settler");
  for (const lp of lps) await lpSettler.write(deployment.vault, liquidityVaultAbi, "settleDeposit", [lp]);
  for (const [i, assets] of DEMO_INSURANCE_STAKES.entries()) {
    const staker = await wallet(`staker-${i}`);
    await staker.write(deployment.collateral, mockErc20Abi, "mint", [staker.address, assets * unit]);
    await staker.write(deployment.collateral, mockErc20Abi, "approve", [deployment.insurancePool, maxUint256]);
    await staker.write(deployment.insurancePool, insurancePoolAbi, "deposit", [assets * unit, staker.address]);
  }

  // Capacity tied to the LP capital now in (config.ts: DEMO_CAPACITY and its derivation), set by the deployer.
  const [deployer] = (await rpc("eth_accounts")) as Address[];
  const admin = createWalletClient({ account: deployer!, chain, transport });
  const risk = await read<Record<string, bigint>>("riskParams");
  const setRisk = await admin.writeContract({
    address: core,
    abi: ballastCoreAbi,
    functionName: "setRiskParams",
    args: [{ ...risk, ...DEMO_CAPACITY } as never],
    chain,
  });
  await publicClient.waitForTransactionReceipt({ hash: setRisk });

  // A bystander: margin in, never trades. After the crash it withdraws everything (invariant 11).
  const bystander = await wallet("flat");
  const flatDeposit = 50_000n * unit;
  await bystander.write(deployment.collateral, mockErc20Abi, "mint", [bystander.address, flatDeposit]);
  await bystander.write(deployment.collateral, mockErc20Abi, "approve", [core, maxUint256]);
  const flatCreated = await bystander.write(core, ballastCoreAbi, "createAccount", [false, 0n]);
  const flatId = parseEventLogs({ abi: ballastCoreAbi, eventName: "AccountCreated", logs: flatCreated.logs })[0]!.args
    .accountId;
  await bystander.write(core, ballastCoreAbi, "deposit", [flatId, flatDeposit]);

  // ---------------------------------------------------------------- traders (through orders)
  // Every trade is an order: the trader commits it, and the demo's settler settles it one block later with a local
  // Pyth (MockPythUnique) update published at the order's settleTime, at the adapter's price.
  const orderBook = deployment.orderBook!;
  const settler = await wallet("settler");
  async function settleAtAdapterPrice(accountId: bigint, marketId: number) {
    const order = await read<{ settleTime: number }>(
      "getOrder",
      [accountId, BigInt(marketId)],
      orderBook,
      orderBookAbi,
    );
    const market = deployment.markets[marketId]!;
    const priceWad = await read<bigint>("getPrice", [market.feedId], deployment.oracle, oracleAdapterAbi);
    const update = pythUpdate({ feedId: market.pythFeedId!, priceWad, publishTime: BigInt(order.settleTime) });
    const receipt = await settler.write(orderBook, orderBookAbi, "settle", [accountId, BigInt(marketId), [update]], 1n);
    const cancelled = parseEventLogs({ abi: orderBookAbi, eventName: "OrderCancelled", logs: receipt.logs });
    if (cancelled.length > 0) throw new Error(`order of account ${accountId} cancelled: ${cancelled[0]!.args.reason}`);
  }
  const traderCount = options.traders ?? 100;
  const plans = planTraders(traderCount, options.seed ?? 2024);
  const startPrices = LOCAL_MARKETS.map((m) => m.initialPriceUsd);
  const accountIds: bigint[] = [];
  let cross = 0;
  let isolated = 0;
  let openNotionalUsd = 0;
  for (const [i, plan] of plans.entries()) {
    const trader = await wallet(`trader-${i}`);
    // Deposit = notional / leverage, but never below 1.1 × the table's initial margin.
    let deposit = 0n;
    for (const trade of plan.trades) {
      const notional = BigInt(trade.notionalUsd) * WAD;
      const { initialMargin } = requirements(LOCAL_MARKETS[trade.market]!.tiers, notional);
      const byLeverage = notional / BigInt(plan.leverage);
      deposit += byLeverage > (initialMargin * 11n) / 10n ? byLeverage : (initialMargin * 11n) / 10n;
    }
    const assets = deposit / scale + unit;
    await trader.write(deployment.collateral, mockErc20Abi, "mint", [trader.address, assets]);
    await trader.write(deployment.collateral, mockErc20Abi, "approve", [core, maxUint256]);
    // The settlement fee of each order is escrowed from the trader's wallet.
    await trader.write(deployment.collateral, mockErc20Abi, "mint", [trader.address, 10n * unit]);
    await trader.write(deployment.collateral, mockErc20Abi, "approve", [orderBook, maxUint256]);
    const created = await trader.write(core, ballastCoreAbi, "createAccount", [
      plan.isolated !== undefined,
      BigInt(plan.isolated ?? 0),
    ]);
    const [event] = parseEventLogs({ abi: ballastCoreAbi, eventName: "AccountCreated", logs: created.logs });
    const accountId = event!.args.accountId;
    accountIds.push(accountId);
    if (plan.isolated !== undefined) isolated++;
    else cross++;
    await trader.write(core, ballastCoreAbi, "deposit", [accountId, assets]);
    for (const trade of plan.trades) {
      const size = (BigInt(trade.notionalUsd) * WAD * WAD) / (BigInt(startPrices[trade.market]!) * WAD);
      await trader.write(orderBook, orderBookAbi, "commitOrder", [
        accountId,
        BigInt(trade.market),
        trade.long ? size : -size,
        trade.long ? maxUint256 : 0n,
        0n,
      ]);
      await settleAtAdapterPrice(accountId, trade.market);
      openNotionalUsd += trade.notionalUsd;
    }
  }

  // ---------------------------------------------------------------- the keeper, in process
  const keeperAccount = await wallet("keeper");
  const metrics = new KeeperMetrics();
  const { keeper } = await createKeeper({
    transport,
    deployment,
    account: privateKeyToAccount(keccak256(toHex("ballast-demo-keeper"))),
    reorgDepth: 0,
    pollIntervalMs: 50,
    batchSize: 10,
    maxConcurrency: 2,
    metrics,
    logger: options.logger,
  });
  await keeper.tick();

  const [vaultLedgerBefore, insuranceBefore] = await read<[bigint, bigint]>("ledgers");
  const navBefore = await read<bigint>("vaultNetAssetValue");
  const crashFrom = await publicClient.getBlockNumber();

  // ---------------------------------------------------------------- the crash
  const subSteps = options.subSteps ?? 2;
  const startPoint = Object.fromEntries(LOCAL_MARKETS.map((m) => [m.symbol, m.initialPriceUsd]));
  const csv = options.path ?? readCsvPath(new URL("../data/crash.csv", import.meta.url).pathname);
  const path = interpolatePath(startPoint, csv, subSteps);
  const feeder = await wallet("feeder");
  const lows = LOCAL_MARKETS.map((m) => m.initialPriceUsd);
  let liquidationEvents = 0;
  options.onStart?.(path.length);
  for (const [i, point] of path.entries()) {
    await rpc("evm_increaseTime", [options.secondsPerPoint ?? Math.round(3_600 / subSteps)]);
    for (const market of deployment.markets) {
      const usd = point[market.symbol];
      if (usd === undefined) continue;
      lows[market.marketId] = Math.min(lows[market.marketId]!, usd);
      await feeder.write(market.feed, mockAggregatorAbi, "setAnswer", [feedAnswer(usd)]);
    }
    // Let the keeper work until nothing is left to liquidate at this price (bounded).
    for (let round = 0; round < 20; round++) {
      const report = await keeper.tick();
      await keeper.idle();
      if (report.unhealthy === 0 && report.newBlock) break;
    }
    liquidationEvents = keeper.liquidated.size;
    options.onProgress?.(i + 1, path.length, liquidationEvents, point);
  }
  await keeper.stop();
  const flatBalance = await read<bigint>("balanceOf", [bystander.address], deployment.collateral, mockErc20Abi);
  await bystander.write(core, ballastCoreAbi, "withdraw", [flatId, flatDeposit, bystander.address]);
  const flatWithdrew =
    (await read<bigint>("balanceOf", [bystander.address], deployment.collateral, mockErc20Abi)) - flatBalance;

  // ---------------------------------------------------------------- the report
  const logs = await publicClient.getLogs({
    address: core,
    events: ballastCoreAbi.filter(
      (item) => item.type === "event" && ["AccountLiquidated", "BadDebtSettled", "ProfitConverted"].includes(item.name),
    ) as never,
    fromBlock: crashFrom + 1n,
  });
  const liquidated = parseEventLogs({ abi: ballastCoreAbi, eventName: "AccountLiquidated", logs });
  const badDebts = parseEventLogs({ abi: ballastCoreAbi, eventName: "BadDebtSettled", logs });
  const conversions = parseEventLogs({ abi: ballastCoreAbi, eventName: "ProfitConverted", logs });
  const [unconvertedProfit, , haircutRatio] = await read<[bigint, bigint, bigint]>("profitHaircut");
  const byAccount = new Map<bigint, boolean[]>();
  for (const event of liquidated) {
    byAccount.set(event.args.accountId, [...(byAccount.get(event.args.accountId) ?? []), event.args.full]);
  }
  const accountsFull = [...byAccount.values()].filter((flags) => flags.includes(true)).length;
  const accountsPartialThenFull = [...byAccount.values()].filter(
    (flags) => flags.includes(true) && flags.includes(false),
  ).length;
  const recipients = new Set(liquidated.map((event) => event.args.recipient));
  const keeperTxs = new Set(
    liquidated.filter((e) => e.args.liquidator === keeperAccount.address).map((e) => e.transactionHash),
  );

  let margins = 0n;
  let withPositions = 0;
  let leftLiquidatable = 0;
  const totalAccounts = await publicClient.getLogs({
    address: core,
    event: ballastCoreAbi.find((item) => item.type === "event" && item.name === "AccountCreated") as never,
    fromBlock: BigInt(deployment.deploymentBlock),
  });
  for (const id of accountIds) {
    const account = await read<{ margin: bigint; activeMarkets: bigint }>("getAccount", [id]);
    margins += account.margin;
    if (account.activeMarkets !== 0n) withPositions++;
    if ((await read<{ liquidatable: boolean }>("accountHealth", [id])).liquidatable) leftLiquidatable++;
  }
  let claimableRewards = 0n;
  for (const recipient of recipients) claimableRewards += await read<bigint>("claimableRewards", [recipient]);
  const [vaultLedger, insuranceLedger] = await read<[bigint, bigint]>("ledgers");
  const balance = await read<bigint>("balanceOf", [core], deployment.collateral, mockErc20Abi);
  const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);
  const latency = await metrics.detectionToConfirmation.get();
  const latencySum = latency.values.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
  const latencyCount = latency.values.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0;

  return {
    deployment,
    traders: traderCount,
    accounts: { total: totalAccounts.length, cross, isolated, withPositions },
    openNotionalUsd,
    prices: deployment.markets.map((market) => ({
      symbol: market.symbol,
      start: startPrices[market.marketId]!,
      low: lows[market.marketId]!,
      end: path.at(-1)?.[market.symbol] ?? startPrices[market.marketId]!,
    })),
    liquidations: {
      events: liquidated.length,
      partial: liquidated.filter((e) => !e.args.full).length,
      full: liquidated.filter((e) => e.args.full).length,
      accounts: byAccount.size,
      accountsPartialOnly: byAccount.size - accountsFull,
      accountsFull,
      accountsPartialThenFull,
      closedNotional: sum(liquidated.map((e) => e.args.closedNotional)),
      fees: sum(liquidated.map((e) => e.args.fee)),
    },
    keeper: {
      address: keeperAccount.address,
      transactions: keeperTxs.size,
      liquidated: keeper.liquidated.size,
      rewards: sum(
        liquidated.filter((e) => e.args.recipient === keeperAccount.address).map((e) => e.args.keeperReward),
      ),
      claimable: await read<bigint>("claimableRewards", [keeperAccount.address]),
      latencyMeanSeconds: latencyCount > 0 ? latencySum / latencyCount : 0,
    },
    insurance: {
      before: insuranceBefore,
      after: insuranceLedger,
      feesIn: sum(liquidated.map((e) => e.args.fee - e.args.keeperReward)),
    },
    badDebt: {
      total: sum(badDebts.map((e) => e.args.badDebt)),
      coveredByInsurance: sum(badDebts.map((e) => e.args.coveredByInsurance)),
      socialised: sum(badDebts.map((e) => e.args.socialised)),
      events: badDebts.length,
    },
    haircut: {
      ratio: haircutRatio,
      unconvertedProfit,
      lost: sum(conversions.map((e) => e.args.profit - e.args.paid)),
      conversions: conversions.length,
    },
    flatAccount: { deposited: flatDeposit * scale, withdrew: flatWithdrew * scale },
    capacity: DEMO_CAPACITY,
    vault: {
      ledgerBefore: vaultLedgerBefore,
      ledgerAfter: vaultLedger,
      navBefore,
      navAfter: await read<bigint>("vaultNetAssetValue"),
    },
    leftLiquidatable,
    conservation: {
      tokenBalanceWad: balance * scale,
      margins,
      vaultLedger,
      insuranceLedger,
      claimableRewards,
      holds: balance * scale === margins + vaultLedger + insuranceLedger + claimableRewards,
    },
    durationMs: Date.now() - started,
  };
}

/** Formats WAD USD as dollars with cents. */
export function usd(wad: bigint): string {
  const negative = wad < 0n;
  const cents = ((negative ? -wad : wad) + 5n * 10n ** 15n) / 10n ** 16n;
  const text = `$${(cents / 100n).toLocaleString("en-US")}.${(cents % 100n).toString().padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}

/** The report as text. */
export function formatReport(report: DemoReport): string {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(34)} ${value}`);
  const l = report.liquidations;
  lines.push("", "Ballast demo: a crash and its liquidations", "");
  lines.push("Setup");
  row(
    "traders / accounts",
    `${report.traders} traders, ${report.accounts.cross} cross + ${report.accounts.isolated} isolated accounts`,
  );
  row("open notional before the crash", `$${report.openNotionalUsd.toLocaleString("en-US")}`);
  for (const price of report.prices) {
    const drop = ((price.low / price.start - 1) * 100).toFixed(1);
    row(
      `${price.symbol} price`,
      `$${price.start.toLocaleString("en-US")} → low $${price.low.toLocaleString("en-US")} (${drop}%) → $${price.end.toLocaleString("en-US")}`,
    );
  }
  lines.push("", "Liquidations");
  row("liquidation events", `${l.events} (${l.partial} partial, ${l.full} full)`);
  row(
    "accounts liquidated",
    `${l.accounts}: ${l.accountsPartialOnly} partially only, ${l.accountsFull} fully (${l.accountsPartialThenFull} of them partially first)`,
  );
  row("notional closed", usd(l.closedNotional));
  row("liquidation fees", usd(l.fees));
  row("accounts still liquidatable", String(report.leftLiquidatable));
  lines.push("", "Keeper");
  row("address", report.keeper.address);
  row("transactions (liquidateMany)", String(report.keeper.transactions));
  row("rewards earned (claimable)", `${usd(report.keeper.rewards)} (${usd(report.keeper.claimable)} claimable)`);
  row("detection → confirmation (mean)", `${(report.keeper.latencyMeanSeconds * 1000).toFixed(0)} ms`);
  lines.push("", "Insurance and bad debt");
  row("insurance pool before → after", `${usd(report.insurance.before)} → ${usd(report.insurance.after)}`);
  row("liquidation fees to insurance", usd(report.insurance.feesIn));
  row("bad debt", `${usd(report.badDebt.total)} in ${report.badDebt.events} accounts`);
  row("  covered by insurance", usd(report.badDebt.coveredByInsurance));
  row("  socialised to LPs", usd(report.badDebt.socialised));
  const h = report.haircut;
  row(
    "profit haircut (last step)",
    `ratio ${(Number(h.ratio) / 1e18).toFixed(4)}; ${usd(h.lost)} lost in ${h.conversions} conversions; ${usd(h.unconvertedProfit)} unconverted`,
  );
  row("flat account withdrew", `${usd(report.flatAccount.withdrew)} of ${usd(report.flatAccount.deposited)} deposited`);
  row(
    "capacity (× LP capital)",
    `open interest ${(Number(report.capacity.maxOpenInterestFactor) / 1e18).toFixed(2)}, skew ${(Number(report.capacity.maxSkewFactor) / 1e18).toFixed(2)}, PnL ${(Number(report.capacity.maxPnlFactor) / 1e18).toFixed(2)}`,
  );
  row("LP ledger before → after", `${usd(report.vault.ledgerBefore)} → ${usd(report.vault.ledgerAfter)}`);
  row("vault NAV before → after", `${usd(report.vault.navBefore)} → ${usd(report.vault.navAfter)}`);
  const c = report.conservation;
  lines.push("", "Token conservation (WAD): core balance × 10^(18 − decimals) = Σ margins + LP + insurance + rewards");
  row("core balance", c.tokenBalanceWad.toString());
  row("Σ ledgers", (c.margins + c.vaultLedger + c.insuranceLedger + c.claimableRewards).toString());
  row("holds", c.holds ? "yes, to the unit" : "NO");
  lines.push("", `Done in ${(report.durationMs / 1000).toFixed(1)} s.`);
  return lines.join("\n");
}
