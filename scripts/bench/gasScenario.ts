/**
 * Gas scenario: whole-transaction gasUsed (21,000 base included) of every user-facing operation on a warm
 * protocol (markets, vault and insurance pool already touched by other users), on Hardhat's embedded network.
 * Gas on the embedded EVM is deterministic, so the figures double as a regression guard (scripts/bench/gas.ts).
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";
import { DEMO_MARKETS, wad } from "../lib/config.js";
import { deployProtocol } from "../lib/deploy.js";
import { createOrderTrader, pythUpdate } from "../lib/orders.js";
import { formatBreakdown, traceGas } from "./gasTrace.js";

/** Which state each figure is measured in, for the README and the closing notes. */
export const GAS_NOTES: Record<string, string> = {
  deposit: "second deposit into an existing account (account warm, token balances non-zero)",
  withdraw: "withdrawal from an account with one open position (one oracle read)",
  commitOrder: "orderBook.commitOrder: first order of an account in a market (new order slot, escrow pulled)",
  commitOrderReused: "orderBook.commitOrder in a market the account has ordered in before (slot kept as a tombstone)",
  cancelOrder: "orderBook.cancelExpired by the owner after expiry (escrow back to the owner)",
  openPosition:
    "settle() of an order opening the first position of an account in an already-traded market, with a MockPythUnique update",
  modifyPosition: "settle() of an order increasing an existing position, with the price update",
  reducePosition: "settle() of an order reducing an existing position, with the price update",
  closePosition: "settle() of a close order (commitClose; the position's storage is cleared), with the price update",
  liquidatePartial: "liquidate() of a one-position account, partial (keeper already holds a reward balance)",
  liquidateFull: "liquidate() of a one-position account, full",
  liquidateBadDebt: "liquidate() of an underwater one-position account: insurance pays the bad debt",
  liquidateBatchPerAccount1: "liquidateMany() of 1 liquidatable account",
  liquidateBatchPerAccount10: "liquidateMany() of 10 liquidatable accounts, per account",
  liquidateBatchPerAccount50: "liquidateMany() of 50 liquidatable accounts, per account",
  vaultRequestDeposit:
    "ERC-7540 requestDeposit into the liquidity vault (assets escrowed; quotes the NAV of both markets)",
  vaultSettleDeposit: "settleDeposit by a keeper after the delay (assets to the core, shares minted; NAV read)",
  vaultRequestRedeem: "ERC-7540 requestRedeem from the vault with open positions in both markets (shares escrowed)",
  vaultSettleRedeem: "settleRedeem by a keeper after the delay with open positions in both markets (core pays)",
  insuranceStake: "ERC-4626 deposit into the insurance pool (not the first staker)",
  insuranceRequestRedeem: "binding ERC-7540 requestRedeem from the insurance pool (shares escrowed)",
  insuranceSettleRedeem: "settleRedeem of an insurance request by a keeper after the cooldown (core pays)",
};

/** The operations `GAS_TRACE=1` breaks down (the most expensive ones and the hot paths). */
export const TRACED_OPERATIONS = [
  "vaultRequestDeposit",
  "vaultRequestRedeem",
  "openPosition",
  "reducePosition",
  "withdraw",
  "liquidatePartial",
  "liquidateFull",
  "liquidateBadDebt",
];

/** Mined transactions by hash, for `GAS_TRACE`. */
const mined: { hash: string; to: string; gasUsed: number }[] = [];

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction has no receipt");
  mined.push({ hash: receipt.hash, to: receipt.to ?? "", gasUsed: Number(receipt.gasUsed) });
  return Number(receipt.gasUsed);
}

export async function measureGas(): Promise<Record<string, number>> {
  const { ethers, networkHelpers } = await network.create();
  const signers = await ethers.getSigners();
  const [admin, lp, staker, keeper, warmer, trader] = signers as HardhatEthersSigner[] as [
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
  ];
  const deployed = await deployProtocol(ethers, {
    admin,
    markets: DEMO_MARKETS,
    insuranceCooldownSeconds: 3600,
    vaultSettlementDelaySeconds: 3600,
  });
  const { core, token, feeds, orderBook, oracle, pyth } = deployed;
  const settler = signers[signers.length - 1]!;
  const orders = createOrderTrader({ core, orderBook, pyth, oracle, token, settler });
  const vault = await ethers.getContractAt("LiquidityVault", deployed.vault as string);
  const insurance = await ethers.getContractAt("InsurancePool", deployed.insurance as string);
  const btcFeed = feeds.BTC!;
  const unit = 10n ** 6n;
  const BTC = 0n;
  const ETH = 1n;
  const setBtc = (usd: number) => btcFeed.setAnswer(BigInt(Math.round(usd * 1e8)));

  async function fund(who: HardhatEthersSigner, assets: bigint, spender: string) {
    await token.mint(who.address, assets);
    await token.connect(who).approve(spender, assets);
  }
  async function newAccount(owner: HardhatEthersSigner, assets: bigint): Promise<bigint> {
    const id = await core.connect(owner).createAccount.staticCall(false, 0n);
    await core.connect(owner).createAccount(false, 0n);
    await fund(owner, assets, await core.getAddress());
    await core.connect(owner).deposit(id, assets);
    return id;
  }

  // A warm protocol: LPs and stakers in, both markets traded by someone else.
  /** Time passes by `seconds`; every feed republishes its answer (nothing goes stale). */
  async function travel(seconds: number) {
    await networkHelpers.time.increase(seconds);
    for (const feed of Object.values(feeds)) {
      const [, answer] = await feed.latestRoundData();
      await feed.setAnswer(answer);
    }
  }
  await fund(lp, 10_000_000n * unit, await vault.getAddress());
  await vault.connect(lp).requestDeposit(5_000_000n * unit, lp.address, lp.address);
  await travel(3600);
  await vault.connect(keeper).settleDeposit(lp.address);
  await fund(staker, 1_000_000n * unit, await insurance.getAddress());
  await insurance.connect(staker).deposit(500_000n * unit, staker.address);
  const warm = await newAccount(warmer, 1_000_000n * unit);
  await orders.connect(warmer).trade(warm, BTC, wad(1), wad(60_000));
  await orders.connect(warmer).trade(warm, ETH, wad(-10), 0n);

  const gas: Record<string, number> = {};
  /** The transaction each figure was measured on (single-transaction figures only). */
  const hashes: Record<string, { hash: string; to: string; gasUsed: number }> = {};
  const measure = async (operation: string, tx: () => Promise<number>) => {
    gas[operation] = await tx();
    const last = mined[mined.length - 1];
    if (last !== undefined) hashes[operation] = last;
  };
  const account = await newAccount(trader, 100_000n * unit);
  await fund(trader, 100_000n * unit, await core.getAddress());
  await token.mint(trader.address, 1_000n * unit);
  await token.connect(trader).approve(orderBook, 2n ** 256n - 1n); // the usual infinite approval
  const book = orderBook.connect(trader);
  /** Settles the trader's pending BTC order at the adapter's price: the settler's gas, update included. */
  const settle = async () => {
    const order = await orderBook.getOrder(account, BTC);
    const update = pythUpdate({
      feedId: (await orderBook.orderMarket(BTC)).pythFeedId,
      priceWad: await oracle.getPrice((await core.getMarket(BTC))[0].feedId),
      publishTime: order.settleTime,
    });
    await networkHelpers.time.setNextBlockTimestamp(order.settleTime);
    return gasOf(orderBook.connect(settler).settle(account, BTC, [update], { value: 1n }));
  };
  await measure("deposit", () => gasOf(core.connect(trader).deposit(account, 10_000n * unit)));
  await measure("commitOrder", () => gasOf(book.commitOrder(account, BTC, wad("0.5"), wad(60_000), 0n)));
  await measure("openPosition", settle);
  await measure("commitOrderReused", () => gasOf(book.commitOrder(account, BTC, wad("0.25"), wad(60_000), 0n)));
  await measure("modifyPosition", settle);
  await book.commitOrder(account, BTC, wad("-0.25"), 0n, 0n);
  await measure("reducePosition", settle);
  await measure("withdraw", () => gasOf(core.connect(trader).withdraw(account, 1_000n * unit, trader.address)));
  await book.commitClose(account, BTC, 0n, 0n);
  await measure("closePosition", settle);
  // An order nobody settles (measured at the end: the expiry wait ages the feeds).
  await book.commitOrder(account, BTC, wad("0.1"), wad(60_000), 0n);

  // LP and staker flows: requests now, settlements by a keeper after the delay (positions open in both markets).
  const lpShares = await vault.balanceOf(lp.address);
  await measure("vaultRequestDeposit", () =>
    gasOf(vault.connect(lp).requestDeposit(100_000n * unit, lp.address, lp.address)),
  );
  await measure("vaultRequestRedeem", () =>
    gasOf(vault.connect(lp).requestRedeem(lpShares / 50n, lp.address, lp.address)),
  );
  await measure("insuranceStake", () => gasOf(insurance.connect(staker).deposit(100_000n * unit, staker.address)));
  const shares = await insurance.balanceOf(staker.address);
  await measure("insuranceRequestRedeem", () =>
    gasOf(insurance.connect(staker).requestRedeem(shares / 10n, staker.address, staker.address)),
  );
  await travel(3600);
  await measure("vaultSettleDeposit", () => gasOf(vault.connect(keeper).settleDeposit(lp.address)));
  await measure("vaultSettleRedeem", () => gasOf(vault.connect(keeper).settleRedeem(lp.address)));
  await measure("insuranceSettleRedeem", () => gasOf(insurance.connect(keeper).settleRedeem(staker.address)));

  // Liquidations: each victim holds one BTC long at 20x (IM 2% + fees), then the price moves.
  const victims = async (count: number, leverageMargin: bigint) => {
    const ids: bigint[] = [];
    for (let i = 0; i < count; i++) {
      const owner = signers[6 + (i % (signers.length - 6))]!;
      const id = await newAccount(owner, leverageMargin);
      await orders.connect(owner).trade(id, BTC, wad("0.1"), wad(60_000));
      ids.push(id);
    }
    return ids;
  };
  // 0.1 BTC at $50,000 = $5,000 notional; $150 margin (MM 1% = $50).
  const warmup = await victims(1, 150n * unit);
  const partial = await victims(1, 150n * unit);
  const full = await victims(1, 150n * unit);
  const badDebt = await victims(1, 150n * unit);
  const batch1 = await victims(1, 150n * unit);
  const batch10 = await victims(10, 150n * unit);
  const batch50 = await victims(50, 150n * unit);
  await setBtc(49_000); // equity ≈ $50 ≤ MM ≈ $49: partial liquidation territory
  for (const id of [...warmup, ...partial, ...batch1, ...batch10, ...batch50]) {
    const health = await core.accountHealth(id);
    if (!health.liquidatable) throw new Error(`benchmark victim ${id} is not liquidatable`);
  }
  // Steady state: the keeper already holds a reward balance (its very first reward pays for a new slot).
  await core.connect(keeper).liquidate(warmup[0]!, keeper.address);
  await measure("liquidatePartial", () => gasOf(core.connect(keeper).liquidate(partial[0]!, keeper.address)));
  await measure("liquidateBatchPerAccount1", () => gasOf(core.connect(keeper).liquidateMany(batch1, keeper.address)));
  gas.liquidateBatchPerAccount10 = Math.round(
    (await gasOf(core.connect(keeper).liquidateMany(batch10, keeper.address))) / 10,
  );
  gas.liquidateBatchPerAccount50 = Math.round(
    (await gasOf(core.connect(keeper).liquidateMany(batch50, keeper.address))) / 50,
  );
  await setBtc(48_700); // health < 0.5: full
  await measure("liquidateFull", () => gasOf(core.connect(keeper).liquidate(full[0]!, keeper.address)));
  await setBtc(45_000); // equity < 0: bad debt
  await measure("liquidateBadDebt", () => gasOf(core.connect(keeper).liquidate(badDebt[0]!, keeper.address)));
  // After its expiry the owner takes the escrow of the unsettled order back.
  await networkHelpers.time.increase(3_600);
  await measure("cancelOrder", () => gasOf(book.cancelExpired(account, BTC)));
  if (process.env.GAS_TRACE === "1") {
    const names: Record<string, string> = {};
    const contracts = { ...deployed, vault, insurance } as Record<string, unknown>;
    for (const [name, contract] of Object.entries(contracts)) {
      const target = (contract as { getAddress?: () => Promise<string> })?.getAddress;
      if (typeof target === "function") names[(await target.call(contract)).toLowerCase()] = name;
    }
    for (const [symbol, feed] of Object.entries(feeds))
      names[(await feed.getAddress()).toLowerCase()] = `${symbol} feed`;
    for (const operation of TRACED_OPERATIONS) {
      const tx = hashes[operation];
      if (tx === undefined) continue;
      const breakdown = await traceGas(ethers.provider, tx.hash, tx.gasUsed, tx.to, names);
      console.log(formatBreakdown(operation, breakdown));
    }
  }
  return gas;
}
