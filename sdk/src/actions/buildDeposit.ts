import { encodeFunctionData } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildDepositParameters = {
  deployment: BallastDeployment;
  accountId: bigint;
  /** Collateral token units (approve the core first: `buildApprove({ spender: "core" })`). */
  assets: bigint;
};

/** `core.deposit(accountId, assets)`: anyone may top up any account; works while paused and without prices. */
export function buildDeposit({ deployment, accountId, assets }: BuildDepositParameters): BallastTransaction {
  return {
    to: deployment.core,
    data: encodeFunctionData({ abi: ballastCoreAbi, functionName: "deposit", args: [accountId, assets] }),
    value: 0n,
  };
}
