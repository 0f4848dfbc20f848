/**
 * LiquidityVault over a mock ledger: ERC-7540 asynchronous deposits and redemptions (request → delay → settle by
 * anyone at the worse of the request-time and settlement-time share price), escrow, operators, the settlement delay's
 * bounds, the disabled ERC-4626 synchronous entry points and their views, the NAV, the reserve, and reentrancy.
 */
import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";
const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

// Virtual shares per virtual asset in LedgerShareVault (`_decimalsOffset()` = 6).
const VIRTUAL_SHARES = 10n ** 6n;
const DELAY = 3_600n;
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;

// Independent reference of OpenZeppelin's ERC-4626 conversions with the 10^6 offset.
const toSharesDown = (assets: bigint, totalAssets: bigint, supply: bigint) =>
  (assets * (supply + VIRTUAL_SHARES)) / (totalAssets + 1n);
const toAssetsDown = (shares: bigint, totalAssets: bigint, supply: bigint) =>
  (shares * (totalAssets + 1n)) / (supply + VIRTUAL_SHARES);
/** ERC-165 id: XOR of the selectors. */
const interfaceId = (signatures: string[]) =>
  `0x${signatures
    .map((s) => BigInt(id(s).slice(0, 10)))
    .reduce((a, b) => a ^ b, 0n)
    .toString(16)
    .padStart(8, "0")}`;

async function deployVault(decimals: number) {
  const [admin, alice, bob, carol, keeper] = await ethers.getSigners();
  const token = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", decimals]);
  const ledger = await ethers.deployContract("MockLedger", [await token.getAddress()]);
  const vault = await ethers.deployContract("LiquidityVault", [
    await ledger.getAddress(),
    admin!.address,
    DELAY,
    "Ballast LP",
    "bLP",
  ]);
  await ledger.setVault(await vault.getAddress());
  const unit = 10n ** BigInt(decimals);
  for (const user of [alice!, bob!, carol!]) {
    await token.mint(user.address, 1_000_000_000n * unit);
    await token.connect(user).approve(await vault.getAddress(), ethers.MaxUint256);
  }
  return {
    token,
    ledger,
    vault,
    unit,
    admin: admin!,
    alice: alice!,
    bob: bob!,
    carol: carol!,
    keeper: keeper!,
  };
}
type Fx = Awaited<ReturnType<typeof deployVault>>;

async function vault6() {
  return deployVault(6);
}
async function vault18() {
  return deployVault(18);
}

type Signer = Fx["alice"];
/** request → delay → settle by the keeper; returns the shares minted. */
async function deposit(fx: Fx, who: Signer, assets: bigint) {
  await fx.vault.connect(who).requestDeposit(assets, who.address, who.address);
  await time.increase(DELAY);
  const shares = await fx.vault.connect(fx.keeper).settleDeposit.staticCall(who.address);
  await fx.vault.connect(fx.keeper).settleDeposit(who.address);
  return shares;
}

/** Alice holds 1,000 units of shares (settled), Bob 500. */
async function twoLps() {
  const fx = await vault6();
  await deposit(fx, fx.alice, 1_000n * fx.unit);
  await deposit(fx, fx.bob, 500n * fx.unit);
  return fx;
}

/**
 * Token conservation (DESIGN §6.1): the core's balance equals its ledgers (plus `donated`), and the vault holds
 * exactly the assets of pending deposit requests.
 */
async function expectConserved(fx: Fx, donated = 0n) {
  const balance = await fx.token.balanceOf(await fx.ledger.getAddress());
  expect(balance).to.equal((await fx.ledger.accountedAssets()) + donated);
  expect(await fx.token.balanceOf(await fx.vault.getAddress())).to.equal(await fx.vault.pendingDepositAssets());
}

describe("LiquidityVault (ERC-7540 asynchronous)", () => {
  describe("deployment and governance", () => {
    it("names the core, the asset, the admin and the delay, and reports the ERC-165 ids of ERC-7540/7575", async () => {
      const { token, ledger, vault, admin } = await networkHelpers.loadFixture(vault6);
      expect(await vault.asset()).to.equal(await token.getAddress());
      expect(await vault.ledger()).to.equal(await ledger.getAddress());
      expect(await vault.share()).to.equal(await vault.getAddress());
      expect(await vault.decimals()).to.equal(12n);
      expect(await vault.totalAssets()).to.equal(0n);
      expect(await vault.settlementDelay()).to.equal(DELAY);
      expect(await vault.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);

      const operatorId = interfaceId(["setOperator(address,bool)", "isOperator(address,address)"]);
      const redeemId = interfaceId([
        "requestRedeem(uint256,address,address)",
        "pendingRedeemRequest(uint256,address)",
        "claimableRedeemRequest(uint256,address)",
      ]);
      const depositId = interfaceId([
        "requestDeposit(uint256,address,address)",
        "pendingDepositRequest(uint256,address)",
        "claimableDepositRequest(uint256,address)",
        "deposit(uint256,address,address)",
        "mint(uint256,address,address)",
      ]);
      expect([operatorId, redeemId, depositId]).to.deep.equal(["0xe3bc4e65", "0x620ee8e4", "0xce3bbe50"]);
      for (const supported of [operatorId, redeemId, depositId, "0x2f0a18c5", "0x01ffc9a7", "0x7965db0b"]) {
        expect(await vault.supportsInterface(supported), supported).to.equal(true);
      }
      expect(await vault.supportsInterface("0xffffffff")).to.equal(false);
      expect(await vault.supportsInterface("0x12345678")).to.equal(false);
    });

    it("the settlement delay is bounded to [1 minute, 1 day], set only by the admin; a zero admin is refused", async () => {
      const { ledger, vault, admin, alice } = await networkHelpers.loadFixture(vault6);
      const factory = await ethers.getContractFactory("LiquidityVault");
      const core = await ledger.getAddress();
      await expect(factory.deploy(core, admin.address, 59n, "L", "L"))
        .to.be.revertedWithCustomError(vault, "SettlementDelayOutOfBounds")
        .withArgs(59n, 60n, 86_400n);
      await expect(factory.deploy(core, ethers.ZeroAddress, DELAY, "L", "L")).to.be.revertedWithCustomError(
        vault,
        "ZeroAdmin",
      );
      await expect(vault.connect(alice).setSettlementDelay(600n))
        .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount")
        .withArgs(alice.address, DEFAULT_ADMIN_ROLE);
      await expect(vault.setSettlementDelay(86_401n))
        .to.be.revertedWithCustomError(vault, "SettlementDelayOutOfBounds")
        .withArgs(86_401n, 60n, 86_400n);
      await expect(vault.setSettlementDelay(60n)).to.emit(vault, "SettlementDelaySet").withArgs(60n);
      await expect(vault.setSettlementDelay(86_400n)).to.emit(vault, "SettlementDelaySet").withArgs(86_400n);
      expect(await vault.settlementDelay()).to.equal(86_400n);
    });

    it("a new delay applies to new requests; a pending request keeps its unlock time", async () => {
      const { vault, alice, unit } = await networkHelpers.loadFixture(vault6);
      await vault.connect(alice).requestDeposit(10n * unit, alice.address, alice.address);
      const unlock = (await vault.depositRequest(alice.address)).unlockTime;
      await vault.setSettlementDelay(86_400n);
      expect((await vault.depositRequest(alice.address)).unlockTime).to.equal(unlock);
      await time.increaseTo(unlock);
      await vault.settleDeposit(alice.address);
      expect(await vault.balanceOf(alice.address)).to.equal(10n * unit * VIRTUAL_SHARES);
    });
  });

  describe("the synchronous ERC-4626 entry points are disabled and their views say so (ERC-7540)", () => {
    it("deposit, mint, withdraw, redeem and the claim overloads revert; max* read 0; previews revert", async () => {
      const { vault, alice, unit } = await networkHelpers.loadFixture(twoLps);
      const a = alice.address;
      const calls = [
        vault.connect(alice)["deposit(uint256,address)"](unit, a),
        vault.connect(alice)["deposit(uint256,address,address)"](unit, a, a),
        vault.connect(alice)["mint(uint256,address)"](unit, a),
        vault.connect(alice)["mint(uint256,address,address)"](unit, a, a),
        vault.connect(alice).withdraw(1n, a, a),
        vault.connect(alice).redeem(1n, a, a),
        vault.previewDeposit(unit),
        vault.previewMint(unit),
        vault.previewWithdraw(unit),
        vault.previewRedeem(unit),
      ];
      for (const call of calls) await expect(call).to.be.revertedWithCustomError(vault, "SynchronousFlowDisabled");
      for (const view of [vault.maxDeposit, vault.maxMint, vault.maxWithdraw, vault.maxRedeem]) {
        expect(await view(a)).to.equal(0n);
      }
      // The conversions stay: they are the share price.
      expect(await vault.convertToAssets(VIRTUAL_SHARES * unit)).to.equal(unit);
      expect(await vault.convertToShares(unit)).to.equal(VIRTUAL_SHARES * unit);
    });
  });

  for (const decimals of [6, 18]) {
    describe(`deposits with a ${decimals}-decimal token`, () => {
      const fixture = decimals === 6 ? vault6 : vault18;

      it("a request escrows the assets in the vault (outside the NAV) and quotes the request-time shares", async () => {
        const fx = await networkHelpers.loadFixture(fixture);
        const { token, ledger, vault, alice, bob, unit } = fx;
        const assets = 1_000n * unit + 7n;
        const now = BigInt(await time.latest()) + 1n;
        await time.setNextBlockTimestamp(now);
        const tx = vault.connect(alice).requestDeposit(assets, bob.address, alice.address);
        await expect(tx)
          .to.emit(vault, "DepositRequest")
          .withArgs(bob.address, alice.address, 0n, alice.address, assets);
        await expect(tx).to.changeTokenBalances(ethers, token, [alice, vault], [-assets, assets]);
        const request = await vault.depositRequest(bob.address);
        expect(request.amount).to.equal(assets);
        expect(request.quote).to.equal(assets * VIRTUAL_SHARES);
        expect(request.unlockTime).to.equal(now + DELAY);
        expect(await vault.pendingDepositRequest(0n, bob.address)).to.equal(assets);
        expect(await vault.claimableDepositRequest(0n, bob.address)).to.equal(0n);
        expect(await vault.pendingDepositAssets()).to.equal(assets);
        expect(await ledger.vaultLedger()).to.equal(0n);
        expect(await vault.totalAssets()).to.equal(0n);
        expect(await vault.totalSupply()).to.equal(0n);
        await expectConserved(fx);
      });

      it("anyone settles after the delay: assets move to the core, the ledger is credited, shares go to the controller", async () => {
        const fx = await networkHelpers.loadFixture(fixture);
        const { token, ledger, vault, alice, bob, keeper, unit } = fx;
        const assets = 250n * unit + 1n;
        await vault.connect(alice).requestDeposit(assets, bob.address, alice.address);
        await time.increase(DELAY);
        const shares = assets * VIRTUAL_SHARES;
        expect(await vault.previewSettleDeposit(bob.address)).to.equal(shares);
        const tx = vault.connect(keeper).settleDeposit(bob.address);
        await expect(tx).to.emit(vault, "DepositSettled").withArgs(bob.address, keeper.address, assets, shares, shares);
        await expect(tx).to.emit(vault, "Deposit").withArgs(bob.address, bob.address, assets, shares);
        await expect(tx).to.changeTokenBalances(ethers, token, [vault, ledger], [-assets, assets]);
        expect(await vault.balanceOf(bob.address)).to.equal(shares);
        expect(await vault.balanceOf(keeper.address)).to.equal(0n);
        expect(await ledger.vaultLedger()).to.equal(assets);
        expect(await vault.pendingDepositRequest(0n, bob.address)).to.equal(0n);
        expect(await vault.pendingDepositAssets()).to.equal(0n);
        await expectConserved(fx);
      });

      it("the NAV rises after the request: settlement prices at the settlement NAV (fewer shares)", async () => {
        const fx = await networkHelpers.loadFixture(fixture);
        const { ledger, vault, alice, bob, unit } = fx;
        await deposit(fx, alice, 1_000n * unit);
        const assets = 123n * unit + 45n;
        await vault.connect(bob).requestDeposit(assets, bob.address, bob.address);
        const quote = (await vault.depositRequest(bob.address)).quote;
        expect(quote).to.equal(toSharesDown(assets, 1_000n * unit, 1_000n * unit * VIRTUAL_SHARES));
        await ledger.setVaultPnl(333n * unit + 7n); // a fee / trader loss the requester saw coming
        await time.increase(DELAY);
        const expected = toSharesDown(assets, await vault.totalAssets(), await vault.totalSupply());
        expect(expected).to.be.lessThan(quote);
        await vault.settleDeposit(bob.address);
        expect(await vault.balanceOf(bob.address)).to.equal(expected);
        await expectConserved(fx);
      });

      it("the NAV falls after the request: settlement keeps the request-time quote (no cheaper entry)", async () => {
        const fx = await networkHelpers.loadFixture(fixture);
        const { ledger, vault, alice, bob, unit } = fx;
        await deposit(fx, alice, 1_000n * unit);
        const assets = 100n * unit;
        await vault.connect(bob).requestDeposit(assets, bob.address, bob.address);
        const quote = (await vault.depositRequest(bob.address)).quote;
        await ledger.setVaultPnl(-(200n * unit));
        await time.increase(DELAY);
        const atSettlement = toSharesDown(assets, await vault.totalAssets(), await vault.totalSupply());
        expect(atSettlement).to.be.greaterThan(quote);
        await vault.settleDeposit(bob.address);
        expect(await vault.balanceOf(bob.address)).to.equal(quote);
      });
    });
  }

  describe("redemptions", () => {
    it("a request escrows the shares in the vault, still in the supply, and quotes their request-time value", async () => {
      const fx = await networkHelpers.loadFixture(twoLps);
      const { ledger, vault, alice, unit } = fx;
      const shares = (await vault.balanceOf(alice.address)) / 4n;
      const quote = toAssetsDown(shares, await vault.totalAssets(), await vault.totalSupply());
      const supply = await vault.totalSupply();
      const tx = vault.connect(alice).requestRedeem(shares, alice.address, alice.address);
      await expect(tx)
        .to.emit(vault, "RedeemRequest")
        .withArgs(alice.address, alice.address, 0n, alice.address, shares);
      await expect(tx).to.changeTokenBalances(ethers, vault, [alice, vault], [-shares, shares]);
      expect(await vault.totalSupply()).to.equal(supply);
      expect(await vault.totalAssets()).to.equal(1_500n * unit);
      expect(await ledger.vaultLedger()).to.equal(1_500n * unit);
      const request = await vault.redeemRequest(alice.address);
      expect(request.amount).to.equal(shares);
      expect(request.quote).to.equal(quote);
      expect(await vault.pendingRedeemRequest(0n, alice.address)).to.equal(shares);
      expect(await vault.claimableRedeemRequest(0n, alice.address)).to.equal(0n);
    });

    it("settling too early reverts with the unlock time, also one second before it; at it, a third party settles", async () => {
      const fx = await networkHelpers.loadFixture(twoLps);
      const { token, ledger, vault, alice, keeper, unit } = fx;
      const shares = await vault.balanceOf(alice.address);
      await vault.connect(alice).requestRedeem(shares, alice.address, alice.address);
      const unlock = (await vault.redeemRequest(alice.address)).unlockTime;
      await time.setNextBlockTimestamp(unlock - 1n);
      await expect(vault.connect(keeper).settleRedeem(alice.address))
        .to.be.revertedWithCustomError(vault, "SettlementTooEarly")
        .withArgs(alice.address, unlock, unlock - 1n);
      await time.setNextBlockTimestamp(unlock);
      const tx = vault.connect(keeper).settleRedeem(alice.address);
      await expect(tx)
        .to.emit(vault, "RedeemSettled")
        .withArgs(alice.address, keeper.address, shares, 1_000n * unit, 1_000n * unit);
      await expect(tx)
        .to.emit(vault, "Withdraw")
        .withArgs(keeper.address, alice.address, alice.address, 1_000n * unit, shares);
      await expect(tx).to.changeTokenBalances(
        ethers,
        token,
        [ledger, alice, keeper],
        [-1_000n * unit, 1_000n * unit, 0n],
      );
      expect(await vault.balanceOf(await vault.getAddress())).to.equal(0n);
      expect(await vault.totalSupply()).to.equal(500n * unit * VIRTUAL_SHARES);
      await expectConserved(fx);
    });

    it("a request is never settled in the block it is made in", async () => {
      const fx = await networkHelpers.loadFixture(twoLps);
      const { vault, alice, keeper, unit } = fx;
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        const request = await vault
          .connect(alice)
          .requestDeposit(10n * unit, alice.address, alice.address, { gasLimit: 300_000n });
        const settle = await vault.connect(keeper).settleDeposit(alice.address, { gasLimit: 300_000n });
        await ethers.provider.send("evm_mine", []);
        const [requestReceipt, settleReceipt] = await Promise.all([
          ethers.provider.getTransactionReceipt(request.hash),
          ethers.provider.getTransactionReceipt(settle.hash),
        ]);
        expect(requestReceipt?.blockNumber).to.equal(settleReceipt?.blockNumber);
        expect(requestReceipt?.status).to.equal(1);
        expect(settleReceipt?.status).to.equal(0);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      expect(await vault.pendingDepositRequest(0n, alice.address)).to.equal(10n * unit);
    });

    it("shares under a request bear a loss until settled; a gain after the request goes to those who stay", async () => {
      const fx = await networkHelpers.loadFixture(twoLps);
      const { ledger, vault, admin, alice, bob, unit } = fx;
      const snapshot = await networkHelpers.takeSnapshot();
      const shares = await vault.balanceOf(alice.address);
      const bobShares = await vault.balanceOf(bob.address);

      // Loss: the vault loses 300 (a fifth) after Alice's request; she is paid 1,000 × 4/5.
      await vault.connect(alice).requestRedeem(shares, alice.address, alice.address);
      await ledger.setVaultPnl(-(300n * unit));
      await time.increase(DELAY);
      const expectedLoss = toAssetsDown(shares, await vault.totalAssets(), await vault.totalSupply());
      expect(await vault.previewSettleRedeem(alice.address)).to.equal(expectedLoss);
      await vault.settleRedeem(alice.address);
      expect(expectedLoss).to.be.closeTo(800n * unit, 1n);
      expect(await vault.convertToAssets(bobShares)).to.be.closeTo(400n * unit, 1n);

      // Gain: the vault gains 300 after Alice's request; she is paid her 1,000 and Bob keeps the whole gain.
      await snapshot.restore();
      await vault.connect(alice).requestRedeem(shares, alice.address, alice.address);
      const quote = (await vault.redeemRequest(alice.address)).quote;
      await ledger.setVaultPnl(300n * unit);
      await time.increase(DELAY);
      await expect(vault.settleRedeem(alice.address))
        .to.emit(vault, "RedeemSettled")
        .withArgs(alice.address, admin.address, shares, quote, quote);
      expect(quote).to.equal(1_000n * unit);
      expect(await vault.convertToAssets(bobShares)).to.be.closeTo(800n * unit, 1n);
      await expectConserved(fx);
    });

    it("escrowed shares cannot be moved; the rest of the balance transfers freely while a request is pending", async () => {
      const { vault, alice, bob, carol } = await networkHelpers.loadFixture(twoLps);
      const balance = await vault.balanceOf(alice.address);
      const requested = balance / 3n;
      await vault.connect(alice).requestRedeem(requested, alice.address, alice.address);
      await expect(vault.connect(alice).transfer(carol.address, balance))
        .to.be.revertedWithCustomError(vault, "ERC20InsufficientBalance")
        .withArgs(alice.address, balance - requested, balance);
      await vault.connect(alice).transfer(carol.address, balance - requested);
      expect(await vault.balanceOf(alice.address)).to.equal(0n);
      expect(await vault.pendingRedeemRequest(0n, alice.address)).to.equal(requested);
      await time.increase(DELAY);
      await vault.connect(bob).settleRedeem(alice.address);
      expect(await vault.balanceOf(carol.address)).to.equal(balance - requested);
    });

    it("requests merge per controller and restart the clock; only the controller or its operator may add to one", async () => {
      const { vault, alice, bob } = await networkHelpers.loadFixture(twoLps);
      const shares = await vault.balanceOf(alice.address);
      await vault.connect(alice).requestRedeem(shares / 2n, alice.address, alice.address);
      const first = await vault.redeemRequest(alice.address);
      await time.increase(DELAY / 2n);
      // A stranger cannot add to (and so delay) Alice's pending request, even with its own shares.
      await expect(vault.connect(bob).requestRedeem(1n, alice.address, bob.address))
        .to.be.revertedWithCustomError(vault, "NotOwnerOrOperator")
        .withArgs(alice.address, bob.address);
      await vault.connect(alice).requestRedeem(shares / 4n, alice.address, alice.address);
      const merged = await vault.redeemRequest(alice.address);
      expect(merged.amount).to.equal(shares / 2n + shares / 4n);
      expect(merged.quote).to.equal(first.quote + first.quote / 2n);
      expect(merged.unlockTime).to.equal(BigInt(await time.latest()) + DELAY);
      await time.increaseTo(first.unlockTime);
      await expect(vault.settleRedeem(alice.address)).to.be.revertedWithCustomError(vault, "SettlementTooEarly");
    });

    it("operators (ERC-7540) and ERC-20 allowances let a third party request for an owner", async () => {
      const { vault, token, alice, bob, carol, unit } = await networkHelpers.loadFixture(twoLps);
      await expect(vault.connect(bob).requestDeposit(unit, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "NotOwnerOrOperator")
        .withArgs(alice.address, bob.address);
      await expect(vault.connect(bob).requestRedeem(1n, bob.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 0n, 1n);

      await expect(vault.connect(alice).setOperator(bob.address, true))
        .to.emit(vault, "OperatorSet")
        .withArgs(alice.address, bob.address, true);
      expect(await vault.isOperator(alice.address, bob.address)).to.equal(true);
      await expect(vault.connect(bob).requestDeposit(unit, alice.address, alice.address)).to.changeTokenBalance(
        ethers,
        token,
        alice,
        -unit,
      );
      await vault.connect(bob).requestRedeem(VIRTUAL_SHARES, alice.address, alice.address);
      expect(await vault.pendingRedeemRequest(0n, alice.address)).to.equal(VIRTUAL_SHARES);
      await vault.connect(alice).setOperator(bob.address, false);
      expect(await vault.isOperator(alice.address, bob.address)).to.equal(false);

      // An allowance (not an operator) can request a redemption, for its own controller, and is spent.
      await vault.connect(alice).approve(carol.address, VIRTUAL_SHARES);
      await vault.connect(carol).requestRedeem(VIRTUAL_SHARES, carol.address, alice.address);
      expect(await vault.allowance(alice.address, carol.address)).to.equal(0n);
      expect(await vault.pendingRedeemRequest(0n, carol.address)).to.equal(VIRTUAL_SHARES);
      await time.increase(DELAY);
      await expect(vault.settleRedeem(carol.address)).to.changeTokenBalance(ethers, token, carol, 1n);
    });

    it("zero amounts, a zero controller, more than the balance and settling nothing are refused with their values", async () => {
      const { vault, alice, bob } = await networkHelpers.loadFixture(twoLps);
      const a = alice.address;
      await expect(vault.connect(alice).requestDeposit(0n, a, a)).to.be.revertedWithCustomError(vault, "ZeroAmount");
      await expect(vault.connect(alice).requestRedeem(0n, a, a)).to.be.revertedWithCustomError(vault, "ZeroAmount");
      await expect(vault.connect(alice).requestDeposit(1n, ethers.ZeroAddress, a)).to.be.revertedWithCustomError(
        vault,
        "ZeroAddress",
      );
      await expect(vault.connect(alice).requestRedeem(1n, ethers.ZeroAddress, a)).to.be.revertedWithCustomError(
        vault,
        "ZeroAddress",
      );
      const balance = await vault.balanceOf(a);
      await expect(vault.connect(alice).requestRedeem(balance + 1n, a, a))
        .to.be.revertedWithCustomError(vault, "RequestExceedsBalance")
        .withArgs(balance, balance + 1n);
      await expect(vault.settleRedeem(bob.address))
        .to.be.revertedWithCustomError(vault, "NoPendingRequest")
        .withArgs(bob.address);
      await expect(vault.settleDeposit(bob.address))
        .to.be.revertedWithCustomError(vault, "NoPendingRequest")
        .withArgs(bob.address);
    });

    it("settlement beyond the core's reserve reverts with the core's error and the request waits, still at risk", async () => {
      const fx = await networkHelpers.loadFixture(twoLps);
      const { ledger, vault, alice, unit } = fx;
      await ledger.setVaultReserve(1_000n * unit); // 500 withdrawable of 1,500
      const shares = await vault.balanceOf(alice.address);
      await vault.connect(alice).requestRedeem(shares, alice.address, alice.address);
      await time.increase(DELAY);
      await expect(vault.settleRedeem(alice.address))
        .to.be.revertedWithCustomError(ledger, "VaultReserveBreached")
        .withArgs(1_000n * unit, 500n * unit);
      expect(await vault.pendingRedeemRequest(0n, alice.address)).to.equal(shares);
      await ledger.setVaultReserve(0n);
      await vault.settleRedeem(alice.address);
      expect(await ledger.vaultLedger()).to.equal(500n * unit);
      await expectConserved(fx);
    });
  });

  it("rejects a fee-on-transfer token at the request and escrows nothing", async () => {
    const [admin, alice] = await ethers.getSigners();
    const token = await ethers.deployContract("FeeOnTransferERC20", ["Fee", "FEE", 6, 100]); // 1%
    const ledger = await ethers.deployContract("MockLedger", [await token.getAddress()]);
    const vault = await ethers.deployContract("LiquidityVault", [
      await ledger.getAddress(),
      admin!.address,
      DELAY,
      "L",
      "L",
    ]);
    await ledger.setVault(await vault.getAddress());
    await token.mint(alice!.address, 1_000_000n);
    await token.connect(alice).approve(await vault.getAddress(), ethers.MaxUint256);
    await expect(vault.connect(alice).requestDeposit(1_000_000n, alice!.address, alice!.address))
      .to.be.revertedWithCustomError(vault, "FeeOnTransferNotSupported")
      .withArgs(1_000_000n, 990_000n);
    expect(await token.balanceOf(alice!.address)).to.equal(1_000_000n);
    expect(await vault.pendingDepositAssets()).to.equal(0n);
    await token.setFeeBps(0); // the same token without its fee is accepted
    await vault.connect(alice).requestDeposit(1_000_000n, alice!.address, alice!.address);
    expect(await vault.pendingDepositRequest(0n, alice!.address)).to.equal(1_000_000n);
  });

  describe("NAV", () => {
    it("a token donation to the core or to the vault does not move the NAV; the next LP gets fair shares", async () => {
      const fx = await networkHelpers.loadFixture(vault6);
      const { token, ledger, vault, alice, carol, unit } = fx;
      await deposit(fx, carol, 1n);
      await token.connect(carol).transfer(await ledger.getAddress(), 10_000_000n * unit);
      await token.connect(carol).transfer(await vault.getAddress(), 5n * unit);
      expect(await vault.totalAssets()).to.equal(1n);
      const shares = await deposit(fx, alice, 100n * unit);
      expect(shares).to.equal(100n * unit * VIRTUAL_SHARES);
    });

    it("a pending deposit neither earns nor loses: the NAV moves only for the settled shares", async () => {
      const fx = await networkHelpers.loadFixture(twoLps);
      const { ledger, vault, carol, unit } = fx;
      await vault.connect(carol).requestDeposit(3_000n * unit, carol.address, carol.address);
      expect(await vault.totalAssets()).to.equal(1_500n * unit);
      await ledger.setVaultPnl(150n * unit);
      expect(await vault.totalAssets()).to.equal(1_650n * unit); // the 150 belong to the 1,500 of settled shares
      expect(await vault.pendingDepositRequest(0n, carol.address)).to.equal(3_000n * unit);
    });

    it("while shares exist and the NAV reads zero, no deposit is requested or settled; recovery unblocks it", async () => {
      const fx = await networkHelpers.loadFixture(twoLps);
      const { ledger, vault, carol, unit } = fx;
      await vault.connect(carol).requestDeposit(100n * unit, carol.address, carol.address);
      await ledger.setVaultPnl(-(2_000n * unit)); // true NAV −500, floored at 0
      expect(await vault.totalAssets()).to.equal(0n);
      await expect(vault.connect(carol).requestDeposit(1n, carol.address, carol.address)).to.be.revertedWithCustomError(
        vault,
        "NavWipedOut",
      );
      await time.increase(DELAY);
      await expect(vault.settleDeposit(carol.address)).to.be.revertedWithCustomError(vault, "NavWipedOut");
      expect(await vault.pendingDepositRequest(0n, carol.address)).to.equal(100n * unit);
      await ledger.setVaultPnl(-(1_000n * unit));
      await vault.settleDeposit(carol.address);
      const quote = 100n * unit * VIRTUAL_SHARES; // request-time price 1.0; now 0.333 — the worse price for Carol
      expect(await vault.balanceOf(carol.address)).to.equal(quote);
      await expectConserved(fx);
    });

    it("with no shares left and the NAV below zero, no deposit is requested or settled (it would pay the deficit)", async () => {
      // Every LP has left and traders are still owed more than LP capital holds: a new LP's deposit would first pay
      // their profit. A fresh vault (no shares, NAV exactly 0) still takes deposits.
      const fx = await networkHelpers.loadFixture(vault6);
      const { ledger, vault, carol, unit } = fx;
      await vault.connect(carol).requestDeposit(100n * unit, carol.address, carol.address);
      await ledger.setVaultPnl(-(50n * unit));
      expect([await vault.totalSupply(), await vault.totalAssets(), await ledger.vaultInDeficit()]).to.deep.equal([
        0n,
        0n,
        true,
      ]);
      await expect(vault.connect(carol).requestDeposit(1n, carol.address, carol.address)).to.be.revertedWithCustomError(
        vault,
        "NavWipedOut",
      );
      await time.increase(DELAY);
      await expect(vault.settleDeposit(carol.address)).to.be.revertedWithCustomError(vault, "NavWipedOut");
      await ledger.setVaultPnl(0n);
      await vault.settleDeposit(carol.address);
      expect(await vault.totalAssets()).to.equal(100n * unit);
      await expectConserved(fx);
    });

    it("every priced request and settlement reverts while the core's NAV read reverts (oracle down)", async () => {
      const fx = await networkHelpers.loadFixture(twoLps);
      const { ledger, vault, alice, unit } = fx;
      await vault.connect(alice).requestRedeem(VIRTUAL_SHARES, alice.address, alice.address);
      await time.increase(DELAY);
      await ledger.setNavUnavailable(true);
      await expect(vault.totalAssets()).to.be.revertedWithCustomError(ledger, "OracleUnavailable");
      await expect(
        vault.connect(alice).requestDeposit(unit, alice.address, alice.address),
      ).to.be.revertedWithCustomError(ledger, "OracleUnavailable");
      await expect(vault.connect(alice).requestRedeem(1n, alice.address, alice.address)).to.be.revertedWithCustomError(
        ledger,
        "OracleUnavailable",
      );
      await expect(vault.settleRedeem(alice.address)).to.be.revertedWithCustomError(ledger, "OracleUnavailable");
      await ledger.setNavUnavailable(false);
      await vault.settleRedeem(alice.address);
    });
  });

  it("no round trip pays out more than went in, whatever the NAV does between request and settlement", async () => {
    const fx = await networkHelpers.loadFixture(vault6);
    const { token, ledger, vault, alice, bob } = fx;
    let seed = 0x2545f4914f6cdd1dn;
    const next = (bound: bigint) => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      return (seed >> 11n) % bound;
    };
    await deposit(fx, alice, 1_000_000_000n);
    const pnl = () => next(1_000_000_000n) - 500_000_000n + next(7n);
    for (let i = 0; i < 8; i++) {
      await ledger.setVaultPnl(pnl());
      const assets = 1n + next(10n ** (1n + next(12n)));
      const before = await token.balanceOf(bob.address);
      await bob.sendTransaction({ to: bob.address }); // a block between moves
      await vault.connect(bob).requestDeposit(assets, bob.address, bob.address);
      await ledger.setVaultPnl(pnl());
      await time.increase(DELAY);
      await vault.settleDeposit(bob.address);
      const shares = await vault.balanceOf(bob.address);
      if (shares > 0n) {
        await vault.connect(bob).requestRedeem(shares, bob.address, bob.address);
        await ledger.setVaultPnl(pnl());
        await time.increase(DELAY);
        await vault.settleRedeem(bob.address);
      }
      expect(await vault.balanceOf(bob.address)).to.equal(0n);
      expect(await token.balanceOf(bob.address)).to.be.lessThanOrEqual(before);
    }
    await expectConserved(fx);
  });

  describe("reentrancy through a hooked token", () => {
    async function hooked() {
      const [admin, alice, keeper] = await ethers.getSigners();
      const token = await ethers.deployContract("HookERC20", ["Hook", "HOOK", 6]);
      const ledger = await ethers.deployContract("MockLedger", [await token.getAddress()]);
      const vault = await ethers.deployContract("LiquidityVault", [
        await ledger.getAddress(),
        admin!.address,
        DELAY,
        "LP",
        "LP",
      ]);
      await ledger.setVault(await vault.getAddress());
      const hook = await ethers.deployContract("ReentrantHook", [await vault.getAddress()]);
      await token.mint(await hook.getAddress(), 10_000_000n);
      await token.mint(alice!.address, 10_000_000n);
      await token.connect(alice).approve(await vault.getAddress(), ethers.MaxUint256);
      await vault.connect(alice).requestDeposit(5_000_000n, alice!.address, alice!.address); // before the hook is live
      await time.increase(DELAY);
      await vault.settleDeposit(alice!.address);
      await token.setHook(await hook.getAddress(), false);
      return { token, ledger, vault, hook, alice: alice!, keeper: keeper! };
    }
    const DEPOSIT = 1;
    const REDEEM = 2;
    const OBSERVE = 3;

    for (const afterTransfer of [false, true]) {
      it(`a deposit request re-entered from the transfer hook (${afterTransfer ? "after" : "before"} balances move) reverts; nothing is escrowed`, async () => {
        const { token, vault, hook } = await networkHelpers.loadFixture(hooked);
        await token.setHook(await hook.getAddress(), afterTransfer);
        await hook.arm(DEPOSIT, 1_000_000n);
        await expect(hook.requestDeposit(1_000_000n)).to.be.revertedWithCustomError(
          vault,
          "ReentrancyGuardReentrantCall",
        );
        expect(await vault.pendingDepositAssets()).to.equal(0n);
        expect(await token.balanceOf(await vault.getAddress())).to.equal(0n);
      });
    }

    it("a settlement re-entered from the payout hook reverts; nothing is paid twice", async () => {
      const { token, ledger, vault, hook } = await networkHelpers.loadFixture(hooked);
      await token.setHook(ethers.ZeroAddress, false);
      await hook.requestDeposit(2_000_000n);
      await time.increase(DELAY);
      await hook.settleDeposit();
      const shares = await vault.balanceOf(await hook.getAddress());
      await hook.requestRedeem(shares);
      await time.increase(DELAY);
      await token.setHook(await hook.getAddress(), true);
      await hook.arm(REDEEM, 0n);
      await expect(hook.settleRedeem()).to.be.revertedWithCustomError(vault, "ReentrancyGuardReentrantCall");
      expect(await vault.pendingRedeemRequest(0n, await hook.getAddress())).to.equal(shares);
      expect(await ledger.vaultLedger()).to.equal(7_000_000n);
    });

    it("a hook that only reads sees the post-settlement state during the payout", async () => {
      const { token, ledger, vault, hook } = await networkHelpers.loadFixture(hooked);
      const hookAddress = await hook.getAddress();
      await token.setHook(ethers.ZeroAddress, false);
      await hook.requestDeposit(2_000_000n);
      await time.increase(DELAY);
      await hook.settleDeposit();
      await hook.requestRedeem(await vault.balanceOf(hookAddress));
      await time.increase(DELAY);
      await token.setHook(hookAddress, true);
      await hook.arm(OBSERVE, 0n);
      await hook.settleRedeem();
      expect(await hook.observedTotalAssets()).to.equal(await vault.totalAssets());
      expect(await hook.observedTotalSupply()).to.equal(await vault.totalSupply());
      expect(await vault.totalAssets()).to.equal(5_000_000n);
      expect(await token.balanceOf(await ledger.getAddress())).to.equal(await ledger.accountedAssets());
    });
  });
});
