import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { id, type AddressLike } from "ethers";

export const WAD = 10n ** 18n;
export const BTC = id("BTC/USD");
export const ETH = id("ETH/USD");
export const BTC_MARKET = 0n;
export const ETH_MARKET = 1n;

/** WAD from a decimal string, e.g. wad("0.05") = 5e16. */
export function wad(value: string | number): bigint {
  const [whole = "0", fraction = ""] = String(value).split(".");
  const negative = whole.startsWith("-");
  const digits = BigInt(whole.replace("-", "") + fraction.padEnd(18, "0").slice(0, 18));
  return negative ? -digits : digits;
}

export interface Tier {
  notionalCap: bigint;
  initialMarginRate: bigint;
  maintenanceMarginRate: bigint;
}

export interface MarketParamsInput {
  feedId: string;
  maxOpenInterestPerSide: bigint;
  minPositionNotional: bigint;
  skewScale: bigint;
  takerFeeRate: bigint;
  makerFeeRate: bigint;
  fundingScale: bigint;
  maxFundingRatePerSecond: bigint;
  marginRampDuration: bigint;
}

export interface RiskParamsInput {
  liquidationFeeRate: bigint;
  keeperRewardShare: bigint;
  liquidationBuffer: bigint;
  fullLiquidationHealthFactor: bigint;
  minRemainingNotional: bigint;
  insuranceFeeShare: bigint;
  vaultReserveFactor: bigint;
}

/** The worked example: a single bracket, 10% initial and 5% maintenance margin. */
export const SIMPLE_TIERS: Tier[] = [
  { notionalCap: wad(1_000_000_000), initialMarginRate: wad("0.1"), maintenanceMarginRate: wad("0.05") },
];

/** A realistic progressive table (used by the demo and the gas benchmarks). */
export const BTC_TIERS: Tier[] = [
  { notionalCap: wad(50_000), initialMarginRate: wad("0.02"), maintenanceMarginRate: wad("0.01") },
  { notionalCap: wad(500_000), initialMarginRate: wad("0.04"), maintenanceMarginRate: wad("0.02") },
  { notionalCap: wad(5_000_000), initialMarginRate: wad("0.1"), maintenanceMarginRate: wad("0.05") },
  { notionalCap: wad(50_000_000), initialMarginRate: wad("0.25"), maintenanceMarginRate: wad("0.125") },
];

export const DEFAULT_RISK: RiskParamsInput = {
  liquidationFeeRate: wad("0.005"),
  keeperRewardShare: wad("0.5"),
  liquidationBuffer: wad("0.1"),
  fullLiquidationHealthFactor: wad("0.5"),
  minRemainingNotional: wad(10),
  insuranceFeeShare: wad("0.2"),
  vaultReserveFactor: wad("0.5"),
};

export function marketParams(feedId: string, overrides: Partial<MarketParamsInput> = {}): MarketParamsInput {
  return {
    feedId,
    maxOpenInterestPerSide: wad(1_000_000),
    minPositionNotional: wad(10),
    skewScale: 0n,
    takerFeeRate: 0n,
    makerFeeRate: 0n,
    fundingScale: 0n,
    maxFundingRatePerSecond: 0n,
    marginRampDuration: 0n,
    ...overrides,
  };
}

export interface FixtureOptions {
  decimals?: number;
  btcTiers?: Tier[];
  ethTiers?: Tier[];
  btcParams?: Partial<MarketParamsInput>;
  ethParams?: Partial<MarketParamsInput>;
  risk?: Partial<RiskParamsInput>;
  /** "signers": the vault and insurance pool are EOAs, so tests can call the ledger hooks directly. */
  pools?: "contracts" | "signers";
}

/** Prices: 8-decimal feeds like Chainlink's USD feeds. */
export const feedAnswer = (usd: bigint | number) => BigInt(usd) * 10n ** 8n;

export async function deployBallast(ethers: HardhatEthers, options: FixtureOptions = {}) {
  const decimals = options.decimals ?? 6;
  const signers = await ethers.getSigners();
  const [admin, alice, bob, carol, keeper, lp, staker, vaultSigner, insuranceSigner] = signers as [
    HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner,
    HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner,
  ];
  const unit = 10n ** BigInt(decimals);

  const token = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", decimals]);
  const oracle = await ethers.deployContract("OracleAdapter", [admin.address]);
  const btcFeed = await ethers.deployContract("MockAggregator", [8, feedAnswer(50_000), "BTC / USD"]);
  const ethFeed = await ethers.deployContract("MockAggregator", [8, feedAnswer(2_000), "ETH / USD"]);
  await oracle.setFeed(BTC, btcFeed, 3600, wad(1), wad(10_000_000));
  await oracle.setFeed(ETH, ethFeed, 3600, wad("0.01"), wad(1_000_000));

  const governanceLogic = await ethers.deployContract("GovernanceLogic");
  const vaultAccounting = await ethers.deployContract("VaultAccounting");
  const risk = { ...DEFAULT_RISK, ...options.risk };
  const core = await ethers.deployContract("BallastCore", [token, oracle, admin.address, risk], {
    libraries: {
      GovernanceLogic: await governanceLogic.getAddress(),
      VaultAccounting: await vaultAccounting.getAddress(),
    },
  });
  await core.grantRole(await core.RISK_MANAGER_ROLE(), admin.address);
  await core.grantRole(await core.PAUSER_ROLE(), admin.address);
  await core.listMarket(marketParams(BTC, options.btcParams), options.btcTiers ?? SIMPLE_TIERS);
  await core.listMarket(marketParams(ETH, options.ethParams), options.ethTiers ?? SIMPLE_TIERS);

  let vault: AddressLike = vaultSigner.address;
  let insurance: AddressLike = insuranceSigner.address;
  if ((options.pools ?? "signers") === "contracts") {
    vault = await ethers.deployContract("LiquidityVault", [core, "Ballast LP", "bLP"]);
    insurance = await ethers.deployContract("InsurancePool", [
      core, admin.address, 7 * 24 * 3600, 2 * 24 * 3600, "Ballast Insurance", "bINS",
    ]);
  }
  await core.initializePools(vault, insurance);

  /** Mints, approves and deposits `assets` (token units) into a new account of `owner`. */
  async function openAccount(owner: HardhatEthersSigner, assets: bigint, isolatedMarket?: bigint) {
    const accountId = await core.connect(owner).createAccount.staticCall(isolatedMarket !== undefined, isolatedMarket ?? 0n);
    await core.connect(owner).createAccount(isolatedMarket !== undefined, isolatedMarket ?? 0n);
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

  async function seedInsurance(assets: bigint) {
    await token.mint(insuranceSigner.address, assets);
    await token.connect(insuranceSigner).transfer(core, assets);
    await core.connect(insuranceSigner).creditInsurance(assets);
  }

  async function setPrice(feed: "BTC" | "ETH", usd: bigint | number) {
    await (feed === "BTC" ? btcFeed : ethFeed).setAnswer(feedAnswer(usd));
  }

  return {
    admin, alice, bob, carol, keeper, lp, staker, vaultSigner, insuranceSigner, signers,
    token, oracle, btcFeed, ethFeed, core, governanceLogic, vaultAccounting, vault, insurance,
    decimals, unit, openAccount, seedVault, seedInsurance, setPrice,
  };
}

export type Ballast = Awaited<ReturnType<typeof deployBallast>>;
