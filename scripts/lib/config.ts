import { id } from "ethers";

/** 18-decimal fixed point: 1e18 = 1.0 (or 100%, or 1 USD). */
export const WAD = 10n ** 18n;

/** WAD from a decimal string or number, exactly: wad("0.05") = 5e16, wad(-2) = -2e18. */
export function wad(value: string | number | bigint): bigint {
  const text = String(value);
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = text.replace("-", "").split(".");
  const digits = BigInt(whole + fraction.padEnd(18, "0").slice(0, 18));
  return negative ? -digits : digits;
}

export interface Tier {
  notionalCap: bigint;
  initialMarginRate: bigint;
  maintenanceMarginRate: bigint;
}

export interface MarketParamsInput {
  feedId: string;
  maxOpenInterestPerSide: bigint;
  minPositionNotional: bigint;
  skewScale: bigint;
  takerFeeRate: bigint;
  makerFeeRate: bigint;
  fundingScale: bigint;
  maxFundingRatePerSecond: bigint;
  marginRampDuration: bigint;
}

export interface RiskParamsInput {
  liquidationFeeRate: bigint;
  keeperRewardShare: bigint;
  liquidationBuffer: bigint;
  fullLiquidationHealthFactor: bigint;
  minRemainingNotional: bigint;
  insuranceFeeShare: bigint;
  keeperRewardFloor: bigint;
  vaultReserveFactor: bigint;
  maxOpenInterestFactor: bigint;
  maxSkewFactor: bigint;
  maxPnlFactor: bigint;
}

/** A market to deploy: a mock Chainlink feed (8 decimals) plus the core's parameters and margin table. */
export interface MarketConfig {
  symbol: string;
  initialPriceUsd: number;
  minPriceWad: bigint;
  maxPriceWad: bigint;
  heartbeatSeconds: number;
  params: Partial<Omit<MarketParamsInput, "feedId">>;
  tiers: Tier[];
}

export const feedId = (symbol: string) => id(`${symbol}/USD`);

/** The worked example: a single bracket, 10% initial and 5% maintenance margin. */
export const SIMPLE_TIERS: Tier[] = [
  { notionalCap: wad(1_000_000_000), initialMarginRate: wad("0.1"), maintenanceMarginRate: wad("0.05") },
];

/** A progressive BTC table: up to 50x on small positions, 4x on the largest. */
export const BTC_TIERS: Tier[] = [
  { notionalCap: wad(50_000), initialMarginRate: wad("0.02"), maintenanceMarginRate: wad("0.01") },
  { notionalCap: wad(500_000), initialMarginRate: wad("0.04"), maintenanceMarginRate: wad("0.02") },
  { notionalCap: wad(5_000_000), initialMarginRate: wad("0.1"), maintenanceMarginRate: wad("0.05") },
  { notionalCap: wad(50_000_000), initialMarginRate: wad("0.25"), maintenanceMarginRate: wad("0.125") },
];

/** A progressive ETH table, a little stricter than BTC's. */
export const ETH_TIERS: Tier[] = [
  { notionalCap: wad(25_000), initialMarginRate: wad("0.025"), maintenanceMarginRate: wad("0.0125") },
  { notionalCap: wad(250_000), initialMarginRate: wad("0.05"), maintenanceMarginRate: wad("0.025") },
  { notionalCap: wad(2_500_000), initialMarginRate: wad("0.1"), maintenanceMarginRate: wad("0.05") },
  { notionalCap: wad(25_000_000), initialMarginRate: wad("0.25"), maintenanceMarginRate: wad("0.125") },
];

export const DEFAULT_RISK: RiskParamsInput = {
  liquidationFeeRate: wad("0.005"),
  keeperRewardShare: wad("0.5"),
  liquidationBuffer: wad("0.1"),
  fullLiquidationHealthFactor: wad("0.5"),
  minRemainingNotional: wad(10),
  insuranceFeeShare: wad("0.2"),
  // Off by default: with the $10 eligibility line the bound allows at most (0.5% − taker fee) × $10 ≈ $0.04.
  // Deployments that want one raise minRemainingNotional too (README: keeper reward floor).
  keeperRewardFloor: 0n,
  vaultReserveFactor: wad("0.5"),
  // Capacity off by default: a fresh deployment has no LP capital yet, and tests trade against seeded ledgers.
  // Deployments set them (README: capacity; DEMO_CAPACITY below is the demo's choice, with its derivation).
  maxOpenInterestFactor: 0n,
  maxSkewFactor: 0n,
  maxPnlFactor: 0n,
};

/** The largest single oracle update the demo plans for, per market: 20%, above every step of its crash path
 * (scripts/data/crash.csv: the steepest hour is SOL's −16.5%, BTC's −12.1%, ETH's −14.1%). */
export const DEMO_LARGEST_MOVE = wad("0.2");
/** The demo's LP capital C and insurance pool I (USD), deposited before anyone trades. */
export const DEMO_LP_DEPOSITS = [1_000_000n, 500_000n, 250_000n];
export const DEMO_INSURANCE_STAKES = [200_000n, 120_000n];
/**
 * The demo's capacity, set once LP capital is in (README: capacity). A coordinated long/short pair takes at most
 * E(X) = maxOpenInterestFactor × C × (X − imr) from one update of size X; with C = $1.75M, X_max = 20% and the loosest
 * table's imr = 2% (BTC's first bracket), a factor of 1 bounds it at $315,000 ≤ I = $320,000: the insurance pool, the
 * stated first-loss owner, covers the largest move the demo plans for, and LPs pay nothing for it. The skew cap is
 * the same notional; the PnL cap (GMX's MAX_PNL_FACTOR) stops new risk once traders are up half of C in a market.
 */
export const DEMO_CAPACITY = {
  maxOpenInterestFactor: wad(1),
  maxSkewFactor: wad(1),
  maxPnlFactor: wad("0.5"),
} as const;

/** Market parameters with everything optional switched off, then `overrides`. */
export function marketParams(feed: string, overrides: Partial<MarketParamsInput> = {}): MarketParamsInput {
  return {
    feedId: feed,
    maxOpenInterestPerSide: wad(1_000_000),
    minPositionNotional: wad(10),
    skewScale: 0n,
    takerFeeRate: 0n,
    makerFeeRate: 0n,
    fundingScale: 0n,
    maxFundingRatePerSecond: 0n,
    marginRampDuration: 0n,
    ...overrides,
  };
}

/** A progressive SOL table: an alt, so stricter than ETH's (20x on small positions). */
export const SOL_TIERS: Tier[] = [
  { notionalCap: wad(10_000), initialMarginRate: wad("0.05"), maintenanceMarginRate: wad("0.025") },
  { notionalCap: wad(100_000), initialMarginRate: wad("0.1"), maintenanceMarginRate: wad("0.05") },
  { notionalCap: wad(1_000_000), initialMarginRate: wad("0.2"), maintenanceMarginRate: wad("0.1") },
  { notionalCap: wad(10_000_000), initialMarginRate: wad("0.5"), maintenanceMarginRate: wad("0.25") },
];

/** Realistic markets for the demo and local deployments. */
export const DEMO_MARKETS: MarketConfig[] = [
  {
    symbol: "BTC",
    initialPriceUsd: 50_000,
    minPriceWad: wad(1_000),
    maxPriceWad: wad(10_000_000),
    heartbeatSeconds: 24 * 3600,
    tiers: BTC_TIERS,
    params: {
      maxOpenInterestPerSide: wad(500),
      minPositionNotional: wad(10),
      skewScale: wad(100_000),
      takerFeeRate: wad("0.0005"),
      makerFeeRate: wad("0.0002"),
      fundingScale: wad(1_000),
      maxFundingRatePerSecond: wad("0.001") / 3600n, // 0.1% an hour at full skew
      marginRampDuration: 3n * 24n * 3600n,
    },
  },
  {
    symbol: "ETH",
    initialPriceUsd: 2_000,
    minPriceWad: wad(10),
    maxPriceWad: wad(1_000_000),
    heartbeatSeconds: 24 * 3600,
    tiers: ETH_TIERS,
    params: {
      maxOpenInterestPerSide: wad(10_000),
      minPositionNotional: wad(10),
      skewScale: wad(2_000_000),
      takerFeeRate: wad("0.0006"),
      makerFeeRate: wad("0.0002"),
      fundingScale: wad(20_000),
      maxFundingRatePerSecond: wad("0.001") / 3600n,
      marginRampDuration: 3n * 24n * 3600n,
    },
  },
];

/** SOL: listed by the local deployment (Ignition module), the demo and the keeper's tests after DEMO_MARKETS. */
export const SOL_MARKET: MarketConfig = {
  symbol: "SOL",
  initialPriceUsd: 150,
  minPriceWad: wad("0.1"),
  maxPriceWad: wad(100_000),
  heartbeatSeconds: 24 * 3600,
  tiers: SOL_TIERS,
  params: {
    maxOpenInterestPerSide: wad(200_000),
    minPositionNotional: wad(10),
    skewScale: wad(20_000_000),
    takerFeeRate: wad("0.0007"),
    makerFeeRate: wad("0.0002"),
    fundingScale: wad(200_000),
    maxFundingRatePerSecond: wad("0.001") / 3600n,
    marginRampDuration: 3n * 24n * 3600n,
  },
};

/** Every market of a local deployment, in listing order (market id = index): BTC, ETH, SOL. */
export const LOCAL_MARKETS: MarketConfig[] = [...DEMO_MARKETS, SOL_MARKET];

/**
 * Seconds between an LP's deposit or redemption request and its earliest settlement (LiquidityVault, bounds
 * 1 minute to 1 day). One hour: longer than an order's commit-to-settle delay and than the oracle heartbeat, so a
 * PnL event an LP can see coming (a committed order, a published off-chain price) is in the NAV before the request
 * settles; short enough that LP capital is not tied up for long.
 */
export const VAULT_SETTLEMENT_DELAY_SECONDS = 3_600;
/** Seconds between a staker's redemption request and its earliest settlement (InsurancePool, 1 hour to 30 days). */
export const INSURANCE_COOLDOWN_SECONDS = 7 * 24 * 3_600;
/** Order-book parameters (IOrderBook.OrderParams). Local networks settle 1 s after commit; see docs/orders.md. */
export interface OrderParamsInput {
  minDelay: number;
  defaultWindow: number;
  maxWindow: number;
  /** Escrowed at commit and paid to the settler, in cents of the collateral token (feeUnit = 10^(decimals−2)). */
  settlementFeeUnits: number;
  /** WAD share of the escrow paid to a third party cancelling an expired order. */
  cancelRewardShare: bigint;
}

export const DEFAULT_ORDER_PARAMS: OrderParamsInput = {
  minDelay: 1,
  defaultWindow: 60,
  maxWindow: 3600,
  settlementFeeUnits: 10, // $0.10
  cancelRewardShare: 10n ** 17n, // 10%
};

/** The largest conf / price a settlement price may have, per market (WAD): 1%. */
export const DEFAULT_MAX_CONFIDENCE_RATIO = 10n ** 16n;

/** The Pyth price feed id of a market on local networks (MockPythUnique): the adapter's feed id. */
export const pythFeedId = (symbol: string) => feedId(symbol);
