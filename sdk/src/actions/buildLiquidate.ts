import { type Address, encodeFunctionData } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildLiquidateParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  /** Credited with the keeper reward (claim it with `buildClaimRewards`). */
  recipient: Address;
};

/** `core.liquidate(accountId, recipient)`: reverts with `AccountNotLiquidatable` for a healthy account. */
export function buildLiquidate({ deployment, accountId, recipient }: BuildLiquidateParameters): BallastTransaction {
  return {
    to: deployment.core,
    data: encodeFunctionData({ abi: ballastCoreAbi, functionName: "liquidate", args: [accountId, recipient] }),
    value: 0n,
  };
}
