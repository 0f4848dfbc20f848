/**
 * The contracts' structs as plain bigint objects (field names as in `contracts/interfaces/IBallastCore.sol`), and
 * the snapshot types the account math reads. Market ids are JavaScript numbers (they are < 64 on chain).
 *
 * @module
 */
import type { MarginTier } from "./marginTiers.js";

/** `MarketParams`: per-market trading parameters. */
export type MarketParams = {
  /** Oracle feed id of the mark price (bytes32). */
  feedId: `0x${string}`;
  /** Base units, per side (uint128). */
  maxOpenInterestPerSide: bigint;
  /** WAD USD, for risk-increasing trades (uint128). */
  minPositionNotional: bigint;
  /** Base units; premium = averageSkew / skewScale; 0 disables it (uint128). */
  skewScale: bigint;
  /** WAD of notional, on the part of a trade that grows |skew| (uint64). */
  takerFeeRate: bigint;
  /** WAD of notional, on the part that shrinks |skew| (uint64). */
  makerFeeRate: bigint;
  /** Base units of skew at which funding reaches its max rate; 0 disables funding (uint128). */
  fundingScale: bigint;
  /** WAD per second (uint64). */
  maxFundingRatePerSecond: bigint;
  /** Seconds over which a new margin table phases in (uint32). */
  marginRampDuration: bigint;
};

/** `MarketState`: per-market running state. */
export type MarketState = {
  /** WAD USD per base unit, cumulative (int128). */
  fundingIndex: bigint;
  /** Unix seconds of the last accrual (uint64). */
  lastFundingTime: bigint;
  /** Base units (uint128). */
  longOpenInterest: bigint;
  /** Base units (uint128). */
  shortOpenInterest: bigint;
  /** Σ openNotional of all positions, WAD USD (int128 on chain). */
  netOpenNotional: bigint;
  /** Σ over positions of mulWadCeil(size, entry funding index), WAD USD (int128 on chain). */
  netFundingBasis: bigint;
  /** Traders' net unrealised PnL at the exit price of the market's last trade or liquidation, WAD USD (int128 on
   * chain); summed over markets for the haircut ratio (`profitHaircut.ts`). */
  tradersPnl: bigint;
};

/** The part of {@link MarketState} that funding, and so every account figure, reads. */
export type FundingState = Pick<
  MarketState,
  "fundingIndex" | "lastFundingTime" | "longOpenInterest" | "shortOpenInterest"
>;

/** A market's margin-table ramp (`BallastCore.marginRamp`): requirements interpolate from `previousTiers`. */
export type MarginRamp = {
  /** The table the ramp started from (empty when no ramp ever ran). */
  previousTiers: readonly MarginTier[];
  /** Unix seconds. */
  start: bigint;
  /** Unix seconds; the current table is fully in force from `end` on. */
  end: bigint;
};

/** Everything the account math needs about one market. */
export type Market = {
  marketId: number;
  params: MarketParams;
  state: MarketState;
  /** The current table (`getMarket`). */
  tiers: readonly MarginTier[];
  ramp: MarginRamp;
};

/** `Account`: owner, mode, realised margin and the bitmap of open markets. */
export type Account = {
  owner: `0x${string}`;
  isolated: boolean;
  isolatedMarketId: number;
  /** WAD USD, realised, at face value (int96). */
  margin: bigint;
  /** WAD USD, the part of `margin` that is realised profit not yet converted to principal (uint96); worth
   * `haircutRatio` of its face (see `profitHaircut.ts`). */
  profit: bigint;
  /** Bitmap of markets with an open position (uint64). */
  activeMarkets: bigint;
};

/** `Position`: (size, openNotional) give PnL; lastFundingIndex is where funding was last settled. */
export type Position = {
  /** Signed WAD base units, long > 0 (int128). */
  size: bigint;
  /** Signed WAD USD paid to open (int128). */
  openNotional: bigint;
  /** WAD USD per base unit (int128). */
  lastFundingIndex: bigint;
};

/** A position together with its market id. */
export type AccountPosition = Position & { marketId: number };

/** `RiskParams`: protocol-wide liquidation and fee-routing parameters. */
export type RiskParams = {
  liquidationFeeRate: bigint;
  keeperRewardShare: bigint;
  liquidationBuffer: bigint;
  fullLiquidationHealthFactor: bigint;
  minRemainingNotional: bigint;
  insuranceFeeShare: bigint;
  /** WAD USD: the least a keeper earns for a close of ≥ minRemainingNotional (topped up from insurance). */
  keeperRewardFloor: bigint;
  vaultReserveFactor: bigint;
  /** WAD of LP capital: each side's open-interest notional may reach this much of it (0: no check). */
  maxOpenInterestFactor: bigint;
  /** WAD of LP capital: the skew notional a trade that grows |skew| may reach (0: no check). */
  maxSkewFactor: bigint;
  /** WAD of LP capital: traders' net unrealised PnL in a market above which new risk is refused (0: no check). */
  maxPnlFactor: bigint;
};

/** `AccountHealth`, exactly as `BallastCore.accountHealth` returns it. */
export type AccountHealth = {
  /** Realised margin, WAD USD. */
  margin: bigint;
  /** margin + Σ (unrealisedPnl − accruedFunding), WAD USD. */
  equity: bigint;
  initialMargin: bigint;
  maintenanceMargin: bigint;
  totalNotional: bigint;
  /** equity / MM, WAD, rounded down; MAX_UINT256 when MM = 0. */
  healthFactor: bigint;
  /** MM / equity, WAD, rounded up; MAX_UINT256 when equity ≤ 0 < MM. */
  marginRatio: bigint;
  /** WAD USD that may leave now. */
  withdrawable: bigint;
  liquidatable: boolean;
};

/** `LiquidationPreview`, exactly as `BallastCore.previewLiquidation` returns it. */
export type LiquidationPreview = {
  liquidatable: boolean;
  full: boolean;
  /** WAD of every position closed. */
  fraction: bigint;
  equityBefore: bigint;
  maintenanceMarginBefore: bigint;
  closedNotional: bigint;
  /** Total liquidation fee, WAD USD. */
  fee: bigint;
  equityAfter: bigint;
  maintenanceMarginAfter: bigint;
  /** WAD USD written off (insurance first, then the vault). */
  badDebt: bigint;
};

/** Values keyed by market id: an array indexed by market id, or a record. */
export type MarketMap<T> = { readonly [marketId: number]: T | undefined };
