import { expect } from "chai";
import { network } from "hardhat";
import { BTC, DEFAULT_RISK, deployBallast, feedAnswer, wad, WAD, BTC_MARKET, ETH_MARKET } from "../helpers/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const HEARTBEAT = 3600;

const baseFixture = () => deployBallast(ethers);
const wadTokenFixture = () => deployBallast(ethers, { decimals: 18 });

/** A second core whose collateral burns 1% of every transfer. */
async function feeOnTransferFixture() {
  const b = await deployBallast(ethers);
  const token = await ethers.deployContract("FeeOnTransferERC20", ["Fee USD", "FUSD", 6, 100]);
  const core = await ethers.deployContract("BallastCore", [token, b.oracle, b.admin.address, DEFAULT_RISK], {
    libraries: {
      GovernanceLogic: await b.governanceLogic.getAddress(),
      VaultAccounting: await b.vaultAccounting.getAddress(),
      LiquidationLogic: await b.liquidationLogic.getAddress(),
    },
  });
  return { ...b, fotToken: token, fotCore: core };
}

describe("BallastCore — accounts and collateral", () => {
  describe("createAccount", () => {
    it("creates a cross account, ignoring the market id, with sequential ids and an event", async () => {
      const { core, alice, bob } = await loadFixture(baseFixture);
      expect(await core.connect(alice).createAccount.staticCall(false, 7)).to.equal(1n);
      await expect(core.connect(alice).createAccount(false, 7))
        .to.emit(core, "AccountCreated")
        .withArgs(1n, alice.address, false, 0n);
      await expect(core.connect(bob).createAccount(false, 0))
        .to.emit(core, "AccountCreated")
        .withArgs(2n, bob.address, false, 0n);
      const account = await core.getAccount(1);
      expect(account.owner).to.equal(alice.address);
      expect(account.isolated).to.equal(false);
      expect(account.isolatedMarketId).to.equal(0n);
      expect(account.margin).to.equal(0n);
      expect(account.activeMarkets).to.equal(0n);
    });

    it("creates an isolated account bound to a listed market", async () => {
      const { core, bob } = await loadFixture(baseFixture);
      await expect(core.connect(bob).createAccount(true, ETH_MARKET))
        .to.emit(core, "AccountCreated")
        .withArgs(1n, bob.address, true, ETH_MARKET);
      const account = await core.getAccount(1);
      expect(account.owner).to.equal(bob.address);
      expect(account.isolated).to.equal(true);
      expect(account.isolatedMarketId).to.equal(ETH_MARKET);
    });

    it("rejects an isolated account on an unlisted market", async () => {
      const { core, alice } = await loadFixture(baseFixture);
      await expect(core.connect(alice).createAccount(true, 2))
        .to.be.revertedWithCustomError(core, "MarketNotListed")
        .withArgs(2n);
      await expect(core.connect(alice).createAccount(true, 63))
        .to.be.revertedWithCustomError(core, "MarketNotListed")
        .withArgs(63n);
    });
  });

  describe("setOperator", () => {
    it("emits OperatorSet and records the approval per owner", async () => {
      const { core, alice, bob } = await loadFixture(baseFixture);
      await expect(core.connect(alice).setOperator(bob.address, true))
        .to.emit(core, "OperatorSet")
        .withArgs(alice.address, bob.address, true);
      expect(await core.isOperator(alice.address, bob.address)).to.equal(true);
      expect(await core.isOperator(bob.address, alice.address)).to.equal(false);
    });

    it("lets an operator trade and withdraw; a stranger gets Unauthorized; revoking works", async () => {
      const { core, token, alice, bob, carol, openAccount, unit, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 10_000n * unit);
      await core.connect(alice).setOperator(bob.address, true);

      // The operator trades for alice.
      await trader.connect(bob).trade(id, BTC_MARKET, wad("0.1"), wad(50_000));
      const position = await core.getPosition(id, BTC_MARKET);
      expect(position.size).to.equal(wad("0.1"));
      expect(position.openNotional).to.equal(wad(5_000));

      // The operator withdraws to a third address.
      await expect(core.connect(bob).withdraw(id, 1_000n * unit, carol.address))
        .to.emit(core, "MarginWithdrawn")
        .withArgs(id, carol.address, 1_000n * unit, wad(9_000));
      expect(await token.balanceOf(carol.address)).to.equal(1_000n * unit);

      // A stranger can do neither.
      await expect(trader.connect(carol).trade(id, BTC_MARKET, wad("0.1"), wad(50_000)))
        .to.be.revertedWithCustomError(core, "Unauthorized")
        .withArgs(id, carol.address);
      await expect(core.connect(carol).withdraw(id, 1n, carol.address))
        .to.be.revertedWithCustomError(core, "Unauthorized")
        .withArgs(id, carol.address);
      await expect(trader.connect(carol).closePosition(id, BTC_MARKET, 0))
        .to.be.revertedWithCustomError(core, "Unauthorized")
        .withArgs(id, carol.address);

      // Revoked: the former operator is a stranger again.
      await expect(core.connect(alice).setOperator(bob.address, false))
        .to.emit(core, "OperatorSet")
        .withArgs(alice.address, bob.address, false);
      await expect(trader.connect(bob).trade(id, BTC_MARKET, wad("0.1"), wad(50_000)))
        .to.be.revertedWithCustomError(core, "Unauthorized")
        .withArgs(id, bob.address);
      await expect(core.connect(bob).withdraw(id, 1n, bob.address))
        .to.be.revertedWithCustomError(core, "Unauthorized")
        .withArgs(id, bob.address);
    });

    it("an approval covers only the approving owner's accounts", async () => {
      const { core, alice, bob, carol, openAccount, unit } = await loadFixture(baseFixture);
      const carolId = await openAccount(carol, 1_000n * unit);
      await core.connect(alice).setOperator(bob.address, true);
      await expect(core.connect(bob).withdraw(carolId, 1n, bob.address))
        .to.be.revertedWithCustomError(core, "Unauthorized")
        .withArgs(carolId, bob.address);
    });
  });

  describe("deposit", () => {
    it("credits assets × 10^12 of margin for a 6-decimal token, emits, and pulls the tokens", async () => {
      const { core, token, alice } = await loadFixture(baseFixture);
      await core.connect(alice).createAccount(false, 0);
      const assets = 1_234_567_891n; // 1,234.567891 USDC
      await token.mint(alice.address, assets);
      await token.connect(alice).approve(core, assets);
      await expect(core.connect(alice).deposit(1, assets))
        .to.emit(core, "MarginDeposited")
        .withArgs(1n, alice.address, assets, assets * 10n ** 12n);
      expect((await core.getAccount(1)).margin).to.equal(1_234_567_891n * 10n ** 12n);
      expect(await token.balanceOf(core)).to.equal(assets);
      expect(await token.balanceOf(alice.address)).to.equal(0n);

      // A second deposit adds to the first.
      await token.mint(alice.address, 1n);
      await token.connect(alice).approve(core, 1n);
      await expect(core.connect(alice).deposit(1, 1n))
        .to.emit(core, "MarginDeposited")
        .withArgs(1n, alice.address, 1n, (assets + 1n) * 10n ** 12n);
    });

    it("credits assets 1:1 for an 18-decimal token", async () => {
      const { core, token, alice, unit } = await loadFixture(wadTokenFixture);
      expect(unit).to.equal(WAD);
      await core.connect(alice).createAccount(false, 0);
      await token.mint(alice.address, wad(5) + 1n);
      await token.connect(alice).approve(core, wad(5) + 1n);
      await expect(core.connect(alice).deposit(1, 1n))
        .to.emit(core, "MarginDeposited")
        .withArgs(1n, alice.address, 1n, 1n);
      await core.connect(alice).deposit(1, wad(5));
      expect((await core.getAccount(1)).margin).to.equal(wad(5) + 1n);
      // And withdraws at the same scale.
      await core.connect(alice).withdraw(1, wad(2), alice.address);
      expect((await core.getAccount(1)).margin).to.equal(wad(3) + 1n);
      expect(await token.balanceOf(alice.address)).to.equal(wad(2));
    });

    it("rejects a zero amount and an unknown account", async () => {
      const { core, token, alice, openAccount, unit } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 0n);
      await token.mint(alice.address, unit);
      await token.connect(alice).approve(core, unit);
      await expect(core.connect(alice).deposit(id, 0)).to.be.revertedWithCustomError(core, "ZeroAmount");
      await expect(core.connect(alice).deposit(99, unit))
        .to.be.revertedWithCustomError(core, "AccountNotFound")
        .withArgs(99n);
      await expect(core.connect(alice).deposit(0, unit))
        .to.be.revertedWithCustomError(core, "AccountNotFound")
        .withArgs(0n);
    });

    it("lets anyone top up any account", async () => {
      const { core, token, alice, carol, openAccount, unit } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 100n * unit);
      await token.mint(carol.address, 50n * unit);
      await token.connect(carol).approve(core, 50n * unit);
      await expect(core.connect(carol).deposit(id, 50n * unit))
        .to.emit(core, "MarginDeposited")
        .withArgs(id, carol.address, 50n * unit, wad(150));
      expect((await core.getAccount(id)).owner).to.equal(alice.address);
      // Depositing gives the depositor no rights over the account.
      await expect(core.connect(carol).withdraw(id, 1n, carol.address))
        .to.be.revertedWithCustomError(core, "Unauthorized")
        .withArgs(id, carol.address);
    });

    it("works while paused", async () => {
      const { core, token, alice, admin, openAccount, unit } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 100n * unit);
      await core.connect(admin).pause();
      await token.mint(alice.address, 5n * unit);
      await token.connect(alice).approve(core, 5n * unit);
      await expect(core.connect(alice).deposit(id, 5n * unit))
        .to.emit(core, "MarginDeposited")
        .withArgs(id, alice.address, 5n * unit, wad(105));
    });

    it("works while the oracle is stale, even with a position open", async () => {
      const { core, oracle, token, alice, btcFeed, openAccount, unit, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 10_000n * unit);
      await trader.connect(alice).trade(id, BTC_MARKET, wad("0.1"), wad(50_000));
      await time.increase(HEARTBEAT + 1);
      const [, , , updatedAt] = await btcFeed.latestRoundData();
      // The price is unusable: trading is blocked ...
      await expect(trader.connect(alice).trade(id, BTC_MARKET, wad("0.1"), wad(50_000)))
        .to.be.revertedWithCustomError(oracle, "StalePrice")
        .withArgs(BTC, updatedAt, HEARTBEAT);
      // ... but margin can always be added.
      await token.mint(alice.address, 7n * unit);
      await token.connect(alice).approve(core, 7n * unit);
      await expect(core.connect(alice).deposit(id, 7n * unit))
        .to.emit(core, "MarginDeposited")
        .withArgs(id, alice.address, 7n * unit, wad(10_007));
    });

    it("rejects a fee-on-transfer token with the expected and received amounts", async () => {
      const { fotToken, fotCore, alice } = await loadFixture(feeOnTransferFixture);
      await fotCore.connect(alice).createAccount(false, 0);
      await fotToken.mint(alice.address, 1_000_000n);
      await fotToken.connect(alice).approve(fotCore, 1_000_000n);
      await expect(fotCore.connect(alice).deposit(1, 1_000_000n))
        .to.be.revertedWithCustomError(fotCore, "FeeOnTransferNotSupported")
        .withArgs(1_000_000n, 990_000n);
      expect((await fotCore.getAccount(1)).margin).to.equal(0n);
      expect(await fotToken.balanceOf(fotCore)).to.equal(0n);
    });

    it("rejects a collateral token with more than 18 decimals", async () => {
      const { oracle, admin, governanceLogic, vaultAccounting, liquidationLogic } = await loadFixture(baseFixture);
      const token = await ethers.deployContract("MockERC20", ["Odd", "ODD", 19]);
      const factory = await ethers.getContractFactory("BallastCore", {
        libraries: {
          GovernanceLogic: await governanceLogic.getAddress(),
          VaultAccounting: await vaultAccounting.getAddress(),
          LiquidationLogic: await liquidationLogic.getAddress(),
        },
      });
      await expect(factory.deploy(token, oracle, admin.address, DEFAULT_RISK))
        .to.be.revertedWithCustomError(factory, "UnsupportedDecimals")
        .withArgs(19);
    });
  });

  describe("withdraw", () => {
    it("rejects zero amounts, the zero address, strangers and unknown accounts", async () => {
      const { core, alice, bob, openAccount, unit } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 100n * unit);
      await expect(core.connect(alice).withdraw(id, 0, alice.address)).to.be.revertedWithCustomError(
        core,
        "ZeroAmount",
      );
      await expect(core.connect(alice).withdraw(id, 1n, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        core,
        "ZeroAddress",
      );
      await expect(core.connect(bob).withdraw(id, 1n, bob.address))
        .to.be.revertedWithCustomError(core, "Unauthorized")
        .withArgs(id, bob.address);
      await expect(core.connect(alice).withdraw(42, 1n, alice.address))
        .to.be.revertedWithCustomError(core, "AccountNotFound")
        .withArgs(42n);
    });

    it("with no position: up to the whole margin, reporting requested and available in WAD", async () => {
      const { core, token, alice, openAccount, unit } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 1_000n * unit);
      await expect(core.connect(alice).withdraw(id, 1_000n * unit + 1n, alice.address))
        .to.be.revertedWithCustomError(core, "WithdrawalExceedsAvailable")
        .withArgs((1_000n * unit + 1n) * 10n ** 12n, wad(1_000));
      expect((await core.accountHealth(id)).withdrawable).to.equal(wad(1_000));
      await expect(core.connect(alice).withdraw(id, 1_000n * unit, alice.address))
        .to.emit(core, "MarginWithdrawn")
        .withArgs(id, alice.address, 1_000n * unit, 0n);
      expect(await token.balanceOf(alice.address)).to.equal(1_000n * unit);
      expect(await token.balanceOf(core)).to.equal(0n);
      expect((await core.getAccount(id)).margin).to.equal(0n);
    });

    it("with a position open: limited to equity − IM", async () => {
      const { core, alice, openAccount, setPrice, unit, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 10_000n * unit);
      await trader.connect(alice).trade(id, BTC_MARKET, wad(1), wad(50_000));
      // equity 10,000; IM = 10% × 50,000 = 5,000.
      await expect(core.connect(alice).withdraw(id, 5_000n * unit + 1n, alice.address))
        .to.be.revertedWithCustomError(core, "WithdrawalExceedsAvailable")
        .withArgs((5_000n * unit + 1n) * 10n ** 12n, wad(5_000));

      // A loss shrinks it: at 49,000, equity = 9,000 and IM = 4,900, so 4,100 is free.
      await setPrice("BTC", 49_000);
      await expect(core.connect(alice).withdraw(id, 4_100n * unit + 1n, alice.address))
        .to.be.revertedWithCustomError(core, "WithdrawalExceedsAvailable")
        .withArgs((4_100n * unit + 1n) * 10n ** 12n, wad(4_100));
      await expect(core.connect(alice).withdraw(id, 4_100n * unit, alice.address))
        .to.emit(core, "MarginWithdrawn")
        .withArgs(id, alice.address, 4_100n * unit, wad(5_900));
      const health = await core.accountHealth(id);
      expect(health.equity).to.equal(wad(4_900));
      expect(health.initialMargin).to.equal(wad(4_900));
      expect(health.withdrawable).to.equal(0n);
      await expect(core.connect(alice).withdraw(id, 1n, alice.address))
        .to.be.revertedWithCustomError(core, "WithdrawalExceedsAvailable")
        .withArgs(10n ** 12n, 0n);
    });

    it("never pays out unrealised profit: capped at the realised margin", async () => {
      const { core, alice, openAccount, setPrice, unit, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 10_000n * unit);
      await trader.connect(alice).trade(id, BTC_MARKET, wad(1), wad(50_000));
      await setPrice("BTC", 60_000);
      // equity 20,000, IM 6,000: equity − IM = 14,000, but the margin is only 10,000.
      const health = await core.accountHealth(id);
      expect(health.equity).to.equal(wad(20_000));
      expect(health.initialMargin).to.equal(wad(6_000));
      expect(health.withdrawable).to.equal(wad(10_000));
      await expect(core.connect(alice).withdraw(id, 10_000n * unit + 1n, alice.address))
        .to.be.revertedWithCustomError(core, "WithdrawalExceedsAvailable")
        .withArgs((10_000n * unit + 1n) * 10n ** 12n, wad(10_000));
      await expect(core.connect(alice).withdraw(id, 10_000n * unit, alice.address))
        .to.emit(core, "MarginWithdrawn")
        .withArgs(id, alice.address, 10_000n * unit, 0n);
      // The profit still backs the position: equity 10,000 ≥ IM 6,000.
      expect((await core.accountHealth(id)).equity).to.equal(wad(10_000));
    });

    it("works while paused", async () => {
      const { core, alice, admin, openAccount, unit, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 10_000n * unit);
      await trader.connect(alice).trade(id, BTC_MARKET, wad(1), wad(50_000));
      await core.connect(admin).pause();
      await expect(core.connect(alice).withdraw(id, 5_000n * unit, alice.address))
        .to.emit(core, "MarginWithdrawn")
        .withArgs(id, alice.address, 5_000n * unit, wad(5_000));
    });

    it("is blocked by a stale oracle with a position open, allowed with none", async () => {
      const { core, oracle, alice, bob, btcFeed, openAccount, unit, trader } = await loadFixture(baseFixture);
      const withPosition = await openAccount(alice, 10_000n * unit);
      const withoutPosition = await openAccount(bob, 1_000n * unit);
      await trader.connect(alice).trade(withPosition, BTC_MARKET, wad(1), wad(50_000));
      await time.increase(HEARTBEAT + 1);
      const [, , , updatedAt] = await btcFeed.latestRoundData();
      await expect(core.connect(alice).withdraw(withPosition, 1n, alice.address))
        .to.be.revertedWithCustomError(oracle, "StalePrice")
        .withArgs(BTC, updatedAt, HEARTBEAT);
      await expect(core.connect(bob).withdraw(withoutPosition, 1_000n * unit, bob.address))
        .to.emit(core, "MarginWithdrawn")
        .withArgs(withoutPosition, bob.address, 1_000n * unit, 0n);
      // A fresh price unblocks it.
      await btcFeed.setAnswer(feedAnswer(50_000));
      await expect(core.connect(alice).withdraw(withPosition, 5_000n * unit, alice.address))
        .to.emit(core, "MarginWithdrawn")
        .withArgs(withPosition, alice.address, 5_000n * unit, wad(5_000));
    });

    it("a closed position no longer needs a price", async () => {
      const { core, alice, openAccount, unit, trader } = await loadFixture(baseFixture);
      const id = await openAccount(alice, 1_000n * unit);
      await trader.connect(alice).trade(id, ETH_MARKET, wad(1), wad(2_000));
      await trader.connect(alice).closePosition(id, ETH_MARKET, 0);
      expect((await core.getAccount(id)).activeMarkets).to.equal(0n);
      await time.increase(HEARTBEAT + 1);
      await expect(core.connect(alice).withdraw(id, 1_000n * unit, alice.address))
        .to.emit(core, "MarginWithdrawn")
        .withArgs(id, alice.address, 1_000n * unit, 0n);
    });
  });
});
