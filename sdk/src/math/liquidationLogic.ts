/**
 * Liquidation planning: the smallest pro-rata fraction that restores the target health, the fee, the bad debt.
 * Mirrors `contracts/core/LiquidationLogic.sol` (`planLiquidation`, `_applyFraction`) line by line, composed of
 * the library mirrors in this folder, so a preview equals `BallastCore.previewLiquidation` bit for bit.
 *
 * @module
 */
import {
  type AccountSnapshot,
  accountRisk,
  marketAndPrice,
  marketRequirements,
  openPositions,
  pendingFundingIndex,
  positionRisk,
  toSnapshot,
} from "./accountMath.js";
import { addRisk, type RiskTotals } from "./accountRisk.js";
import { BallastInputError } from "../errors.js";
import { accruedFunding } from "./fundingMath.js";
import { closeFraction, closeSize, liquidationFee, targetEquity } from "./liquidationMath.js";
import { healthFactor, isLiquidatable } from "./marginMath.js";
import { applyFill, notional, unrealisedPnl } from "./positionMath.js";
import type { LiquidationPreview, Market, MarketMap, Position, RiskParams } from "./types.js";
import { mulWadDown, WAD } from "./wadMath.js";

/** What a liquidation does to one position. */
export type PositionPlan = {
  marketId: number;
  price: bigint;
  fundingIndex: bigint;
  before: Position;
  closedSize: bigint;
  newSize: bigint;
  newOpenNotional: bigint;
  realisedPnl: bigint;
  fundingPaid: bigint;
};

/** The whole liquidation, computed in memory (the core's `LiquidationPlan`). */
export type LiquidationPlan = {
  preview: LiquidationPreview;
  /** One entry per open position, ascending market id (what `PositionLiquidated` events will carry). */
  positions: PositionPlan[];
  /** Margin after the liquidation, before any bad-debt write-off. */
  marginAfter: bigint;
};

/**
 * The liquidation the core would run now: whether the account is liquidatable, the fraction, full or partial,
 * the fee and the bad debt, plus each position's close.
 * @see contracts/core/LiquidationLogic.sol `planLiquidation`
 */
export function planLiquidation(snapshot: AccountSnapshot & { riskParams: RiskParams }): LiquidationPlan {
  const { account, markets, prices, timestamp, riskParams: risk } = snapshot;
  const totals: RiskTotals = { equity: account.margin, initialMargin: 0n, maintenanceMargin: 0n, totalNotional: 0n };
  const positions: PositionPlan[] = [];
  for (const position of openPositions(snapshot.positions)) {
    const { market, price } = marketAndPrice("planLiquidation", markets, prices, position.marketId);
    const { fundingIndex } = pendingFundingIndex(market.state, market.params, price, timestamp);
    const before: Position = {
      size: position.size,
      openNotional: position.openNotional,
      lastFundingIndex: position.lastFundingIndex,
    };
    positions.push({
      marketId: position.marketId,
      price,
      fundingIndex,
      before,
      closedSize: 0n,
      newSize: 0n,
      newOpenNotional: 0n,
      realisedPnl: 0n,
      fundingPaid: 0n,
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
  const plan: LiquidationPlan = { preview, positions, marginAfter: 0n };
  if (!isLiquidatable(totals.equity, totals.maintenanceMargin)) return plan;
  preview.liquidatable = true;

  const fraction = closeFraction(
    totals.equity,
    totals.maintenanceMargin,
    totals.totalNotional,
    risk.liquidationFeeRate,
    risk.liquidationBuffer,
  );
  let full =
    totals.equity <= 0n ||
    fraction === WAD ||
    healthFactor(totals.equity, totals.maintenanceMargin) < risk.fullLiquidationHealthFactor;
  if (!full) {
    const remainingNotional = applyFraction(
      plan,
      markets,
      timestamp,
      account.margin,
      fraction,
      risk.liquidationFeeRate,
    );
    // Too small to leave open, or (only through rounding) short of the target: close everything.
    full =
      remainingNotional < risk.minRemainingNotional ||
      preview.equityAfter < targetEquity(preview.maintenanceMarginAfter, risk.liquidationBuffer);
  }
  if (full) applyFraction(plan, markets, timestamp, account.margin, WAD, risk.liquidationFeeRate);
  preview.full = full;
  return plan;
}

/**
 * Closes `fraction` of every planned position at its mark price and fills in the plan's results.
 * @returns The notional left open.
 * @see contracts/core/LiquidationLogic.sol `_applyFraction`
 */
function applyFraction(
  plan: LiquidationPlan,
  markets: MarketMap<Market>,
  timestamp: bigint,
  marginBefore: bigint,
  fraction: bigint,
  feeRate: bigint,
): bigint {
  const { preview } = plan;
  let margin = marginBefore;
  let remainingNotional = 0n;
  preview.fraction = fraction;
  preview.closedNotional = 0n;
  preview.maintenanceMarginAfter = 0n;
  let remainingValue = 0n;
  for (const p of plan.positions) {
    p.closedSize = closeSize(p.before.size, fraction);
    p.fundingPaid = accruedFunding(p.before.size, p.before.lastFundingIndex, p.fundingIndex);
    const fill = applyFill(p.before.size, p.before.openNotional, -p.closedSize, p.price);
    p.newSize = fill.newSize;
    p.newOpenNotional = fill.newOpenNotional;
    p.realisedPnl = fill.realisedPnl;
    margin += p.realisedPnl - p.fundingPaid;
    preview.closedNotional += notional(p.closedSize, p.price);
    if (p.newSize !== 0n) {
      const remaining = notional(p.newSize, p.price);
      const market = markets[p.marketId] as Market; // present: checked when the plan was built
      remainingNotional += remaining;
      preview.maintenanceMarginAfter += marketRequirements(market, remaining, timestamp).maintenanceMargin;
      remainingValue += unrealisedPnl(p.newSize, p.newOpenNotional, p.price);
    }
  }
  preview.fee = liquidationFee(preview.closedNotional, feeRate, margin + remainingValue);
  margin -= preview.fee;
  plan.marginAfter = margin;
  preview.equityAfter = margin + remainingValue;
  preview.badDebt = remainingNotional === 0n && margin < 0n ? -margin : 0n;
  return remainingNotional;
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
