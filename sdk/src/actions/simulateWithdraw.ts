import type { Account, Address, Client } from "viem";
import type { BallastDeployment } from "../deployment.js";
import { formatToken } from "../format.js";
import { type SimulateCollateralReturnType, simulateWithdraw as previewWithdraw } from "../math/simulate.js";
import { buildWithdraw } from "./buildWithdraw.js";
import { getAccount } from "./getAccount.js";
import { type AccountView, asConverted, deploymentContext } from "./internal/reads.js";
import { simulateCore } from "./internal/simulateCall.js";
import type { BallastTransaction } from "./types.js";

export type SimulateWithdrawParameters = {
  deployment: BallastDeployment;
  /** The sender: the account's owner or an approved operator. */
  account: Address | Account;
  accountId: bigint;
  /** Collateral token units. */
  assets: bigint;
  /** Recipient (default: the sender). */
  to?: Address;
  blockNumber?: bigint;
};

export type SimulateWithdrawReturnType = {
  /**
   * The SDK's prediction: health after, the most that may be withdrawn now (`maxWithdrawAssets`); `undefined`
   * when a price the account needs is refused.
   */
  preview: SimulateCollateralReturnType | undefined;
  view: AccountView;
  transaction: BallastTransaction;
};

/**
 * Simulates `core.withdraw` with `eth_call`. A refusal is thrown as a typed error with the numbers that matter,
 * e.g. `WithdrawalExceedsAvailableError`: "Withdrawing 500 USDC would leave equity $120.00 below the initial
 * margin $180.00; at most 380 USDC can be withdrawn now."
 */
export async function simulateWithdraw(
  client: Client,
  parameters: SimulateWithdrawParameters,
): Promise<SimulateWithdrawReturnType> {
  const { deployment, accountId, assets } = parameters;
  const to =
    parameters.to ?? (typeof parameters.account === "string" ? parameters.account : parameters.account.address);
  const view = await getAccount(client, {
    deployment,
    accountId,
    blockNumber: parameters.blockNumber,
    priceLines: false,
  });
  const base = deploymentContext(deployment);
  const preview =
    view.health === undefined
      ? undefined
      : previewWithdraw({
          ...asConverted(view),
          assets,
          collateralDecimals: deployment.collateralDecimals,
          errorContext: base,
        });
  await simulateCore(client, {
    deployment,
    account: parameters.account,
    functionName: "withdraw",
    args: [accountId, assets, to],
    blockNumber: view.blockNumber,
    context: {
      ...base,
      action: `withdrawing ${formatToken(assets, deployment.collateralDecimals, deployment.collateralSymbol ?? "USDC")}`,
      ...(preview === undefined ? {} : { healthAfter: preview.healthAfter }),
    },
  });
  return { preview, view, transaction: buildWithdraw({ deployment, accountId, assets, to }) };
}
