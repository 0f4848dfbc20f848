/**
 * Worked examples of the SDK margin math (sdk/src/math), each with exact expected values, plus a few SDK-only
 * properties that the libraries' doc comments promise. Where cheap, the contract (MathHarness) is asked too.
 */
import { expect } from "chai";
import { network } from "hardhat";
import fc from "fast-check";
import { Interface } from "ethers";
import {
  accruedFunding,
  applyFill,
  BASIS_UNIT,
  applyFraction,
  type ClosingPosition,
  closeFillPrice,
  fillPrice,
  fundingRate,
  healthFactor,
  isLiquidatable,
  maintenanceRateAt,
  marginRatio,
  minimalFraction,
  MAX_TIERS,
  MAX_UINT256,
  nextIndex,
  notional,
  requirements,
  targetEquity,
  tradingFee,
  unrealisedPnl,
  validate,
  WAD,
  withdrawableMargin,
  type MarginTier,
} from "../../../sdk/src/math/index.js";
import {
  BallastMathError,
  FillPriceNotPositiveError,
  InvalidTierCountError,
  InvalidTierRatesError,
} from "../../../sdk/src/errors.js";

const { ethers } = await network.create();
const harness = await ethers.deployContract("MathHarness");

/** Whole USD (or whole base units) → WAD. */
const usd = (x: bigint): bigint => x * WAD;
/** Basis points → WAD rate. */
const bps = (x: bigint): bigint => x * 10n ** 14n;
/** ⌈a / b⌉ for a ≥ 0, b > 0: an independent reference, not the SDK's. */
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

describe("SDK math: worked examples", () => {
  describe("(a) one tier, 10% initial / 5% maintenance", () => {
    const TIERS: MarginTier[] = [
      { notionalCap: usd(1_000_000_000n), initialMarginRate: bps(1000n), maintenanceMarginRate: bps(500n) },
    ];

    it("opening needs exactly 10% of notional; maintenance is 5%", async () => {
      const opened = applyFill(0n, 0n, usd(2n), usd(50_000n)); // buy 2 BTC at 50,000
      expect(opened).to.deep.equal({ newSize: usd(2n), newOpenNotional: usd(100_000n), realisedPnl: 0n });
      const positionNotional = notional(opened.newSize, usd(50_000n));
      expect(positionNotional).to.equal(usd(100_000n));
      const { initialMargin, maintenanceMargin } = requirements(TIERS, positionNotional);
      expect(initialMargin).to.equal(usd(10_000n));
      expect(maintenanceMargin).to.equal(usd(5_000n));
      expect(await harness.requirements(TIERS, positionNotional)).to.deep.equal([usd(10_000n), usd(5_000n)]);

      // With margin = IM exactly, nothing can be withdrawn; one more wei of margin frees one wei.
      expect(withdrawableMargin(usd(10_000n), usd(10_000n), initialMargin)).to.equal(0n);
      expect(withdrawableMargin(usd(10_000n) + 1n, usd(10_000n) + 1n, initialMargin)).to.equal(1n);
      // Unrealised profit supports margin but does not leave: margin 10,000 + PnL 5,000 → only 5,000 out.
      expect(withdrawableMargin(usd(10_000n), usd(15_000n), initialMargin)).to.equal(usd(5_000n));
      // Requirements round up: 1 wei of notional needs 1 wei of IM and of MM.
      expect(requirements(TIERS, 1n)).to.deep.equal({ initialMargin: 1n, maintenanceMargin: 1n });
    });

    it("a long is liquidatable exactly where equity = 5% of position value (and 1 wei above, by rounding)", () => {
      // Long 1 BTC at 50,000 with 12,000 margin: equity(P) = 12,000 + P − 50,000 = 0.05 × P at P = 40,000.
      const size = usd(1n);
      const openNotional = usd(50_000n);
      const margin = usd(12_000n);
      const at = (markPrice: bigint) => {
        const equity = margin + unrealisedPnl(size, openNotional, markPrice);
        const { maintenanceMargin } = requirements(TIERS, notional(size, markPrice));
        return { equity, maintenanceMargin, liquidatable: isLiquidatable(equity, maintenanceMargin) };
      };
      expect(at(usd(40_000n))).to.deep.equal({
        equity: usd(2_000n),
        maintenanceMargin: usd(2_000n),
        liquidatable: true,
      });
      expect(healthFactor(usd(2_000n), usd(2_000n))).to.equal(WAD);
      expect(marginRatio(usd(2_000n), usd(2_000n))).to.equal(WAD);
      expect(at(usd(39_999n)).liquidatable).to.equal(true);
      // 1 wei above the line, MM (0.05 wei more, rounded up) still equals equity: rounding is against the trader.
      expect(at(usd(40_000n) + 1n)).to.deep.equal({
        equity: usd(2_000n) + 1n,
        maintenanceMargin: usd(2_000n) + 1n,
        liquidatable: true,
      });
      expect(at(usd(40_000n) + 2n)).to.deep.equal({
        equity: usd(2_000n) + 2n,
        maintenanceMargin: usd(2_000n) + 1n,
        liquidatable: false,
      });
      expect(at(usd(40_001n)).liquidatable).to.equal(false);
    });

    it("a short is liquidatable exactly where equity = 5% of position value", () => {
      // Short 1 BTC at 50,000 with 13,000 margin: equity(P) = 13,000 + 50,000 − P = 0.05 × P at P = 60,000.
      const { newSize, newOpenNotional } = applyFill(0n, 0n, -usd(1n), usd(50_000n));
      expect([newSize, newOpenNotional]).to.deep.equal([-usd(1n), -usd(50_000n)]);
      const at = (markPrice: bigint) => {
        const equity = usd(13_000n) + unrealisedPnl(newSize, newOpenNotional, markPrice);
        return { equity, maintenanceMargin: requirements(TIERS, notional(newSize, markPrice)).maintenanceMargin };
      };
      expect(at(usd(60_000n))).to.deep.equal({ equity: usd(3_000n), maintenanceMargin: usd(3_000n) });
      expect(isLiquidatable(usd(3_000n), usd(3_000n))).to.equal(true);
      // 1 wei lower: equity + 1 wei, MM = ⌈3,000 − 0.05 wei⌉ = 3,000 → healthy.
      expect(at(usd(60_000n) - 1n)).to.deep.equal({ equity: usd(3_000n) + 1n, maintenanceMargin: usd(3_000n) });
      expect(isLiquidatable(usd(3_000n) + 1n, usd(3_000n))).to.equal(false);
    });

    it("health figures at the extremes", () => {
      expect(healthFactor(usd(1n), 0n)).to.equal(MAX_UINT256);
      expect(healthFactor(-1n, usd(1n))).to.equal(0n);
      expect(marginRatio(0n, usd(1n))).to.equal(MAX_UINT256);
      expect(marginRatio(usd(1n), 0n)).to.equal(0n);
      expect(isLiquidatable(-usd(1_000n), 0n)).to.equal(false); // no requirement, no liquidation
      expect(healthFactor(2n, 3n)).to.equal(666_666_666_666_666_666n); // rounded down
      expect(marginRatio(3n, 2n)).to.equal(666_666_666_666_666_667n); // MM / equity = 2 / 3, rounded up
    });
  });

  describe("(b) Binance-style BTCUSDT brackets", () => {
    // [cap (USD), IM (bps), MM (bps), Binance's maintenance amount (USD)]
    const BRACKETS = [
      [50_000n, 80n, 40n, 0n],
      [600_000n, 100n, 50n, 50n],
      [3_000_000n, 133n, 65n, 950n],
      [12_000_000n, 200n, 100n, 11_450n],
      [70_000_000n, 400n, 200n, 131_450n],
      [100_000_000n, 500n, 250n, 481_450n],
      [230_000_000n, 1000n, 500n, 2_981_450n],
      [480_000_000n, 2500n, 1250n, 20_231_450n],
    ] as const;
    const TIERS: MarginTier[] = BRACKETS.map(([cap, im, mm]) => ({
      notionalCap: usd(cap),
      initialMarginRate: bps(im),
      maintenanceMarginRate: bps(mm),
    }));
    /** Progressive amount of bracket i: amount_{i−1} + cap_{i−1} × (rate_i − rate_{i−1}), in WAD² (exact). */
    const amounts = (rate: (t: MarginTier) => bigint): bigint[] => {
      const out: bigint[] = [];
      TIERS.forEach((tier, i) => {
        const previous = TIERS[i - 1];
        out.push(
          previous === undefined ? 0n : (out[i - 1] ?? 0n) + previous.notionalCap * (rate(tier) - rate(previous)),
        );
      });
      return out;
    };
    const maintenanceAmounts = amounts((t) => t.maintenanceMarginRate);
    const initialAmounts = amounts((t) => t.initialMarginRate);
    /** Index of the bracket holding `n`: the first with n ≤ cap, else the last. */
    const bracketOf = (n: bigint): number => {
      const i = TIERS.findIndex((t) => n <= t.notionalCap);
      return i === -1 ? TIERS.length - 1 : i;
    };
    /** The exchange formula "notional × rate − amount", rounded up like the contract. */
    const exchangeFormula = (n: bigint, i: number) => {
      const tier = TIERS[i];
      if (tier === undefined) throw new Error("no bracket");
      return {
        initialMargin: ceilDiv(n * tier.initialMarginRate - (initialAmounts[i] ?? 0n), WAD),
        maintenanceMargin: ceilDiv(n * tier.maintenanceMarginRate - (maintenanceAmounts[i] ?? 0n), WAD),
      };
    };

    it("is a valid table of MAX_TIERS brackets, on chain too", async () => {
      expect(TIERS.length).to.equal(Number(MAX_TIERS));
      expect(() => validate(TIERS)).not.to.throw();
      await harness.validate(TIERS); // does not revert
    });

    it("the progressive formula gives Binance's published maintenance amounts", () => {
      expect(maintenanceAmounts).to.deep.equal(BRACKETS.map(([, , , amount]) => usd(amount) * WAD));
      // and these initial-margin amounts for the chosen IM rates
      expect(initialAmounts).to.deep.equal(
        [0n, 100n, 2_080n, 22_180n, 262_180n, 962_180n, 5_962_180n, 40_462_180n].map((a) => usd(a) * WAD),
      );
    });

    it("MM = notional × rate − maintenance amount at and around every bracket edge (±1 wei, ±1 USD)", async () => {
      const notionals = [0n, 1n, ...TIERS.flatMap((t) => [-WAD, -1n, 0n, 1n, WAD].map((d) => t.notionalCap + d))];
      const abi = new Interface(harness.interface.fragments);
      const [success, returnData] = (await harness.batch(
        notionals.map((n) => abi.encodeFunctionData("requirements", [TIERS, n])),
      )) as [boolean[], string[]];
      expect(success.every(Boolean)).to.equal(true);
      notionals.forEach((n, k) => {
        const expected = exchangeFormula(n, bracketOf(n));
        expect(requirements(TIERS, n), `N = ${n}`).to.deep.equal(expected);
        const [imOnChain, mmOnChain] = abi.decodeFunctionResult("requirements", returnData[k] ?? "0x");
        expect([imOnChain, mmOnChain], `on chain, N = ${n}`).to.deep.equal([
          expected.initialMargin,
          expected.maintenanceMargin,
        ]);
      });
      // At an edge, both adjacent brackets' formulas agree: the requirement is continuous.
      TIERS.slice(0, -1).forEach((tier, i) => {
        expect(exchangeFormula(tier.notionalCap, i)).to.deep.equal(exchangeFormula(tier.notionalCap, i + 1));
      });
    });

    it("literal spot checks, including above the last cap", () => {
      // 1,000,000 USD: 0.65% × 1,000,000 − 950 = 5,550; IM 1.33% × 1,000,000 − 2,080 = 11,220.
      expect(requirements(TIERS, usd(1_000_000n))).to.deep.equal({
        initialMargin: usd(11_220n),
        maintenanceMargin: usd(5_550n),
      });
      // 500,000,000 USD is above the last cap (480M): the last bracket keeps going.
      // MM = 12.5% × 500M − 20,231,450 = 42,268,550; IM = 25% × 500M − 40,462,180 = 84,537,820.
      expect(requirements(TIERS, usd(500_000_000n))).to.deep.equal({
        initialMargin: usd(84_537_820n),
        maintenanceMargin: usd(42_268_550n),
      });
      // 1 wei into bracket 2: 0.4% × 50,000 = 200 plus 0.5% of 1 wei, rounded up.
      expect(requirements(TIERS, usd(50_000n) + 1n).maintenanceMargin).to.equal(usd(200n) + 1n);
    });

    it("rejects bad tables with the contract's errors", () => {
      expect(() => validate([...TIERS, TIERS[7] as MarginTier]))
        .to.throw(InvalidTierCountError)
        .with.property("count", 9n);
      const imBelowMm = TIERS.map((t, i) => (i === 3 ? { ...t, initialMarginRate: t.maintenanceMarginRate } : t));
      expect(() => validate(imBelowMm))
        .to.throw(InvalidTierRatesError)
        .that.deep.includes({ index: 3n, initialMarginRate: bps(100n), maintenanceMarginRate: bps(100n) });
    });
  });

  describe("(c) applyFill", () => {
    it("open long, increase, partial reduce, close — with realised PnL", () => {
      const opened = applyFill(0n, 0n, usd(1n), usd(100n));
      expect(opened).to.deep.equal({ newSize: usd(1n), newOpenNotional: usd(100n), realisedPnl: 0n });
      const increased = applyFill(opened.newSize, opened.newOpenNotional, usd(1n), usd(110n));
      expect(increased).to.deep.equal({ newSize: usd(2n), newOpenNotional: usd(210n), realisedPnl: 0n });
      // Sell 0.5 at 120: basis 210 × 1.5 / 2 = 157.5 remains; realised 0.5 × 120 − 52.5 = 7.5.
      const reduced = applyFill(increased.newSize, increased.newOpenNotional, -WAD / 2n, usd(120n));
      expect(reduced).to.deep.equal({
        newSize: (3n * WAD) / 2n,
        newOpenNotional: 157_500_000_000_000_000_000n,
        realisedPnl: 7_500_000_000_000_000_000n,
      });
      // Sell the remaining 1.5 at 90: realised 135 − 157.5 = −22.5; the basis goes to 0.
      const closed = applyFill(reduced.newSize, reduced.newOpenNotional, -reduced.newSize, usd(90n));
      expect(closed).to.deep.equal({ newSize: 0n, newOpenNotional: 0n, realisedPnl: -22_500_000_000_000_000_000n });
    });

    it("open short and its PnL", () => {
      const short = applyFill(0n, 0n, -usd(2n), usd(50n));
      expect(short).to.deep.equal({ newSize: -usd(2n), newOpenNotional: -usd(100n), realisedPnl: 0n });
      expect(unrealisedPnl(short.newSize, short.newOpenNotional, usd(40n))).to.equal(usd(20n));
      expect(unrealisedPnl(short.newSize, short.newOpenNotional, usd(60n))).to.equal(-usd(20n));
    });

    it("flips close everything, then open the rest at the fill price", () => {
      // Long 1 @ 100, sell 3 @ 80: realise −20, end short 2 with basis −160.
      expect(applyFill(usd(1n), usd(100n), -usd(3n), usd(80n))).to.deep.equal({
        newSize: -usd(2n),
        newOpenNotional: -usd(160n),
        realisedPnl: -usd(20n),
      });
      // Short 2 @ 50, buy 5 @ 45: realise +10, end long 3 with basis 135.
      expect(applyFill(-usd(2n), -usd(100n), usd(5n), usd(45n))).to.deep.equal({
        newSize: usd(3n),
        newOpenNotional: usd(135n),
        realisedPnl: usd(10n),
      });
    });

    it("rounds against the trader on both sides, to a whole nano-dollar (BASIS_UNIT)", () => {
      // 1 wei of size at 0.5 USD: the long's basis rounds up to one unit (1e9 wei), the short's (−0.5 wei) up to 0 …
      expect(BASIS_UNIT).to.equal(10n ** 9n);
      expect(applyFill(0n, 0n, 1n, WAD / 2n).newOpenNotional).to.equal(BASIS_UNIT);
      expect(applyFill(0n, 0n, -1n, WAD / 2n).newOpenNotional).to.equal(0n);
      // … so each shows a loss at its own entry price: a unit for the long, a wei for the short.
      expect(unrealisedPnl(1n, BASIS_UNIT, WAD / 2n)).to.equal(-BASIS_UNIT);
      expect(unrealisedPnl(-1n, 0n, WAD / 2n)).to.equal(-1n);
      // A basis already whole stays whole when a fill's value is whole: 2 × $50,000.5 = $100,001.
      expect(applyFill(0n, 0n, 2n * WAD, 50_000n * WAD + WAD / 2n).newOpenNotional).to.equal(100_001n * WAD);
      // Reducing a third of 3 units at a $100.000000001 basis: 2/3 of the basis, rounded up to the next unit.
      const third = applyFill(3n * WAD, 100n * WAD + BASIS_UNIT, -WAD, WAD);
      expect(third.newOpenNotional % BASIS_UNIT).to.equal(0n);
      expect(third.newOpenNotional).to.equal(66_666_666_668n * BASIS_UNIT);
    });

    it("never creates value: realised + remaining PnL ≤ PnL before, at the fill price", () => {
      const size = fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n });
      const price = fc.bigInt({ min: 0n, max: 10n ** 30n });
      fc.assert(
        fc.property(size, price, size, price, (s, entry, delta, p) => {
          const openNotional = applyFill(0n, 0n, s, entry).newOpenNotional;
          const before = unrealisedPnl(s, openNotional, p);
          const fill = applyFill(s, openNotional, delta, p);
          expect(fill.newSize).to.equal(s + delta);
          expect(fill.realisedPnl + unrealisedPnl(fill.newSize, fill.newOpenNotional, p)).to.be.at.most(before);
        }),
        { numRuns: 2_000 },
      );
    });

    it("throws a BallastMathError where the contract reverts", async () => {
      const MAX_INT256 = 2n ** 255n - 1n;
      expect(() => applyFill(MAX_INT256, 0n, 1n, WAD))
        .to.throw(BallastMathError)
        .that.deep.includes({ reason: "Overflow", revert: { type: "panic", code: 0x11 } });
      await expect(harness.applyFill(MAX_INT256, 0n, 1n, WAD)).to.be.revertedWithPanic(0x11);
      // 2^200 × 2^145 / 1e27 ≈ 2^255.3 (the basis in nano-dollars): fits a uint256 but not an int256.
      expect(() => applyFill(0n, 0n, 2n ** 200n, 2n ** 145n))
        .to.throw(BallastMathError)
        .with.property("reason", "SafeCastOverflow");
      // 2^200 × 2^115 / 1e27 fits, but back in WAD (× 1e9) it does not: a panic, as on chain.
      expect(() => applyFill(0n, 0n, 2n ** 200n, 2n ** 115n))
        .to.throw(BallastMathError)
        .with.property("reason", "Overflow");
      await expect(harness.applyFill(0n, 0n, 2n ** 200n, 2n ** 115n)).to.be.revertedWithPanic(0x11);
      await expect(harness.applyFill(0n, 0n, 2n ** 200n, 2n ** 145n)).to.be.revertedWithCustomError(
        harness,
        "SafeCastOverflowedUintToInt",
      );
      expect(() => notional(1n, -1n))
        .to.throw(BallastMathError)
        .with.property("reason", "InvalidInput");
    });
  });

  describe("(d) funding", () => {
    const SCALE = usd(1_000n); // skew at which the max rate applies
    const MAX_RATE = 10n ** 12n; // 1e-6 per second

    it("the rate is proportional to the skew, signed like it, clamped, and 0 when disabled", () => {
      expect(fundingRate(usd(100n), SCALE, MAX_RATE)).to.equal(10n ** 11n); // longs dominate: longs pay
      expect(fundingRate(-usd(100n), SCALE, MAX_RATE)).to.equal(-(10n ** 11n)); // shorts dominate: shorts pay
      expect(fundingRate(usd(5_000n), SCALE, MAX_RATE)).to.equal(MAX_RATE);
      expect(fundingRate(-usd(5_000n), SCALE, MAX_RATE)).to.equal(-MAX_RATE);
      expect(fundingRate(usd(100n), 0n, MAX_RATE)).to.equal(0n);
      // truncated toward zero, not floored: ±2 × 2 / 3 → ±1
      expect(fundingRate(2n, 3n, 2n)).to.equal(1n);
      expect(fundingRate(-2n, 3n, 2n)).to.equal(-1n);
    });

    it("a positive rate makes longs pay and shorts receive, and back", () => {
      // 1e-7/s for an hour at 2,000 USD: the index moves by 1e-7 × 3600 × 2000 = 0.72 USD per unit.
      const index = nextIndex(0n, 10n ** 11n, usd(2_000n), 3_600n);
      expect(index).to.equal(720_000_000_000_000_000n);
      expect(accruedFunding(usd(2n), 0n, index)).to.equal(1_440_000_000_000_000_000n); // long owes 1.44
      expect(accruedFunding(-usd(2n), 0n, index)).to.equal(-1_440_000_000_000_000_000n); // short is owed 1.44
      // A negative rate for the same hour brings the index back: a long who entered at 0.72 is now owed.
      const back = nextIndex(index, -(10n ** 11n), usd(2_000n), 3_600n);
      expect(back).to.equal(0n);
      expect(accruedFunding(usd(2n), index, back)).to.equal(-1_440_000_000_000_000_000n);
      // The increment is truncated toward zero too: 1 wei/s × 1 s × 1 wei of price → 0, not −1.
      expect(nextIndex(0n, -1n, 1n, 1n)).to.equal(0n);
    });

    it("rounds toward +∞ on both sides, so the dust stays with the protocol", () => {
      expect(accruedFunding(WAD / 2n, 0n, 1n)).to.equal(1n); // long owes ⌈0.5⌉
      expect(accruedFunding(-WAD / 2n, 0n, 1n)).to.equal(0n); // short is owed ⌊0.5⌋ (owes ⌈−0.5⌉ = 0)
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 2n ** 127n }),
          fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }),
          (s, move) => {
            const total = accruedFunding(s, 0n, move) + accruedFunding(-s, 0n, move);
            expect(total === 0n || total === 1n, `size ${s}, index move ${move}`).to.equal(true);
          },
        ),
        { numRuns: 2_000 },
      );
    });
  });

  describe("(e) minimalFraction", () => {
    const MMR = bps(500n);
    const TIERS: MarginTier[] = [
      { notionalCap: usd(10n ** 12n), initialMarginRate: bps(1000n), maintenanceMarginRate: MMR },
    ];
    /** BTC-like brackets: 1% to 50k, 2% to 250k, 5% to 1M, 10% above. */
    const BRACKETS: MarginTier[] = [
      { notionalCap: usd(50_000n), initialMarginRate: bps(200n), maintenanceMarginRate: bps(100n) },
      { notionalCap: usd(250_000n), initialMarginRate: bps(400n), maintenanceMarginRate: bps(200n) },
      { notionalCap: usd(1_000_000n), initialMarginRate: bps(1000n), maintenanceMarginRate: bps(500n) },
      { notionalCap: usd(10n ** 12n), initialMarginRate: bps(2000n), maintenanceMarginRate: bps(1000n) },
    ];

    function closing(
      size: bigint,
      entry: bigint,
      price: bigint,
      tiers: readonly MarginTier[],
      skew = 0n,
      skewScale = 0n,
    ): ClosingPosition {
      return {
        size,
        openNotional: applyFill(0n, 0n, size, entry).newOpenNotional,
        fundingPaid: 0n,
        price,
        skew,
        skewScale,
        tiers,
        previousTiers: [],
        rampStart: 0n,
        rampEnd: 0n,
        closedSize: 0n,
        closePrice: 0n,
        newSize: 0n,
        newOpenNotional: 0n,
        realisedPnl: 0n,
      };
    }
    const gap = (positions: ClosingPosition[], margin: bigint, f: bigint, feeRate: bigint, buffer: bigint) => {
      const o = applyFraction(positions, margin, f, feeRate, 0n);
      return o.equityAfter - targetEquity(o.maintenanceMarginAfter, buffer);
    };

    it("single tier: within a few wei of the exact (T − E) / (T − feeRate·N), and one wei less misses", () => {
      // Long 10 at 50,000 with 40,000 margin; mark 47,000: equity 10,000 < MM 23,500; T = 25,850, fee on all 4,700.
      const positions = [closing(usd(10n), usd(50_000n), usd(47_000n), TIERS)];
      const f = minimalFraction(positions, usd(40_000n), bps(100n), bps(1000n), 0n);
      const exact = (usd(15_850n) * WAD) / usd(21_150n);
      expect(f - exact <= 10n && exact - f <= 10n, `${f} vs ${exact}`).to.equal(true);
      expect(gap(positions, usd(40_000n), f, bps(100n), bps(1000n)) >= 0n).to.equal(true);
      expect(gap(positions, usd(40_000n), f - 1n, bps(100n), bps(1000n)) < 0n).to.equal(true);
    });

    it("multi-bracket: convexity needs less than the closed form assumed, and the fee falls with it", () => {
      // Long 40 at 50,000 with 160,000 margin; mark 48,500: notional 1.94M across all four brackets, MM 136,000 =
      // 500 + 4,000 + 37,500 + 94,000; equity 100,000 is below it.
      const positions = [closing(usd(40n), usd(50_000n), usd(48_500n), BRACKETS)];
      const margin = usd(160_000n);
      const o0 = applyFraction(positions, margin, 0n, bps(50n), 0n);
      const mm = requirements(BRACKETS, notional(usd(40n), usd(48_500n))).maintenanceMargin;
      expect(o0.equityAfter <= mm, "liquidatable").to.equal(true);
      const f = minimalFraction(positions, margin, bps(50n), bps(1000n), 0n);
      // The closed form that assumed MM falls by exactly f: (T − E) / (T − feeRate·N), rounded up.
      const target = targetEquity(mm, bps(1000n));
      const closedForm = ceilDiv(
        (target - o0.equityAfter) * WAD,
        target - (notional(usd(40n), usd(48_500n)) * bps(50n)) / WAD,
      );
      expect(f < closedForm, `${f} < ${closedForm}`).to.equal(true);
      const fee = applyFraction(positions, margin, f, bps(50n), 0n).fee;
      const closedFormFee = applyFraction(positions, margin, closedForm, bps(50n), 0n).fee;
      expect(fee < closedFormFee).to.equal(true);
      expect(gap(positions, margin, f, bps(50n), bps(1000n)) >= 0n).to.equal(true);
      expect(gap(positions, margin, f - 1n, bps(50n), bps(1000n)) < 0n).to.equal(true);
    });

    it("for any account of one or two positions, tiers, skew premium and buffer: f meets the target and f − 1 misses", () => {
      let partials = 0;
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              sizeAbs: fc.bigInt({ min: 10n ** 15n, max: 10n ** 24n }),
              short: fc.boolean(),
              entry: fc.bigInt({ min: 10n ** 15n, max: 10n ** 24n }),
              move: fc.bigInt({ min: WAD / 2n, max: (3n * WAD) / 2n }),
              multi: fc.boolean(),
              skewShare: fc.bigInt({ min: -2n * WAD, max: 2n * WAD }),
              scaleMultiple: fc.bigInt({ min: 0n, max: 1000n }),
            }),
            { minLength: 1, maxLength: 2 },
          ),
          fc.bigInt({ min: 0n, max: WAD }), // equity as a share of MM
          fc.bigInt({ min: 1n, max: bps(99n) }), // fee rate < the lowest MMR (1%)
          fc.bigInt({ min: 0n, max: WAD }), // buffer
          (specs, equityShare, feeRate, buffer) => {
            const positions = specs.map((p) => {
              const size = p.short ? -p.sizeAbs : p.sizeAbs;
              const price = (p.entry * p.move) / WAD;
              const skewScale = p.scaleMultiple < 5n ? 0n : p.sizeAbs * p.scaleMultiple;
              return closing(
                size,
                p.entry,
                price,
                p.multi ? BRACKETS : TIERS,
                (p.sizeAbs * p.skewShare) / WAD,
                skewScale,
              );
            });
            let mm = 0n;
            let pnl = 0n;
            for (const p of positions) {
              mm += requirements(p.tiers, notional(p.size, p.price)).maintenanceMargin;
              pnl += unrealisedPnl(p.size, p.openNotional, p.price);
            }
            const equity = (mm * equityShare) / WAD;
            fc.pre(equity > 0n);
            const margin = equity - pnl;
            const f = minimalFraction(positions, margin, feeRate, buffer, 0n);
            expect(f > 0n && f <= WAD).to.equal(true);
            if (f < WAD) {
              partials += 1;
              expect(gap(positions, margin, f, feeRate, buffer) >= 0n, "f meets the target").to.equal(true);
            }
            expect(gap(positions, margin, f - 1n, feeRate, buffer) < 0n, "f − 1 misses it").to.equal(true);
          },
        ),
        { numRuns: 1_500 },
      );
      expect(partials > 300, `${partials} partial closes among the runs`).to.equal(true);
    });

    it("maintenanceRateAt is MM's slope just below the notional (a bracket covers (cap_{i−1}, cap_i])", () => {
      expect(maintenanceRateAt(BRACKETS, 0n)).to.equal(bps(100n));
      expect(maintenanceRateAt(BRACKETS, usd(50_000n))).to.equal(bps(100n));
      expect(maintenanceRateAt(BRACKETS, usd(50_000n) + 1n)).to.equal(bps(200n));
      expect(maintenanceRateAt(BRACKETS, usd(10n ** 13n))).to.equal(bps(1000n));
    });

    it("closeFillPrice never reverts: a discount reaching the price fills at 1 wei (fillPrice throws there)", () => {
      // Selling 10 into a short skew of −1,000 with skewScale 1,000: average −1,005 → a 100.5% discount.
      expect(closeFillPrice(usd(100n), -usd(1_000n), -usd(10n), usd(1_000n))).to.equal(1n);
      expect(() => fillPrice(usd(100n), -usd(1_000n), -usd(10n), usd(1_000n))).to.throw(FillPriceNotPositiveError);
      expect(closeFillPrice(usd(100n), 0n, -usd(10n), usd(1_000n))).to.equal(
        fillPrice(usd(100n), 0n, -usd(10n), usd(1_000n)),
      );
    });
  });

  describe("(f) skew premium and trading fees", () => {
    const SKEW_SCALE = usd(1_000n);

    it("the fill is price × (1 + average skew / skewScale), rounded against the trader", async () => {
      // Buying 10 on a flat book: average skew 5 → 100 × 1.005 = 100.5; selling 10: 99.5.
      expect(fillPrice(usd(100n), 0n, usd(10n), SKEW_SCALE)).to.equal(100_500_000_000_000_000_000n);
      expect(fillPrice(usd(100n), 0n, -usd(10n), SKEW_SCALE)).to.equal(99_500_000_000_000_000_000n);
      // Buying 10 against a short skew of −20: average −15 → a discount, 98.5.
      expect(fillPrice(usd(100n), -usd(20n), usd(10n), SKEW_SCALE)).to.equal(98_500_000_000_000_000_000n);
      expect(fillPrice(usd(100n), 0n, usd(10n), 0n)).to.equal(usd(100n)); // skewScale 0 disables it
      // 1 wei of price, 1 wei of skew: a buy rounds up to 2, a sell down to 1.
      expect(fillPrice(1n, 0n, 1n, 1n)).to.equal(2n);
      expect(fillPrice(1n, 1n, -1n, 1n)).to.equal(1n);
      expect(await harness.fillPrice(usd(100n), -usd(20n), usd(10n), SKEW_SCALE)).to.equal(98_500_000_000_000_000_000n);
    });

    it("a discount that reaches the price throws the contract's FillPriceNotPositive", async () => {
      // Selling 2,000 on a flat book with scale 1,000: average skew −1,000 → a 100% discount.
      expect(() => fillPrice(usd(100n), 0n, -usd(2_000n), SKEW_SCALE))
        .to.throw(FillPriceNotPositiveError)
        .that.deep.includes({ price: usd(100n), skew: 0n, sizeDelta: -usd(2_000n) });
      await expect(harness.fillPrice(usd(100n), 0n, -usd(2_000n), SKEW_SCALE))
        .to.be.revertedWithCustomError(harness, "FillPriceNotPositive")
        .withArgs(usd(100n), 0n, -usd(2_000n));
    });

    it("maker rate on the part that reduces |skew|, taker rate on the rest", () => {
      // Skew +10, sell 15 at 100: 10 reduce the skew (2 bps), 5 add to it (5 bps): 0.2 + 0.25 = 0.45.
      expect(tradingFee(usd(10n), -usd(15n), usd(100n), bps(2n), bps(5n))).to.equal(450_000_000_000_000_000n);
      expect(tradingFee(0n, -usd(15n), usd(100n), bps(2n), bps(5n))).to.equal(750_000_000_000_000_000n); // all taker
      expect(tradingFee(0n, 1n, 1n, 0n, 1n)).to.equal(1n); // rounded up
    });
  });
});
