import { expect } from "chai";
import { network } from "hardhat";
const { ethers, networkHelpers } = await network.create();

// Virtual shares per virtual asset in LedgerShareVault (`_decimalsOffset()` = 6).
const VIRTUAL_SHARES = 10n ** 6n;

// Independent reference of OpenZeppelin's ERC-4626 conversions with the 10^6 offset.
const mulDivDown = (a: bigint, b: bigint, c: bigint) => (a * b) / c;
const mulDivUp = (a: bigint, b: bigint, c: bigint) => (a * b + c - 1n) / c;
const toSharesDown = (assets: bigint, totalAssets: bigint, supply: bigint) =>
  mulDivDown(assets, supply + VIRTUAL_SHARES, totalAssets + 1n);
const toSharesUp = (assets: bigint, totalAssets: bigint, supply: bigint) =>
  mulDivUp(assets, supply + VIRTUAL_SHARES, totalAssets + 1n);
const toAssetsDown = (shares: bigint, totalAssets: bigint, supply: bigint) =>
  mulDivDown(shares, totalAssets + 1n, supply + VIRTUAL_SHARES);
const toAssetsUp = (shares: bigint, totalAssets: bigint, supply: bigint) =>
  mulDivUp(shares, totalAssets + 1n, supply + VIRTUAL_SHARES);

async function deployVault(decimals: number) {
  const [admin, alice, bob, attacker] = await ethers.getSigners();
  const token = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", decimals]);
  const ledger = await ethers.deployContract("MockLedger", [await token.getAddress()]);
  const vault = await ethers.deployContract("LiquidityVault", [await ledger.getAddress(), "Ballast LP", "bLP"]);
  await ledger.setVault(await vault.getAddress());
  const unit = 10n ** BigInt(decimals);
  for (const user of [alice!, bob!, attacker!]) {
    await token.mint(user.address, 1_000_000_000n * unit);
    await token.connect(user).approve(await vault.getAddress(), ethers.MaxUint256);
  }
  return { token, ledger, vault, unit, admin: admin!, alice: alice!, bob: bob!, attacker: attacker! };
}

async function vault6() {
  return deployVault(6);
}
async function vault18() {
  return deployVault(18);
}

/** Core's token balance equals the sum of its ledgers (DESIGN §6.1), unless `donated` was sent to it directly. */
async function expectConserved(fx: Awaited<ReturnType<typeof vault6>>, donated = 0n) {
  const balance = await fx.token.balanceOf(await fx.ledger.getAddress());
  expect(balance).to.equal((await fx.ledger.accountedAssets()) + donated);
  expect(await fx.token.balanceOf(await fx.vault.getAddress())).to.equal(0n);
}

describe("LiquidityVault", () => {
  it("prices shares over the core's LP ledger and names the core", async () => {
    const { token, ledger, vault } = await networkHelpers.loadFixture(vault6);
    expect(await vault.asset()).to.equal(await token.getAddress());
    expect(await vault.ledger()).to.equal(await ledger.getAddress());
    expect(await vault.decimals()).to.equal(12n);
    expect(await vault.totalAssets()).to.equal(0n);
  });

  for (const decimals of [6, 18]) {
    describe(`with a ${decimals}-decimal token`, () => {
      const fixture = decimals === 6 ? vault6 : vault18;

      it("has asset decimals + 6 share decimals", async () => {
        const { vault } = await networkHelpers.loadFixture(fixture);
        expect(await vault.decimals()).to.equal(BigInt(decimals + 6));
      });

      it("deposit moves tokens straight to the core, credits the LP ledger and mints assets × 10^6 shares", async () => {
        const fx = await networkHelpers.loadFixture(fixture);
        const { token, ledger, vault, alice, bob, unit } = fx;
        const assets = 1_000n * unit;
        const tx = vault.connect(alice).deposit(assets, bob.address);
        await expect(tx)
          .to.emit(vault, "Deposit")
          .withArgs(alice.address, bob.address, assets, assets * VIRTUAL_SHARES);
        await expect(tx).to.changeTokenBalances(ethers, token, [alice, ledger], [-assets, assets]);
        expect(await vault.balanceOf(bob.address)).to.equal(assets * VIRTUAL_SHARES);
        expect(await ledger.vaultLedger()).to.equal(assets);
        expect(await vault.totalAssets()).to.equal(assets);
        await expectConserved(fx);
      });

      it("deposit and mint follow the exact share math once the NAV has moved", async () => {
        const fx = await networkHelpers.loadFixture(fixture);
        const { ledger, vault, alice, bob, unit } = fx;
        await vault.connect(alice).deposit(1_000n * unit, alice.address);
        await ledger.setVaultPnl(333n * unit + 7n); // vault gained from traders: odd ratio

        let totalAssets = await vault.totalAssets();
        let supply = await vault.totalSupply();
        const assets = 123n * unit + 45n;
        const expectedShares = toSharesDown(assets, totalAssets, supply);
        expect(await vault.previewDeposit(assets)).to.equal(expectedShares);
        await vault.connect(bob).deposit(assets, bob.address);
        expect(await vault.balanceOf(bob.address)).to.equal(expectedShares);

        totalAssets = await vault.totalAssets();
        supply = await vault.totalSupply();
        const shares = 77n * unit * VIRTUAL_SHARES + 3n;
        const expectedAssets = toAssetsUp(shares, totalAssets, supply);
        expect(await vault.previewMint(shares)).to.equal(expectedAssets);
        await expect(vault.connect(bob).mint(shares, bob.address))
          .to.emit(vault, "Deposit")
          .withArgs(bob.address, bob.address, expectedAssets, shares);
        expect(await vault.balanceOf(bob.address)).to.equal(expectedShares + shares);
        await expectConserved(fx);
      });

      it("withdraw burns shares rounded up and the core pays the receiver", async () => {
        const fx = await networkHelpers.loadFixture(fixture);
        const { token, ledger, vault, alice, bob, unit } = fx;
        await vault.connect(alice).deposit(1_000n * unit, alice.address);
        await ledger.setVaultPnl(-(17n * unit + 3n)); // vault lost to traders

        const totalAssets = await vault.totalAssets();
        const supply = await vault.totalSupply();
        const assets = 400n * unit + 1n;
        const expectedShares = toSharesUp(assets, totalAssets, supply);
        const sharesBefore = await vault.balanceOf(alice.address);
        const tx = vault.connect(alice).withdraw(assets, bob.address, alice.address);
        await expect(tx)
          .to.emit(vault, "Withdraw")
          .withArgs(alice.address, bob.address, alice.address, assets, expectedShares);
        await expect(tx).to.changeTokenBalances(ethers, token, [ledger, bob], [-assets, assets]);
        expect(await vault.balanceOf(alice.address)).to.equal(sharesBefore - expectedShares);
        expect(await ledger.vaultLedger()).to.equal(1_000n * unit - assets);
        await expectConserved(fx);
      });

      it("redeem pays assets rounded down", async () => {
        const fx = await networkHelpers.loadFixture(fixture);
        const { token, ledger, vault, alice, unit } = fx;
        await vault.connect(alice).deposit(1_000n * unit, alice.address);
        await ledger.setVaultPnl(5n * unit + 1n);

        const shares = (await vault.balanceOf(alice.address)) / 3n;
        const expectedAssets = toAssetsDown(shares, await vault.totalAssets(), await vault.totalSupply());
        expect(await vault.previewRedeem(shares)).to.equal(expectedAssets);
        await expect(vault.connect(alice).redeem(shares, alice.address, alice.address)).to.changeTokenBalances(
          ethers,
          token,
          [ledger, alice],
          [-expectedAssets, expectedAssets],
        );
        await expectConserved(fx);
      });
    });
  }

  it("redeem for another owner needs an allowance and spends it", async () => {
    const { vault, alice, bob, unit } = await networkHelpers.loadFixture(vault6);
    await vault.connect(alice).deposit(100n * unit, alice.address);
    const shares = 10n * unit * VIRTUAL_SHARES;
    await expect(vault.connect(bob).redeem(shares, bob.address, alice.address))
      .to.be.revertedWithCustomError(vault, "ERC20InsufficientAllowance")
      .withArgs(bob.address, 0n, shares);
    await vault.connect(alice).approve(bob.address, shares);
    await expect(vault.connect(bob).redeem(shares, bob.address, alice.address))
      .to.emit(vault, "Withdraw")
      .withArgs(bob.address, bob.address, alice.address, 10n * unit, shares);
    expect(await vault.allowance(alice.address, bob.address)).to.equal(0n);
  });

  it("rejects a fee-on-transfer token and credits nothing", async () => {
    const [, alice] = await ethers.getSigners();
    const token = await ethers.deployContract("FeeOnTransferERC20", ["Fee", "FEE", 6, 100]); // 1%
    const ledger = await ethers.deployContract("MockLedger", [await token.getAddress()]);
    const vault = await ethers.deployContract("LiquidityVault", [await ledger.getAddress(), "LP", "LP"]);
    await ledger.setVault(await vault.getAddress());
    await token.mint(alice!.address, 1_000_000n);
    await token.connect(alice).approve(await vault.getAddress(), ethers.MaxUint256);

    await expect(vault.connect(alice).deposit(1_000_000n, alice!.address))
      .to.be.revertedWithCustomError(vault, "FeeOnTransferNotSupported")
      .withArgs(1_000_000n, 990_000n);
    await expect(vault.connect(alice).mint(10n ** 12n, alice!.address))
      .to.be.revertedWithCustomError(vault, "FeeOnTransferNotSupported")
      .withArgs(1_000_000n, 990_000n);
    expect(await token.balanceOf(alice!.address)).to.equal(1_000_000n);
    expect(await token.balanceOf(await ledger.getAddress())).to.equal(0n);
    expect(await ledger.vaultLedger()).to.equal(0n);
    expect(await vault.totalSupply()).to.equal(0n);

    // The same token without its fee is accepted: the rejection is about the fee, not the token.
    await token.setFeeBps(0);
    await vault.connect(alice).deposit(1_000_000n, alice!.address);
    expect(await ledger.vaultLedger()).to.equal(1_000_000n);
  });

  describe("share inflation", () => {
    it("a token donation to the core does not move the NAV, so the victim of a 1-wei first deposit gets fair shares", async () => {
      const fx = await networkHelpers.loadFixture(vault6);
      const { token, ledger, vault, alice, attacker, unit } = fx;
      await vault.connect(attacker).deposit(1n, attacker.address);
      expect(await vault.balanceOf(attacker.address)).to.equal(VIRTUAL_SHARES);

      const donation = 10_000_000n * unit;
      await token.connect(attacker).transfer(await ledger.getAddress(), donation);
      expect(await vault.totalAssets()).to.equal(1n);

      const assets = 100n * unit;
      await vault.connect(alice).deposit(assets, alice.address);
      const shares = await vault.balanceOf(alice.address);
      expect(shares).to.equal(toSharesDown(assets, 1n, VIRTUAL_SHARES));
      expect(shares).to.equal(assets * VIRTUAL_SHARES); // same price as the attacker paid
      expect(await vault.previewRedeem(shares)).to.equal(assets);
      await expectConserved(fx, donation);
    });

    it("nobody but the vault can credit the LP ledger", async () => {
      const { ledger, vault, attacker, unit } = await networkHelpers.loadFixture(vault6);
      await expect(ledger.connect(attacker).creditVault(unit))
        .to.be.revertedWithCustomError(ledger, "NotVault")
        .withArgs(attacker.address);
      await expect(ledger.connect(attacker).debitVault(attacker.address, 0n))
        .to.be.revertedWithCustomError(ledger, "NotVault")
        .withArgs(attacker.address);
      expect(await vault.totalAssets()).to.equal(0n);
    });

    it("a donation through the NAV (losing trades to the vault) is mostly captured by virtual shares", async () => {
      const { ledger, vault, alice, attacker, unit } = await networkHelpers.loadFixture(vault6);
      await vault.connect(attacker).deposit(1n, attacker.address);
      const donation = 10_000n * unit;
      await ledger.setVaultPnl(donation); // attacker loses `donation` to the vault on trades

      const assets = 100n * unit;
      await vault.connect(alice).deposit(assets, alice.address);
      const victimShares = await vault.balanceOf(alice.address);
      expect(victimShares).to.be.greaterThan(0n);
      const victimValue = await vault.previewRedeem(victimShares);
      const attackerValue = await vault.previewRedeem(await vault.balanceOf(attacker.address));
      // The victim keeps ≥ 99.99% of its deposit; the attacker recovers about half of its donation.
      expect(victimValue * 10_000n).to.be.greaterThanOrEqual(assets * 9_999n);
      expect(attackerValue).to.be.lessThan(donation / 2n + assets);
    });
  });

  describe("reserve cap", () => {
    it("maxWithdraw and maxRedeem stop at the core's withdrawable assets; one unit more reverts", async () => {
      const fx = await networkHelpers.loadFixture(vault6);
      const { ledger, vault, alice, unit } = fx;
      await vault.connect(alice).deposit(1_000n * unit, alice.address);
      await ledger.setVaultReserve(600n * unit);

      const cap = 400n * unit;
      expect(await ledger.vaultWithdrawableAssets()).to.equal(cap);
      expect(await vault.maxWithdraw(alice.address)).to.equal(cap);
      const maxShares = toSharesDown(cap, await vault.totalAssets(), await vault.totalSupply());
      expect(await vault.maxRedeem(alice.address)).to.equal(maxShares);
      expect(await vault.previewRedeem(maxShares)).to.be.lessThanOrEqual(cap);

      await expect(vault.connect(alice).withdraw(cap + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxWithdraw")
        .withArgs(alice.address, cap + 1n, cap);
      await expect(vault.connect(alice).redeem(maxShares + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem")
        .withArgs(alice.address, maxShares + 1n, maxShares);

      await vault.connect(alice).withdraw(cap, alice.address, alice.address);
      expect(await ledger.vaultLedger()).to.equal(600n * unit);
      expect(await vault.maxWithdraw(alice.address)).to.equal(0n);
      expect(await vault.maxRedeem(alice.address)).to.equal(0n);
      await expectConserved(fx);
    });

    it("a small holder's max is its own shares' value; the cap binds only above it", async () => {
      const { ledger, vault, alice, bob, unit } = await networkHelpers.loadFixture(vault6);
      await vault.connect(alice).deposit(1_000n * unit, alice.address);
      await vault.connect(bob).deposit(10n * unit, bob.address);
      await ledger.setVaultReserve(500n * unit);
      expect(await vault.maxWithdraw(bob.address)).to.equal(10n * unit);
      expect(await vault.maxRedeem(bob.address)).to.equal(await vault.balanceOf(bob.address));
      expect(await vault.maxWithdraw(alice.address)).to.equal(510n * unit);
      await ledger.setVaultReserve(2_000n * unit); // reserve above the NAV
      expect(await vault.maxWithdraw(bob.address)).to.equal(0n);
      expect(await vault.maxRedeem(bob.address)).to.equal(0n);
    });
  });

  describe("NAV", () => {
    it("moves with the traders' PnL against the vault", async () => {
      const { ledger, vault, alice, bob, unit } = await networkHelpers.loadFixture(vault6);
      await vault.connect(alice).deposit(1_000n * unit, alice.address);
      const shares = await vault.balanceOf(alice.address);

      await ledger.setVaultPnl(100n * unit);
      expect(await vault.totalAssets()).to.equal(1_100n * unit);
      expect(await vault.convertToAssets(shares)).to.equal(toAssetsDown(shares, 1_100n * unit, shares));
      expect(await vault.convertToAssets(shares)).to.be.greaterThan(1_099n * unit);

      // A later depositor pays the higher price.
      await vault.connect(bob).deposit(1_100n * unit, bob.address);
      expect(await vault.balanceOf(bob.address)).to.equal(toSharesDown(1_100n * unit, 1_100n * unit, shares));
      // Same value as Alice's shares, up to the part the 10^6 virtual shares hold (10^-9 of it here).
      expect(await vault.balanceOf(bob.address)).to.be.closeTo(shares, shares / 1_000_000_000n + 1n);

      await ledger.setVaultPnl(-300n * unit);
      expect(await vault.totalAssets()).to.equal(1_800n * unit);
      // Price fell from 1.1 to 0.9 per initial unit: Alice's 1,000 units are now worth 900.
      const supply = await vault.totalSupply();
      expect(await vault.convertToAssets(shares)).to.equal(toAssetsDown(shares, 1_800n * unit, supply));
      expect(await vault.convertToAssets(shares)).to.be.closeTo(900n * unit, 1n);
    });

    it("stops deposits while shares exist and the NAV reads zero", async () => {
      const { ledger, vault, alice, bob, unit } = await networkHelpers.loadFixture(vault6);
      await vault.connect(alice).deposit(1_000n * unit, alice.address);
      await ledger.setVaultPnl(-1_500n * unit); // true NAV -500, floored at 0
      expect(await vault.totalAssets()).to.equal(0n);
      expect(await vault.maxDeposit(bob.address)).to.equal(0n);
      expect(await vault.maxMint(bob.address)).to.equal(0n);
      await expect(vault.connect(bob).deposit(100n * unit, bob.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxDeposit")
        .withArgs(bob.address, 100n * unit, 0n);
      await expect(vault.connect(bob).mint(1n, bob.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxMint")
        .withArgs(bob.address, 1n, 0n);

      await ledger.setVaultPnl(-999n * unit);
      expect(await vault.maxDeposit(bob.address)).to.equal(ethers.MaxUint256);
    });

    it("reverts every priced read and action while the core's NAV read reverts (oracle down)", async () => {
      const { ledger, vault, alice, unit } = await networkHelpers.loadFixture(vault6);
      await vault.connect(alice).deposit(1_000n * unit, alice.address);
      await ledger.setNavUnavailable(true);
      await expect(vault.totalAssets()).to.be.revertedWithCustomError(ledger, "OracleUnavailable");
      await expect(vault.connect(alice).deposit(unit, alice.address)).to.be.revertedWithCustomError(
        ledger,
        "OracleUnavailable",
      );
      await expect(vault.connect(alice).redeem(1n, alice.address, alice.address)).to.be.revertedWithCustomError(
        ledger,
        "OracleUnavailable",
      );
      await ledger.setNavUnavailable(false);
      expect(await vault.totalAssets()).to.equal(1_000n * unit);
    });
  });

  it("no round trip pays out more than went in (deposit→redeem, mint→withdraw)", async () => {
    const fx = await networkHelpers.loadFixture(vault6);
    const { token, ledger, vault, alice, bob } = fx;
    let seed = 0x2545f4914f6cdd1dn;
    const next = (bound: bigint) => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      return (seed >> 11n) % bound;
    };
    await vault.connect(alice).deposit(1_000_000_000n, alice.address);
    for (let i = 0; i < 12; i++) {
      // Odd price: PnL between -50% and +50% of the LP ledger, plus dust.
      await ledger.setVaultPnl(BigInt(next(1_000_000_000n)) - 500_000_000n + next(7n));
      const assets = 1n + next(10n ** BigInt(1 + Number(next(12n))));

      const before = await token.balanceOf(bob.address);
      await vault.connect(bob).deposit(assets, bob.address);
      await vault.connect(bob).redeem(await vault.balanceOf(bob.address), bob.address, bob.address);
      expect(await token.balanceOf(bob.address)).to.be.lessThanOrEqual(before);

      const shares = 1n + next(10n ** 15n);
      const paid = await vault.previewMint(shares);
      await vault.connect(bob).mint(shares, bob.address);
      const out = await vault.maxWithdraw(bob.address);
      expect(out).to.be.lessThanOrEqual(paid);
      if (out > 0n) await vault.connect(bob).withdraw(out, bob.address, bob.address);
      // Redeem the dust left by rounding so that the next case starts with no shares.
      const dust = await vault.balanceOf(bob.address);
      if (dust > 0n) await vault.connect(bob).redeem(dust, bob.address, bob.address);
      expect(await vault.balanceOf(bob.address)).to.equal(0n);
      expect(await token.balanceOf(bob.address)).to.be.lessThanOrEqual(before);
    }
    await expectConserved(fx);
  });

  describe("reentrancy through a hooked token", () => {
    async function hooked() {
      const [, alice] = await ethers.getSigners();
      const token = await ethers.deployContract("HookERC20", ["Hook", "HOOK", 6]);
      const ledger = await ethers.deployContract("MockLedger", [await token.getAddress()]);
      const vault = await ethers.deployContract("LiquidityVault", [await ledger.getAddress(), "LP", "LP"]);
      await ledger.setVault(await vault.getAddress());
      const hook = await ethers.deployContract("ReentrantHook", [await vault.getAddress()]);
      await token.mint(await hook.getAddress(), 10_000_000n);
      await token.mint(alice!.address, 10_000_000n);
      await token.connect(alice).approve(await vault.getAddress(), ethers.MaxUint256);
      await vault.connect(alice).deposit(5_000_000n, alice!.address); // before the hook is live
      await token.setHook(await hook.getAddress(), false);
      return { token, ledger, vault, hook, alice: alice! };
    }
    const DEPOSIT = 1;
    const REDEEM = 2;
    const OBSERVE = 3;

    for (const afterTransfer of [false, true]) {
      it(`a deposit re-entered from the transfer hook (${afterTransfer ? "after" : "before"} balances move) reverts; nothing is credited`, async () => {
        const { token, ledger, vault, hook } = await networkHelpers.loadFixture(hooked);
        await token.setHook(await hook.getAddress(), afterTransfer);
        await hook.arm(DEPOSIT, 1_000_000n);
        await expect(hook.deposit(1_000_000n)).to.be.revertedWithCustomError(vault, "ReentrancyGuardReentrantCall");
        expect(await ledger.vaultLedger()).to.equal(5_000_000n);
        expect(await vault.balanceOf(await hook.getAddress())).to.equal(0n);
        expect(await token.balanceOf(await ledger.getAddress())).to.equal(5_000_000n);
      });
    }

    it("a redeem re-entered from the payout hook reverts; nothing is paid twice", async () => {
      const { token, ledger, vault, hook } = await networkHelpers.loadFixture(hooked);
      await token.setHook(ethers.ZeroAddress, false);
      await hook.deposit(2_000_000n);
      await token.setHook(await hook.getAddress(), true);
      const shares = await vault.balanceOf(await hook.getAddress());
      await hook.arm(REDEEM, shares / 2n);
      await expect(hook.redeem(shares / 2n)).to.be.revertedWithCustomError(vault, "ReentrancyGuardReentrantCall");
      expect(await vault.balanceOf(await hook.getAddress())).to.equal(shares);
      expect(await ledger.vaultLedger()).to.equal(7_000_000n);
    });

    it("a hook that only reads sees a consistent price: pre-deposit state during deposit, post-withdrawal during payout", async () => {
      const { token, ledger, vault, hook } = await networkHelpers.loadFixture(hooked);
      const hookAddress = await hook.getAddress();

      await hook.arm(OBSERVE, 0n);
      await hook.deposit(2_000_000n);
      expect(await hook.observedTotalAssets()).to.equal(5_000_000n);
      expect(await hook.observedTotalSupply()).to.equal(5_000_000n * VIRTUAL_SHARES);
      expect(await ledger.vaultLedger()).to.equal(7_000_000n);

      await token.setHook(hookAddress, true);
      await hook.arm(OBSERVE, 0n);
      await hook.redeem(await vault.balanceOf(hookAddress));
      expect(await hook.observedTotalAssets()).to.equal(await vault.totalAssets());
      expect(await hook.observedTotalSupply()).to.equal(await vault.totalSupply());
      expect(await vault.totalAssets()).to.equal(5_000_000n);
      expect(await token.balanceOf(await ledger.getAddress())).to.equal(await ledger.accountedAssets());
    });
  });
});
