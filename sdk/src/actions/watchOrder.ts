import type { Client } from "viem";
import { getBlock, getBlockNumber, getContractEvents } from "viem/actions";
import { orderBookAbi } from "../abi/orderBook.js";
import { decodeBallastError } from "./decodeBallastError.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastError } from "../errors.js";
import { getOrder, type OrderView } from "./getOrder.js";
import { orderBookAddress } from "./internal/orders.js";

/** Where an order stands. */
export type OrderStatus =
  /** Committed; its delay has not passed yet. */
  | { status: "pending"; order: OrderView }
  /** The delay has passed: anyone can settle it until `order.expiry`. */
  | { status: "settleable"; order: OrderView }
  /** Filled at `fillPrice` (settlement price `price`) in `blockNumber`. */
  | { status: "settled"; fillPrice: bigint; price: bigint; sizeDelta: bigint; blockNumber: bigint }
  /** Cancelled: a settlement check failed at `price` (`reason` is the core's error, typed), or it expired. */
  | { status: "cancelled"; reason: BallastError | undefined; reasonName: string; price: bigint; blockNumber: bigint }
  /** Past its expiry and not settled: only `cancelExpired` is left (the escrow goes back). */
  | { status: "expired"; order: OrderView };

export type WatchOrderParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  marketId: number;
  /** The block the order was committed in (or before): settlement events are looked for from here. */
  fromBlock: bigint;
  /** Called on every change of status, first with the current one. Stops by itself after settled / cancelled. */
  onStatus: (status: OrderStatus) => void;
  onError?: (error: unknown) => void;
  /** Polling interval in ms (default 1,000). */
  pollingInterval?: number;
};

/** Reads an order's status once (see `watchOrder`). */
export async function getOrderStatus(
  client: Client,
  parameters: Omit<WatchOrderParameters, "onStatus" | "onError" | "pollingInterval">,
): Promise<OrderStatus> {
  const { deployment, accountId, marketId } = parameters;
  const address = orderBookAddress(deployment);
  const toBlock = await getBlockNumber(client);
  const args = { accountId, marketId: BigInt(marketId) };
  const [settled, cancelled] = await Promise.all([
    getContractEvents(client, {
      address,
      abi: orderBookAbi,
      eventName: "OrderSettled",
      args,
      fromBlock: parameters.fromBlock,
      toBlock,
    }),
    getContractEvents(client, {
      address,
      abi: orderBookAbi,
      eventName: "OrderCancelled",
      args,
      fromBlock: parameters.fromBlock,
      toBlock,
    }),
  ]);
  const last = [...settled, ...cancelled].sort((a, b) => Number((a.blockNumber ?? 0n) - (b.blockNumber ?? 0n))).at(-1);
  const order = await getOrder(client, { deployment, accountId, marketId, blockNumber: toBlock });
  if (!order.pending && last !== undefined) {
    if (last.eventName === "OrderSettled") {
      return {
        status: "settled",
        fillPrice: last.args.fillPrice!,
        price: last.args.price!,
        sizeDelta: last.args.sizeDelta!,
        blockNumber: last.blockNumber ?? toBlock,
      };
    }
    const reasonData = last.args.reason ?? "0x";
    const decoded = decodeBallastError({ data: reasonData }, {});
    return {
      status: "cancelled",
      reason: decoded,
      reasonName: decoded !== undefined && "errorName" in decoded ? String(decoded.errorName) : reasonData.slice(0, 10),
      price: last.args.price ?? 0n,
      blockNumber: last.blockNumber ?? toBlock,
    };
  }
  const { timestamp } = await getBlock(client, { blockNumber: toBlock });
  if (!order.pending) return { status: "pending", order };
  if (timestamp > order.expiry) return { status: "expired", order };
  if (timestamp >= order.settleTime) return { status: "settleable", order };
  return { status: "pending", order };
}

/** Follows an order through settlement: pending → settleable → settled (with its fill) or cancelled (with reason). */
export function watchOrder(client: Client, parameters: WatchOrderParameters): () => void {
  let stopped = false;
  let last = "";
  const tick = async () => {
    if (stopped) return;
    try {
      const status = await getOrderStatus(client, parameters);
      const key = `${status.status}`;
      if (key !== last) {
        last = key;
        parameters.onStatus(status);
      }
      if (status.status === "settled" || status.status === "cancelled") stopped = true;
    } catch (error) {
      parameters.onError?.(error);
    }
    if (!stopped) setTimeout(tick, parameters.pollingInterval ?? 1_000);
  };
  void tick();
  return () => {
    stopped = true;
  };
}

/** The typed reason of an `OrderCancelled` event's `reason` bytes (the core's custom error, or `OrderExpired`). */
export function orderCancelReason(reason: `0x${string}`): BallastError | undefined {
  return decodeBallastError({ data: reason }, {}) ?? undefined;
}
