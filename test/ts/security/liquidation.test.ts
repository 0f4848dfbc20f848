/**
 * Liquidation and fee hardening, attacked from outside (issue 13). Each case states the attack, asserts the
 * outcome the design promises, and prints the figures.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { BTC_MARKET, deployBallast, ETH_MARKET, wad } from "../helpers/fixture.js";
import { structObject } from "../helpers/sdkDeployment.js";

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
  // No reward floor: with a 0.2% taker fee and the default $10 eligibility line the bound allows at most $0.03.
  const b = await deployBallast(ethers, {
    ethParams: { takerFeeRate: wad("0.002"), makerFeeRate: wad("0.002") },
    risk: { keeperRewardFloor: 0n },
  });
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
      await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad("0.06"), MAX);
      await b.setPrice("BTC", 500_000);
      const [vaultBefore, insuranceBefore] = await b.core.ledgers();

      await expect(b.trader.connect(b.alice).trade(id, ETH_MARKET, wad("100"), MAX))
        .to.be.revertedWithCustomError(b.core, "FeeExceedsMargin")
        .withArgs(wad(400), wad(300));

      // With $100 more deposited the same trade goes through, the margin ends at exactly 0, and the ledgers
      // are credited exactly the fee the account paid.
      await b.token.mint(b.alice.address, 100n * b.unit);
      await b.token.connect(b.alice).approve(b.core, 100n * b.unit);
      await b.core.connect(b.alice).deposit(id, 100n * b.unit);
      await b.trader.connect(b.alice).trade(id, ETH_MARKET, wad("100"), MAX);
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
        await b.trader.connect(b.alice).trade(id, ETH_MARKET, wad("15"), MAX); // $30,000, IM $3,000
        // The liquidation line: 15P − 26,060 (equity after the $60 fee) = 0.75P (MM), P ≈ $1,828.772.
        const justHealthy = 182_878_000_000n; // $1,828.78 (8-decimal feed)
        const justLiquidatable = 182_877_000_000n; // $1,828.77
        if (route === "close") {
          await b.ethFeed.setAnswer(justHealthy);
          await b.trader.connect(b.alice).closePosition(id, ETH_MARKET, 0n);
        } else {
          await b.ethFeed.setAnswer(justLiquidatable);
          await b.core.connect(b.staker).liquidate(id, b.staker.address);
          await b.ethFeed.setAnswer(justHealthy);
          if ((await b.core.getPosition(id, ETH_MARKET)).size !== 0n) {
            await b.trader.connect(b.alice).closePosition(id, ETH_MARKET, 0n);
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

  describe("a keeper is paid for every liquidation, bankrupt accounts included (DESIGN §9)", () => {
    async function bankruptFixture() {
      const b = await deployBallast(ethers, { risk: { minRemainingNotional: wad(1_000), keeperRewardFloor: wad(4) } });
      await b.seedVault(10_000_000n * b.unit);
      await b.seedInsurance(10_000n * b.unit);
      return b;
    }

    it("a bankrupt account pays its keeper the floor, out of insurance, before bad debt is covered", async () => {
      const b = await loadFixture(bankruptFixture);
      // A $1,000 account at 10x: a 12% drop leaves it bankrupt, so the fee (capped at equity) is 0 and the share
      // of it pays nothing. Before the floor, a rational keeper skipped it and the bad debt grew.
      const id = await b.openAccount(b.alice, 1_000n * b.unit);
      await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad("0.2"), MAX);
      await b.setPrice("BTC", 44_000);
      const preview = await b.core.previewLiquidation(id);
      expect(preview.fee).to.equal(0n);
      expect(preview.badDebt > 0n).to.equal(true);
      const [, insuranceBefore] = await b.core.ledgers();
      const receipt = await (await b.core.connect(b.keeper).liquidate(id, b.keeper.address)).wait();
      const [, insuranceAfter] = await b.core.ledgers();
      const reward = await b.core.claimableRewards(b.keeper.address);
      const badDebt = receipt!.logs
        .map((log) => b.core.interface.parseLog(log))
        .find((event) => event?.name === "BadDebtSettled")!.args;
      console.log(
        `      bankrupt account: keeper reward ${usd(reward)} (share of a $0 fee: $0), insurance paid ` +
          `${usd(insuranceBefore - insuranceAfter)} = reward + bad debt ${usd(badDebt.coveredByInsurance)}`,
      );
      expect(reward).to.equal(wad(4));
      expect(insuranceBefore - insuranceAfter).to.equal(wad(4) + badDebt.coveredByInsurance);
    });

    it("dust closes and self-liquidations earn no floor", async () => {
      const b = await loadFixture(bankruptFixture);
      // Dust: a position whose notional fell below minRemainingNotional ($1,000) earns only the share of its fee.
      const dust = await b.openAccount(b.alice, 100n * b.unit);
      await b.trader.connect(b.alice).trade(dust, BTC_MARKET, wad("0.015"), MAX); // $750 notional
      // Self: the owner liquidating its own bankrupt account.
      const own = await b.openAccount(b.bob, 1_000n * b.unit);
      await b.trader.connect(b.bob).trade(own, BTC_MARKET, wad("0.2"), MAX);
      await b.setPrice("BTC", 44_000);
      const dustPreview = await b.core.previewLiquidation(dust);
      expect(dustPreview.closedNotional < wad(1_000)).to.equal(true);
      await b.core.connect(b.keeper).liquidate(dust, b.carol.address);
      // Only the keeper's share of the fee: no top-up to the $4 floor.
      expect(await b.core.claimableRewards(b.carol.address)).to.equal(dustPreview.fee / 2n);
      expect(dustPreview.fee / 2n < wad(4)).to.equal(true);
      await b.core.connect(b.bob).liquidate(own, b.bob.address);
      expect(await b.core.claimableRewards(b.bob.address)).to.equal(0n);
    });

    it("governance cannot set a floor that would pay a sybil more than a close of the smallest eligible size costs", async () => {
      const b = await loadFixture(bankruptFixture);
      // (0.5% − 0% taker fee in these markets) × $1,000 = $5.
      await b.core.connect(b.admin).setRiskParams(await riskWith(b.core, { keeperRewardFloor: wad(5) }));
      await expect(b.core.connect(b.admin).setRiskParams(await riskWith(b.core, { keeperRewardFloor: wad(5) + 1n })))
        .to.be.revertedWithCustomError(b.core, "KeeperRewardFloorTooHigh")
        .withArgs(wad(5) + 1n, wad(5));
    });
  });

  describe("governance cannot shock open positions", () => {
    it("a margin raise with marginRampDuration 0 still ramps over a day while anything is open; nobody is liquidatable in its block", async () => {
      // Attack (governance, or a compromised risk manager): set the ramp to 0 and double the maintenance rate in
      // one block, so healthy accounts become liquidatable at once. Now a change in a market with open interest
      // ramps over at least MIN_MARGIN_RAMP (1 day), whatever the market's marginRampDuration says.
      const b = await loadFixture(feesFixture);
      const id = await b.openAccount(b.alice, 1_000n * b.unit);
      await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad("0.18"), MAX); // $9,000 at 10%/5%: MM $450
      const raised = [
        { notionalCap: wad(1_000_000_000), initialMarginRate: wad("0.2"), maintenanceMarginRate: wad("0.12") },
      ];
      const tx = await b.core.connect(b.admin).setMarginTiers(BTC_MARKET, raised);
      const block = await ethers.provider.getBlock((await tx.wait())!.blockNumber);
      const [, start, end] = await b.core.marginRamp(BTC_MARKET);
      expect(end - start).to.equal(86_400n);
      expect(start).to.equal(BigInt(block!.timestamp));
      const health = await b.core.accountHealth(id);
      console.log(
        `      same block: MM ${usd(health.maintenanceMargin)} (was $450; $1,080 after the ramp), liquidatable: ${health.liquidatable}`,
      );
      expect(health.liquidatable).to.equal(false);
      // A new table cannot replace or shorten the running ramp.
      await expect(b.core.connect(b.admin).setMarginTiers(BTC_MARKET, raised)).to.be.revertedWithCustomError(
        b.core,
        "RampInProgress",
      );
    });

    it("a listed market's price feed cannot be switched", async () => {
      const b = await loadFixture(feesFixture);
      const [btc] = await b.core.getMarket(BTC_MARKET);
      const [eth] = await b.core.getMarket(ETH_MARKET);
      await expect(
        b.core
          .connect(b.admin)
          .setMarketParams(BTC_MARKET, { ...structObject(btc), feedId: eth.feedId } as unknown as MarketStruct),
      )
        .to.be.revertedWithCustomError(b.core, "FeedIdImmutable")
        .withArgs(BTC_MARKET, btc.feedId);
    });
  });
});
