/**
 * The keeper's rules without a chain: the detection-to-confirmation metric survives a receipt that arrives after the
 * next block, the profitability rule (bankrupt accounts skipped unless the minimum is negative), EIP-1559 fees under
 * the cap, and the CLI's settings precedence (flags > environment > config file > defaults).
 */
import { expect } from "chai";
import { liquidationGasModel } from "../../../sdk/src/keeper/executor.js";
import { initialFees, replacementFees } from "../../../sdk/src/keeper/executor.js";
import { resolveKeeperConfig } from "../../../sdk/src/keeper/config.js";
import { KeeperStartupError } from "../../../sdk/src/keeper/create.js";
import { Keeper } from "../../../sdk/src/keeper/keeper.js";
import { KeeperMetrics } from "../../../sdk/src/keeper/metrics.js";
import { formatUsd, gasCostUsd, parseUsd } from "../../../sdk/src/keeper/profit.js";
import type {
  AccountRecord,
  ChainHead,
  ExecuteHints,
  Executor,
  IndexView,
  LiquidationOutcome,
  MarketRecord,
} from "../../../sdk/src/keeper/types.js";
import type { RiskParams } from "../../../sdk/src/math/types.js";

const WAD = 10n ** 18n;
const GWEI = 10n ** 9n;

const MARKET: MarketRecord = {
  marketId: 0,
  params: {
    feedId: `0x${"01".repeat(32)}`,
    maxOpenInterestPerSide: 10n ** 30n,
    minPositionNotional: 0n,
    skewScale: 0n,
    takerFeeRate: 0n,
    makerFeeRate: 0n,
    fundingScale: 0n,
    maxFundingRatePerSecond: 0n,
    marginRampDuration: 0n,
  },
  state: { fundingIndex: 0n, lastFundingTime: 1n, longOpenInterest: 100n * WAD, shortOpenInterest: 0n },
  tiers: [{ notionalCap: 10n ** 30n, initialMarginRate: WAD / 10n, maintenanceMarginRate: WAD / 20n }],
  ramp: { previousTiers: [], start: 0n, end: 0n },
};

const RISK: RiskParams = {
  liquidationFeeRate: (5n * WAD) / 1000n,
  keeperRewardShare: WAD / 2n,
  liquidationBuffer: WAD / 10n,
  fullLiquidationHealthFactor: WAD / 2n,
  minRemainingNotional: 10n * WAD,
  insuranceFeeShare: 0n,
  keeperRewardFloor: 0n,
  vaultReserveFactor: 0n,
  maxOpenInterestFactor: 0n,
  maxSkewFactor: 0n,
  maxPnlFactor: 0n,
};

/** A long of `size` base units opened at 1,000 USD with `margin` USD. */
function account(accountId: bigint, margin: bigint, size: bigint): AccountRecord {
  return {
    accountId,
    owner: "0x00000000000000000000000000000000000000aa",
    isolated: false,
    isolatedMarketId: 0,
    margin: margin * WAD,
    positions: new Map([[0, { size: size * WAD, openNotional: size * 1_000n * WAD, lastFundingIndex: 0n }]]),
  };
}

/** A hand-driven world: the test sets the head, the accounts and the price; the executor is a stub. */
function world(price: bigint) {
  const state = { head: { number: 1n, hash: "0x01", timestamp: 1_000n } as ChainHead, accounts: [] as AccountRecord[] };
  let changed = new Set<bigint>();
  const view = (): IndexView => ({
    head: state.head,
    committedBlock: state.head.number,
    accountCount: state.accounts.length,
    oracle: "0x0000000000000000000000000000000000000001",
    market: (id) => (id === 0 ? MARKET : undefined),
    markets: () => [MARKET],
    account: (id) => state.accounts.find((a) => a.accountId === id),
    accounts: () => state.accounts.values(),
    changedAccounts: changed,
    marketsChanged: false,
  });
  return {
    state,
    setHead(number: bigint, accounts: AccountRecord[]) {
      state.head = { number, hash: `0x${number.toString(16).padStart(2, "0")}`, timestamp: 1_000n + number };
      state.accounts = accounts;
      changed = new Set(accounts.map((a) => a.accountId));
    },
    sources: {
      blocks: { latest: async () => state.head },
      accounts: {
        sync: async () => {
          const v = view();
          changed = new Set();
          return v;
        },
        close() {},
      },
      prices: { getPrices: async () => new Map([[0, price * WAD]]) },
    },
  };
}

/** An executor whose `execute` resolves when the test says so. */
function heldExecutor() {
  const calls: bigint[][] = [];
  let release: ((outcome: LiquidationOutcome) => void) | undefined;
  const executor: Executor = {
    address: "0x00000000000000000000000000000000000000bb",
    simulate: async (ids) => ids.map(() => true),
    execute: (ids: readonly bigint[], _hints?: ExecuteHints) => {
      calls.push([...ids]);
      return new Promise<LiquidationOutcome>((resolve) => {
        release = resolve;
      });
    },
    balance: async () => 0n,
    gasPrice: async () => GWEI,
  };
  return { executor, calls, release: (outcome: LiquidationOutcome) => release?.(outcome) };
}

function memoryLogger() {
  const entries: { msg: string; fields: Record<string, unknown> }[] = [];
  const at = (fields: object, msg?: string) =>
    entries.push({ msg: msg ?? "", fields: fields as Record<string, unknown> });
  return { logger: { debug: at, info: at, warn: at, error: at }, entries };
}

describe("keeper: rules", () => {
  it("observes detection → confirmation even when the next block already shows the account liquidated", async () => {
    const w = world(940n);
    const { executor, release } = heldExecutor();
    const metrics = new KeeperMetrics("t_", { defaultMetrics: false });
    const keeper = new Keeper({ ...w.sources, executor, metrics });
    w.setHead(1n, [account(1n, 100n, 1n)]);
    expect((await keeper.tick()).dispatched).to.equal(1);
    // The liquidation is mined in block 2, and the keeper's next iteration sees it (the account is now flat) before
    // the executor has its receipt: real block times, where receipts are polled.
    const flat = { ...account(1n, 60n, 1n), positions: new Map() };
    w.setHead(2n, [flat]);
    await keeper.tick();
    release({ status: "confirmed", sent: [1n], liquidated: [1n], notLiquidatable: [], blockNumber: 2n, gasUsed: 1n });
    await keeper.idle();
    const histogram = await metrics.detectionToConfirmation.get();
    const count = histogram.values.find((v) => v.metricName === "t_detection_to_confirmation_seconds_count");
    expect(count?.value, "one observation").to.equal(1);
  });

  it("sets the batch-size gauge from the start", async () => {
    const w = world(1_000n);
    const metrics = new KeeperMetrics("t_", { defaultMetrics: false });
    new Keeper({ ...w.sources, executor: heldExecutor().executor, metrics, batchSize: 40 });
    expect(await KeeperMetrics.value(metrics.batchSizeLimit)).to.equal(40);
  });

  it("skips a bankrupt account as unprofitable at min profit 0, sends it at a negative minimum", async () => {
    const rule = (minProfitUsd: bigint) => ({
      minProfitUsd,
      nativePriceUsd: 3_000n * WAD,
      rewardParams: async () => ({ riskParams: RISK }),
    });
    // 850: the 100-USD-margin long of 1 @ 1,000 is bankrupt (equity −50): the fee is capped at 0, so is the reward.
    // The 10 @ 1,000 long with 1,000 USD margin is at equity 0 too; use 940 for the profitable one below.
    const bankrupt = account(1n, 100n, 1n);

    const skip = world(850n);
    const held = heldExecutor();
    const { logger, entries } = memoryLogger();
    const metrics = new KeeperMetrics("t_", { defaultMetrics: false });
    const keeper = new Keeper({ ...skip.sources, executor: held.executor, metrics, logger, profitability: rule(0n) });
    skip.setHead(1n, [bankrupt]);
    const report = await keeper.tick();
    expect(report.unprofitable).to.equal(1);
    expect(report.dispatched).to.equal(0);
    expect(held.calls).to.have.length(0);
    const line = entries.find((e) => e.msg === "liquidation skipped: unprofitable");
    expect(line?.fields).to.include({ accountId: 1n, reason: "skipped_unprofitable", rewardUsd: "0" });
    // 300,000 modelled gas (liquidationGasModel([[0]])) × 1 gwei × 3,000 USD = 0.90 USD.
    expect(liquidationGasModel([[0]])).to.equal(300_000n);
    expect(line?.fields.gasCostUsd).to.equal("0.9");
    expect(await KeeperMetrics.value(metrics.skippedUnprofitable)).to.equal(1);
    skip.setHead(2n, [bankrupt]);
    await keeper.tick();
    expect(await KeeperMetrics.value(metrics.skippedUnprofitable), "counted once per episode").to.equal(1);

    const send = world(850n);
    const sender = heldExecutor();
    const lossAllowed = new Keeper({ ...send.sources, executor: sender.executor, profitability: rule(-WAD) });
    send.setHead(1n, [bankrupt]);
    expect((await lossAllowed.tick()).dispatched).to.equal(1);
    expect(sender.calls).to.deep.equal([[1n]]);
  });

  it("sends a bankrupt account at min profit 0 once the protocol's reward floor covers the gas", async () => {
    // Same bankrupt account (closed notional 850 ≥ minRemainingNotional 10): its fee is 0, but the contract tops
    // the keeper up to keeperRewardFloor from insurance; $1 > the $0.90 of gas.
    const withFloor = { ...RISK, keeperRewardFloor: WAD };
    const w = world(850n);
    const held = heldExecutor();
    const keeper = new Keeper({
      ...w.sources,
      executor: held.executor,
      profitability: {
        minProfitUsd: 0n,
        nativePriceUsd: 3_000n * WAD,
        rewardParams: async () => ({ riskParams: withFloor }),
      },
    });
    w.setHead(1n, [account(1n, 100n, 1n)]);
    const report = await keeper.tick();
    expect(report.unprofitable).to.equal(0);
    expect(report.dispatched).to.equal(1);
  });

  it("sends a liquidation whose reward covers the gas, not one below a higher minimum", async () => {
    const rich = account(2n, 1_000n, 10n); // 10 @ 1,000; at 940 equity 400 < MM 470: partial, fee > 0
    const run = async (minProfitUsd: bigint) => {
      const w = world(940n);
      const held = heldExecutor();
      const keeper = new Keeper({
        ...w.sources,
        executor: held.executor,
        profitability: { minProfitUsd, nativePriceUsd: 3_000n * WAD, rewardParams: async () => ({ riskParams: RISK }) },
      });
      w.setHead(1n, [rich]);
      return (await keeper.tick()).dispatched;
    };
    expect(await run(0n)).to.equal(1);
    expect(await run(1_000n * WAD)).to.equal(0);
  });

  it("prices gas in USD and parses USD amounts", () => {
    expect(gasCostUsd(240_000n, GWEI, 3_000n * WAD)).to.equal((72n * WAD) / 100n);
    expect(parseUsd("-1.5", "x")).to.equal(-(3n * WAD) / 2n);
    expect(parseUsd("0", "x")).to.equal(0n);
    expect(() => parseUsd("1e3", "--min-profit-usd")).to.throw(/--min-profit-usd must be a decimal number/);
    expect(formatUsd(-(3n * WAD) / 2n)).to.equal("-1.5");
  });

  it("keeps EIP-1559 fees and their replacements under the max-fee cap", () => {
    expect(initialFees(10n * GWEI, 2n * GWEI)).to.deep.equal({
      maxFeePerGas: 22n * GWEI,
      maxPriorityFeePerGas: 2n * GWEI,
    });
    const capped = initialFees(10n * GWEI, 2n * GWEI, 15n * GWEI);
    expect(capped).to.deep.equal({ maxFeePerGas: 15n * GWEI, maxPriorityFeePerGas: 2n * GWEI });
    // A replacement bumps by 25 %, but never above the cap; at the cap there is no valid replacement.
    const bumped = replacementFees(capped, capped, 25, 20n * GWEI)!;
    expect(bumped.maxFeePerGas).to.equal(18_750_000_001n);
    expect(bumped.maxPriorityFeePerGas).to.equal(2_500_000_001n);
    expect(replacementFees(capped, capped, 25, 15n * GWEI)).to.equal(undefined);
    const squeezed = replacementFees(capped, capped, 25, 16n * GWEI);
    expect(squeezed, "less than +10 % left under the cap").to.equal(undefined);
    expect(replacementFees(capped, capped, 25)!.maxFeePerGas).to.equal(18_750_000_001n);
  });

  it("resolves settings with flags > environment > config file > defaults, and names bad sources", () => {
    const { config, sources } = resolveKeeperConfig({
      flags: { batchSize: "7" },
      env: {
        BALLAST_KEEPER_BATCH_SIZE: "8",
        BALLAST_RPC_URL: "http://a:1, http://b:2",
        BALLAST_KEEPER_DRY_RUN: "true",
      },
      file: { batchSize: 9, concurrency: 3, rpc: "http://c:3", minProfitUsd: -2 },
    });
    expect(config.batchSize).to.equal(7);
    expect(config.rpc).to.deep.equal(["http://a:1", "http://b:2"]);
    expect(config.concurrency).to.equal(3);
    expect(config.dryRun).to.equal(true);
    expect(config.minProfitUsd).to.equal("-2");
    expect(config.pollInterval).to.equal(1000);
    expect(sources).to.include({ batchSize: "flag", rpc: "env", concurrency: "config", pollInterval: "default" });
    expect(() => resolveKeeperConfig({ flags: {}, env: { BALLAST_KEEPER_BATCH_SIZE: "0" } })).to.throw(
      KeeperStartupError,
      /--batch-size \(from BALLAST_KEEPER_BATCH_SIZE\) must be an integer ≥ 1/,
    );
    expect(() => resolveKeeperConfig({ flags: {}, env: {}, file: { batchsize: 3 }, fileName: "k.json" })).to.throw(
      /Unknown key "batchsize" in k\.json/,
    );
    expect(() => resolveKeeperConfig({ flags: {}, env: {}, file: { privateKey: "0x11" } })).to.throw(
      /keep secrets out of config files/,
    );
  });
});
