import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";
import { MaxUint256, ZeroAddress, type ContractTransactionReceipt, type ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  BTC,
  BTC_MARKET,
  BTC_TIERS,
  DEFAULT_RISK,
  deployBallast,
  ETH_MARKET,
  feedAnswer,
  marketParams,
  SIMPLE_TIERS,
  WAD,
  wad,
  type Ballast,
  type FixtureOptions,
} from "../helpers/fixture.js";
import { eventsNamed, expectTokenConservation, mulWadUp, targetEquity } from "../helpers/liquidationChecks.js";
import { createOrderTrader, sendSettle as sendSettleOf, settleOrder } from "../helpers/orders.js";
import { DEFAULT_ORDER_PARAMS } from "../../../scripts/lib/config.js";
import type { MockERC20 } from "../../../types/ethers-contracts/index.js";

/**
 * Adversarial tests: each case attacks one of DESIGN §5–6's promises and asserts the outcome the design requires.
 * Gas figures asked for by the brief are printed with a "[gas]" prefix.
 */

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const USD = (n: bigint | number | string) => wad(n);
const REENTRANCY = "ReentrancyGuardReentrantCall";

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed;
}

/** Σ of an account's realised margin and its claimable rewards: what its owner can end up with. */
async function margin(b: Ballast, id: bigint) {
  return (await b.core.getAccount(id)).margin;
}

async function deploy(options: FixtureOptions = {}, vaultUsd = 10_000_000n, insuranceUsd = 10_000n) {
  const b = await deployBallast(ethers, options);
  if (vaultUsd > 0n) await b.seedVault(vaultUsd * b.unit);
  if (insuranceUsd > 0n) await b.seedInsurance(insuranceUsd * b.unit);
  return b;
}

/** An account of `owner` with `depositUsd` and a position of `size` (base units, WAD) in `market`. */
async function withPosition(b: Ballast, owner: HardhatEthersSigner, depositUsd: bigint, market: bigint, size: bigint) {
  const id = await b.openAccount(owner, depositUsd * b.unit);
  await b.trader.connect(owner).trade(id, market, size, size > 0n ? MaxUint256 : 0n);
  return id;
}

/**
 * Deploys the core by hand around `token` (as scripts/lib/deploy.ts does): one BTC market at $50,000 with the 10%/5%
 * table, signer pools.
 */
/** Sends (without waiting for it) the settlement of a committed order at the adapter's price. */
function sendSettle(b: Ballast, accountId: bigint, marketId: bigint, overrides: { gasLimit: number }) {
  return sendSettleOf(b, accountId, marketId, overrides);
}

async function deployCoreAround(token: { getAddress(): Promise<string> }) {
  const [admin, , , , , , , vaultSigner, insuranceSigner] = await ethers.getSigners();
  const oracle = await ethers.deployContract("OracleAdapter", [admin!.address]);
  const feed = await ethers.deployContract("MockAggregator", [8, feedAnswer(50_000), "BTC / USD"]);
  await oracle.setFeed(BTC, feed, 3600, 10n ** 18n, 10n ** 25n);
  const governanceLogic = await ethers.deployContract("GovernanceLogic");
  const vaultAccounting = await ethers.deployContract("VaultAccounting");
  const liquidationLogic = await ethers.deployContract("LiquidationLogic");
  const core = await ethers.deployContract("BallastCore", [token, oracle, admin!.address, DEFAULT_RISK], {
    libraries: {
      GovernanceLogic: await governanceLogic.getAddress(),
      VaultAccounting: await vaultAccounting.getAddress(),
      LiquidationLogic: await liquidationLogic.getAddress(),
    },
  });
  await core.grantRole(await core.RISK_MANAGER_ROLE(), admin!.address);
  await core.listMarket(marketParams(BTC), SIMPLE_TIERS);
  const pyth = await ethers.deployContract("MockPythUnique", [60, 1]);
  const orderBook = await ethers.deployContract("OrderBook", [core, pyth, admin!.address, DEFAULT_ORDER_PARAMS]);
  await core.setOrderBook(orderBook);
  await orderBook.setOrderMarket(BTC_MARKET, { pythFeedId: BTC, maxConfidenceRatio: 10n ** 16n });
  const signers = await ethers.getSigners();
  const world = {
    core,
    orderBook,
    pyth,
    oracle,
    token: token as unknown as MockERC20,
    settler: signers[signers.length - 1]!,
  };
  const trader = createOrderTrader(world);
  return {
    core,
    oracle,
    feed,
    orderBook,
    world,
    trader,
    admin: admin!,
    vaultSigner: vaultSigner!,
    insuranceSigner: insuranceSigner!,
  };
}

describe("Adversarial", function () {
  this.timeout(120_000);

  // ================================================================ oracle failures

  describe("a bad oracle price blocks every priced action with the oracle's error; adding margin always works", () => {
    async function oracleFixture() {
      const b = await deploy();
      const healthy = await withPosition(b, b.alice, 10_000n, BTC_MARKET, wad("1"));
      const doomed = await withPosition(b, b.bob, 6_000n, BTC_MARKET, wad("1"));
      const ethOnly = await withPosition(b, b.carol, 10_000n, ETH_MARKET, wad("2"));
      const flat = await b.openAccount(b.keeper, 1_000n * b.unit);
      await b.setPrice("BTC", 45_000); // bob: equity 1,000 ≤ MM 2,250
      await b.setPrice("ETH", 2_000);
      expect((await b.core.accountHealth(doomed)).liquidatable).to.equal(true);
      expect((await b.core.accountHealth(healthy)).liquidatable).to.equal(false);
      return { b, healthy, doomed, ethOnly, flat };
    }

    interface Mode {
      name: string;
      error: string;
      /** Whether every market is affected (sequencer), not only BTC. */
      global: boolean;
      breakIt: (b: Ballast) => Promise<unknown>;
    }
    const modes: Mode[] = [
      {
        name: "stale (past the heartbeat)",
        error: "StalePrice",
        global: false,
        breakIt: async (b) => {
          await time.increase(3_601);
          await b.setPrice("ETH", 2_000); // ETH stays fresh
        },
      },
      { name: "zero", error: "InvalidAnswer", global: false, breakIt: (b) => b.btcFeed.setAnswer(0n) },
      { name: "negative", error: "InvalidAnswer", global: false, breakIt: (b) => b.btcFeed.setAnswer(-1n) },
      {
        name: "above the max bound",
        error: "PriceOutOfBounds",
        global: false,
        breakIt: (b) => b.btcFeed.setAnswer(feedAnswer(10_000_001)),
      },
      {
        name: "below the min bound",
        error: "PriceOutOfBounds",
        global: false,
        breakIt: (b) => b.btcFeed.setAnswer(10n ** 8n - 1n),
      },
      {
        name: "future-dated",
        error: "StalePrice",
        global: false,
        breakIt: async (b) => {
          const now = BigInt(await time.latest());
          await b.btcFeed.setRoundData(9, feedAnswer(45_000), now, now + 1_000n, 9);
        },
      },
      {
        name: "sequencer down",
        error: "SequencerDown",
        global: true,
        breakIt: async (b) => {
          const uptime = await ethers.deployContract("MockAggregator", [0, 1, "sequencer"]); // 1 = down
          await b.oracle.connect(b.admin).setSequencerUptimeFeed(uptime, 3_600);
        },
      },
      {
        name: "sequencer back up, inside its grace period",
        error: "SequencerGracePeriodNotOver",
        global: true,
        breakIt: async (b) => {
          const uptime = await ethers.deployContract("MockAggregator", [0, 0, "sequencer"]); // up since now
          await b.oracle.connect(b.admin).setSequencerUptimeFeed(uptime, 3_600);
        },
      },
    ];

    for (const mode of modes) {
      it(`${mode.name}: trades, withdrawals with positions and liquidations revert with ${mode.error}`, async () => {
        const { b, healthy, doomed, ethOnly, flat } = await loadFixture(oracleFixture);
        const { trader } = b;
        await mode.breakIt(b);
        const { core, oracle } = b;
        const blocked = (p: Promise<unknown>) => expect(p).to.be.revertedWithCustomError(oracle, mode.error);

        await blocked(trader.connect(b.alice).trade(healthy, BTC_MARKET, wad("0.1"), MaxUint256));
        await blocked(trader.connect(b.alice).trade(healthy, BTC_MARKET, -wad("0.1"), 0n));
        await blocked(trader.connect(b.alice).closePosition(healthy, BTC_MARKET, 0n));
        // A cross account with a BTC position cannot trade another market either: its risk needs the BTC price.
        await blocked(trader.connect(b.alice).trade(healthy, ETH_MARKET, wad("1"), MaxUint256));
        await blocked(core.connect(b.alice).withdraw(healthy, 1n, b.alice.address));
        await blocked(core.connect(b.keeper).liquidate(doomed, b.keeper.address));
        await blocked(core.connect(b.keeper).liquidate(healthy, b.keeper.address));
        await blocked(core.connect(b.keeper).liquidateMany([doomed, healthy], b.keeper.address));
        await blocked(core.accountHealth(doomed));
        await blocked(core.previewLiquidation(doomed));

        // Deposits always work (to save an account), as do withdrawals from an account with nothing open.
        const unit = b.unit;
        await b.token.mint(b.bob.address, 500n * unit);
        await b.token.connect(b.bob).approve(core, 500n * unit);
        await expect(core.connect(b.bob).deposit(doomed, 500n * unit)).to.emit(core, "MarginDeposited");
        await expect(core.connect(b.keeper).withdraw(flat, 100n * unit, b.keeper.address)).to.emit(
          core,
          "MarginWithdrawn",
        );
        // A market whose own feed is fine keeps trading unless the whole chain is down.
        const ethTrade = trader.connect(b.carol).trade(ethOnly, ETH_MARKET, wad("0.5"), MaxUint256);
        if (mode.global) await blocked(ethTrade);
        else await expect(ethTrade).to.emit(core, "PositionTraded");

        expect((await core.getPosition(doomed, BTC_MARKET)).size).to.equal(wad("1"));
        expect((await core.getPosition(healthy, BTC_MARKET)).size).to.equal(wad("1"));
        if (mode.global) {
          await b.oracle.connect(b.admin).setSequencerUptimeFeed(ZeroAddress, 0);
        }
        // Once the price is good again, the liquidatable account is liquidated as usual.
        await b.setPrice("BTC", 45_500);
        await b.setPrice("ETH", 2_000);
        await expect(core.connect(b.keeper).liquidate(doomed, b.keeper.address)).to.emit(core, "AccountLiquidated");
        await expectTokenConservation(b);
      });
    }
  });

  // ================================================================ bad debt cascade

  describe("a price jump past several accounts' bankruptcy prices at once", () => {
    it("writes bad debt off insurance-first, then socialises it to the vault; bystanders untouched; conservation", async () => {
      const b = await deploy({}, 1_000_000n, 500n);
      const owners = [b.alice, b.bob, b.carol, b.keeper];
      const ids: bigint[] = [];
      for (const [i, owner] of owners.entries()) {
        ids.push(await withPosition(b, owner, 1_000n + 100n * BigInt(i), BTC_MARKET, wad("0.18"))); // $9,000, ~9x
      }
      const bystander = await withPosition(b, b.lp, 10_000n, BTC_MARKET, -wad("0.1"));
      const flat = await b.openAccount(b.staker, 2_000n * b.unit);
      const bystanderMargin = await margin(b, bystander);
      await b.setPrice("BTC", 42_500); // −15%: each long loses $1,350, more than its margin
      for (const id of ids) expect((await b.core.previewLiquidation(id)).badDebt).to.be.greaterThan(0n);
      const [vault0, insurance0] = await b.core.ledgers();

      const batch = [...ids, bystander, flat];
      expect(await b.core.connect(b.keeper).liquidateMany.staticCall(batch, b.keeper.address)).to.deep.equal([
        true,
        true,
        true,
        true,
        false,
        false,
      ]);
      const receipt = await (await b.core.connect(b.keeper).liquidateMany(batch, b.keeper.address)).wait();
      const settled = eventsNamed(b, receipt, "BadDebtSettled");
      expect(settled.map((e) => e.accountId)).to.deep.equal(ids);

      // Insurance first, in order, until it is empty; only then the vault.
      let insurance = insurance0;
      let socialised = 0n;
      for (const e of settled) {
        const covered = insurance < e.badDebt ? insurance : e.badDebt;
        expect(e.coveredByInsurance).to.equal(covered);
        expect(e.socialised).to.equal(e.badDebt - covered);
        insurance -= covered;
        socialised += e.socialised;
      }
      // $350 + $250 + $150 + $50 of bad debt against $500 of insurance: the first is covered in full, the second
      // in part, the last two are socialised entirely.
      expect(settled.map((e) => e.badDebt)).to.deep.equal([USD(350), USD(250), USD(150), USD(50)]);
      expect(settled.map((e) => e.coveredByInsurance)).to.deep.equal([USD(350), USD(150), 0n, 0n]);
      expect(socialised).to.be.greaterThan(0n);
      const [vault1, insurance1] = await b.core.ledgers();
      expect(insurance1).to.equal(0n);
      // The vault received the traders' realised losses and paid the socialised part.
      let vaultPays = 0n;
      for (const e of eventsNamed(b, receipt, "PositionLiquidated"))
        vaultPays += (e.realisedPnl as bigint) - (e.fundingPaid as bigint);
      expect(vault1).to.equal(vault0 - vaultPays - socialised);
      for (const id of ids) {
        const account = await b.core.getAccount(id);
        expect(account.margin).to.equal(0n);
        expect(account.activeMarkets).to.equal(0n);
      }
      // Invariant 10 and §5: nobody else's margin moved.
      expect(await margin(b, bystander)).to.equal(bystanderMargin);
      expect(await margin(b, flat)).to.equal(2_000n * WAD);
      await expectTokenConservation(b);
    });
  });

  // ================================================================ reentrancy

  describe("reentrancy through a collateral token with transfer hooks is refused", () => {
    const REENTRY = [
      "None",
      "Deposit",
      "Withdraw",
      "Trade",
      "ClosePosition",
      "Liquidate",
      "LiquidateMany",
      "ClaimRewards",
    ];
    const unit = 10n ** 6n;

    async function hookFixture() {
      const token = await ethers.deployContract("HookERC20", ["Hook USD", "hUSD", 6]);
      const d = await deployCoreAround(token);
      const vault = await ethers.deployContract("LiquidityVault", [d.core, d.admin.address, 60, "Ballast LP", "bLP"]);
      const insurance = await ethers.deployContract("InsurancePool", [
        d.core,
        d.admin.address,
        3_600,
        "Ballast Insurance",
        "bINS",
      ]);
      await d.core.initializePools(vault, insurance);
      const [, alice, bob, , , lp] = await ethers.getSigners();
      await token.mint(lp!.address, 1_000_000n * unit);
      await token.connect(lp!).approve(vault, MaxUint256);
      await vault.connect(lp!).requestDeposit(1_000_000n * unit, lp!.address, lp!.address);
      await time.increase(60);
      await vault.settleDeposit(lp!.address);

      const attacker = await ethers.deployContract("AdvReentrantCoreHook", [d.core]);
      const attackerAccount = await attacker.ACCOUNT_ID();
      await token.mint(attacker, 1_000_000n * unit);
      await attacker.deposit(100_000n * unit);
      await attacker.commitOrder(d.orderBook, BTC_MARKET, wad("0.5"), MaxUint256);
      await settleOrder(d.world, attackerAccount, BTC_MARKET);

      // Two liquidatable victims: one liquidated now (the attacker earns a claimable reward), one left as a target.
      const victims: bigint[] = [];
      for (const owner of [alice!, bob!]) {
        const id = await d.core.connect(owner).createAccount.staticCall(false, 0);
        await d.core.connect(owner).createAccount(false, 0);
        await token.mint(owner.address, 6_000n * unit);
        await token.connect(owner).approve(d.core, MaxUint256);
        await d.core.connect(owner).deposit(id, 6_000n * unit);
        await d.trader.connect(owner).trade(id, BTC_MARKET, wad("1"), MaxUint256);
        victims.push(id);
      }
      await d.feed.setAnswer(feedAnswer(45_000));
      await attacker.liquidate(victims[0]!);
      expect(await d.core.claimableRewards(attacker)).to.be.greaterThan(0n);
      await attacker.setVictim(victims[1]!);
      // The attacker's LP stake, and a matured request to redeem half of it (settled as an outer call below).
      await attacker.vaultRequestDeposit(vault, 10_000n * unit);
      await time.increase(60);
      const stake = await attacker.vaultSettleDeposit.staticCall(vault);
      await attacker.vaultSettleDeposit(vault);
      await attacker.poolRequestRedeem(vault, stake / 2n);
      await time.increase(60);
      return { ...d, token, vault, insurance, attacker, attackerAccount, victims, stake };
    }

    type Hooked = Awaited<ReturnType<typeof hookFixture>>;

    /** Conservation for the hand-made deployment: balance = margins + ledgers + rewards, to the unit. */
    async function expectConserved(f: Hooked) {
      let margins = 0n;
      for (const id of [f.attackerAccount, ...f.victims]) margins += (await f.core.getAccount(id)).margin;
      const [vaultLedger, insuranceLedger] = await f.core.ledgers();
      const rewards = await f.core.claimableRewards(f.attacker);
      expect((await f.token.balanceOf(f.core)) * 10n ** 12n).to.equal(
        margins + vaultLedger + insuranceLedger + rewards,
      );
    }

    const outers: [string, (f: Hooked) => Promise<unknown>][] = [
      ["deposit", (f) => f.attacker.deposit(1_000n * unit)],
      ["withdraw", (f) => f.attacker.withdraw(1_000n * unit)],
      ["claimRewards", (f) => f.attacker.claimRewards()],
      ["the vault's redemption settlement (core payout)", (f) => f.attacker.poolSettleRedeem(f.vault)],
    ];

    for (const [outerName, outer] of outers) {
      for (const after of [false, true]) {
        it(`a hook ${after ? "after" : "before"} the transfer of ${outerName} cannot re-enter any core entry point`, async () => {
          for (let reentry = 1; reentry < REENTRY.length; reentry++) {
            const f = await loadFixture(hookFixture);
            await f.token.setHook(f.attacker, after);
            const position = await f.core.getPosition(f.attackerAccount, BTC_MARKET);
            const victimPosition = await f.core.getPosition(f.victims[1]!, BTC_MARKET);
            await f.attacker.arm(reentry);
            await outer(f);
            expect(await f.attacker.attempts(), REENTRY[reentry]).to.equal(1n);
            expect(await f.attacker.successes(), REENTRY[reentry]).to.equal(0n);
            expect((await f.attacker.lastError()).slice(0, 10), REENTRY[reentry]).to.equal(
              f.core.interface.getError(REENTRANCY)!.selector,
            );
            // The inner action left no trace: same positions, the victim not liquidated.
            expect((await f.core.getPosition(f.attackerAccount, BTC_MARKET)).size).to.equal(position.size);
            expect((await f.core.getPosition(f.victims[1]!, BTC_MARKET)).size).to.equal(victimPosition.size);
            await expectConserved(f);
          }
        });
      }
    }
  });

  // ================================================================ token quirks

  describe("collateral token quirks", () => {
    it("a fee-on-transfer token is rejected by the core, the vault and the insurance pool", async () => {
      const token = await ethers.deployContract("FeeOnTransferERC20", ["Fee USD", "fUSD", 6, 100]);
      const d = await deployCoreAround(token);
      const vault = await ethers.deployContract("LiquidityVault", [d.core, d.admin.address, 60, "Ballast LP", "bLP"]);
      const insurance = await ethers.deployContract("InsurancePool", [d.core, d.admin.address, 3_600, "I", "I"]);
      await d.core.initializePools(vault, insurance);
      const [, alice] = await ethers.getSigners();
      await token.mint(alice!.address, 3_000_000n);
      for (const spender of [d.core, vault, insurance]) await token.connect(alice!).approve(spender, MaxUint256);
      const id = await d.core.connect(alice!).createAccount.staticCall(false, 0);
      await d.core.connect(alice!).createAccount(false, 0);
      await expect(d.core.connect(alice!).deposit(id, 1_000_000n))
        .to.be.revertedWithCustomError(d.core, "FeeOnTransferNotSupported")
        .withArgs(1_000_000n, 990_000n);
      await expect(vault.connect(alice!).requestDeposit(1_000_000n, alice!.address, alice!.address))
        .to.be.revertedWithCustomError(vault, "FeeOnTransferNotSupported")
        .withArgs(1_000_000n, 990_000n);
      await expect(insurance.connect(alice!).deposit(1_000_000n, alice!.address))
        .to.be.revertedWithCustomError(insurance, "FeeOnTransferNotSupported")
        .withArgs(1_000_000n, 990_000n);
      expect(await token.balanceOf(d.core)).to.equal(0n);
      expect(await d.core.ledgers()).to.deep.equal([0n, 0n]);
      // The same token with its fee off is accepted.
      await token.setFeeBps(0);
      await expect(d.core.connect(alice!).deposit(id, 1_000_000n)).to.emit(d.core, "MarginDeposited");
    });

    it("6 and 18 decimals: one USD scenario gives identical WAD ledgers, exact payouts and conservation", async () => {
      const outcomes: bigint[][] = [];
      for (const decimals of [6, 18]) {
        const b = await deploy({ decimals, btcParams: { takerFeeRate: wad("0.0007"), makerFeeRate: wad("0.0003") } });
        const unit = b.unit;
        const alice = await withPosition(b, b.alice, 10_000n, BTC_MARKET, wad("1.234567"));
        const bob = await withPosition(b, b.bob, 3_000n, BTC_MARKET, wad("0.5"));
        await b.setPrice("BTC", 45_678);
        await b.core.connect(b.keeper).liquidate(bob, b.keeper.address);
        await b.trader.connect(b.alice).closePosition(alice, BTC_MARKET, 0n);
        const m = await margin(b, alice);
        const withdrawable = (await b.core.accountHealth(alice)).withdrawable;
        expect(withdrawable).to.equal(m);
        // A withdrawal is in token units: the sub-unit remainder stays in the account, never rounds up.
        const assets = withdrawable / (WAD / unit);
        await b.core.connect(b.alice).withdraw(alice, assets, b.alice.address);
        expect(await b.token.balanceOf(b.alice.address)).to.equal(assets);
        expect(await margin(b, alice)).to.equal(m - assets * (WAD / unit));
        // Keeper rewards: paid rounded down, dust stays claimable.
        const owed = await b.core.claimableRewards(b.keeper.address);
        await b.core.connect(b.keeper).claimRewards(b.keeper.address);
        expect(await b.token.balanceOf(b.keeper.address)).to.equal(owed / (WAD / unit));
        expect(await b.core.claimableRewards(b.keeper.address)).to.equal(owed % (WAD / unit));
        if (decimals === 18) expect(await b.core.claimableRewards(b.keeper.address)).to.equal(0n);
        await expectTokenConservation(b);
        const [vaultLedger, insuranceLedger] = await b.core.ledgers();
        outcomes.push([m, await margin(b, bob), vaultLedger, insuranceLedger, owed]);
      }
      expect(outcomes[0]).to.deep.equal(outcomes[1]);
    });

    it("a token with more than 18 decimals is refused at deployment", async () => {
      const token = await ethers.deployContract("MockERC20", ["Odd", "ODD", 19]);
      const coreAbi = await ethers.getContractAt("BallastCore", ZeroAddress);
      await expect(deployCoreAround(token)).to.be.revertedWithCustomError(coreAbi, "UnsupportedDecimals").withArgs(19);
    });
  });

  // ================================================================ share math

  describe("share-math donation and inflation attacks through the real core", () => {
    async function poolsFixture() {
      const b = await deployBallast(ethers, {
        pools: "contracts",
        btcParams: { takerFeeRate: wad("0.001"), makerFeeRate: wad("0.001") },
      });
      const vault = await ethers.getContractAt("LiquidityVault", b.vault as string);
      const insurance = await ethers.getContractAt("InsurancePool", b.insurance as string);
      for (const user of [b.alice, b.bob, b.carol, b.lp, b.staker]) {
        await b.token.mint(user.address, 10_000_000n * b.unit);
        for (const spender of [b.core, vault, insurance]) await b.token.connect(user).approve(spender, MaxUint256);
      }
      return { ...b, vault, insurance };
    }

    it("vault: a 1-unit first deposit plus a direct token donation does not dilute the next LP", async () => {
      const f = await loadFixture(poolsFixture);
      const attacker = f.carol;
      await f.fundVault(attacker, 1n);
      await f.token.connect(attacker).transfer(f.core, 1_000_000n * f.unit); // donation straight to the core
      expect(await f.vault.totalAssets()).to.equal(1n); // the core counts its ledger, not its balance
      const deposit = 1_000n * f.unit;
      const shares = await f.fundVault(f.lp, deposit);
      expect(shares).to.equal(deposit * 10n ** 6n); // fair: 10^6 shares per unit, as for the attacker
      expect(await f.vault.convertToAssets(shares)).to.equal(deposit);
      expect(await f.redeemVault(f.lp, shares)).to.equal(deposit);
      expect(await f.redeemVault(attacker, 10n ** 6n)).to.be.at.most(1n); // the donation is lost to the attacker
    });

    it("vault: inflating NAV by losing fees to it after a 1-unit deposit costs the attacker more than it takes", async () => {
      const f = await loadFixture(poolsFixture);
      const attacker = f.carol;
      const balance0 = await f.token.balanceOf(attacker.address);
      await f.fundVault(attacker, 1n);
      // "Donate" to the NAV by paying trading fees (and a little loss) to the vault.
      const id = await f.core.connect(attacker).createAccount.staticCall(false, 0);
      await f.core.connect(attacker).createAccount(false, 0);
      await f.core.connect(attacker).deposit(id, 20_000n * f.unit);
      await f.trader.connect(attacker).trade(id, BTC_MARKET, wad("2"), MaxUint256);
      await f.trader.connect(attacker).closePosition(id, BTC_MARKET, 0n);
      const navAfterDonation = await f.vault.totalAssets();
      expect(navAfterDonation).to.be.greaterThan(100n * f.unit);

      const deposit = 100n * f.unit;
      const shares = await f.fundVault(f.lp, deposit);
      const lpBack = await f.vault.convertToAssets(shares);
      // The victim loses at most one share's worth to rounding: the donation over the 10^6 virtual shares.
      const victimLoss = deposit - lpBack;
      expect(victimLoss).to.be.at.most(navAfterDonation / 10n ** 6n + 1n);

      await f.redeemVault(attacker, await f.vault.balanceOf(attacker.address));
      await f.core
        .connect(attacker)
        .withdraw(id, (await f.core.accountHealth(id)).withdrawable / 10n ** 12n, attacker.address);
      // `fundVault` minted the attacker's 1-unit LP deposit on top of `balance0`.
      const attackerLoss = balance0 + 1n - (await f.token.balanceOf(attacker.address));
      expect(attackerLoss).to.be.greaterThan(100n * f.unit);
      expect(attackerLoss).to.be.greaterThan(victimLoss * 10n ** 6n); // a million to one against the attacker
    });

    it("insurance: a 1-unit first stake plus a direct donation does not dilute the next staker", async () => {
      const f = await loadFixture(poolsFixture);
      const attacker = f.carol;
      await f.insurance.connect(attacker).deposit(1n, attacker.address);
      await f.token.connect(attacker).transfer(f.core, 1_000_000n * f.unit);
      expect(await f.insurance.totalAssets()).to.equal(1n);
      const shares = await f.insurance.connect(f.staker).deposit.staticCall(1_000n * f.unit, f.staker.address);
      expect(shares).to.equal(1_000n * f.unit * 10n ** 6n);
      await f.insurance.connect(f.staker).deposit(1_000n * f.unit, f.staker.address);
      expect(await f.insurance.convertToAssets(shares)).to.equal(1_000n * f.unit);
    });

    it("insurance: a just-in-time stake before a fee-paying liquidation cannot leave before the cooldown", async () => {
      const f = await loadFixture(poolsFixture);
      await f.insurance.connect(f.staker).deposit(1_000n * f.unit, f.staker.address);
      const victim = await withPosition(f, f.alice, 6_000n, BTC_MARKET, wad("1"));
      await f.setPrice("BTC", 45_000);
      const jit = f.bob;
      await f.insurance.connect(jit).deposit(100_000n * f.unit, jit.address);
      await f.core.connect(f.keeper).liquidate(victim, f.keeper.address); // fees flow to the insurance ledger
      const shares = await f.insurance.balanceOf(jit.address);
      await expect(f.insurance.connect(jit).redeem(shares, jit.address, jit.address)).to.be.revertedWithCustomError(
        f.insurance,
        "SynchronousFlowDisabled",
      );
      await f.insurance.connect(jit).requestRedeem(shares, jit.address, jit.address);
      const unlock = (await f.insurance.redeemRequest(jit.address)).unlockTime;
      await expect(f.insurance.connect(jit).settleRedeem(jit.address))
        .to.be.revertedWithCustomError(f.insurance, "SettlementTooEarly")
        .withArgs(jit.address, unlock, BigInt(await time.latest()) + 1n);
      expect(await f.insurance.maxRedeem(jit.address)).to.equal(0n);
    });

    it("vault: an LP cannot sandwich a trader's realisation, NAV already counts unrealised PnL", async () => {
      const f = await loadFixture(poolsFixture);
      await f.fundVault(f.lp, 1_000_000n * f.unit);
      const trader = await withPosition(f, f.alice, 20_000n, BTC_MARKET, wad("1"));
      await f.setPrice("BTC", 44_000); // the trader is $6,000 down
      const sharesIn = await f.fundVault(f.bob, 500_000n * f.unit);
      const nav0 = await f.vault.totalAssets();
      await f.trader.connect(f.alice).closePosition(trader, BTC_MARKET, 0n); // realises the loss (plus a fee)
      const nav1 = await f.vault.totalAssets();
      // Realising moves NAV only by the closing fee's vault share (and rounding): no windfall to capture.
      const closingFee = mulWadUp(wad(44_000), wad("0.001"));
      expect(nav1 - nav0).to.be.at.most(closingFee / 10n ** 12n + 1n);
      const out = await f.vault.convertToAssets(sharesIn);
      expect(out - 500_000n * f.unit).to.be.at.most(closingFee / 10n ** 12n);
    });
  });

  // ================================================================ rounding farms

  describe("many tiny operations cannot farm rounding", () => {
    for (const decimals of [6, 18]) {
      it(`${decimals} decimals: 1-unit deposits/withdrawals, vault round trips and minimum-size trades gain nothing`, async () => {
        const f = await deployBallast(ethers, {
          decimals,
          pools: "contracts",
          btcParams: { takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0002"), skewScale: wad(10_000) },
        });
        const vault = await ethers.getContractAt("LiquidityVault", f.vault as string);
        const start = 1_000_000n * f.unit;
        await f.token.mint(f.alice.address, start);
        await f.token.connect(f.alice).approve(f.core, MaxUint256);
        await f.token.connect(f.alice).approve(vault, MaxUint256);
        const id = await f.core.connect(f.alice).createAccount.staticCall(false, 0);
        await f.core.connect(f.alice).createAccount(false, 0);
        for (let i = 0; i < 25; i++) {
          await f.core.connect(f.alice).deposit(id, 1n);
          await f.core.connect(f.alice).withdraw(id, 1n, f.alice.address);
        }
        for (let i = 0; i < 10; i++) await f.core.connect(f.alice).deposit(id, 1n);
        await f.core.connect(f.alice).withdraw(id, 10n, f.alice.address);
        await expect(f.core.connect(f.alice).withdraw(id, 1n, f.alice.address)).to.be.revertedWithCustomError(
          f.core,
          "WithdrawalExceedsAvailable",
        );
        expect(await margin(f, id)).to.equal(0n);
        expect(await f.token.balanceOf(f.alice.address)).to.equal(start);

        // LP round trips of 1 unit (request → delay → settle, both ways) with a non-trivial share price.
        await f.fundVault(f.bob, 1_000n * f.unit);
        let deposited = 0n;
        let redeemed = 0n;
        for (let i = 0; i < 5; i++) {
          const shares = await f.fundVault(f.carol, 1n);
          deposited += 1n;
          redeemed += await f.redeemVault(f.carol, shares);
        }
        expect(redeemed).to.be.at.most(deposited);

        // Minimum-size open/close at a fixed price: margin never grows.
        await f.core.connect(f.alice).deposit(id, 1_000n * f.unit);
        let before = await margin(f, id);
        for (let i = 0; i < 10; i++) {
          const size = wad("0.0002") + BigInt(i); // $10 and odd wei
          await f.trader
            .connect(f.alice)
            .trade(id, BTC_MARKET, i % 2 === 0 ? size : -size, i % 2 === 0 ? MaxUint256 : 0n);
          await f.trader.connect(f.alice).closePosition(id, BTC_MARKET, i % 2 === 0 ? 0n : MaxUint256);
          const after = await margin(f, id);
          expect(after).to.be.lessThan(before);
          before = after;
        }
        await expectTokenConservation(f);
      });
    }
  });

  // ================================================================ dust

  describe("dust positions", () => {
    it("a partial that would leave less than minRemainingNotional is made full (gas vs fee reported)", async () => {
      const b = await deploy({ risk: { minRemainingNotional: USD(5_000) } });
      const id = await withPosition(b, b.alice, 700n, BTC_MARKET, wad("0.12")); // $6,000
      await b.setPrice("BTC", 45_800); // health ≈ 0.71: partial by the formula, but it would leave < $5,000
      const preview = await b.core.previewLiquidation(id);
      expect(preview.liquidatable).to.equal(true);
      expect(preview.full).to.equal(true);
      expect(preview.fraction).to.equal(WAD);
      const gas = await gasOf(b.core.connect(b.keeper).liquidate(id, b.keeper.address));
      expect((await b.core.getAccount(id)).activeMarkets).to.equal(0n);
      expect(preview.fee).to.equal(mulWadUp(preview.closedNotional, DEFAULT_RISK.liquidationFeeRate));
      console.log(`      [gas] small-account full liquidation: ${gas} gas, fee $${Number(preview.fee) / 1e18}`);

      // With the default floor ($10) the same account is only partly liquidated.
      const c = await deploy();
      const id2 = await withPosition(c, c.alice, 700n, BTC_MARKET, wad("0.12"));
      await c.setPrice("BTC", 45_800);
      const partial = await c.core.previewLiquidation(id2);
      expect(partial.full).to.equal(false);
      expect(partial.fraction).to.be.lessThan(WAD);
    });

    it("a $12 position is liquidated in full; the fee is tiny next to the gas", async () => {
      const b = await deploy();
      const id = await withPosition(b, b.alice, 2n, BTC_MARKET, wad("0.00024")); // $12 on $2
      await b.setPrice("BTC", 43_000);
      const preview = await b.core.previewLiquidation(id);
      expect(preview.liquidatable && preview.full).to.equal(true);
      const gas = await gasOf(b.core.connect(b.keeper).liquidate(id, b.keeper.address));
      expect((await b.core.getAccount(id)).activeMarkets).to.equal(0n);
      expect(preview.fee).to.be.lessThan(USD("0.06"));
      console.log(`      [gas] $12 dust liquidation: ${gas} gas for a fee of $${Number(preview.fee) / 1e18}`);
      await expectTokenConservation(b);
    });
  });

  // ================================================================ keeper rewards

  describe("liquidation recipients and self-liquidation", () => {
    async function recipientFixture() {
      const b = await deploy();
      const reverting = await ethers.deployContract("AdvHostileRecipient", [false]);
      const burner = await ethers.deployContract("AdvHostileRecipient", [true]);
      const id = await withPosition(b, b.alice, 6_000n, BTC_MARKET, wad("1"));
      await b.setPrice("BTC", 45_000);
      return { b, id, reverting: await reverting.getAddress(), burner: await burner.getAddress() };
    }

    it("a recipient that reverts on any call or burns all gas cannot block a liquidation (pull payments)", async () => {
      const { b, reverting, burner } = await loadFixture(recipientFixture);
      await expect(b.admin.sendTransaction({ to: reverting, value: 1n })).to.revert(ethers);
      await expect(b.admin.sendTransaction({ to: reverting, data: "0x12345678" })).to.revert(ethers);
      await expect(b.admin.sendTransaction({ to: burner, data: "0x12345678", gasLimit: 100_000 })).to.revert(ethers);

      const outcomes: { gas: bigint; reward: bigint }[] = [];
      for (const recipient of [b.lp.address, reverting, burner]) {
        const f = await loadFixture(recipientFixture);
        const gas = await gasOf(f.b.core.connect(f.b.keeper).liquidate(f.id, recipient));
        expect((await f.b.core.getAccount(f.id)).margin).to.be.greaterThan(0n);
        outcomes.push({ gas, reward: await f.b.core.claimableRewards(recipient) });
        // Nobody else can take the recipient's reward.
        await expect(f.b.core.connect(f.b.keeper).claimRewards(f.b.keeper.address)).to.be.revertedWithCustomError(
          f.b.core,
          "NothingToClaim",
        );
        await expectTokenConservation(f.b);
      }
      expect(outcomes[0]!.reward).to.be.greaterThan(0n);
      for (const o of outcomes.slice(1)) {
        expect(o.reward).to.equal(outcomes[0]!.reward);
        // The core never calls the recipient: gas differs only by the calldata bytes of the address.
        expect(o.gas - outcomes[0]!.gas).to.be.within(-300n, 300n);
      }
    });

    it("a batch naming one account many times (or unknown ids) liquidates it once; the owner's batch pays no reward", async () => {
      const { b, id } = await loadFixture(recipientFixture);
      const other = await withPosition(b, b.bob, 6_000n, BTC_MARKET, wad("1"));
      await b.setPrice("BTC", 40_000); // both liquidatable (bob opened at $45,000)
      const batch = [id, id, 0n, 12_345n, id, other];
      const receipt = await (await b.core.connect(b.alice).liquidateMany(batch, b.alice.address)).wait();
      const liquidated = eventsNamed(b, receipt, "AccountLiquidated");
      expect(liquidated.map((e) => e.accountId)).to.deep.equal([id, other]);
      // alice is the owner of `id` (no reward) and a stranger to bob's account (reward).
      expect(liquidated[0]!.keeperReward).to.equal(0n);
      expect(liquidated[1]!.keeperReward).to.equal(liquidated[1]!.fee / 2n);
      expect(await b.core.claimableRewards(b.alice.address)).to.equal(liquidated[1]!.keeperReward);
      await expectTokenConservation(b);
    });

    async function selfFixture() {
      const b = await deploy({}, 10_000_000n, 1_000n);
      const id = await withPosition(b, b.alice, 6_000n, BTC_MARKET, wad("1"));
      await b.core.connect(b.alice).setOperator(b.carol.address, true);
      await b.setPrice("BTC", 45_300); // health ≈ 0.62: a partial liquidation
      return { b, id };
    }

    /** Liquidates alice's account as `caller`, then closes and withdraws all: alice's end token balance. */
    async function endBalance(caller: "owner" | "operator" | "stranger" | "sybil") {
      const { b, id } = await loadFixture(selfFixture);
      const signer = { owner: b.alice, operator: b.carol, stranger: b.keeper, sybil: b.staker }[caller];
      const recipient =
        caller === "sybil" ? b.staker.address : caller === "stranger" ? b.keeper.address : b.alice.address;
      const [, insurance0] = await b.core.ledgers();
      const preview = await b.core.previewLiquidation(id);
      expect(preview.full).to.equal(false);
      const receipt = await (await b.core.connect(signer).liquidate(id, recipient)).wait();
      const [event] = eventsNamed(b, receipt, "AccountLiquidated");
      const [, insurance1] = await b.core.ledgers();
      await b.trader.connect(b.alice).closePosition(id, BTC_MARKET, 0n);
      await b.core
        .connect(b.alice)
        .withdraw(id, (await b.core.accountHealth(id)).withdrawable / 10n ** 12n, b.alice.address);
      const rewardToAlice = await b.core.claimableRewards(b.alice.address);
      return {
        balance: await b.token.balanceOf(b.alice.address),
        event: event!,
        preview,
        rewardToAlice,
        insurance: insurance1 - insurance0,
      };
    }

    it("self-liquidation pays no reward: the owner ends no better off than when a stranger liquidates it", async () => {
      const owner = await endBalance("owner");
      const operator = await endBalance("operator");
      const stranger = await endBalance("stranger");
      for (const self of [owner, operator]) {
        expect(self.event.keeperReward).to.equal(0n);
        expect(self.rewardToAlice).to.equal(0n);
        expect(self.insurance).to.equal(self.preview.fee); // the whole fee goes to insurance
        expect(self.balance).to.equal(stranger.balance);
      }
      expect(stranger.event.keeperReward).to.equal(stranger.preview.fee / 2n); // keeperRewardShare = 50%, rounded down
      expect(stranger.insurance).to.equal(stranger.preview.fee - stranger.event.keeperReward);
      // Even through an unlinked address of its own (indistinguishable from a keeper), the owner still ends with
      // less than its equity before the liquidation: liquidation is never a profit.
      const sybil = await endBalance("sybil");
      expect(sybil.balance + sybil.event.keeperReward / 10n ** 12n).to.be.lessThan(
        BigInt(sybil.preview.equityBefore) / 10n ** 12n,
      );
    });
  });

  // ================================================================ same-block sandwiches

  describe("same-block sandwiches (automine off)", () => {
    /** Sends `txs` (each with an explicit gas limit) into one block and returns their receipts in order. */
    async function oneBlock(txs: (() => Promise<ContractTransactionResponse>)[]) {
      await ethers.provider.send("evm_setAutomine", [false]);
      const hashes: string[] = [];
      try {
        for (const send of txs) hashes.push((await send()).hash);
        await ethers.provider.send("evm_mine", []);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      const receipts = [];
      for (const hash of hashes) receipts.push((await ethers.provider.getTransactionReceipt(hash))!);
      expect(new Set(receipts.map((r) => r.blockNumber)).size).to.equal(1);
      return receipts;
    }

    async function sandwichFixture() {
      // Skew premium and fees on; funding off here, so that equity moves only by what the transactions do (a
      // short-lived skew's funding is the next describe's subject).
      const b = await deploy({
        btcParams: { skewScale: wad(1_000), takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0002") },
      });
      const victim = await withPosition(b, b.alice, 10_000n, BTC_MARKET, wad("1"));
      const attacker = await b.openAccount(b.carol, 2_000_000n * b.unit);
      return { b, victim, attacker };
    }

    it("withdraw-then-liquidate: a near-maximal withdrawal leaves the account healthy, the liquidation reverts", async () => {
      const { b, victim } = await loadFixture(sandwichFixture);
      const h0 = await b.core.accountHealth(victim);
      // 99.9% of the maximum: the next block's funding accrual must not make the withdrawal itself fail.
      const assets = (h0.withdrawable * 999n) / 1000n / 10n ** 12n;
      expect(assets).to.be.greaterThan(0n);
      const [withdrawal, liquidation, liquidationBatch] = await oneBlock([
        () => b.core.connect(b.alice).withdraw(victim, assets, b.alice.address, { gasLimit: 1_000_000 }),
        () => b.core.connect(b.keeper).liquidate(victim, b.keeper.address, { gasLimit: 3_000_000 }),
        () => b.core.connect(b.keeper).liquidateMany([victim], b.keeper.address, { gasLimit: 3_000_000 }),
      ]);
      expect(withdrawal!.status).to.equal(1);
      expect(liquidation!.status).to.equal(0);
      expect(liquidationBatch!.status).to.equal(1); // the batch skips the healthy account
      expect(
        eventsNamed(b, liquidationBatch as unknown as ContractTransactionReceipt, "AccountLiquidated"),
      ).to.have.length(0);
      const h1 = await b.core.accountHealth(victim);
      expect(h1.liquidatable).to.equal(false);
      expect(h1.equity).to.be.at.least(BigInt(h1.initialMargin));
      expect(await b.core.claimableRewards(b.keeper.address)).to.equal(0n);
    });

    it("trade-then-liquidate: a huge skew trade around a liquidation attempt moves no one's equity and costs the attacker", async () => {
      const { b, victim, attacker } = await loadFixture(sandwichFixture);
      await b.setPrice("BTC", 45_600); // victim: equity 4,400 vs MM 2,280, healthy
      const victimEquity = (await b.core.accountHealth(victim)).equity;
      const attackerMargin = await margin(b, attacker);
      // With orders the open settles in a block of its own choosing only through the order book; the liquidation
      // attempt rides in the same block as the settlement, and the close follows (an instant close no longer exists).
      await b.trader.commit(b.carol, attacker, BTC_MARKET, wad(100), MaxUint256);
      const [open, liquidation] = await oneBlock([
        () => sendSettle(b, attacker, BTC_MARKET, { gasLimit: 1_000_000 }),
        () => b.core.connect(b.carol).liquidate(victim, b.carol.address, { gasLimit: 3_000_000 }),
      ]);
      expect(open!.status).to.equal(1);
      expect(liquidation!.status).to.equal(0);
      await b.trader.connect(b.carol).closePosition(attacker, BTC_MARKET, 0n);
      expect((await b.core.accountHealth(victim)).equity).to.equal(victimEquity);
      expect(await b.core.claimableRewards(b.carol.address)).to.equal(0n);
      expect(await margin(b, attacker)).to.be.lessThan(attackerMargin); // fees, no gain
    });
  });

  // ================================================================ 16 positions

  describe("an account with the maximum number of positions", () => {
    async function sixteenFixture() {
      const b = await deploy(
        { btcTiers: BTC_TIERS, btcParams: { fundingScale: wad(100), maxFundingRatePerSecond: wad("0.001") / 3_600n } },
        10_000_000n,
        100n,
      );
      const feeds = [b.btcFeed, b.ethFeed];
      const answers = [feedAnswer(50_000), feedAnswer(2_000)];
      for (let i = 2; i <= 16; i++) {
        const symbol = `ADV${i}`;
        const feed = await ethers.deployContract("MockAggregator", [8, feedAnswer(100), `${symbol} / USD`]);
        const id = ethers.id(`${symbol}/USD`);
        await b.oracle.connect(b.admin).setFeed(id, feed, 3_600, 10n ** 16n, 10n ** 24n);
        await b.core.connect(b.admin).listMarket(
          marketParams(id, {
            fundingScale: wad(1_000),
            maxFundingRatePerSecond: wad("0.001") / 3_600n,
            skewScale: wad(1_000_000),
            takerFeeRate: wad("0.0005"),
            makerFeeRate: wad("0.0002"),
          }),
          BTC_TIERS,
        );
        feeds.push(feed);
        answers.push(feedAnswer(100));
      }
      const id = await b.openAccount(b.alice, 600n * b.unit); // IM ≈ $400, MM ≈ $200 on $16,000
      for (let m = 0n; m < 16n; m++) {
        const price = m === 0n ? 50_000n : m === 1n ? 2_000n : 100n;
        const size = (USD(1_000) / price) * (m % 3n === 2n ? -1n : 1n); // $1,000 each, some short
        await b.trader.connect(b.alice).trade(id, m, size, size > 0n ? MaxUint256 : 0n);
      }
      return { b, id, feeds, answers };
    }

    /** Moves every feed by `bps` (longs lose when negative), after an hour of funding. */
    async function moveAll(f: Awaited<ReturnType<typeof sixteenFixture>>, bps: bigint) {
      await time.increase(3_600);
      for (const [i, feed] of f.feeds.entries()) {
        const short = i >= 2 && i % 3 === 2;
        await feed.setAnswer((f.answers[i]! * (10_000n + (short ? -bps : bps))) / 10_000n);
      }
    }

    it("holds 16 positions, refuses a 17th market, and is liquidated (partial and full) far under 30M gas", async () => {
      const f = await loadFixture(sixteenFixture);
      const { b, id } = f;
      expect((await b.core.getAccount(id)).activeMarkets).to.equal((1n << 16n) - 1n);
      await expect(b.trader.connect(b.alice).trade(id, 16n, USD(20) / 100n, MaxUint256))
        .to.be.revertedWithCustomError(b.core, "TooManyPositions")
        .withArgs(id, 16n);

      await moveAll(f, -280n); // −2.8%: liquidatable, health above the full-liquidation threshold
      const partial = await b.core.previewLiquidation(id);
      expect(partial.liquidatable).to.equal(true);
      expect(partial.full).to.equal(false);
      const gasPartial = await gasOf(
        b.core.connect(b.keeper).liquidate(id, b.keeper.address, { gasLimit: 16_000_000 }),
      );
      const after = await b.core.accountHealth(id);
      expect(after.equity).to.be.at.least(targetEquity(after.maintenanceMargin, DEFAULT_RISK.liquidationBuffer));

      const g = await loadFixture(sixteenFixture);
      await moveAll(g, -1_500n); // −15%: bankrupt, full liquidation with bad debt, funding accrued in 16 markets
      const full = await g.b.core.previewLiquidation(g.id);
      expect(full.full).to.equal(true);
      expect(full.badDebt).to.be.greaterThan(0n);
      const receipt = await (
        await g.b.core.connect(g.b.keeper).liquidateMany([g.id], g.b.keeper.address, { gasLimit: 16_000_000 })
      ).wait();
      const gasFull = receipt!.gasUsed;
      expect(eventsNamed(g.b, receipt, "PositionLiquidated")).to.have.length(16);
      expect((await g.b.core.getAccount(g.id)).activeMarkets).to.equal(0n);
      await expectTokenConservation(g.b);

      expect(gasPartial).to.be.lessThan(3_000_000n);
      expect(gasFull).to.be.lessThan(3_000_000n);
      console.log(
        `      [gas] 16 positions: partial liquidation ${gasPartial}, full liquidation with bad debt ${gasFull}`,
      );
    });
  });

  // ================================================================ funding manipulation

  describe("funding manipulation by a large short-lived skew", () => {
    it("opening a huge skew for one block gains at most maxRate × seconds of funding and loses money overall", async () => {
      const maxRate = wad("0.01") / 3_600n;
      const b = await deploy({
        btcParams: {
          skewScale: wad(10_000),
          takerFeeRate: wad("0.0005"),
          makerFeeRate: wad("0.0002"),
          fundingScale: wad(100),
          maxFundingRatePerSecond: maxRate,
        },
      });
      await withPosition(b, b.bob, 200_000n, BTC_MARKET, wad(20)); // honest longs: skew +20
      const receiver = await withPosition(b, b.carol, 100_000n, BTC_MARKET, -wad(10)); // the manipulator's short
      const pump = await b.openAccount(b.carol, 1_500_000n * b.unit); // the manipulator's second account
      const equity = async () =>
        (await b.core.accountHealth(receiver)).equity + (await b.core.accountHealth(pump)).equity;
      const before = await equity();
      const receiverBefore = (await b.core.accountHealth(receiver)).equity;
      const t0 = BigInt(await time.latest());

      await b.trader.connect(b.carol).trade(pump, BTC_MARKET, wad(200), MaxUint256); // skew +220: max rate
      await time.increase(12); // one block
      await b.trader.connect(b.carol).closePosition(pump, BTC_MARKET, 0n);
      const t1 = BigInt(await time.latest());

      const after = await equity();
      const receiverGain = (await b.core.accountHealth(receiver)).equity - receiverBefore;
      // The receiving short gains funding only, and at most the max rate over the elapsed seconds.
      const bound = (maxRate * (t1 - t0) * wad(50_000) * wad(10)) / WAD / WAD + 2n;
      expect(receiverGain).to.be.greaterThan(0n);
      expect(receiverGain).to.be.at.most(bound);
      // Fees (and the funding the pump itself pays) exceed it: a net loss for the manipulator.
      expect(after).to.be.lessThan(before);
      expect(before - after).to.be.greaterThan(receiverGain * 100n);
    });
  });

  // ================================================================ extremes

  describe("extreme sizes and prices revert with clear errors", () => {
    it("sizes at the int256, int128 and int96 bounds revert (InvalidSizeDelta, OpenInterestCapExceeded), state untouched", async () => {
      const b = await deploy();
      const id = await b.openAccount(b.alice, 1_000_000n * b.unit);
      const INT256_MAX = 2n ** 255n - 1n;
      const INT128_MAX = 2n ** 127n - 1n;
      const INT96_MAX = 2n ** 95n - 1n;
      const core = b.core.connect(b.alice);
      const trader = b.trader.connect(b.alice);
      // An order packs its size into 96 bits: anything beyond is refused at commit, with the size.
      for (const size of [INT256_MAX, -INT256_MAX - 1n, INT128_MAX, INT96_MAX + 1n, -(2n ** 95n)]) {
        await expect(trader.trade(id, BTC_MARKET, size, MaxUint256))
          .to.be.revertedWithCustomError(b.orderBook, "InvalidSizeDelta")
          .withArgs(size);
      }
      // The largest order that fits is checked at settlement like any other: the open-interest cap refuses it.
      await expect(trader.trade(id, BTC_MARKET, INT96_MAX, MaxUint256)).to.be.revertedWithCustomError(
        b.core,
        "OpenInterestCapExceeded",
      );
      // With the cap at its maximum, the position's range refuses it: its basis (~$4e33) is beyond the ±$9.2B a
      // one-slot position stores (int64 nano-dollars), and the narrowing names the bits and the value.
      await b.core
        .connect(b.admin)
        .setMarketParams(BTC_MARKET, marketParams(BTC, { maxOpenInterestPerSide: 2n ** 128n - 1n }));
      await expect(trader.trade(id, BTC_MARKET, INT96_MAX, MaxUint256))
        .to.be.revertedWithCustomError(b.core, "SafeCastOverflowedIntDowncast")
        .withArgs(64, anyValue);
      await expect(trader.trade(id, 99n, WAD, MaxUint256))
        .to.be.revertedWithCustomError(b.core, "MarketNotListed")
        .withArgs(99n);
      await expect(trader.closePosition(id, BTC_MARKET, 0n)).to.be.revertedWithCustomError(b.core, "ZeroAmount");

      // Deposits and withdrawals beyond the ledger's range.
      await expect(core.deposit(id, 2n ** 255n)).to.be.revertedWithPanic(0x11);
      await expect(core.deposit(id, 2n ** 200n)).to.be.revertedWithCustomError(b.core, "SafeCastOverflowedIntDowncast");
      await expect(core.withdraw(id, 2n ** 255n, b.alice.address)).to.be.revertedWithPanic(0x11);
      await expect(core.withdraw(id, 2n ** 200n, b.alice.address)).to.be.revertedWithCustomError(
        b.core,
        "WithdrawalExceedsAvailable",
      );
      expect(await margin(b, id)).to.equal(USD(1_000_000));
      expect((await b.core.getAccount(id)).activeMarkets).to.equal(0n);
      await expectTokenConservation(b);
    });

    it("at the oracle's max price trading, funding and liquidation still compute exactly; one tick above reverts", async () => {
      const b = await deploy(
        {
          btcParams: { fundingScale: wad(1), maxFundingRatePerSecond: WAD / 86_400n },
        },
        100_000_000n,
      );
      await b.btcFeed.setAnswer(feedAnswer(10_000_000)); // the bound: 1e25 WAD
      const id = await withPosition(b, b.alice, 1_100_000n, BTC_MARKET, wad(1)); // $10M notional
      const short = await withPosition(b, b.bob, 2_000_000n, BTC_MARKET, -wad(1));
      await withPosition(b, b.carol, 2_000_000n, BTC_MARKET, wad("0.5")); // skew: max funding rate
      await time.increase(3_600);
      await b.btcFeed.setAnswer(feedAnswer(9_500_000));
      const h = await b.core.accountHealth(id);
      expect(h.liquidatable).to.equal(true);
      await expect(b.core.connect(b.keeper).liquidate(id, b.keeper.address)).to.emit(b.core, "AccountLiquidated");
      await b.btcFeed.setAnswer(feedAnswer(10_000_000) + 1n);
      await expect(b.trader.connect(b.bob).closePosition(short, BTC_MARKET, MaxUint256)).to.be.revertedWithCustomError(
        b.oracle,
        "PriceOutOfBounds",
      );
      await b.btcFeed.setAnswer(feedAnswer(1)); // the min bound: the short is up ~$10M
      await b.trader.connect(b.bob).closePosition(short, BTC_MARKET, MaxUint256);
      expect(await margin(b, short)).to.be.greaterThan(USD(11_000_000));
      await expectTokenConservation(b);
    });
  });

  // ================================================================ governance

  describe("governance", () => {
    it("every governance setter of the core, the oracle adapter, the insurance pool and the vault rejects a stranger", async () => {
      const b = await deployBallast(ethers, { pools: "contracts" });
      const insurance = await ethers.getContractAt("InsurancePool", b.insurance as string);
      const vault = await ethers.getContractAt("LiquidityVault", b.vault as string);
      const stranger = b.carol;
      const core = b.core.connect(stranger);
      const oracle = b.oracle.connect(stranger);
      const pool = insurance.connect(stranger);
      const [ADMIN, RISK, PAUSER, ORACLE_ADMIN] = [
        await b.core.DEFAULT_ADMIN_ROLE(),
        await b.core.RISK_MANAGER_ROLE(),
        await b.core.PAUSER_ROLE(),
        await b.oracle.ORACLE_ADMIN_ROLE(),
      ];
      const risk = { ...DEFAULT_RISK };
      const cases: [object, string, () => Promise<unknown>, string][] = [
        [b.core, "initializePools", () => core.initializePools(stranger.address, stranger.address), ADMIN],
        [b.core, "setOracle", () => core.setOracle(stranger.address), ADMIN],
        [b.core, "setOrderBook", () => core.setOrderBook(stranger.address), ADMIN],
        [b.core, "grantRole", () => core.grantRole(RISK, stranger.address), ADMIN],
        [b.core, "revokeRole", () => core.revokeRole(RISK, b.admin.address), ADMIN],
        [b.core, "listMarket", () => core.listMarket(marketParams(BTC), SIMPLE_TIERS), RISK],
        [b.core, "setMarketParams", () => core.setMarketParams(0n, marketParams(BTC)), RISK],
        [b.core, "setMarginTiers", () => core.setMarginTiers(0n, SIMPLE_TIERS), RISK],
        [b.core, "setRiskParams", () => core.setRiskParams(risk), RISK],
        [b.core, "pause", () => core.pause(), PAUSER],
        [b.core, "unpause", () => core.unpause(), PAUSER],
        [b.oracle, "setFeed", () => oracle.setFeed(BTC, stranger.address, 60, 1n, 2n), ORACLE_ADMIN],
        [b.oracle, "removeFeed", () => oracle.removeFeed(BTC), ORACLE_ADMIN],
        [b.oracle, "setSequencerUptimeFeed", () => oracle.setSequencerUptimeFeed(stranger.address, 0), ORACLE_ADMIN],
        [b.oracle, "grantRole", () => oracle.grantRole(ORACLE_ADMIN, stranger.address), ADMIN],
        [b.oracle, "revokeRole", () => oracle.revokeRole(ORACLE_ADMIN, b.admin.address), ADMIN],
        [insurance, "setCooldown", () => pool.setCooldown(3_600), ADMIN],
        [vault, "setSettlementDelay", () => vault.connect(stranger).setSettlementDelay(600), ADMIN],
        [vault, "grantRole", () => vault.connect(stranger).grantRole(ADMIN, stranger.address), ADMIN],
        [vault, "revokeRole", () => vault.connect(stranger).revokeRole(ADMIN, b.admin.address), ADMIN],
        [insurance, "grantRole", () => pool.grantRole(ADMIN, stranger.address), ADMIN],
        [insurance, "revokeRole", () => pool.revokeRole(ADMIN, b.admin.address), ADMIN],
      ];
      for (const [contract, name, call, role] of cases) {
        await expect(call(), name)
          .to.be.revertedWithCustomError(contract as typeof b.core, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, role);
      }
      // The ledger hooks accept only their pool.
      await expect(core.creditVault(1n)).to.be.revertedWithCustomError(b.core, "OnlyVault");
      await expect(core.debitVault(stranger.address, 1n)).to.be.revertedWithCustomError(b.core, "OnlyVault");
      await expect(core.creditInsurance(1n)).to.be.revertedWithCustomError(b.core, "OnlyInsurancePool");
      // Trades execute only through the order book.
      await expect(core.settleOrder(1n, 0n, 1n, MaxUint256, WAD))
        .to.be.revertedWithCustomError(b.core, "OnlyOrderBook")
        .withArgs(stranger.address);
      await expect(core.debitInsurance(stranger.address, 1n)).to.be.revertedWithCustomError(
        b.core,
        "OnlyInsurancePool",
      );

      // The list is complete: every non-view function of each ABI is either covered above or a user action.
      const user = new Set([
        "createAccount",
        "setOperator",
        "deposit",
        "withdraw",
        "settleOrder",
        "liquidate",
        "liquidateMany",
        "claimRewards",
        "creditVault",
        "debitVault",
        "creditInsurance",
        "debitInsurance",
        "renounceRole",
        "approve",
        "transfer",
        "transferFrom",
        "mint",
        "redeem",
        "requestDeposit",
        "requestRedeem",
        "settleDeposit",
        "settleRedeem",
      ]);
      for (const contract of [b.core, b.oracle, insurance, vault]) {
        const covered = new Set(cases.filter(([c]) => c === contract).map(([, n]) => n));
        contract.interface.forEachFunction((f) => {
          if (f.stateMutability === "view" || f.stateMutability === "pure") return;
          expect(covered.has(f.name) || user.has(f.name), `${f.name} not covered`).to.equal(true);
        });
      }
    });

    it("pause stops opens, increases and flips only; closes, reductions, deposits, withdrawals, liquidations go on", async () => {
      const b = await deploy();
      const id = await withPosition(b, b.alice, 10_000n, BTC_MARKET, wad("1"));
      const doomed = await withPosition(b, b.bob, 6_000n, BTC_MARKET, wad("1"));
      const fresh = await b.openAccount(b.carol, 10_000n * b.unit);
      await b.core.connect(b.admin).pause();
      const paused = (p: Promise<unknown>) => expect(p).to.be.revertedWithCustomError(b.core, "EnforcedPause");
      await paused(b.trader.connect(b.carol).trade(fresh, BTC_MARKET, wad("0.1"), MaxUint256)); // open
      await paused(b.trader.connect(b.alice).trade(id, BTC_MARKET, wad("0.1"), MaxUint256)); // increase
      await paused(b.trader.connect(b.alice).trade(id, BTC_MARKET, -wad("1.1"), 0n)); // flip
      await paused(b.trader.connect(b.alice).trade(id, ETH_MARKET, wad("1"), MaxUint256)); // another market
      await expect(b.trader.connect(b.alice).trade(id, BTC_MARKET, -wad("0.4"), 0n)).to.emit(b.core, "PositionTraded");
      await b.token.mint(b.alice.address, 100n * b.unit);
      await b.token.connect(b.alice).approve(b.core, MaxUint256);
      await expect(b.core.connect(b.alice).deposit(id, 100n * b.unit)).to.emit(b.core, "MarginDeposited");
      await expect(b.core.connect(b.alice).withdraw(id, 100n * b.unit, b.alice.address)).to.emit(
        b.core,
        "MarginWithdrawn",
      );
      await b.setPrice("BTC", 45_000);
      await expect(b.core.connect(b.keeper).liquidate(doomed, b.keeper.address)).to.emit(b.core, "AccountLiquidated");
      await expect(b.trader.connect(b.alice).closePosition(id, BTC_MARKET, 0n)).to.emit(b.core, "PositionTraded");
      expect((await b.core.getAccount(id)).activeMarkets).to.equal(0n);
      await b.core.connect(b.admin).unpause();
      await expect(b.trader.connect(b.carol).trade(fresh, BTC_MARKET, wad("0.1"), MaxUint256)).to.emit(
        b.core,
        "PositionTraded",
      );
      await expectTokenConservation(b);
    });
  });

  // ================================================================ counterparty solvency

  describe("counterparty solvency: trader profits beyond the LP ledger", () => {
    // FINDING (fails on the current core): when traders' realised profits push the LP ledger below zero, their
    // withdrawals are paid with the tokens that the insurance ledger and unclaimed keeper rewards count. DESIGN §1
    // and §5 make insurance first-loss capital for bad debt only; it must not fund the vault's side of a trade.
    it("insurance stakers and keepers can still take out their whole ledgers after a winner withdraws", async () => {
      const b = await deploy({}, 1_000n, 5_000n); // a thin vault: $1,000 of LP capital
      const loser = await withPosition(b, b.bob, 6_000n, BTC_MARKET, wad("1"));
      await b.setPrice("BTC", 45_000);
      await b.core.connect(b.keeper).liquidate(loser, b.keeper.address); // a keeper reward to claim later
      await b.setPrice("BTC", 50_000);
      const winner = await withPosition(b, b.alice, 10_000n, BTC_MARKET, wad("1"));
      await b.setPrice("BTC", 60_000); // +$10,000 for the winner, far beyond the LP ledger
      await b.trader.connect(b.alice).closePosition(winner, BTC_MARKET, 0n);
      const [vaultLedger, insuranceLedger] = await b.core.ledgers();
      expect(vaultLedger).to.be.lessThan(0n);
      const reward = await b.core.claimableRewards(b.keeper.address);
      expect(reward).to.be.greaterThan(0n);

      // The winner takes out as much as the core lets it.
      const withdrawable = (await b.core.accountHealth(winner)).withdrawable / 10n ** 12n;
      try {
        await b.core.connect(b.alice).withdraw(winner, withdrawable, b.alice.address);
      } catch {
        // A core that caps payouts at what is solvent may refuse: that is the expected fix.
      }
      await expectTokenConservation(b);
      // Insurance and keepers are still paid in full.
      const insuranceAssets = insuranceLedger / 10n ** 12n;
      await expect(
        b.core.connect(b.insuranceSigner).debitInsurance(b.insuranceSigner.address, insuranceAssets),
      ).to.emit(b.core, "InsuranceDebited");
      await expect(b.core.connect(b.keeper).claimRewards(b.keeper.address)).to.emit(b.core, "RewardsClaimed");
    });
  });
});
