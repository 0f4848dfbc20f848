/**
 * A deployed protocol (the Ignition module, LOCAL_MARKETS: BTC 0, ETH 1, SOL 2) plus helpers to open accounts and
 * move prices, over any Hardhat network connection: the embedded one or a `hardhat node` over HTTP.
 */
import { seededRandom } from "../../../scripts/lib/random.js";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { MaxUint256 } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { LOCAL_MARKETS, WAD } from "../../../scripts/lib/config.js";
import { deployBallast } from "../../../scripts/lib/deployment.js";
import type { BallastDeployment } from "../../../sdk/src/deployment.js";
import { createOrderTrader } from "./orders.js";

export interface AccountSpec {
  owner: HardhatEthersSigner;
  /** Market id of an isolated account; cross when omitted. */
  isolated?: number;
  /** Collateral, whole USDC. */
  depositUsd: bigint;
  /** Trades at the current price: signed notional in whole USD (long > 0). */
  trades: { market: number; usd: bigint }[];
}

export async function deployWorld(connection: NetworkConnection, deploymentId?: string) {
  const { ethers } = connection;
  const signers = await ethers.getSigners();
  const deployment = await deployBallast(connection, { deploymentId });
  const core = await ethers.getContractAt("BallastCore", deployment.core);
  const token = await ethers.getContractAt("MockERC20", deployment.collateral);
  const feeds = await Promise.all(deployment.markets.map((m) => ethers.getContractAt("MockAggregator", m.feed)));
  const orderBook = await ethers.getContractAt("OrderBook", deployment.orderBook!);
  const pyth = await ethers.getContractAt("MockPythUnique", deployment.pyth!);
  const oracle = await ethers.getContractAt("OracleAdapter", deployment.oracle);
  /** Trades through orders, settled by the last signer (test/ts/helpers/orders.ts). */
  const trader = createOrderTrader({
    core,
    orderBook,
    pyth,
    oracle,
    token,
    settler: signers[signers.length - 1]!,
    admin: signers[0]!,
  });
  const unit = 10n ** BigInt(deployment.collateralDecimals);
  /** Current prices, whole USD, by market id. */
  const prices = LOCAL_MARKETS.map((m) => BigInt(m.initialPriceUsd));
  const funded = new Set<string>();

  async function fund(owner: HardhatEthersSigner) {
    if (funded.has(owner.address)) return;
    funded.add(owner.address);
    await token.mint(owner.address, 10n ** 12n * unit);
    await token.connect(owner).approve(core, MaxUint256);
  }

  /** Opens every spec's account (in order) and returns their ids. */
  async function openAccounts(specs: AccountSpec[]): Promise<bigint[]> {
    const ids: bigint[] = [];
    for (const spec of specs) {
      await fund(spec.owner);
      const isolated = spec.isolated !== undefined;
      const id = await core.connect(spec.owner).createAccount.staticCall(isolated, spec.isolated ?? 0);
      await core.connect(spec.owner).createAccount(isolated, spec.isolated ?? 0);
      await core.connect(spec.owner).deposit(id, spec.depositUsd * unit);
      for (const trade of spec.trades) {
        const size = (trade.usd * WAD) / prices[trade.market]!;
        await trader.connect(spec.owner).trade(id, trade.market, size, size > 0n ? MaxUint256 : 0n);
      }
      ids.push(id);
    }
    return ids;
  }

  /** Sets prices (whole or fractional USD as a decimal string) by market id. */
  async function setPrices(next: Partial<Record<number, bigint>>) {
    for (const [market, usd] of Object.entries(next)) {
      if (usd === undefined) continue;
      prices[Number(market)] = usd;
      await feeds[Number(market)]!.setAnswer(usd * 10n ** 8n);
    }
  }

  /** Ids of every account the core has opened so far. */
  async function allAccountIds(): Promise<bigint[]> {
    const logs = await core.queryFilter(core.filters.AccountCreated(), deployment.deploymentBlock);
    return logs.map((log) => log.args.accountId);
  }

  /** The accounts the chain says are liquidatable now. */
  async function liquidatable(ids: bigint[]): Promise<Set<bigint>> {
    const out = new Set<bigint>();
    for (const id of ids) if ((await core.accountHealth(id)).liquidatable) out.add(id);
    return out;
  }

  return {
    connection,
    ethers,
    signers,
    admin: signers[0]!,
    deployment: deployment as BallastDeployment,
    core,
    orderBook,
    pyth,
    oracle,
    trader,
    token,
    feeds,
    unit,
    prices,
    fund,
    openAccounts,
    setPrices,
    allAccountIds,
    liquidatable,
  };
}

/** A deterministic PRNG for reproducible random scenarios. */
export const prng = seededRandom;

export type World = Awaited<ReturnType<typeof deployWorld>>;
