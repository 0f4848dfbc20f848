import { type Address, encodeFunctionData } from "viem";
import { mockErc20Abi } from "../abi/mockErc20.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildMintMockCollateralParameters = {
  deployment: BallastDeployment;
  /** Who receives the tokens. */
  to: Address;
  /** Collateral token units. */
  assets: bigint;
};

/**
 * `MockERC20.mint(to, assets)`: mints the mock collateral of a LOCAL deployment (Hardhat node, tests, the demo).
 * Local networks only: real collateral tokens (USDC, …) have no public `mint`, and sending this to one reverts.
 */
export function buildMintMockCollateral({
  deployment,
  to,
  assets,
}: BuildMintMockCollateralParameters): BallastTransaction {
  return {
    to: deployment.collateral,
    data: encodeFunctionData({ abi: mockErc20Abi, functionName: "mint", args: [to, assets] }),
    value: 0n,
  };
}
