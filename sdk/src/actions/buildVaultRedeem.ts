import { type Address, encodeFunctionData } from "viem";
import { liquidityVaultAbi } from "../abi/liquidityVault.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildVaultRedeemParameters = {
  deployment: BallastDeployment;
  shares: bigint;
  receiver: Address;
  owner: Address;
};

/** ERC-4626 `redeem(shares, receiver, owner)` from the liquidity vault (LP shares). */
export function buildVaultRedeem({
  deployment,
  shares,
  receiver,
  owner,
}: BuildVaultRedeemParameters): BallastTransaction {
  return {
    to: deployment.vault,
    data: encodeFunctionData({ abi: liquidityVaultAbi, functionName: "redeem", args: [shares, receiver, owner] }),
    value: 0n,
  };
}
