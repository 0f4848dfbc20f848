/**
 * Differential tests of the SDK's account math (sdk/src/math/accountMath.ts, simulate.ts, liquidationPrice.ts) and
 * of its viem reads (getAccount / getAccounts over Multicall3) against the deployed CONTRACTS.
 *
 * fast-check draws whole scenarios — tier tables (1–5 brackets), market parameters (skew premium, maker/taker fees,
 * funding, open-interest caps, minimum notional, ramp duration), risk parameters, and a seed for the sequence of
 * actions. Each scenario, on a fresh deployment:
 *   1. opens cross (BTC + ETH) and isolated accounts, longs and shorts, with random leverage: every trade is
 *      predicted by the SDK (`simulateTrade` at the block's timestamp) and must equal the `PositionTraded` event
 *      field by field, or revert with exactly the custom error (name and arguments) the SDK predicted;
 *   2. lets time pass (funding accrues) and starts a margin-table ramp, then stops part-way through it;
 *   3. moves prices;
 *   4. at every checkpoint compares, for every account, SDK `accountHealth` and `previewLiquidation` with the core's
 *      `accountHealth(id)` and `previewLiquidation(id)` read at the same block;
 *   5. checks each sampled position's liquidation, bankruptcy and warning prices on chain: at the SDK's price the
 *      core is past the line, one feed tick (1e-8 USD) better it is not;
 *   6. liquidates every liquidatable account and compares `AccountLiquidated` / `PositionLiquidated` with the
 *      SDK's plan; withdraws the SDK's maximum (succeeds) and maximum + 1 unit (reverts as predicted).
 */
import { seededRandom } from "../../../scripts/lib/random.js";
import { AssertionError, expect } from "chai";
import { network } from "hardhat";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionReceipt, Log } from "ethers";
import { deployBallast, wad, BTC_MARKET, ETH_MARKET, type Ballast, type Tier } from "../helpers/fixture.js";
import { sdkDeployment, sdkPublicClient, structObject } from "../helpers/sdkDeployment.js";
import { getAccount } from "../../../sdk/src/actions/getAccount.js";
import { getAccounts } from "../../../sdk/src/actions/getAccounts.js";
import type { AccountView } from "../../../sdk/src/actions/internal/reads.js";
import { decodeBallastError } from "../../../sdk/src/actions/decodeBallastError.js";
import { ballastCoreAbi } from "../../../sdk/src/abi/ballastCore.js";
import type { BallastDeployment } from "../../../sdk/src/deployment.js";
import type { BallastError } from "../../../sdk/src/errors.js";
import {
  accountHealth,
  bankruptcyPrice,
  keeperRewardOf,
  netAssetValue,
  liquidationPrice,
  planLiquidation,
  previewLiquidation,
  simulateTrade,
  simulateWithdraw,
  warningPrice,
  WARNING_MARGIN_RATIO,
  type AccountSnapshot,
  type RiskParams,
} from "../../../sdk/src/math/index.js";
import { multicall } from "viem/actions";

const { ethers, provider, networkHelpers } = await network.create();
const { loadFixture, time, takeSnapshot } = networkHelpers;

const TICK = 10n ** 10n; // one 8-decimal feed unit, in WAD
const MAX_UINT256 = 2n ** 256n - 1n;
const MIN_FEED = { BTC: wad(1), ETH: wad("0.01") };
const MAX_FEED = { BTC: wad(10_000_000), ETH: wad(1_000_000) };

const counts = {
  scenarios: 0,
  healthComparisons: 0,
  previewComparisons: 0,
  trades: 0,
  tradeReverts: 0,
  marketStateComparisons: 0,
  liquidations: 0,
  priceLineChecks: 0,
  withdrawals: 0,
  revertsByError: {} as Record<string, number>,
};

// ------------------------------------------------------------------------------------------------ fixture

async function baseFixture() {
  const b = await deployBallast(ethers, { risk: { liquidationFeeRate: wad("0.002") } });
  await b.seedVault(100_000_000n * b.unit);
  await b.seedInsurance(1_000_000n * b.unit);
  const deployment = await sdkDeployment(ethers, b);
  return { b, deployment };
}

// ------------------------------------------------------------------------------------------------ arbitraries

/** Valid tables of 1–5 brackets: caps $5k–$20M increasing, mmr 0.5%–10% and imr 1.5–3× mmr, non-decreasing. */
const tierTable: fc.Arbitrary<Tier[]> = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc
    .tuple(
      fc.array(fc.bigInt({ min: 5_000n, max: 4_000_000n }), { minLength: n, maxLength: n }),
      fc.array(fc.bigInt({ min: 50n, max: 1_000n }), { minLength: n, maxLength: n }),
      fc.array(fc.bigInt({ min: 150n, max: 300n }), { minLength: n, maxLength: n }),
    )
    .map(([steps, mmrBps, imrMultiple]) => {
      const sortedMmr = [...mmrBps].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      let cap = 0n;
      let previousImr = 0n;
      return steps.map((step, i) => {
        cap += step * WAD_ + 123_456_789n; // odd caps exercise the rounding
        const mmr = (sortedMmr[i] ?? 100n) * 10n ** 14n + 7n;
        let imr = (mmr * (imrMultiple[i] ?? 200n)) / 100n;
        if (imr <= mmr) imr = mmr + 1n;
        if (imr < previousImr) imr = previousImr;
        previousImr = imr;
        return { notionalCap: cap, initialMarginRate: imr, maintenanceMarginRate: mmr };
      });
    }),
);
const WAD_ = 10n ** 18n;

const marketParamsArb = fc.record({
  skewScale: fc.oneof(
    fc.constant(0n),
    fc.bigInt({ min: 50n, max: 100_000n }).map((x) => x * WAD_),
  ),
  takerFeeRate: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  makerFeeShare: fc.integer({ min: 0, max: 100 }),
  fundingScale: fc.oneof(
    fc.constant(0n),
    fc.bigInt({ min: 1n, max: 1_000n }).map((x) => x * WAD_),
  ),
  maxFundingRatePerSecond: fc.bigInt({ min: 0n, max: WAD_ / 86_400n }),
  marginRampDuration: fc.bigInt({ min: 3_600n, max: 3n * 86_400n }),
  minPositionNotional: fc.bigInt({ min: 0n, max: 200n }).map((x) => x * WAD_),
  tightOpenInterest: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
});

const riskArb = fc.record({
  // At most 50%: with a liquidation fee of 0.2% and taker fees up to 0.1%, a higher share would let self-liquidation
  // undercut a close (SelfLiquidationCheaperThanClosing).
  keeperRewardShare: fc.bigInt({ min: 0n, max: WAD_ / 2n }),
  liquidationBuffer: fc.bigInt({ min: 0n, max: 3n * 10n ** 17n }),
  fullLiquidationHealthFactor: fc.bigInt({ min: 0n, max: 9n * 10n ** 17n }),
  minRemainingNotional: fc.bigInt({ min: 0n, max: 2_000n }).map((x) => x * WAD_),
  insuranceFeeShare: fc.bigInt({ min: 0n, max: WAD_ }),
});

const scenarioArb = fc.record({
  btcTiers: tierTable,
  ethTiers: tierTable,
  btcRampTiers: tierTable,
  ethRampTiers: tierTable,
  btcParams: marketParamsArb,
  ethParams: marketParamsArb,
  risk: riskArb,
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

// ------------------------------------------------------------------------------------------------ helpers

const rng = seededRandom;
type Rng = ReturnType<typeof rng>;

function eventArgs(receipt: ContractTransactionReceipt | null, b: Ballast, name: string) {
  const out: Record<string, unknown>[] = [];
  for (const log of (receipt?.logs ?? []) as Log[]) {
    const parsed = b.core.interface.parseLog(log);
    if (parsed?.name === name) out.push(parsed.args.toObject());
  }
  return out;
}

/** The revert of a failed transaction, as the SDK's typed error. */
function revertOf(error: unknown): BallastError {
  const decoded = decodeBallastError(error);
  if (decoded === undefined) throw error;
  return decoded;
}

// ------------------------------------------------------------------------------------------------ scenario

class Run {
  readonly client = sdkPublicClient(provider);
  readonly accounts: { id: bigint; owner: HardhatEthersSigner; isolatedMarket: bigint | undefined }[] = [];
  risk!: RiskParams;

  constructor(
    readonly b: Ballast,
    readonly deployment: BallastDeployment,
    readonly r: Rng,
  ) {}

  async configure(s: Scenario) {
    const { core } = this.b;
    for (const [marketId, p, tiers] of [
      [BTC_MARKET, s.btcParams, s.btcTiers],
      [ETH_MARKET, s.ethParams, s.ethTiers],
    ] as const) {
      const feedId = marketId === BTC_MARKET ? this.deployment.markets[0]!.feedId : this.deployment.markets[1]!.feedId;
      const params = {
        feedId,
        maxOpenInterestPerSide: p.tightOpenInterest ? (marketId === BTC_MARKET ? wad(40) : wad(1_000)) : wad(1_000_000),
        minPositionNotional: p.minPositionNotional,
        skewScale: p.skewScale,
        takerFeeRate: p.takerFeeRate,
        makerFeeRate: (p.takerFeeRate * BigInt(p.makerFeeShare)) / 100n,
        fundingScale: p.fundingScale,
        maxFundingRatePerSecond: p.maxFundingRatePerSecond,
        marginRampDuration: 0n,
      };
      await core.setMarketParams(marketId, params);
      await core.setMarginTiers(marketId, tiers);
      await core.setMarketParams(marketId, { ...params, marginRampDuration: p.marginRampDuration });
    }
    // The largest floor the bound allows is (0.2% − taker ≤ 0.1%) × minRemainingNotional; half of that.
    const risk = {
      ...s.risk,
      liquidationFeeRate: wad("0.002"),
      vaultReserveFactor: wad("0.5"),
      keeperRewardFloor: s.risk.minRemainingNotional / 2_000n,
    };
    await core.setRiskParams(risk);
    this.risk = risk;
  }

  signer(i: number): HardhatEthersSigner {
    const { alice, bob, carol, keeper, lp, staker } = this.b;
    return [alice, bob, carol, lp, staker][i % 5] ?? keeper;
  }

  async openAccounts(n: number) {
    for (let i = 0; i < n; i++) {
      const owner = this.signer(i);
      const kind = this.r.int(0, 3);
      const isolatedMarket = kind === 0 ? BTC_MARKET : kind === 1 ? ETH_MARKET : undefined;
      const assets = this.r.big(300n, 150_000n) * this.b.unit + this.r.big(0n, this.b.unit - 1n);
      const id = await this.b.openAccount(owner, assets, isolatedMarket);
      this.accounts.push({ id, owner, isolatedMarket });
    }
  }

  /** A random size for `marketId`: leverage 0.2×–40× of the account's equity, sometimes a reduction or flip. */
  async randomSize(view: AccountView, marketId: bigint): Promise<bigint> {
    const price = view.prices[Number(marketId)] ?? 1n;
    const position = view.positions.find((p) => BigInt(p.marketId) === marketId);
    const equity = view.health?.equity ?? view.account.margin;
    if (position !== undefined && this.r.chance(0.35)) {
      const fraction = this.r.pick([25n, 50n, 100n, 130n, 250n]);
      return -(position.size * fraction) / 100n - (position.size > 0n ? 1n : -1n) * this.r.big(0n, 10n ** 12n);
    }
    const leverage = this.r.chance(0.7) ? this.r.big(20n, 800n) : this.r.big(800n, 4_000n); // hundredths
    const notional = ((equity > 0n ? equity : wad(100)) * leverage) / 100n;
    const size = (notional * WAD_) / price + this.r.big(0n, 10n ** 15n);
    return this.r.chance(0.5) ? size : -size;
  }

  /** Predicts a trade with the SDK at the block it will be mined in, sends it, and compares. */
  async trade(account: (typeof this.accounts)[number], marketId: bigint, sizeDelta?: bigint) {
    const view = await getAccount(this.client, {
      deployment: this.deployment,
      accountId: account.id,
      priceLines: false,
    });
    const delta = sizeDelta ?? (await this.randomSize(view, marketId));
    // Orders: committed in the next blocks (escrow mint, approval, commit), settled at `timestamp`.
    const timestamp = view.timestamp + 5n + BigInt(this.r.int(1, 30));
    const preview = simulateTrade({
      ...view,
      timestamp,
      accountId: account.id,
      marketId: Number(marketId),
      sizeDelta: delta,
    });
    // Sometimes a tight acceptable price, to provoke SlippageExceeded.
    let acceptable = delta > 0n ? MAX_UINT256 : 0n;
    if (preview.fill !== undefined && this.r.chance(0.15)) {
      acceptable =
        delta > 0n ? preview.fill.fillPrice - this.r.big(0n, 1n) : preview.fill.fillPrice + this.r.big(0n, 1n);
    }
    const expected = simulateTrade({
      ...view,
      timestamp,
      accountId: account.id,
      marketId: Number(marketId),
      sizeDelta: delta,
      acceptablePrice: acceptable,
      paused: view.paused,
    });
    counts.trades++;
    try {
      await this.b.trader.commit(account.owner, account.id, marketId, delta, acceptable);
      const tx = await this.b.trader.settle(account.id, marketId, { timestamp, overrides: { gasLimit: 3_000_000 } });
      const receipt = await tx.wait();
      const [event] = eventArgs(receipt, this.b, "PositionTraded");
      expect(expected.error?.shortMessage, "the SDK predicted a revert the core did not raise").to.equal(undefined);
      const fill = expected.fill!;
      expect(event).to.deep.equal({
        accountId: account.id,
        marketId,
        sizeDelta: delta,
        fillPrice: fill.fillPrice,
        fee: fill.fee,
        realisedPnl: fill.realisedPnl,
        fundingPaid: fill.fundingPaid,
        newSize: fill.newSize,
        newOpenNotional: fill.newOpenNotional,
        fundingIndex: fill.fundingIndex,
        marginAfter: fill.marginAfter,
      });
      // The SDK's health after the trade equals the core's at that block.
      const after = await this.b.core.accountHealth(account.id);
      expect(structObject(after)).to.deep.equal(expected.healthAfter);
      // Every field of the simulation's market state and position after, and the vault's valuation over the
      // predicted state, equal the chain's at the trade's block (a defect in any aggregate fails here).
      const blockTag = receipt!.blockNumber;
      const [, chainState] = await this.b.core.getMarket(marketId, { blockTag });
      expect(structObject(chainState), "market state after the trade").to.deep.equal(fill.marketStateAfter);
      const chainPosition = structObject(await this.b.core.getPosition(account.id, marketId, { blockTag }));
      const { marketId: _, ...predictedPosition } = fill.position;
      expect(chainPosition, "position after the trade").to.deep.equal(predictedPosition);
      const markets = Object.values(view.markets)
        .filter((m) => m !== undefined)
        .sort((a, b) => a.marketId - b.marketId)
        .map((m) => ({
          params: m.params,
          state: m.marketId === Number(marketId) ? fill.marketStateAfter : m.state,
          price: view.prices[m.marketId]!,
        }));
      expect(BigInt(markets.length)).to.equal(await this.b.core.marketCount());
      const [vaultLedger] = await this.b.core.ledgers({ blockTag });
      const { nav } = netAssetValue(markets, vaultLedger, this.risk.vaultReserveFactor, timestamp);
      expect(nav, "vault NAV after the trade").to.equal(await this.b.core.vaultNetAssetValue({ blockTag }));
      counts.marketStateComparisons++;
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      counts.tradeReverts++;
      const revert = revertOf(error);
      const name = revert.revert?.type === "error" ? revert.revert.name : "other";
      counts.revertsByError[name] = (counts.revertsByError[name] ?? 0) + 1;
      expect(expected.error, `the core reverted with ${revert.shortMessage}`).to.not.equal(undefined);
      expect(revert.revert).to.deep.equal(expected.error?.revert);
    }
  }

  /** Every account: SDK health and liquidation preview against the core's views at the same block. */
  async checkpoint(): Promise<AccountView[]> {
    const ids = this.accounts.map((a) => a.id);
    const views = await getAccounts(this.client, { deployment: this.deployment, accountIds: ids });
    const blockNumber = views[0]!.blockNumber;
    const chain = (await multicall(this.client, {
      contracts: ids.flatMap((id) => [
        { address: this.deployment.core, abi: ballastCoreAbi, functionName: "accountHealth", args: [id] } as const,
        { address: this.deployment.core, abi: ballastCoreAbi, functionName: "previewLiquidation", args: [id] } as const,
      ]),
      allowFailure: false,
      multicallAddress: this.deployment.multicall3,
      blockNumber,
    })) as unknown[];
    views.forEach((view, i) => {
      const health = accountHealth(view);
      const preview = previewLiquidation({ ...view, riskParams: view.riskParams });
      expect(health, `accountHealth(${view.accountId})`).to.deep.equal(chain[2 * i]);
      expect(view.health).to.deep.equal(health);
      expect(preview, `previewLiquidation(${view.accountId})`).to.deep.equal(chain[2 * i + 1]);
      // The positional form gives the same.
      expect(
        previewLiquidation(view.account, view.positions, view.markets, view.prices, view.timestamp, view.riskParams),
      ).to.deep.equal(preview);
      counts.healthComparisons++;
      counts.previewComparisons++;
    });
    return views;
  }

  async refreshFeeds(btcUsd?: bigint, ethUsd?: bigint) {
    const [, btcAnswer] = await this.b.btcFeed.latestRoundData();
    const [, ethAnswer] = await this.b.ethFeed.latestRoundData();
    await this.b.btcFeed.setAnswer(btcUsd ?? btcAnswer);
    await this.b.ethFeed.setAnswer(ethUsd ?? ethAnswer);
  }

  async movePrices() {
    const [, btcAnswer] = await this.b.btcFeed.latestRoundData();
    const [, ethAnswer] = await this.b.ethFeed.latestRoundData();
    const move = (answer: bigint) => (answer * BigInt(this.r.int(7_000, 13_000))) / 10_000n + this.r.big(0n, 99n);
    await this.refreshFeeds(move(btcAnswer), move(ethAnswer));
  }

  /** At the SDK's line price the core is past the line; one tick better it is not. */
  async checkPriceLines(view: AccountView, marketId: number) {
    const position = view.positions.find((p) => p.marketId === marketId)!;
    const long = position.size > 0n;
    const feed = marketId === Number(BTC_MARKET) ? this.b.btcFeed : this.b.ethFeed;
    const symbol = marketId === Number(BTC_MARKET) ? "BTC" : "ETH";
    const timestamp = view.timestamp + 1n;
    const snapshot: AccountSnapshot & { marketId: number } = { ...view, timestamp, marketId };
    const lines = [
      { name: "liquidation", price: liquidationPrice(snapshot), crossed: (h: Health) => h.liquidatable },
      { name: "bankruptcy", price: bankruptcyPrice(snapshot), crossed: (h: Health) => h.equity <= 0n },
      {
        name: "warning",
        price: warningPrice(snapshot),
        crossed: (h: Health) => h.marginRatio >= WARNING_MARGIN_RATIO,
      },
    ];
    for (const line of lines) {
      if (line.price === undefined) continue;
      expect(line.price % TICK, `${line.name} price on the feed grid`).to.equal(0n);
      const better = long ? line.price + TICK : line.price - TICK;
      if (better < MIN_FEED[symbol] || line.price > MAX_FEED[symbol] || line.price < MIN_FEED[symbol]) continue;
      for (const [price, crossed] of [
        [line.price, true],
        [better, false],
      ] as const) {
        const restorer = await takeSnapshot();
        await time.setNextBlockTimestamp(timestamp);
        await feed.setAnswer(price / TICK);
        const health = structObject(await this.b.core.accountHealth(view.accountId)) as Health;
        await restorer.restore();
        expect(line.crossed(health), `${line.name} line at ${price} (account ${view.accountId}, ${symbol})`).to.equal(
          crossed,
        );
        // And the SDK's health at that price is the core's.
        const prices = { ...view.prices, [marketId]: price };
        expect(accountHealth({ ...view, prices, timestamp })).to.deep.equal(health);
        counts.priceLineChecks++;
      }
    }
  }

  /** Liquidates every liquidatable account and compares the events with the SDK's plan. */
  async liquidateAll(views: AccountView[]) {
    const { keeper } = this.b;
    for (const stale of views) {
      const view = await getAccount(this.client, {
        deployment: this.deployment,
        accountId: stale.accountId,
        priceLines: false,
      });
      const timestamp = view.timestamp + 1n;
      const plan = planLiquidation({ ...view, timestamp, riskParams: view.riskParams });
      if (!plan.preview.liquidatable && this.r.chance(0.8)) continue;
      await time.setNextBlockTimestamp(timestamp);
      const [, insuranceBefore] = await this.b.core.ledgers();
      // The keeper's reward as the SDK's twin of LiquidationLogic.keeperRewardOf computes it (the floor included).
      const { keeperReward } = keeperRewardOf(
        plan.preview.fee,
        plan.preview.closedNotional,
        view.riskParams,
        insuranceBefore,
        false,
      );
      try {
        const tx = await this.b.core.connect(keeper).liquidate(view.accountId, keeper.address, { gasLimit: 5_000_000 });
        const receipt = await tx.wait();
        expect(plan.preview.liquidatable).to.equal(true);
        const [event] = eventArgs(receipt, this.b, "AccountLiquidated");
        expect(event).to.include({
          accountId: view.accountId,
          full: plan.preview.full,
          fraction: plan.preview.fraction,
          closedNotional: plan.preview.closedNotional,
          fee: plan.preview.fee,
          keeperReward,
          marginAfter: plan.preview.badDebt > 0n ? 0n : plan.marginAfter,
        });
        const positions = eventArgs(receipt, this.b, "PositionLiquidated");
        expect(positions.length).to.equal(plan.positions.length);
        positions.forEach((p, i) => {
          const planned = plan.positions[i]!;
          expect(p).to.deep.equal({
            accountId: view.accountId,
            marketId: BigInt(planned.marketId),
            closedSize: planned.closedSize,
            markPrice: planned.price,
            realisedPnl: planned.realisedPnl,
            fundingPaid: planned.fundingPaid,
            newSize: planned.newSize,
            newOpenNotional: planned.newOpenNotional,
            fundingIndex: planned.fundingIndex,
          });
        });
        counts.liquidations++;
      } catch (error) {
        if (error instanceof AssertionError) throw error;
        const revert = revertOf(error);
        expect(plan.preview.liquidatable).to.equal(false);
        expect(revert.revert).to.deep.equal({
          type: "error",
          name: "AccountNotLiquidatable",
          signature: "AccountNotLiquidatable(uint256,int256,uint256)",
          args: [view.accountId, plan.preview.equityBefore, plan.preview.maintenanceMarginBefore],
        });
      }
    }
  }

  /** The SDK's maximum withdrawal succeeds; one more token unit reverts exactly as the SDK predicts. */
  async withdrawBoundary(account: (typeof this.accounts)[number]) {
    const view = await getAccount(this.client, {
      deployment: this.deployment,
      accountId: account.id,
      priceLines: false,
    });
    const timestamp = view.timestamp + 1n;
    const snapshot = { ...view, timestamp, collateralDecimals: this.b.decimals };
    const max = simulateWithdraw({ ...snapshot, assets: 1n }).maxWithdrawAssets;
    const over = simulateWithdraw({ ...snapshot, assets: max + 1n });
    expect(over.error?.errorName).to.equal("WithdrawalExceedsAvailable");
    await time.setNextBlockTimestamp(timestamp);
    try {
      await this.b.core
        .connect(account.owner)
        .withdraw(account.id, max + 1n, account.owner.address, { gasLimit: 1_000_000 });
      expect.fail("withdrawing the SDK's maximum + 1 unit must revert");
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      expect(revertOf(error).revert).to.deep.equal(over.error?.revert);
    }
    const later = { ...snapshot, timestamp: timestamp + 1n };
    const maxLater = simulateWithdraw({ ...later, assets: 1n }).maxWithdrawAssets;
    if (maxLater > 0n) {
      const withdraw = simulateWithdraw({ ...later, assets: maxLater });
      expect(withdraw.error).to.equal(undefined);
      await time.setNextBlockTimestamp(timestamp + 1n);
      await this.b.core.connect(account.owner).withdraw(account.id, maxLater, account.owner.address);
      const after = structObject(await this.b.core.accountHealth(account.id));
      expect(after).to.deep.equal(withdraw.healthAfter);
    }
    counts.withdrawals++;
  }
}

type Health = ReturnType<typeof accountHealth>;

async function runScenario(s: Scenario) {
  const { b, deployment } = await loadFixture(baseFixture);
  const run = new Run(b, deployment, rng(s.seed));
  const r = run.r;
  await run.configure(s);
  await run.openAccounts(16);

  // 1. Open positions: cross accounts in both markets, isolated ones in theirs.
  for (const account of run.accounts) {
    const markets = account.isolatedMarket === undefined ? [BTC_MARKET, ETH_MARKET] : [account.isolatedMarket];
    for (const marketId of markets) await run.trade(account, marketId);
    if (r.chance(0.3)) await run.trade(account, r.pick(markets));
  }
  // A mismatch and a zero trade revert as predicted.
  const isolated = run.accounts.find((a) => a.isolatedMarket !== undefined);
  if (isolated !== undefined)
    await run.trade(isolated, isolated.isolatedMarket === BTC_MARKET ? ETH_MARKET : BTC_MARKET);
  await run.trade(run.accounts[0]!, BTC_MARKET, 0n);
  await run.checkpoint();

  // 2. Time passes (funding accrues), a ramp starts, time passes part-way through it.
  await time.increase(r.int(600, 40_000));
  await run.refreshFeeds();
  await b.core.setMarginTiers(BTC_MARKET, s.btcRampTiers);
  await b.core.setMarginTiers(ETH_MARKET, s.ethRampTiers);
  const ramp = Number(
    s.btcParams.marginRampDuration < s.ethParams.marginRampDuration
      ? s.btcParams.marginRampDuration
      : s.ethParams.marginRampDuration,
  );
  await time.increase(r.int(1, ramp - 10));
  await run.refreshFeeds();
  for (const account of run.accounts) {
    if (!r.chance(0.4)) continue;
    await run.trade(account, account.isolatedMarket ?? r.pick([BTC_MARKET, ETH_MARKET]));
  }
  // Paused: risk-increasing trades revert with EnforcedPause, as predicted.
  if (r.chance(0.5)) {
    await b.core.pause();
    await run.trade(run.accounts[1]!, run.accounts[1]!.isolatedMarket ?? BTC_MARKET);
    await b.core.unpause();
  }
  await run.checkpoint();

  // 3. Prices move.
  await run.movePrices();
  const views = await run.checkpoint();

  // 5. Price lines, on chain.
  let sampled = 0;
  for (const view of views) {
    for (const position of view.positions) {
      if (sampled >= 10 || !r.chance(0.6)) continue;
      sampled++;
      await run.checkPriceLines(view, position.marketId);
    }
  }

  // 6. Liquidations, then trades and withdrawals of the survivors.
  await run.liquidateAll(views);
  await run.checkpoint();
  for (const account of run.accounts) {
    if (r.chance(0.5)) await run.trade(account, account.isolatedMarket ?? r.pick([BTC_MARKET, ETH_MARKET]));
    if (r.chance(0.4)) await run.withdrawBoundary(account);
  }
  await run.checkpoint();
  counts.scenarios++;
}

describe("SDK account math vs the contracts (differential)", function () {
  this.timeout(120_000);

  it("accountHealth, previewLiquidation, trades, liquidations, withdrawals and price lines equal the core's", async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, runScenario), { numRuns: 12, seed: 20_251_121, endOnFailure: true });
    console.log(`      differential cases: ${JSON.stringify(counts)}`);
    expect(counts.healthComparisons).to.be.greaterThan(300);
    expect(counts.trades).to.be.greaterThan(150);
    expect(counts.tradeReverts).to.be.greaterThan(10);
    expect(counts.marketStateComparisons).to.be.greaterThan(100);
    expect(counts.priceLineChecks).to.be.greaterThan(50);
  });
});
