/**
 * One keeper process settles orders AND liquidates, with one key, against a REAL `hardhat node` (spawned here):
 * the feeder (scripts/feeder.ts) moves the mock feeds along a path with a −5 % step and serves the same prices as
 * Hermes (`--hermes-port`); the keeper CLI (scripts/keeper.ts, `--hermes-url`) follows the order book while traders
 * commit orders round after round, before and after the drop. Every order ends settled by the keeper (one cancelled
 * at settlement for slippage, counted by reason), the 30x account is liquidated by the same key, and the keeper's
 * transactions carry consecutive nonces and all succeed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { HDNodeWallet, MaxUint256, Mnemonic } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { WAD } from "../../../scripts/lib/config.js";
import {
  freePort,
  type HardhatNode,
  type KeeperProcess,
  rpcCall,
  spawnKeeperCli,
  spawnLogged,
  startHardhatNode,
  stopProcess,
  waitFor,
} from "../helpers/hardhatNode.js";
import { deployWorld, type World } from "../helpers/keeperWorld.js";

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const devKey = (index: number) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${index}`).privateKey as Hex;

/** Prometheus text → { "name{labels}": value }. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe("keeper end to end: one process settles orders and liquidates with one key", function () {
  this.timeout(240_000);
  let node: HardhatNode;
  let connection: NetworkConnection;
  let w: World;
  const tmp = mkdtempSync(join(tmpdir(), "ballast-keeper-orders-"));
  const deploymentId = () => `test-keeper-orders-${node.port}`;
  const processes: KeeperProcess[] = [];

  before(async () => {
    node = await startHardhatNode();
    connection = await network.create({ network: "localhost", override: { url: node.url } });
    w = await deployWorld(connection, deploymentId());
  });

  after(async () => {
    for (const p of processes) await stopProcess(p.child, "SIGKILL");
    await connection?.close();
    await node?.stop();
    rmSync(join("ignition", "deployments", deploymentId()), { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it("settles every committed order through Hermes and liquidates the account the drop sinks, nonces in order", async () => {
    const deploymentFile = join(tmp, "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(w.deployment));
    const keeperKey = devKey(10);
    const keeperAddress = privateKeyToAccount(keeperKey).address;
    // The account the drop sinks: 30x long BTC. The traders: $8,000 of margin each, $2,000 orders.
    const [sinking] = await w.openAccounts([
      { owner: w.signers[9]!, depositUsd: 340n, trades: [{ market: 0, usd: 10_000n }] },
    ]);
    const traders = w.signers.slice(1, 9);
    const traderIds = await w.openAccounts(traders.map((owner) => ({ owner, depositUsd: 8_000n, trades: [] })));

    // The feeder: all three markets, 0 % moves every 300 ms (fresh Hermes prices), one −5 % step at point 30.
    const hermesPort = await freePort();
    const steps = Array.from({ length: 400 }, (_, i) => (i === 30 ? -5 : 0)).join(",");
    const feeder = spawnLogged(process.execPath, [
      "--import",
      "tsx",
      "scripts/feeder.ts",
      "--rpc",
      node.url,
      "--deployment",
      deploymentFile,
      "--private-key",
      devKey(11),
      "--path",
      "steps",
      "--steps",
      steps,
      "--interval",
      "300",
      "--hermes-port",
      String(hermesPort),
      "--hermes-linger",
      "0",
    ]);
    processes.push(feeder);
    await waitFor(
      () => feeder.logs.some((line) => String(line.msg).includes("Hermes endpoints on")),
      `the feeder's Hermes service (stderr: ${feeder.stderr()})`,
      60_000,
    );

    const metricsPort = await freePort();
    const keeper = spawnKeeperCli([
      "--rpc",
      node.url,
      "--deployment",
      deploymentFile,
      "--private-key",
      keeperKey,
      "--hermes-url",
      `http://127.0.0.1:${hermesPort}`,
      "--db",
      ":memory:",
      "--metrics-port",
      String(metricsPort),
      "--poll-interval",
      "100",
      "--reorg-depth",
      "2",
      "--min-profit-usd",
      "-1000",
    ]);
    processes.push(keeper);
    const started = await waitFor(
      () => keeper.logs.find((line) => line.msg === "keeper started"),
      `the keeper to start (stderr: ${keeper.stderr()})`,
      60_000,
    );
    expect(started.settleOrders).to.deep.equal({ hermes: `http://127.0.0.1:${hermesPort}`, batchSize: 20 });
    expect((started.sources as Record<string, string>).hermesUrl).to.equal("flag");
    const firstBlock = BigInt((await rpcCall(node.url, "eth_blockNumber")) as string);

    // Rounds of orders, one per trader, in market round % 3, alternating sides; each round waits for the keeper to
    // settle it. Rounds go on until the drop has sunk the 30x account and one more round has settled after its
    // liquidation. One order (round 1, trader 0) is a sell with a minimum far above the price: cancelled.
    const liquidation = async () => {
      const events = await w.core.queryFilter(w.core.filters.AccountLiquidated(sinking), Number(firstBlock));
      return events[0];
    };
    const committed: { id: bigint; market: number }[] = [];
    let liquidatedBlock: number | undefined;
    let roundsAfter = 0;
    for (let round = 0; round < 20 && roundsAfter < 2; round++) {
      const market = round % 3;
      const price = w.prices[market]!;
      for (const [i, owner] of traders.entries()) {
        const size = ((i % 2 === 0 ? 2_000n : -2_000n) * WAD) / price;
        // Round 1, trader 0: a buy with a maximum price of 10^-18 USD, cancelled at settlement (SlippageExceeded).
        const bound = round === 1 && i === 0 ? 1n : size > 0n ? MaxUint256 : 0n;
        await w.trader.commit(owner, traderIds[i]!, market, size, bound);
        committed.push({ id: traderIds[i]!, market });
      }
      await waitFor(
        async () => {
          for (const id of traderIds) if ((await w.orderBook.getOrder(id, market)).sizeDelta !== 0n) return false;
          return true;
        },
        `round ${round} settled`,
        60_000,
        100,
      );
      if (liquidatedBlock !== undefined) roundsAfter++;
      else liquidatedBlock = (await liquidation())?.blockNumber;
    }
    expect(liquidatedBlock, "the 30x account liquidated while orders were being settled").to.not.equal(undefined);
    expect(roundsAfter, "rounds settled after the liquidation").to.equal(2);
    const liquidated = (await liquidation())!;
    expect(liquidated.args.liquidator).to.equal(keeperAddress);

    // Every order the keeper settled: filled or cancelled (slippage) by the keeper's key.
    const lastBlock = await connection.ethers.provider.getBlockNumber();
    const settled = await w.orderBook.queryFilter(w.orderBook.filters.OrderSettled(), Number(firstBlock));
    const cancelled = await w.orderBook.queryFilter(w.orderBook.filters.OrderCancelled(), Number(firstBlock));
    expect(settled.length + cancelled.length).to.equal(committed.length);
    expect(cancelled.map((e) => e.args.reasonSelector)).to.deep.equal([
      w.core.interface.getError("SlippageExceeded")!.selector,
    ]);
    expect(new Set([...settled, ...cancelled].map((e) => e.args.keeper))).to.deep.equal(new Set([keeperAddress]));
    const settleBlocks = settled.map((e) => e.blockNumber);
    expect(Math.min(...settleBlocks), "settlements before the liquidation").to.be.lessThan(liquidatedBlock!);
    expect(Math.max(...settleBlocks), "and after it").to.be.greaterThan(liquidatedBlock!);

    // One key, one nonce sequence: every transaction of the keeper, liquidations and settlements, in nonce order
    // with no gap or reuse, all successful.
    const kinds = new Map<string, number>();
    const nonces: number[] = [];
    for (let n = Number(firstBlock); n <= lastBlock; n++) {
      const block = await connection.ethers.provider.getBlock(n, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (tx.from.toLowerCase() !== keeperAddress.toLowerCase()) continue;
        nonces.push(tx.nonce);
        const to = tx.to?.toLowerCase();
        const kind =
          to === w.deployment.core.toLowerCase()
            ? "liquidate"
            : to === w.deployment.orderBook!.toLowerCase()
              ? "settle"
              : "other";
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        const receipt = await connection.ethers.provider.getTransactionReceipt(tx.hash);
        expect(receipt?.status, `keeper transaction ${tx.hash} succeeded`).to.equal(1);
      }
    }
    expect(nonces).to.deep.equal(nonces.map((_, i) => i));
    expect(kinds.get("liquidate")).to.be.greaterThan(0);
    expect(kinds.get("settle")).to.be.greaterThan(0);
    expect(kinds.get("other") ?? 0).to.equal(0);
    const errors = keeper.logs.filter((line) => (line.level as number) >= 50);
    expect(errors, "no error logged (nonce or other)").to.deep.equal([]);
    expect(keeper.logs.some((line) => /nonce/i.test(JSON.stringify(line)))).to.equal(false);

    // Its metrics: nothing pending, every fill counted, the cancellation by reason.
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const metrics = parseMetrics(text);
    expect(metrics.get("ballast_orders_pending")).to.equal(0);
    expect(metrics.get("ballast_orders_settled_total")).to.equal(settled.length);
    expect(metrics.get('ballast_order_settlements_failed_total{reason="SlippageExceeded"}')).to.equal(1);
    expect(metrics.get("ballast_order_settle_latency_blocks_count")).to.equal(committed.length);
    expect(metrics.get("ballast_keeper_liquidations_confirmed_total")).to.equal(1);
    console.log(
      `      [keeper] ${committed.length} orders (${settled.length} filled, ${cancelled.length} cancelled) in ${kinds.get("settle")} settleMany and ${kinds.get("liquidate")} liquidateMany from one key, nonces 0–${nonces.length - 1}`,
    );

    expect(await stopProcess(keeper.child, "SIGTERM"), "graceful exit").to.equal(0);
  });

  it("--no-settle-orders leaves orders alone even with a Hermes URL", async () => {
    const deploymentFile = join(tmp, "deployment.json");
    const cli = spawnKeeperCli([
      "--rpc",
      node.url,
      "--deployment",
      deploymentFile,
      "--hermes-url",
      "http://127.0.0.1:9",
      "--no-settle-orders",
      "--dry-run",
      "--db",
      ":memory:",
      "--metrics-port",
      "0",
    ]);
    processes.push(cli);
    const started = await waitFor(
      () => cli.logs.find((line) => line.msg === "keeper started"),
      `the keeper to start (stderr: ${cli.stderr()})`,
      60_000,
    );
    expect(started.settleOrders).to.equal(false);
    expect((started.sources as Record<string, string>).settleOrders).to.equal("flag");
    expect(await stopProcess(cli.child, "SIGTERM")).to.equal(0);
  });
});
