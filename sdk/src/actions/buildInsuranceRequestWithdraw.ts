import { encodeFunctionData } from "viem";
import { insurancePoolAbi } from "../abi/insurancePool.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildInsuranceRequestWithdrawParameters = { deployment: BallastDeployment; shares: bigint };

/**
 * `insurancePool.requestWithdraw(shares)`: starts the cooldown (replacing any earlier request); the shares can be
 * redeemed between `unlockTime` and `windowEnd` (see the `WithdrawRequested` event).
 */
export function buildInsuranceRequestWithdraw({
  deployment,
  shares,
}: BuildInsuranceRequestWithdrawParameters): BallastTransaction {
  return {
    to: deployment.insurancePool,
    data: encodeFunctionData({ abi: insurancePoolAbi, functionName: "requestWithdraw", args: [shares] }),
    value: 0n,
  };
}
