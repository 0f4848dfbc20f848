import { encodeFunctionData } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import { acceptablePrice as slippageBound } from "./acceptablePrice.js";
import type { BallastTransaction } from "./types.js";

export type BuildTradeParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  marketId: number;
  /** Signed WAD base units: > 0 buys, < 0 sells. */
  sizeDelta: bigint;
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

/** `core.trade(accountId, marketId, sizeDelta, acceptablePrice)`, the bound given or derived from a slippage. */
export function buildTrade(parameters: BuildTradeParameters): BallastTransaction & { acceptablePrice: bigint } {
  const { deployment, accountId, marketId, sizeDelta } = parameters;
  const bound =
    "acceptablePrice" in parameters
      ? parameters.acceptablePrice
      : slippageBound({ price: parameters.price, sizeDelta, slippageBps: parameters.slippageBps });
  return {
    to: deployment.core,
    data: encodeFunctionData({
      abi: ballastCoreAbi,
      functionName: "trade",
      args: [accountId, BigInt(marketId), sizeDelta, bound],
    }),
    value: 0n,
    acceptablePrice: bound,
  };
}
