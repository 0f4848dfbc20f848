import { type Address, encodeFunctionData } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildSetOperatorParameters = { deployment: BallastDeployment; operator: Address; approved: boolean };

/** `core.setOperator(operator, approved)`. Warning: an operator can trade and withdraw from all your accounts. */
export function buildSetOperator({ deployment, operator, approved }: BuildSetOperatorParameters): BallastTransaction {
  return {
    to: deployment.core,
    data: encodeFunctionData({ abi: ballastCoreAbi, functionName: "setOperator", args: [operator, approved] }),
    value: 0n,
  };
}
