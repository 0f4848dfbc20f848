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

export type GetAccountsParameters = AccountViewOptions & {
  deployment: BallastDeployment;
  accountIds: readonly bigint[];
  /** Read at this block (default: the latest). */
  blockNumber?: bigint;
  /** Multicall batch size in bytes of calldata (viem's `batchSize`; default 1024 × 64). */
  batchSize?: number;
};

export type GetAccountsReturnType = AccountView[];

/**
 * Many accounts at one block: the markets once, then every account and position, batched through Multicall3
 * (one `eth_call` per `batchSize` bytes of calls). Price lines are skipped unless `priceLines: true` (they cost a
 * few health evaluations per position).
 */
export async function getAccounts(
  client: Client,
  { deployment, accountIds, blockNumber, batchSize = 1024 * 64, priceLines = false }: GetAccountsParameters,
): Promise<GetAccountsReturnType> {
  const markets = marketCalls(deployment);
  const calls = [...markets, ...accountIds.flatMap((id) => accountCalls(deployment, id))];
  const read = await readAtBlock(client, deployment, calls, blockNumber, batchSize);
  const marketsView = parseMarkets(deployment, read.results, read.blockNumber, read.timestamp);
  const stride = 1 + deployment.markets.length;
  return accountIds.map((accountId, i) => {
    const { account, positions } = parseAccount(deployment, read.results, markets.length + i * stride, accountId);
    return toAccountView(accountId, account, positions, marketsView, { priceLines });
  });
}
