/**
 * Builds the SDK's `BallastDeployment` (and viem clients) from a test deployment (`deployBallast`), with a local
 * Multicall3, over Hardhat's in-process EIP-1193 provider — no hardhat-viem plugin needed.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { type AddressLike, resolveAddress } from "ethers";
import { type Address, createPublicClient, createWalletClient, custom, type EIP1193Provider, type Hex } from "viem";
import type { BallastDeployment } from "../../../sdk/src/deployment.js";
import { BTC, BTC_MARKET, type Ballast, ETH, ETH_MARKET } from "./fixture.js";

/** The deployment of `b`, plus a freshly deployed Multicall3. */
export async function sdkDeployment(ethers: HardhatEthers, b: Ballast): Promise<BallastDeployment> {
  const multicall = await ethers.deployContract("Multicall3");
  const network = await ethers.provider.getNetwork();
  const address = async (target: AddressLike): Promise<Address> => (await resolveAddress(target)) as Address;
  return {
    chainId: Number(network.chainId),
    deploymentBlock: 0,
    core: await address(b.core),
    collateral: await address(b.token),
    collateralDecimals: b.decimals,
    collateralSymbol: "USDC",
    oracle: await address(b.oracle),
    vault: await address(b.vault),
    insurancePool: await address(b.insurance),
    multicall3: await address(multicall),
    orderBook: await address(b.orderBook),
    pyth: await address(b.pyth),
    markets: [
      {
        marketId: Number(BTC_MARKET),
        symbol: "BTC",
        feedId: BTC as Hex,
        feed: await address(b.btcFeed),
        pythFeedId: BTC as Hex,
      },
      {
        marketId: Number(ETH_MARKET),
        symbol: "ETH",
        feedId: ETH as Hex,
        feed: await address(b.ethFeed),
        pythFeedId: ETH as Hex,
      },
    ],
  };
}

/** A viem public client over Hardhat's in-process provider, polling fast (for event watching in tests). */
export function sdkPublicClient(provider: unknown) {
  return createPublicClient({ transport: custom(provider as EIP1193Provider), pollingInterval: 20 });
}

/** A viem wallet client for one of Hardhat's unlocked accounts. */
export function sdkWalletClient(provider: unknown, account: Address) {
  return createWalletClient({ account, transport: custom(provider as EIP1193Provider) });
}

/** An ethers struct result (`Result`) as a plain object of its named fields, e.g. `accountHealth(id)`. */
export function structObject(result: unknown): Record<string, unknown> {
  return { ...(result as { toObject(): Record<string, unknown> }).toObject() };
}
