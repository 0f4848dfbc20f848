/**
 * The collateral token's own `symbol()` and `decimals()`: every amount the dashboard parses or shows, and every SDK
 * error message about collateral, uses them. The deployment JSON's `collateralSymbol` / `collateralDecimals` are
 * only a fallback for a token that does not answer (and a consistency check).
 */
import type { BallastDeployment } from "@ballast/sdk";
import { type Client, erc20Abi } from "viem";
import { readContract } from "viem/actions";
import type { DeploymentFile } from "../settings.js";

export type CollateralToken = {
  symbol: string;
  decimals: number;
  /** Where the figures came from: the token's own answers, or the deployment JSON because the token did not answer. */
  source: "token" | "deployment";
  /** Set when the deployment JSON disagrees with the token, or the token could not be read: shown to the user. */
  warning?: string;
};

export async function readCollateralToken(client: Client, deployment: DeploymentFile): Promise<CollateralToken> {
  let symbol: string;
  let decimals: number;
  try {
    [symbol, decimals] = await Promise.all([
      readContract(client, { address: deployment.collateral, abi: erc20Abi, functionName: "symbol" }),
      readContract(client, { address: deployment.collateral, abi: erc20Abi, functionName: "decimals" }),
    ]);
  } catch (error) {
    if (deployment.collateralDecimals === undefined) throw error;
    // Some tokens answer symbol() with bytes32 or not at all: the deployment JSON's values are the best we have.
    return {
      symbol: deployment.collateralSymbol ?? "USDC",
      decimals: deployment.collateralDecimals,
      source: "deployment",
      warning: `The collateral token ${deployment.collateral} did not answer symbol()/decimals(); using the deployment file's values.`,
    };
  }
  const disagreements: string[] = [];
  if (deployment.collateralSymbol !== undefined && deployment.collateralSymbol !== symbol) {
    disagreements.push(`symbol "${deployment.collateralSymbol}"`);
  }
  if (deployment.collateralDecimals !== undefined && deployment.collateralDecimals !== decimals) {
    disagreements.push(`${deployment.collateralDecimals} decimals`);
  }
  return {
    symbol,
    decimals,
    source: "token",
    warning:
      disagreements.length === 0
        ? undefined
        : `The deployment file says ${disagreements.join(" and ")}; the token itself says "${symbol}", ${decimals} decimals, which the dashboard uses.`,
  };
}

/** The deployment with the token's figures, as the SDK reads them (amount scaling and error messages). */
export function withCollateral(deployment: DeploymentFile, token: CollateralToken): BallastDeployment {
  return { ...deployment, collateralSymbol: token.symbol, collateralDecimals: token.decimals };
}
