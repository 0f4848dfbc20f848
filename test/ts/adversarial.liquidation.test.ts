/**
 * Liquidation and fee hardening, attacked from outside (issue 13). Each case states the attack, asserts the
 * outcome the design promises, and prints the figures.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { BTC_MARKET, deployBallast, ETH_MARKET, wad } from "./helpers/fixture.js";

const { ethers, networkHelpers } = await network.connect();
const { loadFixture } = networkHelpers;

const MAX = ethers.MaxUint256;
const usd = (value: bigint) => `$${(Number(value / 10n ** 12n) / 1e6).toLocaleString("en-US")}`;

async function feesFixture() {
  // A 1% fee in ETH so that a fee can exceed a thin realised margin; BTC trades without fees.
  const b = await deployBallast(ethers, { ethParams: { takerFeeRate: wad("0.01"), makerFeeRate: wad("0.01") } });
  await b.seedVault(10_000_000n * b.unit);
  await b.seedInsurance(100_000n * b.unit);
  return b;
}

describe("adversarial: liquidation, fees and keeper incentives (issue 13)", () => {
  describe("fees never make realised margin negative", () => {
    it("a trade whose fee exceeds the realised margin reverts with FeeExceedsMargin; only collected fees are credited", async () => {
      const b = await loadFixture(feesFixture);
      // Attack: a cross account with $1,000 of realised margin and a $25,000 unrealised BTC profit opens $200,000
      // of ETH. Its equity covers the initial margin, but the 1% fee ($2,000) is twice its realised margin. Before
      // the fix the fee was booked in full: the margin went to −$1,000 and insurance and the vault were credited
      // $1,000 that no token backed.
      const id = await b.openAccount(b.alice, 1_000n * b.unit);
      await b.core.connect(b.alice).trade(id, BTC_MARKET, wad("0.2"), MAX);
      await b.setPrice("BTC", 175_000);
      const [vaultBefore, insuranceBefore] = await b.core.ledgers();

      await expect(b.core.connect(b.alice).trade(id, ETH_MARKET, wad("100"), MAX))
        .to.be.revertedWithCustomError(b.core, "FeeExceedsMargin")
        .withArgs(wad(2_000), wad(1_000));

      // With $1,000 more deposited the same trade goes through, the margin ends at exactly 0, and the ledgers
      // are credited exactly the fee the account paid.
      await b.token.mint(b.alice.address, 1_000n * b.unit);
      await b.token.connect(b.alice).approve(b.core, 1_000n * b.unit);
      await b.core.connect(b.alice).deposit(id, 1_000n * b.unit);
      await b.core.connect(b.alice).trade(id, ETH_MARKET, wad("100"), MAX);
      const [vaultAfter, insuranceAfter] = await b.core.ledgers();
      const credited = vaultAfter - vaultBefore + (insuranceAfter - insuranceBefore);
      const margin = (await b.core.getAccount(id)).margin;
      console.log(
        `      fee ${usd(wad(2_000))} against realised margin ${usd(wad(1_000))}: reverted; after a deposit: ` +
          `credited ${usd(credited)}, margin after ${usd(margin)}`,
      );
      expect(credited).to.equal(wad(2_000));
      expect(margin).to.equal(0n);
    });
  });
});
