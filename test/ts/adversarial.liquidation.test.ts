/**
 * Liquidation and fee hardening, attacked from outside (issue 13). Each case states the attack, asserts the
 * outcome the design promises, and prints the figures.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { BTC_MARKET, deployBallast, ETH_MARKET, wad } from "./helpers/fixture.js";
import { structObject } from "./helpers/sdkDeployment.js";

const { ethers, networkHelpers } = await network.connect();
const { loadFixture } = networkHelpers;

const MAX = ethers.MaxUint256;
type Core = Awaited<ReturnType<typeof deployBallast>>["core"];
type RiskStruct = Parameters<Core["setRiskParams"]>[0];
type MarketStruct = Parameters<Core["setMarketParams"]>[1];
/** The core's current risk parameters with `changes`, ready to pass to setRiskParams. */
const riskWith = async (core: Core, changes: Record<string, bigint>) =>
  ({ ...structObject(await core.riskParams()), ...changes }) as unknown as RiskStruct;
const usd = (value: bigint) => `$${(Number(value / 10n ** 12n) / 1e6).toLocaleString("en-US")}`;

async function feesFixture() {
  // A 0.2% fee in ETH so that a fee can exceed a thin realised margin; BTC trades without fees.
  const b = await deployBallast(ethers, { ethParams: { takerFeeRate: wad("0.002"), makerFeeRate: wad("0.002") } });
  await b.seedVault(10_000_000n * b.unit);
  await b.seedInsurance(100_000n * b.unit);
  return b;
}

describe("adversarial: liquidation, fees and keeper incentives (issue 13)", () => {
  describe("fees never make realised margin negative", () => {
    it("a trade whose fee exceeds the realised margin reverts with FeeExceedsMargin; only collected fees are credited", async () => {
      const b = await loadFixture(feesFixture);
      // Attack: a cross account with $300 of realised margin and a $27,000 unrealised BTC profit opens $200,000
      // of ETH. Its equity covers the initial margin, but the 0.2% fee ($400) exceeds its realised margin. Before
      // the fix the fee was booked in full: the margin went to −$100 and insurance and the vault were credited
      // $100 that no token backed.
      const id = await b.openAccount(b.alice, 300n * b.unit);
      await b.core.connect(b.alice).trade(id, BTC_MARKET, wad("0.06"), MAX);
      await b.setPrice("BTC", 500_000);
      const [vaultBefore, insuranceBefore] = await b.core.ledgers();

      await expect(b.core.connect(b.alice).trade(id, ETH_MARKET, wad("100"), MAX))
        .to.be.revertedWithCustomError(b.core, "FeeExceedsMargin")
        .withArgs(wad(400), wad(300));

      // With $100 more deposited the same trade goes through, the margin ends at exactly 0, and the ledgers
      // are credited exactly the fee the account paid.
      await b.token.mint(b.alice.address, 100n * b.unit);
      await b.token.connect(b.alice).approve(b.core, 100n * b.unit);
      await b.core.connect(b.alice).deposit(id, 100n * b.unit);
      await b.core.connect(b.alice).trade(id, ETH_MARKET, wad("100"), MAX);
      const [vaultAfter, insuranceAfter] = await b.core.ledgers();
      const credited = vaultAfter - vaultBefore + (insuranceAfter - insuranceBefore);
      const margin = (await b.core.getAccount(id)).margin;
      console.log(
        `      fee ${usd(wad(400))} against realised margin ${usd(wad(300))}: reverted; after a deposit: ` +
          `credited ${usd(credited)}, margin after ${usd(margin)}`,
      );
      expect(credited).to.equal(wad(400));
      expect(margin).to.equal(0n);
    });
  });

  describe("self-liquidation is never cheaper than closing, through any address", () => {
    it("governance refuses a keeper share that would let a sybil keeper win back more than a close costs", async () => {
      const b = await loadFixture(feesFixture);
      // liquidationFeeRate 0.5%, ETH taker fee 0.2%: the owner must keep paying ≥ 0.2%, so share ≤ 60%.
      const ok = await riskWith(b.core, { keeperRewardShare: wad("0.6") });
      const tooHigh = await riskWith(b.core, { keeperRewardShare: wad("0.6") + 1n });
      await b.core.connect(b.admin).setRiskParams(ok);
      await expect(b.core.connect(b.admin).setRiskParams(tooHigh))
        .to.be.revertedWithCustomError(b.core, "SelfLiquidationCheaperThanClosing")
        .withArgs(wad("0.005"), wad("0.6") + 1n, wad("0.002"));
      // Nor can a market's taker fee be raised past what the share allows.
      const [eth] = await b.core.getMarket(ETH_MARKET);
      await expect(
        b.core.connect(b.admin).setMarketParams(ETH_MARKET, {
          ...structObject(eth),
          takerFeeRate: wad("0.002") + 1n,
        } as unknown as MarketStruct),
      ).to.be.revertedWithCustomError(b.core, "SelfLiquidationCheaperThanClosing");
    });

    it("an owner liquidated by its own sybil keeper ends with less than if it had closed", async () => {
      // Attack: an owner about to be liquidated closes through its own keeper address to collect the reward
      // instead of paying the closing fee. With the share at its bound, the fee it keeps paying is at least the
      // taker fee a close costs, so the sybil route never ends richer.
      async function endBalance(route: "close" | "sybil") {
        const b = await loadFixture(feesFixture);
        await b.core.connect(b.admin).setRiskParams(await riskWith(b.core, { keeperRewardShare: wad("0.6") }));
        const id = await b.openAccount(b.alice, 4_000n * b.unit);
        await b.core.connect(b.alice).trade(id, ETH_MARKET, wad("15"), MAX); // $30,000, IM $3,000
        // The liquidation line: 15P − 26,060 (equity after the $60 fee) = 0.75P (MM), P ≈ $1,828.772.
        const justHealthy = 182_878_000_000n; // $1,828.78 (8-decimal feed)
        const justLiquidatable = 182_877_000_000n; // $1,828.77
        if (route === "close") {
          await b.ethFeed.setAnswer(justHealthy);
          await b.core.connect(b.alice).closePosition(id, ETH_MARKET, 0n);
        } else {
          await b.ethFeed.setAnswer(justLiquidatable);
          await b.core.connect(b.staker).liquidate(id, b.staker.address);
          await b.ethFeed.setAnswer(justHealthy);
          if ((await b.core.getPosition(id, ETH_MARKET)).size !== 0n) {
            await b.core.connect(b.alice).closePosition(id, ETH_MARKET, 0n);
          }
        }
        // What the owner (and its sybil) end with, WAD USD: the account's margin (all realised: nothing is open)
        // plus the rewards credited to the sybil.
        expect((await b.core.getPosition(id, ETH_MARKET)).size).to.equal(0n);
        return (await b.core.getAccount(id)).margin + (await b.core.claimableRewards(b.staker.address));
      }
      const closed = await endBalance("close");
      const sybil = await endBalance("sybil");
      console.log(`      owner + sybil end with ${usd(sybil)}; closing instead: ${usd(closed)} (same price ± $0.01)`);
      expect(sybil <= closed).to.equal(true);
    });
  });
});
