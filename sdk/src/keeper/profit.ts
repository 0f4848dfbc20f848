/**
 * The profitability rule: a liquidation is sent only when the keeper's expected reward minus the estimated gas cost
 * of sending it is at least a configured minimum (USD, may be negative).
 *
 * - Reward: what the contract pays, `keeperRewardOf` (the twin of `LiquidationLogic.keeperRewardOf`): the
 *   `keeperRewardShare` of the fee from the SDK's `previewLiquidation` (bit for bit `core.previewLiquidation`), raised
 *   to the protocol's `keeperRewardFloor` (DESIGN §9, paid from insurance) for a close of at least
 *   `minRemainingNotional`. A bankrupt account pays the floor, and nothing when the floor is 0. The insurance ledger
 *   is assumed to cover the top-up (it is checked on chain; a short one only lowers the reward). `rewardFloor`
 *   overrides the floor upward (an operator's own subsidy, for example).
 * - Gas: the gas model's figure for the account sent on its own (an upper bound: in a batch it costs less), priced at
 *   base fee + priority fee (never above the fee cap), converted to USD at a configured native-token price.
 *
 * @module
 */
import { keeperRewardOf, type Market, MAX_UINT256, previewLiquidation, type RiskParams, WAD } from "../index.js";
import type { AccountRecord, MarketRecord, PriceMap } from "./types.js";

/** What the rule needs, fixed for one evaluation (one block). */
export interface ProfitInputs {
  riskParams: RiskParams;
  /** The reward the protocol pays at least (the future `keeperRewardFloor`), WAD USD. Default 0. */
  rewardFloor?: bigint;
  /** Expected wei per unit of gas. */
  gasPrice: bigint;
  /** USD per whole native token (ETH), WAD. */
  nativePriceUsd: bigint;
  /** Send only when reward − gas cost ≥ this, WAD USD (negative: also send at a loss, up to that much). */
  minProfitUsd: bigint;
}

export interface ProfitEstimate {
  /** WAD USD. */
  rewardUsd: bigint;
  gas: bigint;
  /** WAD USD. */
  gasCostUsd: bigint;
  /** reward − gas cost, WAD USD. */
  profitUsd: bigint;
  profitable: boolean;
}

/** USD (WAD) of `gas` at `gasPrice` wei when one native token costs `nativePriceUsd` (WAD). */
export function gasCostUsd(gas: bigint, gasPrice: bigint, nativePriceUsd: bigint): bigint {
  // wei × (USD per 1e18 wei, WAD) / 1e18: WAD USD, rounded up (a cost).
  const product = gas * gasPrice * nativePriceUsd;
  return (product + WAD - 1n) / WAD;
}

/** The keeper's reward for liquidating `account` now (WAD USD), as the contract would pay it. */
export function expectedReward(
  account: AccountRecord,
  market: (marketId: number) => MarketRecord | undefined,
  prices: PriceMap,
  timestamp: bigint,
  riskParams: RiskParams,
  rewardFloor = 0n,
): bigint {
  const markets: { [marketId: number]: Market } = {};
  const priceById: { [marketId: number]: bigint } = {};
  const positions = [...account.positions].map(([marketId, position]) => {
    // The preview reads only the funding state, parameters and tables of a market, which the index keeps.
    markets[marketId] = market(marketId) as unknown as Market;
    priceById[marketId] = prices.get(marketId)!;
    return { ...position, marketId };
  });
  const preview = previewLiquidation({
    account: { margin: account.margin },
    positions,
    markets,
    prices: priceById,
    timestamp,
    riskParams,
  });
  if (!preview.liquidatable) return 0n;
  const { keeperReward } = keeperRewardOf(preview.fee, preview.closedNotional, riskParams, MAX_UINT256 / 2n, false);
  return keeperReward > rewardFloor ? keeperReward : rewardFloor;
}

/** Applies the rule to an account's reward and modelled gas. */
export function estimateProfit(rewardUsd: bigint, gas: bigint, inputs: ProfitInputs): ProfitEstimate {
  const cost = gasCostUsd(gas, inputs.gasPrice, inputs.nativePriceUsd);
  const profitUsd = rewardUsd - cost;
  return { rewardUsd, gas, gasCostUsd: cost, profitUsd, profitable: profitUsd >= inputs.minProfitUsd };
}

/** A decimal USD amount ("12.5", "-1") as WAD; throws on anything else. */
export function parseUsd(text: string, what: string): bigint {
  const match = /^(-)?(\d+)(?:\.(\d{1,18}))?$/.exec(text.trim());
  if (!match) throw new RangeError(`${what} must be a decimal number of USD (e.g. 0.5 or -2), got "${text}".`);
  const whole = BigInt(match[2]!) * WAD;
  const fraction = BigInt((match[3] ?? "").padEnd(18, "0"));
  return (match[1] ? -1n : 1n) * (whole + fraction);
}

/** WAD USD as a decimal string with up to 6 decimals (for logs). */
export function formatUsd(wad: bigint): string {
  const sign = wad < 0n ? "-" : "";
  const abs = wad < 0n ? -wad : wad;
  const micro = (abs + 500_000_000_000n) / 1_000_000_000_000n;
  const whole = micro / 1_000_000n;
  const fraction = (micro % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}
