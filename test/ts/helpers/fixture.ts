import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  feedId,
  type OrderParamsInput,
  type MarketConfig,
  type MarketParamsInput,
  type RiskParamsInput,
  SIMPLE_TIERS,
  type Tier,
} from "../../../scripts/lib/config.js";
import { deployProtocol } from "../../../scripts/lib/deploy.js";
import { lpDeposit, lpRedeem, travel, unstake } from "./pools.js";
import { createOrderTrader } from "./orders.js";

export {
  BTC_TIERS,
  DEFAULT_RISK,
  ETH_TIERS,
  type MarketParamsInput,
  marketParams,
  type RiskParamsInput,
  SIMPLE_TIERS,
  type Tier,
  WAD,
  wad,
} from "../../../scripts/lib/config.js";

export const BTC = feedId("BTC");
export const ETH = feedId("ETH");
export const BTC_MARKET = 0n;
export const ETH_MARKET = 1n;

/** Prices: 8-decimal feeds like Chainlink's USD feeds. */
export const feedAnswer = (usd: bigint | number) => BigInt(usd) * 10n ** 8n;

export interface FixtureOptions {
  decimals?: number;
  btcTiers?: Tier[];
  ethTiers?: Tier[];
  btcParams?: Partial<MarketParamsInput>;
  ethParams?: Partial<MarketParamsInput>;
  risk?: Partial<RiskParamsInput>;
  orderParams?: Partial<OrderParamsInput>;
  /** "signers" (default): the vault and insurance pool are EOAs, so tests can call the ledger hooks directly. */
  pools?: "contracts" | "signers";
}

/**
 * The test deployment: 6-decimal mock USDC (unless `decimals`), BTC (market 0, $50,000) and ETH (market 1,
 * $2,000) with 8-decimal mock feeds, 1-hour heartbeats, no fees or funding unless asked, 10%/5% margin.
 */
export async function deployBallast(ethers: HardhatEthers, options: FixtureOptions = {}) {
  const signers = await ethers.getSigners();
  const [admin, alice, bob, carol, keeper, lp, staker, vaultSigner, insuranceSigner] = signers as [
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
  ];
  const decimals = options.decimals ?? 6;
  const unit = 10n ** BigInt(decimals);
  const { feedId: _btcFeed, ...btcParams } = options.btcParams ?? {};
  const { feedId: _ethFeed, ...ethParams } = options.ethParams ?? {};
  const markets: MarketConfig[] = [
    {
      symbol: "BTC",
      initialPriceUsd: 50_000,
      minPriceWad: 10n ** 18n,
      maxPriceWad: 10n ** 25n,
      heartbeatSeconds: 3600,
      params: btcParams,
      tiers: options.btcTiers ?? SIMPLE_TIERS,
    },
    {
      symbol: "ETH",
      initialPriceUsd: 2_000,
      minPriceWad: 10n ** 16n,
      maxPriceWad: 10n ** 24n,
      heartbeatSeconds: 3600,
      params: ethParams,
      tiers: options.ethTiers ?? SIMPLE_TIERS,
    },
  ];
  const usePoolContracts = (options.pools ?? "signers") === "contracts";
  const deployed = await deployProtocol(ethers, {
    admin,
    decimals,
    risk: options.risk,
    orderParams: options.orderParams,
    markets,
    pools: usePoolContracts ? "contracts" : { vault: vaultSigner.address, insurance: insuranceSigner.address },
  });
  const { token, oracle, core, governanceLogic, vaultAccounting, liquidationLogic, vault, insurance, orderBook, pyth } =
    deployed;
  /** Settles orders in tests (earns the settlement fees); no test uses the last signer otherwise. */
  const settler = signers[signers.length - 1] as HardhatEthersSigner;
  /** Trades through orders: `trader.connect(alice).trade(...)` (test/ts/helpers/orders.ts). */
  const trader = createOrderTrader({ core, orderBook, pyth, oracle, token, settler, admin });
  const btcFeed = deployed.feeds.BTC!;
  const ethFeed = deployed.feeds.ETH!;

  /** Mints, approves and deposits `assets` (token units) into a new account of `owner`. */
  async function openAccount(owner: HardhatEthersSigner, assets: bigint, isolatedMarket?: bigint) {
    const isolated = isolatedMarket !== undefined;
    const accountId = await core.connect(owner).createAccount.staticCall(isolated, isolatedMarket ?? 0n);
    await core.connect(owner).createAccount(isolated, isolatedMarket ?? 0n);
    if (assets > 0n) {
      await token.mint(owner.address, assets);
      await token.connect(owner).approve(core, assets);
      await core.connect(owner).deposit(accountId, assets);
    }
    return accountId;
  }

  /** Seeds the LP ledger through the vault hook (signer pools only). */
  async function seedVault(assets: bigint) {
    await token.mint(vaultSigner.address, assets);
    await token.connect(vaultSigner).transfer(core, assets);
    await core.connect(vaultSigner).creditVault(assets);
  }

  /** Seeds the insurance ledger through the insurance hook (signer pools only). */
  async function seedInsurance(assets: bigint) {
    await token.mint(insuranceSigner.address, assets);
    await token.connect(insuranceSigner).transfer(core, assets);
    await core.connect(insuranceSigner).creditInsurance(assets);
  }

  const world = { token, feeds: [btcFeed, ethFeed] };

  /**
   * Pool contracts only: `lp` requests a vault deposit of `assets` (minted for it), time passes by the settlement
   * delay (feeds republished), and `settler` (default: the LP) settles. Returns the shares minted.
   */
  async function fundVault(lp: HardhatEthersSigner, assets: bigint, settler?: HardhatEthersSigner) {
    return lpDeposit(ethers, world, vault, lp, assets, settler);
  }

  /** Pool contracts only: request → delay → settle of a vault redemption; returns the assets paid. */
  async function redeemVault(owner: HardhatEthersSigner, shares: bigint, settler?: HardhatEthersSigner) {
    return lpRedeem(ethers, world, vault, owner, shares, settler);
  }

  /** Pool contracts only: request → cooldown → settle of an insurance redemption; returns the assets paid. */
  async function unstakeInsurance(owner: HardhatEthersSigner, shares: bigint, settler?: HardhatEthersSigner) {
    return unstake(ethers, world, insurance, owner, shares, settler);
  }

  /** Moves time forward by `seconds`, republishing both feeds' answers (no price goes stale). */
  async function passTime(seconds: bigint | number) {
    await travel(ethers, world.feeds, seconds);
  }

  async function setPrice(feed: "BTC" | "ETH", usd: bigint | number) {
    await (feed === "BTC" ? btcFeed : ethFeed).setAnswer(feedAnswer(usd));
  }

  return {
    admin,
    alice,
    bob,
    carol,
    keeper,
    lp,
    staker,
    vaultSigner,
    insuranceSigner,
    signers,
    token,
    oracle,
    btcFeed,
    ethFeed,
    core,
    governanceLogic,
    vaultAccounting,
    liquidationLogic,
    vault,
    insurance,
    orderBook,
    pyth,
    settler,
    trader,
    decimals,
    unit,
    openAccount,
    seedVault,
    seedInsurance,
    fundVault,
    redeemVault,
    unstakeInsurance,
    passTime,
    setPrice,
  };
}

export type Ballast = Awaited<ReturnType<typeof deployBallast>>;
