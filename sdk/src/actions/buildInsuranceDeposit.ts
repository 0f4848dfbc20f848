import { type Address, encodeFunctionData } from "viem";
import { insurancePoolAbi } from "../abi/insurancePool.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildInsuranceDepositParameters = {
  deployment: BallastDeployment;
  /** Collateral token units (approve first: `buildApprove({ spender: "insurancePool" })`). */
  assets: bigint;
  receiver: Address;
};

/** ERC-4626 `deposit(assets, receiver)` into the insurance pool (staker shares). */
export function buildInsuranceDeposit({
  deployment,
  assets,
  receiver,
}: BuildInsuranceDepositParameters): BallastTransaction {
  return {
    to: deployment.insurancePool,
    data: encodeFunctionData({ abi: insurancePoolAbi, functionName: "deposit", args: [assets, receiver] }),
    value: 0n,
  };
}
