import { encodeFunctionData, type Hex } from "viem";
import { orderBookAbi } from "../abi/orderBook.js";
import type { BallastDeployment } from "../deployment.js";
import { orderBookAddress } from "./internal/orders.js";
import type { BallastTransaction } from "./types.js";

export type BuildSettleOrderParameters = {
  deployment: BallastDeployment;
  /** One order, or a batch (orders of one market in a batch must share one price update). */
  orders: readonly { accountId: bigint; marketId: number; priceUpdate: readonly Hex[] }[];
  /** Wei for the oracle's update fee (`pyth.getUpdateFee`); the excess is refunded. */
  updateFee: bigint;
};

/**
 * `orderBook.settle(accountId, marketId, priceUpdate)` for one order, `settleMany(requests)` for several. Anyone may
 * settle an order after its delay and before its expiry, with the Pyth update of the first price published at or
 * after its settleTime (fetch it from Hermes: `getPriceUpdatesAtTimestamp(settleTime, [feedId])`). The settler earns
 * the escrowed fee, whether the order fills or is cancelled by a failed check.
 */
export function buildSettleOrder(parameters: BuildSettleOrderParameters): BallastTransaction {
  const { deployment, orders } = parameters;
  const [first] = orders;
  if (first === undefined) throw new Error("buildSettleOrder: no orders");
  const data =
    orders.length === 1
      ? encodeFunctionData({
          abi: orderBookAbi,
          functionName: "settle",
          args: [first.accountId, BigInt(first.marketId), [...first.priceUpdate]],
        })
      : encodeFunctionData({
          abi: orderBookAbi,
          functionName: "settleMany",
          args: [
            orders.map((o) => ({
              accountId: o.accountId,
              marketId: BigInt(o.marketId),
              priceUpdate: [...o.priceUpdate],
            })),
          ],
        });
  return { to: orderBookAddress(deployment), data, value: parameters.updateFee };
}
