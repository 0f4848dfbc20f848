import { expect } from "chai";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { encodeBytes32String, MaxUint256, ZeroHash } from "ethers";
import {
  BTC,
  DEFAULT_RISK,
  deployBallast,
  ETH,
  marketParams,
  SIMPLE_TIERS,
  wad,
  WAD,
  BTC_MARKET,
  ETH_MARKET,
  type MarketParamsInput,
  type RiskParamsInput,
  type Tier,
} from "../helpers/fixture.js";
import { ceilDiv, requirements } from "../helpers/coreMath.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const USDC = 10n ** 6n;
const DAY = 86_400n;
const MAX_UINT128 = 2n ** 128n - 1n;
const MAX_USD_FLOOR = 10n ** 24n;
const MAX_FUNDING_RATE = WAD / DAY; // 11,574,074,074,074
const MAX_RAMP = 30n * DAY;

/** A table whose maintenance rate (20%) is above every allowed liquidation fee. */
const HIGH_TIERS: Tier[] = [
  {
    notionalCap: wad(1_000_000_000),
    initialMarginRate: wad("0.4"),
    maintenanceMarginRate: wad("0.2"),
  },
];
/** The worked example's table with maintenance raised from 5% to 10%. */
const RAISED_TIERS: Tier[] = [
  {
    notionalCap: wad(1_000_000_000),
    initialMarginRate: wad("0.2"),
    maintenanceMarginRate: wad("0.1"),
  },
];

const baseFixture = () => deployBallast(ethers);
/** A liquidation fee of 2% with no keeper share: self-liquidation stays dearer than any taker fee up to the 1% bound. */
const feeBoundsFixture = () =>
  deployBallast(ethers, { risk: { liquidationFeeRate: wad("0.02"), keeperRewardShare: 0n } });
const highMaintenanceFixture = () => deployBallast(ethers, { btcTiers: HIGH_TIERS, ethTiers: HIGH_TIERS });
/** BTC ramps margin changes in over a day; ETH's table is high enough not to constrain the liquidation fee. */
const rampFixture = async () => {
  const b = await deployBallast(ethers, {
    btcParams: { marginRampDuration: DAY },
    ethTiers: HIGH_TIERS,
  });
  // Something open in BTC: a table change in a market with open interest ramps (in an empty one it applies at once).
  const bystander = await b.openAccount(b.carol, 10_000n * b.unit);
  await b.trader.connect(b.carol).trade(bystander, BTC_MARKET, wad("0.01"), ethers.MaxUint256);
  return b;
};

const name = (s: string) => encodeBytes32String(s);
const tier = (cap: bigint, imr: bigint, mmr: bigint): Tier => ({
  notionalCap: cap,
  initialMarginRate: imr,
  maintenanceMarginRate: mmr,
});

/** Interpolation per DESIGN §1: linear in time, rounded up (a requirement). */
function interpolate(from: bigint, to: bigint, elapsed: bigint, duration: bigint): bigint {
  if (elapsed >= duration) return to;
  return to >= from ? from + ceilDiv((to - from) * elapsed, duration) : from - ((from - to) * elapsed) / duration;
}

describe("BallastCore — governance", () => {
  describe("access control", () => {
    it("every setter rejects a stranger with AccessControlUnauthorizedAccount", async () => {
      const { core, oracle, carol: stranger } = await loadFixture(baseFixture);
      const risk = await core.RISK_MANAGER_ROLE();
      const pauser = await core.PAUSER_ROLE();
      const admin = await core.DEFAULT_ADMIN_ROLE();
      expect(admin).to.equal(ZeroHash);
      const s = core.connect(stranger);
      const calls: [string, () => Promise<unknown>, string][] = [
        ["listMarket", () => s.listMarket(marketParams(BTC), SIMPLE_TIERS), risk],
        ["setMarketParams", () => s.setMarketParams(BTC_MARKET, marketParams(BTC)), risk],
        ["setMarginTiers", () => s.setMarginTiers(BTC_MARKET, SIMPLE_TIERS), risk],
        ["setRiskParams", () => s.setRiskParams(DEFAULT_RISK), risk],
        ["setOracle", () => s.setOracle(oracle), admin],
        ["initializePools", () => s.initializePools(stranger.address, stranger.address), admin],
        ["pause", () => s.pause(), pauser],
        ["unpause", () => s.unpause(), pauser],
        ["grantRole", () => s.grantRole(risk, stranger.address), admin],
      ];
      for (const [, call, role] of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(core, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, role);
      }
    });

    it("the admin grants roles; a granted pauser pauses and unpauses", async () => {
      const { core, admin, carol } = await loadFixture(baseFixture);
      const pauser = await core.PAUSER_ROLE();
      await expect(core.connect(admin).grantRole(pauser, carol.address))
        .to.emit(core, "RoleGranted")
        .withArgs(pauser, carol.address, admin.address);
      await expect(core.connect(carol).pause()).to.emit(core, "Paused").withArgs(carol.address);
      expect(await core.paused()).to.equal(true);
      await expect(core.connect(carol).unpause()).to.emit(core, "Unpaused").withArgs(carol.address);
      expect(await core.paused()).to.equal(false);
    });

    it("setOracle replaces the adapter (not with the zero address)", async () => {
      const { core, admin } = await loadFixture(baseFixture);
      const other = await ethers.deployContract("OracleAdapter", [admin.address]);
      await expect(core.connect(admin).setOracle(other))
        .to.emit(core, "OracleSet")
        .withArgs(await other.getAddress());
      expect(await core.oracle()).to.equal(await other.getAddress());
      await expect(core.connect(admin).setOracle(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        core,
        "ZeroAddress",
      );
    });

    it("initializePools runs once: AlreadyInitialized", async () => {
      const { core, admin, vaultSigner, insuranceSigner } = await loadFixture(baseFixture);
      expect(await core.vault()).to.equal(vaultSigner.address);
      expect(await core.insurancePool()).to.equal(insuranceSigner.address);
      await expect(core.connect(admin).initializePools(admin.address, admin.address)).to.be.revertedWithCustomError(
        core,
        "AlreadyInitialized",
      );
    });

    it("TooManyMarkets: the 65th listing reverts", async () => {
      const { core, admin } = await loadFixture(baseFixture);
      for (let i = 2; i < 64; i++) await core.connect(admin).listMarket(marketParams(ETH), SIMPLE_TIERS);
      expect(await core.marketCount()).to.equal(64n);
      expect(await core.MAX_MARKETS()).to.equal(64n);
      await expect(core.connect(admin).listMarket(marketParams(ETH), SIMPLE_TIERS))
        .to.be.revertedWithCustomError(core, "TooManyMarkets")
        .withArgs(64n);
      // Market 63 (the last bit of the bitmap) is usable.
      expect(await core.marginRequirements(63, wad(1_000))).to.deep.equal([wad(100), wad(50)]);
      await expect(core.marginRequirements(64, wad(1_000)))
        .to.be.revertedWithCustomError(core, "MarketNotListed")
        .withArgs(64n);
    });
  });

  describe("market parameter bounds", () => {
    // [parameter, accepted value at the bound, value one past, min, max]; the maker rate is checked against
    // a taker rate of 0.5%.
    const cases: [keyof MarketParamsInput, bigint, bigint, bigint, bigint][] = [
      ["maxOpenInterestPerSide", 1n, 0n, 1n, MAX_UINT128],
      ["minPositionNotional", MAX_USD_FLOOR, MAX_USD_FLOOR + 1n, 0n, MAX_USD_FLOOR],
      ["takerFeeRate", wad("0.01"), wad("0.01") + 1n, 0n, wad("0.01")],
      ["makerFeeRate", wad("0.005"), wad("0.005") + 1n, 0n, wad("0.005")],
      ["maxFundingRatePerSecond", MAX_FUNDING_RATE, MAX_FUNDING_RATE + 1n, 0n, MAX_FUNDING_RATE],
      ["marginRampDuration", MAX_RAMP, MAX_RAMP + 1n, 0n, MAX_RAMP],
    ];
    for (const [parameter, atBound, past, min, max] of cases) {
      it(`${parameter}: ${atBound} accepted, ${past} reverts`, async () => {
        const { core, admin, governanceLogic } = await loadFixture(feeBoundsFixture);
        const base = parameter === "makerFeeRate" ? { takerFeeRate: wad("0.005") } : {};
        const good = marketParams(BTC, { ...base, [parameter]: atBound });
        await expect(core.connect(admin).setMarketParams(BTC_MARKET, good)).to.emit(core, "MarketParamsSet");
        const [params] = await core.getMarket(BTC_MARKET);
        expect(params[parameter]).to.equal(atBound);
        const bad = marketParams(BTC, { ...base, [parameter]: past });
        await expect(core.connect(admin).setMarketParams(BTC_MARKET, bad))
          .to.be.revertedWithCustomError(governanceLogic, "ParameterOutOfBounds")
          .withArgs(name(parameter), past, min, max);
        await expect(core.connect(admin).listMarket(bad, SIMPLE_TIERS))
          .to.be.revertedWithCustomError(governanceLogic, "ParameterOutOfBounds")
          .withArgs(name(parameter), past, min, max);
      });
    }

    it("maxOpenInterestPerSide accepts the uint128 maximum; feedId must be non-zero", async () => {
      const { core, admin, governanceLogic } = await loadFixture(baseFixture);
      await core.connect(admin).setMarketParams(BTC_MARKET, marketParams(BTC, { maxOpenInterestPerSide: MAX_UINT128 }));
      await expect(core.connect(admin).setMarketParams(BTC_MARKET, marketParams(ZeroHash)))
        .to.be.revertedWithCustomError(governanceLogic, "ParameterOutOfBounds")
        .withArgs(name("feedId"), 0n, 1n, MaxUint256);
      await expect(core.connect(admin).listMarket(marketParams(ZeroHash), SIMPLE_TIERS))
        .to.be.revertedWithCustomError(governanceLogic, "ParameterOutOfBounds")
        .withArgs(name("feedId"), 0n, 1n, MaxUint256);
      await expect(core.connect(admin).setMarketParams(2, marketParams(BTC)))
        .to.be.revertedWithCustomError(core, "MarketNotListed")
        .withArgs(2n);
    });

    it("listMarket emits MarketListed and MarginTiersSet and starts the market at once", async () => {
      const { core, admin } = await loadFixture(baseFixture);
      const tx = core.connect(admin).listMarket(marketParams(ETH, { takerFeeRate: 7n }), RAISED_TIERS);
      await expect(tx).to.emit(core, "MarketListed").withArgs(2n, anyValue);
      const block = await ethers.provider.getBlock("latest");
      await expect(tx).to.emit(core, "MarginTiersSet").withArgs(2n, anyValue, block!.timestamp, block!.timestamp);
      const [params, state, tiers] = await core.getMarket(2);
      expect(params.takerFeeRate).to.equal(7n);
      expect(state.lastFundingTime).to.equal(BigInt(block!.timestamp));
      expect(tiers.map((t) => [t.notionalCap, t.initialMarginRate, t.maintenanceMarginRate])).to.deep.equal([
        [wad(1_000_000_000), wad("0.2"), wad("0.1")],
      ]);
      expect(await core.marginRequirements(2, wad(1_000))).to.deep.equal([wad(200), wad(100)]);
    });
  });

  describe("risk parameter bounds", () => {
    const cases: [keyof RiskParamsInput, bigint, bigint, bigint, bigint][] = [
      ["keeperRewardShare", WAD, WAD + 1n, 0n, WAD],
      ["liquidationBuffer", WAD, WAD + 1n, 0n, WAD],
      ["fullLiquidationHealthFactor", WAD - 1n, WAD, 0n, WAD - 1n],
      ["minRemainingNotional", MAX_USD_FLOOR, MAX_USD_FLOOR + 1n, 0n, MAX_USD_FLOOR],
      ["insuranceFeeShare", WAD, WAD + 1n, 0n, WAD],
      ["vaultReserveFactor", WAD, WAD + 1n, 0n, WAD],
    ];
    for (const [parameter, atBound, past, min, max] of cases) {
      it(`${parameter}: ${atBound} accepted, ${past} reverts`, async () => {
        const { core, admin, governanceLogic } = await loadFixture(baseFixture);
        const good = { ...DEFAULT_RISK, [parameter]: atBound };
        await expect(core.connect(admin).setRiskParams(good)).to.emit(core, "RiskParamsSet");
        expect((await core.riskParams())[parameter]).to.equal(atBound);
        await expect(core.connect(admin).setRiskParams({ ...DEFAULT_RISK, [parameter]: past }))
          .to.be.revertedWithCustomError(governanceLogic, "ParameterOutOfBounds")
          .withArgs(name(parameter), past, min, max);
      });
    }

    it("liquidationFeeRate: 1 wei accepted, 0 reverts", async () => {
      const { core, admin, governanceLogic } = await loadFixture(baseFixture);
      await core.connect(admin).setRiskParams({ ...DEFAULT_RISK, liquidationFeeRate: 1n });
      expect((await core.riskParams()).liquidationFeeRate).to.equal(1n);
      await expect(core.connect(admin).setRiskParams({ ...DEFAULT_RISK, liquidationFeeRate: 0n }))
        .to.be.revertedWithCustomError(governanceLogic, "ParameterOutOfBounds")
        .withArgs(name("liquidationFeeRate"), 0n, 1n, wad("0.1"));
    });

    it("liquidationFeeRate: 10% accepted (markets at 20% maintenance), 10% + 1 wei reverts", async () => {
      const { core, admin, governanceLogic } = await loadFixture(highMaintenanceFixture);
      await core.connect(admin).setRiskParams({ ...DEFAULT_RISK, liquidationFeeRate: wad("0.1") });
      expect((await core.riskParams()).liquidationFeeRate).to.equal(wad("0.1"));
      await expect(
        core.connect(admin).setRiskParams({
          ...DEFAULT_RISK,
          liquidationFeeRate: wad("0.1") + 1n,
        }),
      )
        .to.be.revertedWithCustomError(governanceLogic, "ParameterOutOfBounds")
        .withArgs(name("liquidationFeeRate"), wad("0.1") + 1n, 1n, wad("0.1"));
    });

    it("the constructor checks the bounds too", async () => {
      const { token, oracle, admin, governanceLogic, vaultAccounting, liquidationLogic } =
        await loadFixture(baseFixture);
      const factory = await ethers.getContractFactory("BallastCore", {
        libraries: {
          GovernanceLogic: await governanceLogic.getAddress(),
          VaultAccounting: await vaultAccounting.getAddress(),
          LiquidationLogic: await liquidationLogic.getAddress(),
        },
      });
      await expect(
        factory.deploy(token, oracle, admin.address, {
          ...DEFAULT_RISK,
          insuranceFeeShare: WAD + 1n,
        }),
      )
        .to.be.revertedWithCustomError(governanceLogic, "ParameterOutOfBounds")
        .withArgs(name("insuranceFeeShare"), WAD + 1n, 0n, WAD);
    });

    it("LiquidationFeeNotBelowMaintenance in setRiskParams: fee must stay below every market's lowest MM rate", async () => {
      const { core, admin, governanceLogic } = await loadFixture(baseFixture);
      await expect(core.connect(admin).setRiskParams({ ...DEFAULT_RISK, liquidationFeeRate: wad("0.05") }))
        .to.be.revertedWithCustomError(governanceLogic, "LiquidationFeeNotBelowMaintenance")
        .withArgs(wad("0.05"), wad("0.05"));
      await core.connect(admin).setRiskParams({
        ...DEFAULT_RISK,
        liquidationFeeRate: wad("0.05") - 1n,
      });
      expect((await core.riskParams()).liquidationFeeRate).to.equal(wad("0.05") - 1n);
    });
  });

  describe("margin tier validation", () => {
    const cap = wad(100_000);
    const ok = tier(cap, wad("0.1"), wad("0.05"));
    const cases: [string, Tier[], string, unknown[]][] = [
      ["no tiers", [], "InvalidTierCount", [0n, 8n]],
      [
        "9 tiers",
        Array.from({ length: 9 }, (_, i) => tier(cap * BigInt(i + 1), wad("0.1"), wad("0.05"))),
        "InvalidTierCount",
        [9n, 8n],
      ],
      ["a zero first cap", [tier(0n, wad("0.1"), wad("0.05"))], "TierCapsNotIncreasing", [0n, 0n, 0n]],
      ["equal caps", [ok, tier(cap, wad("0.1"), wad("0.05"))], "TierCapsNotIncreasing", [1n, cap, cap]],
      ["decreasing caps", [ok, tier(cap - 1n, wad("0.2"), wad("0.1"))], "TierCapsNotIncreasing", [1n, cap, cap - 1n]],
      ["a decreasing IM rate", [ok, tier(2n * cap, wad("0.1") - 1n, wad("0.05"))], "TierRatesDecreasing", [1n]],
      ["a decreasing MM rate", [ok, tier(2n * cap, wad("0.1"), wad("0.05") - 1n)], "TierRatesDecreasing", [1n]],
      ["imr == mmr", [tier(cap, wad("0.05"), wad("0.05"))], "InvalidTierRates", [0n, wad("0.05"), wad("0.05")]],
      ["imr < mmr", [tier(cap, wad("0.04"), wad("0.05"))], "InvalidTierRates", [0n, wad("0.04"), wad("0.05")]],
      ["mmr == 0", [tier(cap, wad("0.1"), 0n)], "InvalidTierRates", [0n, wad("0.1"), 0n]],
      ["imr > 100%", [tier(cap, WAD + 1n, wad("0.5"))], "InvalidTierRates", [0n, WAD + 1n, wad("0.5")]],
      [
        "bad rates in bracket 1",
        [ok, tier(2n * cap, wad("0.1"), wad("0.1"))],
        "InvalidTierRates",
        [1n, wad("0.1"), wad("0.1")],
      ],
      [
        "mmr == liquidation fee (0.5%)",
        [tier(cap, wad("0.01"), wad("0.005"))],
        "LiquidationFeeNotBelowMaintenance",
        [wad("0.005"), wad("0.005")],
      ],
    ];
    for (const [label, tiers, error, args] of cases) {
      it(`rejects ${label} with ${error}`, async () => {
        const { core, admin, governanceLogic } = await loadFixture(baseFixture);
        await expect(core.connect(admin).setMarginTiers(ETH_MARKET, tiers))
          .to.be.revertedWithCustomError(governanceLogic, error)
          .withArgs(...args);
        await expect(core.connect(admin).listMarket(marketParams(ETH), tiers))
          .to.be.revertedWithCustomError(governanceLogic, error)
          .withArgs(...args);
      });
    }

    it("accepts the limits: 8 tiers, equal rates across brackets, imr = 100%, mmr just above the fee", async () => {
      const { core, admin } = await loadFixture(baseFixture);
      const eight = Array.from({ length: 8 }, (_, i) => tier(wad(1_000) * BigInt(i + 1), WAD, wad("0.005") + 1n));
      await core.connect(admin).setMarginTiers(ETH_MARKET, eight);
      const [, , stored] = await core.getMarket(ETH_MARKET);
      expect(stored.length).to.equal(8);
      // ETH ramps over 0 s: the new table is in force at once. 8,500 USD: 100% IM; MM (0.5% + 1 wei) rounded up.
      expect(await core.marginRequirements(ETH_MARKET, wad(8_500))).to.deep.equal([
        wad(8_500),
        ceilDiv(wad(8_500) * (wad("0.005") + 1n), WAD),
      ]);
      await core.connect(admin).setMarginTiers(ETH_MARKET, SIMPLE_TIERS); // no RampInProgress with no ramp
    });
  });

  describe("margin ramp", () => {
    it("interpolates from the old table to the new one, rounding up, over marginRampDuration", async () => {
      const { core, admin } = await loadFixture(rampFixture);
      const t0 = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(t0);
      await expect(core.connect(admin).setMarginTiers(BTC_MARKET, RAISED_TIERS))
        .to.emit(core, "MarginTiersSet")
        .withArgs(BTC_MARKET, anyValue, t0, t0 + DAY);
      const [previous, start, end] = await core.marginRamp(BTC_MARKET);
      expect(previous.map((t) => t.maintenanceMarginRate)).to.deep.equal([wad("0.05")]);
      expect([start, end]).to.deep.equal([t0, t0 + DAY]);

      const odd = 12_345_678_901_234_567_890_123n; // 12,345.678… USD
      // Right after the change (same block): the old requirement.
      expect(await core.marginRequirements(BTC_MARKET, wad(50_000))).to.deep.equal([wad(5_000), wad(2_500)]);
      expect(await core.marginRequirements(BTC_MARKET, odd)).to.deep.equal([
        requirements(SIMPLE_TIERS, odd).im,
        requirements(SIMPLE_TIERS, odd).mm,
      ]);
      for (const elapsed of [12_345n, DAY / 2n, DAY - 1n, DAY, DAY + 1n]) {
        await time.increaseTo(t0 + elapsed);
        const mm = ceilDiv(wad(2_500) * elapsed, DAY) + wad(2_500);
        const expected =
          elapsed >= DAY ? [wad(10_000), wad(5_000)] : [wad(5_000) + ceilDiv(wad(5_000) * elapsed, DAY), mm];
        expect(await core.marginRequirements(BTC_MARKET, wad(50_000))).to.deep.equal(expected);
        const o = [requirements(SIMPLE_TIERS, odd), requirements(RAISED_TIERS, odd)] as const;
        expect(await core.marginRequirements(BTC_MARKET, odd)).to.deep.equal([
          interpolate(o[0].im, o[1].im, elapsed, DAY),
          interpolate(o[0].mm, o[1].mm, elapsed, DAY),
        ]);
      }
      // Halfway, exactly: 7,500 and 3,750.
      expect(interpolate(wad(2_500), wad(5_000), DAY / 2n, DAY)).to.equal(wad(3_750));
    });

    it("a lowering ramp rounds the requirement up too (subtracts the rounded-down part)", async () => {
      const { core, admin } = await loadFixture(rampFixture);
      await core.connect(admin).setMarginTiers(BTC_MARKET, RAISED_TIERS);
      await time.increase(DAY);
      const t1 = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(t1);
      await core.connect(admin).setMarginTiers(BTC_MARKET, SIMPLE_TIERS);
      await time.increaseTo(t1 + 1_000n);
      // MM from 5,000 down to 2,500: 5,000 − ⌊2,500 × 1,000 / 86,400⌋ (28.9351… → keeps the higher value).
      const mm = wad(5_000) - (wad(2_500) * 1_000n) / DAY;
      const im = wad(10_000) - (wad(5_000) * 1_000n) / DAY;
      expect(await core.marginRequirements(BTC_MARKET, wad(50_000))).to.deep.equal([im, mm]);
    });

    it("an account healthy before a raise is not liquidatable in the same block; the ramp phases it in", async () => {
      const { core, admin, alice, keeper, openAccount, setPrice, trader } = await loadFixture(rampFixture);
      const id = await openAccount(alice, 5_000n * USDC);
      await trader.connect(alice).trade(id, BTC_MARKET, wad(1), wad(50_000));
      await setPrice("BTC", 48_000);
      // equity 3,000 > MM 2,400; under the new table MM would be 4,800.
      expect((await core.accountHealth(id)).maintenanceMargin).to.equal(wad(2_400));

      // The raise and a keeper's liquidation in the same block: the liquidation fails.
      await ethers.provider.send("evm_setAutomine", [false]);
      let raiseHash: string;
      let liquidateHash: string;
      try {
        raiseHash = (await core.connect(admin).setMarginTiers(BTC_MARKET, RAISED_TIERS, { gasLimit: 2_000_000 })).hash;
        liquidateHash = (await core.connect(keeper).liquidate(id, keeper.address, { gasLimit: 5_000_000 })).hash;
        await networkHelpers.mine();
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      const raise = await ethers.provider.getTransactionReceipt(raiseHash);
      const liquidation = await ethers.provider.getTransactionReceipt(liquidateHash);
      expect(raise!.status).to.equal(1);
      expect(liquidation!.status).to.equal(0);
      expect(liquidation!.blockNumber).to.equal(raise!.blockNumber);
      expect(liquidation!.index).to.be.greaterThan(raise!.index);
      // Replayed on that block's state and timestamp, the liquidation reverts because the account is healthy.
      await expect(
        core.connect(keeper).liquidate.staticCall(id, keeper.address, {
          blockTag: raise!.blockNumber,
        }),
      )
        .to.be.revertedWithCustomError(core, "AccountNotLiquidatable")
        .withArgs(id, wad(3_000), wad(2_400));
      const t0 = BigInt((await ethers.provider.getBlock(raise!.blockNumber))!.timestamp);
      let health = await core.accountHealth(id);
      expect([health.equity, health.maintenanceMargin, health.liquidatable]).to.deep.equal([
        wad(3_000),
        wad(2_400),
        false,
      ]);

      // MM(t) = 2,400 + ⌈2,400 × t / 1 day⌉ reaches 3,000 at t = 6 h exactly.
      await time.setNextBlockTimestamp(t0 + 21_599n);
      await setPrice("BTC", 48_000);
      health = await core.accountHealth(id);
      expect(health.maintenanceMargin).to.equal(wad(2_400) + ceilDiv(wad(2_400) * 21_599n, DAY));
      expect(health.liquidatable).to.equal(false);
      await time.setNextBlockTimestamp(t0 + 21_600n);
      await setPrice("BTC", 48_000);
      health = await core.accountHealth(id);
      expect([health.maintenanceMargin, health.liquidatable]).to.deep.equal([wad(3_000), true]);
    });

    it("RampInProgress until the ramp's end; accepted at the end", async () => {
      const { core, admin } = await loadFixture(rampFixture);
      const t0 = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(t0);
      await core.connect(admin).setMarginTiers(BTC_MARKET, RAISED_TIERS);
      await expect(core.connect(admin).setMarginTiers(BTC_MARKET, SIMPLE_TIERS))
        .to.be.revertedWithCustomError(core, "RampInProgress")
        .withArgs(BTC_MARKET, t0 + DAY);
      await time.setNextBlockTimestamp(t0 + DAY - 1n);
      await expect(core.connect(admin).setMarginTiers(BTC_MARKET, SIMPLE_TIERS))
        .to.be.revertedWithCustomError(core, "RampInProgress")
        .withArgs(BTC_MARKET, t0 + DAY);
      await time.setNextBlockTimestamp(t0 + DAY);
      await expect(core.connect(admin).setMarginTiers(BTC_MARKET, SIMPLE_TIERS))
        .to.emit(core, "MarginTiersSet")
        .withArgs(BTC_MARKET, anyValue, t0 + DAY, t0 + 2n * DAY);
      // ETH ramps over 0 s: never in progress.
      await core.connect(admin).setMarginTiers(ETH_MARKET, SIMPLE_TIERS);
      await core.connect(admin).setMarginTiers(ETH_MARKET, HIGH_TIERS);
      expect(await core.marginRequirements(ETH_MARKET, wad(1_000))).to.deep.equal([wad(400), wad(200)]);
    });

    it("while a ramp runs, the liquidation fee must also stay below the old table's maintenance rate", async () => {
      const { core, admin, governanceLogic } = await loadFixture(rampFixture);
      await core.connect(admin).setMarginTiers(BTC_MARKET, RAISED_TIERS); // 5% → 10%
      await expect(core.connect(admin).setRiskParams({ ...DEFAULT_RISK, liquidationFeeRate: wad("0.07") }))
        .to.be.revertedWithCustomError(governanceLogic, "LiquidationFeeNotBelowMaintenance")
        .withArgs(wad("0.07"), wad("0.05"));
      await time.increase(DAY);
      await expect(core.connect(admin).setRiskParams({ ...DEFAULT_RISK, liquidationFeeRate: wad("0.07") })).to.emit(
        core,
        "RiskParamsSet",
      );
    });
  });
});
