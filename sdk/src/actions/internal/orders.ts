/** @internal The order book of a deployment, or a clear error when the deployment has none. */
import type { Address } from "viem";
import type { BallastDeployment } from "../../deployment.js";
import { BallastInputError } from "../../errors.js";

export function orderBookAddress(deployment: BallastDeployment): Address {
  if (deployment.orderBook === undefined) {
    throw new BallastInputError({
      shortMessage: "This deployment has no order book: trades go through orders (commit, then settle).",
      details: `deployment of chain ${deployment.chainId} (core ${deployment.core}) lists no orderBook address`,
    });
  }
  return deployment.orderBook;
}

/** `Order.sizeDelta` of a close order (type(int96).min). */
export const CLOSE_ALL = -(2n ** 95n);
/** `Order.acceptablePrice` meaning "no bound" (type(uint96).max). */
export const NO_BOUND = 2n ** 96n - 1n;
