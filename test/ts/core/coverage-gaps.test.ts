import { expect } from "chai";
import { network } from "hardhat";
import { MaxUint256, ZeroAddress } from "ethers";
import { BTC_MARKET, DEFAULT_RISK, deployBallast, ETH_MARKET, SIMPLE_TIERS, WAD, wad } from "../helpers/fixture.js";
import { ceilDiv, requirement, targetEquity } from "../helpers/liquidationChecks.js";

/**
 * Targeted tests for the lines of contracts/core and contracts/libraries that the rest of the suite left
 * uncovered (found with `hardhat test --coverage`): constructor and pool-initialisation zero addresses, the ledger
 * hooks' own bounds, a fill price driven to zero by the skew discount, a margin table ramping down, and the two
 * closed-form branches of the liquidation fraction that the core never reaches.
 */

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const base = () => deployBallast(ethers);

async function coreFactory() {
  const b = await loadFixture(base);
  return ethers.getContractFactory("BallastCore", {
    libraries: {
      GovernanceLogic: await b.governanceLogic.getAddress(),
      VaultAccounting: await b.vaultAccounting.getAddress(),
      LiquidationLogic: await b.liquidationLogic.getAddress(),
    },
  });
}

describe("coverage gaps (core and libraries)", () => {
  it("the constructor rejects a zero token, oracle or admin", async () => {
    const b = await loadFixture(base);
    const factory = await coreFactory();
    const args = [b.token, b.oracle, b.admin.address] as const;
    for (let i = 0; i < 3; i++) {
      const bad = [...args] as unknown[];
      bad[i] = ZeroAddress;
      await expect(
        factory.deploy(bad[0] as string, bad[1] as string, bad[2] as string, DEFAULT_RISK),
      ).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
  });

  it("initializePools rejects a zero vault or insurance pool (and a second call)", async () => {
    const b = await loadFixture(base);
    const factory = await coreFactory();
    const core = await factory.deploy(b.token, b.oracle, b.admin.address, DEFAULT_RISK);
    await expect(core.initializePools(ZeroAddress, b.insuranceSigner.address)).to.be.revertedWithCustomError(
      core,
      "ZeroAddress",
    );
    await expect(core.initializePools(b.vaultSigner.address, ZeroAddress)).to.be.revertedWithCustomError(
      core,
      "ZeroAddress",
    );
    await core.initializePools(b.vaultSigner.address, b.insuranceSigner.address);
    await expect(core.initializePools(b.vaultSigner.address, b.insuranceSigner.address)).to.be.revertedWithCustomError(
      core,
      "AlreadyInitialized",
    );
  });

  it("debitVault beyond the withdrawable assets reverts VaultReserveBreached; debitInsurance beyond the ledger InsufficientInsurance", async () => {
    const b = await loadFixture(base);
    await b.seedVault(1_000n * b.unit);
    await b.seedInsurance(500n * b.unit);
    const id = await b.openAccount(b.alice, 10_000n * b.unit);
    await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad(1), MaxUint256); // skew: a reserve of $25,000 × 0
    const withdrawable = await b.core.vaultWithdrawableAssets();
    await expect(b.core.connect(b.vaultSigner).debitVault(b.vaultSigner.address, withdrawable + 1n))
      .to.be.revertedWithCustomError(b.core, "VaultReserveBreached")
      .withArgs(withdrawable + 1n, withdrawable);
    await expect(b.core.connect(b.insuranceSigner).debitInsurance(b.insuranceSigner.address, 500n * b.unit + 1n))
      .to.be.revertedWithCustomError(b.core, "InsufficientInsurance")
      .withArgs(500n * b.unit + 1n, 500n * b.unit);
    // Up to the limits both pay out.
    await b.core.connect(b.vaultSigner).debitVault(b.vaultSigner.address, withdrawable);
    await b.core.connect(b.insuranceSigner).debitInsurance(b.insuranceSigner.address, 500n * b.unit);
    expect(await b.token.balanceOf(b.vaultSigner.address)).to.equal(withdrawable);
    expect(await b.token.balanceOf(b.insuranceSigner.address)).to.equal(500n * b.unit);
  });

  it("a skew discount that would take the fill price to zero reverts FillPriceNotPositive", async () => {
    const b = await deployBallast(ethers, { ethParams: { skewScale: WAD } });
    const id = await b.openAccount(b.alice, 10_000n * b.unit);
    // Selling 2 ETH into zero skew with a 1-ETH skew scale: discount = price × 2 / 2 = price.
    await expect(b.trader.connect(b.alice).trade(id, ETH_MARKET, -2n * WAD, 0n))
      .to.be.revertedWithCustomError(b.core, "FillPriceNotPositive")
      .withArgs(wad(2_000), 0n, -2n * WAD);
    // Just under the scale, the discount leaves a positive price (rounded against the seller).
    const size = -wad("1.999");
    const expected = wad(2_000) - ceilDiv(wad(2_000) * wad("1.999"), 2n * WAD);
    expect(await b.trader.connect(b.alice).trade.staticCall(id, ETH_MARKET, size, 0n)).to.equal(expected);
  });

  it("a margin table ramping down interpolates linearly from the old requirement, rounding the requirement up", async () => {
    const day = 86_400n;
    const b = await deployBallast(ethers, { btcParams: { marginRampDuration: day } });
    // Something open in BTC, so the change ramps (an empty market's table applies at once).
    const bystander = await b.openAccount(b.carol, 10_000n * b.unit);
    await b.trader.connect(b.carol).trade(bystander, BTC_MARKET, wad("0.01"), ethers.MaxUint256);
    const lower = [
      { notionalCap: wad(1_000_000_000), initialMarginRate: wad("0.06"), maintenanceMarginRate: wad("0.03") },
    ];
    await b.core.connect(b.admin).setMarginTiers(BTC_MARKET, lower);
    const start = BigInt(await time.latest());
    const notional = wad(50_000) + 7n;
    const from = {
      im: requirement(SIMPLE_TIERS, notional, "initial"),
      mm: requirement(SIMPLE_TIERS, notional, "maintenance"),
    };
    const to = { im: requirement(lower, notional, "initial"), mm: requirement(lower, notional, "maintenance") };
    await time.increaseTo(start + day / 3n);
    const elapsed = BigInt(await time.latest()) - start;
    const [im, mm] = await b.core.marginRequirements(BTC_MARKET, notional);
    // Downward: from − floor((from − to) × elapsed / duration), which rounds the requirement up.
    expect(im).to.equal(from.im - ((from.im - to.im) * elapsed) / day);
    expect(mm).to.equal(from.mm - ((from.mm - to.mm) * elapsed) / day);
    expect(im > to.im && im < from.im).to.equal(true);
    await time.increaseTo(start + day);
    expect(await b.core.marginRequirements(BTC_MARKET, notional)).to.deep.equal([to.im, to.mm]);
  });

  it("closeFraction: 0 for an account at or above its target, the whole account when the fee on everything reaches it", async () => {
    const harness = await ethers.deployContract("AdvMathHarness");
    const mm = wad(1_000);
    const buffer = wad("0.1");
    const target = targetEquity(mm, buffer); // 1,100
    expect(await harness.closeFraction(target, mm, wad(20_000), wad("0.005"), buffer)).to.equal(0n);
    expect(await harness.closeFraction(target + 1n, mm, wad(20_000), wad("0.005"), buffer)).to.equal(0n);
    // Fee on all 20,000 at 5.5% = 1,100 = target: nothing partial can restore the target.
    expect(await harness.closeFraction(wad(900), mm, wad(20_000), wad("0.055"), buffer)).to.equal(WAD);
    expect(await harness.closeFraction(-wad(1), mm, wad(20_000), wad("0.06"), buffer)).to.equal(WAD);
    // Just below that fee, the closed form applies: (T − E + slack) / (T − fee·N), rounded up.
    const fee = wad("0.04");
    const expected = ceilDiv((target - wad(900) + 10n ** 9n) * WAD, target - wad(800));
    expect(expected < WAD).to.equal(true);
    expect(await harness.closeFraction(wad(900), mm, wad(20_000), fee, buffer)).to.equal(expected);
    expect(await harness.interpolate(100n, 40n, 1n, 3n)).to.equal(80n);
    expect(await harness.interpolate(40n, 100n, 1n, 3n)).to.equal(60n);
    expect(await harness.interpolate(40n, 100n, 3n, 3n)).to.equal(100n);
  });
});
