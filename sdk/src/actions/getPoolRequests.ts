import type { Address, Client } from "viem";
import { insurancePoolAbi } from "../abi/insurancePool.js";
import { liquidityVaultAbi } from "../abi/liquidityVault.js";
import type { BallastDeployment } from "../deployment.js";
import { type Call, deploymentContext, readAtBlock, success } from "./internal/reads.js";

export type GetPoolRequestsParameters = {
  deployment: BallastDeployment;
  /** The controller whose requests to read (usually the LP's or staker's own address). */
  controller: Address;
  /** Read at this block (default: the latest). */
  blockNumber?: bigint;
};

/** One pending ERC-7540 request of a controller. */
export type PoolRequest = {
  /** Escrowed amount: collateral units (vault deposit) or shares (redemptions). */
  amount: bigint;
  /** What `amount` was worth at the request's share price: shares (deposit) or collateral units (redemption). */
  quote: bigint;
  /** First second at which anyone may settle it. */
  unlockTime: bigint;
  /** Whether it can be settled at the block read (`timestamp ≥ unlockTime`). */
  settleable: boolean;
  /** Seconds left until `unlockTime` (0 once settleable). */
  secondsToUnlock: bigint;
  /**
   * What settling now would give the controller (`previewSettle…`): shares (deposit) or collateral units
   * (redemption), never more than `quote`; `undefined` when the read reverts (a price the NAV needs is refused, or
   * the vault's NAV is wiped out).
   */
  settlementPreview: bigint | undefined;
};

/** A controller's pending requests in the liquidity vault and the insurance pool. */
export type PoolRequestsView = {
  blockNumber: bigint;
  timestamp: bigint;
  /** Pending vault deposit, or `undefined` when there is none. */
  vaultDeposit: PoolRequest | undefined;
  /** Pending vault redemption, or `undefined`. */
  vaultRedeem: PoolRequest | undefined;
  /** Pending insurance redemption, or `undefined`. */
  insuranceRedeem: PoolRequest | undefined;
  /** `vault.settlementDelay()`, seconds: the delay a new vault request would get. */
  vaultSettlementDelay: bigint;
  /** `insurancePool.cooldown()`, seconds: the delay a new insurance request would get. */
  insuranceCooldown: bigint;
};

export type GetPoolRequestsReturnType = PoolRequestsView;

type RawRequest = { amount: bigint; quote: bigint; unlockTime: bigint };

/**
 * The controller's pending vault deposit, vault redemption and insurance redemption, with their unlock times and
 * what settling each would pay now, plus the delays in force; one multicall at one block.
 *
 * @example
 * const { vaultDeposit } = await getPoolRequests(publicClient, { deployment, controller: me });
 * if (vaultDeposit?.settleable) await send(buildVaultSettle({ deployment, kind: "deposit", controller: me }));
 */
export async function getPoolRequests(
  client: Client,
  { deployment, controller, blockNumber }: GetPoolRequestsParameters,
): Promise<GetPoolRequestsReturnType> {
  const vault = { address: deployment.vault, abi: liquidityVaultAbi };
  const insurance = { address: deployment.insurancePool, abi: insurancePoolAbi };
  const args = [controller] as const;
  const calls: Call[] = [
    { ...vault, functionName: "depositRequest", args },
    { ...vault, functionName: "redeemRequest", args },
    { ...insurance, functionName: "redeemRequest", args },
    { ...vault, functionName: "previewSettleDeposit", args },
    { ...vault, functionName: "previewSettleRedeem", args },
    { ...insurance, functionName: "previewSettleRedeem", args },
    { ...vault, functionName: "settlementDelay" },
    { ...insurance, functionName: "cooldown" },
  ];
  const read = await readAtBlock(client, deployment, calls, blockNumber);
  const context = deploymentContext(deployment);
  const request = (index: number): PoolRequest | undefined => {
    const raw = success<RawRequest>(read.results[index], `pool request ${calls[index]?.functionName}`, context);
    if (raw.amount === 0n) return undefined;
    const unlockTime = BigInt(raw.unlockTime);
    const preview = read.results[index + 3];
    return {
      amount: raw.amount,
      quote: raw.quote,
      unlockTime,
      settleable: read.timestamp >= unlockTime,
      secondsToUnlock: read.timestamp >= unlockTime ? 0n : unlockTime - read.timestamp,
      settlementPreview: preview?.status === "success" ? (preview.result as bigint) : undefined,
    };
  };
  return {
    blockNumber: read.blockNumber,
    timestamp: read.timestamp,
    vaultDeposit: request(0),
    vaultRedeem: request(1),
    insuranceRedeem: request(2),
    vaultSettlementDelay: BigInt(success<number>(read.results[6], "vault.settlementDelay", context)),
    insuranceCooldown: BigInt(success<number>(read.results[7], "insurancePool.cooldown", context)),
  };
}
