import { expect } from "chai";
import { network } from "hardhat";
const { ethers, networkHelpers } = await network.create();

const { time } = networkHelpers;
const HOUR = 3_600n;
const DAY = 24n * HOUR;
const COOLDOWN = 7n * DAY;
const WINDOW = 2n * DAY;
// Virtual shares per virtual asset in LedgerShareVault (`_decimalsOffset()` = 6).
const VIRTUAL_SHARES = 10n ** 6n;
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;

async function deployPool(decimals: number) {
  const [admin, alice, bob, carol] = await ethers.getSigners();
  const token = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", decimals]);
  const ledger = await ethers.deployContract("MockLedger", [await token.getAddress()]);
  const pool = await ethers.deployContract("InsurancePool", [
    await ledger.getAddress(),
    admin!.address,
    COOLDOWN,
    WINDOW,
    "Ballast Insurance",
    "bINS",
  ]);
  await ledger.setInsurancePool(await pool.getAddress());
  const unit = 10n ** BigInt(decimals);
  for (const user of [alice!, bob!, carol!]) {
    await token.mint(user.address, 1_000_000n * unit);
    await token.connect(user).approve(await pool.getAddress(), ethers.MaxUint256);
  }
  return { token, ledger, pool, unit, admin: admin!, alice: alice!, bob: bob!, carol: carol! };
}

async function pool6() {
  return deployPool(6);
}
async function pool18() {
  return deployPool(18);
}

/** Alice stakes 1,000 units and requests all her shares. */
async function aliceRequested() {
  const fx = await pool6();
  await fx.pool.connect(fx.alice).deposit(1_000n * fx.unit, fx.alice.address);
  const shares = await fx.pool.balanceOf(fx.alice.address);
  await fx.pool.connect(fx.alice).requestWithdraw(shares);
  const request = await fx.pool.withdrawRequest(fx.alice.address);
  return { ...fx, shares, unlockTime: request.unlockTime, windowEnd: request.windowEnd };
}

describe("InsurancePool", () => {
  describe("deployment and governance", () => {
    it("sets the asset, the core, the admin and the timings", async () => {
      const { token, ledger, pool, admin } = await networkHelpers.loadFixture(pool6);
      expect(await pool.asset()).to.equal(await token.getAddress());
      expect(await pool.ledger()).to.equal(await ledger.getAddress());
      expect(await pool.decimals()).to.equal(12n);
      expect(await pool.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await pool.cooldown()).to.equal(COOLDOWN);
      expect(await pool.window()).to.equal(WINDOW);
    });

    it("rejects out-of-bounds timings and a zero admin at construction", async () => {
      const { ledger, pool, admin } = await networkHelpers.loadFixture(pool6);
      const factory = await ethers.getContractFactory("InsurancePool");
      const core = await ledger.getAddress();
      await expect(factory.deploy(core, admin.address, HOUR - 1n, WINDOW, "I", "I"))
        .to.be.revertedWithCustomError(pool, "CooldownOutOfBounds")
        .withArgs(HOUR - 1n, HOUR, 30n * DAY);
      await expect(factory.deploy(core, admin.address, COOLDOWN, 7n * DAY + 1n, "I", "I"))
        .to.be.revertedWithCustomError(pool, "WindowOutOfBounds")
        .withArgs(7n * DAY + 1n, HOUR, 7n * DAY);
      await expect(factory.deploy(core, ethers.ZeroAddress, COOLDOWN, WINDOW, "I", "I")).to.be.revertedWithCustomError(
        pool,
        "ZeroAdmin",
      );
    });

    it("only the admin sets the cooldown, within bounds", async () => {
      const { pool, alice } = await networkHelpers.loadFixture(pool6);
      await expect(pool.connect(alice).setCooldown(DAY, DAY))
        .to.be.revertedWithCustomError(pool, "AccessControlUnauthorizedAccount")
        .withArgs(alice.address, DEFAULT_ADMIN_ROLE);
      await expect(pool.setCooldown(30n * DAY + 1n, DAY))
        .to.be.revertedWithCustomError(pool, "CooldownOutOfBounds")
        .withArgs(30n * DAY + 1n, HOUR, 30n * DAY);
      await expect(pool.setCooldown(DAY, HOUR - 1n))
        .to.be.revertedWithCustomError(pool, "WindowOutOfBounds")
        .withArgs(HOUR - 1n, HOUR, 7n * DAY);

      // Both ends of each range are accepted.
      await expect(pool.setCooldown(HOUR, 7n * DAY))
        .to.emit(pool, "CooldownSet")
        .withArgs(HOUR, 7n * DAY);
      await expect(pool.setCooldown(30n * DAY, HOUR))
        .to.emit(pool, "CooldownSet")
        .withArgs(30n * DAY, HOUR);
      expect(await pool.cooldown()).to.equal(30n * DAY);
      expect(await pool.window()).to.equal(HOUR);
    });

    it("a new cooldown applies to new requests; pending ones keep their times", async () => {
      const { pool, alice, bob, unit, unlockTime, windowEnd } = await networkHelpers.loadFixture(aliceRequested);
      await pool.setCooldown(DAY, HOUR);
      const aliceRequest = await pool.withdrawRequest(alice.address);
      expect(aliceRequest.unlockTime).to.equal(unlockTime);
      expect(aliceRequest.windowEnd).to.equal(windowEnd);

      await pool.connect(bob).deposit(10n * unit, bob.address);
      await pool.connect(bob).requestWithdraw(1n);
      const now = BigInt(await time.latest());
      const bobRequest = await pool.withdrawRequest(bob.address);
      expect(bobRequest.unlockTime).to.equal(now + DAY);
      expect(bobRequest.windowEnd).to.equal(now + DAY + HOUR);
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
      WINDOW,
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

  describe("withdraw requests", () => {
    it("nothing can leave without a request", async () => {
      const { pool, alice, unit } = await networkHelpers.loadFixture(pool6);
      await pool.connect(alice).deposit(100n * unit, alice.address);
      expect(await pool.maxRedeem(alice.address)).to.equal(0n);
      expect(await pool.maxWithdraw(alice.address)).to.equal(0n);
      await expect(pool.connect(alice).redeem(1n, alice.address, alice.address)).to.be.revertedWithCustomError(
        pool,
        "NoWithdrawRequest",
      );
      await expect(pool.connect(alice).withdraw(1n, alice.address, alice.address)).to.be.revertedWithCustomError(
        pool,
        "NoWithdrawRequest",
      );
    });

    it("a request records shares and times and emits them; zero or more than the balance is refused", async () => {
      const { pool, alice, unit } = await networkHelpers.loadFixture(pool6);
      await pool.connect(alice).deposit(100n * unit, alice.address);
      const balance = await pool.balanceOf(alice.address);
      await expect(pool.connect(alice).requestWithdraw(0n)).to.be.revertedWithCustomError(pool, "ZeroShares");
      await expect(pool.connect(alice).requestWithdraw(balance + 1n))
        .to.be.revertedWithCustomError(pool, "RequestExceedsBalance")
        .withArgs(balance, balance + 1n);

      const now = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(now);
      await expect(pool.connect(alice).requestWithdraw(balance))
        .to.emit(pool, "WithdrawRequested")
        .withArgs(alice.address, balance, now + COOLDOWN, now + COOLDOWN + WINDOW);
      const request = await pool.withdrawRequest(alice.address);
      expect(request.shares).to.equal(balance);
      expect(request.unlockTime).to.equal(now + COOLDOWN);
      expect(request.windowEnd).to.equal(now + COOLDOWN + WINDOW);
      expect(await pool.balanceOf(alice.address)).to.equal(balance); // shares stay in the pool
    });

    it("too early: reverts with the unlock time one second before it", async () => {
      const { pool, alice, shares, unlockTime } = await networkHelpers.loadFixture(aliceRequested);
      await time.increaseTo(unlockTime - 2n);
      expect(await pool.maxRedeem(alice.address)).to.equal(0n);
      expect(await pool.maxWithdraw(alice.address)).to.equal(0n);
      await time.setNextBlockTimestamp(unlockTime - 1n);
      await expect(pool.connect(alice).redeem(shares, alice.address, alice.address))
        .to.be.revertedWithCustomError(pool, "CooldownNotOver")
        .withArgs(unlockTime);
      await expect(pool.connect(alice).withdraw(1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(pool, "CooldownNotOver")
        .withArgs(unlockTime);
      await time.setNextBlockTimestamp(unlockTime);
      await expect(pool.connect(alice).withdraw(1n, alice.address, alice.address))
        .to.emit(pool, "Withdraw")
        .withArgs(alice.address, alice.address, alice.address, 1n, await pool.previewWithdraw(1n));
    });

    it("inside the window: redeems all requested shares at the first and at the last second", async () => {
      const { token, ledger, pool, alice, shares, unlockTime, windowEnd, unit } =
        await networkHelpers.loadFixture(aliceRequested);
      const snapshot = await networkHelpers.takeSnapshot();

      await time.increaseTo(unlockTime);
      expect(await pool.maxRedeem(alice.address)).to.equal(shares);
      expect(await pool.maxWithdraw(alice.address)).to.equal(1_000n * unit);
      await expect(pool.connect(alice).redeem(shares, alice.address, alice.address)).to.changeTokenBalances(
        ethers,
        token,
        [ledger, alice],
        [-1_000n * unit, 1_000n * unit],
      );
      expect((await pool.withdrawRequest(alice.address)).shares).to.equal(0n);
      expect(await ledger.insuranceLedger()).to.equal(0n);

      await snapshot.restore();
      await time.setNextBlockTimestamp(windowEnd);
      await expect(pool.connect(alice).redeem(shares, alice.address, alice.address))
        .to.emit(pool, "Withdraw")
        .withArgs(alice.address, alice.address, alice.address, 1_000n * unit, shares);
    });

    it("after the window: reverts with the window end and max* are zero", async () => {
      const { pool, alice, shares, windowEnd } = await networkHelpers.loadFixture(aliceRequested);
      await time.increaseTo(windowEnd + 1n);
      expect(await pool.maxRedeem(alice.address)).to.equal(0n);
      expect(await pool.maxWithdraw(alice.address)).to.equal(0n);
      await expect(pool.connect(alice).redeem(shares, alice.address, alice.address))
        .to.be.revertedWithCustomError(pool, "WithdrawWindowClosed")
        .withArgs(windowEnd);
      await expect(pool.connect(alice).withdraw(1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(pool, "WithdrawWindowClosed")
        .withArgs(windowEnd);
    });

    it("a partial redeem or withdraw reduces the request; more than what remains reverts", async () => {
      const { pool, alice, shares, unlockTime, unit } = await networkHelpers.loadFixture(aliceRequested);
      await time.increaseTo(unlockTime);
      const firstPart = shares / 4n;
      await pool.connect(alice).redeem(firstPart, alice.address, alice.address);
      let remaining = shares - firstPart;
      expect((await pool.withdrawRequest(alice.address)).shares).to.equal(remaining);
      expect(await pool.maxRedeem(alice.address)).to.equal(remaining);

      await expect(pool.connect(alice).redeem(remaining + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(pool, "ExceedsRequestedShares")
        .withArgs(remaining, remaining + 1n);

      const assets = 100n * unit;
      const sharesForAssets = await pool.previewWithdraw(assets);
      await expect(pool.connect(alice).withdraw(assets, alice.address, alice.address))
        .to.emit(pool, "Withdraw")
        .withArgs(alice.address, alice.address, alice.address, assets, sharesForAssets);
      remaining -= sharesForAssets;
      expect((await pool.withdrawRequest(alice.address)).shares).to.equal(remaining);

      const tooMuch = (await pool.maxWithdraw(alice.address)) + unit;
      await expect(pool.connect(alice).withdraw(tooMuch, alice.address, alice.address))
        .to.be.revertedWithCustomError(pool, "ExceedsRequestedShares")
        .withArgs(remaining, await pool.previewWithdraw(tooMuch));
    });

    it("cancel drops the request; cancelling nothing reverts", async () => {
      const { pool, alice, bob, shares, unlockTime } = await networkHelpers.loadFixture(aliceRequested);
      await expect(pool.connect(alice).cancelWithdraw()).to.emit(pool, "WithdrawCancelled").withArgs(alice.address);
      const request = await pool.withdrawRequest(alice.address);
      expect(request.shares).to.equal(0n);
      expect(request.unlockTime).to.equal(0n);
      await time.increaseTo(unlockTime);
      expect(await pool.maxRedeem(alice.address)).to.equal(0n);
      await expect(pool.connect(alice).redeem(shares, alice.address, alice.address)).to.be.revertedWithCustomError(
        pool,
        "NoWithdrawRequest",
      );
      await expect(pool.connect(bob).cancelWithdraw()).to.be.revertedWithCustomError(pool, "NoWithdrawRequest");
    });

    it("a new request replaces the old one and restarts the cooldown", async () => {
      const { pool, alice, shares, unlockTime } = await networkHelpers.loadFixture(aliceRequested);
      await time.increaseTo(unlockTime - DAY);
      await pool.connect(alice).requestWithdraw(shares / 2n);
      const newUnlock = BigInt(await time.latest()) + COOLDOWN;
      const request = await pool.withdrawRequest(alice.address);
      expect(request.shares).to.equal(shares / 2n);
      expect(request.unlockTime).to.equal(newUnlock);

      await time.increaseTo(unlockTime); // the old unlock time no longer counts
      expect(await pool.maxRedeem(alice.address)).to.equal(0n);
      await expect(pool.connect(alice).redeem(1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(pool, "CooldownNotOver")
        .withArgs(newUnlock);

      await time.increaseTo(newUnlock);
      expect(await pool.maxRedeem(alice.address)).to.equal(shares / 2n);
    });

    it("shares transferred away do not carry the request and shrink it to the balance left, for good", async () => {
      const { pool, alice, bob, shares, unlockTime } = await networkHelpers.loadFixture(aliceRequested);
      const moved = (shares * 3n) / 5n;
      await pool.connect(alice).transfer(bob.address, moved);
      expect((await pool.withdrawRequest(alice.address)).shares).to.equal(shares - moved);
      expect((await pool.withdrawRequest(bob.address)).shares).to.equal(0n);

      // Getting the shares back does not regrow the request.
      await pool.connect(bob).transfer(alice.address, moved);
      expect((await pool.withdrawRequest(alice.address)).shares).to.equal(shares - moved);

      await time.increaseTo(unlockTime);
      expect(await pool.maxRedeem(alice.address)).to.equal(shares - moved);
      await expect(pool.connect(alice).redeem(shares, alice.address, alice.address))
        .to.be.revertedWithCustomError(pool, "ExceedsRequestedShares")
        .withArgs(shares - moved, shares);
      await expect(pool.connect(bob).redeem(0n, bob.address, bob.address)).to.be.revertedWithCustomError(
        pool,
        "NoWithdrawRequest",
      );
    });

    it("requests staged on other addresses cannot be filled by a last-minute transfer", async () => {
      const { pool, alice, bob, unit } = await networkHelpers.loadFixture(pool6);
      await pool.connect(alice).deposit(1_000n * unit, alice.address);
      const shares = await pool.balanceOf(alice.address);
      // Alice requests, hands everything to Bob, who requests a day later (staggered windows).
      await pool.connect(alice).requestWithdraw(shares);
      const aliceUnlock = (await pool.withdrawRequest(alice.address)).unlockTime;
      await pool.connect(alice).transfer(bob.address, shares);
      await time.increase(DAY);
      await pool.connect(bob).requestWithdraw(shares);

      // Alice's window opens; Bob moves every share back to leave at once.
      await time.increaseTo(aliceUnlock);
      await pool.connect(bob).transfer(alice.address, shares);
      expect(await pool.maxRedeem(alice.address)).to.equal(0n);
      await expect(pool.connect(alice).redeem(shares, alice.address, alice.address)).to.be.revertedWithCustomError(
        pool,
        "NoWithdrawRequest",
      );
    });

    it("an approved spender redeems within the owner's request and spends the allowance", async () => {
      const { token, pool, alice, bob, shares, unlockTime } = await networkHelpers.loadFixture(aliceRequested);
      await time.increaseTo(unlockTime);
      const part = shares / 2n;
      await expect(pool.connect(bob).redeem(part, bob.address, alice.address))
        .to.be.revertedWithCustomError(pool, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 0n, part);
      await pool.connect(alice).approve(bob.address, part);
      const assets = await pool.previewRedeem(part);
      await expect(pool.connect(bob).redeem(part, bob.address, alice.address)).to.changeTokenBalance(
        ethers,
        token,
        bob,
        assets,
      );
      expect((await pool.withdrawRequest(alice.address)).shares).to.equal(shares - part);
      expect(await pool.allowance(alice.address, bob.address)).to.equal(0n);
    });
  });

  describe("losses", () => {
    it("bad debt paid by the pool lowers the share price, and requested shares bear it", async () => {
      const { token, ledger, pool, alice, bob, shares, unlockTime, unit } =
        await networkHelpers.loadFixture(aliceRequested);
      await pool.connect(bob).deposit(1_000n * unit, bob.address);
      const priceBefore = await pool.convertToAssets(VIRTUAL_SHARES * unit);

      await ledger.absorbLoss(500n * unit); // a quarter of the pool, during Alice's cooldown
      expect(await pool.totalAssets()).to.equal(1_500n * unit);
      const priceAfter = await pool.convertToAssets(VIRTUAL_SHARES * unit);
      expect(priceAfter).to.be.lessThan(priceBefore);
      expect(priceAfter).to.be.closeTo((priceBefore * 3n) / 4n, 1n);

      await time.increaseTo(unlockTime);
      const paid = await pool.previewRedeem(shares);
      expect(paid).to.be.closeTo(750n * unit, 1n);
      expect(paid).to.be.lessThanOrEqual(750n * unit);
      await expect(pool.connect(alice).redeem(shares, alice.address, alice.address)).to.changeTokenBalance(
        ethers,
        token,
        alice,
        paid,
      );
      expect(await token.balanceOf(await ledger.getAddress())).to.equal(await ledger.accountedAssets());
    });

    it("after a total wipe-out, new stakers recapitalise the pool at a fair price", async () => {
      const { ledger, pool, alice, bob, unit } = await networkHelpers.loadFixture(pool6);
      await pool.connect(alice).deposit(1_000n * unit, alice.address);
      await ledger.absorbLoss(1_000n * unit);
      expect(await pool.totalAssets()).to.equal(0n);
      await pool.connect(bob).deposit(500n * unit, bob.address);
      const bobValue = await pool.previewRedeem(await pool.balanceOf(bob.address));
      expect(bobValue).to.be.closeTo(500n * unit, 1n);
      expect(bobValue).to.be.lessThanOrEqual(500n * unit);
    });

    it("a stake→request→redeem round trip never returns more than went in", async () => {
      const { token, pool, alice, unit } = await networkHelpers.loadFixture(pool6);
      const before = await token.balanceOf(alice.address);
      await pool.connect(alice).deposit(333n * unit + 7n, alice.address);
      const shares = await pool.balanceOf(alice.address);
      await pool.connect(alice).requestWithdraw(shares);
      await time.increase(COOLDOWN);
      await pool.connect(alice).redeem(shares, alice.address, alice.address);
      expect(await token.balanceOf(alice.address)).to.be.lessThanOrEqual(before);
      expect(await pool.balanceOf(alice.address)).to.equal(0n);
    });
  });
});
