/** @internal An `eth_call` of a core function whose revert is decoded into a typed Ballast error. */
import type { Account, Address, Client } from "viem";
import { simulateContract } from "viem/actions";
import { ballastCoreAbi } from "../../abi/ballastCore.js";
import type { ContractErrorContext } from "../../contractErrors.js";
import type { BallastDeployment } from "../../deployment.js";
import { decodeBallastError } from "../decodeBallastError.js";

export async function simulateCore(
  client: Client,
  parameters: {
    deployment: BallastDeployment;
    account: Address | Account;
    functionName: string;
    args: readonly unknown[];
    blockNumber?: bigint;
    context: ContractErrorContext;
  },
): Promise<unknown> {
  try {
    const { result } = await simulateContract(client, {
      address: parameters.deployment.core,
      abi: ballastCoreAbi,
      // biome-ignore lint/suspicious/noExplicitAny: one helper for several core functions; callers type the result.
      functionName: parameters.functionName as any,
      // biome-ignore lint/suspicious/noExplicitAny: as above.
      args: parameters.args as any,
      account: parameters.account,
      ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
    });
    return result;
  } catch (error) {
    throw decodeBallastError(error, { context: parameters.context }) ?? error;
  }
}
