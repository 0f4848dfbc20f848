import type { Client } from "viem";
import { readContract } from "viem/actions";
import { orderBookAbi } from "../abi/orderBook.js";
import type { BallastDeployment } from "../deployment.js";
import { CLOSE_ALL, NO_BOUND, orderBookAddress } from "./internal/orders.js";

export type GetOrderParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  marketId: number;
  blockNumber?: bigint;
};

export type OrderView = {
  /** Whether the account has a pending order in the market (one per account and market). */
  pending: boolean;
  /** Signed WAD base units; `undefined` for a close order (the whole position at settlement). */
  sizeDelta: bigint | undefined;
  close: boolean;
  /** WAD; `undefined` when the order has no bound. */
  acceptablePrice: bigint | undefined;
  /** The earliest publish time of the settlement price (commit time + delay), unix seconds. */
  settleTime: bigint;
  /** The last second the order can settle. */
  expiry: bigint;
  /** The escrowed settlement fee, token units. */
  escrow: bigint;
};

export type GetOrderReturnType = OrderView;

/** The pending order of `accountId` in `marketId` (`pending: false` when there is none). */
export async function getOrder(client: Client, parameters: GetOrderParameters): Promise<GetOrderReturnType> {
  const address = orderBookAddress(parameters.deployment);
  const block = parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber };
  const [order, feeUnit] = await Promise.all([
    readContract(client, {
      address,
      abi: orderBookAbi,
      functionName: "getOrder",
      args: [parameters.accountId, BigInt(parameters.marketId)],
      ...block,
    }),
    readContract(client, { address, abi: orderBookAbi, functionName: "feeUnit", ...block }),
  ]);
  const close = order.sizeDelta === CLOSE_ALL;
  return {
    pending: order.sizeDelta !== 0n,
    sizeDelta: close || order.sizeDelta === 0n ? undefined : order.sizeDelta,
    close,
    acceptablePrice: order.acceptablePrice === NO_BOUND ? undefined : order.acceptablePrice,
    settleTime: BigInt(order.settleTime),
    expiry: BigInt(order.settleTime) + BigInt(order.window),
    escrow: BigInt(order.escrowUnits) * feeUnit,
  };
}
