import { encodeFunctionData } from "viem";
import { orderBookAbi } from "../abi/orderBook.js";
import type { BallastDeployment } from "../deployment.js";
import { orderBookAddress } from "./internal/orders.js";
import type { BallastTransaction } from "./types.js";

export type BuildCancelOrderParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  marketId: number;
};

/**
 * `orderBook.cancelExpired(accountId, marketId)`: after its expiry, an order is cancelled by anyone. The owner (or an
 * operator) gets the whole escrow back; anyone else earns `cancelRewardShare` of it and the rest goes to the owner.
 */
export function buildCancelOrder(parameters: BuildCancelOrderParameters): BallastTransaction {
  return {
    to: orderBookAddress(parameters.deployment),
    data: encodeFunctionData({
      abi: orderBookAbi,
      functionName: "cancelExpired",
      args: [parameters.accountId, BigInt(parameters.marketId)],
    }),
    value: 0n,
  };
}
