import { type Address, encodeFunctionData } from "viem";
import { insurancePoolAbi } from "../abi/insurancePool.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildInsuranceRequestWithdrawParameters = {
  deployment: BallastDeployment;
  /** bINS shares to redeem. */
  shares: bigint;
  /** Whose shares (the sender, an account that made the sender its operator, or one that approved the shares). */
  owner: Address;
  /** Who is paid at settlement (default: `owner`). */
  controller?: Address;
};

/**
 * A binding insurance exit: ERC-7540 `requestRedeem(shares, controller, owner)` on the insurance pool. The shares
 * move into the pool's escrow at once and stay in its supply, so they bear every loss until paid; anyone may settle
 * after the cooldown (`buildInsuranceSettle`), at the lower of their value at the request and at settlement. There
 * is no cancellation and no window: a request stays settleable until someone settles it.
 */
export function buildInsuranceRequestWithdraw({
  deployment,
  shares,
  owner,
  controller,
}: BuildInsuranceRequestWithdrawParameters): BallastTransaction {
  return {
    to: deployment.insurancePool,
    data: encodeFunctionData({
      abi: insurancePoolAbi,
      functionName: "requestRedeem",
      args: [shares, controller ?? owner, owner],
    }),
    value: 0n,
  };
}
