/**
 * One stress run: node → deployment → population and agents → keepers → the scenario, block by block, with the
 * lab's clock → figures from the chain (metrics.ts) → report files (report.ts).
 *
 * The loop, per price update at scenario time t:
 *   1. the agents' transactions due before t (JIT LP, churning LPs, stakers) get a block of their own;
 *   2. the feeds are set and mined in the price block, stamped t (after the previous block);
 *   3. lag N: every keeper is frozen (proxy holds its requests) while the next N blocks are mined, then released;
 *   4. keeper rounds: wait until every keeper is quiet, mine its liquidations one block later (blockSeconds),
 *      again, until no keeper sends anything or the next update is due.
 * During a keeper outage the keepers are killed (SIGKILL) and started again on their saved index.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { toHex } from "viem";
import { insurancePoolAbi } from "../../sdk/src/abi/insurancePool.js";
import { mockAggregatorAbi } from "../../sdk/src/abi/mockAggregator.js";
import { LOCAL_MARKETS, type MarketConfig } from "../lib/config.js";
import { feedAnswer } from "../lib/pricePaths.js";
import { Agents } from "./agents.js";
import { deployLab } from "./deploy.js";
import { KeeperProcess } from "./keepers.js";
import { collectMetrics, type RunMetrics } from "./metrics.js";
import { type Hex, type LabNode, Miner, startNode } from "./node.js";
import { openPopulation, planPopulation } from "./population.js";
import { buildScenario, readScenarioFile } from "./scenarios.js";
import { readContract, Wallets } from "./wallets.js";

export interface RunOptions {
  scenario: string;
  accounts: number;
  seed: number;
  /** Blocks the keepers are blind after each price update. */
  keeperLag: number;
  keepers: number;
  /** Insurance staked at the start, USD (default: the demo's 3,000). */
  insuranceUsd: number;
  /** Base fee per gas of every block, gwei (the node's fee market otherwise drifts to ~0 on empty blocks). */
  baseFeeGwei: number;
  keeperPollMs: number;
  /** Extra arguments for every keeper process. */
  keeperArgs: string[];
  /** Where reports go: <outDir>/<scenario>-<seed>/ (plus a suffix for non-default sweeps). */
  outDir: string;
  runLabel?: string;
  markets?: readonly MarketConfig[];
  /** Progress callback: (done, total, label). */
  onProgress?: (done: number, total: number, status: string) => void;
  log?: (message: string) => void;
}

export interface UpdateRecord {
  index: number;
  t: number;
  block: bigint;
  prices: Record<string, number>;
  oracle: Record<string, number>;
}

export interface RunContext {
  options: RunOptions;
  runDir: string;
  node: LabNode;
  deployment: Awaited<ReturnType<typeof deployLab>>["deployment"];
  lens: Hex;
  markets: readonly MarketConfig[];
  traderIds: bigint[];
  agentAccountIds: bigint[];
  updates: UpdateRecord[];
  startBlock: bigint;
  endBlock: bigint;
  keepers: KeeperProcess[];
  agents: Awaited<ReturnType<Agents["results"]>>;
  population: ReturnType<typeof planPopulation>;
  scenario: ReturnType<typeof buildScenario>;
  timings: { setupSeconds: number; scenarioSeconds: number; metricsSeconds: number; totalSeconds: number };
  loop: { blocks: number; keeperRounds: number; quietTimeouts: number; frozenBlocks: number; restarts: number };
}

export const DEFAULTS = {
  accounts: 1000,
  seed: 1,
  keeperLag: 0,
  keepers: 1,
  insuranceUsd: 3_000,
  baseFeeGwei: 1,
  keeperPollMs: 20,
};

export async function runScenario(options: RunOptions): Promise<{ context: RunContext; metrics: RunMetrics }> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const markets = options.markets ?? LOCAL_MARKETS;
  const file = readScenarioFile(options.scenario);
  const scenario = buildScenario(file, Object.fromEntries(markets.map((m) => [m.symbol, m.initialPriceUsd])));
  // <scenario>-<seed>, plus the size when it is not the default, so that a 10,000-account run keeps its own folder.
  const size = options.accounts === DEFAULTS.accounts ? "" : `-${options.accounts}`;
  const runDir = join(options.outDir, options.runLabel ?? `${options.scenario}-${options.seed}${size}`);
  mkdirSync(runDir, { recursive: true });

  const node = await startNode();
  const keepers: KeeperProcess[] = [];
  try {
    log(`node ${node.url}; deploying`);
    const lab = await deployLab({ url: node.url, port: node.port, runDir, markets });
    await lab.close();
    const { deployment } = lab;
    const { rpc } = node;
    const wallets = new Wallets(rpc);
    const miner = new Miner(rpc);

    log(`opening ${options.accounts} trader accounts`);
    const population = planPopulation(options.accounts, options.seed, markets);
    const traderIds = await openPopulation({
      wallets,
      from: lab.admin,
      opener: lab.opener,
      deployment,
      plan: population,
      collateralDecimals: deployment.collateralDecimals,
    });
    const cooldown = Number(
      await readContract<number>(rpc, {
        to: deployment.insurancePool,
        abi: insurancePoolAbi,
        functionName: "cooldown",
        args: [],
      }),
    );
    const agents = new Agents({
      rpc,
      wallets,
      deployment,
      markets,
      insuranceUsd: options.insuranceUsd,
      primaryMarket: file.primaryMarket,
      durationSeconds: scenario.durationSeconds,
      worstLeg: scenario.worstLeg,
      insuranceCooldown: cooldown,
    });
    await agents.setup();
    const agentAccountIds = agents.books.flatMap((b) => (b.accountId === undefined ? [] : [b.accountId]));

    for (let i = 0; i < options.keepers; i++) {
      keepers.push(
        new KeeperProcess(i, {
          nodeUrl: node.url,
          deploymentFile: lab.deploymentFile,
          runDir,
          pollIntervalMs: options.keeperPollMs,
          extraArgs: options.keeperArgs,
        }),
      );
    }
    await rpc.batch(keepers.map((k) => ["hardhat_setBalance", [k.address, toHex(10n ** 21n)]] as const));
    log(`starting ${keepers.length} keeper process(es)`);
    await Promise.all(keepers.map((k) => k.start()));

    // From here on the lab mines every block.
    await miner.manual();
    const baseFee = toHex(BigInt(Math.round(options.baseFeeGwei * 1e9)));
    let head = await miner.latest();
    const t0 = head.timestamp + 60n;
    const loop = { blocks: 0, keeperRounds: 0, quietTimeouts: 0, frozenBlocks: 0, restarts: 0 };
    const mine = async (at: bigint) => {
      const ts = at > head.timestamp ? at : head.timestamp + 1n;
      await rpc.call("hardhat_setNextBlockBaseFeePerGas", [baseFee]);
      await rpc.call("evm_mine", [Number(ts)]);
      head = { number: head.number + 1n, timestamp: ts };
      loop.blocks++;
      for (const k of keepers) k.proxy.mark(head.number);
      return head.number;
    };
    const quiet = async () => {
      const live = keepers.filter((k) => k.running);
      const results = await Promise.all(live.map((k) => k.proxy.quiet({ timeoutMs: 8_000 })));
      loop.quietTimeouts += results.filter((ok) => !ok).length;
    };
    const pending = () => miner.pendingCount();
    // Let the keepers index the population before the clock starts.
    await mine(head.timestamp + 12n);
    await quiet();
    const startBlock = head.number;

    const setupSeconds = (performance.now() - started) / 1000;
    const scenarioStarted = performance.now();
    const bs = BigInt(file.blockSeconds);
    const updates: UpdateRecord[] = [];
    let frozenSince: bigint | undefined;
    const total = scenario.updates.length;
    for (const [index, update] of scenario.updates.entries()) {
      const at = t0 + BigInt(update.t);
      const nextAt = index + 1 < total ? t0 + BigInt(scenario.updates[index + 1]!.t) : undefined;

      // Keeper outage: down from `from` to `to` (killed like a crash; restarted on its saved index).
      const outage = scenario.outage;
      const down = outage !== undefined && update.t >= outage.from && update.t < outage.to;
      if (down) {
        for (const k of keepers) if (k.running) await k.kill();
      } else if (keepers.some((k) => !k.running)) {
        frozenSince = undefined;
        for (const k of keepers) k.proxy.unfreeze();
        await Promise.all(keepers.filter((k) => !k.running).map((k) => k.start()));
        loop.restarts++;
      }

      if ((await agents.beforeUpdate(update.t, at - 1n)) > 0) await mine(at - 1n);
      await rpc.batch(
        deployment.markets.map((market) => [
          "eth_sendTransaction",
          [
            {
              from: lab.admin,
              to: market.feed,
              data: Wallets.data({
                to: market.feed,
                abi: mockAggregatorAbi,
                functionName: "setAnswer",
                args: [feedAnswer(update.oracle[market.symbol]!)],
              }),
              gas: toHex(200_000n),
            },
          ],
        ]),
      );
      const block = await mine(at);
      updates.push({ index, t: update.t, block, prices: update.prices, oracle: update.oracle });
      options.onProgress?.(index + 1, total, `t=${formatT(update.t)} block ${block}`);
      if (down) continue;

      const roomFor = (n: bigint) => nextAt === undefined || head.timestamp + n * bs < nextAt;
      if (options.keeperLag > 0) {
        if (frozenSince === undefined) {
          frozenSince = block;
          for (const k of keepers) k.proxy.freeze();
        }
        while (head.number - frozenSince < BigInt(options.keeperLag) && roomFor(1n)) {
          await mine(head.timestamp + bs);
          loop.frozenBlocks++;
        }
        if (head.number - frozenSince < BigInt(options.keeperLag)) continue;
        frozenSince = undefined;
        for (const k of keepers) {
          k.proxy.mark(head.number);
          k.proxy.unfreeze();
        }
      }
      await quiet();
      for (let round = 0; round < 40 && roomFor(1n); round++) {
        if ((await pending()) === 0) break;
        await mine(head.timestamp + bs);
        loop.keeperRounds++;
        await quiet();
      }
    }
    // Drain: the keepers finish what the last update left them.
    frozenSince = undefined;
    for (const k of keepers) k.proxy.unfreeze();
    if (keepers.some((k) => !k.running)) await Promise.all(keepers.filter((k) => !k.running).map((k) => k.start()));
    await quiet();
    for (let round = 0; round < 60; round++) {
      if ((await pending()) === 0) break;
      await mine(head.timestamp + bs);
      loop.keeperRounds++;
      await quiet();
    }
    const endBlock = head.number;
    const scenarioSeconds = (performance.now() - scenarioStarted) / 1000;

    // Keepers stop (mining whatever they still have in flight), then the agents settle with automine on.
    await Promise.all(
      keepers.map(async (k) => {
        const stopping = k.stop();
        const ticker = setInterval(() => void mine(head.timestamp + bs).catch(() => {}), 200);
        await stopping;
        clearInterval(ticker);
      }),
    );
    await miner.automatic();
    await agents.finish();
    const agentResults = await agents.results();

    const metricsStarted = performance.now();
    const context: RunContext = {
      options,
      runDir,
      node,
      deployment,
      lens: lab.lens,
      markets,
      traderIds,
      agentAccountIds,
      updates,
      startBlock,
      endBlock,
      keepers,
      agents: agentResults,
      population,
      scenario,
      timings: { setupSeconds, scenarioSeconds, metricsSeconds: 0, totalSeconds: 0 },
      loop,
    };
    log("collecting figures from the chain");
    const metrics = await collectMetrics(context);
    context.timings.metricsSeconds = (performance.now() - metricsStarted) / 1000;
    context.timings.totalSeconds = (performance.now() - started) / 1000;
    metrics.timings = context.timings;
    return { context, metrics };
  } finally {
    for (const k of keepers) await k.close().catch(() => {});
    await node.stop();
  }
}

export function formatT(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = seconds % 60;
  return `${d ? `${d}d` : ""}${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s || seconds === 0 ? `${s}s` : ""}`;
}
