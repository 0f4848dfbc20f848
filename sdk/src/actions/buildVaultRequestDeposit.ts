import { type Address, encodeFunctionData } from "viem";
import { liquidityVaultAbi } from "../abi/liquidityVault.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildVaultRequestDepositParameters = {
  deployment: BallastDeployment;
  /** Collateral token units (approve the vault first: `buildApprove({ spender: "vault" })`). */
  assets: bigint;
  /** Whose tokens (the sender, or an account that approved the sender with `setOperator`). */
  owner: Address;
  /** Who receives the shares at settlement (default: `owner`). */
  controller?: Address;
};

/**
 * ERC-7540 `requestDeposit(assets, controller, owner)` on the liquidity vault: the assets move into the vault's
 * escrow now (outside the NAV, earning and losing nothing) and anyone may settle after `settlementDelay`
 * (`buildVaultSettle`), at the worse for the depositor of the request-time and the settlement-time share price.
 * There is no cancellation. Adding to a pending request restarts its delay.
 */
export function buildVaultRequestDeposit({
  deployment,
  assets,
  owner,
  controller,
}: BuildVaultRequestDepositParameters): BallastTransaction {
  return {
    to: deployment.vault,
    data: encodeFunctionData({
      abi: liquidityVaultAbi,
      functionName: "requestDeposit",
      args: [assets, controller ?? owner, owner],
    }),
    value: 0n,
  };
}
