/**
 * What-if results: a trade, a deposit, a withdrawal or a price move applied to an account snapshot, with the
 * revert the core would raise. The trade follows `BallastCore._trade` step by step (checks in the contract's order,
 * fill via `PricingMath.fillPrice`, fee via `tradingFee`, position via `PositionMath.applyFill`, health after via
 * `TradeMath.checkAccountAfter`), so the fill, fee, new position and error equal what the chain does at `timestamp`.
 *
 * Checks the SDK cannot see from a snapshot are not predicted: the caller's authorisation, the oracle's guards
 * (a missing price throws a `BallastInputError` instead), token balances and allowances.
 *
 * @module
 */
import { createContractError, type ContractErrorContext } from "../contractErrors.js";
import { type BallastContractError, BallastError } from "../errors.js";
import { formatSize, formatToken } from "../format.js";
import {
  type AccountSnapshot,
  accountHealth,
  accountRisk,
  marketAndPrice,
  openPositions,
  pendingFundingIndex,
  positionRisk,
} from "./accountMath.js";
import { replaceRisk } from "./accountRisk.js";
import { planLiquidation } from "./liquidationLogic.js";
import { isLiquidatable } from "./marginMath.js";
import { marketSkew, movePosition } from "./marketMath.js";
import { exitValue } from "./vaultAccounting.js";
import {
  type CapacityFactors,
  checkAccountAfter,
  checkCapacity,
  checkFeeCovered,
  checkMinimumNotional,
  type Fill,
  priceFill,
} from "./tradeMath.js";
import type {
  AccountHealth,
  AccountPosition,
  LiquidationPreview,
  Market,
  MarketMap,
  MarketState,
  RiskParams,
} from "./types.js";
import { convertedProfit, type ProfitLedger } from "./profitHaircut.js";
import { abs, mulWadDown } from "./wadMath.js";

/** `BallastCore.MAX_POSITIONS_PER_ACCOUNT`. */
export const MAX_POSITIONS_PER_ACCOUNT = 16;

function errorFrom(error: unknown): BallastContractError {
  if (error instanceof BallastError && "errorName" in error) return error as BallastContractError;
  throw error;
}

/** Replaces (or removes, when `size` is 0) the position in `marketId`. */
function withPosition(positions: readonly AccountPosition[], position: AccountPosition): readonly AccountPosition[] {
  const others = positions.filter((p) => p.marketId !== position.marketId);
  return position.size === 0n ? others : [...others, position];
}

function withMarket(markets: MarketMap<Market>, market: Market): MarketMap<Market> {
  const copy: { [marketId: number]: Market | undefined } = {};
  for (const key of Object.keys(markets)) copy[Number(key)] = markets[Number(key)];
  copy[market.marketId] = market;
  return copy;
}

/** The inputs of {@link simulateTrade}. */
export type SimulateTradeParameters = Omit<AccountSnapshot, "account"> & {
  /** The account's margin, and (to check isolation) its mode. */
  account: { margin: bigint; isolated?: boolean; isolatedMarketId?: number };
  /** For the `AccountLiquidatable` error's arguments (0 when omitted). */
  accountId?: bigint;
  marketId: number;
  /** Signed WAD base units: > 0 buys. */
  sizeDelta: bigint;
  /** Worst fill accepted (max for buys, min for sells); no slippage check when omitted. */
  acceptablePrice?: bigint;
  /** Whether the core is paused (risk-increasing trades revert with `EnforcedPause`). */
  paused?: boolean;
  /**
   * LP capital (the realised LP ledger, `ledgers()[0]`) and the capacity factors of `riskParams()`: with them the
   * simulation also raises the capacity errors (`OpenInterestCapacityExceeded`, `SkewCapacityExceeded`,
   * `PnlCapacityExceeded`) the core checks after a risk-increasing trade.
   */
  capacity?: { vaultLedger: bigint; factors: CapacityFactors };
  /**
   * The haircut's inputs after the account's own profit is converted (`AccountView.profitLedger` of a converted
   * view), with `riskParams` for the fee split: with them the margin check counts the trade's new profit at the
   * haircut ratio, as the core does while LP capital is short. Without them new profit counts at face.
   */
  profitLedger?: ProfitLedger;
  riskParams?: { insuranceFeeShare: bigint };
  /** Sharpens error messages. */
  errorContext?: ContractErrorContext;
};

/**
 * The core's `storeMargin` haircut: what the trade's new profit (its gain as far as the margin holds it) would lose if
 * converted at once, with the ledgers as the trade leaves them (the gain paid by the LP ledger, the fee routed: all
 * of it to the LP ledger while that is negative), and the market's unrealised PnL refreshed.
 */
function newProfitHaircut(
  parameters: SimulateTradeParameters,
  gain: bigint,
  fee: bigint,
  marginAfter: bigint,
  stateBefore: MarketState,
  stateAfter: MarketState,
): bigint {
  const ledger = parameters.profitLedger;
  if (ledger === undefined || gain <= 0n || marginAfter <= 0n) return 0n;
  const profit = gain < marginAfter ? gain : marginAfter;
  const settled = ledger.vaultLedger - gain;
  const toInsurance = settled < 0n ? 0n : mulWadDown(fee, parameters.riskParams?.insuranceFeeShare ?? 0n);
  const after: ProfitLedger = {
    totalProfit: ledger.totalProfit + profit,
    vaultLedger: settled + fee - toInsurance,
    tradersPnl: ledger.tradersPnl - stateBefore.tradersPnl + stateAfter.tradersPnl,
  };
  return profit - convertedProfit(profit, after);
}

/** A priced trade: what the `PositionTraded` event will carry, and the state after it. */
export type TradeFill = {
  markPrice: bigint;
  /** The market's funding index after accrual at `timestamp`. */
  fundingIndex: bigint;
  fillPrice: bigint;
  /** Trading fee, WAD USD (rounded up). */
  fee: bigint;
  /** Funding the old position settles, WAD USD (negative: received). */
  fundingPaid: bigint;
  realisedPnl: bigint;
  newSize: bigint;
  newOpenNotional: bigint;
  /** Opens, increases or flips: the IM check applies; otherwise the reduction check. */
  increasesRisk: boolean;
  marginAfter: bigint;
  /** The position after the trade (size 0 when closed). */
  position: AccountPosition;
  /** The market's state after the trade (accrued funding, open interest, aggregates). */
  marketStateAfter: MarketState;
};

/** The check `TradeMath.checkAccountAfter` makes, with the values it compares. */
export type TradeHealthCheck =
  | { kind: "initialMargin"; equity: bigint; initialMargin: bigint; passes: boolean }
  | { kind: "reduction"; equity: bigint; maintenanceMargin: bigint; passes: boolean };

/** The result of {@link simulateTrade}. */
export type SimulateTradeReturnType = {
  /** The first revert the core would raise, in the core's order; `undefined` when the trade goes through. */
  error: BallastContractError | undefined;
  healthBefore: AccountHealth;
  /** `undefined` when no fill can be priced (zero size, unlisted market, isolation, fill price ≤ 0). */
  fill: TradeFill | undefined;
  check: TradeHealthCheck | undefined;
  /** The account after the trade (computed even when a later check fails, for display). */
  healthAfter: AccountHealth | undefined;
  /** The snapshot after the trade, to chain further what-ifs. */
  after: AccountSnapshot | undefined;
};

/**
 * A trade of `sizeDelta` in `marketId` at `timestamp`: fill, fee, new position, health after, and the first
 * error the core would raise (`ZeroAmount`, `MarketNotListed` for a market missing from `markets`,
 * `IsolatedMarketMismatch`, `AccountLiquidatable`, `FillPriceNotPositive`, `PositionBelowMinimum`, `FeeExceedsMargin`,
 * `SlippageExceeded`, `EnforcedPause`, `OpenInterestCapExceeded`, the capacity errors (with `capacity`), `TooManyPositions`, `InsufficientMargin`,
 * `ReductionLeavesAccountUnhealthy`).
 * @see contracts/core/BallastCore.sol `_trade` (with TradeMath, MarketMath, AccountRisk)
 */
export function simulateTrade(parameters: SimulateTradeParameters): SimulateTradeReturnType {
  const { account, marketId, sizeDelta, timestamp, markets, prices, positions } = parameters;
  const context: ContractErrorContext = {
    ...parameters.errorContext,
    action:
      parameters.errorContext?.action ??
      `${sizeDelta > 0n ? "buying" : "selling"} ${formatSize(abs(sizeDelta))} in market ${marketId}`,
  };
  const snapshot: AccountSnapshot = { account: { margin: account.margin }, positions, markets, prices, timestamp };
  const healthBefore = accountHealth(snapshot);
  const none = (error: BallastContractError): SimulateTradeReturnType => ({
    error,
    healthBefore,
    fill: undefined,
    check: undefined,
    healthAfter: undefined,
    after: undefined,
  });
  if (sizeDelta === 0n) return none(createContractError("ZeroAmount", [], context));
  if (markets[marketId] === undefined) return none(createContractError("MarketNotListed", [BigInt(marketId)], context));
  if (account.isolated === true && account.isolatedMarketId !== marketId) {
    return none(
      createContractError(
        "IsolatedMarketMismatch",
        [parameters.accountId ?? 0n, BigInt(account.isolatedMarketId ?? 0), BigInt(marketId)],
        context,
      ),
    );
  }
  const { market, price } = marketAndPrice("simulateTrade", markets, prices, marketId);
  const { fundingIndex } = pendingFundingIndex(market.state, market.params, price, timestamp);

  // A liquidatable account may only add margin. (The totals include every position, priced once.)
  const { totals } = accountRisk(snapshot);
  let error: BallastContractError | undefined;
  if (isLiquidatable(totals.equity, totals.maintenanceMargin)) {
    error = createContractError(
      "AccountLiquidatable",
      [parameters.accountId ?? 0n, totals.equity, totals.maintenanceMargin],
      context,
    );
  }

  // TradeMath.priceFill, then the checks in the core's order: minimum notional, slippage, pause.
  const current = positions.find((p) => p.marketId === marketId && p.size !== 0n);
  const before = {
    size: current?.size ?? 0n,
    openNotional: current?.openNotional ?? 0n,
    lastFundingIndex: current?.lastFundingIndex ?? 0n,
  };
  const { params, state } = market;
  let priced: Fill;
  try {
    priced = priceFill(
      before.size,
      before.openNotional,
      before.lastFundingIndex,
      sizeDelta,
      price,
      fundingIndex,
      marketSkew(state.longOpenInterest, state.shortOpenInterest),
      params.skewScale,
      params.makerFeeRate,
      params.takerFeeRate,
    );
  } catch (thrown) {
    return none(error ?? errorFrom(thrown));
  }
  const { price: price_, fee, fundingPaid, newSize, newOpenNotional, realisedPnl, increasesRisk } = priced;
  if (increasesRisk && error === undefined) {
    const failure = checkMinimumNotional(newSize, price, params.minPositionNotional);
    if (failure !== undefined) error = createContractError(failure.errorName, failure.args, context);
  }
  const acceptable = parameters.acceptablePrice;
  if (error === undefined && acceptable !== undefined) {
    if (sizeDelta > 0n ? price_ > acceptable : price_ < acceptable) {
      error = createContractError("SlippageExceeded", [price_, acceptable], context);
    }
  }
  if (increasesRisk && error === undefined && parameters.paused === true) {
    error = createContractError("EnforcedPause", [], context);
  }
  if (error === undefined) {
    const failure = checkFeeCovered(account.margin + realisedPnl - fundingPaid, fee);
    if (failure !== undefined) error = createContractError(failure.errorName, failure.args, context);
  }

  // StateLogic.updateMarket (MarketMath.movePosition, then the open-interest cap), storePosition, the margin.
  const aggregates = movePosition(
    state,
    before.size,
    before.openNotional,
    before.lastFundingIndex,
    newSize,
    newOpenNotional,
    fundingIndex,
  );
  const marketStateAfter: MarketState = {
    // `accrueFunding` writes the index only when the rate is non-zero; otherwise it is unchanged, equal to it.
    fundingIndex,
    lastFundingTime: timestamp,
    ...aggregates,
    tradersPnl:
      exitValue(aggregates.longOpenInterest - aggregates.shortOpenInterest, price, params.skewScale) -
      aggregates.netOpenNotional,
  };
  if (increasesRisk && error === undefined) {
    const openInterest = newSize > 0n ? aggregates.longOpenInterest : aggregates.shortOpenInterest;
    if (openInterest > params.maxOpenInterestPerSide) {
      error = createContractError(
        "OpenInterestCapExceeded",
        [BigInt(marketId), openInterest, params.maxOpenInterestPerSide],
        context,
      );
    } else if (parameters.capacity !== undefined) {
      const { vaultLedger, factors } = parameters.capacity;
      const failure = checkCapacity(
        BigInt(marketId),
        aggregates.longOpenInterest,
        aggregates.shortOpenInterest,
        state.longOpenInterest - state.shortOpenInterest,
        aggregates.netOpenNotional,
        price,
        vaultLedger > 0n ? vaultLedger : 0n,
        factors,
      );
      if (failure !== undefined) error = createContractError(failure.errorName, failure.args, context);
    }
  }
  if (error === undefined && newSize !== 0n && before.size === 0n) {
    if (openPositions(positions).length >= MAX_POSITIONS_PER_ACCOUNT) {
      error = createContractError(
        "TooManyPositions",
        [parameters.accountId ?? 0n, BigInt(MAX_POSITIONS_PER_ACCOUNT)],
        context,
      );
    }
  }
  const position: AccountPosition = {
    marketId,
    size: newSize,
    openNotional: newSize === 0n ? 0n : newOpenNotional,
    lastFundingIndex: newSize === 0n ? 0n : fundingIndex,
  };
  const marginDelta = realisedPnl - fundingPaid - fee;
  const marginAfter = account.margin + marginDelta;
  const haircut = newProfitHaircut(parameters, realisedPnl - fundingPaid, fee, marginAfter, state, marketStateAfter);

  // TradeMath.checkAccountAfter on AccountRisk.replaceRisk: the totals before with this position replaced, the new
  // profit at the haircut ratio.
  const riskBefore = positionRisk(market, before, price, fundingIndex, timestamp);
  const riskAfter = positionRisk(market, position, price, fundingIndex, timestamp);
  const totalsAfter = replaceRisk(totals, riskBefore, riskAfter, marginDelta - haircut);
  const failure = checkAccountAfter(totalsAfter, increasesRisk);
  const check: TradeHealthCheck = increasesRisk
    ? {
        kind: "initialMargin",
        equity: totalsAfter.equity,
        initialMargin: totalsAfter.initialMargin,
        passes: failure === undefined,
      }
    : {
        kind: "reduction",
        equity: totalsAfter.equity,
        maintenanceMargin: totalsAfter.maintenanceMargin,
        passes: failure === undefined,
      };
  if (failure !== undefined && error === undefined)
    error = createContractError(failure.errorName, failure.args, context);

  const after: AccountSnapshot = {
    account: { margin: marginAfter },
    positions: withPosition(positions, position),
    markets: withMarket(markets, { ...market, state: marketStateAfter }),
    prices,
    timestamp,
  };
  return {
    error,
    healthBefore,
    fill: {
      markPrice: price,
      fundingIndex,
      fillPrice: price_,
      fee,
      fundingPaid,
      realisedPnl,
      newSize,
      newOpenNotional,
      increasesRisk,
      marginAfter,
      position,
      marketStateAfter,
    },
    check,
    healthAfter: accountHealth(after),
    after,
  };
}

/** The inputs of {@link simulateDeposit} and {@link simulateWithdraw}. */
export type SimulateCollateralParameters = AccountSnapshot & {
  /** Collateral token units. */
  assets: bigint;
  /** The collateral token's decimals (≤ 18): WAD = assets × 10^(18 − decimals). */
  collateralDecimals: number;
  errorContext?: ContractErrorContext;
};

/** The result of {@link simulateDeposit} and {@link simulateWithdraw}. */
export type SimulateCollateralReturnType = {
  error: BallastContractError | undefined;
  /** The amount in WAD USD. */
  amount: bigint;
  healthBefore: AccountHealth;
  /** The account after the action (computed even when it reverts, for display). */
  healthAfter: AccountHealth;
  /** The most that may be withdrawn now, in collateral token units (rounded down). */
  maxWithdrawAssets: bigint;
  after: AccountSnapshot;
};

function collateralScale(decimals: number): bigint {
  return 10n ** BigInt(18 - decimals);
}

/**
 * A deposit of `assets`: margin grows by assets × 10^(18 − decimals); reverts only with `ZeroAmount` (any
 * account may be topped up; no price is read on chain).
 * @see contracts/core/BallastCore.sol `deposit`
 */
export function simulateDeposit(parameters: SimulateCollateralParameters): SimulateCollateralReturnType {
  const scale = collateralScale(parameters.collateralDecimals);
  const amount = parameters.assets * scale;
  const healthBefore = accountHealth(parameters);
  const after: AccountSnapshot = { ...parameters, account: { margin: parameters.account.margin + amount } };
  const healthAfter = accountHealth(after);
  const symbol = parameters.errorContext?.collateral?.symbol;
  const action = `depositing ${formatToken(parameters.assets, parameters.collateralDecimals, symbol)}`;
  const context = { ...parameters.errorContext, action: parameters.errorContext?.action ?? action };
  return {
    error: parameters.assets === 0n ? createContractError("ZeroAmount", [], context) : undefined,
    amount,
    healthBefore,
    healthAfter,
    maxWithdrawAssets: healthAfter.withdrawable / scale,
    after,
  };
}

/**
 * A withdrawal of `assets`: allowed up to min(realised margin, equity − IM); otherwise
 * `WithdrawalExceedsAvailable(amount, available)` (WAD USD), with a message that names the equity and IM left.
 * @see contracts/core/BallastCore.sol `withdraw`
 */
export function simulateWithdraw(parameters: SimulateCollateralParameters): SimulateCollateralReturnType {
  const scale = collateralScale(parameters.collateralDecimals);
  const amount = parameters.assets * scale;
  const healthBefore = accountHealth(parameters);
  const after: AccountSnapshot = { ...parameters, account: { margin: parameters.account.margin - amount } };
  const healthAfter = accountHealth(after);
  const symbol = parameters.errorContext?.collateral?.symbol;
  const action = `withdrawing ${formatToken(parameters.assets, parameters.collateralDecimals, symbol)}`;
  const context: ContractErrorContext = {
    ...parameters.errorContext,
    action: parameters.errorContext?.action ?? action,
    healthAfter,
  };
  let error: BallastContractError | undefined;
  if (parameters.assets === 0n) error = createContractError("ZeroAmount", [], context);
  else if (amount > healthBefore.withdrawable) {
    error = createContractError("WithdrawalExceedsAvailable", [amount, healthBefore.withdrawable], context);
  }
  return {
    error,
    amount,
    healthBefore,
    healthAfter,
    maxWithdrawAssets: healthBefore.withdrawable / scale,
    after,
  };
}

/** The inputs of {@link simulatePriceMove}. */
export type SimulatePriceMoveParameters = AccountSnapshot & {
  /** New mark prices by market id (markets left out keep their price). */
  newPrices: MarketMap<bigint>;
  /** Evaluate at a later time too (funding accrues, ramps progress); default: `timestamp`. */
  newTimestamp?: bigint;
  /** To preview the liquidation after the move. */
  riskParams?: RiskParams;
};

/** The result of {@link simulatePriceMove}. */
export type SimulatePriceMoveReturnType = {
  healthBefore: AccountHealth;
  healthAfter: AccountHealth;
  /** The liquidation the core would run after the move (when `riskParams` is given). */
  liquidationAfter: LiquidationPreview | undefined;
  after: AccountSnapshot;
};

/** The account's health after prices (and optionally time) move, nothing else changing. */
export function simulatePriceMove(parameters: SimulatePriceMoveParameters): SimulatePriceMoveReturnType {
  const prices: { [marketId: number]: bigint | undefined } = {};
  for (const key of Object.keys(parameters.prices)) prices[Number(key)] = parameters.prices[Number(key)];
  for (const key of Object.keys(parameters.newPrices)) prices[Number(key)] = parameters.newPrices[Number(key)];
  const after: AccountSnapshot = {
    account: parameters.account,
    positions: parameters.positions,
    markets: parameters.markets,
    prices,
    timestamp: parameters.newTimestamp ?? parameters.timestamp,
  };
  return {
    healthBefore: accountHealth(parameters),
    healthAfter: accountHealth(after),
    liquidationAfter:
      parameters.riskParams === undefined
        ? undefined
        : planLiquidation({ ...after, riskParams: parameters.riskParams }).preview,
    after,
  };
}
