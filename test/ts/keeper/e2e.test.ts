/**
 * The keeper end to end against a REAL `hardhat node` process over HTTP (spawned here, killed in `after`):
 * a crash is fully liquidated with no healthy account touched; two racing keepers neither double-liquidate nor
 * waste transactions; a keeper CLI killed mid-run resumes from its SQLite index and misses nothing; an RPC outage
 * (a TCP proxy that drops every connection) is ridden out; startup errors are clear.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { HDNodeWallet, Mnemonic } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { LOCAL_MARKETS, WAD } from "../../../scripts/lib/config.js";
import { createKeeper } from "../../../sdk/src/keeper/create.js";
import { KeeperMetrics } from "../../../sdk/src/keeper/metrics.js";
import type { KeeperLogger } from "../../../sdk/src/keeper/types.js";
import { requirements } from "../../../sdk/src/math/marginTiers.js";
import {
  freePort,
  type HardhatNode,
  rpcCall,
  spawnKeeperCli,
  startHardhatNode,
  startProxy,
  stopProcess,
  waitFor,
} from "../helpers/hardhatNode.js";
import { type AccountSpec, deployWorld, prng, type World } from "../helpers/keeperWorld.js";

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const devKey = (index: number) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${index}`).privateKey as Hex;

/** Mixed leverage 2x–16x, 80% long, cross (1–3 markets) and isolated accounts. */
function crashSpecs(world: World, count: number, seed: number): AccountSpec[] {
  const rng = prng(seed);
  const owners = world.signers.slice(1, 9);
  return Array.from({ length: count }, (_, i) => {
    const isolated = i % 4 === 3 ? rng.int(0, 2) : undefined;
    const markets = isolated !== undefined ? [isolated] : [0, 1, 2].filter(() => rng.chance(0.5));
    if (markets.length === 0) markets.push(rng.int(0, 2));
    const long = rng.chance(0.8);
    const trades = markets.map((market) => ({ market, usd: BigInt(rng.int(2_000, 30_000)) * (long ? 1n : -1n) }));
    const notional = trades.reduce((sum, t) => sum + (t.usd < 0n ? -t.usd : t.usd), 0n);
    const leverage = BigInt(rng.pick([2, 3, 5, 8, 10, 12, 16]));
    // Never below 1.1 × the tables' initial margin (larger positions reach stricter brackets).
    const initialMargin = trades.reduce(
      (sum, t) => sum + requirements(LOCAL_MARKETS[t.market]!.tiers, (t.usd < 0n ? -t.usd : t.usd) * WAD).initialMargin,
      0n,
    );
    const byLeverage = (notional * 105n) / 100n / leverage;
    const byTable = (initialMargin * 11n) / 10n / WAD + 1n;
    return {
      owner: owners[i % owners.length]!,
      isolated,
      depositUsd: (byLeverage > byTable ? byLeverage : byTable) + 20n,
      trades,
    };
  });
}

/** Moves every price in one block; returns the block. */
async function crashInOneBlock(world: World, url: string, percent: [number, number, number]): Promise<bigint> {
  await rpcCall(url, "evm_setAutomine", [false]);
  await world.setPrices(
    Object.fromEntries(percent.map((p, market) => [market, (world.prices[market]! * BigInt(100 + p)) / 100n])),
  );
  await rpcCall(url, "evm_mine");
  await rpcCall(url, "evm_setAutomine", [true]);
  return BigInt((await rpcCall(url, "eth_blockNumber")) as string);
}

async function liquidatableAt(world: World, ids: bigint[], block: bigint): Promise<Set<bigint>> {
  const out = new Set<bigint>();
  for (const id of ids) if ((await world.core.accountHealth(id, { blockTag: block })).liquidatable) out.add(id);
  return out;
}

async function liquidationEvents(world: World, fromBlock: bigint) {
  const events = await world.core.queryFilter(world.core.filters.AccountLiquidated(), Number(fromBlock));
  return events.map((e) => ({
    accountId: e.args.accountId,
    liquidator: e.args.liquidator,
    full: e.args.full,
    tx: e.transactionHash,
  }));
}

/** Every liquidateMany transaction `from` sent since `fromBlock`: the accounts it named and whether it reverted. */
async function keeperTransactions(connection: NetworkConnection, world: World, from: string, fromBlock: bigint) {
  const provider = connection.ethers.provider;
  const latest = await provider.getBlockNumber();
  const txs: { ids: bigint[]; reverted: boolean }[] = [];
  for (let n = Number(fromBlock); n <= latest; n++) {
    const block = await provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (tx.from.toLowerCase() !== from.toLowerCase()) continue;
      const parsed = world.core.interface.parseTransaction({ data: tx.data });
      const receipt = await provider.getTransactionReceipt(tx.hash);
      txs.push({ ids: [...(parsed?.args[0] as bigint[])], reverted: receipt?.status !== 1 });
    }
  }
  return txs;
}

function memoryLogger() {
  const entries: { level: string; msg: string; fields: object }[] = [];
  const at = (level: string) => (fields: object, msg?: string) => entries.push({ level, msg: msg ?? "", fields });
  const logger: KeeperLogger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, entries };
}

describe("keeper end to end against a hardhat node over HTTP", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  let connection: NetworkConnection;
  const deploymentIds: string[] = [];
  const tmp = mkdtempSync(join(tmpdir(), "ballast-keeper-e2e-"));

  async function world(tag: string): Promise<World> {
    const id = `test-keeper-${tag}-${node.port}`;
    deploymentIds.push(id);
    return deployWorld(connection, id);
  }

  function keeperFor(w: World, url: string, keyIndex: number, extra: Partial<Parameters<typeof createKeeper>[0]> = {}) {
    return createKeeper({
      transport: http(url, { timeout: 2_000, retryCount: 0 }),
      deployment: w.deployment,
      account: privateKeyToAccount(devKey(keyIndex)),
      pollIntervalMs: 100,
      batchSize: 5,
      maxConcurrency: 2,
      reorgDepth: 2,
      receiptTimeoutMs: 10_000,
      metrics: new KeeperMetrics(),
      ...extra,
    });
  }

  before(async () => {
    node = await startHardhatNode();
    connection = await network.create({ network: "localhost", override: { url: node.url } });
  });

  after(async () => {
    await connection?.close();
    await node?.stop();
    for (const id of deploymentIds) rmSync(join("ignition", "deployments", id), { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it("liquidates every liquidatable account after a crash and touches no healthy one", async () => {
    const w = await world("crash");
    const ids = await w.openAccounts(crashSpecs(w, 30, 1));
    const { keeper, metrics, executor } = await keeperFor(w, node.url, 10);
    void keeper.start();
    await waitFor(() => keeper.view?.accountCount === 30, "the keeper to index 30 accounts");

    const crashBlock = await crashInOneBlock(w, node.url, [-12, -15, -18]);
    const liquidatable = await liquidatableAt(w, ids, crashBlock);
    expect(liquidatable.size, "the crash makes some accounts liquidatable").to.be.within(5, 27);

    await waitFor(async () => {
      const done = new Set((await liquidationEvents(w, crashBlock)).map((e) => e.accountId));
      return [...liquidatable].every((id) => done.has(id)) && keeper.pending.length === 0;
    }, "every liquidatable account to be liquidated");
    await keeper.stop();

    const events = await liquidationEvents(w, crashBlock);
    expect(new Set(events.map((e) => e.accountId))).to.deep.equal(liquidatable);
    expect(events.every((e) => e.liquidator === executor.address)).to.equal(true);
    expect(events.some((e) => !e.full) && events.some((e) => e.full), "both partial and full").to.equal(true);
    const txs = await keeperTransactions(connection, w, executor.address, crashBlock);
    for (const tx of txs) {
      for (const id of tx.ids) expect(liquidatable.has(id), `sent account ${id} was liquidatable`).to.equal(true);
    }
    expect(txs.filter((tx) => tx.reverted)).to.have.length(0);
    expect(await w.liquidatable(ids)).to.have.property("size", 0);
    expect(await KeeperMetrics.value(metrics.liquidationsConfirmed)).to.equal(liquidatable.size);
    expect(await KeeperMetrics.value(metrics.liquidationsFailed)).to.equal(0);
  });

  it("in a dry run reports exactly what it would liquidate and sends nothing", async () => {
    const w = await world("dry");
    const ids = await w.openAccounts(crashSpecs(w, 12, 6));
    const { logger, entries } = memoryLogger();
    const { keeper, executor } = await keeperFor(w, node.url, 16, { dryRun: true, logger });
    const crashBlock = await crashInOneBlock(w, node.url, [-12, -15, -18]);
    const liquidatable = await liquidatableAt(w, ids, crashBlock);
    expect(liquidatable.size).to.be.greaterThan(0);
    await keeper.tick();
    await keeper.idle();
    await keeper.tick(); // held accounts are not simulated again
    await keeper.idle();
    await keeper.stop();
    const reported = entries
      .filter((e) => e.msg === "dry run: not sending")
      .flatMap((e) => (e.fields as { wouldLiquidate: bigint[] }).wouldLiquidate);
    expect(new Set(reported)).to.deep.equal(liquidatable);
    expect(reported).to.have.length(liquidatable.size);
    expect(await keeperTransactions(connection, w, executor.address, crashBlock)).to.have.length(0);
    expect(await w.liquidatable(ids)).to.deep.equal(liquidatable);
  });

  it("lets two racing keepers share a crash without double liquidations or failed transactions", async () => {
    const w = await world("race");
    const ids = await w.openAccounts(crashSpecs(w, 30, 2));
    const a = await keeperFor(w, node.url, 11, { batchSize: 4 });
    const b = await keeperFor(w, node.url, 12, { batchSize: 4 });
    void a.keeper.start();
    void b.keeper.start();
    await waitFor(
      () => a.keeper.view?.accountCount === 30 && b.keeper.view?.accountCount === 30,
      "both keepers to index",
    );

    const crashBlock = await crashInOneBlock(w, node.url, [-12, -15, -18]);
    const liquidatable = await liquidatableAt(w, ids, crashBlock);
    // Blocks every 250 ms, so both keepers' transactions land in the same blocks and really compete.
    await rpcCall(node.url, "evm_setAutomine", [false]);
    await rpcCall(node.url, "evm_setIntervalMining", [250]);
    try {
      await waitFor(async () => {
        const done = new Set((await liquidationEvents(w, crashBlock)).map((e) => e.accountId));
        return [...liquidatable].every((id) => done.has(id));
      }, "every liquidatable account to be liquidated");
      await new Promise((resolve) => setTimeout(resolve, 600));
      await Promise.all([a.keeper.stop(), b.keeper.stop()]);
    } finally {
      await rpcCall(node.url, "evm_setIntervalMining", [0]);
      await rpcCall(node.url, "evm_setAutomine", [true]);
    }

    const events = await liquidationEvents(w, crashBlock);
    const perAccount = new Map<bigint, number>();
    for (const e of events) perAccount.set(e.accountId, (perAccount.get(e.accountId) ?? 0) + 1);
    expect(new Set(perAccount.keys())).to.deep.equal(liquidatable);
    expect(
      [...perAccount.values()].every((count) => count === 1),
      "each account liquidated once",
    ).to.equal(true);

    const txs = [
      ...(await keeperTransactions(connection, w, a.executor.address, crashBlock)),
      ...(await keeperTransactions(connection, w, b.executor.address, crashBlock)),
    ];
    expect(
      txs.filter((tx) => tx.reverted),
      "reverted transactions",
    ).to.have.length.at.most(1);
    // Batches of 4 per keeper: at most twice the batches one keeper alone would need, plus one.
    expect(txs.length, "transactions sent").to.be.at.most(2 * Math.ceil(liquidatable.size / 4) + 1);
    expect(a.keeper.liquidated.size + b.keeper.liquidated.size).to.equal(liquidatable.size);
  });

  it("resumes from its SQLite index after being killed mid-run and misses nothing", async () => {
    const w = await world("restart");
    const deploymentFile = join(tmp, "restart.json");
    writeFileSync(deploymentFile, JSON.stringify(w.deployment));
    const db = join(tmp, "restart.sqlite");
    const metricsPort = await freePort();
    const args = [
      "--rpc",
      node.url,
      "--deployment",
      deploymentFile,
      "--private-key",
      devKey(13),
      "--db",
      db,
      "--metrics-port",
      String(metricsPort),
      "--poll-interval",
      "100",
      "--reorg-depth",
      "2",
      // One account per transaction and one transaction at a time: the wave takes several confirmations, so the
      // kill below lands mid-run even with the keeper's pre-signed, unsimulated sends.
      "--batch-size",
      "1",
      "--concurrency",
      "1",
      // "Misses nothing" includes the accounts the second leg leaves bankrupt: today they pay no reward, so the
      // profitability rule would skip them at the default minimum of 0. Accept a loss of up to 1,000 USD each.
      "--min-profit-usd",
      "-1000",
    ];
    const firstIds = await w.openAccounts(crashSpecs(w, 24, 3));
    const first = spawnKeeperCli(args);
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/health`).catch(() => undefined);
      return response
        ? ((await response.json()) as { ok: boolean; accountsTracked: number; committedBlock: string })
        : undefined;
    };
    const indexed = await waitFor(async () => {
      const status = await health();
      return status?.ok && status.accountsTracked === 24 ? status : undefined;
    }, "the keeper CLI to index 24 accounts (/health)");
    expect(indexed.ok).to.equal(true);

    const crash1 = await crashInOneBlock(w, node.url, [-10, -12, -14]);
    const firstWave = await liquidatableAt(w, firstIds, crash1);
    expect(firstWave.size).to.be.greaterThan(3);
    // Killed (SIGKILL: no chance to clean up) as soon as it has confirmed its first liquidation.
    await waitFor(async () => (await liquidationEvents(w, crash1)).length > 0, "a first liquidation", 30_000, 20);
    await stopProcess(first.child, "SIGKILL");
    const doneBeforeKill = new Set((await liquidationEvents(w, crash1)).map((e) => e.accountId));
    expect(doneBeforeKill.size, "killed mid-run").to.be.lessThan(firstWave.size);

    // While it is down: new accounts, then a second leg down.
    const owner = w.signers[9]!;
    const laterIds = await w.openAccounts([
      { owner, depositUsd: 340n, trades: [{ market: 0, usd: 10_000n }] }, // 30x long BTC
      { owner, isolated: 1, depositUsd: 340n, trades: [{ market: 1, usd: 10_000n }] }, // 30x long ETH, isolated
      { owner, depositUsd: 5_000n, trades: [{ market: 0, usd: 10_000n }] }, // 2x: stays healthy
      ...crashSpecs(w, 5, 4),
    ]);
    const crash2 = await crashInOneBlock(w, node.url, [-4, -4, -4]);
    const allIds = [...firstIds, ...laterIds];
    const owed = await liquidatableAt(w, allIds, crash2);
    expect(
      [...owed].some((id) => laterIds.includes(id)),
      "an account opened while the keeper was down",
    ).to.equal(true);

    const second = spawnKeeperCli(args);
    try {
      await waitFor(
        async () => (await w.liquidatable(allIds)).size === 0,
        "every account to be liquidated",
        40_000,
        200,
      );
      const resumed = second.logs.find((line) => line.msg === "resuming from the stored index");
      expect(resumed, "resumed from the stored index").to.not.equal(undefined);
      expect(BigInt(resumed!.fromBlock as number)).to.be.greaterThan(BigInt(w.deployment.deploymentBlock) + 10n);
      expect(
        second.logs.some((line) => line.msg === "no stored index: backfilling from the deployment block"),
      ).to.equal(false);
      const done = new Set((await liquidationEvents(w, crash2)).map((e) => e.accountId));
      for (const id of owed) expect(done.has(id), `account ${id} liquidated after the restart`).to.equal(true);
    } finally {
      expect(await stopProcess(second.child, "SIGTERM"), "graceful exit code").to.equal(0);
    }
    expect(second.logs.some((line) => line.msg === "stopped")).to.equal(true);
  });

  it("rides out an RPC outage and liquidates once the node is back", async () => {
    const w = await world("outage");
    const ids = await w.openAccounts(crashSpecs(w, 16, 5));
    const proxy = await startProxy(node.port);
    const { logger, entries } = memoryLogger();
    const { keeper, metrics } = await keeperFor(w, proxy.url, 14, {
      logger,
      staleAfterMs: 1_000,
      backoff: { initialMs: 100, maxMs: 800 },
    });
    void keeper.start();
    try {
      await waitFor(() => keeper.view?.accountCount === 16, "the keeper to index");
      proxy.pause();
      const crashBlock = await crashInOneBlock(w, node.url, [-12, -15, -18]);
      const liquidatable = await liquidatableAt(w, ids, crashBlock);
      expect(liquidatable.size).to.be.greaterThan(0);
      await waitFor(() => !keeper.health().ok, "/health to report the outage", 10_000);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect((await liquidationEvents(w, crashBlock)).length, "nothing liquidated during the outage").to.equal(0);

      proxy.resume();
      await waitFor(async () => (await w.liquidatable(ids)).size === 0, "liquidations after the outage");
      await waitFor(() => keeper.health().ok, "/health to recover", 10_000);
      expect(new Set((await liquidationEvents(w, crashBlock)).map((e) => e.accountId))).to.deep.equal(liquidatable);
      expect(await KeeperMetrics.value(metrics.rpcErrors)).to.be.greaterThan(0);
      expect(entries.some((e) => e.msg === "keeper iteration failed: retrying")).to.equal(true);
      expect(entries.some((e) => e.msg === "recovered")).to.equal(true);
    } finally {
      await keeper.stop();
      await proxy.close();
    }
  });

  it("refuses to start with a clear error: missing file, unreachable RPC, wrong chain, no funds", async () => {
    const w = await world("errors");
    const good = join(tmp, "errors.json");
    const wrongChain = join(tmp, "wrong-chain.json");
    writeFileSync(good, JSON.stringify(w.deployment));
    writeFileSync(wrongChain, JSON.stringify({ ...w.deployment, chainId: 1 }));
    const deadPort = await freePort();
    const unfunded = `0x${"11".repeat(32)}`;
    const run = async (args: string[]) => {
      const cli = spawnKeeperCli([...args, "--metrics-port", "0", "--db", ":memory:"]);
      return { code: await cli.exited, stderr: cli.stderr() };
    };
    const [missing, unreachable, chain, funds] = await Promise.all([
      run(["--rpc", node.url, "--deployment", join(tmp, "nope.json"), "--private-key", devKey(15)]),
      run(["--rpc", `http://127.0.0.1:${deadPort}`, "--deployment", good, "--private-key", devKey(15)]),
      run(["--rpc", node.url, "--deployment", wrongChain, "--private-key", devKey(15)]),
      run(["--rpc", node.url, "--deployment", good, "--private-key", unfunded]),
    ]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/Deployment file not found: .*nope\.json/);
    expect(unreachable.code).to.equal(2);
    expect(unreachable.stderr).to.match(/Cannot reach http:\/\/127\.0\.0\.1:\d+/);
    expect(chain.code).to.equal(2);
    expect(chain.stderr).to.match(/Wrong chain: .* is chain 31337, but the deployment file is for chain 1/);
    expect(funds.code).to.equal(2);
    expect(funds.stderr).to.match(/has no native token on chain 31337/);
  });
});
