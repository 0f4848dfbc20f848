import type { Account, Address, Client } from "viem";
import type { BallastDeployment } from "../deployment.js";
import type { SimulateTradeReturnType as TradePreview } from "../math/simulate.js";
import { buildTrade } from "./buildTrade.js";
import { getAccount } from "./getAccount.js";
import type { AccountView } from "./internal/reads.js";
import { tradeAction, marketSymbol, simulateFill } from "./internal/simulateFill.js";
import type { BallastTransaction } from "./types.js";

export type SimulateTradeParameters = {
  deployment: BallastDeployment;
  /** The sender: the account's owner or an approved operator. */
  account: Address | Account;
  accountId: bigint;
  marketId: number;
  /** Signed WAD base units: > 0 buys. */
  sizeDelta: bigint;
  /** The worst fill accepted; default: the SDK's expected fill ± `slippageBps`. */
  acceptablePrice?: bigint;
  /** Slippage tolerance when `acceptablePrice` is omitted, basis points (default 50 = 0.5%). */
  slippageBps?: bigint | number;
  /** Simulate at this block (default: the latest). */
  blockNumber?: bigint;
};

export type SimulateTradeReturnType = {
  /** The fill price the order would get if it settled at the current price (the SDK's prediction). */
  fillPrice: bigint;
  acceptablePrice: bigint;
  /**
   * The SDK's prediction at the same block: fee, funding settled, new position, health after, checks (`undefined`
   * only when a price the account needs is refused — then the eth_call has thrown the oracle's error anyway).
   */
  preview: TradePreview | undefined;
  /** The account before the trade. */
  view: AccountView;
  /** The trade, ready for a wallet. */
  transaction: BallastTransaction;
};

/**
 * Simulates a trade order at one block: the SDK's prediction of its settlement at the current price (every check the
 * core runs at settlement) and an `eth_call` of its commit on the order book. Throws the contract's revert as a typed `BallastContractError` (e.g.
 * `InsufficientMarginError`) whose message says what to change.
 */
export async function simulateTrade(
  client: Client,
  parameters: SimulateTradeParameters,
): Promise<SimulateTradeReturnType> {
  const { deployment, accountId, marketId, sizeDelta } = parameters;
  const view = await getAccount(client, {
    deployment,
    accountId,
    blockNumber: parameters.blockNumber,
    priceLines: false,
  });
  const { fillPrice, bound, preview } = await simulateFill(client, {
    ...parameters,
    view,
    action: tradeAction(sizeDelta, marketSymbol(deployment, marketId)),
    call: (bound) => ({ functionName: "commitOrder", args: [accountId, BigInt(marketId), sizeDelta, bound, 0n] }),
  });
  const { acceptablePrice: _, ...transaction } = buildTrade({
    deployment,
    accountId,
    marketId,
    sizeDelta,
    acceptablePrice: bound,
  });
  return { fillPrice, acceptablePrice: bound, preview, view, transaction };
}
