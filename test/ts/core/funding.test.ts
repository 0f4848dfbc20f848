import { expect } from "chai";
import { network } from "hardhat";
import type { ContractTransactionReceipt } from "ethers";
import { deployBallast, marketParams, wad, WAD, BTC, BTC_MARKET, ETH_MARKET } from "../helpers/fixture.js";
import { pythUpdate } from "../helpers/orders.js";
import {
  accruedFunding,
  applyFill,
  ceilDiv,
  feedToWad,
  fundingRate,
  nextIndex,
  unrealisedPnl,
} from "../helpers/coreMath.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const USDC = 10n ** 6n;
const SCALE = 10n ** 12n;
const FUNDING_SCALE = wad(10); // 10 BTC of skew reaches the max rate
const MAX_RATE = 10n ** 13n; // WAD per second (≈ 86% a day)
const BTC_ANSWER = 5_000_000_000_000n; // 50,000.00000000

const fundingFixture = () =>
  deployBallast(ethers, {
    btcParams: {
      fundingScale: FUNDING_SCALE,
      maxFundingRatePerSecond: MAX_RATE,
    },
  });

type Deployment = Awaited<ReturnType<typeof fundingFixture>>;
type Signer = Deployment["alice"];

interface ModelPosition {
  size: bigint;
  openNotional: bigint;
  entryIndex: bigint;
}

/**
 * The funding of market 0 per DESIGN §4, replayed trade by trade at exact block timestamps: the index advances at
 * the skew it had since the last touch, and each trade settles its position's funding since its entry index.
 */
class FundingModel {
  index = 0n;
  skew = 0n;
  lastTime = 0n;
  /** Σ skew × Δindex over every interval (36 decimals): exactly what the traders owe the vault together. */
  exactVaultReceipts36 = 0n;
  settlements = 0;
  readonly positions = new Map<bigint, ModelPosition>();

  accrue(timestamp: bigint, price: bigint) {
    const rate = fundingRate(this.skew, FUNDING_SCALE, MAX_RATE);
    const elapsed = timestamp - this.lastTime;
    const accrued = elapsed > 0n && rate !== 0n;
    if (accrued) {
      const next = nextIndex(this.index, rate, price, elapsed);
      this.exactVaultReceipts36 += this.skew * (next - this.index);
      this.index = next;
    }
    this.lastTime = timestamp;
    return { rate, accrued };
  }

  trade(accountId: bigint, sizeDelta: bigint, price: bigint) {
    const p = this.positions.get(accountId) ?? {
      size: 0n,
      openNotional: 0n,
      entryIndex: 0n,
    };
    const fundingPaid = accruedFunding(p.size, p.entryIndex, this.index);
    if (fundingPaid !== 0n) this.settlements++;
    const fill = applyFill(p.size, p.openNotional, sizeDelta, price);
    this.skew += sizeDelta;
    this.positions.set(accountId, {
      size: fill.newSize,
      openNotional: fill.newOpenNotional,
      entryIndex: this.index,
    });
    return { fundingPaid, ...fill };
  }
}

function tradedEvent(b: Deployment, receipt: ContractTransactionReceipt | null) {
  for (const log of receipt?.logs ?? []) {
    const parsed = b.core.interface.parseLog(log);
    if (parsed?.name === "PositionTraded") return parsed.args;
  }
  throw new Error("no PositionTraded event");
}

/** Trades at exactly `timestamp` after writing `answer` to the BTC feed one second earlier; checks the model. */
async function step(
  b: Deployment,
  model: FundingModel,
  timestamp: bigint,
  answer: bigint,
  signer: Signer,
  accountId: bigint,
  sizeDelta: bigint,
) {
  // The order is committed first; it settles at `timestamp` at the new price (the model's trade time).
  await b.trader.commit(signer, accountId, BTC_MARKET, sizeDelta, sizeDelta > 0n ? ethers.MaxUint256 : 0n, timestamp);
  await time.setNextBlockTimestamp(timestamp - 1n);
  await b.btcFeed.setAnswer(answer);
  const price = feedToWad(answer);
  const { rate, accrued } = model.accrue(timestamp, price);
  const expected = model.trade(accountId, sizeDelta, price);
  const marginBefore = (await b.core.getAccount(accountId)).margin;
  const tx = b.trader.settle(accountId, BTC_MARKET, { timestamp });
  if (accrued) await expect(tx).to.emit(b.core, "FundingAccrued").withArgs(BTC_MARKET, rate, model.index);
  else await expect(tx).not.to.emit(b.core, "FundingAccrued");
  const event = tradedEvent(b, await (await tx).wait());
  expect(event.fundingPaid).to.equal(expected.fundingPaid);
  expect(event.realisedPnl).to.equal(expected.realisedPnl);
  expect(event.fundingIndex).to.equal(model.index);
  expect(event.newSize).to.equal(expected.newSize);
  expect(event.newOpenNotional).to.equal(expected.newOpenNotional);
  expect(event.marginAfter).to.equal(marginBefore + expected.realisedPnl - expected.fundingPaid);
  const position = await b.core.getPosition(accountId, BTC_MARKET);
  if (expected.newSize !== 0n) expect(position.lastFundingIndex).to.equal(model.index);
  return expected;
}

async function fundedAccount(b: Deployment, signer: Signer, usdc: bigint) {
  return b.openAccount(signer, usdc * USDC);
}

describe("BallastCore — funding", () => {
  it("does not accrue without skew", async () => {
    const b = await loadFixture(fundingFixture);
    const alice = await fundedAccount(b, b.alice, 10_000n);
    const bob = await fundedAccount(b, b.bob, 10_000n);
    // Both sides settle in the same block, so the market is never skewed.
    await b.trader.commit(b.alice, alice, BTC_MARKET, wad(1), ethers.MaxUint256);
    await b.trader.commit(b.bob, bob, BTC_MARKET, -wad(1), 0n);
    const updates = await Promise.all(
      [alice, bob].map(async (id) =>
        pythUpdate({
          feedId: BTC,
          priceWad: await b.oracle.getPrice(BTC),
          publishTime: (await b.orderBook.getOrder(id, BTC_MARKET)).settleTime,
        }),
      ),
    );
    await b.orderBook.connect(b.settler).settleMany(
      [
        { accountId: alice, marketId: BTC_MARKET, priceUpdate: [updates[0]!] },
        { accountId: bob, marketId: BTC_MARKET, priceUpdate: [updates[1]!] },
      ],
      { value: 2n },
    );
    expect((await b.core.getPosition(bob, BTC_MARKET)).size).to.equal(-wad(1));
    const [indexBalanced, rateBalanced] = await b.core.currentFunding(BTC_MARKET);
    expect([indexBalanced, rateBalanced]).to.deep.equal([0n, 0n]);
    await time.increase(3000);
    await b.btcFeed.setAnswer(BTC_ANSWER);
    expect(await b.core.currentFunding(BTC_MARKET)).to.deep.equal([indexBalanced, 0n]);
    // Both positions entered at indexBalanced: nothing is owed either way, and closing accrues nothing.
    expect((await b.core.accountHealth(alice)).equity).to.equal(wad(10_000));
    expect((await b.core.accountHealth(bob)).equity).to.equal(wad(10_000));
    await expect(b.trader.connect(b.alice).closePosition(alice, BTC_MARKET, 0n)).not.to.emit(b.core, "FundingAccrued");
  });

  it("funding is disabled when fundingScale is 0 (ETH), whatever the skew", async () => {
    const b = await loadFixture(fundingFixture);
    const alice = await fundedAccount(b, b.alice, 10_000n);
    await b.trader.connect(b.alice).trade(alice, ETH_MARKET, wad(10), ethers.MaxUint256);
    await time.increase(2000);
    expect(await b.core.currentFunding(ETH_MARKET)).to.deep.equal([0n, 0n]);
    await expect(b.core.currentFunding(2)).to.be.revertedWithCustomError(b.core, "MarketNotListed").withArgs(2n);
  });

  it("rate = maxRate × skew / fundingScale, truncated toward zero and clamped at ±maxRate", async () => {
    const b = await loadFixture(fundingFixture);
    const alice = await fundedAccount(b, b.alice, 1_000_000n);
    const bob = await fundedAccount(b, b.bob, 1_000_000n);
    const cases: [Signer, bigint, bigint, bigint][] = [
      // [signer, account, sizeDelta, expected rate]
      [b.alice, alice, 333_333_333_333_333_333n, 333_333_333_333n], // 1/3 BTC: 333,333,333,333.33 truncated
      [b.bob, bob, -666_666_666_666_666_666n, -333_333_333_333n], // skew −1/3: truncated toward 0, not −…334
      [b.alice, alice, wad(10), 9_666_666_666_666n], // skew 10 − 1/3: 9,666,666,666,666.67 truncated
      [b.alice, alice, 333_333_333_333_333_333n, MAX_RATE], // skew exactly 10 = fundingScale
      [b.alice, alice, wad(15), MAX_RATE], // skew 25: clamped
      [b.bob, bob, -wad(55), -MAX_RATE], // skew −30: clamped
      [b.bob, bob, wad(28), -(2n * 10n ** 12n)], // skew −2
    ];
    let skew = 0n;
    for (const [signer, id, delta, expected] of cases) {
      await b.trader.connect(signer).trade(id, BTC_MARKET, delta, delta > 0n ? ethers.MaxUint256 : 0n);
      skew += delta;
      const [, rate] = await b.core.currentFunding(BTC_MARKET);
      expect(rate).to.equal(expected);
      expect(rate).to.equal(fundingRate(skew, FUNDING_SCALE, MAX_RATE));
    }
    expect(skew).to.equal(-wad(2));
  });

  it("longs pay shorts when longs dominate; currentFunding and equity follow the formula", async () => {
    const b = await loadFixture(fundingFixture);
    const alice = await fundedAccount(b, b.alice, 10_000n);
    const bob = await fundedAccount(b, b.bob, 10_000n);
    const model = new FundingModel();
    const t0 = BigInt(await time.latest()) + 10n;

    await step(b, model, t0, BTC_ANSWER, b.alice, alice, wad(2));
    // 100 s at skew 2: rate 2e12, index 2e12 × 100 × 50,000 = 10 USD per BTC.
    await step(b, model, t0 + 100n, BTC_ANSWER, b.bob, bob, -wad("0.5"));
    expect(model.index).to.equal(wad(10));

    // 1,000 s later at 51,234.56789012 and skew 1.5 (rate 1.5e12), without a touch: the view accrues.
    const answer = 5_123_456_789_012n;
    await time.setNextBlockTimestamp(t0 + 1099n);
    await b.btcFeed.setAnswer(answer);
    await time.increaseTo(t0 + 1100n);
    const price = feedToWad(answer);
    const expectedIndex = wad(10) + (15n * 10n ** 11n * 1000n * price) / WAD;
    expect(await b.core.currentFunding(BTC_MARKET)).to.deep.equal([expectedIndex, 15n * 10n ** 11n]);
    // Alice (long 2) owes 2 × (index − 0), rounded up; Bob (short 0.5) is owed 0.5 × (index − 10).
    const aliceOwes = ceilDiv(wad(2) * expectedIndex, WAD);
    const bobOwes = ceilDiv(-wad("0.5") * (expectedIndex - wad(10)), WAD);
    expect(aliceOwes > 0n && bobOwes < 0n).to.equal(true);
    expect((await b.core.accountHealth(alice)).equity).to.equal(
      wad(10_000) + unrealisedPnl(wad(2), wad(100_000), price) - aliceOwes,
    );
    expect((await b.core.accountHealth(bob)).equity).to.equal(
      wad(10_000) + unrealisedPnl(-wad("0.5"), -wad(25_000), price) - bobOwes,
    );

    // The longs close (paying), then the short (receiving, now at a short skew that makes the rate negative).
    const aliceClose = await step(b, model, t0 + 1500n, answer, b.alice, alice, -wad(2));
    expect(aliceClose.fundingPaid > 0n).to.equal(true);
    const bobClose = await step(b, model, t0 + 2200n, answer, b.bob, bob, wad("0.5"));
    expect(bobClose.fundingPaid < 0n).to.equal(true);
    expect(fundingRate(-wad("0.5"), FUNDING_SCALE, MAX_RATE)).to.equal(-5n * 10n ** 11n);
  });

  it("shorts pay longs when shorts dominate", async () => {
    const b = await loadFixture(fundingFixture);
    const alice = await fundedAccount(b, b.alice, 50_000n);
    const bob = await fundedAccount(b, b.bob, 50_000n);
    const model = new FundingModel();
    const t0 = BigInt(await time.latest()) + 10n;
    await step(b, model, t0, BTC_ANSWER, b.alice, alice, -wad(3));
    await step(b, model, t0 + 60n, BTC_ANSWER, b.bob, bob, wad(1));
    expect(model.index < 0n).to.equal(true);
    // 1,800 s at skew −2 (rate −2e12): the index falls, so the short owes and the long is owed.
    const aliceClose = await step(b, model, t0 + 1860n, 4_900_000_000_000n, b.alice, alice, wad(3));
    const bobClose = await step(b, model, t0 + 1900n, 4_900_000_000_000n, b.bob, bob, -wad(1));
    expect(aliceClose.fundingPaid > 0n).to.equal(true);
    expect(bobClose.fundingPaid < 0n).to.equal(true);
    // Alice held −3 BTC from index 0 (she was alone at −3 for the first 60 s, then at skew −2): she owes −3 × index.
    expect(aliceClose.fundingPaid).to.equal(ceilDiv(-wad(3) * model.positions.get(alice)!.entryIndex, WAD));
  });

  it("is zero-sum: what traders pay in total is what the vault ledger receives, dust in the vault's favour", async () => {
    const b = await loadFixture(fundingFixture);
    // LP capital behind the winners, so that no profit is haircut (DESIGN §8) and margins move by PnL and funding only.
    await b.seedVault(1_000_000n * USDC);
    const ids = {
      alice: await fundedAccount(b, b.alice, 100_000n),
      bob: await fundedAccount(b, b.bob, 100_000n),
      carol: await fundedAccount(b, b.carol, 100_000n),
      lp: await fundedAccount(b, b.lp, 100_000n),
    };
    const model = new FundingModel();
    const t0 = BigInt(await time.latest()) + 10n;
    const [vaultBefore] = await b.core.ledgers();
    // [seconds after t0, feed answer, trader, sizeDelta]
    const script: [bigint, bigint, keyof typeof ids, bigint][] = [
      [0n, 5_000_000_000_000n, "alice", 1_234_567_890_123_456_789n],
      [37n, 5_010_000_000_001n, "bob", -3_333_333_333_333_333_333n],
      [401n, 4_987_654_321_098n, "carol", 777_777_777_777_777_777n],
      [1_003n, 5_011_111_111_111n, "alice", 2_000_000_000_000_000_001n], // an increase settles funding too
      [1_999n, 5_022_222_222_222n, "lp", -500_000_000_000_000_003n],
      [2_600n, 4_999_999_999_999n, "bob", 1_111_111_111_111_111_111n], // a partial reduction
      [3_100n, 5_050_505_050_505n, "alice", -3_234_567_890_123_456_790n], // close
      [3_333n, 5_050_505_050_505n, "carol", -777_777_777_777_777_777n],
      [3_500n, 5_000_000_000_000n, "bob", 2_222_222_222_222_222_222n],
      [3_590n, 5_000_000_000_000n, "lp", 500_000_000_000_000_003n],
    ];
    const signers = { alice: b.alice, bob: b.bob, carol: b.carol, lp: b.lp };
    let totalFunding = 0n;
    let totalRealised = 0n;
    for (const [dt, answer, who, delta] of script) {
      const fill = await step(b, model, t0 + dt, answer, signers[who], ids[who], delta);
      totalFunding += fill.fundingPaid;
      totalRealised += fill.realisedPnl;
    }
    for (const id of Object.values(ids)) expect((await b.core.getPosition(id, BTC_MARKET)).size).to.equal(0n);

    // The vault received exactly what the traders paid in funding (and lost what they realised).
    const [vaultAfter] = await b.core.ledgers();
    expect(vaultAfter - vaultBefore).to.equal(totalFunding - totalRealised);
    let marginDelta = 0n;
    for (const id of Object.values(ids)) marginDelta += (await b.core.getAccount(id)).margin - wad(100_000);
    expect(marginDelta + (vaultAfter - vaultBefore)).to.equal(0n);
    // Against the exact (rational) Σ skew × Δindex, the per-position rounding favours the vault by < 1 wei each.
    const dust36 = totalFunding * WAD - model.exactVaultReceipts36;
    expect(dust36 >= 0n).to.equal(true);
    expect(dust36 < BigInt(model.settlements) * WAD).to.equal(true);
    expect(model.settlements >= 6).to.equal(true);
    // With nothing open, the vault's NAV is its ledger, and the market aggregates are back to zero.
    const [, state] = await b.core.getMarket(BTC_MARKET);
    expect([
      state.longOpenInterest,
      state.shortOpenInterest,
      state.netOpenNotional,
      state.netFundingBasis,
    ]).to.deep.equal([0n, 0n, 0n, 0n]);
    await b.ethFeed.setAnswer(2_000n * 10n ** 8n); // the NAV reads every market's price
    expect(await b.core.vaultNetAssetValue()).to.equal(vaultAfter);
    // Token conservation.
    const [vault, insurance] = await b.core.ledgers();
    let margins = 0n;
    for (const id of Object.values(ids)) margins += (await b.core.getAccount(id)).margin;
    expect((await b.token.balanceOf(b.core)) * SCALE).to.equal(margins + vault + insurance);
  });

  it("setMarketParams accrues funding under the old parameters first", async () => {
    const b = await loadFixture(fundingFixture);
    const alice = await fundedAccount(b, b.alice, 10_000n);
    await b.trader.commit(b.alice, alice, BTC_MARKET, wad(2), ethers.MaxUint256);
    const t0 = BigInt(await time.latest()) + 10n;
    await b.trader.settle(alice, BTC_MARKET, { timestamp: t0 });
    await time.setNextBlockTimestamp(t0 + 1000n);
    // 1,000 s at skew 2 (rate 2e12) and 50,000: index 100 USD per BTC.
    await expect(
      b.core.connect(b.admin).setMarketParams(
        BTC_MARKET,
        marketParams(BTC, {
          fundingScale: wad(20),
          maxFundingRatePerSecond: MAX_RATE,
        }),
      ),
    )
      .to.emit(b.core, "FundingAccrued")
      .withArgs(BTC_MARKET, 2n * 10n ** 12n, wad(100));
    const [index, rate] = await b.core.currentFunding(BTC_MARKET);
    expect([index, rate]).to.deep.equal([wad(100), 10n ** 12n]);
  });
});
