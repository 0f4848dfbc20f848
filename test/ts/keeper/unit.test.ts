/**
 * The keeper's small parts: shard parsing, candidate order, the gas model, the stores' round trip (bigints and
 * maps survive), the price paths the feeder and the demo use, and the metrics endpoint.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { interpolatePath, parseCsvPath, readCsvPath, stepsPath, walkPath } from "../../../scripts/lib/pricePaths.js";
import { KeeperStartupError, parseShard } from "../../../sdk/src/keeper/create.js";
import { liquidationGasModel } from "../../../sdk/src/keeper/executor.js";
import { byRisk, type Candidate } from "../../../sdk/src/keeper/keeper.js";
import { KeeperMetrics, startMetricsServer } from "../../../sdk/src/keeper/metrics.js";
import { inShard } from "../../../sdk/src/keeper/state.js";
import { MemoryStore, SqliteStore } from "../../../sdk/src/keeper/store.js";
import type { AccountRecord, MarketRecord, Store } from "../../../sdk/src/keeper/types.js";
import { freePort } from "../helpers/hardhatNode.js";

describe("keeper: parts", () => {
  it("parses shards and splits account ids between them exactly once", () => {
    expect(parseShard("1/4")).to.deep.equal({ index: 1, count: 4 });
    for (const bad of ["4/4", "1", "a/b", "-1/2", "0/0"]) {
      expect(() => parseShard(bad), bad).to.throw(KeeperStartupError, /Bad shard/);
    }
    const shards = [0, 1, 2].map((index) => ({ index, count: 3 }));
    for (let id = 1n; id <= 30n; id++) {
      expect(shards.filter((shard) => inShard(id, shard))).to.have.length(1);
    }
  });

  it("orders candidates most underwater first", () => {
    const c = (accountId: bigint, healthFactor: bigint, equity: bigint): Candidate => ({
      accountId,
      healthFactor,
      equity,
      maintenanceMargin: 1n,
    });
    const sorted = [c(1n, 9n, 5n), c(2n, 0n, -3n), c(3n, 0n, -7n), c(4n, 5n, 1n)].sort(byRisk);
    expect(sorted.map((x) => x.accountId)).to.deep.equal([3n, 2n, 4n, 1n]);
  });

  it("models liquidation gas above what liquidateMany measured, growing with positions and markets", () => {
    // Measured on BallastCore: one account with 1, 2, 3 positions: 137,670, 214,066, 290,471 gas.
    expect(liquidationGasModel([[0]])).to.be.greaterThan(137_670n);
    expect(liquidationGasModel([[0, 1]])).to.be.greaterThan(214_066n);
    expect(liquidationGasModel([[0, 1, 2]])).to.be.greaterThan(290_471n);
    expect(liquidationGasModel([[0], [0]])).to.be.lessThan(2n * liquidationGasModel([[0]]));
    expect(liquidationGasModel([[0], [1]])).to.be.greaterThan(liquidationGasModel([[0], [0]]));
  });

  for (const kind of ["memory", "sqlite"] as const) {
    it(`${kind} store: commits, reloads exactly, and forgets another identity`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "ballast-store-"));
      try {
        const open = async (): Promise<Store> => (kind === "memory" ? memory : SqliteStore.open(join(dir, "s.sqlite")));
        const memory = new MemoryStore();
        const market: MarketRecord = {
          marketId: 2,
          params: {
            feedId: `0x${"ab".repeat(32)}`,
            maxOpenInterestPerSide: 10n ** 30n,
            minPositionNotional: 10n,
            skewScale: 0n,
            takerFeeRate: 5n,
            makerFeeRate: 2n,
            fundingScale: 7n,
            maxFundingRatePerSecond: 3n,
            marginRampDuration: 86_400n,
          },
          state: {
            fundingIndex: -(10n ** 40n),
            lastFundingTime: 1_700_000_000n,
            longOpenInterest: 5n,
            shortOpenInterest: 0n,
          },
          tiers: [{ notionalCap: 10n ** 24n, initialMarginRate: 10n ** 17n, maintenanceMarginRate: 5n * 10n ** 16n }],
          ramp: { previousTiers: [], start: 1n, end: 2n },
        };
        const account: AccountRecord = {
          accountId: 2n ** 70n,
          owner: "0x00000000000000000000000000000000000000aa",
          isolated: true,
          isolatedMarketId: 2,
          margin: -123n,
          positions: new Map([[2, { size: -(10n ** 20n), openNotional: -5n, lastFundingIndex: 9n }]]),
        };
        const first = await open();
        expect(first.load("chain:core:all")).to.equal(undefined);
        first.commit("chain:core:all", {
          block: 99n,
          blockHash: "0x01",
          oracle: undefined,
          markets: [market],
          accounts: [account],
        });
        if (kind === "sqlite") first.close();
        const second = await open();
        const loaded = second.load("chain:core:all")!;
        expect(loaded.block).to.equal(99n);
        expect(loaded.markets).to.deep.equal([market]);
        expect(loaded.accounts).to.deep.equal([account]);
        expect(second.load("chain:core:0/2")).to.equal(undefined);
        second.reset("chain:core:0/2");
        expect(second.load("chain:core:all")).to.equal(undefined);
        second.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("builds price paths: steps, a seeded walk, CSV, interpolation", () => {
    expect(stepsPath({ BTC: 100 }, [-10, 10]).map((p) => p.BTC)).to.deep.equal([90, 99.00000000000001]);
    const walk = walkPath({ BTC: 100, ETH: 10 }, { steps: 50, volatilityPercent: 2, seed: 3 });
    expect(walk).to.have.length(50);
    expect(walk).to.deep.equal(walkPath({ BTC: 100, ETH: 10 }, { steps: 50, volatilityPercent: 2, seed: 3 }));
    expect(walk.every((p) => p.BTC! > 0 && p.ETH! > 0)).to.equal(true);
    expect(parseCsvPath("# c\nt,BTC,ETH\n0,1,2\n1,3,4\n")).to.deep.equal([
      { BTC: 1, ETH: 2 },
      { BTC: 3, ETH: 4 },
    ]);
    expect(() => parseCsvPath("t,BTC\n0,-1\n")).to.throw(/bad BTC price/);
    expect(interpolatePath({ BTC: 100 }, [{ BTC: 80 }], 4).map((p) => p.BTC)).to.deep.equal([95, 90, 85, 80]);
    const crash = readCsvPath("scripts/data/crash.csv");
    expect(crash[0]).to.deep.equal({ BTC: 50_000, ETH: 2_000, SOL: 150 });
    expect(Math.min(...crash.map((p) => p.BTC!))).to.be.lessThan(40_000);
  });

  it("serves /metrics and /health (503 when unhealthy)", async () => {
    const metrics = new KeeperMetrics();
    metrics.liquidationsConfirmed.inc(3);
    let ok = true;
    const port = await freePort();
    const server = await startMetricsServer(metrics, () => ({ ok, headBlock: 7n }), port);
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).to.contain("ballast_keeper_liquidations_confirmed_total 3");
      expect(text).to.contain("ballast_keeper_detection_to_confirmation_seconds_bucket");
      const healthy = await fetch(`http://127.0.0.1:${port}/health`);
      expect(healthy.status).to.equal(200);
      expect(await healthy.json()).to.deep.equal({ ok: true, headBlock: "7" });
      ok = false;
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).to.equal(503);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
