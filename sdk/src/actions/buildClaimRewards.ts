import { type Address, encodeFunctionData } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildClaimRewardsParameters = { deployment: BallastDeployment; to: Address };

/** `core.claimRewards(to)`: pays the sender's keeper rewards (whole token units) to `to`. */
export function buildClaimRewards({ deployment, to }: BuildClaimRewardsParameters): BallastTransaction {
  return {
    to: deployment.core,
    data: encodeFunctionData({ abi: ballastCoreAbi, functionName: "claimRewards", args: [to] }),
    value: 0n,
  };
}
