/**
 * Adversarial tests of asynchronous orders (issue 14, DESIGN §7, invariant 13). Each test states the attack, runs
 * it, prints the figures and asserts that the attacker's profit after fees is ≤ 0 and that no bystander's balance fell.
 */
import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { network } from "hardhat";
import { BTC, BTC_MARKET, deployBallast, feedAnswer, wad } from "../helpers/fixture.js";
import { pythUpdate } from "../helpers/orders.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const USDC = 10n ** 6n;
const SCALE = 10n ** 12n;
const usd = (x: bigint) => `$${(Number(x) / 1e18).toLocaleString("en-US", { maximumFractionDigits: 2 })}`;

async function fixture() {
  const b = await deployBallast(ethers, {
    btcParams: { takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0002"), skewScale: wad(10_000) },
  });
  await b.seedVault(5_000_000n * USDC);
  const attacker = await b.openAccount(b.carol, 100_000n * USDC);
  const honest = await b.openAccount(b.bob, 100_000n * USDC);
  const bystander = await b.openAccount(b.alice, 20_000n * USDC);
  await b.trader.connect(b.alice).trade(bystander, BTC_MARKET, -wad("0.2"), 0n); // a bystander short
  for (const who of [b.alice, b.bob, b.carol]) {
    await b.token.mint(who.address, 100n * USDC);
    await b.token.connect(who).approve(b.orderBook, MaxUint256);
  }
  return { b, attacker, honest, bystander };
}

type B = Awaited<ReturnType<typeof fixture>>["b"];

async function settleAt(b: B, accountId: bigint, priceUsd: bigint, publishTime?: bigint) {
  const order = await b.orderBook.getOrder(accountId, BTC_MARKET);
  const at = publishTime ?? order.settleTime;
  await time.setNextBlockTimestamp(at > BigInt(await time.latest()) ? at : BigInt(await time.latest()) + 1n);
  return b.orderBook
    .connect(b.keeper)
    .settle(accountId, BTC_MARKET, [pythUpdate({ feedId: BTC, priceWad: wad(priceUsd), publishTime: at })], {
      value: 1n,
    });
}

async function equityOf(b: B, id: bigint) {
  return (await b.core.accountHealth(id)).equity;
}

describe("Adversarial — orders", function () {
  this.timeout(120_000);

  it("front-running a known price update: committing before it and closing after it earns no more than an order placed after it, minus fees", async () => {
    // Attack: the push adapter still says $50,000, while a faster market already trades at $51,000 and the next
    // pull price will publish it. With instant trades the attacker bought at $50,000 and sold at $51,000. With
    // orders, the open settles at the first price published at or after commit + delay: $51,000.
    const size = wad(2);
    /** One trader's round trip: open settled at $51,000, close at $51,000; committed before or after the update. */
    async function roundTrip(commitBeforeUpdate: boolean) {
      const { b, attacker, bystander } = await loadFixture(fixture);
      const [start, vaultStart, bystanderMargin, walletStart] = [
        await equityOf(b, attacker),
        (await b.core.ledgers())[0],
        (await b.core.getAccount(bystander)).margin,
        await b.token.balanceOf(b.carol.address),
      ];
      if (!commitBeforeUpdate) await b.btcFeed.setAnswer(feedAnswer(51_000));
      await b.orderBook.connect(b.carol).commitOrder(attacker, BTC_MARKET, size, MaxUint256, 0n);
      await settleAt(b, attacker, 51_000n); // the first price after the delay: the update itself
      if (commitBeforeUpdate) await b.btcFeed.setAnswer(feedAnswer(51_000)); // the adapter catches up
      await b.orderBook.connect(b.carol).commitClose(attacker, BTC_MARKET, 0n, 0n);
      await settleAt(b, attacker, 51_000n);
      const escrows = (walletStart - (await b.token.balanceOf(b.carol.address))) * SCALE;
      return {
        pnl: (await equityOf(b, attacker)) - start - escrows,
        escrows,
        vaultChange: (await b.core.ledgers())[0] - vaultStart,
        bystanderMarginChange: (await b.core.getAccount(bystander)).margin - bystanderMargin,
      };
    }
    const attack = await roundTrip(true);
    const honest = await roundTrip(false);
    console.log(
      `      [front-run] attacker ${usd(attack.pnl)} (fees and ${usd(attack.escrows)} of settlement escrow included); the same order placed after the update ${usd(honest.pnl)}; vault ledger ${usd(attack.vaultChange)}; with instant fills at the stale $50,000 the attacker would have made ${usd(size * 1_000n)} before fees`,
    );
    expect(attack.pnl).to.be.at.most(0n);
    expect(attack.pnl).to.be.at.most(honest.pnl);
    expect(attack.vaultChange).to.be.at.least(0n);
    expect(attack.bystanderMarginChange).to.equal(0n);
  });

  it("a keeper cannot settle with a price published before commit + delay, a non-first later price, a low-confidence price, or after expiry", async () => {
    // Attack: the settler (who may be the trader's accomplice) picks the price: a stale one before the order's
    // settleTime (the trader already knew it), or a later one that is not the first after settleTime (an option on
    // the path), or one with a wide confidence interval (a manipulated print).
    const { b, attacker, bystander } = await loadFixture(fixture);
    const vaultStart = (await b.core.ledgers())[0];
    const bystanderMargin = (await b.core.getAccount(bystander)).margin;
    await b.orderBook.connect(b.carol).commitOrder(attacker, BTC_MARKET, wad(2), MaxUint256, 0n);
    const order = await b.orderBook.getOrder(attacker, BTC_MARKET);
    await time.setNextBlockTimestamp(order.settleTime + 3n);
    const stale = pythUpdate({ feedId: BTC, priceWad: wad(49_000), publishTime: order.settleTime - 1n });
    const notFirst = pythUpdate({
      feedId: BTC,
      priceWad: wad(48_000),
      publishTime: order.settleTime + 2n,
      prevPublishTime: order.settleTime + 1n,
    });
    const wide = pythUpdate({
      feedId: BTC,
      priceWad: wad(47_000),
      publishTime: order.settleTime,
      confRatio: wad("0.05"),
    });
    let refused = 0;
    for (const update of [stale, notFirst, wide]) {
      await expect(b.orderBook.connect(b.keeper).settle(attacker, BTC_MARKET, [update], { value: 1n })).to.be.revert(
        ethers,
      );
      refused++;
    }
    // The order is intact and settles at its true first price.
    expect((await b.orderBook.getOrder(attacker, BTC_MARKET)).sizeDelta).to.equal(wad(2));
    await expect(
      b.orderBook
        .connect(b.keeper)
        .settle(
          attacker,
          BTC_MARKET,
          [pythUpdate({ feedId: BTC, priceWad: wad(50_000), publishTime: order.settleTime })],
          {
            value: 1n,
          },
        ),
    ).to.emit(b.orderBook, "OrderSettled");
    // After expiry nothing settles.
    await b.orderBook.connect(b.carol).commitClose(attacker, BTC_MARKET, 0n, 0n);
    const close = await b.orderBook.getOrder(attacker, BTC_MARKET);
    await time.increaseTo(close.settleTime + BigInt(close.window) + 1n);
    await b.btcFeed.setAnswer(feedAnswer(50_000));
    await expect(
      b.orderBook
        .connect(b.keeper)
        .settle(
          attacker,
          BTC_MARKET,
          [pythUpdate({ feedId: BTC, priceWad: wad(40_000), publishTime: close.settleTime })],
          {
            value: 1n,
          },
        ),
    ).to.be.revertedWithCustomError(b.orderBook, "OrderExpired");
    const attackerPosition = await b.core.getPosition(attacker, BTC_MARKET);
    console.log(
      `      [keeper grief] ${refused} forged settlements refused; the order filled at $50,000 (entry ${usd(attackerPosition.openNotional / 2n)}/BTC); the expired close could not be settled at $40,000`,
    );
    expect(attackerPosition.openNotional).to.be.at.least(wad(100_000)); // paid at least the true price
    expect((await b.core.ledgers())[0]).to.be.at.least(vaultStart);
    expect((await b.core.getAccount(bystander)).margin).to.equal(bystanderMargin);
  });

  it("one market, one price per transaction: a second settlement at another price in the same transaction is refused and the core reads the settlement price", async () => {
    // Attack: in one transaction, settle one order at a low price and another at a high price of the same market
    // (two updates, each the first after its own settleTime), or settle then act on the adapter's stale price.
    const { b, attacker, honest, bystander } = await loadFixture(fixture);
    const probe = await ethers.deployContract("SettleAndProbe");
    await b.orderBook.connect(b.carol).commitOrder(attacker, BTC_MARKET, wad(1), MaxUint256, 0n);
    await b.orderBook.connect(b.bob).commitOrder(honest, BTC_MARKET, -wad(1), 0n, 0n);
    const first = await b.orderBook.getOrder(attacker, BTC_MARKET);
    const second = await b.orderBook.getOrder(honest, BTC_MARKET);
    await time.setNextBlockTimestamp(second.settleTime);
    const bystanderMargin = (await b.core.getAccount(bystander)).margin;
    const vaultStart = (await b.core.ledgers())[0];
    await probe.settleThenProbe(
      b.orderBook,
      attacker,
      BTC_MARKET,
      [pythUpdate({ feedId: BTC, priceWad: wad(49_000), publishTime: first.settleTime })],
      bystander,
      honest,
      [
        pythUpdate({
          feedId: BTC,
          priceWad: wad(51_000),
          publishTime: second.settleTime,
          prevPublishTime: first.settleTime - 1n,
        }),
      ],
      { value: 10n },
    );
    // Within the transaction the bystander's 0.2 BTC short was valued at $49,000 (the settlement price), not the
    // adapter's $50,000.
    const equityInTx = await probe.equityAfterSettle();
    const bystanderStart = (await b.core.accountHealth(bystander)).equity; // at the adapter's $50,000 now
    expect(equityInTx - bystanderStart).to.equal(wad("0.2") * 1_000n);
    expect(await probe.secondSettled()).to.equal(false);
    const secondError = await probe.secondError();
    expect(secondError.slice(0, 10)).to.equal(b.orderBook.interface.getError("PriceConflict")!.selector);
    // The honest order is untouched and settles in its own transaction.
    expect((await b.orderBook.getOrder(honest, BTC_MARKET)).sizeDelta).to.equal(-wad(1));
    console.log(
      `      [two prices] second settlement refused (PriceConflict); in-transaction equity of a bystander used the settlement price (${usd(equityInTx)} vs ${usd(bystanderStart)} at the adapter)`,
    );
    expect((await b.core.getAccount(bystander)).margin).to.equal(bystanderMargin);
    expect((await b.core.ledgers())[0]).to.be.at.least(vaultStart - wad(50)); // the attacker's fill moved the skew only
  });

  it("a keeper cannot make an order fail by starving its gas: every gas limit either fills or reverts, never cancels", async () => {
    // Attack: the settler gives just enough gas for the order book but not for the core's trade, hoping the
    // try/catch records a cancellation (the trader loses the escrow and the order).
    const { b, attacker } = await loadFixture(fixture);
    await b.orderBook.connect(b.carol).commitOrder(attacker, BTC_MARKET, wad(1), MaxUint256, 0n);
    const order = await b.orderBook.getOrder(attacker, BTC_MARKET);
    await time.setNextBlockTimestamp(order.settleTime);
    await networkHelpers.mine();
    const update = pythUpdate({ feedId: BTC, priceWad: wad(50_000), publishTime: order.settleTime });
    let reverted = 0;
    let cancelled = 0;
    let filledAt = 0;
    for (let gas = 120_000; gas <= 420_000; gas += 10_000) {
      try {
        const receipt = await (
          await b.orderBook.connect(b.keeper).settle(attacker, BTC_MARKET, [update], { value: 1n, gasLimit: gas })
        ).wait();
        const names = receipt!.logs.map((log) => b.orderBook.interface.parseLog(log)?.name);
        if (names.includes("OrderCancelled")) cancelled++;
        else {
          filledAt = gas;
          break;
        }
      } catch {
        reverted++;
      }
    }
    console.log(
      `      [gas grief] ${reverted} starved settlements reverted, ${cancelled} cancelled, filled at a ${filledAt} gas limit`,
    );
    expect(cancelled).to.equal(0);
    expect(filledAt).to.be.greaterThan(0);
    expect(reverted).to.be.greaterThan(0);
    expect((await b.core.getPosition(attacker, BTC_MARKET)).size).to.equal(wad(1));
  });
});
