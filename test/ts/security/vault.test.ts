/**
 * Attacks on LPs through the vault's NAV: the exit-price valuation (issue 12, item 4) and the asynchronous LP flows
 * (issue 12, item 5: requests settled after a delay at the worse of the request-time and settlement-time price).
 * Each case states the attack, asserts the attacker's profit after fees is at most zero and that no bystander's
 * balance fell, and prints the figures, with what the same attack would have made under the old synchronous
 * ERC-4626 flow where that can be computed from the scenario's own figures.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { BTC_MARKET, deployBallast, wad } from "../helpers/fixture.js";

const { ethers, networkHelpers } = await network.create();
const MAX = ethers.MaxUint256;
const VIRTUAL_SHARES = 10n ** 6n;
const usd = (wadValue: bigint) =>
  `${wadValue < 0n ? "−" : ""}$${(Number((wadValue < 0n ? -wadValue : wadValue) / 10n ** 12n) / 1e6).toLocaleString("en-US")}`;
/** Token units (6 decimals) as dollars. */
const usd6 = (assets: bigint) => usd(assets * 10n ** 12n);
/** OpenZeppelin's ERC-4626 conversions with the 10^6 offset, rounded down (the synchronous flow's price). */
const toShares = (assets: bigint, totalAssets: bigint, supply: bigint) =>
  (assets * (supply + VIRTUAL_SHARES)) / (totalAssets + 1n);
const toAssets = (shares: bigint, totalAssets: bigint, supply: bigint) =>
  (shares * (totalAssets + 1n)) / (supply + VIRTUAL_SHARES);

async function lpFixture() {
  const b = await deployBallast(ethers, {
    pools: "contracts",
    btcParams: { takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0005"), skewScale: wad(10_000) },
    risk: { vaultReserveFactor: wad("0.05") },
  });
  const vault = await ethers.getContractAt("LiquidityVault", b.vault as string);
  await b.fundVault(b.lp, 2_000_000n * b.unit); // the bystander LP
  await b.fundVault(b.carol, 2_000_000n * b.unit); // the attacker's LP half
  return { ...b, vault };
}

/** A bystander LP with $2M and a trader long 100 BTC ($5M) against the vault; no attacker LP yet. */
async function eventFixture() {
  const b = await deployBallast(ethers, {
    pools: "contracts",
    btcParams: { takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0005") },
    risk: { vaultReserveFactor: wad("0.05") },
  });
  const vault = await ethers.getContractAt("LiquidityVault", b.vault as string);
  await b.fundVault(b.lp, 2_000_000n * b.unit);
  const trader = await b.openAccount(b.alice, 1_000_000n * b.unit);
  await b.trader.connect(b.alice).trade(trader, BTC_MARKET, wad(100), MAX);
  return { ...b, vault, traderId: trader };
}

describe("adversarial: the vault's valuation", () => {
  it("opening a skewed position, redeeming LP shares at the inflated NAV and closing earns nothing", async () => {
    const b = await networkHelpers.loadFixture(lpFixture);
    // Attack: the attacker holds half the LP shares. It buys 200 BTC ($10M) into an empty book, paying a ~1% skew
    // premium ($100k). Valued at the mark price, that premium shows up in NAV as the traders' "loss" at once, so the
    // attacker's shares redeem for about $50k more. It then sells the 200 BTC back, getting the premium back.
    const attacker = b.carol;
    const bystanderShares = await b.vault.balanceOf(b.lp.address);
    const bystanderBefore = await b.vault.convertToAssets(bystanderShares);
    const startTokens = await b.token.balanceOf(attacker.address);

    const id = await b.openAccount(attacker, 1_500_000n * b.unit);
    await b.trader.connect(attacker).trade(id, BTC_MARKET, wad(200), MAX);
    const position = await b.core.getPosition(id, BTC_MARKET);
    const markValue = 200n * wad(50_000);
    const navAtExit = await b.core.vaultNetAssetValue();
    // What NAV would read valued at the mark price, as before this change: the premium counted as a trader loss.
    const exitValue = (markValue * (2n * wad(10_000) + wad(200)) + 2n * wad(10_000) - 1n) / (2n * wad(10_000));
    const navAtMark = navAtExit + (exitValue - markValue);

    const shares = await b.vault.balanceOf(attacker.address);
    const supply = await b.vault.totalSupply();
    // The redemption is a request now: it settles after the delay, with the position still open.
    const redeemed = await b.redeemVault(attacker, shares, b.keeper);
    await b.trader.connect(attacker).closePosition(id, BTC_MARKET, 0n);
    const { withdrawable } = await b.core.accountHealth(id);
    await b.core.connect(attacker).withdraw(id, withdrawable / 10n ** 12n, attacker.address);

    const endTokens = await b.token.balanceOf(attacker.address);
    // Its trading capital (1.5M, minted by openAccount) and its LP deposit (2M, made before `startTokens`) both come
    // back in `endTokens`: the profit is what is left over.
    const profit = (endTokens - startTokens - 1_500_000n * b.unit - 2_000_000n * b.unit) * 10n ** 12n;
    const lpGain = (redeemed - 2_000_000n * b.unit) * 10n ** 12n;
    const bystanderAfter = await b.vault.convertToAssets(bystanderShares);
    const atMarkExtra = ((navAtMark - navAtExit) * shares) / supply;
    console.log(
      `      premium paid ${usd(position.openNotional - markValue)}; NAV at the exit price ${usd(navAtExit)} ` +
        `(at the mark price it would read ${usd(navAtMark)}: the attacker's half would redeem ~${usd(atMarkExtra)} more)`,
    );
    console.log(
      `      attacker: LP leg ${usd(lpGain)}, whole round trip ${usd(profit)} after fees; ` +
        `bystander LP ${usd(bystanderBefore * 10n ** 12n)} → ${usd(bystanderAfter * 10n ** 12n)}`,
    );
    expect(profit <= 0n, "the attacker profits").to.equal(true);
    expect(bystanderAfter >= bystanderBefore, "the bystander LP lost").to.equal(true);
  });
});

describe("adversarial: LP deposits and redemptions around a PnL event the LP sees coming", () => {
  it("depositing just before a known trader loss (the vault's gain) and redeeming right after earns nothing", async () => {
    const b = await networkHelpers.loadFixture(eventFixture);
    // Attack: the attacker sees a BTC price update coming (50,000 → 48,000) that costs the 100 BTC long $200k, a
    // gain for the vault. It requests a $2M deposit just before the update and redeems as soon as it can.
    const attacker = b.carol;
    const assets = 2_000_000n * b.unit;
    const bystanderShares = await b.vault.balanceOf(b.lp.address);
    const nav0 = await b.vault.totalAssets();
    const supply0 = await b.vault.totalSupply();
    await b.token.mint(attacker.address, assets);
    await b.token.connect(attacker).approve(b.vault, assets);
    const tokens0 = await b.token.balanceOf(attacker.address);
    await b.vault.connect(attacker).requestDeposit(assets, attacker.address, attacker.address);

    await b.setPrice("BTC", 48_000); // the event: the vault gains $200k, all of it the bystander's
    const nav1 = await b.vault.totalAssets();
    const bystanderAfterEvent = await b.vault.convertToAssets(bystanderShares);
    await b.passTime(await b.vault.settlementDelay());
    const shares = await b.vault.connect(b.keeper).settleDeposit.staticCall(attacker.address);
    await b.vault.connect(b.keeper).settleDeposit(attacker.address);
    const paid = await b.redeemVault(attacker, shares, b.keeper);
    const profit = (await b.token.balanceOf(attacker.address)) - tokens0;
    const bystanderEnd = await b.vault.convertToAssets(bystanderShares);

    // The old synchronous flow: shares at the pre-event price, redeemed at once after the event.
    const oldShares = toShares(assets, nav0, supply0);
    const oldPaid = toAssets(oldShares, nav1 + assets, supply0 + oldShares);
    const oldBystander = toAssets(bystanderShares, nav1 + assets - oldPaid, supply0);
    console.log(
      `      vault NAV ${usd6(nav0)} → ${usd6(nav1)} at the event; bystander LP ${usd6(nav0)} → ${usd6(bystanderEnd)}`,
    );
    console.log(
      `      attacker: deposited ${usd6(assets)}, redeemed ${usd6(paid)}: profit ${usd6(profit)} ` +
        `(old synchronous flow: ${usd6(oldPaid - assets)}, bystander left with ${usd6(oldBystander)})`,
    );
    expect(profit <= 0n, "the attacker profits").to.equal(true);
    expect(oldPaid - assets > 0n, "the scenario is no attack under the old flow").to.equal(true);
    expect(bystanderEnd >= bystanderAfterEvent, "the bystander LP lost").to.equal(true);
  });

  it("depositing just before a known fee income and redeeming right after earns nothing", async () => {
    const b = await networkHelpers.loadFixture(eventFixture);
    // Attack: the attacker sees a trader's close of 100 BTC coming ($2,500 of taker fee, 80% to the vault) and
    // requests a deposit just before it.
    const attacker = b.carol;
    const assets = 2_000_000n * b.unit;
    const bystanderShares = await b.vault.balanceOf(b.lp.address);
    const nav0 = await b.vault.totalAssets();
    const supply0 = await b.vault.totalSupply();
    await b.token.mint(attacker.address, assets);
    await b.token.connect(attacker).approve(b.vault, assets);
    await b.vault.connect(attacker).requestDeposit(assets, attacker.address, attacker.address);
    await b.trader.connect(b.alice).closePosition(b.traderId, BTC_MARKET, 0n); // the fee event
    const nav1 = await b.vault.totalAssets();
    const bystanderAfterEvent = await b.vault.convertToAssets(bystanderShares);
    await b.passTime(await b.vault.settlementDelay());
    await b.vault.connect(b.keeper).settleDeposit(attacker.address);
    const paid = await b.redeemVault(attacker, await b.vault.balanceOf(attacker.address), b.keeper);
    const bystanderEnd = await b.vault.convertToAssets(bystanderShares);
    const oldShares = toShares(assets, nav0, supply0);
    const oldPaid = toAssets(oldShares, nav1 + assets, supply0 + oldShares);
    console.log(
      `      fee income to the vault ${usd6(nav1 - nav0)}; attacker profit ${usd6(paid - assets)} ` +
        `(old synchronous flow: ${usd6(oldPaid - assets)}); bystander ${usd6(bystanderAfterEvent)} → ${usd6(bystanderEnd)}`,
    );
    expect(paid <= assets, "the attacker profits").to.equal(true);
    expect(oldPaid > assets, "the scenario is no attack under the old flow").to.equal(true);
    expect(bystanderEnd >= bystanderAfterEvent, "the bystander LP lost").to.equal(true);
  });

  it("redeeming ahead of a known trader profit (the vault's loss) avoids none of it", async () => {
    const b = await networkHelpers.loadFixture(eventFixture);
    // Attack: the attacker, an LP with $2M, sees a price update coming (50,000 → 52,000) that pays the 100 BTC long
    // $200k from the vault. It requests the redemption of all its shares just before the update.
    const attacker = b.carol;
    await b.fundVault(attacker, 2_000_000n * b.unit);
    const shares = await b.vault.balanceOf(attacker.address);
    const bystanderShares = await b.vault.balanceOf(b.lp.address);
    const oldPaid = await b.vault.convertToAssets(shares); // a synchronous redeem now would pay this
    await b.vault.connect(attacker).requestRedeem(shares, attacker.address, attacker.address);

    await b.setPrice("BTC", 52_000); // the event: the vault loses $200k
    const heldValue = await b.vault.convertToAssets(shares); // what the shares are worth had it stayed
    const bystanderAfterEvent = await b.vault.convertToAssets(bystanderShares);
    await b.passTime(await b.vault.settlementDelay());
    const paid = await b.vault.connect(b.keeper).settleRedeem.staticCall(attacker.address);
    await b.vault.connect(b.keeper).settleRedeem(attacker.address);
    const bystanderEnd = await b.vault.convertToAssets(bystanderShares);
    const saved = paid - heldValue;
    console.log(
      `      attacker's shares worth ${usd6(oldPaid)} before the event, ${usd6(heldValue)} after; paid ${usd6(paid)}: ` +
        `saved ${usd6(saved)} (old synchronous flow: ${usd6(oldPaid - heldValue)})`,
    );
    console.log(
      `      bystander LP ${usd6(bystanderAfterEvent)} after the event → ${usd6(bystanderEnd)} after the exit`,
    );
    expect(saved <= 0n, "the attacker avoided part of the loss").to.equal(true);
    expect(oldPaid - heldValue > 0n, "the scenario is no attack under the old flow").to.equal(true);
    expect(bystanderEnd >= bystanderAfterEvent, "the bystander LP lost").to.equal(true);
  });

  it("a requester cannot pick the better of two prices by choosing when to settle", async () => {
    const b = await networkHelpers.loadFixture(eventFixture);
    // Attack: request a deposit, then wait for the NAV to fall before settling, hoping for cheap shares; or request a
    // redemption and wait for the NAV to rise. The worse-of rule gives the requester the request-time price at best.
    const attacker = b.carol;
    await b.fundVault(attacker, 1_000_000n * b.unit);
    const shares = await b.vault.balanceOf(attacker.address);
    await b.vault.connect(attacker).requestRedeem(shares, attacker.address, attacker.address);
    const quote = (await b.vault.redeemRequest(attacker.address)).quote;
    await b.setPrice("BTC", 47_000); // the long loses $300k: the NAV rises after the request
    await b.passTime(await b.vault.settlementDelay());
    const now = await b.vault.convertToAssets(shares);
    const paid = await b.vault.connect(attacker).settleRedeem.staticCall(attacker.address);
    expect(now > quote).to.equal(true);
    expect(paid).to.equal(quote);

    const assets = 500_000n * b.unit;
    await b.token.mint(attacker.address, assets);
    await b.token.connect(attacker).approve(b.vault, assets);
    await b.vault.connect(attacker).requestDeposit(assets, attacker.address, attacker.address);
    const depositQuote = (await b.vault.depositRequest(attacker.address)).quote;
    await b.setPrice("BTC", 53_000); // the NAV falls after the request
    await b.passTime(await b.vault.settlementDelay());
    const cheap = await b.vault.convertToShares(assets);
    const minted = await b.vault.previewSettleDeposit(attacker.address);
    console.log(
      `      redemption: worth ${usd6(now)} at settlement, paid the request-time ${usd6(paid)}; ` +
        `deposit: ${cheap} shares at settlement, minted the request-time ${minted}`,
    );
    expect(cheap > depositQuote).to.equal(true);
    expect(minted).to.equal(depositQuote);
  });
});
