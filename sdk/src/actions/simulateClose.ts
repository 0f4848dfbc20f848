import type { Account, Address, Client } from "viem";
import type { BallastDeployment } from "../deployment.js";
import type { SimulateTradeReturnType as TradePreview } from "../math/simulate.js";
import { buildClose } from "./buildClose.js";
import { getAccount } from "./getAccount.js";
import type { AccountView } from "./internal/reads.js";
import { closeAction, marketSymbol, simulateFill } from "./internal/simulateFill.js";
import type { BallastTransaction } from "./types.js";

export type SimulateCloseParameters = {
  deployment: BallastDeployment;
  /** The sender: the account's owner or an approved operator. */
  account: Address | Account;
  accountId: bigint;
  marketId: number;
  /** The worst fill accepted; default: the SDK's expected fill ± `slippageBps`. */
  acceptablePrice?: bigint;
  /** Slippage tolerance when `acceptablePrice` is omitted, basis points (default 50 = 0.5%). */
  slippageBps?: bigint | number;
  /** Simulate at this block (default: the latest). */
  blockNumber?: bigint;
};

export type SimulateCloseReturnType = {
  /** The fill price the close would get if it settled at the current price (the SDK's prediction). */
  fillPrice: bigint;
  acceptablePrice: bigint;
  /** The position's size before the close (the trade is `-size`). */
  size: bigint;
  /**
   * The SDK's prediction of the closing trade at the same block (fee, funding, realised PnL, health after);
   * `undefined` when a price the account needs is refused (the eth_call has thrown the oracle's error anyway).
   */
  preview: TradePreview | undefined;
  /** The account before the close. */
  view: AccountView;
  /** `orderBook.commitClose`, ready for a wallet. */
  transaction: BallastTransaction;
};

/**
 * Simulates `core.closePosition` with `eth_call` at one block, next to the SDK's prediction of the same trade
 * (`-size`) from that block's state, like `simulateTrade`. Throws the contract's revert as a typed
 * `BallastContractError`: `AccountLiquidatableError` (a liquidatable account may not trade out of it),
 * `ZeroAmountError` (no position), `SlippageExceededError`, an oracle error, ….
 */
export async function simulateClose(
  client: Client,
  parameters: SimulateCloseParameters,
): Promise<SimulateCloseReturnType> {
  const { deployment, accountId, marketId } = parameters;
  const view = await getAccount(client, {
    deployment,
    accountId,
    blockNumber: parameters.blockNumber,
    priceLines: false,
  });
  const size = view.positions.find((p) => p.marketId === marketId)?.size ?? 0n;
  const sizeDelta = -size;
  const { fillPrice, bound, preview } = await simulateFill(client, {
    ...parameters,
    view,
    sizeDelta,
    action: closeAction(size, marketSymbol(deployment, marketId)),
    call: (bound) => ({ functionName: "commitClose", args: [accountId, BigInt(marketId), bound, 0n] }),
  });
  const { acceptablePrice: _, ...transaction } = buildClose({
    deployment,
    accountId,
    marketId,
    acceptablePrice: bound,
  });
  return { fillPrice, acceptablePrice: bound, size, preview, view, transaction };
}
