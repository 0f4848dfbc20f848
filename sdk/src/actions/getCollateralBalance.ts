import type { Address, Client } from "viem";
import { erc20Abi } from "viem";
import type { BallastDeployment } from "../deployment.js";
import { type Call, deploymentContext, readAtBlock, success } from "./internal/reads.js";

export type GetCollateralBalanceParameters = {
  deployment: BallastDeployment;
  /** The wallet. */
  owner: Address;
  /** Read at this block (default: the latest). */
  blockNumber?: bigint;
};

export type GetCollateralBalanceReturnType = {
  owner: Address;
  blockNumber: bigint;
  /** `collateral.balanceOf(owner)`, collateral units. */
  balance: bigint;
  /**
   * `collateral.allowance(owner, spender)`, collateral units: to the core (margin deposits), the vault and the
   * insurance pool (LP and insurance deposits; see `buildApprove`).
   */
  allowance: { core: bigint; vault: bigint; insurancePool: bigint };
};

/**
 * A wallet's collateral balance and its allowances to the core and to the pools, in ONE multicall at one block.
 *
 * @example
 * const { balance, allowance } = await getCollateralBalance(publicClient, { deployment, owner });
 * if (allowance.core < assets) await ballast.send(ballast.build.approve({ spender: "core", assets }));
 */
export async function getCollateralBalance(
  client: Client,
  { deployment, owner, blockNumber }: GetCollateralBalanceParameters,
): Promise<GetCollateralBalanceReturnType> {
  const token = { address: deployment.collateral, abi: erc20Abi };
  const calls: Call[] = [
    { ...token, functionName: "balanceOf", args: [owner] },
    { ...token, functionName: "allowance", args: [owner, deployment.core] },
    { ...token, functionName: "allowance", args: [owner, deployment.vault] },
    { ...token, functionName: "allowance", args: [owner, deployment.insurancePool] },
  ];
  const read = await readAtBlock(client, deployment, calls, blockNumber);
  const context = deploymentContext(deployment);
  const [balance, core, vault, insurancePool] = read.results.map((result, i) =>
    success<bigint>(result, i === 0 ? "collateral.balanceOf" : "collateral.allowance", context),
  );
  return {
    owner,
    blockNumber: read.blockNumber,
    balance: balance as bigint,
    allowance: { core: core as bigint, vault: vault as bigint, insurancePool: insurancePool as bigint },
  };
}
