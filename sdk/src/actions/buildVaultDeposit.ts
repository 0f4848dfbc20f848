import { type Address, encodeFunctionData } from "viem";
import { liquidityVaultAbi } from "../abi/liquidityVault.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildVaultDepositParameters = {
  deployment: BallastDeployment;
  /** Collateral token units (approve first: `buildApprove({ spender: "vault" })`). */
  assets: bigint;
  receiver: Address;
};

/** ERC-4626 `deposit(assets, receiver)` into the liquidity vault (LP shares). */
export function buildVaultDeposit({ deployment, assets, receiver }: BuildVaultDepositParameters): BallastTransaction {
  return {
    to: deployment.vault,
    data: encodeFunctionData({ abi: liquidityVaultAbi, functionName: "deposit", args: [assets, receiver] }),
    value: 0n,
  };
}
