import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { AddressLike } from "ethers";
import {
  DEFAULT_RISK,
  feedId,
  INSURANCE_COOLDOWN_SECONDS,
  type MarketConfig,
  marketParams,
  type RiskParamsInput,
  VAULT_SETTLEMENT_DELAY_SECONDS,
  DEFAULT_MAX_CONFIDENCE_RATIO,
  DEFAULT_ORDER_PARAMS,
  type OrderParamsInput,
  pythFeedId,
} from "./config.js";

export interface DeployOptions {
  admin: HardhatEthersSigner;
  /** Collateral decimals (the demo uses a 6-decimal USDC-like token). */
  decimals?: number;
  risk?: Partial<RiskParamsInput>;
  markets: MarketConfig[];
  /** "contracts" deploys the ERC-4626 vault and insurance pool; otherwise the given addresses act as both. */
  pools?: "contracts" | { vault: AddressLike; insurance: AddressLike };
  /** Insurance redemption cooldown (default `INSURANCE_COOLDOWN_SECONDS`). */
  insuranceCooldownSeconds?: number;
  /** LP request settlement delay (default `VAULT_SETTLEMENT_DELAY_SECONDS`). */
  vaultSettlementDelaySeconds?: number;
  insuranceWindowSeconds?: number;
  orderParams?: Partial<OrderParamsInput>;
}

/** Deploys mock USDC, mock feeds, the oracle adapter, the core (with its linked libraries), and the pools. */
export async function deployProtocol(ethers: HardhatEthers, options: DeployOptions) {
  const { admin } = options;
  const token = await ethers.deployContract("MockERC20", ["USD Coin (mock)", "USDC", options.decimals ?? 6]);
  const oracle = await ethers.deployContract("OracleAdapter", [admin.address]);
  const feeds: Record<string, Awaited<ReturnType<typeof deployFeed>>> = {};
  async function deployFeed(market: MarketConfig) {
    return ethers.deployContract("MockAggregator", [
      8,
      BigInt(market.initialPriceUsd) * 10n ** 8n,
      `${market.symbol} / USD`,
    ]);
  }
  for (const market of options.markets) {
    const feed = await deployFeed(market);
    await oracle.setFeed(feedId(market.symbol), feed, market.heartbeatSeconds, market.minPriceWad, market.maxPriceWad);
    feeds[market.symbol] = feed;
  }

  const governanceLogic = await ethers.deployContract("GovernanceLogic");
  const vaultAccounting = await ethers.deployContract("VaultAccounting");
  const liquidationLogic = await ethers.deployContract("LiquidationLogic");
  const core = await ethers.deployContract(
    "BallastCore",
    [token, oracle, admin.address, { ...DEFAULT_RISK, ...options.risk }],
    {
      libraries: {
        GovernanceLogic: await governanceLogic.getAddress(),
        VaultAccounting: await vaultAccounting.getAddress(),
        LiquidationLogic: await liquidationLogic.getAddress(),
      },
    },
  );
  await core.grantRole(await core.RISK_MANAGER_ROLE(), admin.address);
  await core.grantRole(await core.PAUSER_ROLE(), admin.address);
  for (const market of options.markets) {
    await core.listMarket(marketParams(feedId(market.symbol), market.params), market.tiers);
  }

  const pools = options.pools ?? "contracts";
  let vault: AddressLike;
  let insurance: AddressLike;
  if (pools === "contracts") {
    vault = await ethers.deployContract("LiquidityVault", [
      core,
      admin.address,
      options.vaultSettlementDelaySeconds ?? VAULT_SETTLEMENT_DELAY_SECONDS,
      "Ballast LP",
      "bLP",
    ]);
    insurance = await ethers.deployContract("InsurancePool", [
      core,
      admin.address,
      options.insuranceCooldownSeconds ?? INSURANCE_COOLDOWN_SECONDS,
      "Ballast Insurance",
      "bINS",
    ]);
  } else {
    ({ vault, insurance } = pools);
  }
  await core.initializePools(vault, insurance);

  // Orders: a local Pyth (MockPythUnique, 1 wei per update) and the order book over the core.
  const pyth = await ethers.deployContract("MockPythUnique", [60, 1]);
  const orderBook = await ethers.deployContract("OrderBook", [
    core,
    pyth,
    admin.address,
    { ...DEFAULT_ORDER_PARAMS, ...options.orderParams },
  ]);
  await core.setOrderBook(orderBook);
  for (const [marketId, market] of options.markets.entries()) {
    await orderBook.setOrderMarket(marketId, {
      pythFeedId: pythFeedId(market.symbol),
      maxConfidenceRatio: DEFAULT_MAX_CONFIDENCE_RATIO,
    });
  }
  return {
    token,
    oracle,
    feeds,
    core,
    governanceLogic,
    vaultAccounting,
    liquidationLogic,
    vault,
    insurance,
    pyth,
    orderBook,
  };
}
