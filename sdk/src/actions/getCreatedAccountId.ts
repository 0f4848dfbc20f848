import { type Log, parseEventLogs } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";

export type GetCreatedAccountIdParameters = {
  deployment: BallastDeployment;
  /** The receipt of a `createAccount` transaction (`waitForTransactionReceipt`), or just its logs. */
  receipt: { logs: readonly Log[] };
};

/** The new account's id; `undefined` when the receipt holds no `AccountCreated` event of the deployment's core. */
export type GetCreatedAccountIdReturnType = bigint | undefined;

/**
 * The id of the account a `createAccount` transaction opened, parsed from its receipt's `AccountCreated` event
 * (emitted by the deployment's core). No RPC call.
 *
 * @example
 * const receipt = await publicClient.waitForTransactionReceipt({ hash: await ballast.send(ballast.build.createAccount({})) });
 * const accountId = getCreatedAccountId({ deployment, receipt });
 */
export function getCreatedAccountId({
  deployment,
  receipt,
}: GetCreatedAccountIdParameters): GetCreatedAccountIdReturnType {
  const core = deployment.core.toLowerCase();
  const [created] = parseEventLogs({
    abi: ballastCoreAbi,
    eventName: "AccountCreated",
    logs: receipt.logs.filter((log) => log.address.toLowerCase() === core) as Log[],
  });
  return created?.args.accountId;
}
