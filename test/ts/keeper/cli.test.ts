/**
 * The keeper as operators run it, against a real `hardhat node`:
 * - `npm run keeper` configured by a config file, the environment (fallback RPCs, the first one dead) and a flag,
 *   with its key in a file: it liquidates what pays, skips a bankrupt account as unprofitable, and on SIGTERM to the
 *   npm process the keeper process itself shuts down cleanly (before the fix it stayed behind as an orphan);
 * - a private submission endpoint receives the signed transactions and nothing else, reads go to the public RPC,
 *   and the max fee is a cap.
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
import { createKeeper } from "../../../sdk/src/keeper/create.js";
import { KeeperMetrics } from "../../../sdk/src/keeper/metrics.js";
import {
  freePort,
  type HardhatNode,
  isAlive,
  rpcCall,
  spawnNpmKeeper,
  startHardhatNode,
  startRpcRecorder,
  stopProcess,
  waitFor,
} from "../helpers/hardhatNode.js";
import { deployWorld, type World } from "../helpers/keeperWorld.js";

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const devKey = (index: number) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${index}`).privateKey as Hex;

describe("keeper as operators run it", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  let connection: NetworkConnection;
  const deploymentIds: string[] = [];
  const tmp = mkdtempSync(join(tmpdir(), "ballast-keeper-cli-"));

  async function world(tag: string): Promise<World> {
    const id = `test-keeper-cli-${tag}-${node.port}`;
    deploymentIds.push(id);
    return deployWorld(connection, id);
  }

  /** A 30x BTC long (liquidatable, pays a reward after −3 %) and a 45x one (bankrupt after −3 %: pays nothing). */
  async function openPair(w: World): Promise<{ paying: bigint; bankrupt: bigint }> {
    const owner = w.signers[9]!;
    const [paying, bankrupt] = await w.openAccounts([
      { owner, depositUsd: 340n, trades: [{ market: 0, usd: 10_000n }] },
      { owner, depositUsd: 222n, trades: [{ market: 0, usd: 10_000n }] },
    ]);
    return { paying: paying!, bankrupt: bankrupt! };
  }

  async function liquidatedSince(w: World, fromBlock: number): Promise<bigint[]> {
    const events = await w.core.queryFilter(w.core.filters.AccountLiquidated(), fromBlock);
    return events.map((e) => e.args.accountId);
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

  it("npm run keeper: config file + env + flag, skips the unprofitable, and exits cleanly on SIGTERM to npm", async () => {
    const w = await world("npm");
    const { paying, bankrupt } = await openPair(w);
    const deploymentFile = join(tmp, "npm.json");
    const keyFile = join(tmp, "key.txt");
    const configFile = join(tmp, "keeper.json");
    writeFileSync(deploymentFile, JSON.stringify(w.deployment));
    writeFileSync(keyFile, `${devKey(17)}\n`);
    writeFileSync(
      configFile,
      JSON.stringify({
        deployment: deploymentFile,
        privateKeyFile: keyFile,
        metricsPort: 0,
        db: ":memory:",
        pollInterval: 100,
        batchSize: 3,
      }),
    );
    const dead = `http://127.0.0.1:${await freePort()}`;
    const env = { ...process.env, BALLAST_RPC_URL: `${dead},${node.url}`, BALLAST_KEEPER_PRIVATE_KEY: "" };
    const keeper = spawnNpmKeeper(["--config", configFile, "--batch-size", "4", "--reorg-depth", "2"], env);
    try {
      const started = await waitFor(
        () => keeper.logs.find((line) => line.msg === "keeper started"),
        `the keeper to start (stderr: ${keeper.stderr()})`,
        60_000,
      );
      expect(started.sources).to.include({
        rpc: "env",
        deployment: "config",
        privateKeyFile: "config",
        batchSize: "flag",
        minProfitUsd: "default",
      });
      expect(started.rpc).to.deep.equal([new URL(dead).origin, new URL(node.url).origin]);
      expect(started.balanceWei, "bigints are logged as strings").to.be.a("string");
      const pid = started.pid as number;
      expect(isAlive(pid)).to.equal(true);
      await waitFor(
        () => keeper.logs.some((line) => line.msg === "no stored index: backfilling from the deployment block"),
        "the first sync",
      );
      // Let the backfill finish (a few polls) before prices move.
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      const from = Number(await rpcCall(node.url, "eth_blockNumber"));
      await w.setPrices({ 0: (w.prices[0]! * 97n) / 100n });
      await waitFor(async () => (await liquidatedSince(w, from)).includes(paying), "the paying account liquidated");
      const skipped = await waitFor(
        () => keeper.logs.find((line) => line.msg === "liquidation skipped: unprofitable"),
        "the bankrupt account skipped",
      );
      expect(skipped).to.include({ accountId: bankrupt.toString(), reason: "skipped_unprofitable", rewardUsd: "0" });
      expect(await liquidatedSince(w, from)).to.not.include(bankrupt);
      expect((await w.liquidatable([bankrupt])).has(bankrupt), "left alone, still liquidatable").to.equal(true);

      // SIGTERM to npm (what a supervisor or a terminal sends): npm passes it on, and the keeper is npm's child.
      const npmCode = await stopProcess(keeper.child, "SIGTERM");
      await waitFor(() => !isAlive(pid), "the keeper process to exit", 15_000);
      expect(npmCode, "npm exits with the keeper's code").to.equal(0);
      const shutdown = keeper.logs.find((line) => line.msg === "shutting down: waiting for transactions in flight");
      expect(shutdown?.signal).to.equal("SIGTERM");
      expect(keeper.logs.some((line) => line.msg === "stopped")).to.equal(true);
    } finally {
      const pid = keeper.logs.find((line) => line.msg === "keeper started")?.pid as number | undefined;
      if (pid !== undefined && isAlive(pid)) process.kill(pid, "SIGKILL");
      await stopProcess(keeper.child, "SIGKILL");
    }
  });

  it("sends through the private endpoint only, reads from the public one, and caps the max fee", async () => {
    const w = await world("private");
    const { paying } = await openPair(w);
    const reads = await startRpcRecorder(node.url);
    const submit = await startRpcRecorder(node.url);
    const base = BigInt(
      ((await rpcCall(node.url, "eth_getBlockByNumber", ["latest", false])) as { baseFeePerGas: string }).baseFeePerGas,
    );
    const priority = 10n ** 9n;
    // Between base + priority (enough to be mined) and 2 × base + priority (what it would offer uncapped).
    const cap = (base * 3n) / 2n + priority;
    const { keeper } = await createKeeper({
      transport: http(reads.url, { retryCount: 0 }),
      submitTransport: http(submit.url, { retryCount: 0 }),
      deployment: w.deployment,
      account: privateKeyToAccount(devKey(18)),
      pollIntervalMs: 100,
      reorgDepth: 2,
      metrics: new KeeperMetrics(),
      gas: { maxFeePerGas: cap, maxPriorityFeePerGas: priority },
    });
    void keeper.start();
    try {
      await waitFor(() => keeper.view?.accountCount === 2, "the keeper to index");
      const from = Number(await rpcCall(node.url, "eth_blockNumber"));
      await w.setPrices({ 0: (w.prices[0]! * 97n) / 100n });
      await waitFor(async () => (await liquidatedSince(w, from)).includes(paying), "the liquidation");
    } finally {
      await keeper.stop();
      await reads.close();
      await submit.close();
    }
    expect(new Set(submit.methods)).to.deep.equal(new Set(["eth_sendRawTransaction"]));
    expect(reads.methods).to.not.include("eth_sendRawTransaction");
    expect(reads.methods).to.include("eth_getLogs");
    const events = await w.core.queryFilter(w.core.filters.AccountLiquidated(), 0);
    const tx = (await rpcCall(node.url, "eth_getTransactionByHash", [events.at(-1)!.transactionHash])) as {
      maxFeePerGas: string;
      maxPriorityFeePerGas: string;
    };
    expect(BigInt(tx.maxFeePerGas), "the cap binds").to.equal(cap);
    expect(BigInt(tx.maxPriorityFeePerGas)).to.equal(priority);
  });
});
