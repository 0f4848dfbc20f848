/**
 * The liquidation keeper: on every new block it brings its index up to date, reads the oracle prices once,
 * recomputes account health off chain with the SDK's math (no per-account RPC reads), and sends the liquidatable
 * accounts to `liquidateMany`, most underwater first, in batches, a bounded number at a time.
 *
 * Risk-scheduled checks: after evaluating a healthy account the keeper works out how far prices could move, and how
 * long funding could run, before the account could possibly reach its maintenance margin (with a safety factor of
 * 2.5 on each), and skips it until a price leaves that band, the time runs out (funding and margin ramps move
 * with time), or the account or a market changes. Liquidatable and nearly liquidatable accounts are therefore checked on every
 * block; comfortable ones rarely.
 *
 * With an {@link OrderSettler} (`orders`), the same loop settles orders: its batches go through the same executor
 * (one key, one nonce manager) and share the `maxConcurrency` slots, after liquidations: a settlement batch starts
 * only when no liquidation batch is waiting for a slot, and settlements never take the last free slot
 * (with `maxConcurrency` > 1), so a liquidation wave always has one. Order indexing and price fetches run beside the
 * loop: a slow or dead price service never delays a liquidation.
 *
 * Failures never stop the loop: an iteration that throws (RPC down, timeout) is retried with exponential backoff;
 * a failed liquidation is retried with a per-account backoff.
 *
 * @module
 */
import { type RiskParams, WAD } from "../index.js";
import { BatchGasError, liquidationGasModel } from "./executor.js";
import { type AccountRisk, HealthEvaluator, HealthUnavailableError } from "./health.js";
import type { KeeperHealthStatus, KeeperMetrics } from "./metrics.js";
import type { OrderSettler, SettleJob } from "./orders.js";
import { estimateProfit, expectedReward, formatUsd, type ProfitInputs } from "./profit.js";
import type {
  AccountRecord,
  AccountSource,
  BlockSource,
  ChainHead,
  Executor,
  IndexView,
  KeeperLogger,
  MarketRecord,
  PriceMap,
  PriceSource,
} from "./types.js";

/** The share of an account's slack that price moves, and separately funding, may use up before a recheck. */
const SLACK_SHARE = 0.4;

export interface KeeperOptions {
  blocks: BlockSource;
  accounts: AccountSource;
  prices: PriceSource;
  executor: Executor;
  logger?: KeeperLogger;
  metrics?: KeeperMetrics;
  /** How often to look for a new block. Default 1,000 ms. */
  pollIntervalMs?: number;
  /** Accounts per `liquidateMany`. Default 25. */
  batchSize?: number;
  /**
   * A batch also ends before its modelled gas ({@link liquidationGasModel}) passes this, or 90% of the latest block's
   * gas limit when that is lower. Default 12,000,000.
   */
  maxBatchGas?: bigint;
  /** The gas model batches are planned with. Default {@link liquidationGasModel}. */
  gasModel?: (positions: readonly (readonly number[])[]) => bigint;
  /** Batches in flight at once. Default 2. */
  maxConcurrency?: number;
  /**
   * The first batch of a wave (nothing in flight) holds at most this many accounts, the most underwater: its
   * simulation is short, so it reaches the next block even on a slow node; the rest follow in full batches.
   * Default 10.
   */
  firstBatchSize?: number;
  /** Margin ratio (WAD) from which a healthy account is logged as at risk. Default 0.8e18 (80%). */
  warnMarginRatio?: bigint;
  /** Longest a healthy account goes without a recheck, in chain seconds. Default 60. */
  maxRecheckSeconds?: number;
  /** Evaluate every account on every block (no risk scheduling). Default false. */
  fullScan?: boolean;
  /** Backoff of failed iterations, ms. Default 250 → 15,000. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** `/health` fails when no iteration succeeded for this long. Default max(30 s, 10 polls). */
  staleAfterMs?: number;
  /** The profitability rule ({@link ProfitabilityOptions}); omitted: every liquidatable account is sent. */
  profitability?: ProfitabilityOptions;
  /** How often the sender's balance gauge is refreshed, ms. Default 30,000. */
  balanceIntervalMs?: number;
  /** Order settlement: its batches run through `executor` after liquidations (see the module comment). */
  orders?: OrderSettler;
}

/** Send a liquidation only when expected reward − estimated gas cost ≥ `minProfitUsd` (see `profit.ts`). */
export interface ProfitabilityOptions {
  /** WAD USD; may be negative (accept a loss up to that much, e.g. to clear bankrupt accounts). */
  minProfitUsd: bigint;
  /** USD per whole native token, WAD: converts the gas cost to USD. */
  nativePriceUsd: bigint;
  /**
   * The reward parameters at `head`: the core's `riskParams()` and, once the protocol pays one, the reward floor.
   * Read once per new block.
   */
  rewardParams(head: ChainHead): Promise<{ riskParams: RiskParams; rewardFloor?: bigint }>;
}

/** What one iteration saw and did. */
export interface TickReport {
  head: ChainHead;
  /** False when the head had not moved (nothing was re-evaluated). */
  newBlock: boolean;
  accounts: number;
  evaluated: number;
  unhealthy: number;
  atRisk: number;
  /** Accounts whose markets have no usable price right now. */
  unpriced: number;
  /** Liquidatable accounts left alone because their liquidation would not pay (profitability rule). */
  unprofitable: number;
  /** Accounts handed to the executor in this iteration. */
  dispatched: number;
}

/** A liquidatable account waiting for (or in) a transaction. */
export interface Candidate {
  accountId: bigint;
  healthFactor: bigint;
  equity: bigint;
  maintenanceMargin: bigint;
}

interface Schedule {
  /** Recheck at or after this chain time. */
  dueAt: bigint;
  /** Recheck when a price leaves its [low, high] band. */
  bands: Map<number, readonly [bigint, bigint]>;
  atRisk: boolean;
}

/** What the scheduler needs from a market, as floats. */
interface MarketInfo {
  /** The highest maintenance rate of the table in force (and of the one a ramp starts from). */
  maxMmr: number;
  maxFundingRate: number;
  /** How fast a ramp can move a requirement, per unit of notional and second (0 without a ramp). */
  rampRate: number;
}

interface Hold {
  /** Not before the index has passed this block. */
  afterBlock?: bigint;
  /** Not before this wall-clock time (ms). */
  untilMs?: number;
}

const sleep = (ms: number, signal: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

/** Compares candidates: the most underwater first (lowest health factor, then lowest equity). */
export function byRisk(a: Candidate, b: Candidate): number {
  if (a.healthFactor !== b.healthFactor) return a.healthFactor < b.healthFactor ? -1 : 1;
  if (a.equity !== b.equity) return a.equity < b.equity ? -1 : 1;
  return a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0;
}

const toNumber = (wad: bigint) => Number(wad) / 1e18;

export class Keeper {
  private readonly options: Required<
    Pick<
      KeeperOptions,
      "pollIntervalMs" | "batchSize" | "maxConcurrency" | "warnMarginRatio" | "maxRecheckSeconds" | "fullScan"
    >
  > &
    KeeperOptions;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly sleeper: { wake?: () => void } = {};
  private lastHead: ChainHead | undefined;
  private lastView: IndexView | undefined;
  private readonly schedule = new Map<bigint, Schedule>();
  private readonly unhealthySince = new Map<bigint, number>();
  private readonly inFlight = new Set<bigint>();
  private readonly holds = new Map<bigint, Hold>();
  private readonly attempts = new Map<bigint, number>();
  private readonly tasks = new Set<Promise<void>>();
  private candidates: Candidate[] = [];
  private consecutiveErrors = 0;
  private lastSuccessMs = 0;
  private lastUnhealthy = 0;
  /** Changes synced but not yet scanned (an iteration can fail between the two): never lost. */
  private readonly unscanned = new Set<bigint>();
  /** Accounts whose evaluation throws (logged once). */
  private readonly broken = new Set<bigint>();
  private unscannedMarkets = false;
  /** The largest batch for now: halved when a batch does not fit in gas, grown back after successes. */
  private batchLimit: number;
  private batchSuccesses = 0;
  /** Liquidatable accounts currently skipped as unprofitable (logged and counted once per episode). */
  private readonly unprofitable = new Set<bigint>();
  private lastUnprofitable = 0;
  private lastBalanceMs = 0;
  /** Accounts this keeper liquidated (for reports and tests). */
  readonly liquidated = new Set<bigint>();
  /** The order index refresh (events, price updates) in progress, if any. */
  private ordersRefresh: Promise<void> | undefined;
  private ordersRefreshFailures = 0;
  /** Settlement batches in flight. */
  private settling = 0;
  /** Set by {@link stop}: no new settlement batch starts. */
  private stopped = false;

  constructor(options: KeeperOptions) {
    this.options = {
      pollIntervalMs: 1_000,
      batchSize: 25,
      maxConcurrency: 2,
      warnMarginRatio: (8n * WAD) / 10n,
      maxRecheckSeconds: 60,
      fullScan: false,
      ...options,
    };
    this.batchLimit = this.options.batchSize;
    // Set from the start: a gauge that is only set on changes reads 0 until the first gas failure.
    this.options.metrics?.batchSizeLimit.set(this.batchLimit);
  }

  /** The largest batch the keeper sends for now (≤ `batchSize`; lower after gas failures). */
  get batchSizeLimit(): number {
    return this.batchLimit;
  }

  private get log(): KeeperLogger | undefined {
    return this.options.logger;
  }

  /** The index as of the last iteration. */
  get view(): IndexView | undefined {
    return this.lastView;
  }

  /** Liquidatable accounts of the last evaluation, most underwater first. */
  get pending(): readonly Candidate[] {
    return this.candidates;
  }

  /** One iteration: sync, price, evaluate, dispatch. Throws on RPC failure (the loop retries). */
  async tick(): Promise<TickReport> {
    const head = await this.options.blocks.latest();
    this.options.metrics?.headBlock.set(Number(head.number));
    if (this.lastHead !== undefined && head.hash === this.lastHead.hash && this.lastView !== undefined) {
      this.refreshOrders(head);
      const dispatched = this.dispatch();
      return {
        head,
        newBlock: false,
        accounts: this.lastView.accountCount,
        evaluated: 0,
        unhealthy: this.lastUnhealthy,
        atRisk: 0,
        unpriced: 0,
        unprofitable: this.lastUnprofitable,
        dispatched,
      };
    }
    const view = await this.options.accounts.sync(head);
    this.remember(view);
    const markets = view.markets();
    // Prices and the profitability inputs are independent reads: one round trip, not two.
    const [prices, profit] = await Promise.all([
      view.oracle === undefined || markets.length === 0
        ? new Map<number, bigint>()
        : this.options.prices.getPrices(head, markets, view.oracle),
      this.profitInputs(head),
    ]);
    const report = this.scan(view, prices, profit);
    this.lastHead = head;
    this.lastView = view;
    this.options.metrics?.committedBlock.set(Number(view.committedBlock));
    this.options.metrics?.accountsTracked.set(view.accountCount);
    const dispatched = this.dispatch();
    this.refreshOrders(head);
    return { ...report, dispatched };
  }

  /**
   * Brings the order index and its price updates up to `head` beside the loop (one refresh at a time), then
   * dispatches: a refresh that fails (the chain or the price service) is logged and retried on the next iteration.
   */
  private refreshOrders(head: ChainHead): void {
    const orders = this.options.orders;
    if (orders === undefined || this.ordersRefresh !== undefined) return;
    this.ordersRefresh = orders
      .refresh(head)
      .then(() => {
        if (this.ordersRefreshFailures > 0) this.log?.info({ after: this.ordersRefreshFailures }, "orders: recovered");
        this.ordersRefreshFailures = 0;
      })
      .catch((error: unknown) => {
        this.ordersRefreshFailures++;
        this.options.metrics?.rpcErrors.inc();
        this.log?.error({ err: error, attempt: this.ordersRefreshFailures }, "order index refresh failed: retrying");
      })
      .finally(() => {
        this.ordersRefresh = undefined;
        this.dispatch();
      });
  }

  private async profitInputs(head: ChainHead): Promise<ProfitInputs | undefined> {
    const rule = this.options.profitability;
    if (rule === undefined) return undefined;
    const [{ riskParams, rewardFloor }, gasPrice] = await Promise.all([
      rule.rewardParams(head),
      this.options.executor.gasPrice?.(head) ?? 0n,
    ]);
    return { riskParams, rewardFloor, gasPrice, nativePriceUsd: rule.nativePriceUsd, minProfitUsd: rule.minProfitUsd };
  }

  private remember(view: IndexView): void {
    for (const id of view.changedAccounts) this.unscanned.add(id);
    if (view.marketsChanged) this.unscannedMarkets = true;
  }

  /**
   * Evaluates the accounts that are due and collects the liquidatable ones; with `profit`, those whose liquidation
   * would not pay are left out (and re-evaluated on every block, as prices and gas change).
   */
  scan(view: IndexView, prices: PriceMap, profit?: ProfitInputs): Omit<TickReport, "dispatched"> {
    const started = performance.now();
    this.remember(view);
    const marketsChanged = this.unscannedMarkets;
    const timestamp = view.head.timestamp;
    const evaluator = new HealthEvaluator(view.market, prices, timestamp);
    const marketInfo = new Map<number, MarketInfo>();
    for (const market of view.markets()) marketInfo.set(market.marketId, Keeper.marketInfo(market, timestamp));

    const candidates: Candidate[] = [];
    let evaluated = 0;
    let atRisk = 0;
    let unpriced = 0;
    let unprofitable = 0;
    let accounts = 0;
    for (const account of view.accounts()) {
      accounts++;
      const id = account.accountId;
      if (account.positions.size === 0) {
        this.schedule.delete(id);
        this.unhealthySince.delete(id);
        this.unprofitable.delete(id);
        continue;
      }
      const entry = this.schedule.get(id);
      if (
        entry !== undefined &&
        !this.options.fullScan &&
        !marketsChanged &&
        !this.unscanned.has(id) &&
        timestamp < entry.dueAt &&
        Keeper.withinBands(entry, prices)
      ) {
        if (entry.atRisk) atRisk++;
        continue;
      }
      let risk: AccountRisk;
      try {
        risk = evaluator.accountRisk(account);
      } catch (error) {
        this.schedule.delete(id);
        if (error instanceof HealthUnavailableError) unpriced++;
        else if (!this.broken.has(id)) {
          // The math mirrors the contract's reverts (e.g. an overflow): the chain cannot evaluate it either.
          // One such account must not stop the scan of the others.
          this.broken.add(id);
          this.log?.error({ accountId: id, err: error }, "cannot evaluate account: skipping it");
        }
        continue;
      }
      this.broken.delete(id);
      evaluated++;
      const { health } = risk;
      if (health.liquidatable) {
        if (!this.unhealthySince.has(id)) {
          this.unhealthySince.set(id, Date.now());
          this.options.metrics?.unhealthySeen.inc();
          this.log?.info(
            {
              accountId: id,
              equity: health.equity,
              maintenanceMargin: health.maintenanceMargin,
              healthFactor: health.healthFactor,
              block: view.head.number,
            },
            "account liquidatable",
          );
        }
        this.schedule.set(id, { dueAt: 0n, bands: new Map(), atRisk: false });
        if (profit !== undefined && !this.pays(account, view, prices, profit)) {
          unprofitable++;
          continue;
        }
        candidates.push({
          accountId: id,
          healthFactor: health.healthFactor,
          equity: health.equity,
          maintenanceMargin: health.maintenanceMargin,
        });
        continue;
      }
      this.unprofitable.delete(id);
      if (this.unhealthySince.delete(id)) this.holds.delete(id);
      const warn = health.marginRatio >= this.options.warnMarginRatio;
      if (warn) {
        atRisk++;
        if (!entry?.atRisk) {
          this.log?.warn(
            {
              accountId: id,
              marginRatio: health.marginRatio,
              equity: health.equity,
              maintenanceMargin: health.maintenanceMargin,
            },
            "margin ratio at or above the warning line",
          );
        }
      }
      this.schedule.set(id, this.plan(account, risk, prices, timestamp, marketInfo, warn));
    }
    // Accounts that left the index (another shard, a rebuilt index) leave the schedule too.
    if (this.schedule.size > accounts) {
      for (const id of this.schedule.keys()) if (view.account(id) === undefined) this.schedule.delete(id);
    }
    this.unscanned.clear();
    this.unscannedMarkets = false;
    candidates.sort(byRisk);
    this.candidates = candidates;
    this.lastUnhealthy = candidates.length;
    this.lastUnprofitable = unprofitable;

    const metrics = this.options.metrics;
    metrics?.scanDuration.observe((performance.now() - started) / 1000);
    metrics?.accountsEvaluated.inc(evaluated);
    metrics?.accountsUnhealthy.set(candidates.length);
    metrics?.accountsAtRisk.set(atRisk);
    metrics?.accountsUnprofitable.set(unprofitable);
    return {
      head: view.head,
      newBlock: true,
      accounts,
      evaluated,
      unhealthy: candidates.length,
      atRisk,
      unpriced,
      unprofitable,
    };
  }

  /** The profitability rule for one liquidatable account; logs and counts it once when it starts to fail. */
  private pays(account: AccountRecord, view: IndexView, prices: PriceMap, profit: ProfitInputs): boolean {
    const id = account.accountId;
    const reward = expectedReward(
      account,
      view.market,
      prices,
      view.head.timestamp,
      profit.riskParams,
      profit.rewardFloor,
    );
    const gas = (this.options.gasModel ?? liquidationGasModel)([[...account.positions.keys()]]);
    const estimate = estimateProfit(reward, gas, profit);
    if (estimate.profitable) {
      this.unprofitable.delete(id);
      return true;
    }
    if (!this.unprofitable.has(id)) {
      this.unprofitable.add(id);
      this.options.metrics?.skippedUnprofitable.inc();
      this.log?.info(
        {
          accountId: id,
          reason: "skipped_unprofitable",
          rewardUsd: formatUsd(estimate.rewardUsd),
          gasCostUsd: formatUsd(estimate.gasCostUsd),
          profitUsd: formatUsd(estimate.profitUsd),
          minProfitUsd: formatUsd(profit.minProfitUsd),
          gas: estimate.gas,
          gasPriceWei: profit.gasPrice,
          block: view.head.number,
        },
        "liquidation skipped: unprofitable",
      );
    }
    return false;
  }

  private static marketInfo(market: MarketRecord, timestamp: bigint): MarketInfo {
    const { ramp } = market;
    const ramping = timestamp < ramp.end;
    let maxMmr = 0n;
    for (const tier of [...market.tiers, ...(ramping ? ramp.previousTiers : [])]) {
      if (tier.maintenanceMarginRate > maxMmr) maxMmr = tier.maintenanceMarginRate;
    }
    const duration = Number(ramp.end - ramp.start);
    return {
      maxMmr: toNumber(maxMmr),
      maxFundingRate: toNumber(market.params.maxFundingRatePerSecond),
      rampRate: ramping && duration > 0 ? toNumber(maxMmr) / duration : 0,
    };
  }

  private static withinBands(entry: Schedule, prices: PriceMap): boolean {
    for (const [marketId, [low, high]] of entry.bands) {
      const price = prices.get(marketId);
      if (price === undefined || price < low || price > high) return false;
    }
    return true;
  }

  /**
   * When to look at a healthy account again. Its slack s = equity − MM. A relative move δ of every price changes
   * equity by at most N·δ and MM by at most maxMmr·N·δ (requirements grow at most at the top bracket's rate), so
   * prices within ±δ with N·δ·(1 + maxMmr) ≤ 0.4·s cannot make it liquidatable; funding costs at most
   * Σ N_m·(1 + δ)·maxRate_m per second, and a margin ramp moves MM by at most N_m·(1 + δ)·maxMmr_m / duration per
   * second (linear interpolation between two tables), so the next 0.4·s of drift takes at least that long.
   */
  private plan(
    account: AccountRecord,
    risk: AccountRisk,
    prices: PriceMap,
    timestamp: bigint,
    marketInfo: Map<number, MarketInfo>,
    atRisk: boolean,
  ): Schedule {
    const { health, notionals } = risk;
    const slack = toNumber(health.equity - health.maintenanceMargin);
    const notional = toNumber(health.totalNotional);
    let maxMmr = 0;
    let unknown = false;
    for (const marketId of account.positions.keys()) {
      const info = marketInfo.get(marketId);
      if (info === undefined) unknown = true;
      else if (info.maxMmr > maxMmr) maxMmr = info.maxMmr;
    }
    if (unknown || atRisk || notional === 0) return { dueAt: 0n, bands: new Map(), atRisk };

    const delta = (SLACK_SHARE * slack) / (notional * (1 + maxMmr));
    const deltaWad = delta >= 1 ? WAD : BigInt(Math.floor(delta * 1e18));
    const bands = new Map<number, readonly [bigint, bigint]>();
    let drift = 0;
    for (const [marketId, marketNotional] of notionals) {
      const price = prices.get(marketId)!;
      const move = (price * deltaWad) / WAD;
      bands.set(marketId, [price - move, price + move]);
      const info = marketInfo.get(marketId)!;
      drift += toNumber(marketNotional) * (1 + delta) * (info.maxFundingRate + info.rampRate);
    }
    const seconds = Math.max(
      0,
      Math.floor(
        drift > 0
          ? Math.min(this.options.maxRecheckSeconds, (SLACK_SHARE * slack) / drift)
          : this.options.maxRecheckSeconds,
      ),
    );
    return { dueAt: timestamp + BigInt(seconds), bands, atRisk };
  }

  private held(accountId: bigint, nowMs: number): boolean {
    const hold = this.holds.get(accountId);
    if (hold === undefined) return false;
    const block = this.lastHead?.number ?? 0n;
    if (
      (hold.afterBlock !== undefined && block <= hold.afterBlock) ||
      (hold.untilMs !== undefined && nowMs < hold.untilMs)
    ) {
      return true;
    }
    this.holds.delete(accountId);
    return false;
  }

  /** Starts batches for waiting candidates while slots are free. Returns the number of accounts handed over. */
  private dispatch(): number {
    const dispatched = this.dispatchLiquidations();
    this.dispatchSettlements();
    return dispatched;
  }

  /**
   * Starts settlement batches in the slots liquidations leave: none while a liquidatable account waits for a slot,
   * and (with `maxConcurrency` > 1) never the last free slot.
   */
  private dispatchSettlements(): void {
    const orders = this.options.orders;
    const head = this.lastHead;
    if (orders === undefined || head === undefined || this.stopped) return;
    const now = Date.now();
    if (this.candidates.some((c) => !this.inFlight.has(c.accountId) && !this.held(c.accountId, now))) return;
    const max = this.options.maxConcurrency > 1 ? this.options.maxConcurrency - 1 : 1;
    while (this.tasks.size < this.options.maxConcurrency && this.settling < max) {
      const job: SettleJob | undefined = orders.next(head);
      if (job === undefined) return;
      this.settling++;
      const task = orders.run(job).finally(() => {
        this.settling--;
        this.tasks.delete(task);
        if (this.running || this.tasks.size > 0) this.dispatch();
      });
      this.tasks.add(task);
    }
  }

  private dispatchLiquidations(): number {
    const free = this.options.maxConcurrency - this.tasks.size;
    if (free <= 0 || this.candidates.length === 0) return 0;
    const now = Date.now();
    const ready = this.candidates.filter((c) => !this.inFlight.has(c.accountId) && !this.held(c.accountId, now));
    let dispatched = 0;
    let maxGas = this.options.maxBatchGas ?? 12_000_000n;
    const blockGas = this.lastHead?.gasLimit;
    if (blockGas !== undefined && (blockGas * 9n) / 10n < maxGas) maxGas = (blockGas * 9n) / 10n;
    const batchSize = Math.min(this.options.batchSize, this.batchLimit);
    const model = this.options.gasModel ?? liquidationGasModel;
    const waveStart = this.tasks.size === 0;
    for (let slot = 0; slot < free && ready.length > 0; slot++) {
      // Most underwater first; a batch ends at batchSize accounts or at the gas budget (at least one account).
      const batch: bigint[] = [];
      const positions = new Map<bigint, readonly number[]>();
      const size = waveStart && slot === 0 ? Math.min(batchSize, this.options.firstBatchSize ?? 10) : batchSize;
      while (ready.length > 0 && batch.length < size) {
        const id = ready[0]!.accountId;
        const markets = [...(this.lastView?.account(id)?.positions.keys() ?? [])];
        positions.set(id, markets);
        if (batch.length > 0 && model([...positions.values()]) > maxGas) {
          positions.delete(id);
          break;
        }
        batch.push(id);
        ready.shift();
      }
      dispatched += batch.length;
      const task = this.liquidate(batch, positions).finally(() => {
        this.tasks.delete(task);
        if (this.running || this.tasks.size > 0) this.dispatch();
      });
      this.tasks.add(task);
    }
    return dispatched;
  }

  private backoff(accountId: bigint): number {
    const attempts = (this.attempts.get(accountId) ?? 0) + 1;
    this.attempts.set(accountId, attempts);
    return Math.min(60_000, 500 * 2 ** (attempts - 1));
  }

  /**
   * A batch that did not fit in gas: halve the batch limit (its accounts go out again at once, in smaller batches);
   * a single account that does not fit is retried with backoff like any failure. True when split.
   */
  private gasTrouble(batch: readonly bigint[], reason: string, fields: object): boolean {
    const metrics = this.options.metrics;
    metrics?.gasFailures.inc({ reason });
    this.batchSuccesses = 0;
    if (batch.length <= 1) return false;
    const limit = Math.max(1, Math.floor(batch.length / 2));
    if (limit < this.batchLimit) {
      this.batchLimit = limit;
      metrics?.batchSplits.inc();
      metrics?.batchSizeLimit.set(limit);
    }
    this.log?.warn(
      { ...fields, reason, accounts: batch, batchSizeLimit: this.batchLimit },
      "batch does not fit in gas: splitting it",
    );
    return true;
  }

  private batchSucceeded(): void {
    if (this.batchLimit >= this.options.batchSize || ++this.batchSuccesses < 10) return;
    this.batchSuccesses = 0;
    this.batchLimit = Math.min(this.options.batchSize, this.batchLimit * 2);
    this.options.metrics?.batchSizeLimit.set(this.batchLimit);
    this.log?.info({ batchSizeLimit: this.batchLimit }, "batch size limit raised again");
  }

  private async liquidate(batch: bigint[], positions: ReadonlyMap<bigint, readonly number[]>): Promise<void> {
    const metrics = this.options.metrics;
    for (const id of batch) this.inFlight.add(id);
    const block = this.lastHead?.number ?? 0n;
    // Taken now: with real block times a later iteration sees the account liquidated (healthy or flat) and forgets
    // when it was detected before this receipt arrives.
    const detectedAt = new Map(batch.map((id) => [id, this.unhealthySince.get(id)]));
    try {
      const outcome = await this.options.executor.execute(batch, { positions, head: this.lastHead });
      const now = Date.now();
      metrics?.liquidationsSent.inc(outcome.sent.length);
      if (outcome.status !== "dry-run" && outcome.status !== "skipped")
        metrics?.transactions.inc({ status: outcome.status });
      for (const id of outcome.notLiquidatable) {
        metrics?.liquidationsAlreadyDone.inc();
        this.holds.set(id, { afterBlock: outcome.blockNumber ?? block });
      }
      switch (outcome.status) {
        case "confirmed":
          this.batchSucceeded();
          for (const id of outcome.liquidated) {
            metrics?.liquidationsConfirmed.inc();
            const since = detectedAt.get(id) ?? this.unhealthySince.get(id);
            if (since !== undefined) metrics?.detectionToConfirmation.observe((now - since) / 1000);
            this.unhealthySince.delete(id);
            this.attempts.delete(id);
            this.liquidated.add(id);
            // Until the index has seen this block the account still looks liquidatable: do not send it again.
            this.holds.set(id, { afterBlock: outcome.blockNumber! - 1n });
          }
          this.log?.info(
            {
              txHash: outcome.txHash,
              block: outcome.blockNumber,
              gasUsed: outcome.gasUsed,
              liquidated: outcome.liquidated,
              alreadyLiquidated: outcome.notLiquidatable,
            },
            "liquidation confirmed",
          );
          break;
        case "reverted":
          metrics?.liquidationsFailed.inc(outcome.sent.length);
          if (
            outcome.outOfGas &&
            this.gasTrouble(outcome.sent, "out-of-gas", { txHash: outcome.txHash, gasUsed: outcome.gasUsed })
          ) {
            break;
          }
          for (const id of outcome.sent) this.holds.set(id, { untilMs: now + this.backoff(id) });
          this.log?.error({ txHash: outcome.txHash, accounts: outcome.sent }, "liquidation reverted: retrying later");
          break;
        case "skipped":
          this.log?.info({ accounts: outcome.notLiquidatable }, "not liquidatable on chain any more: skipped");
          break;
        case "dry-run":
          for (const id of outcome.liquidated) this.holds.set(id, { untilMs: Number.POSITIVE_INFINITY });
          this.log?.info(
            { wouldLiquidate: outcome.liquidated, notLiquidatable: outcome.notLiquidatable },
            "dry run: not sending",
          );
          break;
      }
    } catch (error) {
      const now = Date.now();
      metrics?.transactions.inc({ status: "error" });
      if (error instanceof BatchGasError && this.gasTrouble(batch, error.reason, { err: error })) return;
      metrics?.liquidationsFailed.inc(batch.length);
      for (const id of batch) this.holds.set(id, { untilMs: now + this.backoff(id) });
      this.log?.error({ err: error, accounts: batch }, "liquidation failed: retrying later");
    } finally {
      for (const id of batch) this.inFlight.delete(id);
    }
  }

  /** Resolves when no liquidation or settlement is in flight and no order refresh is running. */
  async idle(): Promise<void> {
    while (this.tasks.size > 0 || this.ordersRefresh !== undefined) {
      await Promise.allSettled([...this.tasks, ...(this.ordersRefresh ? [this.ordersRefresh] : [])]);
    }
  }

  /** Runs until {@link stop}: one iteration per poll interval, failed iterations retried with backoff. */
  start(): Promise<void> {
    if (this.loop) return this.loop;
    this.running = true;
    this.stopped = false;
    // Nonce and fee reads ahead of the first liquidation (best effort: the send reads them itself if this failed).
    void this.options.executor.warmUp?.().catch(() => undefined);
    const initial = this.options.backoff?.initialMs ?? 250;
    const max = this.options.backoff?.maxMs ?? 15_000;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.tick();
          if (this.consecutiveErrors > 0) this.log?.info({ after: this.consecutiveErrors }, "recovered");
          this.consecutiveErrors = 0;
          this.lastSuccessMs = Date.now();
          this.options.metrics?.lastTick.set(Math.floor(this.lastSuccessMs / 1000));
          this.refreshBalance();
          await sleep(this.options.pollIntervalMs, this.sleeper);
        } catch (error) {
          this.consecutiveErrors++;
          this.options.metrics?.rpcErrors.inc();
          const delay = Math.min(max, initial * 2 ** (this.consecutiveErrors - 1)) * (0.75 + Math.random() / 2);
          this.log?.error(
            { err: error, attempt: this.consecutiveErrors, retryInMs: Math.round(delay) },
            "keeper iteration failed: retrying",
          );
          await sleep(delay, this.sleeper);
        }
      }
    })();
    return this.loop;
  }

  /** Refreshes the balance gauge now and then, off the loop's path (a failed read only skips an update). */
  private refreshBalance(): void {
    const metrics = this.options.metrics;
    const now = Date.now();
    if (metrics === undefined || now - this.lastBalanceMs < (this.options.balanceIntervalMs ?? 30_000)) return;
    this.lastBalanceMs = now;
    this.options.executor
      .balance()
      .then((wei) => metrics.walletBalance.set(Number(wei) / 1e18))
      .catch((error: unknown) => this.log?.warn({ err: error }, "cannot read the sender's balance"));
  }

  /** Stops the loop, lets in-flight liquidations finish (up to `timeoutMs`), and closes the index. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.running = false;
    this.stopped = true;
    this.sleeper.wake?.();
    await this.loop;
    this.loop = undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.options.accounts.close();
  }

  /** What `/health` reports: ok while the loop runs and has succeeded recently. */
  health(): KeeperHealthStatus {
    const staleAfter = this.options.staleAfterMs ?? Math.max(30_000, 10 * this.options.pollIntervalMs);
    const sinceSuccessMs = this.lastSuccessMs === 0 ? undefined : Date.now() - this.lastSuccessMs;
    return {
      ok: this.running && sinceSuccessMs !== undefined && sinceSuccessMs < staleAfter,
      running: this.running,
      headBlock: this.lastHead?.number,
      committedBlock: this.lastView?.committedBlock,
      accountsTracked: this.lastView?.accountCount ?? 0,
      unhealthy: this.lastUnhealthy,
      inFlight: this.inFlight.size,
      ...(this.options.orders === undefined
        ? {}
        : { ordersPending: this.options.orders.pendingCount, settling: this.settling }),
      consecutiveErrors: this.consecutiveErrors,
      sinceSuccessMs,
    };
  }
}
