import { expect } from "chai";
import { network } from "hardhat";
import { MaxUint256, ZeroAddress } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  deployBallast,
  wad,
  WAD,
  BTC_MARKET,
  ETH_MARKET,
  BTC_TIERS,
  SIMPLE_TIERS,
  type Ballast,
  type FixtureOptions,
} from "../helpers/fixture.js";
import {
  divWadDown,
  expectedCloseSize,
  expectedFraction,
  expectTokenConservation,
  eventsNamed,
  mulWadDown,
  mulWadUp,
  notional,
  previewObject,
  requirement,
  ROUNDING_SLACK,
  simulateClose,
  targetEquity,
  divWadUp,
  type EventArgs,
  type SimPosition,
} from "../helpers/liquidationChecks.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

/** A struct result as a plain array of its values, for deep equality. */
const plain = (result: unknown): unknown[] => Array.from(result as ArrayLike<unknown>);
/** Whole USD as WAD. */
const usd = (value: number | string) => wad(value);
/** 8-decimal feed answer from a decimal string, e.g. "47000.00000001". */
const answer = (price: string) => wad(price) / 10n ** 10n;

async function deploy(options: FixtureOptions = {}, insuranceUsd = 10_000n): Promise<Ballast> {
  const b = await deployBallast(ethers, options);
  await b.seedVault(10_000_000n * b.unit);
  if (insuranceUsd > 0n) await b.seedInsurance(insuranceUsd * b.unit);
  return b;
}

async function defaultFixture() {
  return deploy();
}

/** A new account of `owner` with `depositUsd` of collateral and one position of `size` in `market`. */
async function openPosition(
  b: Ballast,
  owner: HardhatEthersSigner,
  depositUsd: bigint,
  size: bigint,
  market: bigint = BTC_MARKET,
  isolatedMarket?: bigint,
) {
  const id = await b.openAccount(owner, depositUsd * b.unit, isolatedMarket);
  await b.trader.connect(owner).trade(id, market, size, size > 0n ? MaxUint256 : 0n);
  return id;
}

async function setBtcAnswer(b: Ballast, price: string) {
  await b.btcFeed.setAnswer(answer(price));
}

interface LiquidationCheck {
  /** The caller is the owner or its operator: no keeper reward. */
  self?: boolean;
  /** The full/partial decision the test expects (checked against the reference model too). */
  full?: boolean;
}

/**
 * Liquidates `id` as `caller` for `recipient` and checks the whole result against the reference model of DESIGN §5
 * (written independently in helpers/liquidationChecks.ts, from the pre-liquidation accountHealth values): the
 * full/partial decision, the fraction, every closed size, the fee and its cap, the keeper/insurance split, the
 * bad-debt waterfall, the preview, the ledgers, the account's health afterwards and token conservation.
 */
async function liquidateAndCheck(
  b: Ballast,
  id: bigint,
  caller: HardhatEthersSigner,
  recipient: string,
  check: LiquidationCheck = {},
) {
  const { core } = b;
  const risk = await core.riskParams();
  const healthBefore = await core.accountHealth(id);
  const account = await core.getAccount(id);
  const markets: bigint[] = [];
  const positions: SimPosition[] = [];
  for (let m = 0n; m < (await core.marketCount()); m++) {
    if ((account.activeMarkets & (1n << m)) === 0n) continue;
    const [params, , tiers] = await core.getMarket(m);
    const position = await core.getPosition(id, m);
    markets.push(m);
    positions.push({
      size: position.size,
      openNotional: position.openNotional,
      price: await b.oracle.getPrice(params.feedId),
      tiers: tiers.map((t) => ({
        notionalCap: t.notionalCap,
        initialMarginRate: t.initialMarginRate,
        maintenanceMarginRate: t.maintenanceMarginRate,
      })),
    });
  }
  expect(healthBefore.liquidatable, "the account must be liquidatable").to.equal(true);

  // Reference decision (DESIGN §5), from the pre-liquidation accountHealth values.
  const { equity, maintenanceMargin, totalNotional } = healthBefore;
  const fraction = expectedFraction(
    equity,
    maintenanceMargin,
    totalNotional,
    risk.liquidationFeeRate,
    risk.liquidationBuffer,
  );
  let full = equity <= 0n || fraction === WAD || healthBefore.healthFactor < risk.fullLiquidationHealthFactor;
  if (!full) {
    const partial = simulateClose(account.margin, positions, fraction, risk.liquidationFeeRate);
    full =
      partial.remainingNotional < risk.minRemainingNotional ||
      partial.equityAfter < targetEquity(partial.maintenanceMarginAfter, risk.liquidationBuffer);
  }
  if (check.full !== undefined) expect(full, "reference model: full liquidation").to.equal(check.full);
  const sim = simulateClose(account.margin, positions, full ? WAD : fraction, risk.liquidationFeeRate);
  // DESIGN §9: the keeper's share of the fee, topped up from insurance to the floor for a close that is not dust.
  const rewardWith = (insurance: bigint) => {
    const share = check.self ? 0n : mulWadDown(sim.fee, risk.keeperRewardShare);
    const eligible = !check.self && sim.closedNotional >= risk.minRemainingNotional;
    const topUp = eligible && share < risk.keeperRewardFloor ? risk.keeperRewardFloor - share : 0n;
    const pot = insurance + sim.fee - share;
    return share + (topUp < pot ? topUp : pot);
  };

  const preview = await core.previewLiquidation(id);
  const expectedPreview = {
    liquidatable: true,
    full,
    fraction: full ? WAD : fraction,
    equityBefore: equity,
    maintenanceMarginBefore: maintenanceMargin,
    closedNotional: sim.closedNotional,
    fee: sim.fee,
    equityAfter: sim.equityAfter,
    maintenanceMarginAfter: sim.maintenanceMarginAfter,
    badDebt: sim.badDebt,
  };
  expect(previewObject(preview)).to.deep.equal(expectedPreview);
  expect(previewObject(await core.connect(caller).liquidate.staticCall(id, recipient))).to.deep.equal(expectedPreview);

  const marketsBefore = [];
  for (const m of markets) marketsBefore.push((await core.getMarket(m))[1]);
  const [vaultBefore, insuranceBefore] = await core.ledgers();
  const keeperReward = rewardWith(insuranceBefore);
  const claimableBefore = await core.claimableRewards(recipient);
  const receipt = await (await core.connect(caller).liquidate(id, recipient)).wait();
  const [vaultAfter, insuranceAfter] = await core.ledgers();

  const [liquidated] = eventsNamed(b, receipt, "AccountLiquidated") as [EventArgs];
  expect(liquidated).to.deep.include({
    accountId: id,
    liquidator: caller.address,
    recipient,
    full,
    fraction: full ? WAD : fraction,
    closedNotional: sim.closedNotional,
    fee: sim.fee,
    keeperReward,
    marginAfter: sim.badDebt > 0n ? 0n : sim.marginAfter,
  });
  const positionEvents = eventsNamed(b, receipt, "PositionLiquidated");
  expect(positionEvents.map((e) => e.marketId)).to.deep.equal(markets);
  expect(positionEvents.map((e) => e.closedSize)).to.deep.equal(sim.closedSizes);
  expect(positionEvents.map((e) => e.newSize)).to.deep.equal(sim.newSizes);
  for (let i = 0; i < markets.length; i++) {
    const position = await core.getPosition(id, markets[i]!);
    expect(position.size).to.equal(sim.newSizes[i]);
    // The market's open interest and net basis move by exactly what was closed.
    const stateBefore = marketsBefore[i]!;
    const stateAfter = (await core.getMarket(markets[i]!))[1];
    const closed = sim.closedSizes[i]!;
    expect(stateBefore.longOpenInterest - stateAfter.longOpenInterest).to.equal(closed > 0n ? closed : 0n);
    expect(stateBefore.shortOpenInterest - stateAfter.shortOpenInterest).to.equal(closed < 0n ? -closed : 0n);
    expect(stateAfter.netOpenNotional - stateBefore.netOpenNotional).to.equal(
      position.openNotional - positions[i]!.openNotional,
    );
  }
  let realisedMinusFunding = 0n;
  for (const e of positionEvents) realisedMinusFunding += (e.realisedPnl as bigint) - (e.fundingPaid as bigint);
  expect(realisedMinusFunding).to.equal(sim.realised);

  // Fee split and bad-debt waterfall: insurance first, then the vault.
  const badDebtEvents = eventsNamed(b, receipt, "BadDebtSettled");
  let covered = 0n;
  let socialised = 0n;
  if (sim.badDebt > 0n) {
    const insuranceWithFee = insuranceBefore + sim.fee - keeperReward;
    covered = sim.badDebt < insuranceWithFee ? sim.badDebt : insuranceWithFee;
    socialised = sim.badDebt - covered;
    expect(badDebtEvents).to.deep.equal([
      { accountId: id, badDebt: sim.badDebt, coveredByInsurance: covered, socialised },
    ]);
  } else {
    expect(badDebtEvents).to.deep.equal([]);
  }
  expect(insuranceAfter - insuranceBefore, "insurance: fee share minus bad debt covered").to.equal(
    sim.fee - keeperReward - covered,
  );
  expect(vaultAfter - vaultBefore, "vault: the trader's realised loss, minus socialised bad debt").to.equal(
    -sim.realised - socialised,
  );
  expect((await core.claimableRewards(recipient)) - claimableBefore).to.equal(keeperReward);

  // The account afterwards: healthy at the target, or empty with margin ≥ 0.
  const healthAfter = await core.accountHealth(id);
  const accountAfter = await core.getAccount(id);
  expect(accountAfter.margin).to.equal(sim.badDebt > 0n ? 0n : sim.marginAfter);
  if (full) {
    expect(accountAfter.activeMarkets).to.equal(0n);
    expect(healthAfter.maintenanceMargin).to.equal(0n);
    expect(accountAfter.margin >= 0n, "no account is left with negative margin and no positions").to.equal(true);
  } else {
    expect(healthAfter.equity).to.equal(sim.equityAfter);
    expect(healthAfter.maintenanceMargin).to.equal(sim.maintenanceMarginAfter);
    // The target is recomputed here from the MM after, not read from the contract.
    expect(healthAfter.equity >= targetEquity(healthAfter.maintenanceMargin, risk.liquidationBuffer)).to.equal(true);
    expect(healthAfter.liquidatable).to.equal(false);
  }
  expect(healthAfter.healthFactor >= healthBefore.healthFactor, "never less healthy than before").to.equal(true);
  await expectTokenConservation(b);
  return { healthBefore, healthAfter, sim, full, fraction, liquidated, receipt, keeperReward, covered, socialised };
}

describe("Liquidation", () => {
  describe("reverts", () => {
    it("AccountNotLiquidatable carries the account id, its equity and its MM", async () => {
      const b = await loadFixture(defaultFixture);
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      const health = await b.core.accountHealth(id);
      expect(health.equity).to.equal(usd(1000));
      expect(health.maintenanceMargin).to.equal(usd(500));
      await expect(b.core.connect(b.keeper).liquidate(id, b.keeper.address))
        .to.be.revertedWithCustomError(b.core, "AccountNotLiquidatable")
        .withArgs(id, usd(1000), usd(500));
      // An account without positions has MM = 0 and is never liquidatable, however little margin it has.
      const empty = await b.openAccount(b.bob, 7n * b.unit);
      await expect(b.core.connect(b.keeper).liquidate(empty, b.keeper.address))
        .to.be.revertedWithCustomError(b.core, "AccountNotLiquidatable")
        .withArgs(empty, usd(7), 0n);
      const zero = await b.openAccount(b.bob, 0n);
      await expect(b.core.connect(b.keeper).liquidate(zero, b.keeper.address))
        .to.be.revertedWithCustomError(b.core, "AccountNotLiquidatable")
        .withArgs(zero, 0n, 0n);
    });

    it("ZeroAddress for a zero recipient, even when the account is liquidatable (single and batch)", async () => {
      const b = await loadFixture(defaultFixture);
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await b.setPrice("BTC", 47_000);
      expect((await b.core.accountHealth(id)).liquidatable).to.equal(true);
      await expect(b.core.connect(b.keeper).liquidate(id, ZeroAddress)).to.be.revertedWithCustomError(
        b.core,
        "ZeroAddress",
      );
      await expect(b.core.connect(b.keeper).liquidateMany([id], ZeroAddress)).to.be.revertedWithCustomError(
        b.core,
        "ZeroAddress",
      );
    });

    it("AccountNotFound for ids never created (0, the next id, a large id)", async () => {
      const b = await loadFixture(defaultFixture);
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      for (const missing of [0n, id + 1n, 2n ** 200n]) {
        await expect(b.core.connect(b.keeper).liquidate(missing, b.keeper.address))
          .to.be.revertedWithCustomError(b.core, "AccountNotFound")
          .withArgs(missing);
      }
    });

    it("claimRewards: NothingToClaim with no rewards, ZeroAddress for a zero receiver", async () => {
      const b = await loadFixture(defaultFixture);
      await expect(b.core.connect(b.keeper).claimRewards(b.keeper.address))
        .to.be.revertedWithCustomError(b.core, "NothingToClaim")
        .withArgs(b.keeper.address);
      await expect(b.core.connect(b.keeper).claimRewards(ZeroAddress)).to.be.revertedWithCustomError(
        b.core,
        "ZeroAddress",
      );
    });
  });

  describe("seed rule: liquidatable exactly when equity ≤ position value × MMR (10%/5% table)", () => {
    // Long 0.2 BTC at 50,000 with 1,070 USD: equity = 1,070 + 0.2 (P − 50,000), MM = 0.05 × 0.2 × P;
    // equal exactly at P = 47,000 (equity = MM = 470).
    async function longAtTheLine() {
      const b = await deploy();
      const id = await openPosition(b, b.alice, 1070n, wad("0.2"));
      return { b, id };
    }
    // Short 0.2 BTC at 50,000 with 1,025 USD: equity = 1,025 + 0.2 (50,000 − P), MM = 0.01 P; equal at 52,500.
    async function shortAtTheLine() {
      const b = await deploy();
      const id = await openPosition(b, b.alice, 1025n, -wad("0.2"));
      return { b, id };
    }

    async function expectNotLiquidatable(b: Ballast, id: bigint) {
      const health = await b.core.accountHealth(id);
      expect(health.liquidatable).to.equal(false);
      expect(health.equity > BigInt(health.maintenanceMargin)).to.equal(true);
      expect((await b.core.previewLiquidation(id)).liquidatable).to.equal(false);
      await expect(b.core.connect(b.keeper).liquidate(id, b.keeper.address))
        .to.be.revertedWithCustomError(b.core, "AccountNotLiquidatable")
        .withArgs(id, health.equity, health.maintenanceMargin);
      expect(await b.core.connect(b.keeper).liquidateMany.staticCall([id], b.keeper.address)).to.deep.equal([false]);
    }

    it("long: one feed tick (1e-8 USD) above the line is not liquidatable", async () => {
      const { b, id } = await loadFixture(longAtTheLine);
      await setBtcAnswer(b, "47000.00000001");
      const health = await b.core.accountHealth(id);
      // equity − MM = 0.2 × 1e-8 − 0.01 × 1e-8 = 1.9e-9 USD.
      expect(health.equity - BigInt(health.maintenanceMargin)).to.equal(1_900_000_000n);
      await expectNotLiquidatable(b, id);
    });

    it("long: exactly at the line (equity = MM = 470) is liquidatable", async () => {
      const { b, id } = await loadFixture(longAtTheLine);
      await setBtcAnswer(b, "47000");
      const health = await b.core.accountHealth(id);
      expect(health.equity).to.equal(usd(470));
      expect(health.maintenanceMargin).to.equal(usd(470));
      expect(health.liquidatable).to.equal(true);
      expect(await b.core.connect(b.keeper).liquidateMany.staticCall([id], b.keeper.address)).to.deep.equal([true]);
      await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: false });
    });

    it("long: one tick below the line is liquidatable", async () => {
      const { b, id } = await loadFixture(longAtTheLine);
      await setBtcAnswer(b, "46999.99999999");
      const health = await b.core.accountHealth(id);
      expect(BigInt(health.maintenanceMargin) - health.equity).to.equal(1_900_000_000n);
      await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: false });
    });

    it("short: one tick below the line is not liquidatable, at and above it is", async () => {
      const { b, id } = await loadFixture(shortAtTheLine);
      await setBtcAnswer(b, "52499.99999999");
      // equity − MM = 0.2 × 1e-8 + 0.01 × 1e-8 = 2.1e-9 USD.
      const above = await b.core.accountHealth(id);
      expect(above.equity - BigInt(above.maintenanceMargin)).to.equal(2_100_000_000n);
      await expectNotLiquidatable(b, id);
      await setBtcAnswer(b, "52500");
      const at = await b.core.accountHealth(id);
      expect(at.equity).to.equal(usd(525));
      expect(at.maintenanceMargin).to.equal(usd(525));
      expect(at.liquidatable).to.equal(true);
      await setBtcAnswer(b, "52500.00000001");
      await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: false });
    });

    it("with a zero buffer, liquidating an account exactly at the line still leaves it healthy (or empty)", async () => {
      // DESIGN §6.4: after a liquidation the account is healthy at the target or empty. The buffer may be 0.
      const b = await deploy({ risk: { liquidationBuffer: 0n } });
      const id = await openPosition(b, b.alice, 1070n, wad("0.2"));
      await setBtcAnswer(b, "47000");
      const before = await b.core.accountHealth(id);
      expect(before.equity).to.equal(before.maintenanceMargin);
      expect(before.liquidatable).to.equal(true);
      const preview = await b.core.previewLiquidation(id);
      await b.core.connect(b.keeper).liquidate(id, b.keeper.address);
      const after = await b.core.accountHealth(id);
      expect(
        preview.fraction > 0n || preview.full,
        "a liquidation of a liquidatable account closes something",
      ).to.equal(true);
      expect(after.liquidatable, "still liquidatable after being liquidated").to.equal(false);
      await expectTokenConservation(b);
    });
  });

  describe("partial liquidation", () => {
    it("single-tier long: smallest closed-form fraction, health restored to (1 + buffer) × MM, exact fee split", async () => {
      const b = await loadFixture(defaultFixture);
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await b.setPrice("BTC", 47_000);
      const before = await b.core.accountHealth(id);
      // equity 400, MM 470, notional 9,400: T = 517, fee on all = 47, f = (117 + 1e-9) / 470.
      expect([before.equity, before.maintenanceMargin, before.totalNotional]).to.deep.equal([
        usd(400),
        usd(470),
        usd(9400),
      ]);
      const f = divWadUp(usd(117) + ROUNDING_SLACK, usd(470));
      const result = await liquidateAndCheck(b, id, b.keeper, b.carol.address, { full: false });
      expect(result.liquidated.fraction).to.equal(f);
      expect(result.liquidated.fraction).to.equal(
        expectedFraction(before.equity, before.maintenanceMargin, before.totalNotional, wad("0.005"), wad("0.1")),
      );
      // Smallest: a fraction 1e-6 below the exact bound would leave the account short of the target.
      const short = simulateClose(
        usd(1000),
        [
          {
            size: wad("0.2"),
            openNotional: usd(10_000),
            price: usd(47_000),
            tiers: SIMPLE_TIERS,
          },
        ],
        f - 10n ** 12n,
        wad("0.005"),
      );
      expect(short.equityAfter < targetEquity(short.maintenanceMarginAfter, wad("0.1"))).to.equal(true);
      // Fee uncapped (equity far above it): 0.5% of the closed notional, half to the keeper's recipient.
      const closed = expectedCloseSize(wad("0.2"), f);
      expect(result.liquidated.closedNotional).to.equal(notional(closed, usd(47_000)));
      expect(result.liquidated.fee).to.equal(mulWadUp(notional(closed, usd(47_000)), wad("0.005")));
      expect(result.keeperReward).to.equal(mulWadDown(result.liquidated.fee, wad("0.5")));
      expect(await b.core.claimableRewards(b.carol.address)).to.equal(result.keeperReward);
      expect(await b.core.claimableRewards(b.keeper.address)).to.equal(0n);
      expect((await b.core.getPosition(id, BTC_MARKET)).size).to.equal(wad("0.2") - closed);
    });

    it("single-tier short: the fraction and the target hold for shorts (closed size negative)", async () => {
      const b = await loadFixture(defaultFixture);
      const id = await openPosition(b, b.alice, 1000n, -wad("0.2"));
      await b.setPrice("BTC", 53_000);
      const result = await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: false });
      expect(result.sim.closedSizes[0]! < 0n).to.equal(true);
      expect((await b.core.getPosition(id, BTC_MARKET)).size > -wad("0.2")).to.equal(true);
    });

    it("multi-tier (BTC_TIERS) long spanning two brackets: convexity lowers MM by more than the fraction", async () => {
      const b = await deploy({ btcTiers: BTC_TIERS });
      const id = await openPosition(b, b.alice, 3000n, wad(2));
      await b.setPrice("BTC", 49_200);
      const before = await b.core.accountHealth(id);
      // notional 98,400: MM = 1% × 50,000 + 2% × 48,400 = 1,468.
      expect(before.maintenanceMargin).to.equal(usd(1468));
      expect(before.equity).to.equal(usd(1400));
      const result = await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: false });
      const f = result.liquidated.fraction as bigint;
      const mmAfter = result.healthAfter.maintenanceMargin;
      expect(mmAfter < mulWadDown(before.maintenanceMargin, WAD - f)).to.equal(true);
      expect(mmAfter).to.equal(requirement(BTC_TIERS, result.healthAfter.totalNotional, "maintenance"));
    });

    it("previewLiquidation equals liquidate in the same block, with funding accruing", async () => {
      const b = await deploy({ btcParams: { fundingScale: wad(10), maxFundingRatePerSecond: wad("0.00001") } });
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await time.increase(1800);
      await b.setPrice("BTC", 47_000);
      const next = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(next);
      // "pending" is evaluated at the next block's timestamp, the one the liquidation is mined in.
      const preview = await b.core.previewLiquidation(id, { blockTag: "pending" });
      const receipt = await (await b.core.connect(b.keeper).liquidate(id, b.keeper.address)).wait();
      expect((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp).to.equal(next);
      const [event] = eventsNamed(b, receipt, "AccountLiquidated") as [EventArgs];
      const [position] = eventsNamed(b, receipt, "PositionLiquidated") as [EventArgs];
      expect(position.fundingPaid > 0n, "funding is part of this liquidation").to.equal(true);
      expect(preview.liquidatable).to.equal(true);
      expect(event).to.deep.include({
        full: preview.full,
        fraction: preview.fraction,
        closedNotional: preview.closedNotional,
        fee: preview.fee,
      });
      const after = await b.core.accountHealth(id);
      expect(after.equity).to.equal(preview.equityAfter);
      expect(after.maintenanceMargin).to.equal(preview.maintenanceMarginAfter);
      expect(after.equity >= targetEquity(after.maintenanceMargin, wad("0.1"))).to.equal(true);
      await expectTokenConservation(b);
    });

    it("a liquidated account is never less healthy than before, over a sweep of prices", async () => {
      const outcomes: string[] = [];
      for (const price of [47_300, 47_000, 46_600, 46_200, 45_900, 45_600, 45_500, 45_100, 45_000, 44_000]) {
        const b = await loadFixture(defaultFixture);
        const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
        await b.setPrice("BTC", price);
        const r = await liquidateAndCheck(b, id, b.keeper, b.keeper.address);
        expect(r.healthAfter.healthFactor >= r.healthBefore.healthFactor).to.equal(true);
        outcomes.push(r.full ? "full" : "partial");
      }
      // The sweep covers both kinds.
      expect(outcomes.slice(0, 4)).to.deep.equal(["partial", "partial", "partial", "partial"]);
      expect(outcomes.slice(-4)).to.deep.equal(["full", "full", "full", "full"]);
    });
  });

  describe("full liquidation triggers", () => {
    it("equity ≤ 0: equity exactly 0 closes everything with no fee and no bad debt", async () => {
      const b = await loadFixture(defaultFixture);
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await b.setPrice("BTC", 45_000);
      expect((await b.core.accountHealth(id)).equity).to.equal(0n);
      const r = await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: true });
      expect(r.liquidated.fee).to.equal(0n);
      expect(r.sim.badDebt).to.equal(0n);
      expect((await b.core.getAccount(id)).margin).to.equal(0n);
    });

    it("health below fullLiquidationHealthFactor (0.5) with a partial possible: full; with the factor at 0: partial", async () => {
      // Price 45,500: equity 100, MM 455, health 0.2198; the closed form gives f ≈ 0.88 < 1.
      const full = await loadFixture(defaultFixture);
      const id = await openPosition(full, full.alice, 1000n, wad("0.2"));
      await full.setPrice("BTC", 45_500);
      const h = await full.core.accountHealth(id);
      expect(h.healthFactor < wad("0.5")).to.equal(true);
      expect(expectedFraction(h.equity, h.maintenanceMargin, h.totalNotional, wad("0.005"), wad("0.1")) < WAD).to.equal(
        true,
      );
      const r = await liquidateAndCheck(full, id, full.keeper, full.keeper.address, { full: true });
      // fee 0.5% × 9,100 = 45.5 (below the 100 of equity left); margin 1,000 − 900 − 45.5.
      expect(r.liquidated.fee).to.equal(usd("45.5"));
      expect(r.liquidated.marginAfter).to.equal(usd("54.5"));

      const partial = await deploy({ risk: { fullLiquidationHealthFactor: 0n } });
      const id2 = await openPosition(partial, partial.alice, 1000n, wad("0.2"));
      await partial.setPrice("BTC", 45_500);
      await liquidateAndCheck(partial, id2, partial.keeper, partial.keeper.address, { full: false });
    });

    it("remaining notional under minRemainingNotional: full instead of the partial that would leave 7,060", async () => {
      const b = await deploy({ risk: { minRemainingNotional: usd(8000) } });
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await b.setPrice("BTC", 47_000);
      const r = await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: true });
      expect(r.fraction < WAD).to.equal(true);
      expect(r.liquidated.fee).to.equal(usd(47));
      expect(r.liquidated.marginAfter).to.equal(usd(353));
    });

    it("the fraction reaches 100% (equity ≤ fee on everything) with the other triggers off", async () => {
      const b = await deploy({ risk: { fullLiquidationHealthFactor: 0n, minRemainingNotional: 0n } });
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await b.setPrice("BTC", 45_100);
      const h = await b.core.accountHealth(id);
      expect(h.equity).to.equal(usd(20));
      expect(expectedFraction(h.equity, h.maintenanceMargin, h.totalNotional, wad("0.005"), wad("0.1"))).to.equal(WAD);
      const r = await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: true });
      expect(r.liquidated.fraction).to.equal(WAD);
    });

    it("the fee is capped at the remaining positive equity (20 < 0.5% × 9,020), split keeper/insurance", async () => {
      const b = await loadFixture(defaultFixture);
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await b.setPrice("BTC", 45_100);
      const r = await liquidateAndCheck(b, id, b.keeper, b.carol.address, { full: true });
      expect(mulWadUp(usd(9020), wad("0.005"))).to.equal(usd("45.1"));
      expect(r.liquidated.fee).to.equal(usd(20));
      expect(r.keeperReward).to.equal(usd(10));
      expect(r.liquidated.marginAfter).to.equal(0n);
      expect(r.sim.badDebt).to.equal(0n);
    });
  });

  describe("fee split and rewards", () => {
    it("an odd keeper share rounds the keeper's part down and the insurance gets the rest", async () => {
      const b = await deploy({ risk: { keeperRewardShare: wad("0.333333333333333333") } });
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await b.setPrice("BTC", 46_600);
      const r = await liquidateAndCheck(b, id, b.keeper, b.carol.address);
      const fee = r.liquidated.fee as bigint;
      expect(r.keeperReward).to.equal((fee * wad("0.333333333333333333")) / WAD);
      expect(r.keeperReward * 3n < fee).to.equal(true);
    });

    it("claimRewards pays whole token units (rounded down) and leaves the sub-unit dust claimable", async () => {
      const b = await loadFixture(defaultFixture);
      const first = await openPosition(b, b.alice, 1000n, wad("0.2"));
      const second = await openPosition(b, b.bob, 1000n, wad("0.2"));
      await b.setPrice("BTC", 46_600);
      const r1 = await liquidateAndCheck(b, first, b.keeper, b.carol.address);
      const r2 = await liquidateAndCheck(b, second, b.lp, b.carol.address);
      const owed = await b.core.claimableRewards(b.carol.address);
      expect(owed).to.equal(r1.keeperReward + r2.keeperReward);
      const scale = 10n ** 12n;
      expect(owed % scale > 0n, "the scenario leaves dust").to.equal(true);

      const to = b.staker.address;
      const balanceBefore = await b.token.balanceOf(to);
      const assets = await b.core.connect(b.carol).claimRewards.staticCall(to);
      expect(assets).to.equal(owed / scale);
      await expect(b.core.connect(b.carol).claimRewards(to))
        .to.emit(b.core, "RewardsClaimed")
        .withArgs(b.carol.address, to, owed / scale);
      expect((await b.token.balanceOf(to)) - balanceBefore).to.equal(owed / scale);
      expect(await b.core.claimableRewards(b.carol.address)).to.equal(owed % scale);
      await expectTokenConservation(b);
      // Only dust is left: nothing to claim, and the dust stays.
      await expect(b.core.connect(b.carol).claimRewards(to))
        .to.be.revertedWithCustomError(b.core, "NothingToClaim")
        .withArgs(b.carol.address);
      expect(await b.core.claimableRewards(b.carol.address)).to.equal(owed % scale);
    });

    it("with an 18-decimal token the whole reward is paid and conservation holds at scale 1", async () => {
      const b = await deploy({ decimals: 18 });
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await b.setPrice("BTC", 47_000);
      const r = await liquidateAndCheck(b, id, b.keeper, b.keeper.address);
      await b.core.connect(b.keeper).claimRewards(b.keeper.address);
      expect(await b.token.balanceOf(b.keeper.address)).to.equal(r.keeperReward);
      expect(await b.core.claimableRewards(b.keeper.address)).to.equal(0n);
      await expectTokenConservation(b);
    });
  });

  describe("self-liquidation pays no keeper reward", () => {
    it("by the owner: reward 0 (whatever the recipient), the whole fee to insurance", async () => {
      const b = await loadFixture(defaultFixture);
      const id = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await b.setPrice("BTC", 47_000);
      const [, insuranceBefore] = await b.core.ledgers();
      const r = await liquidateAndCheck(b, id, b.alice, b.carol.address, { self: true });
      expect(r.liquidated.keeperReward).to.equal(0n);
      expect(r.liquidated.fee > 0n).to.equal(true);
      const [, insuranceAfter] = await b.core.ledgers();
      expect(insuranceAfter - insuranceBefore).to.equal(r.liquidated.fee);
      expect(await b.core.claimableRewards(b.carol.address)).to.equal(0n);
      expect(await b.core.claimableRewards(b.alice.address)).to.equal(0n);
    });

    it("by an operator (single and batch): reward 0; once revoked, the same caller earns the reward", async () => {
      const b = await loadFixture(defaultFixture);
      const one = await openPosition(b, b.alice, 1000n, wad("0.2"));
      const two = await openPosition(b, b.alice, 1000n, wad("0.2"));
      const three = await openPosition(b, b.alice, 1000n, wad("0.2"));
      await b.core.connect(b.alice).setOperator(b.bob.address, true);
      await b.setPrice("BTC", 47_000);
      const r = await liquidateAndCheck(b, one, b.bob, b.bob.address, { self: true });
      expect(r.liquidated.keeperReward).to.equal(0n);

      const [, insuranceBefore] = await b.core.ledgers();
      const receipt = await (await b.core.connect(b.bob).liquidateMany([two], b.bob.address)).wait();
      const [event] = eventsNamed(b, receipt, "AccountLiquidated") as [EventArgs];
      expect(event.keeperReward).to.equal(0n);
      const [, insuranceAfter] = await b.core.ledgers();
      expect(insuranceAfter - insuranceBefore).to.equal(event.fee);
      expect(await b.core.claimableRewards(b.bob.address)).to.equal(0n);
      await expectTokenConservation(b);

      await b.core.connect(b.alice).setOperator(b.bob.address, false);
      const paid = await liquidateAndCheck(b, three, b.bob, b.bob.address);
      expect(paid.keeperReward > 0n).to.equal(true);
    });
  });

  describe("while paused", () => {
    it("liquidate and liquidateMany work while new risk is blocked", async () => {
      const b = await loadFixture(defaultFixture);
      const one = await openPosition(b, b.alice, 1000n, wad("0.2"));
      const two = await openPosition(b, b.bob, 1000n, wad("0.2"));
      await b.setPrice("BTC", 47_000);
      await b.core.connect(b.admin).pause();
      expect(await b.core.paused()).to.equal(true);
      const fresh = await b.openAccount(b.carol, 1000n * b.unit);
      await expect(
        b.trader.connect(b.carol).trade(fresh, BTC_MARKET, wad("0.01"), MaxUint256),
      ).to.be.revertedWithCustomError(b.core, "EnforcedPause");
      await liquidateAndCheck(b, one, b.keeper, b.keeper.address, { full: false });
      expect(await b.core.connect(b.keeper).liquidateMany.staticCall([two], b.keeper.address)).to.deep.equal([true]);
      await b.core.connect(b.keeper).liquidateMany([two], b.keeper.address);
      expect((await b.core.accountHealth(two)).liquidatable).to.equal(false);
      await expectTokenConservation(b);
    });
  });

  describe("liquidateMany", () => {
    it("liquidates exactly the liquidatable ids, skips healthy, empty and unknown ones; a second keeper gets all false", async () => {
      const b = await loadFixture(defaultFixture);
      const healthyLong = await openPosition(b, b.alice, 5000n, wad("0.2"));
      const partial = await openPosition(b, b.bob, 1000n, wad("0.2"));
      const empty = await b.openAccount(b.carol, 300n * b.unit);
      const atTheLine = await openPosition(b, b.carol, 1070n, wad("0.2"));
      const healthyShort = await openPosition(b, b.lp, 1000n, -wad("0.2"));
      const crossTwoMarkets = await openPosition(b, b.staker, 1600n, wad("0.2"));
      await b.trader.connect(b.staker).trade(crossTwoMarkets, ETH_MARKET, -wad(3), 0n);
      await b.setPrice("BTC", 47_000);
      await b.setPrice("ETH", 2_100);
      const unknown = 999n;
      const ids = [healthyShort, partial, unknown, empty, atTheLine, healthyLong, partial, crossTwoMarkets];
      const expected = [false, true, false, false, true, false, false, true]; // the repeated id is healthy by then

      const untouched = [healthyShort, empty, healthyLong];
      const snapshot = async (id: bigint) => ({
        account: plain(await b.core.getAccount(id)),
        btc: plain(await b.core.getPosition(id, BTC_MARKET)),
        eth: plain(await b.core.getPosition(id, ETH_MARKET)),
      });
      const before = await Promise.all(untouched.map(snapshot));
      const previews = new Map<bigint, Awaited<ReturnType<typeof b.core.previewLiquidation>>>();
      for (const id of [partial, atTheLine, crossTwoMarkets]) previews.set(id, await b.core.previewLiquidation(id));

      expect(await b.core.connect(b.keeper).liquidateMany.staticCall(ids, b.keeper.address)).to.deep.equal(expected);
      const receipt = await (await b.core.connect(b.keeper).liquidateMany(ids, b.keeper.address)).wait();
      const events = eventsNamed(b, receipt, "AccountLiquidated");
      expect(events.map((e) => e.accountId)).to.deep.equal([partial, atTheLine, crossTwoMarkets]);
      let rewards = 0n;
      for (const event of events) {
        const preview = previews.get(event.accountId)!;
        expect(event).to.deep.include({
          full: preview.full,
          fraction: preview.fraction,
          closedNotional: preview.closedNotional,
          fee: preview.fee,
        });
        expect((await b.core.accountHealth(event.accountId)).liquidatable).to.equal(false);
        rewards += event.keeperReward;
      }
      expect(await b.core.claimableRewards(b.keeper.address)).to.equal(rewards);
      expect(await Promise.all(untouched.map(snapshot))).to.deep.equal(before);
      await expectTokenConservation(b);

      // A competing keeper right after: nothing left, and the batch does not revert.
      expect(await b.core.connect(b.bob).liquidateMany.staticCall(ids, b.bob.address)).to.deep.equal(
        ids.map(() => false),
      );
      const second = await (await b.core.connect(b.bob).liquidateMany(ids, b.bob.address)).wait();
      expect(eventsNamed(b, second, "AccountLiquidated")).to.deep.equal([]);
      expect(await b.core.claimableRewards(b.bob.address)).to.equal(0n);
      expect(await b.core.connect(b.keeper).liquidateMany.staticCall([], b.keeper.address)).to.deep.equal([]);
      await expectTokenConservation(b);
    });
  });

  describe("seed rule: the insurance fund absorbs the loss when a position closes beyond its bankruptcy price", () => {
    // Long 0.2 BTC at 50,000 with 1,070 USD: bankruptcy price 50,000 − 1,070 / 0.2 = 44,650. Crash to 44,000:
    // the trader loses 1,200 (to the vault), 130 more than its margin.
    async function crash(insuranceUsd: bigint) {
      const b = await deploy({}, insuranceUsd);
      const id = await openPosition(b, b.alice, 1070n, wad("0.2"));
      const bystander = await b.openAccount(b.bob, 500n * b.unit);
      await b.setPrice("BTC", 44_000);
      expect((await b.core.accountHealth(id)).equity).to.equal(-usd(130));
      expect((await b.core.previewLiquidation(id)).badDebt).to.equal(usd(130));
      const [vaultBefore, insuranceBefore] = await b.core.ledgers();
      const r = await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: true });
      const [vaultAfter, insuranceAfter] = await b.core.ledgers();
      expect(r.liquidated.fee).to.equal(0n);
      expect(r.sim.realised).to.equal(-usd(1200));
      expect((await b.core.getAccount(id)).margin).to.equal(0n);
      expect((await b.core.getAccount(bystander)).margin, "an account with no positions loses nothing").to.equal(
        usd(500),
      );
      return { b, r, vaultDelta: vaultAfter - vaultBefore, insuranceDelta: insuranceAfter - insuranceBefore };
    }

    it("insurance large enough: it drops by exactly the bad debt and the vault is not socialised", async () => {
      const { b, r, vaultDelta, insuranceDelta } = await crash(1000n);
      expect(insuranceDelta).to.equal(-usd(130));
      expect(vaultDelta).to.equal(usd(1200)); // only the trader's realised loss
      expect(eventsNamed(b, r.receipt, "BadDebtSettled")).to.deep.equal([
        { accountId: r.liquidated.accountId, badDebt: usd(130), coveredByInsurance: usd(130), socialised: 0n },
      ]);
    });

    it("insurance exactly the bad debt: emptied, nothing socialised", async () => {
      const { r, vaultDelta, insuranceDelta } = await crash(130n);
      expect(insuranceDelta).to.equal(-usd(130));
      expect(vaultDelta).to.equal(usd(1200));
      expect(r.socialised).to.equal(0n);
    });

    it("insurance smaller than the bad debt: emptied first, the vault takes exactly the rest", async () => {
      const { r, vaultDelta, insuranceDelta } = await crash(100n);
      expect(insuranceDelta).to.equal(-usd(100));
      expect(vaultDelta).to.equal(usd(1200) - usd(30));
      expect([r.covered, r.socialised]).to.deep.equal([usd(100), usd(30)]);
    });

    it("no insurance: the whole bad debt is socialised", async () => {
      const { r, vaultDelta, insuranceDelta } = await crash(0n);
      expect(insuranceDelta).to.equal(0n);
      expect(vaultDelta).to.equal(usd(1200) - usd(130));
      expect([r.covered, r.socialised]).to.deep.equal([0n, usd(130)]);
    });
  });

  describe("cross and isolated accounts", () => {
    it("a cross account with BTC long and ETH short is liquidated pro rata (same fraction, each size rounded up)", async () => {
      const b = await loadFixture(defaultFixture);
      const id = await openPosition(b, b.alice, 1600n, wad("0.2"));
      await b.trader.connect(b.alice).trade(id, ETH_MARKET, -wad(3), 0n);
      await b.setPrice("BTC", 46_000);
      await b.setPrice("ETH", 2_100);
      const h = await b.core.accountHealth(id);
      // equity 1,600 − 800 − 300 = 500; MM 5% × (9,200 + 6,300) = 775.
      expect([h.equity, h.maintenanceMargin]).to.deep.equal([usd(500), usd(775)]);
      const r = await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: false });
      const f = r.liquidated.fraction as bigint;
      expect(r.sim.closedSizes).to.deep.equal([mulWadUp(wad("0.2"), f), -mulWadUp(wad(3), f)]);
      expect((await b.core.getPosition(id, BTC_MARKET)).size).to.equal(wad("0.2") - mulWadUp(wad("0.2"), f));
      expect((await b.core.getPosition(id, ETH_MARKET)).size).to.equal(-wad(3) + mulWadUp(wad(3), f));
      // Same fraction of each: closed / size agree to within one wei of size each.
      const btcShare = divWadDown(mulWadUp(wad("0.2"), f), wad("0.2"));
      const ethShare = divWadDown(mulWadUp(wad(3), f), wad(3));
      expect(btcShare >= f && btcShare - f <= 5n).to.equal(true);
      expect(ethShare >= f && ethShare - f <= 1n).to.equal(true);
    });

    it("a cross account crashed past bankruptcy is closed in both markets and its bad debt written off", async () => {
      const b = await loadFixture(defaultFixture);
      const id = await openPosition(b, b.alice, 1600n, wad("0.2"));
      await b.trader.connect(b.alice).trade(id, ETH_MARKET, -wad(3), 0n);
      await b.setPrice("BTC", 44_000);
      await b.setPrice("ETH", 2_300);
      // equity 1,600 − 1,200 − 900 = −500.
      expect((await b.core.accountHealth(id)).equity).to.equal(-usd(500));
      const r = await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: true });
      expect(r.sim.badDebt).to.equal(usd(500));
      expect(r.sim.newSizes).to.deep.equal([0n, 0n]);
      expect((await b.core.getAccount(id)).activeMarkets).to.equal(0n);
    });

    it("a multi-tier BTC + single-tier ETH cross account restores the target after a partial", async () => {
      const b = await deploy({ btcTiers: BTC_TIERS });
      // IM 3,000 (BTC 100,000 over two brackets) + 2,000 (ETH 20,000 at 10%).
      const id = await openPosition(b, b.alice, 5000n, wad(2));
      await b.trader.connect(b.alice).trade(id, ETH_MARKET, wad(10), MaxUint256);
      await b.setPrice("BTC", 49_400);
      await b.setPrice("ETH", 1_850);
      const h = await b.core.accountHealth(id);
      // equity 5,000 − 1,200 − 1,500; MM (1% × 50,000 + 2% × 48,800) + 5% × 18,500.
      expect([h.equity, h.maintenanceMargin]).to.deep.equal([usd(2300), usd(1476 + 925)]);
      await liquidateAndCheck(b, id, b.keeper, b.keeper.address, { full: false });
    });

    it("liquidating an isolated account does not touch the owner's cross account (or its other isolated one)", async () => {
      const b = await loadFixture(defaultFixture);
      const cross = await openPosition(b, b.alice, 10_000n, wad("0.2"));
      await b.trader.connect(b.alice).trade(cross, ETH_MARKET, wad(1), MaxUint256);
      const isolated = await openPosition(b, b.alice, 1000n, wad("0.2"), BTC_MARKET, BTC_MARKET);
      const isolatedEth = await openPosition(b, b.alice, 1000n, wad(2), ETH_MARKET, ETH_MARKET);
      await b.setPrice("BTC", 47_000);
      const snapshot = async (id: bigint) => ({
        account: plain(await b.core.getAccount(id)),
        health: plain(await b.core.accountHealth(id)),
        btc: plain(await b.core.getPosition(id, BTC_MARKET)),
        eth: plain(await b.core.getPosition(id, ETH_MARKET)),
      });
      const before = [await snapshot(cross), await snapshot(isolatedEth)];
      expect((await b.core.accountHealth(cross)).liquidatable).to.equal(false);
      const r = await liquidateAndCheck(b, isolated, b.keeper, b.keeper.address, { full: false });
      expect(r.sim.closedSizes.length).to.equal(1);
      expect([await snapshot(cross), await snapshot(isolatedEth)]).to.deep.equal(before);
      await expect(b.core.connect(b.keeper).liquidate(cross, b.keeper.address)).to.be.revertedWithCustomError(
        b.core,
        "AccountNotLiquidatable",
      );
    });
  });
});
