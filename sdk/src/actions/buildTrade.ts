import { encodeFunctionData } from "viem";
import { orderBookAbi } from "../abi/orderBook.js";
import type { BallastDeployment } from "../deployment.js";
import { acceptablePrice as slippageBound } from "./acceptablePrice.js";
import { orderBookAddress } from "./internal/orders.js";
import type { BallastTransaction } from "./types.js";

export type BuildTradeParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  marketId: number;
  /** Signed WAD base units: > 0 buys, < 0 sells. */
  sizeDelta: bigint;
  /** The last second the order may settle (unix seconds); default 0 = the order book's default window. */
  expiry?: bigint;
} & (
  | {
      /** The worst fill accepted: the maximum for buys, the minimum for sells (WAD). */
      acceptablePrice: bigint;
    }
  | {
      /** The expected fill price (e.g. `simulateTrade`'s), WAD; the bound is this ± `slippageBps`. */
      price: bigint;
      /** Tolerated slippage in basis points (50 = 0.5%). */
      slippageBps: bigint | number;
    }
);

/**
 * Commits a trade as an order: `orderBook.commitOrder(accountId, marketId, sizeDelta, acceptablePrice, expiry)`.
 * The order settles after the delay at the first oracle price published at or after commit + delay (a keeper, or
 * anyone, calls `settle`); the escrowed settlement fee (collateral token, approve the order book first) pays the
 * settler. Checks (margin, caps, pause, slippage) run at settlement; a failed check cancels the order with a reason.
 */
export function buildTrade(parameters: BuildTradeParameters): BallastTransaction & { acceptablePrice: bigint } {
  const { deployment, accountId, marketId, sizeDelta } = parameters;
  const bound =
    "acceptablePrice" in parameters
      ? parameters.acceptablePrice
      : slippageBound({ price: parameters.price, sizeDelta, slippageBps: parameters.slippageBps });
  return {
    to: orderBookAddress(deployment),
    data: encodeFunctionData({
      abi: orderBookAbi,
      functionName: "commitOrder",
      args: [accountId, BigInt(marketId), sizeDelta, bound, parameters.expiry ?? 0n],
    }),
    value: 0n,
    acceptablePrice: bound,
  };
}
