import { type Address, encodeFunctionData } from "viem";
import { liquidityVaultAbi } from "../abi/liquidityVault.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildVaultRequestRedeemParameters = {
  deployment: BallastDeployment;
  /** bLP shares to redeem. */
  shares: bigint;
  /** Whose shares (the sender, an account that made the sender its operator, or one that approved the shares). */
  owner: Address;
  /** Who is paid at settlement (default: `owner`). */
  controller?: Address;
};

/**
 * ERC-7540 `requestRedeem(shares, controller, owner)` on the liquidity vault: the shares move into the vault's
 * escrow now and keep bearing the vault's PnL; anyone may settle after `settlementDelay` (`buildVaultSettle`), which
 * pays the lower of their value at the request and at settlement. There is no cancellation.
 */
export function buildVaultRequestRedeem({
  deployment,
  shares,
  owner,
  controller,
}: BuildVaultRequestRedeemParameters): BallastTransaction {
  return {
    to: deployment.vault,
    data: encodeFunctionData({
      abi: liquidityVaultAbi,
      functionName: "requestRedeem",
      args: [shares, controller ?? owner, owner],
    }),
    value: 0n,
  };
}
