/**
 * Deploys Ballast for the dashboard with the project's deployment library (`scripts/lib/deploy.ts`, the demo
 * markets of `scripts/lib/config.ts`), adds a local Multicall3 (the SDK batches its reads through it), optionally
 * seeds the liquidity vault, the insurance pool and one background trader so that the screens have something to
 * show, and describes the result as the SDK's `BallastDeployment`.
 *
 * Used by `deploy-for-dashboard.ts` (the fallback of `npm run deploy:local`) and by test/ts/dashboard/e2e.test.ts.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type AddressLike, resolveAddress } from "ethers";
import type { BallastDeployment } from "../../../sdk/src/deployment.js";
import { DEMO_MARKETS, feedId, pythFeedId, wad } from "../../../scripts/lib/config.js";
import { createOrderTrader } from "../../../scripts/lib/orders.js";
import { deployProtocol } from "../../../scripts/lib/deploy.js";

type Hex = `0x${string}`;

export interface DashboardDeployOptions {
  /**
   * Seed the pools (an LP deposit of 1,000,000 USDC from signer #9, an insurance stake of 100,000 USDC from
   * signer #8) and open two positions for signer #7 (a BTC long and an ETH short), so that open interest,
   * funding and the pools show real figures. Default true.
   */
  seed?: boolean;
}

/** The deployment plus the handles a script or test needs next (the mock feeds, by market symbol). */
export interface DashboardDeployment {
  deployment: BallastDeployment;
  feeds: Record<string, Hex>;
}

const USDC = (amount: number) => BigInt(amount) * 10n ** 6n;

/** Deploys the protocol and a Multicall3 and returns the `BallastDeployment` the dashboard reads. */
export async function deployForDashboard(
  ethers: HardhatEthers,
  options: DashboardDeployOptions = {},
): Promise<DashboardDeployment> {
  const signers = await ethers.getSigners();
  const admin = signers[0];
  if (admin === undefined) throw new Error("The network has no accounts to deploy from.");
  const address = async (target: AddressLike): Promise<Hex> => (await resolveAddress(target)) as Hex;

  const deploymentBlock = (await ethers.provider.getBlockNumber()) + 1;
  const deployed = await deployProtocol(ethers, { admin, markets: DEMO_MARKETS });
  const multicall = await ethers.deployContract("Multicall3");
  const network = await ethers.provider.getNetwork();

  const feeds: Record<string, Hex> = {};
  const markets: BallastDeployment["markets"] = [];
  for (const [marketId, market] of DEMO_MARKETS.entries()) {
    const feed = deployed.feeds[market.symbol];
    if (feed === undefined) throw new Error(`No feed was deployed for ${market.symbol}.`);
    feeds[market.symbol] = await address(feed);
    markets.push({
      marketId,
      symbol: market.symbol,
      feedId: feedId(market.symbol) as Hex,
      feed: feeds[market.symbol] as Hex,
      pythFeedId: pythFeedId(market.symbol) as Hex,
    });
  }
  const deployment: BallastDeployment = {
    chainId: Number(network.chainId),
    deploymentBlock,
    core: await address(deployed.core),
    collateral: await address(deployed.token),
    collateralDecimals: Number(await deployed.token.decimals()),
    collateralSymbol: await deployed.token.symbol(),
    oracle: await address(deployed.oracle),
    vault: await address(deployed.vault),
    insurancePool: await address(deployed.insurance),
    multicall3: await address(multicall),
    orderBook: await address(deployed.orderBook),
    pyth: await address(deployed.pyth),
    markets,
  };
  if (options.seed ?? true) await seed(ethers, deployment, signers);
  return { deployment, feeds };
}

async function seed(ethers: HardhatEthers, deployment: BallastDeployment, signers: HardhatEthersSigner[]) {
  const [lp, staker, trader] = [signers[9], signers[8], signers[7]];
  if (lp === undefined || staker === undefined || trader === undefined) {
    throw new Error("Seeding needs ten accounts (Hardhat's default ones).");
  }
  const token = await ethers.getContractAt("MockERC20", deployment.collateral);
  const vault = await ethers.getContractAt("LiquidityVault", deployment.vault);
  const insurance = await ethers.getContractAt("InsurancePool", deployment.insurancePool);
  const core = await ethers.getContractAt("BallastCore", deployment.core);

  // The LP's deposit is an ERC-7540 request settled after the vault's delay: the node's clock is moved past it.
  await (await token.mint(lp.address, USDC(1_000_000))).wait();
  await (await token.connect(lp).approve(deployment.vault, USDC(1_000_000))).wait();
  await (await vault.connect(lp).requestDeposit(USDC(1_000_000), lp.address, lp.address)).wait();
  await ethers.provider.send("evm_increaseTime", [Number(await vault.settlementDelay())]);
  await ethers.provider.send("evm_mine", []);
  await (await vault.connect(lp).settleDeposit(lp.address)).wait();

  await (await token.mint(staker.address, USDC(100_000))).wait();
  await (await token.connect(staker).approve(deployment.insurancePool, USDC(100_000))).wait();
  await (await insurance.connect(staker).deposit(USDC(100_000), staker.address)).wait();

  // A background trader: 0.5 BTC long and 20 ETH short on 25,000 USDC.
  await (await token.mint(trader.address, USDC(25_000))).wait();
  await (await token.connect(trader).approve(deployment.core, USDC(25_000))).wait();
  const created = await (await core.connect(trader).createAccount(false, 0n)).wait();
  const event = created?.logs
    .map((log) => core.interface.parseLog(log))
    .find((parsed) => parsed?.name === "AccountCreated");
  const accountId = event?.args.accountId as bigint | undefined;
  if (accountId === undefined) throw new Error("createAccount emitted no AccountCreated event.");
  await (await core.connect(trader).deposit(accountId, USDC(25_000))).wait();
  // Trades are orders: committed, then settled by the last account at the adapter's price.
  const orders = createOrderTrader({
    core,
    orderBook: await ethers.getContractAt("OrderBook", deployment.orderBook!),
    pyth: await ethers.getContractAt("MockPythUnique", deployment.pyth!),
    oracle: await ethers.getContractAt("OracleAdapter", deployment.oracle),
    token,
    settler: signers[signers.length - 1]!,
  });
  await orders.connect(trader).trade(accountId, 0n, wad("0.5"), wad(51_000));
  await orders.connect(trader).trade(accountId, 1n, -wad(20), wad(1_900));
}

/** Writes the deployment JSON (creating its directory). */
export function writeDeployment(file: string, deployment: BallastDeployment): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
}
