import { expect } from "chai";
import { network } from "hardhat";
import {
  deployBallast,
  wad,
  WAD,
  BTC,
  BTC_MARKET,
  ETH_MARKET,
  marketParams,
  SIMPLE_TIERS,
} from "../helpers/fixture.js";
import {
  applyFill,
  BASIS_UNIT,
  ceilDiv,
  feedToWad,
  fillPrice,
  floorDiv,
  notional,
  requirements,
  tradingFee,
  unrealisedPnl,
} from "../helpers/coreMath.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

const USDC = 10n ** 6n;
const SCALE = 10n ** 12n; // 6-decimal token units → WAD
const BTC_PRICE = wad(50_000);
const ETH_PRICE = wad(2_000);

const baseFixture = () => deployBallast(ethers);
const feeFixture = () =>
  deployBallast(ethers, {
    btcParams: { takerFeeRate: wad("0.0007"), makerFeeRate: wad("0.0003") },
    risk: { insuranceFeeShare: wad("0.3") },
  });
const skewFixture = () => deployBallast(ethers, { btcParams: { skewScale: wad(300) } });
const capFixture = () => deployBallast(ethers, { btcParams: { maxOpenInterestPerSide: wad(2) } });

describe("BallastCore — trading", () => {
  describe("position accounting", () => {
    it("opens a long at the oracle price", async () => {
      const { core, alice, openAccount, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 10_000n * USDC);
      expect(await trader.connect(alice).trade.staticCall(id, BTC_MARKET, wad(1), BTC_PRICE)).to.equal(BTC_PRICE);
      await expect(trader.connect(alice).trade(id, BTC_MARKET, wad(1), BTC_PRICE))
        .to.emit(core, "PositionTraded")
        .withArgs(id, BTC_MARKET, wad(1), BTC_PRICE, 0n, 0n, 0n, wad(1), wad(50_000), 0n, wad(10_000));
      const position = await core.getPosition(id, BTC_MARKET);
      expect([position.size, position.openNotional, position.lastFundingIndex]).to.deep.equal([
        wad(1),
        wad(50_000),
        0n,
      ]);
      expect((await core.getAccount(id)).activeMarkets).to.equal(1n);
      const [, state] = await core.getMarket(BTC_MARKET);
      expect(state.longOpenInterest).to.equal(wad(1));
      expect(state.shortOpenInterest).to.equal(0n);
      expect(state.netOpenNotional).to.equal(wad(50_000));
      const health = await core.accountHealth(id);
      expect(health.equity).to.equal(wad(10_000));
      expect(health.initialMargin).to.equal(wad(5_000));
      expect(health.maintenanceMargin).to.equal(wad(2_500));
      expect(health.totalNotional).to.equal(wad(50_000));
      expect(health.healthFactor).to.equal(4n * WAD);
      expect(health.marginRatio).to.equal(wad("0.25"));
      expect(health.liquidatable).to.equal(false);
    });

    it("opens a short with a negative size and basis", async () => {
      const { core, bob, openAccount, setPrice, trader } = await loadFixture(baseFixture);
      const id = await openAccount(bob, 1_000n * USDC);
      await expect(trader.connect(bob).trade(id, ETH_MARKET, -wad("2.5"), ETH_PRICE))
        .to.emit(core, "PositionTraded")
        .withArgs(id, ETH_MARKET, -wad("2.5"), ETH_PRICE, 0n, 0n, 0n, -wad("2.5"), -wad(5_000), 0n, wad(1_000));
      const position = await core.getPosition(id, ETH_MARKET);
      expect([position.size, position.openNotional]).to.deep.equal([-wad("2.5"), -wad(5_000)]);
      expect((await core.getAccount(id)).activeMarkets).to.equal(2n);
      const [, state] = await core.getMarket(ETH_MARKET);
      expect([state.longOpenInterest, state.shortOpenInterest]).to.deep.equal([0n, wad("2.5")]);
      // A short gains when the price falls: 2.5 × (2,000 − 1,900) = 250.
      await setPrice("ETH", 1_900);
      expect((await core.accountHealth(id)).equity).to.equal(wad(1_250));
    });

    it("increases, partially reduces and closes with applyFill's rounding", async () => {
      const { core, alice, btcFeed, openAccount, seedVault, trader } = await loadFixture(baseFixture);
      // LP capital behind the profit, so that none of it is haircut (DESIGN §8): margins move by PnL exactly.
      await seedVault(1_000_000n * USDC);
      const id = await openAccount(alice, 10_000n * USDC);
      let margin = wad(10_000);
      await trader.connect(alice).trade(id, BTC_MARKET, wad(1), BTC_PRICE);

      // Increase at an odd price by an odd size: the basis grows by sizeDelta × price rounded up, to a whole
      // nano-dollar (BASIS_UNIT: the core stores a position in one slot).
      const p1Answer = 5_123_456_789_012n; // 51,234.56789012
      const p1 = feedToWad(p1Answer);
      await btcFeed.setAnswer(p1Answer);
      const add = 333_333_333_333_333_333n;
      const increased = applyFill(wad(1), wad(50_000), add, p1);
      expect(increased.newOpenNotional).to.equal(wad(50_000) + ceilDiv(add * p1, WAD * BASIS_UNIT) * BASIS_UNIT);
      expect(increased.newOpenNotional > wad(50_000) + ceilDiv(add * p1, WAD)).to.equal(true);
      await expect(trader.connect(alice).trade(id, BTC_MARKET, add, p1))
        .to.emit(core, "PositionTraded")
        .withArgs(id, BTC_MARKET, add, p1, 0n, 0n, 0n, increased.newSize, increased.newOpenNotional, 0n, margin);

      // Partial reduce: the basis scales pro rata (rounded up), PnL realised rounded down.
      const p2Answer = 5_200_012_345_678n; // 52,000.12345678
      const p2 = feedToWad(p2Answer);
      await btcFeed.setAnswer(p2Answer);
      const cut = -wad("0.7");
      const reduced = applyFill(increased.newSize, increased.newOpenNotional, cut, p2);
      expect(reduced.newOpenNotional).to.equal(
        ceilDiv(increased.newOpenNotional * (increased.newSize - wad("0.7")), increased.newSize * BASIS_UNIT) *
          BASIS_UNIT,
      );
      // Value is never created: realised + remaining PnL ≤ the PnL before, at the same price.
      const pnlBefore = unrealisedPnl(increased.newSize, increased.newOpenNotional, p2);
      expect(reduced.realisedPnl + unrealisedPnl(reduced.newSize, reduced.newOpenNotional, p2)).to.be.lte(pnlBefore);
      expect(reduced.realisedPnl > 0n).to.equal(true);
      margin += reduced.realisedPnl;
      await expect(trader.connect(alice).trade(id, BTC_MARKET, cut, p2))
        .to.emit(core, "PositionTraded")
        .withArgs(
          id,
          BTC_MARKET,
          cut,
          p2,
          0n,
          reduced.realisedPnl,
          0n,
          reduced.newSize,
          reduced.newOpenNotional,
          0n,
          margin,
        );
      let position = await core.getPosition(id, BTC_MARKET);
      expect([position.size, position.openNotional]).to.deep.equal([reduced.newSize, reduced.newOpenNotional]);
      expect((await core.getAccount(id)).margin).to.equal(margin);

      // Close through closePosition at a third price.
      const p3Answer = 4_999_999_999_999n;
      const p3 = feedToWad(p3Answer);
      await btcFeed.setAnswer(p3Answer);
      const closed = applyFill(reduced.newSize, reduced.newOpenNotional, -reduced.newSize, p3);
      expect(closed.realisedPnl).to.equal(floorDiv(reduced.newSize * p3, WAD) - reduced.newOpenNotional);
      margin += closed.realisedPnl;
      expect(await trader.connect(alice).closePosition.staticCall(id, BTC_MARKET, 0)).to.equal(p3);
      await expect(trader.connect(alice).closePosition(id, BTC_MARKET, 0))
        .to.emit(core, "PositionTraded")
        .withArgs(id, BTC_MARKET, -reduced.newSize, p3, 0n, closed.realisedPnl, 0n, 0n, 0n, 0n, margin);
      position = await core.getPosition(id, BTC_MARKET);
      expect([position.size, position.openNotional, position.lastFundingIndex]).to.deep.equal([0n, 0n, 0n]);
      const account = await core.getAccount(id);
      expect(account.activeMarkets).to.equal(0n);
      expect(account.margin).to.equal(margin);
      const [, state] = await core.getMarket(BTC_MARKET);
      expect([state.longOpenInterest, state.shortOpenInterest, state.netOpenNotional]).to.deep.equal([0n, 0n, 0n]);
      // Closing again has nothing to close.
      await expect(trader.connect(alice).closePosition(id, BTC_MARKET, 0)).to.be.revertedWithCustomError(
        core,
        "ZeroAmount",
      );
    });

    it("flips a long to a short: realises the whole long, opens the rest at the fill", async () => {
      const { core, alice, openAccount, setPrice, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 20_000n * USDC);
      await trader.connect(alice).trade(id, BTC_MARKET, wad(1), BTC_PRICE);
      await setPrice("BTC", 48_000);
      // −2,000 realised; −2 BTC at 48,000 opened.
      await expect(trader.connect(alice).trade(id, BTC_MARKET, -wad(3), wad(48_000)))
        .to.emit(core, "PositionTraded")
        .withArgs(id, BTC_MARKET, -wad(3), wad(48_000), 0n, -wad(2_000), 0n, -wad(2), -wad(96_000), 0n, wad(18_000));
      const [, state] = await core.getMarket(BTC_MARKET);
      expect([state.longOpenInterest, state.shortOpenInterest]).to.deep.equal([0n, wad(2)]);
      expect(state.netOpenNotional).to.equal(-wad(96_000));
    });

    it("flips a short to a long", async () => {
      const { core, bob, openAccount, setPrice, trader } = await loadFixture(baseFixture);
      const id = await openAccount(bob, 1_000n * USDC);
      await trader.connect(bob).trade(id, ETH_MARKET, -wad(1), ETH_PRICE);
      await setPrice("ETH", 2_100);
      await expect(trader.connect(bob).trade(id, ETH_MARKET, wad("1.5"), wad(2_100)))
        .to.emit(core, "PositionTraded")
        .withArgs(id, ETH_MARKET, wad("1.5"), wad(2_100), 0n, -wad(100), 0n, wad("0.5"), wad(1_050), 0n, wad(900));
    });
  });

  describe("fees", () => {
    it("charges taker and maker rates, routing the insurance share and the rest to the vault", async () => {
      const { core, token, alice, bob, btcFeed, openAccount, trader } = await loadFixture(feeFixture);
      const aliceId = await openAccount(alice, 10_000n * USDC);
      const bobId = await openAccount(bob, 10_000n * USDC);

      // 1 BTC bought at 50,000 against no skew: all taker, 0.07% → 35; insurance 30% = 10.5, vault 24.5.
      await expect(trader.connect(alice).trade(aliceId, BTC_MARKET, wad(1), BTC_PRICE))
        .to.emit(core, "PositionTraded")
        .withArgs(aliceId, BTC_MARKET, wad(1), BTC_PRICE, wad(35), 0n, 0n, wad(1), wad(50_000), 0n, wad(9_965));
      expect(await core.ledgers()).to.deep.equal([wad("24.5"), wad("10.5")]);

      // An odd sell against a long skew of 1: the first 1 BTC is maker (0.03%), the rest taker; fee rounded up,
      // insurance share rounded down.
      const answer = 5_000_012_345_679n;
      const price = feedToWad(answer);
      await btcFeed.setAnswer(answer);
      const size = -1_987_654_321_123_456_789n;
      const makerPart = wad(1);
      const takerPart = -size - makerPart;
      const fee = ceilDiv((makerPart * wad("0.0003") + takerPart * wad("0.0007")) * price, WAD * WAD);
      expect(fee).to.equal(tradingFee(wad(1), size, price, wad("0.0003"), wad("0.0007")));
      const toInsurance = (fee * wad("0.3")) / WAD;
      const fill = applyFill(0n, 0n, size, price);
      await expect(trader.connect(bob).trade(bobId, BTC_MARKET, size, price))
        .to.emit(core, "PositionTraded")
        .withArgs(bobId, BTC_MARKET, size, price, fee, 0n, 0n, size, fill.newOpenNotional, 0n, wad(10_000) - fee);
      expect(await core.ledgers()).to.deep.equal([wad("24.5") + fee - toInsurance, wad("10.5") + toInsurance]);

      // Token conservation: balance = Σ margins + vault + insurance, to the unit.
      const [vaultLedger, insuranceLedger] = await core.ledgers();
      const margins = (await core.getAccount(aliceId)).margin + (await core.getAccount(bobId)).margin;
      expect((await token.balanceOf(core)) * SCALE).to.equal(margins + vaultLedger + insuranceLedger);
    });
  });

  describe("skew premium", () => {
    it("fills at price × (1 + averageSkew / skewScale), rounded up for buys and down for sells", async () => {
      const { core, alice, bob, carol, lp, openAccount, trader } = await loadFixture(skewFixture);
      const scale = wad(300);
      const aliceId = await openAccount(alice, 10_000n * USDC);
      const bobId = await openAccount(bob, 10_000n * USDC);
      const carolId = await openAccount(carol, 20_000n * USDC);
      const lpId = await openAccount(lp, 10_000n * USDC);

      // Buy 1 at skew 0: premium 50,000 × 0.5 / 300 = 83.33… rounded up.
      const fill1 = 50_083_333_333_333_333_333_334n;
      expect(fillPrice(BTC_PRICE, 0n, wad(1), scale)).to.equal(fill1);
      await expect(trader.connect(alice).trade(aliceId, BTC_MARKET, wad(1), fill1 - 1n))
        .to.be.revertedWithCustomError(core, "SlippageExceeded")
        .withArgs(fill1, fill1 - 1n);
      await expect(trader.connect(alice).trade(aliceId, BTC_MARKET, wad(1), fill1))
        .to.emit(core, "PositionTraded")
        // The basis is the fill rounded up to a whole nano-dollar (BASIS_UNIT): 50,083.333333334.
        .withArgs(
          aliceId,
          BTC_MARKET,
          wad(1),
          fill1,
          0n,
          0n,
          0n,
          wad(1),
          50_083_333_333_334n * BASIS_UNIT,
          0n,
          wad(10_000),
        );

      // Sell 0.1 at skew 1: average skew 0.95, premium 158.33… rounded down.
      const fill2 = 50_158_333_333_333_333_333_333n;
      expect(fillPrice(BTC_PRICE, wad(1), -wad("0.1"), scale)).to.equal(fill2);
      await expect(trader.connect(bob).trade(bobId, BTC_MARKET, -wad("0.1"), fill2 + 1n))
        .to.be.revertedWithCustomError(core, "SlippageExceeded")
        .withArgs(fill2, fill2 + 1n);
      expect(await trader.connect(bob).trade.staticCall(bobId, BTC_MARKET, -wad("0.1"), fill2)).to.equal(fill2);
      await trader.connect(bob).trade(bobId, BTC_MARKET, -wad("0.1"), fill2);
      // A short's basis rounds toward +∞ too, to a whole nano-dollar: −5,015.833333333 (not …334).
      expect((await core.getPosition(bobId, BTC_MARKET)).openNotional).to.equal(-5_015_833_333_333n * BASIS_UNIT);
      expect(applyFill(0n, 0n, -wad("0.1"), fill2).newOpenNotional).to.equal(-5_015_833_333_333n * BASIS_UNIT);

      // Sell 2 at skew 0.9: average skew −0.1, a discount of 16.66… rounded up (the seller gets less).
      const fill3 = 49_983_333_333_333_333_333_333n;
      expect(fillPrice(BTC_PRICE, wad("0.9"), -wad(2), scale)).to.equal(fill3);
      expect(await trader.connect(carol).trade.staticCall(carolId, BTC_MARKET, -wad(2), 0n)).to.equal(fill3);
      await trader.connect(carol).trade(carolId, BTC_MARKET, -wad(2), 0n);

      // Buy 0.3 at skew −1.1: average skew −0.95, a discount of 158.33… rounded down (the buyer pays more).
      const fill4 = 49_841_666_666_666_666_666_667n;
      expect(fillPrice(BTC_PRICE, -wad("1.1"), wad("0.3"), scale)).to.equal(fill4);
      expect(await trader.connect(lp).trade.staticCall(lpId, BTC_MARKET, wad("0.3"), fill4)).to.equal(fill4);
      await expect(trader.connect(lp).trade(lpId, BTC_MARKET, wad("0.3"), fill4 - 1n))
        .to.be.revertedWithCustomError(core, "SlippageExceeded")
        .withArgs(fill4, fill4 - 1n);
      await trader.connect(lp).trade(lpId, BTC_MARKET, wad("0.3"), fill4);
      const [, state] = await core.getMarket(BTC_MARKET);
      expect(state.longOpenInterest - state.shortOpenInterest).to.equal(-wad("0.8"));
    });
  });

  describe("checks", () => {
    it("SlippageExceeded both directions, bound inclusive", async () => {
      const { core, alice, openAccount, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 10_000n * USDC);
      await expect(trader.connect(alice).trade(id, BTC_MARKET, wad(1), BTC_PRICE - 1n))
        .to.be.revertedWithCustomError(core, "SlippageExceeded")
        .withArgs(BTC_PRICE, BTC_PRICE - 1n);
      await expect(trader.connect(alice).trade(id, BTC_MARKET, -wad(1), BTC_PRICE + 1n))
        .to.be.revertedWithCustomError(core, "SlippageExceeded")
        .withArgs(BTC_PRICE, BTC_PRICE + 1n);
      await trader.connect(alice).trade(id, BTC_MARKET, -wad(1), BTC_PRICE);
      // closePosition is a buy here: its bound is a maximum.
      await expect(trader.connect(alice).closePosition(id, BTC_MARKET, BTC_PRICE - 1n))
        .to.be.revertedWithCustomError(core, "SlippageExceeded")
        .withArgs(BTC_PRICE, BTC_PRICE - 1n);
      await trader.connect(alice).closePosition(id, BTC_MARKET, BTC_PRICE);
      expect((await core.getPosition(id, BTC_MARKET)).size).to.equal(0n);
    });

    it("PositionBelowMinimum for risk-increasing trades only", async () => {
      const { core, alice, openAccount, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 1_000n * USDC);
      await expect(trader.connect(alice).trade(id, BTC_MARKET, wad("0.0001"), BTC_PRICE))
        .to.be.revertedWithCustomError(core, "PositionBelowMinimum")
        .withArgs(wad(5), wad(10));
      await trader.connect(alice).trade(id, BTC_MARKET, wad("0.0002"), BTC_PRICE); // exactly 10 USD
      // Reducing below the minimum is allowed ...
      await trader.connect(alice).trade(id, BTC_MARKET, -wad("0.0001"), 0n);
      expect((await core.getPosition(id, BTC_MARKET)).size).to.equal(wad("0.0001"));
      // ... growing a position that stays below it is not.
      await expect(trader.connect(alice).trade(id, BTC_MARKET, wad("0.00005"), BTC_PRICE))
        .to.be.revertedWithCustomError(core, "PositionBelowMinimum")
        .withArgs(wad("7.5"), wad(10));
    });

    it("OpenInterestCapExceeded per side, cap inclusive", async () => {
      const { core, alice, bob, openAccount, trader } = await loadFixture(capFixture);
      const a = await openAccount(alice, 100_000n * USDC);
      const b = await openAccount(bob, 100_000n * USDC);
      await trader.connect(alice).trade(a, BTC_MARKET, wad(2), BTC_PRICE);
      await expect(trader.connect(bob).trade(b, BTC_MARKET, wad("0.1"), BTC_PRICE))
        .to.be.revertedWithCustomError(core, "OpenInterestCapExceeded")
        .withArgs(BTC_MARKET, wad("2.1"), wad(2));
      await trader.connect(bob).trade(b, BTC_MARKET, -wad(2), BTC_PRICE); // the short side has its own cap
      await expect(trader.connect(bob).trade(b, BTC_MARKET, -wad("0.001"), BTC_PRICE))
        .to.be.revertedWithCustomError(core, "OpenInterestCapExceeded")
        .withArgs(BTC_MARKET, wad("2.001"), wad(2));
      // A flip that lands beyond the cap on the other side is refused too.
      await expect(trader.connect(alice).trade(a, BTC_MARKET, -wad("4.5"), 0n))
        .to.be.revertedWithCustomError(core, "OpenInterestCapExceeded")
        .withArgs(BTC_MARKET, wad("4.5"), wad(2));
    });

    it("IsolatedMarketMismatch, including an account isolated on market 0", async () => {
      const { core, alice, bob, openAccount, trader } = await loadFixture(baseFixture);
      const ethOnly = await openAccount(alice, 10_000n * USDC, ETH_MARKET);
      const btcOnly = await openAccount(bob, 10_000n * USDC, BTC_MARKET);
      await expect(trader.connect(alice).trade(ethOnly, BTC_MARKET, wad("0.1"), BTC_PRICE))
        .to.be.revertedWithCustomError(core, "IsolatedMarketMismatch")
        .withArgs(ethOnly, ETH_MARKET, BTC_MARKET);
      await expect(trader.connect(bob).trade(btcOnly, ETH_MARKET, wad("0.1"), ETH_PRICE))
        .to.be.revertedWithCustomError(core, "IsolatedMarketMismatch")
        .withArgs(btcOnly, BTC_MARKET, ETH_MARKET);
      await trader.connect(alice).trade(ethOnly, ETH_MARKET, wad(1), ETH_PRICE);
      await trader.connect(bob).trade(btcOnly, BTC_MARKET, wad("0.1"), BTC_PRICE);
      expect((await core.getPosition(ethOnly, ETH_MARKET)).size).to.equal(wad(1));
      expect((await core.getPosition(btcOnly, BTC_MARKET)).size).to.equal(wad("0.1"));
    });

    it("TooManyPositions: the 17th market of an account reverts", async () => {
      const { core, oracle, admin, alice, openAccount, trader } = await loadFixture(baseFixture);
      // Markets 2..16, each on its own 8-decimal mock feed at 2,000 USD.
      for (let i = 2; i <= 16; i++) {
        const feedId = ethers.id(`ALT${i}/USD`);
        const feed = await ethers.deployContract("MockAggregator", [8, 2_000n * 10n ** 8n, `ALT${i} / USD`]);
        await oracle.connect(admin).setFeed(feedId, feed, 3600, wad(1), wad(1_000_000));
        await core.connect(admin).listMarket(marketParams(feedId), SIMPLE_TIERS);
      }
      expect(await core.marketCount()).to.equal(17n);
      expect(await core.MAX_POSITIONS_PER_ACCOUNT()).to.equal(16n);
      const id = await openAccount(alice, 10_000n * USDC);
      for (let m = 1; m <= 16; m++) await trader.connect(alice).trade(id, m, wad("0.01"), ETH_PRICE);
      expect((await core.getAccount(id)).activeMarkets).to.equal((1n << 17n) - 2n);
      await expect(trader.connect(alice).trade(id, BTC_MARKET, wad("0.001"), BTC_PRICE))
        .to.be.revertedWithCustomError(core, "TooManyPositions")
        .withArgs(id, 16n);
      // Adding to an existing position is fine; freeing a slot lets the 17th market in.
      await trader.connect(alice).trade(id, 16, wad("0.01"), ETH_PRICE);
      await trader.connect(alice).closePosition(id, 16, 0);
      await trader.connect(alice).trade(id, BTC_MARKET, wad("0.001"), BTC_PRICE);
      expect((await core.getAccount(id)).activeMarkets).to.equal((1n << 16n) - 1n);
      // 15 alt positions and 0.001 BTC, all at their entry prices and without fees: equity is still 10,000.
      expect((await core.accountHealth(id)).equity).to.equal(wad(10_000));
    });

    it("ZeroAmount, MarketNotListed and AccountNotFound", async () => {
      const { core, alice, openAccount, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 1_000n * USDC);
      await expect(trader.connect(alice).trade(id, BTC_MARKET, 0n, BTC_PRICE)).to.be.revertedWithCustomError(
        core,
        "ZeroAmount",
      );
      await expect(trader.connect(alice).trade(id, 2n, wad(1), BTC_PRICE))
        .to.be.revertedWithCustomError(core, "MarketNotListed")
        .withArgs(2n);
      await expect(trader.connect(alice).trade(77n, BTC_MARKET, wad(1), BTC_PRICE))
        .to.be.revertedWithCustomError(core, "AccountNotFound")
        .withArgs(77n);
    });
  });

  describe("margin checks (the worked example: 10% IM, 5% MM)", () => {
    it("opening needs exactly 10% of notional: equity == IM passes, 1 USDC unit less reverts", async () => {
      const { core, alice, bob, openAccount, trader } = await loadFixture(baseFixture);
      const exact = await openAccount(alice, 5_000n * USDC);
      const short = await openAccount(bob, 5_000n * USDC - 1n);
      await expect(trader.connect(bob).trade(short, BTC_MARKET, wad(1), BTC_PRICE))
        .to.be.revertedWithCustomError(core, "InsufficientMargin")
        .withArgs(wad(5_000) - SCALE, wad(5_000));
      await trader.connect(alice).trade(exact, BTC_MARKET, wad(1), BTC_PRICE);
      const health = await core.accountHealth(exact);
      expect(health.equity).to.equal(wad(5_000));
      expect(health.initialMargin).to.equal(wad(5_000));
      // No further increase fits: 1.0002 BTC needs 5,001.
      await expect(trader.connect(alice).trade(exact, BTC_MARKET, wad("0.0002"), BTC_PRICE))
        .to.be.revertedWithCustomError(core, "InsufficientMargin")
        .withArgs(wad(5_000), wad(5_001));
      // Cross margin: a new market's IM is added to the account's.
      await expect(trader.connect(alice).trade(exact, ETH_MARKET, -wad(1), ETH_PRICE))
        .to.be.revertedWithCustomError(core, "InsufficientMargin")
        .withArgs(wad(5_000), wad(5_200));
    });

    it("the liquidation line of a long sits where equity = 5% of position value", async () => {
      const { core, alice, btcFeed, openAccount, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 5_000n * USDC);
      await trader.connect(alice).trade(id, BTC_MARKET, wad(1), BTC_PRICE);
      // 5,000 + (P − 50,000) = 0.05 P  ⇔  P = 45,000 / 0.95 = 47,368.42105263…; the feed has 1e-8 ticks.
      const lastLiquidatable = (45_000n * 10n ** 8n * 100n) / 95n;
      expect(lastLiquidatable).to.equal(4_736_842_105_263n);
      const model = (t: bigint) => {
        const price = feedToWad(t);
        const equity = wad(5_000) + unrealisedPnl(wad(1), wad(50_000), price);
        const { mm } = requirements(SIMPLE_TIERS, notional(wad(1), price));
        return { equity, mm, liquidatable: mm > 0n && equity <= mm };
      };
      for (const [t, expected] of [
        [lastLiquidatable, true],
        [lastLiquidatable + 1n, false],
      ] as const) {
        await btcFeed.setAnswer(t);
        const health = await core.accountHealth(id);
        const m = model(t);
        expect(m.liquidatable).to.equal(expected);
        expect(health.equity).to.equal(m.equity);
        expect(health.maintenanceMargin).to.equal(m.mm);
        expect(health.maintenanceMargin).to.equal(ceilDiv(feedToWad(t) * 5n, 100n));
        expect(health.liquidatable).to.equal(expected);
        expect((await core.previewLiquidation(id)).liquidatable).to.equal(expected);
      }
    });

    it("the liquidation line of a short", async () => {
      const { core, bob, btcFeed, openAccount, trader } = await loadFixture(baseFixture);
      const id = await openAccount(bob, 5_000n * USDC);
      await trader.connect(bob).trade(id, BTC_MARKET, -wad(1), BTC_PRICE);
      // 5,000 − (P − 50,000) = 0.05 P  ⇔  P = 55,000 / 1.05 = 52,380.95238095…
      const firstLiquidatable = ceilDiv(55_000n * 10n ** 8n * 100n, 105n);
      expect(firstLiquidatable).to.equal(5_238_095_238_096n);
      await btcFeed.setAnswer(firstLiquidatable - 1n);
      expect((await core.accountHealth(id)).liquidatable).to.equal(false);
      await btcFeed.setAnswer(firstLiquidatable);
      const health = await core.accountHealth(id);
      expect(health.liquidatable).to.equal(true);
      expect(health.equity).to.equal(wad(55_000) - feedToWad(firstLiquidatable));
      expect(health.maintenanceMargin).to.equal(ceilDiv(feedToWad(firstLiquidatable) * 5n, 100n));
    });

    it("a reduction is never blocked by the IM check", async () => {
      const { core, alice, openAccount, setPrice, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 5_000n * USDC);
      await trader.connect(alice).trade(id, BTC_MARKET, wad(1), BTC_PRICE);
      await setPrice("BTC", 49_000);
      // equity 4,000 < IM 4,900, but > MM 2,450.
      const health = await core.accountHealth(id);
      expect([health.equity, health.initialMargin, health.maintenanceMargin]).to.deep.equal([
        wad(4_000),
        wad(4_900),
        wad(2_450),
      ]);
      await expect(trader.connect(alice).trade(id, BTC_MARKET, wad("0.001"), wad(49_000)))
        .to.be.revertedWithCustomError(core, "InsufficientMargin")
        .withArgs(wad(4_000), wad("4904.9"));
      await expect(trader.connect(alice).trade(id, BTC_MARKET, -wad("0.5"), wad(49_000)))
        .to.emit(core, "PositionTraded")
        .withArgs(id, BTC_MARKET, -wad("0.5"), wad(49_000), 0n, -wad(500), 0n, wad("0.5"), wad(25_000), 0n, wad(4_500));
      await trader.connect(alice).closePosition(id, BTC_MARKET, 0);
      expect((await core.getAccount(id)).margin).to.equal(wad(4_000));
    });

    it("a liquidatable account cannot trade, even to reduce, until it adds margin", async () => {
      const { core, token, alice, openAccount, setPrice, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 5_000n * USDC);
      await trader.connect(alice).trade(id, BTC_MARKET, wad(1), BTC_PRICE);
      await setPrice("BTC", 47_000); // equity 2,000 ≤ MM 2,350
      await expect(trader.connect(alice).trade(id, BTC_MARKET, -wad("0.1"), 0n))
        .to.be.revertedWithCustomError(core, "AccountLiquidatable")
        .withArgs(id, wad(2_000), wad(2_350));
      await expect(trader.connect(alice).closePosition(id, BTC_MARKET, 0))
        .to.be.revertedWithCustomError(core, "AccountLiquidatable")
        .withArgs(id, wad(2_000), wad(2_350));
      await expect(trader.connect(alice).trade(id, ETH_MARKET, wad("0.1"), ETH_PRICE))
        .to.be.revertedWithCustomError(core, "AccountLiquidatable")
        .withArgs(id, wad(2_000), wad(2_350));
      await token.mint(alice.address, 1_000n * USDC);
      await token.connect(alice).approve(core, 1_000n * USDC);
      await core.connect(alice).deposit(id, 1_000n * USDC);
      await trader.connect(alice).closePosition(id, BTC_MARKET, 0);
      expect((await core.getAccount(id)).margin).to.equal(wad(3_000));
    });

    it("a reduction's fee can never outweigh the margin it frees: governance refuses a taker fee above the liquidation fee", async () => {
      // With a 0.8% maintenance rate, a 1% taker fee made selling part of a position cost more than the
      // maintenance margin it released, so a reduction could push an account toward liquidation. The taker fee
      // is now bounded by liquidationFeeRate × (1 − keeperRewardShare), itself below every maintenance rate.
      const { core, admin } = await loadFixture(baseFixture);
      await core
        .connect(admin)
        .setMarginTiers(BTC_MARKET, [
          { notionalCap: wad(1_000_000_000), initialMarginRate: wad("0.016"), maintenanceMarginRate: wad("0.008") },
        ]);
      await expect(
        core
          .connect(admin)
          .setMarketParams(BTC_MARKET, marketParams(BTC, { takerFeeRate: wad("0.01"), makerFeeRate: wad("0.01") })),
      )
        .to.be.revertedWithCustomError(core, "SelfLiquidationCheaperThanClosing")
        .withArgs(wad("0.005"), wad("0.5"), wad("0.01"));
    });

    it("blocks opens, increases and flips; reductions, closes and deposits go on", async () => {
      const { core, token, admin, alice, openAccount, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 10_000n * USDC);
      await trader.connect(alice).trade(id, BTC_MARKET, wad(1), BTC_PRICE);
      await core.connect(admin).pause();
      await expect(trader.connect(alice).trade(id, ETH_MARKET, wad(1), ETH_PRICE)).to.be.revertedWithCustomError(
        core,
        "EnforcedPause",
      );
      await expect(trader.connect(alice).trade(id, BTC_MARKET, wad("0.1"), BTC_PRICE)).to.be.revertedWithCustomError(
        core,
        "EnforcedPause",
      );
      await expect(trader.connect(alice).trade(id, BTC_MARKET, -wad(2), 0n)).to.be.revertedWithCustomError(
        core,
        "EnforcedPause",
      );
      await token.mint(alice.address, USDC);
      await token.connect(alice).approve(core, USDC);
      await core.connect(alice).deposit(id, USDC);
      await expect(trader.connect(alice).trade(id, BTC_MARKET, -wad("0.4"), 0n))
        .to.emit(core, "PositionTraded")
        .withArgs(id, BTC_MARKET, -wad("0.4"), BTC_PRICE, 0n, 0n, 0n, wad("0.6"), wad(30_000), 0n, wad(10_001));
      await trader.connect(alice).closePosition(id, BTC_MARKET, 0);
      expect((await core.getPosition(id, BTC_MARKET)).size).to.equal(0n);
      await core.connect(admin).unpause();
      await trader.connect(alice).trade(id, ETH_MARKET, wad(1), ETH_PRICE);
      expect((await core.getPosition(id, ETH_MARKET)).size).to.equal(wad(1));
    });
  });
});
