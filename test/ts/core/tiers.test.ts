import { expect } from "chai";
import { network } from "hardhat";
import { BTC, deployBallast, marketParams, wad, WAD, type Tier } from "../helpers/fixture.js";
import { ceilDiv, requirements } from "../helpers/coreMath.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

/**
 * A Binance-style USDⓈ-M table: bracket caps, maintenance rates and the published maintenance amounts
 * ("MM = notional × rate − amount"), with initial rates of 125x, 100x, 75x, 50x, 25x, 20x, 10x and 4x.
 */
const BRACKETS: {
  cap: bigint;
  imr: bigint;
  mmr: bigint;
  maintenanceAmount: bigint;
}[] = [
  {
    cap: wad(50_000),
    imr: wad("0.008"),
    mmr: wad("0.004"),
    maintenanceAmount: wad(0),
  },
  {
    cap: wad(600_000),
    imr: wad("0.01"),
    mmr: wad("0.005"),
    maintenanceAmount: wad(50),
  },
  {
    cap: wad(3_000_000),
    imr: wad("0.0133"),
    mmr: wad("0.0065"),
    maintenanceAmount: wad(950),
  },
  {
    cap: wad(12_000_000),
    imr: wad("0.02"),
    mmr: wad("0.01"),
    maintenanceAmount: wad(11_450),
  },
  {
    cap: wad(70_000_000),
    imr: wad("0.04"),
    mmr: wad("0.02"),
    maintenanceAmount: wad(131_450),
  },
  {
    cap: wad(100_000_000),
    imr: wad("0.05"),
    mmr: wad("0.025"),
    maintenanceAmount: wad(481_450),
  },
  {
    cap: wad(230_000_000),
    imr: wad("0.1"),
    mmr: wad("0.05"),
    maintenanceAmount: wad(2_981_450),
  },
  {
    cap: wad(480_000_000),
    imr: wad("0.25"),
    mmr: wad("0.125"),
    maintenanceAmount: wad(20_231_450),
  },
];
const TIERS: Tier[] = BRACKETS.map((b) => ({
  notionalCap: b.cap,
  initialMarginRate: b.imr,
  maintenanceMarginRate: b.mmr,
}));

/** The initial-margin amounts, derived like the exchanges derive the maintenance ones: continuity at each cap. */
const IM_AMOUNTS: bigint[] = [];
BRACKETS.forEach((b, i) => {
  const previous = BRACKETS[i - 1];
  IM_AMOUNTS.push(previous === undefined ? 0n : IM_AMOUNTS[i - 1]! + (previous.cap * (b.imr - previous.imr)) / WAD);
});

/** The bracket a notional falls in: (cap_{i−1}, cap_i]; the last one also takes everything above its cap. */
function bracketOf(notional: bigint): number {
  const i = BRACKETS.findIndex((b) => notional <= b.cap);
  return i === -1 ? BRACKETS.length - 1 : i;
}

/** "notional × rate − amount", the product rounded up to the wei (requirements round up). */
function tableRequirements(notional: bigint) {
  const i = bracketOf(notional);
  const b = BRACKETS[i]!;
  return {
    im: ceilDiv(notional * b.imr, WAD) - IM_AMOUNTS[i]!,
    mm: ceilDiv(notional * b.mmr, WAD) - b.maintenanceAmount,
  };
}

/** Lists the table as market 2; the liquidation fee must be below the lowest maintenance rate (0.4%). */
async function tieredFixture() {
  const b = await deployBallast(ethers, {
    risk: { liquidationFeeRate: wad("0.003") },
  });
  await b.core.connect(b.admin).listMarket(marketParams(BTC), TIERS);
  return { ...b, market: 2n };
}
const defaultFixture = () => deployBallast(ethers);

describe("BallastCore — progressive margin tiers (Binance-style table)", () => {
  it("the published maintenance amounts follow from continuity at each cap", () => {
    // amount_i = amount_{i−1} + cap_{i−1} × (mmr_i − mmr_{i−1}): a check of the table itself.
    for (let i = 1; i < BRACKETS.length; i++) {
      const [previous, current] = [BRACKETS[i - 1]!, BRACKETS[i]!];
      expect(current.maintenanceAmount * WAD).to.equal(
        previous.maintenanceAmount * WAD + previous.cap * (current.mmr - previous.mmr),
      );
    }
    expect(IM_AMOUNTS).to.deep.equal([
      0n,
      wad(100),
      wad(2_080),
      wad(22_180),
      wad(262_180),
      wad(962_180),
      wad(5_962_180),
      wad(40_462_180),
    ]);
  });

  it("cannot be listed while the liquidation fee (0.5%) is not below its lowest maintenance rate (0.4%)", async () => {
    const { core, admin, governanceLogic } = await loadFixture(defaultFixture);
    await expect(core.connect(admin).listMarket(marketParams(BTC), TIERS))
      .to.be.revertedWithCustomError(governanceLogic, "LiquidationFeeNotBelowMaintenance")
      .withArgs(wad("0.005"), wad("0.004"));
  });

  it("stores the table as given", async () => {
    const { core, market } = await loadFixture(tieredFixture);
    const [, , stored] = await core.getMarket(market);
    expect(stored.map((t) => [t.notionalCap, t.initialMarginRate, t.maintenanceMarginRate])).to.deep.equal(
      BRACKETS.map((b) => [b.cap, b.imr, b.mmr]),
    );
  });

  it("MM = notional × rate − maintenance amount at, 1 wei below and 1 wei above every bracket edge", async () => {
    const { core, market } = await loadFixture(tieredFixture);
    const points: bigint[] = [0n, 1n, wad(1), wad(10_000)];
    for (const b of BRACKETS) points.push(b.cap - 1n, b.cap, b.cap + 1n);
    points.push(wad(1_000_000_000), wad(10_000_000_000));
    for (const notional of points) {
      const [im, mm] = await core.marginRequirements(market, notional);
      const table = tableRequirements(notional);
      expect(mm, `MM at ${notional}`).to.equal(table.mm);
      expect(im, `IM at ${notional}`).to.equal(table.im);
      // The same as the progressive sum of DESIGN §3.
      expect([im, mm], `progressive at ${notional}`).to.deep.equal([
        requirements(TIERS, notional).im,
        requirements(TIERS, notional).mm,
      ]);
    }
  });

  it("the two brackets meeting at an edge agree there (the requirement is continuous)", async () => {
    const { core, market } = await loadFixture(tieredFixture);
    for (let i = 0; i + 1 < BRACKETS.length; i++) {
      const [lower, upper] = [BRACKETS[i]!, BRACKETS[i + 1]!];
      const edge = lower.cap;
      const [, mm] = await core.marginRequirements(market, edge);
      expect(mm).to.equal((edge * lower.mmr) / WAD - lower.maintenanceAmount);
      expect(mm).to.equal((edge * upper.mmr) / WAD - upper.maintenanceAmount);
      // One wei above the edge costs the upper bracket's rate on that wei, rounded up to 1 wei.
      const [, above] = await core.marginRequirements(market, edge + 1n);
      expect(above - mm).to.equal(1n);
    }
  });

  it("worked values: 1,000,000 USD needs MM 5,550 and IM 11,220; 100,000,000 USD needs MM 2,018,550", async () => {
    const { core, market } = await loadFixture(tieredFixture);
    // 1,000,000 × 0.65% − 950 = 5,550; 1,000,000 × 1.33% − 2,080 = 11,220.
    expect(await core.marginRequirements(market, wad(1_000_000))).to.deep.equal([wad(11_220), wad(5_550)]);
    // 100,000,000 × 2.5% − 481,450 = 2,018,550.
    const [, mm] = await core.marginRequirements(market, wad(100_000_000));
    expect(mm).to.equal(wad(2_018_550));
  });
});
