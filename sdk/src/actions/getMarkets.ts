import type { Client } from "viem";
import type { BallastDeployment } from "../deployment.js";
import { marketCalls, type MarketsView, parseMarkets, readAtBlock } from "./internal/reads.js";

export type { MarketView, MarketsView } from "./internal/reads.js";

export type GetMarketsParameters = {
  deployment: BallastDeployment;
  /** Read at this block (default: the latest). */
  blockNumber?: bigint;
};

export type GetMarketsReturnType = MarketsView;

/**
 * Every deployed market — parameters, state, margin table, ramp, oracle price (or why it is refused), feed
 * configuration and pending funding — plus the risk parameters and the pause flag, in one multicall at one block.
 *
 * @example
 * const { markets, prices, timestamp } = await getMarkets(publicClient, { deployment });
 */
export async function getMarkets(
  client: Client,
  { deployment, blockNumber }: GetMarketsParameters,
): Promise<GetMarketsReturnType> {
  const read = await readAtBlock(client, deployment, marketCalls(deployment), blockNumber);
  return parseMarkets(deployment, read.results, read.blockNumber, read.timestamp);
}
