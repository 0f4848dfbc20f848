/**
 * The keeper's off-chain view equals the chain's.
 *
 * Differential: a random history (cross and isolated accounts, trades, deposits, withdrawals, price moves, time
 * passing with funding, liquidations, a margin-table ramp, a funding-parameter change) is indexed from events only,
 * and at every checkpoint the keeper's `accountHealth` (SDK math over the index) must equal `core.accountHealth(id)`
 * at the same block, field for field. Then: the index survives a SQLite round trip and a chunked backfill, and
 * reorgs inside and beyond the re-read window leave it equal to a fresh index of the new chain.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { network } from "hardhat";
import { createPublicClient, custom, type PublicClient } from "viem";
import { wad } from "../../../scripts/lib/config.js";
import { accountHealth } from "../../../sdk/src/keeper/health.js";
import { EventIndexer } from "../../../sdk/src/keeper/indexer.js";
import { Keeper } from "../../../sdk/src/keeper/keeper.js";
import { OraclePriceSource } from "../../../sdk/src/keeper/prices.js";
import { MemoryStore, SqliteStore } from "../../../sdk/src/keeper/store.js";
import type { AccountHealth, ChainHead, Executor, IndexView } from "../../../sdk/src/keeper/types.js";
import { type AccountSpec, deployWorld, prng, type World } from "../helpers/keeperWorld.js";

const connection = await network.create();
const client = createPublicClient({ transport: custom(connection.provider) }) as PublicClient;

async function head(): Promise<ChainHead> {
  const block = await client.getBlock({ blockTag: "latest" });
  return { number: block.number, hash: block.hash, timestamp: block.timestamp };
}

const FIELDS: (keyof AccountHealth)[] = [
  "margin",
  "equity",
  "initialMargin",
  "maintenanceMargin",
  "totalNotional",
  "healthFactor",
  "marginRatio",
  "withdrawable",
  "liquidatable",
];

/** Compares every indexed account with the chain at the view's block; returns what was seen. */
async function compareWithChain(world: World, view: IndexView) {
  const prices = await new OraclePriceSource(client, world.deployment.multicall3, world.deployment.core).getPrices(
    view.head,
    view.markets(),
    view.oracle!,
  );
  let withPositions = 0;
  let liquidatable = 0;
  for (const account of view.accounts()) {
    const offChain = accountHealth(account, view.market, prices, view.head.timestamp);
    const onChain = await world.core.accountHealth(account.accountId, { blockTag: view.head.number });
    for (const field of FIELDS) {
      expect(offChain[field], `account ${account.accountId} ${field} at block ${view.head.number}`).to.equal(
        onChain[field],
      );
    }
    if (account.positions.size > 0) withPositions++;
    if (onChain.liquidatable) liquidatable++;
  }
  return { withPositions, liquidatable };
}

function snapshotOf(view: IndexView) {
  const json = (value: unknown) =>
    JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v instanceof Map ? [...v.entries()] : v));
  const accounts = [...view.accounts()].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  return { markets: json(view.markets()), accounts: json(accounts), count: view.accountCount };
}

describe("keeper: off-chain health equals the chain's", function () {
  this.timeout(120_000);
  let world: World;
  let ids: bigint[] = [];

  before(async () => {
    world = await deployWorld(connection);
  });

  it("matches core.accountHealth field for field over a random history", async () => {
    const rng = prng(0xba11a57);
    const owners = world.signers.slice(1, 9);
    const specs: AccountSpec[] = [];
    for (let i = 0; i < 24; i++) {
      const isolated = i % 4 === 3 ? i % 3 : undefined;
      const markets = isolated !== undefined ? [isolated] : [0, 1, 2].filter(() => rng.chance(0.6));
      const trades = markets.map((market) => ({
        market,
        usd: BigInt(rng.int(1_000, 20_000)) * (rng.chance(0.3) ? -1n : 1n),
      }));
      const notional = trades.reduce((sum, t) => sum + (t.usd < 0n ? -t.usd : t.usd), 0n);
      // Leverage 3x–12x (every market's first bracket allows at least 20x).
      const depositUsd = notional / BigInt(rng.int(3, 12)) + 100n;
      specs.push({ owner: owners[i % owners.length]!, isolated, depositUsd, trades });
    }
    ids = await world.openAccounts(specs);

    const indexer = new EventIndexer({
      client,
      deployment: world.deployment,
      store: new MemoryStore(),
      reorgDepth: 4,
      maxBlockRange: 40n,
    });
    const keeperSigner = world.signers[10]!;
    const basePrices = [50_000, 2_000, 150];
    let compared = 0;
    let liquidatableSeen = 0;
    let rampSeen = false;
    let lastView: IndexView | undefined;
    for (let round = 0; round < 24; round++) {
      // Prices drift (and are refreshed, so they never go stale while time passes).
      const moves: Record<number, bigint> = {};
      for (const market of [0, 1, 2]) {
        const factor = 1 + (rng.next() - 0.55) * 0.12;
        moves[market] = BigInt(Math.max(1, Math.round(Number(world.prices[market]!) * factor)));
        if (Number(moves[market]) < basePrices[market]! * 0.5) moves[market] = BigInt(basePrices[market]! * 0.6);
      }
      await world.setPrices(moves);
      for (let action = 0; action < 5; action++) {
        const id = rng.pick(ids);
        const spec = specs[ids.indexOf(id)]!;
        const owner = spec.owner;
        const market = spec.isolated ?? rng.int(0, 2);
        const kind = rng.int(0, 9);
        try {
          if (kind < 5) {
            const usd = BigInt(rng.int(-8_000, 8_000));
            const size = (usd * 10n ** 18n) / world.prices[market]!;
            if (size !== 0n) await world.trader.connect(owner).trade(id, market, size, size > 0n ? MaxUint256 : 0n);
          } else if (kind < 7) {
            await world.core.connect(owner).deposit(id, BigInt(rng.int(1, 500)) * world.unit);
          } else if (kind < 8) {
            await world.core.connect(owner).withdraw(id, BigInt(rng.int(1, 300)) * world.unit, owner.address);
          } else {
            await world.trader
              .connect(owner)
              .closePosition(id, market, 0n)
              .catch(() => undefined);
          }
        } catch {
          // Rejected actions (IM, liquidatable, minimum size, ...) are part of the history too: nothing happens.
        }
      }
      await connection.provider.request({ method: "evm_increaseTime", params: [rng.int(60, 4 * 3600)] });
      await world.setPrices({ 0: world.prices[0], 1: world.prices[1], 2: world.prices[2] });
      if (round === 8) {
        // A stricter BTC table ramping in over 3 days; funding on ETH made twice as sensitive.
        await world.core.setMarginTiers(0, [
          { notionalCap: wad(50_000), initialMarginRate: wad("0.03"), maintenanceMarginRate: wad("0.015") },
          { notionalCap: wad(500_000), initialMarginRate: wad("0.05"), maintenanceMarginRate: wad("0.025") },
          { notionalCap: wad(5_000_000), initialMarginRate: wad("0.1"), maintenanceMarginRate: wad("0.05") },
        ]);
        const [p] = await world.core.getMarket(1);
        await world.core.setMarketParams(1, {
          feedId: p.feedId,
          maxOpenInterestPerSide: p.maxOpenInterestPerSide,
          minPositionNotional: p.minPositionNotional,
          skewScale: p.skewScale,
          takerFeeRate: p.takerFeeRate,
          makerFeeRate: p.makerFeeRate,
          fundingScale: p.fundingScale / 2n,
          maxFundingRatePerSecond: p.maxFundingRatePerSecond,
          marginRampDuration: p.marginRampDuration,
        });
      }
      if (round % 6 === 5) await world.core.connect(keeperSigner).liquidateMany(ids, keeperSigner.address);

      const view = await indexer.sync(await head());
      lastView = view;
      expect(view.accountCount).to.equal(ids.length);
      const seen = await compareWithChain(world, view);
      compared += seen.withPositions;
      liquidatableSeen += seen.liquidatable;
      const [, , rampEnd] = await world.core.marginRamp(0);
      if (view.head.timestamp < rampEnd) rampSeen = true;
    }
    expect(compared, "account-checkpoints with open positions").to.be.greaterThan(200);
    expect(liquidatableSeen, "liquidatable account-checkpoints").to.be.greaterThan(0);
    expect(rampSeen, "a checkpoint during a margin ramp").to.equal(true);
    expect(lastView!.markets().filter((m) => m.state.fundingIndex !== 0n).length, "markets with funding").to.equal(3);
  });

  it("risk scheduling finds exactly what a full scan finds, along a random walk, with far fewer evaluations", async () => {
    const view = await new EventIndexer({
      client,
      deployment: world.deployment,
      store: new MemoryStore(),
      reorgDepth: 0,
    }).sync(await head());
    const start = await new OraclePriceSource(client, world.deployment.multicall3, world.deployment.core).getPrices(
      view.head,
      view.markets(),
      view.oracle!,
    );
    const idle: Executor = {
      address: "0x0000000000000000000000000000000000000001",
      simulate: async () => [],
      execute: async () => ({ status: "skipped", sent: [], liquidated: [], notLiquidatable: [] }),
      balance: async () => 0n,
    };
    const options = {
      blocks: { latest: async () => view.head },
      accounts: { sync: async () => view, close() {} },
      prices: { getPrices: async () => start },
      executor: idle,
    };
    const scheduled = new Keeper(options);
    const full = new Keeper({ ...options, fullScan: true });
    const rng = prng(7);
    const prices = new Map(start);
    let timestamp = view.head.timestamp;
    let evaluatedScheduled = 0;
    let evaluatedFull = 0;
    let liquidatableSteps = 0;
    let first = true;
    for (let step = 0; step < 400; step++) {
      // A downward-drifting walk (within ±0.4% a block, −0.06% on average), 2–12 s blocks; now and then a gap of
      // an hour with a 3% move, where funding and prices both jump.
      const gap = rng.chance(0.02);
      for (const [market, price] of prices) {
        const move = BigInt(Math.round((rng.next() - 0.6) * (gap ? 600 : 80))); // basis points
        prices.set(market, (price * (10_000n + move)) / 10_000n);
      }
      timestamp += BigInt(gap ? 3_600 : rng.int(2, 12));
      const at = {
        ...view,
        head: { ...view.head, timestamp },
        changedAccounts: new Set<bigint>(),
        marketsChanged: first,
      };
      first = false;
      const a = scheduled.scan(at, prices);
      const b = full.scan(at, prices);
      expect(
        scheduled.pending.map((c) => c.accountId),
        `step ${step}`,
      ).to.deep.equal(full.pending.map((c) => c.accountId));
      evaluatedScheduled += a.evaluated;
      evaluatedFull += b.evaluated;
      if (b.unhealthy > 0) liquidatableSteps++;
    }
    expect(liquidatableSteps, "steps with liquidatable accounts").to.be.greaterThan(20);
    expect(evaluatedScheduled, "evaluations saved by scheduling").to.be.lessThan(evaluatedFull * 0.5);
  });

  it("splits accounts between shards exactly, every shard agreeing on the markets (open interest, funding)", async () => {
    const now = await head();
    const index = (shard?: { index: number; count: number }) =>
      new EventIndexer({ client, deployment: world.deployment, store: new MemoryStore(), reorgDepth: 2, shard }).sync(
        now,
      );
    const all = await index();
    const shards = await Promise.all([0, 1, 2].map((i) => index({ index: i, count: 3 })));
    const ids = shards.map((view) => [...view.accounts()].map((a) => a.accountId));
    expect(ids.flat().sort((a, b) => (a < b ? -1 : 1))).to.deep.equal(
      [...all.accounts()].map((a) => a.accountId).sort((a, b) => (a < b ? -1 : 1)),
    );
    ids.forEach((shardIds, i) => {
      expect(shardIds.every((id) => Number(id % 3n) === i)).to.equal(true);
    });
    for (const view of shards) expect(snapshotOf(view).markets).to.equal(snapshotOf(all).markets);
  });

  it("rebuilds the same index from a chunked backfill, and resumes it from SQLite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ballast-keeper-"));
    try {
      const now = await head();
      const reference = snapshotOf(
        await new EventIndexer({ client, deployment: world.deployment, store: new MemoryStore(), reorgDepth: 0 }).sync(
          now,
        ),
      );

      const path = join(dir, "index.sqlite");
      const first = new EventIndexer({
        client,
        deployment: world.deployment,
        store: await SqliteStore.open(path),
        reorgDepth: 5,
        maxBlockRange: 7n,
      });
      const partial = await first.sync(now);
      expect(snapshotOf(partial)).to.deep.equal(reference);
      const committed = first.committedBlock;
      first.close();

      const resumed = new EventIndexer({
        client,
        deployment: world.deployment,
        store: await SqliteStore.open(path),
        reorgDepth: 5,
      });
      const view = await resumed.sync(now);
      expect(resumed.committedBlock).to.equal(committed);
      expect(snapshotOf(view)).to.deep.equal(reference);
      await compareWithChain(world, view);
      resumed.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("follows reorgs inside the re-read window and rebuilds after deeper ones", async () => {
    const store = new MemoryStore();
    const errors: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (_: object, message?: string) => errors.push(message ?? ""),
    };
    const indexer = new EventIndexer({ client, deployment: world.deployment, store, reorgDepth: 3, logger });
    await indexer.sync(await head());
    const [owner] = world.signers.slice(11, 12);
    await world.fund(owner!);
    const snapshot = (await connection.provider.request({ method: "evm_snapshot" })) as string;

    // Branch A: two blocks (inside the window), then five more (beyond it).
    const [accountA] = await world.openAccounts([
      { owner: owner!, depositUsd: 1_000n, trades: [{ market: 0, usd: 5_000n }] },
    ]);
    const onA = await indexer.sync(await head());
    expect(onA.account(accountA!)?.positions.get(0)?.size).to.be.greaterThan(0n);
    for (let i = 0; i < 6; i++) await world.setPrices({ 1: world.prices[1]! + 1n });
    await indexer.sync(await head());
    expect(indexer.committedBlock).to.be.greaterThan((await head()).number - 4n);

    // Branch B from the snapshot: the same account id, a short instead, and longer, so B becomes the chain.
    await connection.provider.request({ method: "evm_revert", params: [snapshot] });
    await world.core.connect(owner!).createAccount(false, 0);
    await world.core.connect(owner!).deposit(accountA!, 2_000n * world.unit);
    await world.trader.connect(owner!).trade(accountA!, 1, -(3n * 10n ** 18n), 0n);
    for (let i = 0; i < 8; i++) await world.setPrices({ 2: 150n + BigInt(i) });
    const onB = await indexer.sync(await head());
    expect(errors.join()).to.match(/reorg deeper than the re-read window/);

    const fresh = await new EventIndexer({
      client,
      deployment: world.deployment,
      store: new MemoryStore(),
      reorgDepth: 3,
    }).sync(await head());
    expect(snapshotOf(onB)).to.deep.equal(snapshotOf(fresh));
    expect(onB.account(accountA!)?.positions.has(0)).to.equal(false);
    expect(onB.account(accountA!)?.positions.get(1)?.size).to.equal(-(3n * 10n ** 18n));
    await compareWithChain(world, onB);
  });
});
