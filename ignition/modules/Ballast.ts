/**
 * Hardhat Ignition module: the whole Ballast protocol on a local or test network.
 *
 *   mock USDC (6 decimals) ─┐
 *   mock feeds ─► OracleAdapter ─► BallastCore ◄─ GovernanceLogic, VaultAccounting, LiquidationLogic (linked libraries)
 *                                       ▲
 *                 LiquidityVault, InsurancePool (initializePools) · Multicall3 (batched reads)
 *   MockPythUnique ─► OrderBook ─► core.settleOrder (setOrderBook): asynchronous orders at pull-oracle prices
 *
 * The deployer (account 0) becomes the core's and the oracle's admin, risk manager and pauser: it lists the
 * markets of `LOCAL_MARKETS` (BTC, ETH, SOL: `DEMO_MARKETS` plus `SOL_MARKET`) in order, so market ids follow
 * that array. Mock tokens and feeds are LOCAL USE ONLY (anyone can mint and set prices). Parameters:
 *   Ballast.collateralDecimals (6), Ballast.insuranceCooldownSeconds (7 days), Ballast.vaultSettlementDelaySeconds (1 hour)
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Future, NamedArtifactContractDeploymentFuture } from "@nomicfoundation/ignition-core";
import { id } from "ethers";
import {
  DEFAULT_RISK,
  feedId,
  INSURANCE_COOLDOWN_SECONDS,
  LOCAL_MARKETS,
  type MarketConfig,
  marketParams,
  VAULT_SETTLEMENT_DELAY_SECONDS,
  DEFAULT_MAX_CONFIDENCE_RATIO,
  DEFAULT_ORDER_PARAMS,
  pythFeedId,
} from "../../scripts/lib/config.js";

const RISK_MANAGER_ROLE = id("RISK_MANAGER_ROLE");
const PAUSER_ROLE = id("PAUSER_ROLE");
/** Chainlink's USD feeds report 8 decimals; the mocks do too. */
const FEED_DECIMALS = 8;

/** Builds the module for `markets` (listed in order: market id = index). */
export function buildBallastModule(markets: readonly MarketConfig[] = LOCAL_MARKETS, moduleId = "Ballast") {
  return buildModule(moduleId, (m) => {
    const deployer = m.getAccount(0);
    const decimals = m.getParameter("collateralDecimals", 6);
    const cooldown = m.getParameter("insuranceCooldownSeconds", INSURANCE_COOLDOWN_SECONDS);
    const settlementDelay = m.getParameter("vaultSettlementDelaySeconds", VAULT_SETTLEMENT_DELAY_SECONDS);

    const collateral = m.contract("MockERC20", ["USD Coin (mock)", "USDC", decimals], { id: "USDC" });
    const oracle = m.contract("OracleAdapter", [deployer]);
    const governanceLogic = m.library("GovernanceLogic");
    const vaultAccounting = m.library("VaultAccounting");
    const liquidationLogic = m.library("LiquidationLogic");
    const core = m.contract("BallastCore", [collateral, oracle, deployer, { ...DEFAULT_RISK }], {
      libraries: {
        GovernanceLogic: governanceLogic,
        VaultAccounting: vaultAccounting,
        LiquidationLogic: liquidationLogic,
      },
    });
    const grantRiskManager = m.call(core, "grantRole", [RISK_MANAGER_ROLE, deployer], { id: "GrantRiskManager" });
    m.call(core, "grantRole", [PAUSER_ROLE, deployer], { id: "GrantPauser" });

    // Markets are listed one after the other so that their ids follow the array.
    let previous: Future[] = [grantRiskManager];
    const feeds: Record<string, NamedArtifactContractDeploymentFuture<"MockAggregator">> = {};
    for (const market of markets) {
      const feed = m.contract(
        "MockAggregator",
        [FEED_DECIMALS, BigInt(market.initialPriceUsd) * 10n ** BigInt(FEED_DECIMALS), `${market.symbol} / USD`],
        { id: `Feed${market.symbol}` },
      );
      feeds[`feed${market.symbol}`] = feed;
      const setFeed = m.call(
        oracle,
        "setFeed",
        [feedId(market.symbol), feed, market.heartbeatSeconds, market.minPriceWad, market.maxPriceWad],
        { id: `SetFeed${market.symbol}` },
      );
      const listing = m.call(
        core,
        "listMarket",
        [{ ...marketParams(feedId(market.symbol), market.params) }, market.tiers.map((tier) => ({ ...tier }))],
        {
          id: `List${market.symbol}`,
          after: [...previous, setFeed],
        },
      );
      previous = [listing];
    }

    const vault = m.contract("LiquidityVault", [core, deployer, settlementDelay, "Ballast LP", "bLP"]);
    const insurancePool = m.contract("InsurancePool", [core, deployer, cooldown, "Ballast Insurance", "bINS"]);
    m.call(core, "initializePools", [vault, insurancePool]);
    const multicall3 = m.contract("Multicall3");

    // Orders: a local Pyth (unsigned updates, MockPyth's encoding) and the order book, one feed per market.
    const pyth = m.contract("MockPythUnique", [60, 1]);
    const orderBook = m.contract("OrderBook", [core, pyth, deployer, { ...DEFAULT_ORDER_PARAMS }], {
      after: previous,
    });
    m.call(core, "setOrderBook", [orderBook]);
    let previousOrderMarket: Future[] = [];
    for (const [marketId, market] of markets.entries()) {
      const set = m.call(
        orderBook,
        "setOrderMarket",
        [marketId, { pythFeedId: pythFeedId(market.symbol), maxConfidenceRatio: DEFAULT_MAX_CONFIDENCE_RATIO }],
        { id: `OrderMarket${market.symbol}`, after: previousOrderMarket },
      );
      previousOrderMarket = [set];
    }

    return {
      collateral,
      oracle,
      governanceLogic,
      vaultAccounting,
      core,
      vault,
      insurancePool,
      multicall3,
      pyth,
      orderBook,
      ...feeds,
    };
  });
}

export default buildBallastModule();
