/**
 * The SDK's viem client against the embedded network: reads in one multicall, on-chain simulations with typed
 * errors, transaction builders sent by a wallet, event watching, and `createBallastClient`.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  type Address,
  createPublicClient,
  custom,
  decodeFunctionData,
  type EIP1193Provider,
  erc20Abi,
  parseEventLogs,
} from "viem";
import {
  deployBallast,
  wad,
  BTC_MARKET,
  ETH_MARKET,
  BTC_TIERS,
  ETH_TIERS,
  type FixtureOptions,
} from "../helpers/fixture.js";
import { sdkDeployment, sdkPublicClient, sdkWalletClient, structObject } from "../helpers/sdkDeployment.js";
import { orderBookAbi } from "../../../sdk/src/abi/orderBook.js";
import {
  AccountNotLiquidatableError,
  ERC20InsufficientAllowanceError,
  InsufficientMarginError,
  ReductionLeavesAccountUnhealthyError,
  StalePriceError,
  WithdrawalExceedsAvailableError,
  ballastCoreAbi,
  buildApprove,
  buildClaimRewards,
  buildClose,
  buildCreateAccount,
  buildDeposit,
  buildInsuranceDeposit,
  buildInsuranceRequestWithdraw,
  buildInsuranceSettle,
  buildVaultRequestDeposit,
  buildVaultRequestRedeem,
  buildVaultSettle,
  getPoolRequests,
  SettlementTooEarlyError,
  buildLiquidate,
  buildLiquidateMany,
  buildSetOperator,
  buildTrade,
  buildWithdraw,
  createBallastClient,
  decodeBallastError,
  getAccount,
  getAccounts,
  getMarkets,
  simulateTrade as previewTrade,
  watchAccount,
  type AccountChange,
  type AccountView,
  type BallastDeployment,
} from "../../../sdk/src/index.js";
import { simulateLiquidate, simulateTrade, simulateWithdraw, simulateDeposit } from "../../../sdk/src/actions/index.js";

const { ethers, provider, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

/** A provider that counts the JSON-RPC methods it forwards. */
function countingClient() {
  const methods: string[] = [];
  const counting = {
    request: (args: { method: string; params?: unknown }) => {
      methods.push(args.method);
      return (provider as unknown as EIP1193Provider).request(args as never);
    },
  };
  return { client: createPublicClient({ transport: custom(counting) }), methods };
}

async function setup(options: FixtureOptions = {}) {
  const b = await deployBallast(ethers, {
    btcTiers: BTC_TIERS,
    ethTiers: ETH_TIERS,
    btcParams: { skewScale: wad(1_000), takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0002") },
    ethParams: { fundingScale: wad(100), maxFundingRatePerSecond: wad("0.0000001") },
    ...options,
  });
  if (options.pools !== "contracts") {
    await b.seedVault(10_000_000n * b.unit);
    await b.seedInsurance(100_000n * b.unit);
  }
  const deployment = await sdkDeployment(ethers, b);
  return { b, deployment };
}
const defaultSetup = () => setup();
const poolsSetup = () => setup({ pools: "contracts" });
/** SIMPLE_TIERS (10% / 5%), no fees or premium in BTC. */
const simpleSetup = () => setup({ btcTiers: undefined, btcParams: {} });
/** SIMPLE_TIERS and a steep skew premium in BTC. */
const steepSkewSetup = () => setup({ btcTiers: undefined, btcParams: { skewScale: wad(100) } });

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const wallet = (signer: HardhatEthersSigner) => sdkWalletClient(provider, signer.address as Address);

describe("SDK viem client", () => {
  describe("reads", () => {
    it("getMarkets: params, state, tiers, ramp, oracle price and pending funding, at one block", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const id = await b.openAccount(b.alice, 100_000n * b.unit);
      await b.trader.connect(b.alice).trade(id, ETH_MARKET, wad(30), wad(1_000_000));
      await time.increase(1_000);
      const view = await getMarkets(sdkPublicClient(provider), { deployment });
      const [params, state, tiers] = await b.core.getMarket(ETH_MARKET);
      const eth = view.markets[1]!;
      expect(eth.symbol).to.equal("ETH");
      expect(eth.params.fundingScale).to.equal(params.fundingScale);
      expect(eth.state.longOpenInterest).to.equal(state.longOpenInterest);
      expect(eth.tiers.map((t) => t.notionalCap)).to.deep.equal(tiers.map((t) => t.notionalCap));
      expect(eth.price).to.equal(await b.oracle.getPrice(deployment.markets[1]!.feedId));
      const [fundingIndex, rate] = await b.core.currentFunding(ETH_MARKET);
      expect(eth.funding).to.deep.equal({ fundingIndex, ratePerSecond: rate });
      expect(fundingIndex).to.not.equal(0n);
      expect(view.riskParams.liquidationFeeRate).to.equal((await b.core.riskParams()).liquidationFeeRate);
      expect(view.marketCount).to.equal(2);
      expect(eth.feedConfig.decimals).to.equal(8);
    });

    it("getAccount reads account, positions, markets, ramps and prices in ONE eth_call; health equals the core's", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const id = await b.openAccount(b.alice, 20_000n * b.unit);
      await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad("1.5"), wad(1_000_000));
      await b.trader.connect(b.alice).trade(id, ETH_MARKET, -wad(20), 0n);
      await b.setPrice("BTC", 49_000);
      const { client, methods } = countingClient();
      const view = await getAccount(client, { deployment, accountId: id });
      expect(methods.filter((m) => m === "eth_call")).to.have.length(1);
      expect(structObject(await b.core.accountHealth(id))).to.deep.equal(view.health);
      expect(structObject(await b.core.previewLiquidation(id))).to.deep.equal(view.liquidation);
      expect(view.positions.map((p) => p.symbol)).to.deep.equal(["BTC", "ETH"]);
      const btc = view.positions[0]!;
      expect(btc.size).to.equal(wad("1.5"));
      expect(btc.markPrice).to.equal(wad(49_000));
      expect(btc.liquidationPrice).to.be.a("bigint");
      expect(btc.liquidationPrice! < wad(49_000)).to.equal(true);
      expect(view.positions[1]!.liquidationPrice! > wad(2_000)).to.equal(true);
      expect(view.account.owner).to.equal(b.alice.address);
    });

    it("getAccounts: many accounts at one block in batched multicalls, each equal to the core's views", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const ids: bigint[] = [];
      for (let i = 0; i < 24; i++) {
        const id = await b.openAccount(b.bob, BigInt(1_000 + 97 * i) * b.unit, i % 3 === 0 ? BTC_MARKET : undefined);
        await b.trader.connect(b.bob).trade(id, BTC_MARKET, wad("0.05") + BigInt(i) * 10n ** 15n, wad(1_000_000));
        ids.push(id);
      }
      const { client, methods } = countingClient();
      const views = await getAccounts(client, { deployment, accountIds: ids, batchSize: 2_048 });
      expect(methods.filter((m) => m === "eth_call").length).to.be.greaterThan(1);
      expect(views).to.have.length(24);
      for (const view of views) {
        expect(view.health).to.deep.equal(structObject(await b.core.accountHealth(view.accountId)));
        expect(view.positions[0]!.liquidationPrice).to.equal(undefined); // price lines are opt-in here
      }
      expect(views[0]!.account.isolated).to.equal(true);
      expect(views[1]!.account.isolated).to.equal(false);
    });

    it("a refused price is reported as a typed oracle error, and health is left undefined", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const id = await b.openAccount(b.alice, 10_000n * b.unit);
      await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad("0.1"), wad(1_000_000));
      await time.increase(3_700); // past the 1-hour heartbeat
      const client = sdkPublicClient(provider);
      const view = await getAccount(client, { deployment, accountId: id });
      expect(view.priceErrors[0]).to.be.instanceOf(StalePriceError);
      expect(view.priceErrors[0]?.shortMessage).to.match(/^The BTC\/USD feed is stale/);
      expect(view.health).to.equal(undefined);
      const error = await simulateTrade(client, {
        deployment,
        account: b.alice.address as Address,
        accountId: id,
        marketId: 0,
        sizeDelta: wad("0.1"),
        acceptablePrice: wad(1_000_000),
      }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(StalePriceError);
    });
  });

  describe("simulations and typed errors", () => {
    it("simulateTrade: the predicted fill is the SDK's preview and the settled order's PositionTraded", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const id = await b.openAccount(b.alice, 50_000n * b.unit);
      const client = sdkPublicClient(provider);
      const sim = await simulateTrade(client, {
        deployment,
        account: b.alice.address as Address,
        accountId: id,
        marketId: 0,
        sizeDelta: wad("2.5"),
        slippageBps: 30,
      });
      expect(sim.fillPrice).to.equal(sim.preview?.fill?.fillPrice);
      expect(sim.acceptablePrice).to.equal((sim.fillPrice * 10_030n + 9_999n) / 10_000n);
      // Committed in the next block and settled one second later at the same price: same fill (no funding in
      // BTC), same fee and position.
      await b.token.mint(b.alice.address, 10n ** 6n);
      await b.token.connect(b.alice).approve(b.orderBook, 10n ** 6n);
      // At least a second after the latest block: under load the mint and approve may already have reached it.
      const latest = BigInt(await time.latest());
      const next = sim.view.timestamp + 3n;
      await time.setNextBlockTimestamp(next > latest ? next : latest + 1n);
      const hash = await wallet(b.alice).sendTransaction({ ...sim.transaction, chain: null });
      await client.waitForTransactionReceipt({ hash });
      const settled = await (await b.trader.settle(id, BTC_MARKET)).wait();
      const receipt = { logs: settled!.logs.map((log) => ({ ...log, topics: [...log.topics] })) };
      const [event] = parseEventLogs({
        abi: ballastCoreAbi,
        logs: receipt.logs as never,
        eventName: "PositionTraded",
      });
      const fill = sim.preview!.fill!;
      expect(event?.args).to.deep.include({
        fillPrice: fill.fillPrice,
        fee: fill.fee,
        newSize: fill.newSize,
        newOpenNotional: fill.newOpenNotional,
        marginAfter: fill.marginAfter,
      });
    });

    it("simulateTrade throws InsufficientMarginError with the numbers: the settlement check the order would fail", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const id = await b.openAccount(b.alice, 1_000n * b.unit);
      const error = await simulateTrade(sdkPublicClient(provider), {
        deployment,
        account: b.alice.address as Address,
        accountId: id,
        marketId: 0,
        sizeDelta: wad(2),
      }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(InsufficientMarginError);
      const typed = error as InsufficientMarginError;
      expect(typed.shortMessage).to.match(
        /^Buying 2 BTC would leave equity \$-?[\d,]+\.\d\d below the initial margin \$[\d,]+\.\d\d; add at least/,
      );
      const view = await getAccount(sdkPublicClient(provider), { deployment, accountId: id });
      const predicted = previewTrade({ ...view, accountId: id, marketId: 0, sizeDelta: wad(2) });
      expect(predicted.error?.revert).to.deep.equal(typed.revert);
    });

    it("simulateWithdraw: 'Withdrawing 500 USDC would leave equity $120.00 below the initial margin $180.00'", async () => {
      const { b, deployment } = await loadFixture(simpleSetup);
      const id = await b.openAccount(b.alice, 620n * b.unit);
      // SIMPLE_TIERS (10% IM): 0.036 BTC at $50,000 = $1,800 of notional, IM $180; no fees or premium.
      await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad("0.036"), wad(1_000_000));
      const client = sdkPublicClient(provider);
      const error = await simulateWithdraw(client, {
        deployment,
        account: b.alice.address as Address,
        accountId: id,
        assets: 500n * b.unit,
      }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(WithdrawalExceedsAvailableError);
      expect((error as Error & { shortMessage: string }).shortMessage).to.equal(
        "Withdrawing 500 USDC would leave equity $120.00 below the initial margin $180.00; at most 440 USDC can be withdrawn now.",
      );
      const ok = await simulateWithdraw(client, {
        deployment,
        account: b.alice.address as Address,
        accountId: id,
        assets: 440n * b.unit,
      });
      expect(ok.preview?.healthAfter.equity).to.equal(wad(180));
      const other = await simulateWithdraw(client, {
        deployment,
        account: b.bob.address as Address,
        accountId: id,
        assets: 1n,
      }).catch((e: unknown) => e);
      expect((other as Error & { errorName: string }).errorName).to.equal("Unauthorized");
    });

    it("a reduction into negative equity: the SDK and the core both say ReductionLeavesAccountUnhealthy", async () => {
      const { b, deployment } = await loadFixture(steepSkewSetup);
      const a = await b.openAccount(b.alice, 6_000n * b.unit);
      await b.trader.connect(b.alice).trade(a, BTC_MARKET, wad(1), wad(1_000_000));
      const whale = await b.openAccount(b.bob, 1_000_000n * b.unit);
      await b.trader.connect(b.bob).trade(whale, BTC_MARKET, -wad(30), 0n);
      await b.setPrice("BTC", 47_000);
      const client = sdkPublicClient(provider);
      const view = await getAccount(client, { deployment, accountId: a });
      expect(view.health?.liquidatable).to.equal(false);
      const predicted = previewTrade({ ...view, accountId: a, marketId: 0, sizeDelta: -wad("0.5") });
      expect(predicted.error).to.be.instanceOf(ReductionLeavesAccountUnhealthyError);
      const error = await simulateTrade(client, {
        deployment,
        account: b.alice.address as Address,
        accountId: a,
        marketId: 0,
        sizeDelta: -wad("0.5"),
        acceptablePrice: 0n,
      }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ReductionLeavesAccountUnhealthyError);
      expect((error as ReductionLeavesAccountUnhealthyError).revert).to.deep.equal(predicted.error?.revert);
      expect((error as ReductionLeavesAccountUnhealthyError).shortMessage).to.match(
        /^Selling 0\.5 BTC would leave equity -\$/,
      );
    });

    it("simulateDeposit without an approval throws ERC20InsufficientAllowanceError; with it, it passes", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const id = await b.openAccount(b.alice, 0n);
      await b.token.mint(b.alice.address, 100n * b.unit);
      const client = sdkPublicClient(provider);
      const parameters = { deployment, account: b.alice.address as Address, accountId: id, assets: 100n * b.unit };
      const error = await simulateDeposit(client, parameters).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ERC20InsufficientAllowanceError);
      await wallet(b.alice).sendTransaction({
        ...buildApprove({ deployment, spender: "core", assets: 100n * b.unit }),
        chain: null,
      });
      const ok = await simulateDeposit(client, parameters);
      expect(ok.preview?.healthAfter.margin).to.equal(wad(100));
    });

    it("simulateLiquidate returns the core's result, equal to the SDK's plan; a healthy account throws", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const id = await b.openAccount(b.alice, 3_000n * b.unit);
      await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad(1), wad(1_000_000));
      const client = sdkPublicClient(provider);
      const healthy = await simulateLiquidate(client, {
        deployment,
        account: b.keeper.address as Address,
        accountId: id,
      }).catch((e: unknown) => e);
      expect(healthy).to.be.instanceOf(AccountNotLiquidatableError);
      await b.setPrice("BTC", 47_000);
      const sim = await simulateLiquidate(client, { deployment, account: b.keeper.address as Address, accountId: id });
      expect(sim.result.liquidatable).to.equal(true);
      expect(sim.result).to.deep.equal(sim.plan?.preview);
      expect(sim.transaction.to).to.equal(deployment.core);
    });

    it("decodeBallastError decodes reverts raised through ethers too", async () => {
      const { b } = await loadFixture(defaultSetup);
      const id = await b.openAccount(b.alice, 100n * b.unit);
      const error = await b.core
        .connect(b.alice)
        .withdraw(id, 200n * b.unit, b.alice.address)
        .catch((e: unknown) => e);
      const decoded = decodeBallastError(error, { context: { collateral: { symbol: "USDC", decimals: 6 } } });
      expect(decoded).to.be.instanceOf(WithdrawalExceedsAvailableError);
      expect(decoded?.shortMessage).to.contain("at most 100 USDC can be withdrawn now");
      expect(decodeBallastError(new Error("network down"))).to.equal(undefined);
    });
  });

  describe("transaction builders", () => {
    it("build the calls a wallet sends: approve, create, deposit, trade, close, withdraw, liquidate, claim", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const client = sdkPublicClient(provider);
      const alice = wallet(b.alice);
      const send = async (tx: { to: Address; data: `0x${string}`; value: bigint }, from = alice) =>
        client.waitForTransactionReceipt({ hash: await from.sendTransaction({ ...tx, chain: null }) });

      await b.token.mint(b.alice.address, 10_000n * b.unit);
      const approve = buildApprove({ deployment, spender: "core", assets: 10_000n * b.unit });
      expect(decodeFunctionData({ abi: erc20Abi, data: approve.data }).args).to.deep.equal([
        deployment.core,
        10_000n * b.unit,
      ]);
      await send(approve);
      const created = await send(buildCreateAccount({ deployment }));
      const [account] = parseEventLogs({ abi: ballastCoreAbi, logs: created.logs, eventName: "AccountCreated" });
      const id = account!.args.accountId;
      await send(buildDeposit({ deployment, accountId: id, assets: 10_000n * b.unit }));
      const trade = buildTrade({
        deployment,
        accountId: id,
        marketId: 0,
        sizeDelta: wad(1),
        price: wad(50_000),
        slippageBps: 100,
      });
      expect(trade.acceptablePrice).to.equal(wad(50_500));
      expect(trade.to).to.equal(deployment.orderBook);
      expect(decodeFunctionData({ abi: orderBookAbi, data: trade.data }).functionName).to.equal("commitOrder");
      await b.token.mint(b.alice.address, 10n ** 6n); // the settlement-fee escrows
      await send(buildApprove({ deployment, spender: deployment.orderBook!, assets: 10n ** 6n }));
      await send(trade);
      await b.trader.settle(id, BTC_MARKET);
      expect((await b.core.getPosition(id, BTC_MARKET)).size).to.equal(wad(1));
      const close = buildClose({
        deployment,
        accountId: id,
        marketId: 0,
        price: wad(50_000),
        positionSize: wad(1),
        slippageBps: 100,
      });
      expect(close.acceptablePrice).to.equal(wad(49_500));
      expect(decodeFunctionData({ abi: orderBookAbi, data: close.data }).functionName).to.equal("commitClose");
      await send(close);
      await b.trader.settle(id, BTC_MARKET);
      expect((await b.core.getPosition(id, BTC_MARKET)).size).to.equal(0n);
      const before = await b.token.balanceOf(b.alice.address);
      await send(buildWithdraw({ deployment, accountId: id, assets: 1_000n * b.unit, to: b.alice.address as Address }));
      expect((await b.token.balanceOf(b.alice.address)) - before).to.equal(1_000n * b.unit);
      await send(buildSetOperator({ deployment, operator: b.carol.address as Address, approved: true }));
      expect(await b.core.isOperator(b.alice.address, b.carol.address)).to.equal(true);

      // A liquidation pays the keeper a claimable reward.
      const victim = await b.openAccount(b.bob, 3_500n * b.unit);
      await b.trader.connect(b.bob).trade(victim, BTC_MARKET, wad(1), wad(1_000_000));
      const healthy = await b.openAccount(b.bob, 3_000n * b.unit);
      await b.setPrice("BTC", 47_000);
      const keeper = wallet(b.keeper);
      const many = buildLiquidateMany({
        deployment,
        accountIds: [healthy, victim],
        recipient: b.keeper.address as Address,
      });
      expect(decodeFunctionData({ abi: ballastCoreAbi, data: many.data }).args).to.deep.equal([
        [healthy, victim],
        b.keeper.address,
      ]);
      const liquidated = await send(many, keeper);
      expect(
        parseEventLogs({ abi: ballastCoreAbi, logs: liquidated.logs, eventName: "AccountLiquidated" }),
      ).to.have.length(1);
      const single = buildLiquidate({ deployment, accountId: victim, recipient: b.keeper.address as Address });
      expect(decodeFunctionData({ abi: ballastCoreAbi, data: single.data }).functionName).to.equal("liquidate");
      const reward = await b.core.claimableRewards(b.keeper.address);
      expect(reward > 0n).to.equal(true);
      await send(buildClaimRewards({ deployment, to: b.keeper.address as Address }), keeper);
      expect(await b.token.balanceOf(b.keeper.address)).to.equal(reward / 10n ** 12n);
    });

    it("vault and insurance: request, read the pending request, refuse an early settlement, settle by a keeper", async () => {
      const { b: deployed, deployment } = await loadFixture(poolsSetup);
      const b = {
        ...deployed,
        vault: await ethers.getContractAt("LiquidityVault", deployed.vault as string),
        insurance: await ethers.getContractAt("InsurancePool", deployed.insurance as string),
      };
      const client = sdkPublicClient(provider);
      const lp = wallet(b.lp);
      const me = b.lp.address as Address;
      const keeperClient = createBallastClient({
        publicClient: client,
        walletClient: wallet(b.keeper),
        deployment,
      });
      const send = async (tx: { to: Address; data: `0x${string}`; value: bigint }) =>
        client.waitForTransactionReceipt({ hash: await lp.sendTransaction({ ...tx, chain: null }) });
      const keeperSend = async (tx: { to: Address; data: `0x${string}`; value: bigint }) =>
        client.waitForTransactionReceipt({ hash: await keeperClient.send(tx) });
      await b.token.mint(me, 2_000n * b.unit);
      await send(buildApprove({ deployment, spender: "vault", assets: 1_000n * b.unit }));
      await send(buildVaultRequestDeposit({ deployment, assets: 1_000n * b.unit, owner: me }));
      const delay = await b.vault.settlementDelay();
      let requests = await getPoolRequests(client, { deployment, controller: me });
      expect(requests.vaultDeposit).to.deep.equal({
        amount: 1_000n * b.unit,
        quote: 1_000n * b.unit * 10n ** 6n,
        unlockTime: requests.timestamp + delay,
        settleable: false,
        secondsToUnlock: delay,
        settlementPreview: 1_000n * b.unit * 10n ** 6n,
      });
      expect(requests.vaultRedeem).to.equal(undefined);
      expect(requests.insuranceRedeem).to.equal(undefined);
      expect(requests.vaultSettlementDelay).to.equal(delay);
      expect(requests.insuranceCooldown).to.equal(await b.insurance.cooldown());

      // Too early: the keeper's send throws the typed error with the unlock time.
      const early = await keeperClient
        .send(buildVaultSettle({ deployment, kind: "deposit", controller: me }))
        .catch((e: unknown) => e);
      expect(early).to.be.instanceOf(SettlementTooEarlyError);
      expect((early as SettlementTooEarlyError).args[1]).to.equal(requests.vaultDeposit!.unlockTime);

      await b.passTime(delay);
      requests = await keeperClient.getPoolRequests({ controller: me });
      expect(requests.vaultDeposit?.settleable).to.equal(true);
      expect(requests.vaultDeposit?.secondsToUnlock).to.equal(0n);
      await keeperSend(keeperClient.build.vaultSettle({ kind: "deposit", controller: me }));
      const shares = await b.vault.balanceOf(me);
      expect(shares).to.equal(1_000n * b.unit * 10n ** 6n);

      await send(buildVaultRequestRedeem({ deployment, shares: shares / 2n, owner: me }));
      expect((await getPoolRequests(client, { deployment, controller: me })).vaultRedeem?.amount).to.equal(shares / 2n);
      await b.passTime(delay);
      await keeperSend(buildVaultSettle({ deployment, kind: "redeem", controller: me }));
      expect(await b.token.balanceOf(me)).to.equal(1_500n * b.unit);

      await send(buildApprove({ deployment, spender: "insurancePool", assets: 1_000n * b.unit }));
      await send(buildInsuranceDeposit({ deployment, assets: 1_000n * b.unit, receiver: me }));
      const staked = await b.insurance.balanceOf(me);
      await send(buildInsuranceRequestWithdraw({ deployment, shares: staked, owner: me }));
      expect(await b.insurance.balanceOf(me)).to.equal(0n); // escrowed in the pool
      const pending = (await getPoolRequests(client, { deployment, controller: me })).insuranceRedeem;
      expect(pending?.amount).to.equal(staked);
      expect(pending?.quote).to.equal(1_000n * b.unit);
      expect(pending?.secondsToUnlock).to.equal(await b.insurance.cooldown());
      await b.passTime(await b.insurance.cooldown());
      await keeperSend(buildInsuranceSettle({ deployment, controller: me }));
      expect(await b.token.balanceOf(me)).to.equal(500n * b.unit + 1_000n * b.unit);
      expect((await getPoolRequests(client, { deployment, controller: me })).insuranceRedeem).to.equal(undefined);
    });
  });

  describe("watchAccount and createBallastClient", () => {
    it("keeps the view current from core events and feed AnswerUpdated", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const id = await b.openAccount(b.alice, 10_000n * b.unit);
      await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad(1), wad(1_000_000));
      const client = sdkPublicClient(provider);
      const changes: { view: AccountView; change: AccountChange }[] = [];
      const errors: unknown[] = [];
      const unwatch = watchAccount(client, {
        deployment,
        accountId: id,
        pollingInterval: 20,
        onChange: (view, change) => changes.push({ view, change }),
        onError: (error) => errors.push(error),
      });
      try {
        await waitFor(() => changes.length === 1, "the initial view");
        expect(changes[0]!.change.reason).to.equal("initial");
        await new Promise((resolve) => setTimeout(resolve, 150)); // let the filters install
        await b.token.mint(b.bob.address, 500n * b.unit);
        await b.token.connect(b.bob).approve(b.core, 500n * b.unit);
        await b.core.connect(b.bob).deposit(id, 500n * b.unit);
        await waitFor(() => changes.some((c) => c.change.reason === "event"), "the deposit event");
        const deposited = changes.find((c) => c.change.reason === "event")!;
        expect(deposited.change).to.deep.include({ eventNames: ["MarginDeposited"] });
        expect(deposited.view.account.margin).to.equal((await b.core.getAccount(id)).margin);

        await b.setPrice("BTC", 45_000);
        await waitFor(() => changes.some((c) => c.change.reason === "price"), "the price update");
        const priced = changes.find((c) => c.change.reason === "price")!;
        expect(priced.view.prices[0]).to.equal(wad(45_000));
        // Recomputed locally with the SDK's math: equal to the core's view at that block.
        expect(priced.view.health).to.deep.equal(structObject(await b.core.accountHealth(id)));
        expect(priced.view.positions[0]!.liquidationPrice).to.equal(deposited.view.positions[0]!.liquidationPrice);
        // Earlier views are not mutated.
        expect(deposited.view.prices[0]).to.equal(wad(50_000));

        // Another account's events do not trigger a change.
        const count = changes.length;
        await b.openAccount(b.carol, 100n * b.unit);
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(changes.length).to.equal(count);
        expect(errors).to.deep.equal([]);
      } finally {
        unwatch();
      }
    });

    it("createBallastClient binds the actions to a deployment and sends with the wallet", async () => {
      const { b, deployment } = await loadFixture(defaultSetup);
      const id = await b.openAccount(b.alice, 10_000n * b.unit);
      const ballast = createBallastClient({
        publicClient: sdkPublicClient(provider),
        walletClient: wallet(b.alice),
        deployment: deployment as BallastDeployment,
      });
      const sim = await ballast.simulateTrade({ accountId: id, marketId: 0, sizeDelta: -wad("0.2") });
      await ballast.send(ballast.build.approve({ spender: deployment.orderBook!, assets: 10n ** 6n }));
      await b.token.mint(b.alice.address, 10n ** 6n);
      const hash = await ballast.send(sim.transaction);
      await ballast.publicClient.request({ method: "eth_getTransactionReceipt", params: [hash] } as never);
      const pending = await ballast.getOrder({ accountId: id, marketId: 0 });
      expect(pending.pending).to.equal(true);
      expect(pending.sizeDelta).to.equal(-wad("0.2"));
      const statuses: string[] = [];
      const stop = ballast.watchOrder({
        accountId: id,
        marketId: 0,
        fromBlock: 0n,
        pollingInterval: 20,
        onStatus: (status) => statuses.push(status.status),
      });
      await b.trader.settle(id, BTC_MARKET);
      for (let i = 0; i < 100 && !statuses.includes("settled"); i++) await new Promise((r) => setTimeout(r, 20));
      stop();
      expect(statuses.at(-1)).to.equal("settled");
      const view = await ballast.getAccount({ accountId: id });
      expect(view.positions[0]!.size).to.equal(-wad("0.2"));
      expect((await ballast.getMarkets()).markets).to.have.length(2);
      expect(ballast.build.deposit({ accountId: id, assets: 1n }).to).to.equal(deployment.core);
      const refused = await ballast
        .send(ballast.build.withdraw({ accountId: id, assets: 1_000_000n * b.unit, to: b.alice.address as Address }))
        .catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(WithdrawalExceedsAvailableError);
    });
  });
});
