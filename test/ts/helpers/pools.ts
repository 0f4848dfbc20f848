/**
 * LP and staker flows for tests: every deposit into and exit from the liquidity vault and the insurance pool is an
 * ERC-7540 request settled after its delay. These helpers do the request, the time travel (republishing every
 * mock feed so no price goes stale on the way) and the settlement, by a third party where it matters.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type AddressLike, resolveAddress } from "ethers";

const resolve = (address: AddressLike) => resolveAddress(address);

/** The parts of a deployment the helpers need (the fixture's `Ballast` satisfies it). */
export interface PoolsWorld {
  /** The mock collateral token (MockERC20). */
  token: AddressLike;
  /** Mock feeds (MockAggregator) to republish after time travel, their answers unchanged. */
  feeds: AddressLike[];
}

/** Moves time forward by `seconds` and republishes every feed's latest answer, so that no price is stale. */
export async function travel(ethers: HardhatEthers, feeds: PoolsWorld["feeds"], seconds: bigint | number) {
  await ethers.provider.send("evm_increaseTime", [Number(seconds)]);
  await ethers.provider.send("evm_mine", []);
  for (const address of feeds) {
    const feed = await ethers.getContractAt("MockAggregator", (await resolve(address)) as string);
    const round = await feed.latestRoundData();
    await feed.setAnswer(round[1]);
  }
}

/**
 * Mints `assets` to `lp`, requests a deposit into `vault`, waits the settlement delay and has `settler` (default:
 * the LP itself) settle it. Returns the shares minted.
 */
export async function lpDeposit(
  ethers: HardhatEthers,
  world: PoolsWorld,
  vaultAddress: AddressLike,
  lp: HardhatEthersSigner,
  assets: bigint,
  settler: HardhatEthersSigner = lp,
): Promise<bigint> {
  const vault = await ethers.getContractAt("LiquidityVault", (await resolve(vaultAddress)) as string);
  const token = await ethers.getContractAt("MockERC20", (await resolve(world.token)) as string);
  await token.mint(lp.address, assets);
  await token.connect(lp).approve(vault, assets);
  await vault.connect(lp).requestDeposit(assets, lp.address, lp.address);
  await travel(ethers, world.feeds, await vault.settlementDelay());
  const shares = await vault.connect(settler).settleDeposit.staticCall(lp.address);
  await vault.connect(settler).settleDeposit(lp.address);
  return shares;
}

/** Requests the redemption of `shares` of `owner`, waits the delay and settles; returns the assets paid. */
export async function lpRedeem(
  ethers: HardhatEthers,
  world: PoolsWorld,
  vaultAddress: AddressLike,
  owner: HardhatEthersSigner,
  shares: bigint,
  settler: HardhatEthersSigner = owner,
): Promise<bigint> {
  const vault = await ethers.getContractAt("LiquidityVault", (await resolve(vaultAddress)) as string);
  await vault.connect(owner).requestRedeem(shares, owner.address, owner.address);
  await travel(ethers, world.feeds, await vault.settlementDelay());
  const assets = await vault.connect(settler).settleRedeem.staticCall(owner.address);
  await vault.connect(settler).settleRedeem(owner.address);
  return assets;
}

/** Requests the insurance redemption of `shares`, waits the cooldown and settles; returns the assets paid. */
export async function unstake(
  ethers: HardhatEthers,
  world: PoolsWorld,
  poolAddress: AddressLike,
  owner: HardhatEthersSigner,
  shares: bigint,
  settler: HardhatEthersSigner = owner,
): Promise<bigint> {
  const pool = await ethers.getContractAt("InsurancePool", (await resolve(poolAddress)) as string);
  await pool.connect(owner).requestRedeem(shares, owner.address, owner.address);
  await travel(ethers, world.feeds, await pool.cooldown());
  const assets = await pool.connect(settler).settleRedeem.staticCall(owner.address);
  await pool.connect(settler).settleRedeem(owner.address);
  return assets;
}
