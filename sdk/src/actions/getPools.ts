import type { Client } from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import { insurancePoolAbi } from "../abi/insurancePool.js";
import { liquidityVaultAbi } from "../abi/liquidityVault.js";
import type { BallastDeployment } from "../deployment.js";
import { type Call, deploymentContext, readAtBlock, success } from "./internal/reads.js";

export type GetPoolsParameters = {
  deployment: BallastDeployment;
  /** Read at this block (default: the latest). */
  blockNumber?: bigint;
};

/** The liquidity vault and the insurance pool: ERC-4626 totals (collateral units) and the core's ledgers (WAD USD). */
export type PoolsView = {
  blockNumber: bigint;
  /** The block's timestamp. */
  timestamp: bigint;
  /** `vault.totalAssets()`, collateral units. */
  vaultAssets: bigint;
  /** `vault.totalSupply()`, bLP shares. */
  vaultShares: bigint;
  vaultShareDecimals: number;
  /** `insurancePool.totalAssets()`, collateral units. */
  insuranceAssets: bigint;
  /** `insurancePool.totalSupply()`, bINS shares. */
  insuranceShares: bigint;
  insuranceShareDecimals: number;
  /** The LP ledger in the core (`core.ledgers()`), WAD USD, realised. */
  vaultLedger: bigint;
  /** The insurance ledger in the core (`core.ledgers()`), WAD USD. */
  insuranceLedger: bigint;
  /**
   * `core.vaultNetAssetValue()`: the LP ledger plus traders' unrealised PnL and funding against it, WAD USD;
   * `undefined` when it reverts (a price the core needs is refused).
   */
  vaultNav: bigint | undefined;
  /** `core.totalUnclaimedRewards()`: keeper rewards credited and not yet claimed, WAD USD (18 decimals, not collateral units). */
  totalUnclaimedRewards: bigint;
  /**
   * `insurancePool.coverageRatio()`: insurance assets over open-interest notional, WAD; `undefined` when it reverts
   * (a price is refused).
   */
  coverageRatio: bigint | undefined;
};

export type GetPoolsReturnType = PoolsView;

/**
 * The vault's and the insurance pool's ERC-4626 totals, supplies and decimals, the core's ledgers, the vault's NAV,
 * the unclaimed keeper rewards and the insurance coverage ratio, read in ONE multicall at one block. A refused
 * oracle price throws its typed error (e.g. `StalePriceError`): the vault's `totalAssets` is priced at its NAV.
 *
 * @example
 * const pools = await getPools(publicClient, { deployment });
 * pools.vaultAssets; pools.vaultNav; pools.coverageRatio;
 */
export async function getPools(
  client: Client,
  { deployment, blockNumber }: GetPoolsParameters,
): Promise<GetPoolsReturnType> {
  const vault = { address: deployment.vault, abi: liquidityVaultAbi };
  const insurance = { address: deployment.insurancePool, abi: insurancePoolAbi };
  const core = { address: deployment.core, abi: ballastCoreAbi };
  const calls: Call[] = [
    { ...vault, functionName: "totalAssets" },
    { ...vault, functionName: "totalSupply" },
    { ...vault, functionName: "decimals" },
    { ...insurance, functionName: "totalAssets" },
    { ...insurance, functionName: "totalSupply" },
    { ...insurance, functionName: "decimals" },
    { ...core, functionName: "ledgers" },
    { ...core, functionName: "vaultNetAssetValue" },
    { ...core, functionName: "totalUnclaimedRewards" },
    { ...insurance, functionName: "coverageRatio" },
  ];
  const read = await readAtBlock(client, deployment, calls, blockNumber);
  const context = deploymentContext(deployment);
  const [vaultAssets, vaultShares, vaultDecimals, insuranceAssets, insuranceShares, insuranceDecimals] = read.results
    .slice(0, 6)
    .map((result, i) => success<bigint | number>(result, `pools read ${calls[i]?.functionName}`, context));
  const [vaultLedger, insuranceLedger] = success<readonly [bigint, bigint]>(read.results[6], "core.ledgers", context);
  const nav = read.results[7];
  const coverage = read.results[9];
  return {
    blockNumber: read.blockNumber,
    timestamp: read.timestamp,
    vaultAssets: vaultAssets as bigint,
    vaultShares: vaultShares as bigint,
    vaultShareDecimals: Number(vaultDecimals),
    insuranceAssets: insuranceAssets as bigint,
    insuranceShares: insuranceShares as bigint,
    insuranceShareDecimals: Number(insuranceDecimals),
    vaultLedger,
    insuranceLedger,
    vaultNav: nav?.status === "success" ? (nav.result as bigint) : undefined,
    totalUnclaimedRewards: success<bigint>(read.results[8], "core.totalUnclaimedRewards", context),
    coverageRatio: coverage?.status === "success" ? (coverage.result as bigint) : undefined,
  };
}
