/**
 * Unit and property tests of the SDK's account math beyond the contracts: the Binance-style liquidation price
 * checked to the cent against Binance's published formula (and on chain), the exactness of the price lines on
 * random accounts, the largest position size, the fast path's equivalence with the straightforward math, the
 * what-if simulations and the typed errors' messages.
 */
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import { deployBallast, wad, BTC_MARKET } from "../helpers/fixture.js";
import {
  accountHealth,
  bankruptcyPrice,
  compileMarket,
  compileTiers,
  compiledRequirements,
  fastAccountHealth,
  fastMarketRequirements,
  fastPositionRisk,
  liquidationPrice,
  marketRequirements,
  maxPositionSize,
  pendingFundingIndex,
  positionRisk,
  requirementSegments,
  requirements,
  simulateDeposit,
  simulatePriceMove,
  simulateTrade,
  simulateWithdraw,
  warningPrice,
  WARNING_MARGIN_RATIO,
  type AccountPosition,
  type AccountSnapshot,
  type Market,
  type MarginTier,
  BASIS_UNIT,
} from "../../../sdk/src/math/index.js";
import {
  InsufficientMarginError,
  WithdrawalExceedsAvailableError,
  createContractError,
  ballastErrorsAbi,
  ERROR_NOTICES,
  OnlyVaultError,
} from "../../../sdk/src/contractErrors.js";
import { formatFixed, formatPrice, formatToken, formatUsd } from "../../../sdk/src/format.js";
import { acceptablePrice } from "../../../sdk/src/actions/acceptablePrice.js";

const WAD = 10n ** 18n;
const TICK = 10n ** 10n;
const CENT = 10n ** 16n;
const MAX_FEED_TICKS = 10n ** 26n; // 1e36 WAD

// ------------------------------------------------------------------------------------------------ builders

function market(marketId: number, tiers: MarginTier[], overrides: Partial<Market> = {}): Market {
  return {
    marketId,
    params: {
      feedId: `0x${"11".repeat(32)}`,
      maxOpenInterestPerSide: wad(1_000_000),
      minPositionNotional: 0n,
      skewScale: 0n,
      takerFeeRate: 0n,
      makerFeeRate: 0n,
      fundingScale: 0n,
      maxFundingRatePerSecond: 0n,
      marginRampDuration: 0n,
    },
    state: {
      fundingIndex: 0n,
      lastFundingTime: 0n,
      longOpenInterest: 0n,
      shortOpenInterest: 0n,
      netOpenNotional: 0n,
      netFundingBasis: 0n,
      tradersPnl: 0n,
    },
    tiers,
    ramp: { previousTiers: [], start: 0n, end: 0n },
    ...overrides,
  };
}

/** Binance's BTCUSDT brackets as (cap, IMR = 1 / max leverage, MMR); maintenance amounts 0 / 50 / 950 / 11,450 / … */
const BINANCE_BTC: MarginTier[] = [
  { notionalCap: wad(50_000), initialMarginRate: wad("0.008"), maintenanceMarginRate: wad("0.004") },
  { notionalCap: wad(600_000), initialMarginRate: wad("0.01"), maintenanceMarginRate: wad("0.005") },
  { notionalCap: wad(3_000_000), initialMarginRate: wad("0.02"), maintenanceMarginRate: wad("0.0065") },
  { notionalCap: wad(12_000_000), initialMarginRate: wad("0.05"), maintenanceMarginRate: wad("0.01") },
  { notionalCap: wad(70_000_000), initialMarginRate: wad("0.1"), maintenanceMarginRate: wad("0.025") },
];
/** The maintenance amounts Binance publishes for these brackets (USDT). */
const BINANCE_AMOUNTS = [0n, 50n, 950n, 11_450n, 191_450n];

/**
 * Binance's isolated liquidation price, computed independently of the SDK in exact rationals (cents):
 * LP = (WB − TMM1 + UPNL1 + cumB − Side1 × Position1 × EP1) / (Position1 × MMR_B − Side1 × Position1),
 * with TMM1 = UPNL1 = 0 (isolated), choosing the bracket whose notional range contains LP × Position1.
 * Inputs are decimal strings; returns the price in WAD rounded to the nearest cent, and the exact rational.
 */
function binanceLiquidationPrice(walletBalance: string, side: 1n | -1n, positionBtc: string, entryPrice: string) {
  const WB = wad(walletBalance);
  const position = wad(positionBtc);
  const entry = wad(entryPrice);
  const caps = [0n, ...BINANCE_BTC.map((t) => t.notionalCap)];
  for (let b = 0; b < BINANCE_BTC.length; b++) {
    const mmr = BINANCE_BTC[b]!.maintenanceMarginRate; // WAD
    const cum = BINANCE_AMOUNTS[b]! * WAD;
    // Scale everything to WAD² to keep the division exact until the final rounding.
    const numerator = (WB + cum) * WAD - side * position * entry; // WAD²
    const denominator = position * mmr - side * position * WAD; // WAD²
    // LP (WAD) = numerator × WAD / denominator
    let lpTimesDen = numerator * WAD;
    let denominator_ = denominator;
    if (denominator_ < 0n) {
      lpTimesDen = -lpTimesDen;
      denominator_ = -denominator_;
    }
    const nearestCent = (lpTimesDen * 2n + denominator_ * CENT) / (2n * denominator_ * CENT); // round half up
    const lp = nearestCent * CENT;
    const notional = (lp * position) / WAD;
    if (notional > caps[b]! && notional <= caps[b + 1]!) {
      return { lp, exact: { numerator: lpTimesDen, denominator: denominator_ } };
    }
  }
  throw new Error("no bracket");
}

function isolated(
  tiers: MarginTier[],
  margin: bigint,
  size: bigint,
  entryPrice: bigint,
  price = entryPrice,
): AccountSnapshot & { marketId: number } {
  return {
    account: { margin },
    positions: [{ marketId: 0, size, openNotional: (size * entryPrice) / WAD, lastFundingIndex: 0n }],
    markets: [market(0, tiers)],
    prices: [price],
    timestamp: 1_000n,
    marketId: 0,
  };
}

// ------------------------------------------------------------------------------------------------ arbitraries

const tableArb: fc.Arbitrary<MarginTier[]> = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc
    .tuple(
      fc.array(fc.bigInt({ min: 1n, max: 10n ** 25n }), { minLength: n, maxLength: n }),
      fc.array(fc.bigInt({ min: 10n ** 14n, max: 3n * 10n ** 17n }), { minLength: n, maxLength: n }),
      fc.array(fc.bigInt({ min: 1n, max: 2n * 10n ** 17n }), { minLength: n, maxLength: n }),
    )
    .map(([steps, mmrs, spreads]) => {
      const sortedMmr = [...mmrs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      let cap = 0n;
      let previousImr = 0n;
      return steps.map((step, i) => {
        cap += step;
        const mmr = sortedMmr[i]!;
        let imr = mmr + spreads[i]!;
        if (imr < previousImr) imr = previousImr;
        previousImr = imr;
        return { notionalCap: cap, initialMarginRate: imr, maintenanceMarginRate: mmr };
      });
    }),
);

/** A market with a table and, half the time, a ramp in progress from another table at `timestamp`. */
const marketArb = (marketId: number) =>
  fc
    .tuple(
      tableArb,
      tableArb,
      fc.boolean(),
      fc.bigInt({ min: 1n, max: 30n * 86_400n }),
      fc.integer({ min: 0, max: 1_000 }),
    )
    .map(([tiers, previous, ramping, duration, progress]) => {
      const start = 1_000_000n;
      const elapsed = (duration * BigInt(progress)) / 1_000n;
      return {
        market: market(marketId, tiers, {
          ramp: ramping
            ? { previousTiers: previous, start, end: start + duration }
            : { previousTiers: [], start: 0n, end: 0n },
        }),
        timestamp: start + elapsed,
      };
    });

const sizeArb = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 10n ** 12n, max: 10n ** 24n }))
  .map(([neg, s]) => (neg ? -s : s));
const priceArb = fc.bigInt({ min: 10n ** 14n, max: 10n ** 24n });

// ------------------------------------------------------------------------------------------------ tests

describe("SDK account math (unit)", () => {
  describe("Binance-style isolated liquidation price", () => {
    it("the tiers' maintenance amounts are Binance's published 0 / 50 / 950 / 11,450 / 191,450", () => {
      const compiled = compileTiers(BINANCE_BTC);
      expect(compiled.maintenanceAmounts.map((a) => a / WAD / WAD)).to.deep.equal(BINANCE_AMOUNTS);
      expect(compiled.maintenanceAmounts.every((a) => a % (WAD * WAD) === 0n)).to.equal(true);
    });

    const examples = [
      { name: "long 10 BTC @ 60,000, wallet 50,000 (bracket 2)", wb: "50000", side: 1n, btc: "10", ep: "60000" },
      { name: "long 20 BTC @ 60,000, wallet 100,000 (bracket 3)", wb: "100000", side: 1n, btc: "20", ep: "60000" },
      { name: "short 100 BTC @ 30,000, wallet 200,000 (bracket 4)", wb: "200000", side: -1n, btc: "100", ep: "30000" },
      { name: "short 0.5 BTC @ 40,000, wallet 1,000 (bracket 1)", wb: "1000", side: -1n, btc: "0.5", ep: "40000" },
    ] as const;

    for (const example of examples) {
      it(`${example.name}: the SDK equals Binance's formula to the cent`, () => {
        const expected = binanceLiquidationPrice(example.wb, example.side, example.btc, example.ep);
        const size = wad(example.btc) * example.side;
        const sdk = liquidationPrice(isolated(BINANCE_BTC, wad(example.wb), size, wad(example.ep)));
        expect(sdk).to.be.a("bigint");
        const sdkCents = (sdk! + CENT / 2n) / CENT;
        expect(sdkCents * CENT, `${formatPrice(sdk!)} vs ${formatPrice(expected.lp)}`).to.equal(expected.lp);
        // And within one feed tick of the exact root.
        const exact = expected.exact.numerator / expected.exact.denominator;
        expect(sdk! - exact <= TICK && exact - sdk! <= TICK).to.equal(true);
      });
    }

    it("on chain: the core says liquidatable at the SDK's price and not one tick above (long, bracket 2)", async () => {
      const { ethers } = await network.create();
      const b = await deployBallast(ethers, { btcTiers: BINANCE_BTC, risk: { liquidationFeeRate: wad("0.003") } });
      await b.seedVault(10_000_000n * b.unit);
      await b.setPrice("BTC", 60_000);
      const id = await b.openAccount(b.alice, 50_000n * b.unit, BTC_MARKET);
      await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad(10), wad(60_000));
      const sdk = liquidationPrice(isolated(BINANCE_BTC, wad(50_000), wad(10), wad(60_000)))!;
      const binance = binanceLiquidationPrice("50000", 1n, "10", "60000").lp;
      expect((sdk + CENT / 2n) / CENT).to.equal(binance / CENT);
      await b.btcFeed.setAnswer(sdk / TICK);
      expect((await b.core.accountHealth(id)).liquidatable).to.equal(true);
      await b.btcFeed.setAnswer(sdk / TICK + 1n);
      expect((await b.core.accountHealth(id)).liquidatable).to.equal(false);
    });
  });

  describe("price lines are exact on the feed grid (random accounts)", () => {
    it("liquidation, bankruptcy and warning prices: crossed at the price, not one tick better", () => {
      let checked = 0;
      fc.assert(
        fc.property(
          marketArb(0),
          marketArb(1),
          sizeArb,
          sizeArb,
          priceArb,
          priceArb,
          fc.bigInt({ min: 0n, max: 10n ** 24n }),
          fc.boolean(),
          ({ market: m0, timestamp }, { market: m1 }, size0, size1, price0, price1, margin, cross) => {
            const positions: AccountPosition[] = [
              { marketId: 0, size: size0, openNotional: (size0 * price0) / WAD, lastFundingIndex: 0n },
            ];
            if (cross) {
              positions.push({
                marketId: 1,
                size: size1,
                openNotional: (size1 * price1) / WAD + 12_345n,
                lastFundingIndex: 0n,
              });
            }
            const snapshot: AccountSnapshot & { marketId: number } = {
              account: { margin },
              positions,
              markets: [m0, { ...m1, ramp: { ...m1.ramp, start: 0n, end: 0n } }],
              prices: [price0, price1],
              timestamp,
              marketId: 0,
            };
            const long = size0 > 0n;
            const lines = [
              [liquidationPrice(snapshot), (h: ReturnType<typeof accountHealth>) => h.liquidatable],
              [bankruptcyPrice(snapshot), (h: ReturnType<typeof accountHealth>) => h.equity <= 0n],
              [warningPrice(snapshot), (h: ReturnType<typeof accountHealth>) => h.marginRatio >= WARNING_MARGIN_RATIO],
            ] as const;
            for (const [price, crossed] of lines) {
              if (price === undefined) continue;
              expect(price % TICK).to.equal(0n);
              const at = (p: bigint) => crossed(accountHealth({ ...snapshot, prices: [p, price1] }));
              expect(at(price)).to.equal(true);
              const better = long ? price + TICK : price - TICK;
              if (better > 0n && better / TICK <= MAX_FEED_TICKS) expect(at(better)).to.equal(false);
              checked++;
            }
          },
        ),
        { numRuns: 300, seed: 42 },
      );
      expect(checked).to.be.greaterThan(500);
    });

    it("undefined when no price crosses: a long backed by its whole entry notional", () => {
      const snapshot = isolated(BINANCE_BTC, wad(60_001), wad(1), wad(60_000));
      expect(liquidationPrice(snapshot)).to.equal(undefined);
      expect(bankruptcyPrice(snapshot)).to.equal(undefined);
    });

    it("the closed-form segments equal the tables before rounding (exactly without a ramp)", () => {
      fc.assert(
        fc.property(marketArb(0), fc.bigInt({ min: 0n, max: 10n ** 27n }), ({ market: m, timestamp }, notional) => {
          const segments = requirementSegments(m, timestamp, "maintenance");
          const s = segments.find((x) => notional >= x.from && (x.to === undefined || notional <= x.to))!;
          const value = s.slope * notional - s.intercept;
          const rounded = value <= 0n ? 0n : (value - 1n) / s.denominator + 1n;
          const actual = marketRequirements(m, notional, timestamp).maintenanceMargin;
          if (timestamp >= m.ramp.end) expect(rounded).to.equal(actual);
          else expect(rounded - actual <= 2n && actual - rounded <= 2n).to.equal(true);
        }),
        { numRuns: 500, seed: 7 },
      );
    });
  });

  describe("maxPositionSize", () => {
    it("at the size IM ≤ margin (and the leverage cap) holds; one wei more it does not", () => {
      fc.assert(
        fc.property(
          marketArb(0),
          fc.bigInt({ min: 0n, max: 10n ** 25n }),
          priceArb,
          fc.option(fc.bigInt({ min: WAD / 10n, max: 200n * WAD })),
          ({ market: m, timestamp }, margin, price, leverage) => {
            const lev = leverage ?? undefined;
            const { size, notional, initialMargin } = maxPositionSize({
              market: m,
              margin,
              price,
              timestamp,
              leverage: lev,
            });
            const fits = (s: bigint) => {
              const n = (s * price + WAD - 1n) / WAD;
              if (lev !== undefined && n > (margin * lev) / WAD) return false;
              return marketRequirements(m, n, timestamp).initialMargin <= margin;
            };
            expect(fits(size)).to.equal(true);
            expect(fits(size + 1n)).to.equal(false);
            expect(notional).to.equal((size * price + WAD - 1n) / WAD);
            expect(initialMargin <= margin).to.equal(true);
          },
        ),
        { numRuns: 300, seed: 11 },
      );
    });

    it("with caps: the side stays within maxOpenInterestPerSide and maxOpenInterestFactor × LP capital", () => {
      const base = { market: market(0, BINANCE_BTC), margin: wad(10_000), price: wad(60_000), timestamp: 0n };
      // Open-interest cap: 100 BTC a side, 95 open already → 5 BTC at most.
      const byCap = maxPositionSize({ ...base, caps: { sideOpenInterest: wad(95), maxOpenInterestPerSide: wad(100) } });
      expect(byCap.size).to.equal(wad(5));
      // Capacity: LP capital $5M × 0.3 = $1.5M of side notional = 25 BTC; 20 open → 5 BTC (notional rounds up).
      const byCapacity = maxPositionSize({
        ...base,
        caps: {
          sideOpenInterest: wad(20),
          maxOpenInterestPerSide: wad(1_000),
          vaultLedger: wad(5_000_000),
          maxOpenInterestFactor: wad("0.3"),
        },
      });
      expect(byCapacity.size).to.equal(wad(5));
      // Without caps the margin alone would carry 13.41666… BTC.
      expect(maxPositionSize(base).size > wad(13)).to.equal(true);
    });

    it("a worked example: $10,000 on the Binance table at $60,000 carries 13.41666… BTC (IM 2% past $600k)", () => {
      const { size, initialMargin } = maxPositionSize({
        market: market(0, BINANCE_BTC),
        margin: wad(10_000),
        price: wad(60_000),
        timestamp: 0n,
      });
      // IM(N) = 400 + 5,500 + 0.02 × (N − 600,000) = 10,000 → N = 805,000 → 13.41666… BTC
      expect(initialMargin <= wad(10_000)).to.equal(true);
      expect(size / 10n ** 12n).to.equal(13_416_666n);
    });
  });

  describe("fast path (precomputed tier constants) equals the straightforward math", () => {
    it("compiledRequirements ≡ requirements on random valid tables", () => {
      fc.assert(
        fc.property(tableArb, fc.bigInt({ min: 0n, max: 10n ** 30n }), (tiers, notional) => {
          expect(compiledRequirements(compileTiers(tiers), notional)).to.deep.equal(requirements(tiers, notional));
        }),
        { numRuns: 2_000, seed: 1 },
      );
    });

    it("fastMarketRequirements ≡ marketRequirements, ramps included", () => {
      fc.assert(
        fc.property(marketArb(0), fc.bigInt({ min: 0n, max: 10n ** 30n }), ({ market: m, timestamp }, notional) => {
          expect(fastMarketRequirements(compileMarket(m), notional, timestamp)).to.deep.equal(
            marketRequirements(m, notional, timestamp),
          );
        }),
        { numRuns: 2_000, seed: 2 },
      );
    });

    it("fastPositionRisk and fastAccountHealth ≡ positionRisk and accountHealth", () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(marketArb(0), sizeArb, priceArb, fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n })), {
            minLength: 1,
            maxLength: 3,
          }),
          fc.bigInt({ min: -(10n ** 24n), max: 10n ** 25n }),
          fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
          (legs, margin, fundingIndex) => {
            const markets: Market[] = [];
            const positions: AccountPosition[] = [];
            const prices: bigint[] = [];
            let timestamp = 0n;
            legs.forEach(([{ market: m, timestamp: t }, size, price, basis], i) => {
              markets.push({ ...m, marketId: i, state: { ...m.state, fundingIndex, lastFundingTime: t } });
              positions.push({ marketId: i, size, openNotional: basis, lastFundingIndex: -fundingIndex / 3n });
              prices.push(price);
              timestamp = t > timestamp ? t : timestamp;
            });
            // One timestamp for all: markets whose ramp started later are evaluated before it (never in practice);
            // clamp each market's ramp so that the timestamp is within or after it.
            const aligned = markets.map((m) =>
              m.ramp.start > timestamp ? { ...m, ramp: { previousTiers: [], start: 0n, end: 0n } } : m,
            );
            const inputs = positions.map((p, i) => {
              const m = aligned[i]!;
              const funding = pendingFundingIndex(
                { ...m.state, lastFundingTime: timestamp },
                m.params,
                prices[i]!,
                timestamp,
              );
              return { position: p, market: compileMarket(m), price: prices[i]!, fundingIndex: funding.fundingIndex };
            });
            inputs.forEach((input, i) => {
              expect(
                fastPositionRisk(input.market, input.position, input.price, input.fundingIndex, timestamp),
              ).to.deep.equal(positionRisk(aligned[i]!, input.position, input.price, input.fundingIndex, timestamp));
            });
            const slow = accountHealth({
              account: { margin },
              positions,
              markets: aligned.map((m) => ({ ...m, state: { ...m.state, lastFundingTime: timestamp } })),
              prices,
              timestamp,
            });
            expect(fastAccountHealth(margin, inputs, timestamp)).to.deep.equal(slow);
          },
        ),
        { numRuns: 1_000, seed: 3 },
      );
    });
  });

  describe("what-ifs", () => {
    const tiers: MarginTier[] = [
      { notionalCap: wad(1_000_000_000), initialMarginRate: wad("0.1"), maintenanceMarginRate: wad("0.05") },
    ];
    const base = (): AccountSnapshot => ({
      account: { margin: wad(1_000) },
      positions: [{ marketId: 0, size: wad(1), openNotional: wad(2_000), lastFundingIndex: 0n }],
      markets: [market(0, tiers)],
      prices: [wad(2_000)],
      timestamp: 100n,
    });

    it("simulateWithdraw: a person can act on the message (equity after vs initial margin, and the maximum)", () => {
      const result = simulateWithdraw({
        ...base(),
        assets: 900_000_000n,
        collateralDecimals: 6,
        errorContext: { collateral: { symbol: "USDC", decimals: 6 } },
      });
      expect(result.error).to.be.instanceOf(WithdrawalExceedsAvailableError);
      expect(result.error?.shortMessage).to.equal(
        "Withdrawing 900 USDC would leave equity $100.00 below the initial margin $200.00; at most 800 USDC can be withdrawn now.",
      );
      expect(result.maxWithdrawAssets).to.equal(800_000_000n);
      expect(simulateWithdraw({ ...base(), assets: 800_000_000n, collateralDecimals: 6 }).error).to.equal(undefined);
    });

    it("simulateDeposit raises margin by assets × 10^(18 − decimals); zero reverts with ZeroAmount", () => {
      const result = simulateDeposit({ ...base(), assets: 5_000_000n, collateralDecimals: 6 });
      expect(result.healthAfter.margin).to.equal(wad(1_005));
      expect(result.error).to.equal(undefined);
      expect(simulateDeposit({ ...base(), assets: 0n, collateralDecimals: 6 }).error?.errorName).to.equal("ZeroAmount");
    });

    it("simulateTrade: an increase to exactly IM passes, one wei more reverts with InsufficientMargin", () => {
      const exact = simulateTrade({ ...base(), marketId: 0, sizeDelta: wad(4) });
      expect(exact.error).to.equal(undefined);
      expect(exact.check).to.deep.equal({
        kind: "initialMargin",
        equity: wad(1_000),
        initialMargin: wad(1_000),
        passes: true,
      });
      expect(exact.fill?.newOpenNotional).to.equal(wad(10_000));
      const over = simulateTrade({ ...base(), marketId: 0, sizeDelta: wad(4) + 1n });
      expect(over.error).to.be.instanceOf(InsufficientMarginError);
      // The extra wei is worth 2,000 wei at $2,000, and its basis rounds up to a whole nano-dollar (BASIS_UNIT,
      // the core's one-slot position), against the trader.
      expect(over.error?.args).to.deep.equal([wad(1_000) + 2_000n - BASIS_UNIT, wad(1_000) + 200n]);
      const reduce = simulateTrade({ ...base(), marketId: 0, sizeDelta: -wad("0.5") });
      expect(reduce.error).to.equal(undefined);
      expect(reduce.fill?.newSize).to.equal(wad("0.5"));
      expect(reduce.check?.kind).to.equal("reduction");
    });

    it("simulatePriceMove: a 20% drop makes the 2x long liquidatable only below its liquidation price", () => {
      const snapshot = { ...base(), marketId: 0 };
      const liq = liquidationPrice(snapshot)!;
      // equity = 1,000 + p − 2,000 ≤ 0.05 p ⇔ p ≤ 1,052.63…
      expect(liq).to.equal(105_263_157_894n * TICK);
      const at = simulatePriceMove({ ...base(), newPrices: { 0: liq } });
      expect(at.healthAfter.liquidatable).to.equal(true);
      const above = simulatePriceMove({ ...base(), newPrices: { 0: liq + TICK } });
      expect(above.healthAfter.liquidatable).to.equal(false);
      expect(at.healthBefore).to.deep.equal(accountHealth(base()));
    });
  });

  describe("typed errors and formatting", () => {
    it("every custom error of the ABIs has a typed class and a message", () => {
      for (const item of ballastErrorsAbi) {
        const args = item.inputs.map((input) =>
          input.type === "address"
            ? "0x0000000000000000000000000000000000000001"
            : input.type === "bytes32"
              ? `0x${"61".repeat(4)}${"00".repeat(28)}`
              : input.type.startsWith("int")
                ? -1n
                : 1n,
        );
        // biome-ignore lint/suspicious/noExplicitAny: iterating over every error name
        const error = createContractError(item.name as any, args as any);
        expect(error.errorName, item.name).to.equal(item.name);
        expect(error.shortMessage.length, item.name).to.be.greaterThan(10);
        expect(error.revert?.type).to.equal("error");
      }
      expect(ballastErrorsAbi.length).to.be.greaterThan(60);
    });

    it("an error without a hand-written message reads its NatSpec notice with the arguments filled in", () => {
      // OnlyVault has no entry in the SDK's message table: its text comes from the contracts' NatSpec.
      const caller = "0x0000000000000000000000000000000000000001";
      const error = createContractError("OnlyVault", [caller]);
      expect(error.shortMessage).to.equal(`Only the liquidity vault may call this; ${caller} is not it.`);
      expect(error).to.be.instanceOf(OnlyVaultError);
      // Every notice the generator collected names only parameters the error has.
      for (const [name, notice] of Object.entries(ERROR_NOTICES)) {
        const item = ballastErrorsAbi.find((candidate) => candidate.name === name);
        const parameters = new Set<string>(item?.inputs.map((input) => input.name ?? ""));
        for (const [, quoted] of notice!.matchAll(/`(\w+)`/g)) {
          if (/^[a-z]/.test(quoted!) && !quoted!.includes("_")) {
            const isParameter = parameters.has(quoted!);
            const isFunctionOrConstant = /[A-Z]/.test(quoted!) || ["pause", "unpause"].includes(quoted!);
            expect(isParameter || isFunctionOrConstant, `${name}: \`${quoted}\``).to.equal(true);
          }
        }
      }
    });

    it("a refused withdrawal names its cause: open losses, initial margin, unrealised profit, or unknown", () => {
      const requested = wad(900);
      const available = wad(100);
      const context = { action: "withdrawing 900 USDC", collateral: { symbol: "USDC", decimals: 6 } };
      const atALoss = createContractError("WithdrawalExceedsAvailable", [requested, available], {
        ...context,
        healthAfter: { margin: wad(190), equity: wad(90), initialMargin: wad(100), maintenanceMargin: wad(50) },
      });
      expect(atALoss.shortMessage).to.include("open losses of $100.00").and.not.include("unrealised profit");
      const inProfit = createContractError("WithdrawalExceedsAvailable", [requested, available], {
        ...context,
        healthAfter: { margin: wad(-700), equity: wad(300), initialMargin: wad(100), maintenanceMargin: wad(50) },
      });
      expect(inProfit.shortMessage).to.include("unrealised profit of $1,000.00");
      const unknown = createContractError("WithdrawalExceedsAvailable", [requested, available], context);
      expect(unknown.shortMessage).to.include("the lesser of the realised margin").and.not.include("profit");
    });

    it("formats WAD amounts, prices and token units", () => {
      expect(formatUsd(wad("1234.565"))).to.equal("$1,234.57");
      expect(formatUsd(-wad("0.5"))).to.equal("-$0.50");
      expect(formatPrice(wad("0.123456789"))).to.equal("$0.12345679");
      expect(formatToken(500_000_000n, 6, "USDC")).to.equal("500 USDC");
      expect(formatToken(1_234_500n, 6)).to.equal("1.2345");
      expect(formatFixed(-1n, 18, 2, "down")).to.equal("-0.01");
    });

    it("acceptablePrice rounds against the trader's tolerance: up for buys, down for sells", () => {
      expect(acceptablePrice({ price: wad(100) + 1n, sizeDelta: 1n, slippageBps: 50 })).to.equal(
        ((wad(100) + 1n) * 10_050n) / 10_000n + 1n,
      );
      expect(acceptablePrice({ price: wad(100), sizeDelta: -1n, slippageBps: 50 })).to.equal(wad("99.5"));
    });
  });
});
