/**
 * The SDK actions the example dashboard used to build itself: pools, collateral balance and allowances, an owner's
 * accounts, the id in a `createAccount` receipt, minting the mock collateral, the protocol-wide liquidation feed
 * and `simulateClose` — each equal to direct contract reads, against the embedded network with the real pools.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { type Address, parseEventLogs } from "viem";
import { BTC_MARKET, BTC_TIERS, deployBallast, ETH_MARKET, ETH_TIERS, wad } from "../helpers/fixture.js";
import { sdkDeployment, sdkPublicClient, sdkWalletClient } from "../helpers/sdkDeployment.js";
import {
  AccountLiquidatableError,
  StalePriceError,
  ZeroAmountError,
  ballastCoreAbi,
  buildMintMockCollateral,
  createBallastClient,
  getCollateralBalance,
  getCreatedAccountId,
  getOwnerAccounts,
  getPools,
  type LiquidationEntry,
  watchLiquidations,
} from "../../../sdk/src/index.js";
import { simulateClose } from "../../../sdk/src/actions/index.js";

const { ethers, provider, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

async function setup() {
  const deployed = await deployBallast(ethers, {
    pools: "contracts",
    btcTiers: BTC_TIERS,
    ethTiers: ETH_TIERS,
    btcParams: { skewScale: wad(1_000), takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0002") },
  });
  const b = {
    ...deployed,
    vault: await ethers.getContractAt("LiquidityVault", deployed.vault as string),
    insurance: await ethers.getContractAt("InsurancePool", deployed.insurance as string),
  };
  // Real pools: the LP's vault deposit is requested and settled after the delay; staking is synchronous.
  await b.fundVault(b.lp, 1_000_000n * b.unit);
  await b.token.mint(b.lp.address, 100_000n * b.unit);
  await b.token.connect(b.lp).approve(b.insurance, 100_000n * b.unit);
  await b.insurance.connect(b.lp).deposit(100_000n * b.unit, b.lp.address);
  const deployment = await sdkDeployment(ethers, deployed);
  return { b, deployment };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("SDK pools, wallet, accounts, liquidation feed and simulateClose", () => {
  it("getPools returns exactly what the vault, insurance pool and core return", async () => {
    const { b, deployment } = await loadFixture(setup);
    const id = await b.openAccount(b.alice, 3_000n * b.unit);
    await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad(1), wad(1_000_000));
    await b.trader.connect(b.alice).trade(id, ETH_MARKET, wad(-1), 0n);
    await b.setPrice("BTC", 47_500);
    await b.core.connect(b.keeper).liquidate(id, b.keeper.address); // unclaimed keeper rewards > 0
    const client = sdkPublicClient(provider);
    const pools = await getPools(client, { deployment });
    const [vaultLedger, insuranceLedger] = await b.core.ledgers();
    expect(pools).to.deep.equal({
      blockNumber: BigInt(await ethers.provider.getBlockNumber()),
      timestamp: BigInt((await ethers.provider.getBlock("latest"))!.timestamp),
      vaultAssets: await b.vault.totalAssets(),
      vaultShares: await b.vault.totalSupply(),
      vaultShareDecimals: Number(await b.vault.decimals()),
      insuranceAssets: await b.insurance.totalAssets(),
      insuranceShares: await b.insurance.totalSupply(),
      insuranceShareDecimals: Number(await b.insurance.decimals()),
      vaultLedger,
      insuranceLedger,
      vaultNav: await b.core.vaultNetAssetValue(),
      totalUnclaimedRewards: await b.core.totalUnclaimedRewards(),
      coverageRatio: await b.insurance.coverageRatio(),
    });
    expect(pools.totalUnclaimedRewards > 0n).to.equal(true);

    // At an earlier block, and through createBallastClient.
    const ballast = createBallastClient({ publicClient: client, deployment });
    const earlier = await ballast.getPools({ blockNumber: pools.blockNumber - 1n });
    expect(earlier.blockNumber).to.equal(pools.blockNumber - 1n);
    expect(earlier.totalUnclaimedRewards).to.equal(0n);

    // A refused price: the vault's `totalAssets` is priced at NAV, so the read throws the oracle's typed error.
    await networkHelpers.time.increase(2 * 3600);
    const stale = await getPools(client, { deployment }).catch((e: unknown) => e);
    expect(stale).to.be.instanceOf(StalePriceError);
  });

  it("getCollateralBalance returns the balance and the allowances to the core and the pools", async () => {
    const { b, deployment } = await loadFixture(setup);
    const owner = b.carol.address as Address;
    await b.token.mint(owner, 5_000n * b.unit);
    await b.token.connect(b.carol).approve(b.core, 1n * b.unit);
    await b.token.connect(b.carol).approve(b.vault, 2n * b.unit);
    await b.token.connect(b.carol).approve(b.insurance, 3n * b.unit);
    const client = sdkPublicClient(provider);
    const wallet = await getCollateralBalance(client, { deployment, owner });
    expect(wallet).to.deep.equal({
      owner,
      blockNumber: BigInt(await ethers.provider.getBlockNumber()),
      balance: await b.token.balanceOf(owner),
      allowance: {
        core: await b.token.allowance(owner, b.core),
        vault: await b.token.allowance(owner, b.vault),
        insurancePool: await b.token.allowance(owner, b.insurance),
      },
    });
    expect(wallet.allowance).to.deep.equal({ core: 1n * b.unit, vault: 2n * b.unit, insurancePool: 3n * b.unit });
    const bound = createBallastClient({ publicClient: client, deployment });
    expect(await bound.getCollateralBalance({ owner })).to.deep.equal(wallet);
  });

  it("getOwnerAccounts, getCreatedAccountId and buildMintMockCollateral", async () => {
    const { b, deployment } = await loadFixture(setup);
    const client = sdkPublicClient(provider);
    const alice = b.alice.address as Address;
    const ballast = createBallastClient({
      publicClient: client,
      walletClient: sdkWalletClient(provider, alice),
      deployment,
    });
    const first = await b.openAccount(b.alice, 0n);
    await b.openAccount(b.bob, 0n);
    const receipt = await client.waitForTransactionReceipt({
      hash: await ballast.send(ballast.build.createAccount({})),
    });
    const [created] = parseEventLogs({ abi: ballastCoreAbi, eventName: "AccountCreated", logs: receipt.logs });
    const second = getCreatedAccountId({ deployment, receipt });
    expect(second).to.equal(created?.args.accountId);
    expect(second).to.equal(first + 2n);
    expect(ballast.getCreatedAccountId({ receipt })).to.equal(second);
    expect(getCreatedAccountId({ deployment, receipt: { logs: [] } })).to.equal(undefined);

    expect(await getOwnerAccounts(client, { deployment, owner: alice })).to.deep.equal([first, second]);
    // In one-block chunks, as a node with a small eth_getLogs range would need.
    expect(await getOwnerAccounts(client, { deployment, owner: alice, blockRange: 1n })).to.deep.equal([first, second]);
    expect(await ballast.getOwnerAccounts({ owner: b.bob.address as Address })).to.deep.equal([first + 1n]);
    expect(await ballast.getOwnerAccounts({ owner: b.carol.address as Address })).to.deep.equal([]);

    // The local mock collateral: a public `mint`.
    const before = await b.token.balanceOf(alice);
    await client.waitForTransactionReceipt({
      hash: await ballast.send(buildMintMockCollateral({ deployment, to: alice, assets: 7n * b.unit })),
    });
    await client.waitForTransactionReceipt({
      hash: await ballast.send(ballast.build.mintMockCollateral({ to: alice, assets: 3n * b.unit })),
    });
    expect(await b.token.balanceOf(alice)).to.equal(before + 10n * b.unit);
  });

  it("watchLiquidations back-fills past liquidations and sees a new one, equal to the core's events", async () => {
    const { b, deployment } = await loadFixture(setup);
    const past = await b.openAccount(b.alice, 3_000n * b.unit);
    await b.trader.connect(b.alice).trade(past, BTC_MARKET, wad(1), wad(1_000_000));
    const next = await b.openAccount(b.bob, 3_000n * b.unit);
    await b.trader.connect(b.bob).trade(next, BTC_MARKET, wad(1), wad(1_000_000));
    await b.setPrice("BTC", 47_000);
    await b.core.connect(b.keeper).liquidate(past, b.keeper.address);

    const client = sdkPublicClient(provider);
    const updates: LiquidationEntry[][] = [];
    const errors: unknown[] = [];
    const unwatch = watchLiquidations(client, {
      deployment,
      pollingInterval: 20,
      blockRange: 3n,
      onChange: (entries) => updates.push(entries),
      onError: (error) => errors.push(error),
    });
    try {
      await waitFor(() => updates.length > 0, "the back-fill");
      expect(updates[0]!.map((e) => e.accountId)).to.deep.equal([past]);
      await new Promise((resolve) => setTimeout(resolve, 150)); // let the filter install

      const tx = await b.core.connect(b.carol).liquidate(next, b.carol.address);
      const receipt = await client.waitForTransactionReceipt({ hash: tx.hash as `0x${string}` });
      await waitFor(() => updates.at(-1)?.length === 2, "the new liquidation");
      const [latest, earlier] = updates.at(-1)!;
      expect(earlier!.accountId).to.equal(past);
      const logs = parseEventLogs({ abi: ballastCoreAbi, logs: receipt.logs });
      const head = logs.find((log) => log.eventName === "AccountLiquidated");
      const closes = logs.filter((log) => log.eventName === "PositionLiquidated");
      const debt = logs.find((log) => log.eventName === "BadDebtSettled");
      if (debt?.eventName !== "BadDebtSettled") throw new Error("no BadDebtSettled");
      if (head?.eventName !== "AccountLiquidated") throw new Error("no AccountLiquidated");
      const block = await client.getBlock({ blockNumber: receipt.blockNumber });
      expect(latest).to.deep.equal({
        key: `${receipt.transactionHash}:${next}`,
        blockNumber: receipt.blockNumber,
        transactionHash: receipt.transactionHash,
        timestamp: block.timestamp,
        accountId: next,
        liquidator: head.args.liquidator,
        recipient: head.args.recipient,
        full: head.args.full,
        fraction: head.args.fraction,
        closedNotional: head.args.closedNotional,
        fee: head.args.fee,
        keeperReward: head.args.keeperReward,
        marginAfter: head.args.marginAfter,
        positions: closes.map((log) => {
          if (log.eventName !== "PositionLiquidated") throw new Error("unexpected");
          return {
            marketId: Number(log.args.marketId),
            closedSize: log.args.closedSize,
            fillPrice: log.args.fillPrice,
            realisedPnl: log.args.realisedPnl,
            newSize: log.args.newSize,
          };
        }),
        badDebt: {
          badDebt: debt.args.badDebt,
          coveredByInsurance: debt.args.coveredByInsurance,
          socialised: debt.args.socialised,
        },
      });
      expect(latest!.liquidator).to.equal(b.carol.address);
      expect(latest!.positions.length).to.equal(1);
      expect(errors).to.deep.equal([]);
    } finally {
      unwatch();
    }
  });

  it("simulateClose returns the fill of the real close; typed errors for a liquidatable account or no position", async () => {
    const { b, deployment } = await loadFixture(setup);
    const alice = b.alice.address as Address;
    const id = await b.openAccount(b.alice, 10_000n * b.unit);
    await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad(1), wad(1_000_000));
    await b.setPrice("BTC", 51_000);
    const client = sdkPublicClient(provider);
    const ballast = createBallastClient({
      publicClient: client,
      walletClient: sdkWalletClient(provider, alice),
      deployment,
    });

    const sim = await simulateClose(client, {
      deployment,
      account: alice,
      accountId: id,
      marketId: Number(BTC_MARKET),
    });
    expect(sim.size).to.equal(wad(1));
    expect(sim.preview?.fill?.fillPrice).to.equal(sim.fillPrice);
    const bound = await ballast.simulateClose({ accountId: id, marketId: Number(BTC_MARKET) });
    expect(bound.fillPrice).to.equal(sim.fillPrice);

    // The close is an order: commit (escrow approved), then settled at the same price.
    await b.token.mint(alice, 10n ** 6n);
    await b.token.connect(b.alice).approve(b.orderBook, 10n ** 6n);
    await client.waitForTransactionReceipt({ hash: await ballast.send(sim.transaction) });
    const settled = await (await b.trader.settle(id, BTC_MARKET)).wait();
    const [traded] = parseEventLogs({
      abi: ballastCoreAbi,
      eventName: "PositionTraded",
      logs: settled!.logs.map((log) => ({ ...log, topics: [...log.topics] })) as never,
    });
    expect(traded?.args.fillPrice).to.equal(sim.fillPrice);
    expect(traded?.args.sizeDelta).to.equal(-wad(1));
    expect(traded?.args.newSize).to.equal(0n);
    expect((await b.core.getPosition(id, BTC_MARKET)).size).to.equal(0n);

    const none = await ballast.simulateClose({ accountId: id, marketId: Number(BTC_MARKET) }).catch((e: unknown) => e);
    expect(none).to.be.instanceOf(ZeroAmountError);

    const risky = await b.openAccount(b.bob, 3_000n * b.unit);
    await b.trader.connect(b.bob).trade(risky, BTC_MARKET, wad(1), wad(1_000_000));
    await b.setPrice("BTC", 47_000);
    const refused = await simulateClose(client, {
      deployment,
      account: b.bob.address as Address,
      accountId: risky,
      marketId: Number(BTC_MARKET),
    }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(AccountLiquidatableError);
    expect((refused as AccountLiquidatableError).args[0]).to.equal(risky);
    // The same error as the real close.
    await b.trader
      .connect(b.bob)
      .closePosition(risky, BTC_MARKET, 0n)
      .then(
        () => expect.fail("the close should revert"),
        (error: unknown) => expect(String(error)).to.contain("AccountLiquidatable"),
      );
  });
});
