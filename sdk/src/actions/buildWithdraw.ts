import { type Address, encodeFunctionData } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildWithdrawParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  /** Collateral token units: at most the account's `withdrawable` (see `simulateWithdraw`). */
  assets: bigint;
  to: Address;
};

/** `core.withdraw(accountId, assets, to)`. */
export function buildWithdraw({ deployment, accountId, assets, to }: BuildWithdrawParameters): BallastTransaction {
  return {
    to: deployment.core,
    data: encodeFunctionData({ abi: ballastCoreAbi, functionName: "withdraw", args: [accountId, assets, to] }),
    value: 0n,
  };
}
