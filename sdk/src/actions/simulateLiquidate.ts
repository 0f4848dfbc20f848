import type { Account, Address, Client } from "viem";
import type { BallastDeployment } from "../deployment.js";
import { type LiquidationPlan, planLiquidation } from "../math/liquidationLogic.js";
import type { LiquidationPreview } from "../math/types.js";
import { buildLiquidate } from "./buildLiquidate.js";
import { getAccount } from "./getAccount.js";
import { type AccountView, asConverted, deploymentContext } from "./internal/reads.js";
import { simulateCore } from "./internal/simulateCall.js";
import type { BallastTransaction } from "./types.js";

export type SimulateLiquidateParameters = {
  deployment: BallastDeployment;
  /** The liquidator (the sender). */
  account: Address | Account;
  accountId: bigint;
  /** Credited with the keeper reward (default: the sender). */
  recipient?: Address;
  blockNumber?: bigint;
};

export type SimulateLiquidateReturnType = {
  /** What `core.liquidate` returned in the `eth_call`. */
  result: LiquidationPreview;
  /** The SDK's plan at the same block: the same preview, plus each position's close. */
  plan: LiquidationPlan | undefined;
  view: AccountView;
  transaction: BallastTransaction;
};

/** Simulates `core.liquidate` with `eth_call`; a healthy account throws `AccountNotLiquidatableError`. */
export async function simulateLiquidate(
  client: Client,
  parameters: SimulateLiquidateParameters,
): Promise<SimulateLiquidateReturnType> {
  const { deployment, accountId } = parameters;
  const recipient =
    parameters.recipient ?? (typeof parameters.account === "string" ? parameters.account : parameters.account.address);
  const view = await getAccount(client, {
    deployment,
    accountId,
    blockNumber: parameters.blockNumber,
    priceLines: false,
  });
  const plan =
    view.health === undefined ? undefined : planLiquidation({ ...asConverted(view), riskParams: view.riskParams });
  const result = (await simulateCore(client, {
    deployment,
    account: parameters.account,
    functionName: "liquidate",
    args: [accountId, recipient],
    blockNumber: view.blockNumber,
    context: { ...deploymentContext(deployment), action: `liquidating account ${accountId}` },
  })) as LiquidationPreview;
  return { result: { ...result }, plan, view, transaction: buildLiquidate({ deployment, accountId, recipient }) };
}
