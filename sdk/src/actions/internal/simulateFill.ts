import type { Account, Address, Client } from "viem";
import type { BallastDeployment } from "../../deployment.js";
import { formatSize } from "../../format.js";
import { MAX_UINT256 } from "../../math/internal/solidity.js";
import { type SimulateTradeReturnType as TradePreview, simulateTrade as previewTrade } from "../../math/simulate.js";
import { abs } from "../../math/wadMath.js";
import { acceptablePrice as slippageBound } from "../acceptablePrice.js";
import type { AccountView } from "./reads.js";
import { asConverted, deploymentContext } from "./reads.js";
import { simulateOrderBook } from "./simulateCall.js";
import { createContractError } from "../../contractErrors.js";

/** The symbol of `marketId` in `deployment`, or "market N". */
export function marketSymbol(deployment: BallastDeployment, marketId: number): string {
  return deployment.markets.find((m) => m.marketId === marketId)?.symbol ?? `market ${marketId}`;
}

export type SimulateFillParameters = {
  deployment: BallastDeployment;
  account: Address | Account;
  view: AccountView;
  accountId: bigint;
  marketId: number;
  sizeDelta: bigint;
  acceptablePrice?: bigint | undefined;
  slippageBps?: bigint | number | undefined;
  /** What the user is doing, for error messages ("buying 0.5 BTC"). */
  action: string;
  /** The order-book commit to simulate, given the slippage bound. */
  call: (bound: bigint) => { functionName: "commitOrder" | "commitClose"; args: readonly unknown[] };
};

/**
 * What `simulateTrade` and `simulateClose` share: the SDK's prediction of a fill of `sizeDelta` from `view`, the
 * slippage bound (`acceptablePrice`, else the predicted fill ± `slippageBps`, 50 by default), and the order's commit
 * simulated at `view`'s block. Throws the first settlement check that would fail at the current price as a typed
 * error (the order would be cancelled with it), or the commit's revert.
 */
export async function simulateFill(
  client: Client,
  parameters: SimulateFillParameters,
): Promise<{ fillPrice: bigint; bound: bigint; preview: TradePreview | undefined }> {
  const { deployment, view, sizeDelta } = parameters;
  const context = { ...deploymentContext(deployment), action: parameters.action };
  // Without a usable price (see `view.priceErrors`) the SDK cannot predict: the eth_call reports the oracle's error.
  const preview =
    view.health === undefined || sizeDelta === 0n
      ? undefined
      : previewTrade({
          ...asConverted(view),
          accountId: parameters.accountId,
          marketId: parameters.marketId,
          sizeDelta,
          acceptablePrice: parameters.acceptablePrice,
          paused: view.paused,
          errorContext: context,
        });
  const expected = preview?.fill?.fillPrice;
  const bound =
    parameters.acceptablePrice ??
    (expected === undefined
      ? sizeDelta > 0n
        ? MAX_UINT256
        : 0n
      : slippageBound({ price: expected, sizeDelta, slippageBps: parameters.slippageBps ?? 50 }));
  // Orders settle later at a price nobody knows yet: the prediction at the current price is the simulation. The
  // commit itself is simulated (authorisation, one pending order per market) by an eth_call of the order book.
  if (sizeDelta === 0n) throw createContractError("ZeroAmount", [], context);
  if (preview === undefined) {
    throw view.priceErrors[parameters.marketId] ?? new Error(`no usable price for market ${parameters.marketId}`);
  }
  if (preview.error !== undefined) throw preview.error;
  const fillPrice = preview.fill?.fillPrice ?? 0n;
  await simulateOrderBook(client, {
    deployment,
    account: parameters.account,
    ...parameters.call(bound),
    blockNumber: view.blockNumber,
    context,
  });
  return { fillPrice, bound, preview };
}

/** "buying 0.5 BTC" / "selling 2 ETH". */
export function tradeAction(sizeDelta: bigint, symbol: string): string {
  return `${sizeDelta > 0n ? "buying" : "selling"} ${formatSize(abs(sizeDelta), symbol)}`;
}

/** "closing 0.5 BTC long". */
export function closeAction(size: bigint, symbol: string): string {
  return `closing ${formatSize(abs(size), symbol)} ${size >= 0n ? "long" : "short"}`;
}
