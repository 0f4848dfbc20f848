import type { Account, Address, Client } from "viem";
import type { BallastDeployment } from "../deployment.js";
import { formatToken } from "../format.js";
import { type SimulateCollateralReturnType, simulateDeposit as previewDeposit } from "../math/simulate.js";
import { buildDeposit } from "./buildDeposit.js";
import { getAccount } from "./getAccount.js";
import { type AccountView, asConverted, deploymentContext } from "./internal/reads.js";
import { simulateCore } from "./internal/simulateCall.js";
import type { BallastTransaction } from "./types.js";

export type SimulateDepositParameters = {
  deployment: BallastDeployment;
  /** The sender (anyone may top up any account); it must have approved the core for `assets`. */
  account: Address | Account;
  accountId: bigint;
  /** Collateral token units. */
  assets: bigint;
  blockNumber?: bigint;
};

export type SimulateDepositReturnType = {
  /** The SDK's prediction: health after the deposit (`undefined` when a price the account needs is refused). */
  preview: SimulateCollateralReturnType | undefined;
  view: AccountView;
  transaction: BallastTransaction;
};

/**
 * Simulates `core.deposit` with `eth_call` (balance and allowance included: a missing approval is thrown as
 * `ERC20InsufficientAllowanceError`).
 */
export async function simulateDeposit(
  client: Client,
  parameters: SimulateDepositParameters,
): Promise<SimulateDepositReturnType> {
  const { deployment, accountId, assets } = parameters;
  const view = await getAccount(client, {
    deployment,
    accountId,
    blockNumber: parameters.blockNumber,
    priceLines: false,
  });
  const context = deploymentContext(deployment);
  const preview =
    view.health === undefined
      ? undefined
      : previewDeposit({
          ...asConverted(view),
          assets,
          collateralDecimals: deployment.collateralDecimals,
          errorContext: context,
        });
  await simulateCore(client, {
    deployment,
    account: parameters.account,
    functionName: "deposit",
    args: [accountId, assets],
    blockNumber: view.blockNumber,
    context: {
      ...context,
      action: `depositing ${formatToken(assets, deployment.collateralDecimals, deployment.collateralSymbol ?? "USDC")}`,
    },
  });
  return { preview, view, transaction: buildDeposit({ deployment, accountId, assets }) };
}
