import { type Address, encodeFunctionData } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildLiquidateManyParameters = {
  deployment: BallastDeployment;
  accountIds: readonly bigint[];
  recipient: Address;
};

/** `core.liquidateMany(accountIds, recipient)`: skips accounts that are not (or no longer) liquidatable. */
export function buildLiquidateMany({
  deployment,
  accountIds,
  recipient,
}: BuildLiquidateManyParameters): BallastTransaction {
  return {
    to: deployment.core,
    data: encodeFunctionData({ abi: ballastCoreAbi, functionName: "liquidateMany", args: [accountIds, recipient] }),
    value: 0n,
  };
}
