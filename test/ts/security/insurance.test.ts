/**
 * Insurance withdrawals that no staker can time (issue 13, item 4). A staker who sees a loss coming (a bankrupt
 * account whose bad-debt liquidation is pending) tries to leave before the pool pays it. Exits are binding
 * requests: the shares are escrowed at once and stay in the supply (they bear every loss until paid), there is no
 * cancellation, and settlement pays the lower of the request-time and the settlement-time value. Each case states the
 * attack, asserts that the attacker saves nothing and that no bystander staker is worse off, and prints the figures
 * next to what the old code (a rolling request with a standing withdrawal window) would have let it save.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { BTC_MARKET, deployBallast, wad } from "../helpers/fixture.js";

const { ethers, networkHelpers } = await network.create();
const MAX = ethers.MaxUint256;
const usd6 = (assets: bigint) =>
  `${assets < 0n ? "−" : ""}$${(Number(assets < 0n ? -assets : assets) / 1e6).toLocaleString("en-US")}`;

/**
 * Two stakers with $5,000 each (the bystander and the attacker), an LP with $1M, and a trader long 1 BTC at $50,000
 * on $6,000 of margin. A crash to $40,000 makes the trader bankrupt: about $4,000 of bad debt, insurance first.
 */
async function poolFixture() {
  const b = await deployBallast(ethers, {
    pools: "contracts",
    btcParams: { takerFeeRate: wad("0.001"), makerFeeRate: wad("0.001") },
  });
  const insurance = await ethers.getContractAt("InsurancePool", b.insurance as string);
  for (const staker of [b.staker, b.carol]) {
    await b.token.mint(staker.address, 5_000n * b.unit);
    await b.token.connect(staker).approve(insurance, 5_000n * b.unit);
    await insurance.connect(staker).deposit(5_000n * b.unit, staker.address);
  }
  await b.fundVault(b.lp, 1_000_000n * b.unit);
  const trader = await b.openAccount(b.alice, 6_000n * b.unit);
  await b.trader.connect(b.alice).trade(trader, BTC_MARKET, wad(1), MAX);
  return { ...b, insurance, traderId: trader };
}

/** The crash: the trader's equity goes negative; its liquidation (pending) will make the pool pay the bad debt. */
async function crash(b: Awaited<ReturnType<typeof poolFixture>>) {
  await b.setPrice("BTC", 40_000);
  const health = await b.core.accountHealth(b.traderId);
  expect(health.liquidatable).to.equal(true);
  expect(health.equity < 0n).to.equal(true);
}

describe("adversarial: insurance exits ahead of a loss the staker sees coming", () => {
  it("a staker who sees a bankrupt account and requests to leave bears its full pro-rata share of the bad debt", async () => {
    const b = await networkHelpers.loadFixture(poolFixture);
    const attacker = b.carol;
    const shares = await b.insurance.balanceOf(attacker.address);
    const bystanderShares = await b.insurance.balanceOf(b.staker.address);
    await crash(b);
    // Old code: with a window already open (a rolling request), the staker redeems now, before the liquidation.
    const valueBefore = await b.insurance.convertToAssets(shares);

    // Attack: request at once and settle before the keeper liquidates.
    await b.insurance.connect(attacker).requestRedeem(shares, attacker.address, attacker.address);
    const unlock = (await b.insurance.redeemRequest(attacker.address)).unlockTime;
    await expect(b.insurance.connect(attacker).settleRedeem(attacker.address))
      .to.be.revertedWithCustomError(b.insurance, "SettlementTooEarly")
      .withArgs(attacker.address, unlock, BigInt(await networkHelpers.time.latest()) + 1n);
    await b.core.connect(b.keeper).liquidate(b.traderId, b.keeper.address); // the loss is booked
    const valueAfter = await b.insurance.convertToAssets(shares); // its pro-rata value after the loss
    const bystanderAfterLoss = await b.insurance.convertToAssets(bystanderShares);
    await b.passTime(await b.insurance.cooldown());
    const paid = await b.insurance.connect(b.keeper).settleRedeem.staticCall(attacker.address);
    await b.insurance.connect(b.keeper).settleRedeem(attacker.address);
    const bystanderEnd = await b.insurance.convertToAssets(bystanderShares);

    const saved = paid - valueAfter;
    console.log(
      `      pool ${usd6(2n * valueBefore)} → ${usd6(valueAfter + bystanderAfterLoss)} after the bad debt; ` +
        `attacker's stake ${usd6(valueBefore)} → paid ${usd6(paid)}: saved ${usd6(saved)} ` +
        `(old code, open window: saved ${usd6(valueBefore - valueAfter)})`,
    );
    console.log(`      bystander staker ${usd6(bystanderAfterLoss)} after the loss → ${usd6(bystanderEnd)}`);
    expect(saved <= 0n, "the attacker avoided part of the loss").to.equal(true);
    expect(valueBefore - valueAfter > 0n, "no loss to avoid: the scenario tests nothing").to.equal(true);
    expect(bystanderEnd >= bystanderAfterLoss, "the bystander staker lost").to.equal(true);
  });

  it("a staker with a matured request who settles ahead of the liquidation gets no more than its exit decided a cooldown earlier", async () => {
    const b = await networkHelpers.loadFixture(poolFixture);
    const attacker = b.carol;
    const shares = await b.insurance.balanceOf(attacker.address);
    const bystanderShares = await b.insurance.balanceOf(b.staker.address);
    // The attacker requested a cooldown ago (before anything was visible); since then the pool earned fees.
    await b.insurance.connect(attacker).requestRedeem(shares, attacker.address, attacker.address);
    const quote = (await b.insurance.redeemRequest(attacker.address)).quote;
    await b.passTime(await b.insurance.cooldown());
    const busy = await b.openAccount(b.bob, 100_000n * b.unit);
    await b.trader.connect(b.bob).trade(busy, BTC_MARKET, wad(10), MAX); // fees: 20% to the pool
    await b.trader.connect(b.bob).closePosition(busy, BTC_MARKET, 0n);
    const snapshot = await networkHelpers.takeSnapshot();

    // Counterfactual: a keeper settled the matured request before the account went bankrupt.
    const settledAtUnlock = await b.insurance.connect(b.keeper).settleRedeem.staticCall(attacker.address);
    await b.insurance.connect(b.keeper).settleRedeem(attacker.address);
    await crash(b);
    await b.core.connect(b.keeper).liquidate(b.traderId, b.keeper.address);
    const bystanderIfSettledEarly = await b.insurance.convertToAssets(bystanderShares);

    // Had the shares stayed in the pool through the loss (the old code's staker without a window open).
    await snapshot.restore();
    await crash(b);
    await b.core.connect(b.keeper).liquidate(b.traderId, b.keeper.address);
    const valueIfStayed = await b.insurance.convertToAssets(shares);

    // Attack: the request is still open when the bankruptcy becomes visible; the attacker settles it first.
    await snapshot.restore();
    await crash(b);
    const valueBeforeLoss = await b.insurance.convertToAssets(shares); // fees included: what an open window paid
    const paid = await b.insurance.connect(attacker).settleRedeem.staticCall(attacker.address);
    await b.insurance.connect(attacker).settleRedeem(attacker.address);
    await b.core.connect(b.keeper).liquidate(b.traderId, b.keeper.address);
    const bystanderEnd = await b.insurance.convertToAssets(bystanderShares);

    const savedByWatching = paid - settledAtUnlock;
    console.log(
      `      request-time value ${usd6(quote)}; worth ${usd6(valueBeforeLoss)} with the fees since; ` +
        `paid ${usd6(paid)} settling ahead of the liquidation, ${usd6(settledAtUnlock)} had a keeper settled at unlock: ` +
        `saved by watching ${usd6(savedByWatching)}`,
    );
    console.log(
      `      old code (open window, shares kept earning): redeem ${usd6(valueBeforeLoss)} ahead of the loss instead of ` +
        `${usd6(valueIfStayed)} after it (saved ${usd6(valueBeforeLoss - valueIfStayed)}); bystander ${usd6(bystanderIfSettledEarly)} (request settled at unlock) → ` +
        `${usd6(bystanderEnd)} (settled ahead of the liquidation)`,
    );
    expect(savedByWatching <= 0n, "watching for the loss paid off").to.equal(true);
    expect(paid <= quote, "paid above the request-time value").to.equal(true);
    expect(valueBeforeLoss > quote, "no income since the request: the cap is untested").to.equal(true);
    expect(bystanderEnd >= bystanderIfSettledEarly, "the bystander staker lost").to.equal(true);
  });
});
