import { type Address, encodeFunctionData } from "viem";
import { liquidityVaultAbi } from "../abi/liquidityVault.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildVaultSettleParameters = {
  deployment: BallastDeployment;
  /** Which of the controller's requests to settle. */
  kind: "deposit" | "redeem";
  /** The request's controller (anyone may send the settlement; the shares or assets go to the controller). */
  controller: Address;
};

/**
 * `settleDeposit(controller)` or `settleRedeem(controller)` on the liquidity vault. Anyone may send it once the
 * request's unlock time has passed (`getPoolRequests` reports it); earlier it reverts with `SettlementTooEarly`.
 */
export function buildVaultSettle({ deployment, kind, controller }: BuildVaultSettleParameters): BallastTransaction {
  return {
    to: deployment.vault,
    data: encodeFunctionData({
      abi: liquidityVaultAbi,
      functionName: kind === "deposit" ? "settleDeposit" : "settleRedeem",
      args: [controller],
    }),
    value: 0n,
  };
}
