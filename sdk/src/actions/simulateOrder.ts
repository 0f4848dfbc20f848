import type { Client } from "viem";
import type { BallastContractError } from "../errors.js";
import { type SimulateTradeReturnType as TradePreview, simulateTrade as previewTrade } from "../math/simulate.js";
import type { BallastDeployment } from "../deployment.js";
import { getAccount } from "./getAccount.js";
import { asConverted, deploymentContext } from "./internal/reads.js";
import { marketSymbol, tradeAction } from "./internal/simulateFill.js";

export type SimulateOrderParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  marketId: number;
  /** Signed WAD base units, or "close" for the whole position. */
  sizeDelta: bigint | "close";
  /** The settlement price to assume (WAD); default: the adapter's price now. */
  price?: bigint;
  /** The order's bound (default: none). */
  acceptablePrice?: bigint;
  /** Simulate at this block's state (default: the latest). */
  blockNumber?: bigint;
};

/**
 * One settlement check, in the order the core runs them, and its outcome at the assumed price: `passed` is
 * `undefined` for the checks after the first failure (the core stops there, and so does its SDK twin).
 */
export type OrderCheck = { name: string; passed: boolean | undefined };

export type SimulateOrderReturnType = {
  /** "fill" when every check passes at `price`, else "cancel" with the core's error as `reason`. */
  outcome: "fill" | "cancel";
  reason: BallastContractError | undefined;
  /** Every settlement check with its outcome. */
  checks: OrderCheck[];
  price: bigint;
  sizeDelta: bigint;
  /** The SDK's trade simulation (sdk/src/math/simulate.ts) at `price`: fill, fee, position and health after. */
  preview: TradePreview;
};

const CHECKS: [string, string[]][] = [
  ["size", ["ZeroAmount"]],
  ["market", ["MarketNotListed", "IsolatedMarketMismatch"]],
  ["account not liquidatable", ["AccountLiquidatable"]],
  ["fill price", ["FillPriceNotPositive"]],
  ["minimum size", ["PositionBelowMinimum"]],
  ["slippage", ["SlippageExceeded"]],
  ["pause", ["EnforcedPause"]],
  ["fee covered", ["FeeExceedsMargin"]],
  ["open-interest cap", ["OpenInterestCapExceeded"]],
  ["position count", ["TooManyPositions"]],
  ["margin", ["InsufficientMargin", "ReductionLeavesAccountUnhealthy"]],
];

/**
 * What-if of an order settling at `price`: the outcome of each settlement check and the fill, from the SDK's trade
 * simulation (the core's own math, mirrored) on the account as it stands, with the settlement price replacing the
 * market's price (other markets at the adapter's, as on chain).
 */
export async function simulateOrder(
  client: Client,
  parameters: SimulateOrderParameters,
): Promise<SimulateOrderReturnType> {
  const { deployment, accountId, marketId } = parameters;
  const view = await getAccount(client, {
    deployment,
    accountId,
    blockNumber: parameters.blockNumber,
    priceLines: false,
  });
  const size = view.positions.find((p) => p.marketId === marketId)?.size ?? 0n;
  const sizeDelta = parameters.sizeDelta === "close" ? -size : parameters.sizeDelta;
  const price = parameters.price ?? view.prices[marketId];
  if (price === undefined) {
    throw view.priceErrors[marketId] ?? new Error(`no price for market ${marketId}: pass \`price\``);
  }
  const preview = previewTrade({
    ...asConverted(view),
    prices: { ...view.prices, [marketId]: price },
    accountId,
    marketId,
    sizeDelta,
    acceptablePrice: parameters.acceptablePrice,
    paused: view.paused,
    errorContext: {
      ...deploymentContext(deployment),
      action: tradeAction(sizeDelta, marketSymbol(deployment, marketId)),
    },
  });
  const failed = preview.error?.errorName;
  let stopped = false;
  const checks: OrderCheck[] = CHECKS.map(([name, errors]) => {
    if (stopped) return { name, passed: undefined };
    const fails = failed !== undefined && errors.includes(failed);
    if (fails) stopped = true;
    return { name, passed: !fails };
  });
  return {
    outcome: preview.error === undefined ? "fill" : "cancel",
    reason: preview.error,
    checks,
    price,
    sizeDelta,
    preview,
  };
}
