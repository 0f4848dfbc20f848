import type { Address, Client } from "viem";
import { getBlockNumber, getContractEvents } from "viem/actions";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import { DEFAULT_BLOCK_RANGE, getLogsChunked } from "./internal/logs.js";

export type GetOwnerAccountsParameters = {
  deployment: BallastDeployment;
  owner: Address;
  /** Search from this block (default: `deployment.deploymentBlock`). */
  fromBlock?: bigint;
  /** Search up to this block (default: the latest). */
  toBlock?: bigint;
  /** Largest `eth_getLogs` range, in blocks (default 5,000; halved when the node refuses a range). */
  blockRange?: bigint;
};

/** The ids of the accounts `owner` created, oldest first. */
export type GetOwnerAccountsReturnType = bigint[];

/**
 * The accounts an owner created: the core's `AccountCreated` events filtered by `owner` (an indexed topic), from
 * the deployment block, in chunks of `eth_getLogs`. Accounts are not transferable, so this is the owner's list.
 *
 * @example
 * const ids = await getOwnerAccounts(publicClient, { deployment, owner });
 */
export async function getOwnerAccounts(
  client: Client,
  { deployment, owner, fromBlock, toBlock, blockRange = DEFAULT_BLOCK_RANGE }: GetOwnerAccountsParameters,
): Promise<GetOwnerAccountsReturnType> {
  const end = toBlock ?? (await getBlockNumber(client, { cacheTime: 0 }));
  const logs = await getLogsChunked(
    fromBlock ?? BigInt(deployment.deploymentBlock),
    end,
    (from, to) =>
      getContractEvents(client, {
        address: deployment.core,
        abi: ballastCoreAbi,
        eventName: "AccountCreated",
        args: { owner },
        fromBlock: from,
        toBlock: to,
        strict: true,
      }),
    blockRange,
  );
  return logs.map((log) => log.args.accountId);
}
