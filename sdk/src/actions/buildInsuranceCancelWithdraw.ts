import { encodeFunctionData } from "viem";
import { insurancePoolAbi } from "../abi/insurancePool.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildInsuranceCancelWithdrawParameters = { deployment: BallastDeployment };

/** `insurancePool.cancelWithdraw()`: drops the sender's pending request. */
export function buildInsuranceCancelWithdraw({
  deployment,
}: BuildInsuranceCancelWithdrawParameters): BallastTransaction {
  return {
    to: deployment.insurancePool,
    data: encodeFunctionData({ abi: insurancePoolAbi, functionName: "cancelWithdraw", args: [] }),
    value: 0n,
  };
}
