/**
 * The vault valued at the traders' exit price (issue 12, item 4): attacks on LPs through the vault's NAV. Each case
 * states the attack, asserts the attacker's profit after fees is at most zero and that no bystander's balance fell,
 * and prints the figures.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { BTC_MARKET, deployBallast, wad } from "../helpers/fixture.js";

const { ethers, networkHelpers } = await network.create();
const MAX = ethers.MaxUint256;
const usd = (wadValue: bigint) =>
  `${wadValue < 0n ? "−" : ""}$${(Number((wadValue < 0n ? -wadValue : wadValue) / 10n ** 12n) / 1e6).toLocaleString("en-US")}`;

async function lpFixture() {
  const b = await deployBallast(ethers, {
    pools: "contracts",
    btcParams: { takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0005"), skewScale: wad(10_000) },
    risk: { vaultReserveFactor: wad("0.05") },
  });
  const vault = await ethers.getContractAt("LiquidityVault", b.vault as string);
  const fund = async (who: typeof b.alice, assets: bigint) => {
    await b.token.mint(who.address, assets);
    await b.token.connect(who).approve(vault, assets);
    await vault.connect(who).deposit(assets, who.address);
  };
  await fund(b.lp, 2_000_000n * b.unit); // the bystander LP
  await fund(b.carol, 2_000_000n * b.unit); // the attacker's LP half
  return { ...b, vault };
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
    const redeemed = await b.vault.connect(attacker).redeem.staticCall(shares, attacker.address, attacker.address);
    await b.vault.connect(attacker).redeem(shares, attacker.address, attacker.address);
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
