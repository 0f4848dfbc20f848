import { encodeFunctionData } from "viem";
import { orderBookAbi } from "../abi/orderBook.js";
import type { BallastDeployment } from "../deployment.js";
import { acceptablePrice as slippageBound } from "./acceptablePrice.js";
import { orderBookAddress } from "./internal/orders.js";
import type { BallastTransaction } from "./types.js";

export type BuildCloseParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  marketId: number;
  /** The last second the order may settle (unix seconds); default 0 = the order book's default window. */
  expiry?: bigint;
} & (
  | { acceptablePrice: bigint }
  | {
      /** The expected fill price, WAD. */
      price: bigint;
      /** The position's size now (its sign sets the direction: closing a long sells). */
      positionSize: bigint;
      slippageBps: bigint | number;
    }
);

/**
 * Commits an order that closes the whole position (its size at settlement):
 * `orderBook.commitClose(accountId, marketId, acceptablePrice, expiry)`. Settles like any order (see `buildTrade`).
 */
export function buildClose(parameters: BuildCloseParameters): BallastTransaction & { acceptablePrice: bigint } {
  const { deployment, accountId, marketId } = parameters;
  const bound =
    "acceptablePrice" in parameters
      ? parameters.acceptablePrice
      : slippageBound({
          price: parameters.price,
          sizeDelta: -parameters.positionSize,
          slippageBps: parameters.slippageBps,
        });
  return {
    to: orderBookAddress(deployment),
    data: encodeFunctionData({
      abi: orderBookAbi,
      functionName: "commitClose",
      args: [accountId, BigInt(marketId), bound, parameters.expiry ?? 0n],
    }),
    value: 0n,
    acceptablePrice: bound,
  };
}
