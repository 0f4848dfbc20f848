import { anyUint } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";
const { ethers, networkHelpers } = await network.create();

const { time } = networkHelpers;
const HOUR = 3_600n;
const DAY = 24n * HOUR;
const COOLDOWN = 7n * DAY;
// Virtual shares per virtual asset in LedgerShareVault (`_decimalsOffset()` = 6).
const VIRTUAL_SHARES = 10n ** 6n;
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;

async function deployPool(decimals: number) {
  const [admin, alice, bob, carol, keeper] = await ethers.getSigners();
  const token = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", decimals]);
  const ledger = await ethers.deployContract("MockLedger", [await token.getAddress()]);
  const pool = await ethers.deployContract("InsurancePool", [
    await ledger.getAddress(),
    admin!.address,
    COOLDOWN,
    "Ballast Insurance",
    "bINS",
  ]);
  await ledger.setInsurancePool(await pool.getAddress());
  const unit = 10n ** BigInt(decimals);
  for (const user of [alice!, bob!, carol!]) {
    await token.mint(user.address, 1_000_000n * unit);
    await token.connect(user).approve(await pool.getAddress(), ethers.MaxUint256);
  }
  return { token, ledger, pool, unit, admin: admin!, alice: alice!, bob: bob!, carol: carol!, keeper: keeper! };
}

async function pool6() {
  return deployPool(6);
}
async function pool18() {
  return deployPool(18);
}

/** Alice and Bob stake 1,000 units each; Alice requests to redeem all her shares. */
async function aliceRequested() {
  const fx = await pool6();
  await fx.pool.connect(fx.alice).deposit(1_000n * fx.unit, fx.alice.address);
  await fx.pool.connect(fx.bob).deposit(1_000n * fx.unit, fx.bob.address);
  const shares = await fx.pool.balanceOf(fx.alice.address);
  await fx.pool.connect(fx.alice).requestRedeem(shares, fx.alice.address, fx.alice.address);
  const request = await fx.pool.redeemRequest(fx.alice.address);
  return { ...fx, shares, unlockTime: request.unlockTime, quote: request.quote };
}

describe("InsurancePool", () => {
  describe("deployment and governance", () => {
    it("sets the asset, the core, the admin, the cooldown and the ERC-7540 redeem/operator ids", async () => {
      const { token, ledger, pool, admin } = await networkHelpers.loadFixture(pool6);
      expect(await pool.asset()).to.equal(await token.getAddress());
      expect(await pool.ledger()).to.equal(await ledger.getAddress());
      expect(await pool.share()).to.equal(await pool.getAddress());
      expect(await pool.decimals()).to.equal(12n);
      expect(await pool.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await pool.cooldown()).to.equal(COOLDOWN);
      for (const supported of ["0xe3bc4e65", "0x620ee8e4", "0x2f0a18c5", "0x01ffc9a7", "0x7965db0b"]) {
        expect(await pool.supportsInterface(supported), supported).to.equal(true);
      }
      expect(await pool.supportsInterface("0xce3bbe50")).to.equal(false); // staking is synchronous
    });

    it("rejects an out-of-bounds cooldown and a zero admin at construction", async () => {
      const { ledger, pool, admin } = await networkHelpers.loadFixture(pool6);
      const factory = await ethers.getContractFactory("InsurancePool");
      const core = await ledger.getAddress();
      await expect(factory.deploy(core, admin.address, HOUR - 1n, "I", "I"))
        .to.be.revertedWithCustomError(pool, "CooldownOutOfBounds")
        .withArgs(HOUR - 1n, HOUR, 30n * DAY);
      await expect(factory.deploy(core, admin.address, 30n * DAY + 1n, "I", "I"))
        .to.be.revertedWithCustomError(pool, "CooldownOutOfBounds")
        .withArgs(30n * DAY + 1n, HOUR, 30n * DAY);
      await expect(factory.deploy(core, ethers.ZeroAddress, COOLDOWN, "I", "I")).to.be.revertedWithCustomError(
        pool,
        "ZeroAdmin",
      );
    });

    it("only the admin sets the cooldown, within bounds (both ends accepted)", async () => {
      const { pool, alice } = await networkHelpers.loadFixture(pool6);
      await expect(pool.connect(alice).setCooldown(DAY))
        .to.be.revertedWithCustomError(pool, "AccessControlUnauthorizedAccount")
        .withArgs(alice.address, DEFAULT_ADMIN_ROLE);
      await expect(pool.setCooldown(30n * DAY + 1n))
        .to.be.revertedWithCustomError(pool, "CooldownOutOfBounds")
        .withArgs(30n * DAY + 1n, HOUR, 30n * DAY);
      await expect(pool.setCooldown(HOUR - 1n))
        .to.be.revertedWithCustomError(pool, "CooldownOutOfBounds")
        .withArgs(HOUR - 1n, HOUR, 30n * DAY);
      await expect(pool.setCooldown(HOUR)).to.emit(pool, "CooldownSet").withArgs(HOUR);
      await expect(pool.setCooldown(30n * DAY))
        .to.emit(pool, "CooldownSet")
        .withArgs(30n * DAY);
      expect(await pool.cooldown()).to.equal(30n * DAY);
    });

    it("a new cooldown applies to new requests; pending ones keep their unlock time", async () => {
      const { pool, alice, bob, unlockTime } = await networkHelpers.loadFixture(aliceRequested);
      await pool.setCooldown(DAY);
      expect((await pool.redeemRequest(alice.address)).unlockTime).to.equal(unlockTime);
      await pool.connect(bob).requestRedeem(1n, bob.address, bob.address);
      const now = BigInt(await time.latest());
      expect((await pool.redeemRequest(bob.address)).unlockTime).to.equal(now + DAY);
    });
  });

  for (const decimals of [6, 18]) {
    it(`stakes with a ${decimals}-decimal token: tokens go to the core's insurance ledger, shares = assets × 10^6`, async () => {
      const { token, ledger, pool, alice, bob, unit } = await networkHelpers.loadFixture(
        decimals === 6 ? pool6 : pool18,
      );
      const assets = 250n * unit + 1n;
      await expect(pool.connect(alice).deposit(assets, alice.address))
        .to.emit(pool, "Deposit")
        .withArgs(alice.address, alice.address, assets, assets * VIRTUAL_SHARES);
      expect(await ledger.insuranceLedger()).to.equal(assets);
      expect(await token.balanceOf(await ledger.getAddress())).to.equal(assets);
      expect(await token.balanceOf(await pool.getAddress())).to.equal(0n);
      expect(await pool.decimals()).to.equal(BigInt(decimals + 6));

      // mint rounds the assets it pulls up.
      const shares = 3n * VIRTUAL_SHARES * unit + 1n;
      const totalAssets = await pool.totalAssets();
      const supply = await pool.totalSupply();
      const expectedAssets = (shares * (totalAssets + 1n) + supply + VIRTUAL_SHARES - 1n) / (supply + VIRTUAL_SHARES);
      await expect(pool.connect(bob).mint(shares, bob.address)).to.changeTokenBalance(
        ethers,
        token,
        bob,
        -expectedAssets,
      );
      expect(await ledger.insuranceLedger()).to.equal(assets + expectedAssets);
    });
  }

  it("rejects a fee-on-transfer token and ignores token donations to the core", async () => {
    const [admin, alice] = await ethers.getSigners();
    const token = await ethers.deployContract("FeeOnTransferERC20", ["Fee", "FEE", 6, 50]); // 0.5%
    const ledger = await ethers.deployContract("MockLedger", [await token.getAddress()]);
    const pool = await ethers.deployContract("InsurancePool", [
      await ledger.getAddress(),
      admin!.address,
      COOLDOWN,
      "I",
      "I",
    ]);
    await ledger.setInsurancePool(await pool.getAddress());
    await token.mint(alice!.address, 10_000_000n);
    await token.connect(alice).approve(await pool.getAddress(), ethers.MaxUint256);

    await expect(pool.connect(alice).deposit(1_000_000n, alice!.address))
      .to.be.revertedWithCustomError(pool, "FeeOnTransferNotSupported")
      .withArgs(1_000_000n, 995_000n);
    expect(await ledger.insuranceLedger()).to.equal(0n);
    expect(await pool.totalSupply()).to.equal(0n);

    await token.setFeeBps(0);
    await pool.connect(alice).deposit(1_000_000n, alice!.address);
    await token.connect(alice).transfer(await ledger.getAddress(), 5_000_000n); // donation
    expect(await pool.totalAssets()).to.equal(1_000_000n);
    await expect(ledger.connect(alice).creditInsurance(5_000_000n))
      .to.be.revertedWithCustomError(ledger, "NotInsurancePool")
      .withArgs(alice!.address);
  });

  describe("binding redemption requests", () => {
    it("nothing leaves synchronously: withdraw and redeem revert, max* read 0, exit previews revert", async () => {
      const { pool, alice, unit } = await networkHelpers.loadFixture(pool6);
      await pool.connect(alice).deposit(100n * unit, alice.address);
      expect(await pool.maxRedeem(alice.address)).to.equal(0n);
      expect(await pool.maxWithdraw(alice.address)).to.equal(0n);
      for (const call of [
        pool.connect(alice).redeem(1n, alice.address, alice.address),
        pool.connect(alice).withdraw(1n, alice.address, alice.address),
        pool.previewRedeem(1n),
        pool.previewWithdraw(1n),
      ]) {
        await expect(call).to.be.revertedWithCustomError(pool, "SynchronousFlowDisabled");
      }
      // Staking stays synchronous, with its views.
      expect(await pool.maxDeposit(alice.address)).to.equal(ethers.MaxUint256);
      expect(await pool.previewDeposit(unit)).to.equal(unit * VIRTUAL_SHARES);
    });

    it("a request escrows the shares in the pool (still in the supply), records quote and unlock time, and emits them", async () => {
      const { pool, alice, unit } = await networkHelpers.loadFixture(pool6);
      await pool.connect(alice).deposit(100n * unit, alice.address);
      const balance = await pool.balanceOf(alice.address);
      await expect(pool.connect(alice).requestRedeem(0n, alice.address, alice.address)).to.be.revertedWithCustomError(
        pool,
        "ZeroAmount",
      );
      await expect(pool.connect(alice).requestRedeem(balance + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(pool, "RequestExceedsBalance")
        .withArgs(balance, balance + 1n);

      const now = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(now);
      const tx = pool.connect(alice).requestRedeem(balance, alice.address, alice.address);
      await expect(tx)
        .to.emit(pool, "RedeemRequest")
        .withArgs(alice.address, alice.address, 0n, alice.address, balance);
      await expect(tx).to.changeTokenBalances(ethers, pool, [alice, pool], [-balance, balance]);
      const request = await pool.redeemRequest(alice.address);
      expect(request.amount).to.equal(balance);
      expect(request.quote).to.equal(100n * unit);
      expect(request.unlockTime).to.equal(now + COOLDOWN);
      expect(await pool.pendingRedeemRequest(0n, alice.address)).to.equal(balance);
      expect(await pool.claimableRedeemRequest(0n, alice.address)).to.equal(0n);
      expect(await pool.totalSupply()).to.equal(balance);
    });

    it("too early: reverts with the unlock time one second before it; at it, anyone settles and the staker is paid", async () => {
      const { token, ledger, pool, alice, keeper, shares, unlockTime, unit } =
        await networkHelpers.loadFixture(aliceRequested);
      await time.setNextBlockTimestamp(unlockTime - 1n);
      await expect(pool.connect(keeper).settleRedeem(alice.address))
        .to.be.revertedWithCustomError(pool, "SettlementTooEarly")
        .withArgs(alice.address, unlockTime, unlockTime - 1n);
      await time.setNextBlockTimestamp(unlockTime);
      const tx = pool.connect(keeper).settleRedeem(alice.address);
      await expect(tx)
        .to.emit(pool, "RedeemSettled")
        .withArgs(alice.address, keeper.address, shares, 1_000n * unit, 1_000n * unit);
      await expect(tx).to.changeTokenBalances(
        ethers,
        token,
        [ledger, alice, keeper],
        [-1_000n * unit, 1_000n * unit, 0n],
      );
      expect(await pool.pendingRedeemRequest(0n, alice.address)).to.equal(0n);
      expect(await pool.balanceOf(await pool.getAddress())).to.equal(0n);
      expect(await ledger.insuranceLedger()).to.equal(1_000n * unit);
      await expect(pool.settleRedeem(alice.address))
        .to.be.revertedWithCustomError(pool, "NoPendingRequest")
        .withArgs(alice.address);
    });

    it("there is no cancellation and no expiry: a request stays settleable by anyone, long after its unlock", async () => {
      const { pool, alice, bob, shares, unlockTime } = await networkHelpers.loadFixture(aliceRequested);
      const names: string[] = [];
      pool.interface.forEachFunction((f) => names.push(f.name));
      expect(names).to.include("requestRedeem");
      expect(names.filter((name) => /cancel|window/i.test(name))).to.deep.equal([]);
      await time.increaseTo(unlockTime + 365n * DAY);
      await expect(pool.connect(bob).settleRedeem(alice.address))
        .to.emit(pool, "RedeemSettled")
        .withArgs(alice.address, bob.address, shares, await pool.previewSettleRedeem(alice.address), anyUint);
    });

    it("adding to a request restarts the cooldown of the whole request; a stranger cannot add to it", async () => {
      const { pool, alice, bob, shares, unlockTime } = await networkHelpers.loadFixture(aliceRequested);
      await expect(pool.connect(bob).requestRedeem(1n, alice.address, bob.address))
        .to.be.revertedWithCustomError(pool, "NotOwnerOrOperator")
        .withArgs(alice.address, bob.address);
      await pool.connect(alice).setOperator(bob.address, true);
      await time.increaseTo(unlockTime - DAY);
      await pool.connect(bob).requestRedeem(1n, alice.address, bob.address); // Bob's share, Alice's request
      const newUnlock = BigInt(await time.latest()) + COOLDOWN;
      const request = await pool.redeemRequest(alice.address);
      expect(request.amount).to.equal(shares + 1n);
      expect(request.unlockTime).to.equal(newUnlock);
      await time.increaseTo(unlockTime);
      await expect(pool.settleRedeem(alice.address))
        .to.be.revertedWithCustomError(pool, "SettlementTooEarly")
        .withArgs(alice.address, newUnlock, unlockTime + 1n);
    });

    it("the rest of a balance transfers freely; escrowed shares cannot move", async () => {
      const { pool, alice, carol, unit } = await networkHelpers.loadFixture(pool6);
      await pool.connect(alice).deposit(100n * unit, alice.address);
      const balance = await pool.balanceOf(alice.address);
      await pool.connect(alice).requestRedeem(balance / 2n, alice.address, alice.address);
      await expect(pool.connect(alice).transfer(carol.address, balance))
        .to.be.revertedWithCustomError(pool, "ERC20InsufficientBalance")
        .withArgs(alice.address, balance - balance / 2n, balance);
      await pool.connect(alice).transfer(carol.address, balance - balance / 2n);
      expect(await pool.balanceOf(carol.address)).to.equal(balance - balance / 2n);
      expect(await pool.pendingRedeemRequest(0n, alice.address)).to.equal(balance / 2n);
    });

    it("an approved spender requests for the owner within its allowance, for a controller of its choice", async () => {
      const { token, pool, alice, bob, carol, unit } = await networkHelpers.loadFixture(pool6);
      await pool.connect(alice).deposit(100n * unit, alice.address);
      const part = (await pool.balanceOf(alice.address)) / 2n;
      await expect(pool.connect(bob).requestRedeem(part, bob.address, alice.address))
        .to.be.revertedWithCustomError(pool, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 0n, part);
      await pool.connect(alice).approve(bob.address, part);
      await pool.connect(bob).requestRedeem(part, carol.address, alice.address);
      expect(await pool.allowance(alice.address, bob.address)).to.equal(0n);
      await time.increase(COOLDOWN);
      await expect(pool.settleRedeem(carol.address)).to.changeTokenBalance(ethers, token, carol, 50n * unit);
    });
  });

  describe("losses and gains while a request is pending", () => {
    it("bad debt paid during the cooldown lowers the payout of requested shares pro rata", async () => {
      const { token, ledger, pool, alice, bob, shares, unlockTime, unit } =
        await networkHelpers.loadFixture(aliceRequested);
      await ledger.absorbLoss(500n * unit); // a quarter of the pool, during Alice's cooldown
      expect(await pool.totalAssets()).to.equal(1_500n * unit);
      await time.increaseTo(unlockTime);
      const paid = await pool.previewSettleRedeem(alice.address);
      expect(paid).to.equal((shares * (1_500n * unit + 1n)) / ((await pool.totalSupply()) + VIRTUAL_SHARES));
      expect(paid).to.be.closeTo(750n * unit, 1n);
      await expect(pool.settleRedeem(alice.address)).to.changeTokenBalance(ethers, token, alice, paid);
      // Bob bore the same quarter, not more.
      expect(await pool.convertToAssets(await pool.balanceOf(bob.address))).to.be.closeTo(750n * unit, 1n);
      expect(await token.balanceOf(await ledger.getAddress())).to.equal(await ledger.accountedAssets());
    });

    it("income after the request goes to the stakers who stay: the payout is capped at the request-time value", async () => {
      const { token, pool, alice, bob, carol, unlockTime, quote, unit } =
        await networkHelpers.loadFixture(aliceRequested);
      // Fee income booked to the insurance ledger during Alice's cooldown, as the core books liquidation fees.
      await token.connect(carol).transfer(await pool.ledger(), 400n * unit);
      const ledger = await ethers.getContractAt("MockLedger", await pool.ledger());
      await ledger.creditFees(400n * unit);
      expect(await pool.totalAssets()).to.equal(2_400n * unit);
      await time.increaseTo(unlockTime);
      expect(await pool.previewSettleRedeem(alice.address)).to.equal(quote);
      await pool.settleRedeem(alice.address);
      expect(quote).to.equal(1_000n * unit);
      expect(await pool.convertToAssets(await pool.balanceOf(bob.address))).to.be.closeTo(1_400n * unit, 1n);
    });

    it("after a total wipe-out, new stakers recapitalise the pool at a fair price", async () => {
      const { ledger, pool, alice, bob, unit } = await networkHelpers.loadFixture(pool6);
      await pool.connect(alice).deposit(1_000n * unit, alice.address);
      await ledger.absorbLoss(1_000n * unit);
      expect(await pool.totalAssets()).to.equal(0n);
      await pool.connect(bob).deposit(500n * unit, bob.address);
      const bobValue = await pool.convertToAssets(await pool.balanceOf(bob.address));
      expect(bobValue).to.be.closeTo(500n * unit, 1n);
      expect(bobValue).to.be.lessThanOrEqual(500n * unit);
    });

    it("a stake→request→settle round trip never returns more than went in", async () => {
      const { token, pool, alice, unit } = await networkHelpers.loadFixture(pool6);
      const before = await token.balanceOf(alice.address);
      await pool.connect(alice).deposit(333n * unit + 7n, alice.address);
      const shares = await pool.balanceOf(alice.address);
      await pool.connect(alice).requestRedeem(shares, alice.address, alice.address);
      await time.increase(COOLDOWN);
      await pool.settleRedeem(alice.address);
      expect(await token.balanceOf(alice.address)).to.be.lessThanOrEqual(before);
      expect(before - (await token.balanceOf(alice.address))).to.be.lessThanOrEqual(1n);
      expect(await pool.balanceOf(alice.address)).to.equal(0n);
    });
  });
});
