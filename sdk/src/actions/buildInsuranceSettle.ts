import { type Address, encodeFunctionData } from "viem";
import { insurancePoolAbi } from "../abi/insurancePool.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildInsuranceSettleParameters = {
  deployment: BallastDeployment;
  /** The request's controller: it is paid, whoever sends the settlement. */
  controller: Address;
};

/** `insurancePool.settleRedeem(controller)`: anyone may send it once the request's cooldown is over. */
export function buildInsuranceSettle({ deployment, controller }: BuildInsuranceSettleParameters): BallastTransaction {
  return {
    to: deployment.insurancePool,
    data: encodeFunctionData({ abi: insurancePoolAbi, functionName: "settleRedeem", args: [controller] }),
    value: 0n,
  };
}
