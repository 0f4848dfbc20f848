import { encodeFunctionData } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import { acceptablePrice as slippageBound } from "./acceptablePrice.js";
import type { BallastTransaction } from "./types.js";

export type BuildCloseParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  marketId: number;
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

/** `core.closePosition(accountId, marketId, acceptablePrice)`: closes the whole position. */
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
    to: deployment.core,
    data: encodeFunctionData({
      abi: ballastCoreAbi,
      functionName: "closePosition",
      args: [accountId, BigInt(marketId), bound],
    }),
    value: 0n,
    acceptablePrice: bound,
  };
}
