/** @internal An `eth_call` of a core function whose revert is decoded into a typed Ballast error. */
import type { Account, Address, Client } from "viem";
import { simulateContract } from "viem/actions";
import { ballastCoreAbi } from "../../abi/ballastCore.js";
import { orderBookAbi } from "../../abi/orderBook.js";
import type { ContractErrorContext } from "../../contractErrors.js";
import type { BallastDeployment } from "../../deployment.js";
import { decodeBallastError } from "../decodeBallastError.js";
import { orderBookAddress } from "./orders.js";

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

/** Ignored when simulating a commit: the escrow's approval comes with the transaction list, not before it. */
const ESCROW_ERRORS = new Set(["ERC20InsufficientAllowance", "ERC20InsufficientBalance"]);

/** An `eth_call` of an order-book function (a commit); its revert decoded into a typed Ballast error. */
export async function simulateOrderBook(
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
      address: orderBookAddress(parameters.deployment),
      abi: orderBookAbi,
      // biome-ignore lint/suspicious/noExplicitAny: one helper for several order-book functions.
      functionName: parameters.functionName as any,
      // biome-ignore lint/suspicious/noExplicitAny: as above.
      args: parameters.args as any,
      account: parameters.account,
      ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
    });
    return result;
  } catch (error) {
    const decoded = decodeBallastError(error, { context: parameters.context });
    if (decoded !== undefined && "errorName" in decoded && ESCROW_ERRORS.has(String(decoded.errorName)))
      return undefined;
    throw decoded ?? error;
  }
}
