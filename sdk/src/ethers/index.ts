/**
 * `@ballast/sdk/ethers`: typed contracts for ethers v6 users.
 *
 * The types are TypeChain's (copied from the Hardhat project by `scripts/copy-ethers-types.ts`, see
 * `./generated`); the contracts are built from the SDK's own ABIs, so this subpath needs `ethers` (v6) and nothing
 * from Hardhat. It is kept out of the main entry (`@ballast/sdk`) so that viem-only frontends never bundle ethers.
 *
 * @example
 * import { connectBallast } from "@ballast/sdk/ethers";
 * const { core } = connectBallast(deployment, signer);
 * const health = await core.accountHealth(1n); // AccountHealthStructOutput
 * const { orderBook } = connectBallast(deployment, signer);
 * await orderBook!.commitOrder(1n, 0n, 10n ** 17n, acceptablePrice, 0n); // settled by a keeper after the delay
 */
import { Contract, type ContractRunner } from "ethers";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import { insurancePoolAbi } from "../abi/insurancePool.js";
import { liquidityVaultAbi } from "../abi/liquidityVault.js";
import { oracleAdapterAbi } from "../abi/oracleAdapter.js";
import { orderBookAbi } from "../abi/orderBook.js";
import type { BallastDeployment } from "../deployment.js";
import type { BallastCore } from "./generated/BallastCore.js";
import type { InsurancePool } from "./generated/InsurancePool.js";
import type { LiquidityVault } from "./generated/LiquidityVault.js";
import type { OracleAdapter } from "./generated/OracleAdapter.js";
import type { OrderBook } from "./generated/OrderBook.js";

export type { BallastCore, BallastCoreInterface } from "./generated/BallastCore.js";
export type { InsurancePool, InsurancePoolInterface } from "./generated/InsurancePool.js";
export type { LiquidityVault, LiquidityVaultInterface } from "./generated/LiquidityVault.js";
export type { OracleAdapter, OracleAdapterInterface } from "./generated/OracleAdapter.js";
export type { OrderBook, OrderBookInterface } from "./generated/OrderBook.js";
export type * from "./generated/common.js";
/** Structs and events of each contract (e.g. `BallastCoreTypes.AccountHealthStructOutput`). */
export type * as BallastCoreTypes from "./generated/BallastCore.js";
export type * as InsurancePoolTypes from "./generated/InsurancePool.js";
export type * as LiquidityVaultTypes from "./generated/LiquidityVault.js";
export type * as OracleAdapterTypes from "./generated/OracleAdapter.js";
export type * as OrderBookTypes from "./generated/OrderBook.js";

/** The core at `address`, typed. */
export function connectBallastCore(address: string, runner?: ContractRunner | null): BallastCore {
  return new Contract(address, ballastCoreAbi, runner) as unknown as BallastCore;
}

/** The liquidity vault (ERC-4626 LP shares) at `address`, typed. */
export function connectLiquidityVault(address: string, runner?: ContractRunner | null): LiquidityVault {
  return new Contract(address, liquidityVaultAbi, runner) as unknown as LiquidityVault;
}

/** The insurance pool (ERC-4626 staker shares with cooldown) at `address`, typed. */
export function connectInsurancePool(address: string, runner?: ContractRunner | null): InsurancePool {
  return new Contract(address, insurancePoolAbi, runner) as unknown as InsurancePool;
}

/** The oracle adapter at `address`, typed. */
export function connectOracleAdapter(address: string, runner?: ContractRunner | null): OracleAdapter {
  return new Contract(address, oracleAdapterAbi, runner) as unknown as OracleAdapter;
}

/** The order book (commit → settle at a pull-oracle price → cancel after expiry) at `address`, typed. */
export function connectOrderBook(address: string, runner?: ContractRunner | null): OrderBook {
  return new Contract(address, orderBookAbi, runner) as unknown as OrderBook;
}

/** Every contract of a deployment, typed and connected to `runner` (a provider or a signer). */
export function connectBallast(
  deployment: BallastDeployment,
  runner?: ContractRunner | null,
): {
  core: BallastCore;
  vault: LiquidityVault;
  insurancePool: InsurancePool;
  oracle: OracleAdapter;
  orderBook: OrderBook | undefined;
} {
  return {
    orderBook: deployment.orderBook === undefined ? undefined : connectOrderBook(deployment.orderBook, runner),
    core: connectBallastCore(deployment.core, runner),
    vault: connectLiquidityVault(deployment.vault, runner),
    insurancePool: connectInsurancePool(deployment.insurancePool, runner),
    oracle: connectOracleAdapter(deployment.oracle, runner),
  };
}
