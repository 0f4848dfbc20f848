import { type Address, encodeFunctionData } from "viem";
import { insurancePoolAbi } from "../abi/insurancePool.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildInsuranceRedeemParameters = {
  deployment: BallastDeployment;
  shares: bigint;
  receiver: Address;
  owner: Address;
};

/** ERC-4626 `redeem(shares, receiver, owner)` from the insurance pool (staker shares). Needs a request whose cooldown is over and whose window is open (`buildInsuranceRequestWithdraw`). */
export function buildInsuranceRedeem({
  deployment,
  shares,
  receiver,
  owner,
}: BuildInsuranceRedeemParameters): BallastTransaction {
  return {
    to: deployment.insurancePool,
    data: encodeFunctionData({ abi: insurancePoolAbi, functionName: "redeem", args: [shares, receiver, owner] }),
    value: 0n,
  };
}
