import { type Address, encodeFunctionData, erc20Abi } from "viem";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildApproveParameters = {
  deployment: BallastDeployment;
  /**
   * Who may pull the collateral: `"core"` for margin deposits, `"vault"` / `"insurancePool"` for LP and
   * insurance deposits (they pull straight into the core), or any address.
   */
  spender: "core" | "vault" | "insurancePool" | Address;
  /** Collateral token units. */
  assets: bigint;
};

/** `collateral.approve(spender, assets)`. */
export function buildApprove({ deployment, spender, assets }: BuildApproveParameters): BallastTransaction {
  const address =
    spender === "core"
      ? deployment.core
      : spender === "vault"
        ? deployment.vault
        : spender === "insurancePool"
          ? deployment.insurancePool
          : spender;
  return {
    to: deployment.collateral,
    data: encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [address, assets] }),
    value: 0n,
  };
}
