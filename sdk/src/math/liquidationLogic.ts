/**
 * Liquidation planning: the smallest pro-rata fraction that restores the target health, the fee, the bad debt.
 * Mirrors `contracts/core/LiquidationLogic.sol` (`planLiquidation`, `_loadPosition`) line by line, composed of
 * the library mirrors in this folder, so a preview equals `BallastCore.previewLiquidation` bit for bit.
 *
 * @module
 */
import {
  type AccountSnapshot,
  marketAndPrice,
  openPositions,
  pendingFundingIndex,
  positionRisk,
  toSnapshot,
} from "./accountMath.js";
import { addRisk, type RiskTotals } from "./accountRisk.js";
import { BallastInputError } from "../errors.js";
import { accruedFunding } from "./fundingMath.js";
import { applyFraction, type ClosingPosition, minimalFraction } from "./liquidationMath.js";
import { healthFactor, isLiquidatable } from "./marginMath.js";
import { marketSkew } from "./marketMath.js";
import type { LiquidationPreview, Position, RiskParams } from "./types.js";
import { mulWadDown, WAD } from "./wadMath.js";

/** One position of the plan: where it is (its close is `closes[i]`). */
export type PositionPlan = {
  marketId: number;
  fundingIndex: bigint;
  before: Position;
};

/** The whole liquidation, computed in memory (the core's `LiquidationPlan`). */
export type LiquidationPlan = {
  preview: LiquidationPreview;
  /** One entry per open position, ascending market id (what `PositionLiquidated` events will carry). */
  positions: PositionPlan[];
  /** Each position's close (`closes[i]` belongs to `positions[i]`): closed size, fill, size and PnL after. */
  closes: ClosingPosition[];
  /** Margin after the liquidation, before any bad-debt write-off. */
  marginAfter: bigint;
};

/**
 * The liquidation the core would run now: whether the account is liquidatable, the minimal fraction, full or
 * partial, the fee and the bad debt, plus each position's close at the price a close of that size gets.
 * @see contracts/core/LiquidationLogic.sol `planLiquidation`
 */
export function planLiquidation(snapshot: AccountSnapshot & { riskParams: RiskParams }): LiquidationPlan {
  const { account, markets, prices, timestamp, riskParams: risk } = snapshot;
  const totals: RiskTotals = { equity: account.margin, initialMargin: 0n, maintenanceMargin: 0n, totalNotional: 0n };
  const positions: PositionPlan[] = [];
  const closes: ClosingPosition[] = [];
  for (const position of openPositions(snapshot.positions)) {
    const { market, price } = marketAndPrice("planLiquidation", markets, prices, position.marketId);
    const { fundingIndex } = pendingFundingIndex(market.state, market.params, price, timestamp);
    const before: Position = {
      size: position.size,
      openNotional: position.openNotional,
      lastFundingIndex: position.lastFundingIndex,
    };
    positions.push({ marketId: position.marketId, fundingIndex, before });
    closes.push({
      size: before.size,
      openNotional: before.openNotional,
      fundingPaid: accruedFunding(before.size, before.lastFundingIndex, fundingIndex),
      price,
      skew: marketSkew(market.state.longOpenInterest, market.state.shortOpenInterest),
      skewScale: market.params.skewScale,
      tiers: market.tiers,
      previousTiers: market.ramp.previousTiers,
      rampStart: market.ramp.start,
      rampEnd: market.ramp.end,
      closedSize: 0n,
      closePrice: 0n,
      newSize: 0n,
      newOpenNotional: 0n,
      realisedPnl: 0n,
    });
    addRisk(totals, positionRisk(market, before, price, fundingIndex, timestamp));
  }
  const preview: LiquidationPreview = {
    liquidatable: false,
    full: false,
    fraction: 0n,
    equityBefore: totals.equity,
    maintenanceMarginBefore: totals.maintenanceMargin,
    closedNotional: 0n,
    fee: 0n,
    equityAfter: 0n,
    maintenanceMarginAfter: 0n,
    badDebt: 0n,
  };
  const plan: LiquidationPlan = { preview, positions, closes, marginAfter: 0n };
  if (!isLiquidatable(totals.equity, totals.maintenanceMargin)) return plan;
  preview.liquidatable = true;

  const feeRate = risk.liquidationFeeRate;
  let fraction = WAD;
  if (totals.equity > 0n && healthFactor(totals.equity, totals.maintenanceMargin) >= risk.fullLiquidationHealthFactor) {
    fraction = minimalFraction(closes, account.margin, feeRate, risk.liquidationBuffer, timestamp);
  }
  let outcome = applyFraction(closes, account.margin, fraction, feeRate, timestamp);
  // A partial close that leaves too little open to be worth liquidating again closes everything.
  if (fraction !== WAD && outcome.remainingNotional < risk.minRemainingNotional) {
    outcome = applyFraction(closes, account.margin, WAD, feeRate, timestamp);
  }
  preview.full = outcome.fraction === WAD;
  preview.fraction = outcome.fraction;
  preview.closedNotional = outcome.closedNotional;
  preview.fee = outcome.fee;
  preview.equityAfter = outcome.equityAfter;
  preview.maintenanceMarginAfter = outcome.maintenanceMarginAfter;
  preview.badDebt = outcome.remainingNotional === 0n && outcome.marginAfter < 0n ? -outcome.marginAfter : 0n;
  plan.marginAfter = outcome.marginAfter;
  return plan;
}

/**
 * What `BallastCore.previewLiquidation(id)` returns at `timestamp`.
 * @see contracts/core/BallastCore.sol `previewLiquidation`
 */
export function previewLiquidation(snapshot: AccountSnapshot & { riskParams: RiskParams }): LiquidationPreview;
export function previewLiquidation(
  account: AccountSnapshot["account"],
  positions: AccountSnapshot["positions"],
  markets: AccountSnapshot["markets"],
  prices: AccountSnapshot["prices"],
  timestamp: bigint,
  riskParams: RiskParams,
): LiquidationPreview;
export function previewLiquidation(
  snapshotOrAccount: (AccountSnapshot & { riskParams: RiskParams }) | AccountSnapshot["account"],
  positions?: AccountSnapshot["positions"],
  markets?: AccountSnapshot["markets"],
  prices?: AccountSnapshot["prices"],
  timestamp?: bigint,
  riskParams?: RiskParams,
): LiquidationPreview {
  if (positions === undefined)
    return planLiquidation(snapshotOrAccount as AccountSnapshot & { riskParams: RiskParams }).preview;
  if (riskParams === undefined) {
    throw new BallastInputError({ shortMessage: "previewLiquidation: `riskParams` is missing.", details: "" });
  }
  return planLiquidation({ ...toSnapshot(snapshotOrAccount, positions, markets, prices, timestamp), riskParams })
    .preview;
}

/**
 * The keeper's reward for a liquidation that charged `fee` on `closedNotional`, and the insurance ledger after it:
 * `keeperRewardShare` of the fee, raised to `keeperRewardFloor` for a close of at least `minRemainingNotional`
 * (dust earns no floor), the top-up paid from insurance as far as it reaches; nothing for a self-liquidation.
 * @see contracts/core/LiquidationLogic.sol `keeperRewardOf`
 */
export function keeperRewardOf(
  fee: bigint,
  closedNotional: bigint,
  risk: Pick<RiskParams, "keeperRewardShare" | "keeperRewardFloor" | "minRemainingNotional">,
  insuranceLedger: bigint,
  selfLiquidation: boolean,
): { keeperReward: bigint; insuranceAfter: bigint } {
  let keeperReward = selfLiquidation ? 0n : mulWadDown(fee, risk.keeperRewardShare);
  let insuranceAfter = insuranceLedger + fee - keeperReward;
  if (!selfLiquidation && keeperReward < risk.keeperRewardFloor && closedNotional >= risk.minRemainingNotional) {
    const wanted = risk.keeperRewardFloor - keeperReward;
    const topUp = wanted < insuranceAfter ? wanted : insuranceAfter;
    keeperReward += topUp;
    insuranceAfter -= topUp;
  }
  return { keeperReward, insuranceAfter };
}
