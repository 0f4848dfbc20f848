import type { Client } from "viem";
import type { BallastDeployment } from "../deployment.js";
import {
  type AccountView,
  type AccountViewOptions,
  accountCalls,
  marketCalls,
  parseAccount,
  parseMarkets,
  readAtBlock,
  toAccountView,
} from "./internal/reads.js";

export type { AccountView, PositionView } from "./internal/reads.js";

export type GetAccountParameters = AccountViewOptions & {
  deployment: BallastDeployment;
  accountId: bigint;
  /** Read at this block (default: the latest). */
  blockNumber?: bigint;
};

export type GetAccountReturnType = AccountView;

/**
 * An account, its positions, every market (params, state, tiers, ramp), the oracle prices and the risk parameters,
 * read in ONE multicall at one block; health, liquidation preview and each position's liquidation, bankruptcy and
 * warning prices computed with the SDK's math (equal to the core's views at that block).
 *
 * The result is an `AccountSnapshot`: pass it to `simulateTrade`, `simulateWithdraw`, `liquidationPrice`, ….
 *
 * @example
 * const view = await getAccount(publicClient, { deployment, accountId: 1n });
 * view.health?.liquidatable; view.positions[0]?.liquidationPrice;
 */
export async function getAccount(
  client: Client,
  { deployment, accountId, blockNumber, ...options }: GetAccountParameters,
): Promise<GetAccountReturnType> {
  const markets = marketCalls(deployment);
  const read = await readAtBlock(client, deployment, [...markets, ...accountCalls(deployment, accountId)], blockNumber);
  const marketsView = parseMarkets(deployment, read.results, read.blockNumber, read.timestamp);
  const { account, positions } = parseAccount(deployment, read.results, markets.length, accountId);
  return toAccountView(accountId, account, positions, marketsView, options);
}
