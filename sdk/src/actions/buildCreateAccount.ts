import { encodeFunctionData } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastTransaction } from "./types.js";

export type BuildCreateAccountParameters = {
  deployment: BallastDeployment;
  /** An isolated account trades `isolatedMarketId` only (default: cross). */
  isolated?: boolean;
  isolatedMarketId?: number;
};

/** `core.createAccount(isolated, isolatedMarketId)`; the new id is in the `AccountCreated` event. */
export function buildCreateAccount({
  deployment,
  isolated = false,
  isolatedMarketId = 0,
}: BuildCreateAccountParameters): BallastTransaction {
  return {
    to: deployment.core,
    data: encodeFunctionData({
      abi: ballastCoreAbi,
      functionName: "createAccount",
      args: [isolated, BigInt(isolated ? isolatedMarketId : 0)],
    }),
    value: 0n,
  };
}
