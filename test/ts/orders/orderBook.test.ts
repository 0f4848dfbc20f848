import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { network } from "hardhat";
import { BTC, BTC_MARKET, deployBallast, ETH, ETH_MARKET, WAD, wad } from "../helpers/fixture.js";
import { pythUpdate } from "../helpers/orders.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const USDC = 10n ** 6n;
const FEE = 100_000n; // $0.10 escrow: 10 cents of a 6-decimal token

async function fixture() {
  const b = await deployBallast(ethers, { btcParams: { takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0002") } });
  const alice = await b.openAccount(b.alice, 10_000n * USDC);
  await b.seedVault(1_000_000n * USDC);
  for (const who of [b.alice, b.bob, b.carol]) {
    await b.token.mint(who.address, 100n * USDC);
    await b.token.connect(who).approve(b.orderBook, MaxUint256);
  }
  return { b, alice };
}

/** An update for `market` at `usd` published at `publishTime` (the previous one a second earlier unless given). */
function update(feedId: string, usd: bigint | string, publishTime: bigint, prevPublishTime?: bigint, confRatio = 0n) {
  return pythUpdate({ feedId, priceWad: wad(usd), publishTime, prevPublishTime, confRatio });
}

async function committed(
  b: Awaited<ReturnType<typeof fixture>>["b"],
  id: bigint,
  size = wad("0.1"),
  bound = MaxUint256,
) {
  await b.orderBook.connect(b.alice).commitOrder(id, BTC_MARKET, size, bound, 0n);
  return b.orderBook.getOrder(id, BTC_MARKET);
}

/** The order parameters as a plain object (for spreading into a setter call). */
function plainParams(p: {
  minDelay: bigint;
  defaultWindow: bigint;
  maxWindow: bigint;
  settlementFeeUnits: bigint;
  cancelRewardShare: bigint;
}) {
  return {
    minDelay: p.minDelay,
    defaultWindow: p.defaultWindow,
    maxWindow: p.maxWindow,
    settlementFeeUnits: p.settlementFeeUnits,
    cancelRewardShare: p.cancelRewardShare,
  };
}

describe("OrderBook", () => {
  describe("commit", () => {
    it("records one packed order, escrows the settlement fee from the caller and emits its window", async () => {
      const { b, alice } = await loadFixture(fixture);
      const before = await b.token.balanceOf(b.alice.address);
      const tx = b.orderBook.connect(b.alice).commitOrder(alice, BTC_MARKET, wad("0.1"), wad(51_000), 0n);
      await expect(tx).to.emit(b.orderBook, "OrderCommitted");
      const t = BigInt(await time.latest());
      const order = await b.orderBook.getOrder(alice, BTC_MARKET);
      expect(order.sizeDelta).to.equal(wad("0.1"));
      expect(order.acceptablePrice).to.equal(wad(51_000));
      expect(order.settleTime).to.equal(t + 1n); // the fixture's delay: 1 s
      expect(order.window).to.equal(60n);
      expect(order.escrowUnits).to.equal(10n);
      expect(await b.token.balanceOf(b.alice.address)).to.equal(before - FEE);
      expect(await b.token.balanceOf(b.orderBook)).to.equal(FEE);
      await expect(tx)
        .to.emit(b.orderBook, "OrderCommitted")
        .withArgs(alice, BTC_MARKET, b.alice.address, wad("0.1"), wad(51_000), t + 1n, t + 61n, FEE);
    });

    it("owner or operator only; one pending order per account and market; shape checked", async () => {
      const { b, alice } = await loadFixture(fixture);
      const book = b.orderBook;
      await expect(book.connect(b.bob).commitOrder(alice, BTC_MARKET, WAD, MaxUint256, 0n))
        .to.be.revertedWithCustomError(b.core, "Unauthorized")
        .withArgs(alice, b.bob.address);
      await b.core.connect(b.alice).setOperator(b.bob.address, true);
      await book.connect(b.bob).commitOrder(alice, BTC_MARKET, wad("0.1"), MaxUint256, 0n);
      await expect(book.connect(b.alice).commitOrder(alice, BTC_MARKET, wad("0.1"), MaxUint256, 0n))
        .to.be.revertedWithCustomError(book, "OrderPending")
        .withArgs(alice, BTC_MARKET);
      // Another market of the same account is independent.
      await book.connect(b.alice).commitOrder(alice, ETH_MARKET, wad(1), MaxUint256, 0n);
      await expect(book.connect(b.alice).commitOrder(alice, 0n, 0n, MaxUint256, 0n)).to.be.revertedWithCustomError(
        b.core,
        "ZeroAmount",
      );
      await expect(book.connect(b.alice).commitOrder(99n, BTC_MARKET, WAD, MaxUint256, 0n))
        .to.be.revertedWithCustomError(b.core, "AccountNotFound")
        .withArgs(99n);
      await expect(book.connect(b.alice).commitOrder(alice, 7n, WAD, MaxUint256, 0n))
        .to.be.revertedWithCustomError(b.core, "MarketNotListed")
        .withArgs(7n);
      const t = BigInt(await time.latest());
      // Expiry must leave a window in [1, maxWindow] after settleTime (t + 1 + 1 at the next block).
      await expect(
        book.connect(b.carol).commitOrder(alice, BTC_MARKET, WAD, MaxUint256, t + 2n),
      ).to.be.revertedWithCustomError(b.core, "Unauthorized");
      const bobAccount = await b.openAccount(b.bob, 1_000n * USDC);
      await expect(
        book.connect(b.bob).commitOrder(bobAccount, BTC_MARKET, WAD, MaxUint256, t + 2n),
      ).to.be.revertedWithCustomError(book, "InvalidExpiry");
      await expect(
        book.connect(b.bob).commitOrder(bobAccount, BTC_MARKET, WAD, MaxUint256, t + 10_000n),
      ).to.be.revertedWithCustomError(book, "InvalidExpiry");
    });
  });

  describe("settle", () => {
    it("fills at the first Pyth price at or after commit + delay, not at the adapter's, and pays the settler", async () => {
      const { b, alice } = await loadFixture(fixture);
      const order = await committed(b, alice);
      await time.setNextBlockTimestamp(order.settleTime + 2n);
      const keeperBefore = await b.token.balanceOf(b.keeper.address);
      const ethBefore = await ethers.provider.getBalance(b.keeper.address);
      // The adapter still says $50,000; the pull price published at settleTime says $50,500.
      const tx = await b.orderBook
        .connect(b.keeper)
        .settle(alice, BTC_MARKET, [update(BTC, 50_500n, order.settleTime)], { value: 1_000n });
      const receipt = await tx.wait();
      const position = await b.core.getPosition(alice, BTC_MARKET);
      expect(position.size).to.equal(wad("0.1"));
      // Taker fill: 50,500 plus the skew premium (skewScale 0 in this fixture: none).
      expect(position.openNotional).to.equal(wad(5_050));
      await expect(tx)
        .to.emit(b.orderBook, "OrderSettled")
        .withArgs(
          alice,
          BTC_MARKET,
          b.keeper.address,
          wad("0.1"),
          wad(50_500),
          wad(50_500),
          order.settleTime,
          order.settleTime,
          FEE,
        );
      expect(await b.token.balanceOf(b.keeper.address)).to.equal(keeperBefore + FEE);
      // 1 wei to Pyth; the other 999 came back.
      const gasCost = receipt!.gasUsed * receipt!.gasPrice;
      expect(await ethers.provider.getBalance(b.keeper.address)).to.equal(ethBefore - gasCost - 1n);
      expect((await b.orderBook.getOrder(alice, BTC_MARKET)).sizeDelta).to.equal(0n);
      // The slot keeps its settleTime (tombstone) so the next commit rewrites a warm, non-zero slot.
      expect((await b.orderBook.getOrder(alice, BTC_MARKET)).settleTime).to.equal(order.settleTime);
    });

    it("refuses a settlement too early, at a price published before settleTime, a non-first price or after expiry", async () => {
      const { b, alice } = await loadFixture(fixture);
      await b.orderBook.connect(b.alice).commitOrder(alice, BTC_MARKET, wad("0.1"), MaxUint256, 0n);
      const order = await b.orderBook.getOrder(alice, BTC_MARKET);
      await time.setNextBlockTimestamp(order.settleTime + 1n);
      // Published one second before settleTime: a price the trader could have known at commit.
      await expect(
        b.orderBook
          .connect(b.keeper)
          .settle(alice, BTC_MARKET, [update(BTC, 49_000n, order.settleTime - 1n)], { value: 1n }),
      ).to.be.revertedWithCustomError(b.pyth, "PriceFeedNotFoundWithinRange");
      // Not the first price after settleTime (its predecessor was already at or after settleTime).
      await expect(
        b.orderBook
          .connect(b.keeper)
          .settle(alice, BTC_MARKET, [update(BTC, 49_000n, order.settleTime + 5n, order.settleTime)], { value: 1n }),
      ).to.be.revertedWithCustomError(b.pyth, "PriceFeedNotFoundWithinRange");
      // Another market's feed.
      await expect(
        b.orderBook.connect(b.keeper).settle(alice, BTC_MARKET, [update(ETH, 2_000n, order.settleTime)], { value: 1n }),
      ).to.be.revertedWithCustomError(b.pyth, "PriceFeedNotFoundWithinRange");
      // No fee.
      await expect(
        b.orderBook.connect(b.keeper).settle(alice, BTC_MARKET, [update(BTC, 50_000n, order.settleTime)]),
      ).to.be.revertedWithCustomError(b.orderBook, "InsufficientUpdateFee");
      // After expiry.
      await time.increaseTo(order.settleTime + BigInt(order.window) + 1n);
      await expect(
        b.orderBook
          .connect(b.keeper)
          .settle(alice, BTC_MARKET, [update(BTC, 50_000n, order.settleTime)], { value: 1n }),
      ).to.be.revertedWithCustomError(b.orderBook, "OrderExpired");
      expect((await b.orderBook.getOrder(alice, BTC_MARKET)).sizeDelta).to.equal(wad("0.1"));
      // Too early: a fresh order settled in the block right after its commit would be before settleTime with delay 5.
      const params = await b.orderBook.orderParams();
      await b.orderBook.connect(b.admin).setOrderParams({ ...plainParams(params), minDelay: 5 });
      const bob = await b.openAccount(b.bob, 1_000n * USDC);
      await b.orderBook.connect(b.bob).commitOrder(bob, BTC_MARKET, wad("0.01"), MaxUint256, 0n);
      const bobOrder = await b.orderBook.getOrder(bob, BTC_MARKET);
      await expect(
        b.orderBook
          .connect(b.keeper)
          .settle(bob, BTC_MARKET, [update(BTC, 50_000n, bobOrder.settleTime)], { value: 1n }),
      ).to.be.revertedWithCustomError(b.orderBook, "OrderNotSettleableYet");
    });

    it("a failed check cancels the order with the core's error as reason; the settler is paid, nothing else moves", async () => {
      const { b, alice } = await loadFixture(fixture);
      // 3 BTC on $10,000 needs $15,000 of initial margin at $50,000.
      const order = await committed(b, alice, wad(3));
      const marginBefore = (await b.core.getAccount(alice)).margin;
      const tx = b.orderBook
        .connect(b.keeper)
        .settle(alice, BTC_MARKET, [update(BTC, 50_000n, order.settleTime)], { value: 1n });
      const reason = b.core.interface.encodeErrorResult("InsufficientMargin", [wad(10_000) - wad(75), wad(15_000)]);
      const selector = reason.slice(0, 10);
      await expect(tx)
        .to.emit(b.orderBook, "OrderCancelled")
        .withArgs(alice, BTC_MARKET, b.keeper.address, selector, reason, wad(50_000), order.settleTime, FEE, 0n);
      expect((await b.core.getPosition(alice, BTC_MARKET)).size).to.equal(0n);
      expect((await b.core.getAccount(alice)).margin).to.equal(marginBefore);
      expect((await b.orderBook.getOrder(alice, BTC_MARKET)).sizeDelta).to.equal(0n);

      // Slippage is checked at the settlement price: a buy bounded at $50,100 is cancelled at $50,200.
      const again = await committed(b, alice, wad("0.1"), wad(50_100));
      await expect(
        b.orderBook
          .connect(b.keeper)
          .settle(alice, BTC_MARKET, [update(BTC, 50_200n, again.settleTime)], { value: 1n }),
      )
        .to.emit(b.orderBook, "OrderCancelled")
        .withArgs(
          alice,
          BTC_MARKET,
          b.keeper.address,
          b.core.interface.getError("SlippageExceeded")!.selector,
          b.core.interface.encodeErrorResult("SlippageExceeded", [wad(50_200), wad(50_100)]),
          wad(50_200),
          again.settleTime,
          FEE,
          0n,
        );
      // Pause is checked at settlement: an open committed before the pause is cancelled with EnforcedPause.
      const third = await committed(b, alice);
      await b.core.connect(b.admin).pause();
      await expect(
        b.orderBook
          .connect(b.keeper)
          .settle(alice, BTC_MARKET, [update(BTC, 50_000n, third.settleTime)], { value: 1n }),
      ).to.emit(b.orderBook, "OrderCancelled");
      expect((await b.core.getPosition(alice, BTC_MARKET)).size).to.equal(0n);
    });

    it("a close order closes whatever the position is at settlement", async () => {
      const { b, alice } = await loadFixture(fixture);
      await b.trader.connect(b.alice).trade(alice, BTC_MARKET, wad("0.3"), MaxUint256);
      await b.orderBook.connect(b.alice).commitClose(alice, BTC_MARKET, 0n, 0n);
      const order = await b.orderBook.getOrder(alice, BTC_MARKET);
      expect(order.sizeDelta).to.equal(-(2n ** 95n));
      await expect(
        b.orderBook
          .connect(b.keeper)
          .settle(alice, BTC_MARKET, [update(BTC, 51_000n, order.settleTime)], { value: 1n }),
      )
        .to.emit(b.core, "PositionTraded")
        .withArgs(
          alice,
          BTC_MARKET,
          -wad("0.3"),
          wad(51_000),
          wad("3.06"), // the close shrinks the skew: maker fee 0.02% of $15,300
          wad(300),
          0n,
          0n,
          0n,
          0n,
          wad(10_000) - wad("7.5") + wad(300) - wad("3.06"),
        );
      expect((await b.core.getAccount(alice)).activeMarkets).to.equal(0n);
    });

    it("refuses a low-confidence price and normalises exponents exactly", async () => {
      const { b, alice } = await loadFixture(fixture);
      const order = await committed(b, alice);
      // conf / price = 2% > the 1% bound.
      await expect(
        b.orderBook
          .connect(b.keeper)
          .settle(alice, BTC_MARKET, [update(BTC, 50_000n, order.settleTime, undefined, wad("0.02"))], { value: 1n }),
      ).to.be.revertedWithCustomError(b.orderBook, "ConfidenceTooWide");
      // 1% exactly is accepted.
      await expect(
        b.orderBook
          .connect(b.keeper)
          .settle(alice, BTC_MARKET, [update(BTC, 50_000n, order.settleTime, undefined, wad("0.01"))], { value: 1n }),
      ).to.emit(b.orderBook, "OrderSettled");
      expect(await b.orderBook.normalise(5_000_000_000_000n, -8)).to.equal(wad(50_000));
      expect(await b.orderBook.normalise(5n * 10n ** 18n, -18)).to.equal(wad(5));
      expect(await b.orderBook.normalise(123n, 2)).to.equal(wad(12_300));
      expect(await b.orderBook.normalise(123_456n, -20)).to.equal(1_234n);
      expect(await b.orderBook.normalise(7n, 0)).to.equal(wad(7));
      await expect(b.orderBook.normalise(0n, -8)).to.be.revertedWithCustomError(b.orderBook, "InvalidSettlementPrice");
      await expect(b.orderBook.normalise(-1n, -8)).to.be.revertedWithCustomError(b.orderBook, "InvalidSettlementPrice");
      await expect(b.orderBook.normalise(1n, -37)).to.be.revertedWithCustomError(b.orderBook, "InvalidExponent");
      await expect(b.orderBook.normalise(1n, 13)).to.be.revertedWithCustomError(b.orderBook, "InvalidExponent");
      await expect(b.orderBook.normalise(1n, -19)).to.be.revertedWithCustomError(b.orderBook, "InvalidSettlementPrice");
    });

    it("settleMany settles a batch, one price per market: a second price for a market reverts the batch", async () => {
      const { b, alice } = await loadFixture(fixture);
      const bob = await b.openAccount(b.bob, 10_000n * USDC);
      await b.orderBook.connect(b.alice).commitOrder(alice, BTC_MARKET, wad("0.1"), MaxUint256, 0n);
      await b.orderBook.connect(b.bob).commitOrder(bob, BTC_MARKET, -wad("0.1"), 0n, 0n);
      const [a, c] = [await b.orderBook.getOrder(alice, BTC_MARKET), await b.orderBook.getOrder(bob, BTC_MARKET)];
      await time.increaseTo(c.settleTime);
      // Two different prices for BTC in one transaction.
      await expect(
        b.orderBook.connect(b.keeper).settleMany(
          [
            { accountId: alice, marketId: BTC_MARKET, priceUpdate: [update(BTC, 50_000n, a.settleTime)] },
            {
              accountId: bob,
              marketId: BTC_MARKET,
              priceUpdate: [update(BTC, 50_010n, c.settleTime, a.settleTime - 1n)],
            },
          ],
          { value: 2n },
        ),
      )
        .to.be.revertedWithCustomError(b.orderBook, "PriceConflict")
        .withArgs(BTC_MARKET, wad(50_000), wad(50_010));
      // The same price serves both (Bob's update: first at or after his settleTime).
      const filled = await b.orderBook.connect(b.keeper).settleMany.staticCall(
        [
          { accountId: alice, marketId: BTC_MARKET, priceUpdate: [update(BTC, 50_000n, a.settleTime)] },
          { accountId: bob, marketId: BTC_MARKET, priceUpdate: [update(BTC, 50_000n, c.settleTime, a.settleTime)] },
        ],
        { value: 2n },
      );
      expect(filled).to.deep.equal([true, true]);
    });
  });

  describe("cancel", () => {
    it("after expiry only: the owner gets the whole escrow, a third party earns 10% of it", async () => {
      const { b, alice } = await loadFixture(fixture);
      const order = await committed(b, alice);
      await expect(b.orderBook.connect(b.alice).cancelExpired(alice, BTC_MARKET)).to.be.revertedWithCustomError(
        b.orderBook,
        "OrderNotExpired",
      );
      await time.increaseTo(order.settleTime + BigInt(order.window) + 1n);
      const [ownerBefore, carolBefore] = [
        await b.token.balanceOf(b.alice.address),
        await b.token.balanceOf(b.carol.address),
      ];
      await expect(b.orderBook.connect(b.carol).cancelExpired(alice, BTC_MARKET)).to.emit(
        b.orderBook,
        "OrderCancelled",
      );
      expect(await b.token.balanceOf(b.carol.address)).to.equal(carolBefore + FEE / 10n);
      expect(await b.token.balanceOf(b.alice.address)).to.equal(ownerBefore + FEE - FEE / 10n);
      await expect(b.orderBook.connect(b.carol).cancelExpired(alice, BTC_MARKET)).to.be.revertedWithCustomError(
        b.orderBook,
        "NoPendingOrder",
      );
      const second = await committed(b, alice);
      await time.increaseTo(second.settleTime + BigInt(second.window) + 1n);
      const before = await b.token.balanceOf(b.alice.address);
      await b.orderBook.connect(b.alice).cancelExpired(alice, BTC_MARKET);
      expect(await b.token.balanceOf(b.alice.address)).to.equal(before + FEE);
      expect(await b.token.balanceOf(b.orderBook)).to.equal(0n);
    });
  });

  describe("governance", () => {
    it("bounds every parameter and restricts setters to the admin; only the order book may settle in the core", async () => {
      const { b } = await loadFixture(fixture);
      const params = plainParams(await b.orderBook.orderParams());
      await expect(b.orderBook.connect(b.alice).setOrderParams(params)).to.be.revertedWithCustomError(
        b.orderBook,
        "AccessControlUnauthorizedAccount",
      );
      for (const bad of [
        { ...params, minDelay: 0n },
        { ...params, minDelay: 301n },
        { ...params, settlementFeeUnits: 0n },
        { ...params, settlementFeeUnits: 10_001n },
        { ...params, defaultWindow: params.maxWindow + 1n },
        { ...params, cancelRewardShare: wad("0.51") },
      ]) {
        await expect(b.orderBook.connect(b.admin).setOrderParams(bad)).to.be.revertedWithCustomError(
          b.core,
          "ParameterOutOfBounds",
        );
      }
      await expect(
        b.orderBook.connect(b.admin).setOrderMarket(BTC_MARKET, { pythFeedId: BTC, maxConfidenceRatio: wad("0.06") }),
      ).to.be.revertedWithCustomError(b.core, "ParameterOutOfBounds");
      await expect(b.core.connect(b.alice).settleOrder(1n, 0n, WAD, MaxUint256, wad(1)))
        .to.be.revertedWithCustomError(b.core, "OnlyOrderBook")
        .withArgs(b.alice.address);
    });
  });
});
