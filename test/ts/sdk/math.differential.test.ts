/**
 * Differential tests: the SDK's bigint math (sdk/src/math) against the Solidity libraries (contracts/libraries),
 * through `contracts/mocks/MathHarness.sol`.
 *
 * For every library function, edge-value grids and fast-check random inputs are evaluated by both sides; results
 * must be equal as bigints, and wherever the contract reverts the SDK must throw an error whose `revert` encodes
 * to the very same revert data (Panic code, SafeCast error or MarginTiers custom error with its arguments).
 * Inputs go to the chain in batches (`MathHarness.batch`: one `eth_call` per few hundred cases, each case a
 * `staticcall`, so a reverting case fails alone).
 */
import { expect } from "chai";
import { network } from "hardhat";
import fc from "fast-check";
import { Interface, type Result } from "ethers";
import * as sdk from "../../../sdk/src/math/index.js";
import type { MarginTier } from "../../../sdk/src/math/index.js";
import { BallastError, type SolidityRevert } from "../../../sdk/src/errors.js";

const { ethers } = await network.create();

// ------------------------------------------------------------------------------------------------ constants

const WAD = 10n ** 18n;
const MAX_UINT256 = 2n ** 256n - 1n;
const MAX_INT256 = 2n ** 255n - 1n;
const MIN_INT256 = -(2n ** 255n);
const MAX_INT128 = 2n ** 127n - 1n;
const MIN_INT128 = -(2n ** 127n);
const MAX_UINT128 = 2n ** 128n - 1n;
const MAX_UINT64 = 2n ** 64n - 1n;
const PRICE_MAX = 10n ** 36n;

/** Random cases per function: RUNS fast-check runs of BATCH cases, each run one eth_call. */
const BATCH = 250;
const RUNS = 4;

// ------------------------------------------------------------------------------------------------ edge values

const UINT_EDGES = [
  0n,
  1n,
  2n,
  3n,
  WAD - 1n,
  WAD,
  WAD + 1n,
  PRICE_MAX,
  MAX_UINT64,
  MAX_UINT128,
  MAX_UINT128 + 1n,
  MAX_INT256,
  MAX_INT256 + 1n,
  MAX_UINT256 - 1n,
  MAX_UINT256,
] as const;
const INT_EDGES = [
  0n,
  1n,
  -1n,
  2n,
  -2n,
  WAD,
  -WAD,
  WAD + 1n,
  -(WAD + 1n),
  PRICE_MAX,
  -PRICE_MAX,
  MAX_INT128,
  MIN_INT128,
  MAX_INT256,
  MAX_INT256 - 1n,
  MIN_INT256,
  MIN_INT256 + 1n,
] as const;
/** Smaller grids for functions of three or more arguments. */
const UINT_S = [0n, 1n, 3n, WAD, PRICE_MAX, MAX_INT256 + 1n, MAX_UINT256] as const;
const INT_S = [0n, 1n, -1n, -(WAD + 1n), MAX_INT128, MIN_INT256, MAX_INT256] as const;
const UINT_XS = [0n, 1n, WAD, MAX_INT256 + 1n, MAX_UINT256] as const;
const INT_XS = [0n, -1n, WAD + 1n, MIN_INT256, MAX_INT256] as const;

type Elements<T extends readonly (readonly unknown[])[]> = { [K in keyof T]: T[K][number] };

/** Cartesian product of the given value lists, as argument tuples. */
function grid<T extends readonly (readonly unknown[])[]>(...lists: T): Elements<T>[] {
  let tuples: unknown[][] = [[]];
  for (const list of lists) tuples = tuples.flatMap((tuple) => list.map((value) => [...tuple, value]));
  return tuples as Elements<T>[];
}

// ------------------------------------------------------------------------------------------------ arbitraries

/** A uint of log-uniform magnitude: 0 ≤ x < 2^b with b uniform in [0, maxBits]. */
const logUint = (maxBits: number) =>
  fc.integer({ min: 0, max: maxBits }).chain((b) => fc.bigInt({ min: 0n, max: (1n << BigInt(b)) - 1n }));
/** A signed int of log-uniform magnitude below 2^maxBits. */
const logInt = (maxBits: number) => fc.tuple(fc.boolean(), logUint(maxBits)).map(([neg, m]) => (neg ? -m : m));

const uint256 = fc.oneof(fc.constantFrom(...UINT_EDGES), logUint(256), fc.bigInt({ min: 0n, max: MAX_UINT256 }));
const int256 = fc.oneof(fc.constantFrom(...INT_EDGES), logInt(255), fc.bigInt({ min: MIN_INT256, max: MAX_INT256 }));
/** Prices: WAD USD per base unit, up to 1e36. */
const price = fc.oneof(
  fc.constantFrom(0n, 1n, WAD, 50_000n * WAD, PRICE_MAX - 1n, PRICE_MAX),
  fc.bigInt({ min: 0n, max: PRICE_MAX }),
  logUint(119),
);
/** Sizes: signed WAD base units within int128. */
const size = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, WAD, -WAD, MAX_INT128, MIN_INT128, MAX_INT128 - 1n, MIN_INT128 + 1n),
  fc.bigInt({ min: MIN_INT128, max: MAX_INT128 }),
  logInt(127),
);
/** Signed WAD USD amounts of realistic scale (size × price fits in 2^190). */
const usd = fc.oneof(fc.constantFrom(0n, 1n, -1n, WAD, -WAD), logInt(190));
/** Rates (WAD), mostly ≤ 100%. */
const rate = fc.oneof(fc.constantFrom(0n, 1n, WAD - 1n, WAD, WAD + 1n), fc.bigInt({ min: 0n, max: WAD }), logUint(64));
/** Small divisors leave remainders; 0 divides by zero. */
const divisor = fc.oneof(fc.constantFrom(0n, 1n, 2n, 3n, 7n, WAD), uint256);

/** Valid tier tables: caps strictly increasing, rates non-decreasing, WAD ≥ imr > mmr > 0. */
const validTable: fc.Arbitrary<MarginTier[]> = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc
    .tuple(
      fc.array(fc.oneof(logUint(96), fc.bigInt({ min: 1n, max: 10n ** 24n })), { minLength: n, maxLength: n }),
      fc.array(
        fc
          .bigInt({ min: 1n, max: WAD - 1n })
          .chain((mmr) => fc.tuple(fc.constant(mmr), fc.bigInt({ min: mmr + 1n, max: WAD }))),
        { minLength: n, maxLength: n },
      ),
    )
    .map(([steps, rates]) => {
      const mmrs = rates.map(([mmr]) => mmr).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const imrs = rates.map(([, imr]) => imr).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      let cap = 0n;
      return steps.map((step, i) => {
        cap += step + 1n;
        return { notionalCap: cap, initialMarginRate: imrs[i] ?? WAD, maintenanceMarginRate: mmrs[i] ?? 1n };
      });
    }),
);
/** Any table the ABI can carry, of 0 to 9 brackets. */
const anyTable: fc.Arbitrary<MarginTier[]> = fc.array(
  fc.record({
    notionalCap: fc.oneof(fc.constantFrom(0n, 1n, MAX_UINT128), logUint(128)),
    initialMarginRate: fc.oneof(fc.constantFrom(0n, WAD, WAD + 1n, MAX_UINT64), logUint(64)),
    maintenanceMarginRate: fc.oneof(fc.constantFrom(0n, WAD, MAX_UINT64), logUint(64)),
  }),
  { maxLength: 9 },
);
/** A valid table with one field of one bracket overwritten, or brackets added or removed. */
const mutatedTable: fc.Arbitrary<MarginTier[]> = fc
  .tuple(
    validTable,
    fc.nat(),
    fc.integer({ min: 0, max: 5 }),
    fc.oneof(fc.constantFrom(0n, 1n, WAD, WAD + 1n), logUint(64)),
  )
  .map(([table, at, field, value]) => {
    const i = at % table.length;
    const tier = table[i];
    const previous = table[i - 1];
    if (tier === undefined) return table;
    const copy = table.map((t) => ({ ...t }));
    const target = copy[i];
    if (target === undefined) return copy;
    switch (field) {
      case 0:
        target.notionalCap = previous?.notionalCap ?? 0n; // equal cap
        break;
      case 1:
        target.initialMarginRate = value;
        break;
      case 2:
        target.maintenanceMarginRate = value;
        break;
      case 3:
        target.initialMarginRate = target.maintenanceMarginRate; // imr = mmr
        break;
      case 4:
        return [...copy, ...copy.slice(0, Math.max(0, 9 - copy.length))].slice(0, 9); // too many brackets
      default:
        target.maintenanceMarginRate = previous === undefined ? 0n : previous.maintenanceMarginRate - 1n;
    }
    return copy;
  });

/** A Binance-like BTCUSDT table (see the unit tests): caps in whole USD, IM and MM rates in basis points. */
const BPS = 10n ** 14n;
const BINANCE_TABLE: MarginTier[] = (
  [
    [50_000n, 80n, 40n],
    [600_000n, 100n, 50n],
    [3_000_000n, 133n, 65n],
    [12_000_000n, 200n, 100n],
    [70_000_000n, 400n, 200n],
    [100_000_000n, 500n, 250n],
    [230_000_000n, 1000n, 500n],
    [480_000_000n, 2500n, 1250n],
  ] as const
).map(([cap, im, mm]) => ({ notionalCap: cap * WAD, initialMarginRate: im * BPS, maintenanceMarginRate: mm * BPS }));

/** Notionals around every cap of `table` (±1 wei, ±1 USD), plus arbitrary ones. */
const notionalFor = (table: readonly MarginTier[]) =>
  fc.oneof(
    fc.constantFrom(
      0n,
      1n,
      MAX_UINT256,
      ...table
        .flatMap((t) => [
          t.notionalCap - WAD,
          t.notionalCap - 1n,
          t.notionalCap,
          t.notionalCap + 1n,
          t.notionalCap + WAD,
        ])
        .filter((n) => n >= 0n),
    ),
    fc.bigInt({ min: 0n, max: 2n * (table.at(-1)?.notionalCap ?? WAD) + 1n }),
    uint256,
  );

// ------------------------------------------------------------------------------------------------ harness runner

const harness = await ethers.deployContract("MathHarness");
/** The harness ABI as a plain ethers `Interface`, so calls can be encoded by function name at run time. */
const harnessInterface = new Interface(harness.interface.fragments);
const panicInterface = new Interface(["error Panic(uint256)"]);

function revertData(revert: SolidityRevert): string {
  if (revert.type === "panic") return panicInterface.encodeErrorResult("Panic", [revert.code]);
  return new Interface([`error ${revert.signature}`]).encodeErrorResult(revert.name, [...revert.args]);
}

type Outcome = { ok: true; values: readonly (readonly [string, unknown])[] } | { ok: false; data: string };

/** The SDK's outcome: named outputs in order, or the revert data its error stands for. */
function sdkOutcome(call: () => unknown): Outcome {
  let value: unknown;
  try {
    value = call();
  } catch (error) {
    if (error instanceof BallastError && error.revert !== undefined)
      return { ok: false, data: revertData(error.revert) };
    throw error; // a generator produced an input the ABI cannot carry, or the SDK failed unexpectedly
  }
  if (value === undefined) return { ok: true, values: [] };
  if (typeof value === "bigint" || typeof value === "boolean") return { ok: true, values: [["", value]] };
  return { ok: true, values: Object.entries(value as Record<string, unknown>) };
}

/** The contract's outcome, decoded from one `batch` element. */
function chainOutcome(fn: string, success: boolean, data: string): Outcome {
  if (!success) return { ok: false, data };
  const result: Result = harnessInterface.decodeFunctionResult(fn, data);
  const fragment = harnessInterface.getFunction(fn);
  const names = fragment?.outputs.map((o) => o.name) ?? [];
  return { ok: true, values: names.map((name, i) => [names.length > 1 ? name : "", result[i]] as const) };
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.ok !== b.ok) return false;
  if (!a.ok || !b.ok) return !a.ok && !b.ok && a.data === b.data;
  return (
    a.values.length === b.values.length &&
    a.values.every(([k, v], i) => b.values[i]?.[0] === k && b.values[i]?.[1] === v)
  );
}

const show = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

const counts = {
  edge: 0,
  random: 0,
  byFunction: {} as Record<string, { ok: number; reverted: number }>,
};

/** Runs `cases` of `fn` on chain (in batches) and in the SDK, and fails on the first difference. */
async function compare<A extends unknown[]>(
  fn: string,
  sdkFn: (...args: A) => unknown,
  cases: readonly Readonly<A>[],
  kind: "edge" | "random",
): Promise<void> {
  for (let start = 0; start < cases.length; start += 500) {
    const chunk = cases.slice(start, start + 500);
    const calls = chunk.map((args) => harnessInterface.encodeFunctionData(fn, [...args]));
    const [success, returnData] = (await harness.batch(calls)) as [boolean[], string[]];
    chunk.forEach((args, i) => {
      const onChain = chainOutcome(fn, success[i] ?? false, returnData[i] ?? "0x");
      const offChain = sdkOutcome(() => sdkFn(...args));
      if (!sameOutcome(onChain, offChain)) {
        expect.fail(`${fn}(${show(args)}): contract ${show(onChain)} but SDK ${show(offChain)}`);
      }
      const tally = counts.byFunction[fn] ?? { ok: 0, reverted: 0 };
      counts.byFunction[fn] = tally;
      if (onChain.ok) tally.ok += 1;
      else tally.reverted += 1;
    });
  }
  counts[kind] += cases.length;
}

/** Edge grid first, then RUNS × BATCH random cases as a fast-check property (one eth_call per run). */
async function differential<A extends unknown[]>(
  fn: string,
  sdkFn: (...args: A) => unknown,
  arbitrary: fc.Arbitrary<Readonly<A>>,
  edges: readonly Readonly<A>[],
): Promise<void> {
  await compare(fn, sdkFn, edges, "edge");
  await fc.assert(
    fc.asyncProperty(fc.array(arbitrary, { minLength: BATCH, maxLength: BATCH }), async (cases) => {
      await compare(fn, sdkFn, cases, "random");
    }),
    // `compare` already reports the exact failing input; shrinking would cost an eth_call per attempt.
    { numRuns: RUNS, endOnFailure: true },
  );
  // The generators must reach both outcomes: results for every function, and reverts for every function that can.
  const tally = counts.byFunction[fn];
  expect(tally?.ok, `${fn}: successful cases`).to.be.greaterThan(0);
  if (TOTAL_FUNCTIONS.has(fn)) expect(tally?.reverted, `${fn} never reverts`).to.equal(0);
  else expect(tally?.reverted, `${fn}: reverting cases`).to.be.greaterThan(0);
}

/** Library functions that cannot revert on any ABI-encodable input. */
const TOTAL_FUNCTIONS = new Set(["abs", "positivePart", "interpolate", "haircutRatio", "convertedProfit"]);

// ------------------------------------------------------------------------------------------------ tests

describe("SDK math ≡ contract math (differential)", function () {
  this.timeout(300_000);

  after(() => {
    const tallies = Object.values(counts.byFunction);
    const reverted = tallies.reduce((sum, t) => sum + t.reverted, 0);
    console.log(
      `    differential: ${counts.edge + counts.random} cases (${counts.edge} edge-grid + ${counts.random} random; ` +
        `${reverted} reverting) across ${tallies.length} functions — SDK ≡ contract on every one`,
    );
    if (process.env.DIFFERENTIAL_VERBOSE !== undefined) console.table(counts.byFunction);
  });

  it("exposes the same constants", async () => {
    expect(await harness.WAD()).to.equal(sdk.WAD);
    expect(await harness.MAX_TIERS()).to.equal(sdk.MAX_TIERS);
    expect(sdk.MAX_UINT256).to.equal(MAX_UINT256);
  });

  describe("WadMath", () => {
    const unsignedPair = fc.oneof(fc.tuple(uint256, uint256), fc.tuple(logUint(190), price));
    for (const [fn, f] of [
      ["mulWadDown", sdk.mulWadDown],
      ["mulWadUp", sdk.mulWadUp],
      ["divWadDown", sdk.divWadDown],
      ["divWadUp", sdk.divWadUp],
    ] as const) {
      it(fn, () => differential(fn, f, unsignedPair, grid(UINT_EDGES, UINT_EDGES)));
    }
    for (const [fn, f] of [
      ["mulDivFloor", sdk.mulDivFloor],
      ["mulDivCeil", sdk.mulDivCeil],
    ] as const) {
      it(fn, () =>
        differential(
          fn,
          f,
          fc.oneof(fc.tuple(int256, uint256, divisor), fc.tuple(usd, price, divisor)),
          grid(INT_S, UINT_S, [0n, 1n, 3n, WAD, MAX_INT256, MAX_UINT256]),
        ),
      );
    }
    it("mulWadFloor", () =>
      differential(
        "mulWadFloor",
        sdk.mulWadFloor,
        fc.oneof(fc.tuple(int256, uint256), fc.tuple(size, price)),
        grid(INT_EDGES, UINT_EDGES),
      ));
    it("mulWadCeil", () =>
      differential(
        "mulWadCeil",
        sdk.mulWadCeil,
        fc.oneof(fc.tuple(int256, int256), fc.tuple(size, usd)),
        grid(INT_EDGES, INT_EDGES),
      ));
    it("abs", () => differential("abs", sdk.abs, fc.tuple(int256), grid(INT_EDGES)));
    it("positivePart", () => differential("positivePart", sdk.positivePart, fc.tuple(int256), grid(INT_EDGES)));
  });

  describe("MarginTiers", () => {
    const tableEdges: MarginTier[][] = [
      [],
      BINANCE_TABLE,
      [{ notionalCap: MAX_UINT128, initialMarginRate: MAX_UINT64, maintenanceMarginRate: MAX_UINT64 }],
      [{ notionalCap: 1n, initialMarginRate: WAD, maintenanceMarginRate: 1n }],
      [
        { notionalCap: 100n * WAD, initialMarginRate: WAD / 10n, maintenanceMarginRate: WAD / 20n },
        { notionalCap: 50n * WAD, initialMarginRate: WAD / 5n, maintenanceMarginRate: WAD / 10n }, // caps decrease
      ],
    ];

    it("requirements", () =>
      differential(
        "requirements",
        sdk.requirements,
        fc
          .oneof(validTable, anyTable, fc.constant(BINANCE_TABLE))
          .chain((table) => fc.tuple(fc.constant(table), notionalFor(table))),
        tableEdges.flatMap((table) =>
          [
            0n,
            1n,
            WAD,
            MAX_UINT128,
            MAX_UINT256,
            ...table.flatMap((t) => [t.notionalCap - 1n, t.notionalCap, t.notionalCap + 1n]),
          ]
            .filter((n) => n >= 0n)
            .map((n) => [table, n] as const),
        ),
      ));

    it("maintenanceRateAt", () =>
      differential(
        "maintenanceRateAt",
        sdk.maintenanceRateAt,
        fc
          .oneof(validTable, anyTable, fc.constant(BINANCE_TABLE))
          .chain((table) => fc.tuple(fc.constant(table), notionalFor(table))),
        tableEdges.flatMap((table) =>
          [0n, 1n, MAX_UINT256, ...table.flatMap((t) => [t.notionalCap - 1n, t.notionalCap, t.notionalCap + 1n])]
            .filter((n) => n >= 0n)
            .map((n) => [table, n] as const),
        ),
      ));

    it("interpolate", () =>
      differential(
        "interpolate",
        sdk.interpolate,
        fc.oneof(
          fc.tuple(
            logUint(100),
            logUint(100),
            fc.bigInt({ min: 0n, max: 10n ** 6n }),
            fc.bigInt({ min: 0n, max: 10n ** 6n }),
          ),
          fc.tuple(uint256, uint256, uint256, uint256),
        ),
        grid(UINT_S, UINT_S, UINT_S, UINT_S),
      ));

    it("validate", () =>
      differential(
        "validate",
        sdk.validate,
        fc.oneof(validTable, mutatedTable, anyTable).map((table) => [table] as const),
        tableEdges.map((table) => [table] as const),
      ));
  });

  describe("PositionMath", () => {
    /** Fills that open, increase, reduce, close exactly, close ±1 wei, halve and flip. */
    const fill = fc.tuple(size, price, price, fc.integer({ min: 0, max: 7 }), size).map(([s, entry, p, kind, free]) => {
      const openNotional = (s * entry) / WAD;
      const delta = [free, -s, -s + 1n, -s - 1n, -(s / 2n), -2n * s, s, 0n][kind] ?? free;
      return [s, openNotional, delta, p] as const;
    });

    it("unrealisedPnl", () =>
      differential(
        "unrealisedPnl",
        sdk.unrealisedPnl,
        fc.oneof(fc.tuple(size, usd, price), fc.tuple(int256, int256, uint256)),
        grid(INT_S, INT_S, UINT_S),
      ));
    it("notional", () =>
      differential(
        "notional",
        sdk.notional,
        fc.oneof(fc.tuple(size, price), fc.tuple(int256, uint256)),
        grid(INT_EDGES, UINT_EDGES),
      ));
    it("applyFill", () =>
      differential(
        "applyFill",
        sdk.applyFill,
        fc.oneof({ arbitrary: fill, weight: 3 }, { arbitrary: fc.tuple(int256, int256, int256, uint256), weight: 1 }),
        grid(INT_S, INT_S, INT_S, UINT_S),
      ));
  });

  describe("FundingMath", () => {
    it("fundingRate", () =>
      differential(
        "fundingRate",
        sdk.fundingRate,
        fc.oneof(
          fc.tuple(size, fc.oneof(fc.constantFrom(0n, 1n, 3n), logUint(128)), fc.bigInt({ min: 0n, max: 10n ** 15n })),
          fc.tuple(int256, uint256, uint256),
        ),
        grid(INT_S, UINT_S, [0n, 1n, 10n ** 12n, MAX_INT256, MAX_INT256 + 1n, MAX_INT256 + 2n, MAX_UINT256]),
      ));
    it("nextIndex", () =>
      differential(
        "nextIndex",
        sdk.nextIndex,
        fc.oneof(
          fc.tuple(usd, logInt(60), price, fc.bigInt({ min: 0n, max: 10n ** 8n })),
          fc.tuple(int256, int256, uint256, uint256),
        ),
        grid(INT_S, INT_S, UINT_S, UINT_S),
      ));
    it("accruedFunding", () =>
      differential(
        "accruedFunding",
        sdk.accruedFunding,
        fc.oneof(fc.tuple(size, usd, usd), fc.tuple(int256, int256, int256)),
        grid(INT_S, INT_S, INT_S),
      ));
  });

  describe("MarginMath", () => {
    /** Equity near MM: equal, ±1 wei, ±1 USD, or anywhere. */
    const equityAndRequirement = fc.oneof(
      fc
        .tuple(logUint(190), fc.constantFrom(0n, 1n, -1n, WAD, -WAD), fc.boolean())
        .map(([mm, d, negate]) => [negate ? -(mm + d) : mm + d, mm] as const),
      fc.tuple(int256, uint256),
    );
    for (const [fn, f] of [
      ["healthFactor", sdk.healthFactor],
      ["marginRatio", sdk.marginRatio],
      ["isLiquidatable", sdk.isLiquidatable],
    ] as const) {
      it(fn, () => differential(fn, f, equityAndRequirement, grid(INT_EDGES, UINT_EDGES)));
    }
    it("withdrawableMargin", () =>
      differential(
        "withdrawableMargin",
        sdk.withdrawableMargin,
        fc.oneof(fc.tuple(usd, usd, logUint(190)), fc.tuple(int256, int256, uint256)),
        grid(INT_S, INT_S, UINT_S),
      ));
  });

  describe("LiquidationMath", () => {
    it("targetEquity", () =>
      differential(
        "targetEquity",
        sdk.targetEquity,
        fc.oneof(fc.tuple(logUint(190), rate), fc.tuple(uint256, uint256)),
        grid(UINT_EDGES, UINT_EDGES),
      ));
    it("closeSlope", () =>
      differential(
        "closeSlope",
        sdk.closeSlope,
        fc.oneof(
          {
            arbitrary: fc.tuple(
              size,
              size,
              price,
              price,
              size,
              fc.oneof(fc.constant(0n), logUint(130)),
              rate,
              rate,
              rate,
            ),
            weight: 3,
          },
          {
            arbitrary: fc.tuple(int256, int256, uint256, uint256, int256, uint256, uint256, uint256, uint256),
            weight: 1,
          },
        ),
        grid(
          INT_XS,
          [0n, -1n, WAD + 1n],
          [1n, WAD, MAX_UINT256],
          [WAD],
          INT_XS,
          [0n, 1n, WAD],
          [0n, WAD],
          [0n, WAD],
          [0n, MAX_UINT256],
        ),
      ));
    it("closeSize", () =>
      differential(
        "closeSize",
        sdk.closeSize,
        fc.oneof(fc.tuple(size, rate), fc.tuple(int256, uint256)),
        grid(INT_EDGES, UINT_EDGES),
      ));
    it("liquidationFee", () =>
      differential(
        "liquidationFee",
        sdk.liquidationFee,
        fc.oneof(fc.tuple(logUint(190), rate, usd), fc.tuple(uint256, uint256, int256)),
        grid(UINT_S, UINT_S, INT_S),
      ));
  });

  describe("ProfitHaircut", () => {
    const uint128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
    const int128 = fc.bigInt({ min: -(1n << 127n), max: (1n << 127n) - 1n });
    /** Dollar-scale totals where the haircut binds and where it does not, and the whole stored ranges. */
    const ledger = fc.oneof(
      fc.tuple(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
      ),
      fc.tuple(uint128, int128, int128),
    );
    const EDGE_128 = [0n, 1n, WAD, (1n << 127n) - 1n];
    const EDGE_S128 = [0n, 1n, -1n, WAD, -WAD, (1n << 127n) - 1n, -(1n << 127n)];
    it("haircutRatio", () =>
      differential(
        "haircutRatio",
        (totalProfit: bigint, vaultLedger: bigint, tradersPnl: bigint) =>
          sdk.haircutRatio({ totalProfit, vaultLedger, tradersPnl }),
        ledger,
        grid(EDGE_128, EDGE_S128, EDGE_S128),
      ));
    it("convertedProfit", () =>
      differential(
        "convertedProfit",
        (profit: bigint, totalProfit: bigint, vaultLedger: bigint, tradersPnl: bigint) =>
          sdk.convertedProfit(profit, { totalProfit, vaultLedger, tradersPnl }),
        ledger.chain(([t, v, u]) =>
          fc.tuple(fc.bigInt({ min: 0n, max: t }), fc.constant(t), fc.constant(v), fc.constant(u)),
        ),
        grid(EDGE_128, EDGE_128, EDGE_S128, EDGE_S128),
      ));
  });

  describe("PricingMath", () => {
    it("closeFillPrice", () =>
      differential(
        "closeFillPrice",
        sdk.closeFillPrice,
        fc.oneof(
          fc.tuple(price, size, size, fc.oneof(fc.constantFrom(0n, 1n, WAD), logUint(130))),
          fc.tuple(uint256, int256, int256, uint256),
        ),
        grid(UINT_S, INT_S, INT_S, UINT_S),
      ));
    it("fillPrice", () =>
      differential(
        "fillPrice",
        sdk.fillPrice,
        fc.oneof(
          fc.tuple(price, size, size, fc.oneof(fc.constantFrom(0n, 1n, WAD), logUint(130))),
          fc.tuple(uint256, int256, int256, uint256),
        ),
        grid(UINT_S, INT_S, INT_S, UINT_S),
      ));
    it("tradingFee", () =>
      differential(
        "tradingFee",
        sdk.tradingFee,
        fc.oneof(
          fc.tuple(size, size, price, fc.bigInt({ min: 0n, max: 10n ** 16n }), fc.bigInt({ min: 0n, max: 10n ** 16n })),
          fc.tuple(int256, int256, uint256, uint256, uint256),
        ),
        grid(INT_XS, INT_XS, UINT_XS, UINT_XS, UINT_XS),
      ));
  });
});
