/**
 * The liquidity vault's net asset value and reserve over every market. Mirrors
 * `contracts/core/VaultAccounting.sol` line by line, with the same rounding (against the LP).
 *
 * @module
 */
import { nextIndex, fundingRate } from "./fundingMath.js";
import { checkedUint } from "./internal/solidity.js";
import { marketSkew } from "./marketMath.js";
import { notional } from "./positionMath.js";
import type { MarketParams, MarketState } from "./types.js";
import { mulDivCeil, mulWadCeil, mulWadUp, WAD } from "./wadMath.js";

/** One market as the valuation needs it: its parameters, its state and its mark price. */
export type ValuedMarket = {
  params: Pick<MarketParams, "fundingScale" | "maxFundingRatePerSecond" | "skewScale">;
  state: MarketState;
  /** Mark price, WAD USD per base unit. */
  price: bigint;
};

/**
 * NAV = LP ledger − traders' net unrealised PnL + traders' net accrued funding, over every market; reserve =
 * reserveFactor × Σ |net skew| × price. PnL rounded up and funding owed down (against the LP). Traders' PnL is
 * valued at the price their net position would close at, skew premium included ({@link exitValue}).
 * @param markets Every listed market, in id order (the contract iterates them all).
 * @param vaultLedger The LP ledger, WAD USD (signed).
 * @see contracts/core/VaultAccounting.sol `netAssetValue`
 */
export function netAssetValue(
  markets: readonly ValuedMarket[],
  vaultLedger: bigint,
  reserveFactor: bigint,
  timestamp: bigint,
): { nav: bigint; reserve: bigint } {
  let nav = vaultLedger;
  let skewNotional = 0n;
  for (const { params, state, price } of markets) {
    const netSize = marketSkew(state.longOpenInterest, state.shortOpenInterest);
    const elapsed = checkedUint("netAssetValue", timestamp - state.lastFundingTime, "timestamp − lastFundingTime");
    const fundingIndex = nextIndex(
      state.fundingIndex,
      fundingRate(netSize, params.fundingScale, params.maxFundingRatePerSecond),
      price,
      elapsed,
    );
    const tradersPnl = exitValue(netSize, price, params.skewScale) - state.netOpenNotional;
    // −ceil(−x) = floor(x): what traders owe the LP is never overstated by this term.
    const tradersOweFunding = -mulWadCeil(-netSize, fundingIndex) - state.netFundingBasis;
    nav += tradersOweFunding - tradersPnl;
    skewNotional += notional(netSize, price);
  }
  return { nav, reserve: mulWadUp(skewNotional, reserveFactor) };
}

/**
 * What the traders' net position of `netSize` is worth if it closed now: netSize × price × (1 + netSize / (2 ×
 * skewScale)), floored at a price of 0, rounded up (against the LP).
 * @see contracts/core/VaultAccounting.sol `exitValue`
 */
export function exitValue(netSize: bigint, price: bigint, skewScale: bigint): bigint {
  const atMark = mulDivCeil(netSize, price, WAD);
  if (skewScale === 0n) return atMark;
  const factor = 2n * skewScale + netSize;
  if (factor <= 0n) return 0n;
  return mulDivCeil(atMark, factor, 2n * skewScale);
}
