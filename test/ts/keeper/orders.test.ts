/**
 * The keeper's order settlement without a chain (sdk/src/keeper/orders.ts, and its place in the keeper's loop):
 * batches (one price per market, oldest first, at most batchSize), a batch that would revert split down to the order
 * at fault, cancellations counted by reason from the receipt, expiry, a price service outage absorbed with backoff,
 * and the keeper's priority: liquidations first, settlements never in the last free slot, one executor for both.
 */
import { expect } from "chai";
import { type Address, encodeAbiParameters, encodeErrorResult, encodeEventTopics, type Hex, type Log } from "viem";
import { ballastCoreAbi, orderBookAbi } from "../../../sdk/src/abi/index.js";
import { CallRevertedError } from "../../../sdk/src/keeper/executor.js";
import { Keeper } from "../../../sdk/src/keeper/keeper.js";
import { KeeperMetrics } from "../../../sdk/src/keeper/metrics.js";
import {
  type OrderEvent,
  OrderSettler,
  type OrderSettlerOptions,
  type PriceUpdate,
  reasonName,
} from "../../../sdk/src/keeper/orders.js";
import type {
  AccountRecord,
  CallOutcome,
  ChainHead,
  Executor,
  IndexView,
  KeeperCall,
  LiquidationOutcome,
  MarketRecord,
} from "../../../sdk/src/keeper/types.js";
import { decodeFunctionData } from "viem";

const WAD = 10n ** 18n;
const BOOK: Hex = "0x00000000000000000000000000000000000000b0";
const KEEPER: Address = "0x00000000000000000000000000000000000000bb";
const FEEDS: Hex[] = [`0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`];
const deployment = {
  deploymentBlock: 0,
  orderBook: BOOK,
  markets: FEEDS.map((pythFeedId, marketId) => ({
    marketId,
    symbol: `M${marketId}`,
    feedId: pythFeedId,
    feed: "0x0000000000000000000000000000000000000000" as Address,
    pythFeedId,
  })),
};

const head = (number: bigint, timestamp = 1_000n + number): ChainHead => ({
  number,
  hash: `0x${number.toString(16).padStart(64, "0")}`,
  timestamp,
});

const commit = (accountId: bigint, marketId: bigint, settleTime: bigint, blockNumber = 1n): OrderEvent => ({
  kind: "committed",
  accountId,
  marketId,
  settleTime,
  expiry: settleTime + 60n,
  blockNumber,
});

/** The update a fake Hermes serves: its price is `price(feed, time)`. */
const updateOf = (feed: Hex, time: bigint, priceWad: bigint): PriceUpdate => ({
  data: [`0x${feed.slice(2, 10)}${time.toString(16).padStart(8, "0")}`],
  publishTime: time,
  priceWad,
});

function log(eventName: "OrderSettled" | "OrderCancelled", accountId: bigint, marketId: bigint, reason?: Hex): Log {
  const topics = encodeEventTopics({ abi: orderBookAbi, eventName, args: { accountId, marketId, keeper: KEEPER } });
  const data =
    eventName === "OrderSettled"
      ? encodeAbiParameters(
          [
            { type: "int256" },
            { type: "uint256" },
            { type: "uint256" },
            { type: "uint256" },
            { type: "uint256" },
            { type: "uint256" },
          ],
          [WAD, 1n, 1n, 1n, 1n, 1n],
        )
      : encodeAbiParameters(
          [
            { type: "bytes4" },
            { type: "bytes" },
            { type: "uint256" },
            { type: "uint256" },
            { type: "uint256" },
            { type: "uint256" },
          ],
          [reason!.slice(0, 10) as Hex, reason!, 1n, 1n, 1n, 0n],
        );
  return {
    address: BOOK,
    topics: topics as [Hex, ...Hex[]],
    data,
    blockNumber: 5n,
    blockHash: `0x${"00".repeat(32)}`,
    logIndex: 0,
    transactionHash: `0x${"00".repeat(32)}`,
    transactionIndex: 0,
    removed: false,
  } as Log;
}

const slippage = encodeErrorResult({
  abi: ballastCoreAbi,
  errorName: "SlippageExceeded",
  args: [1n, 2n],
} as never);
const noPending = (accountId: bigint, marketId: bigint) =>
  encodeErrorResult({ abi: orderBookAbi, errorName: "NoPendingOrder", args: [accountId, marketId] });

interface SentBatch {
  orders: { accountId: bigint; marketId: bigint }[];
}

/** An executor that "mines" settleMany: orders in `gone` make the whole batch revert; `cancel` ones are cancelled. */
function fakeChain(options: { gone?: Set<string>; cancel?: Map<string, Hex>; events?: OrderEvent[] } = {}) {
  const gone = options.gone ?? new Set<string>();
  const cancel = options.cancel ?? new Map<string, Hex>();
  const sent: SentBatch[] = [];
  const estimates: number[] = [];
  const order: string[] = [];
  const decode = (call: KeeperCall) => {
    const { args } = decodeFunctionData({ abi: orderBookAbi, data: call.data });
    return (args![0] as unknown as { accountId: bigint; marketId: bigint }[]).map((r) => ({
      accountId: r.accountId,
      marketId: r.marketId,
    }));
  };
  const executor: Executor = {
    address: KEEPER,
    simulate: async (ids) => ids.map(() => true),
    execute: async (ids): Promise<LiquidationOutcome> => {
      order.push("liquidate");
      return { status: "confirmed", sent: [...ids], liquidated: [...ids], notLiquidatable: [], blockNumber: 5n };
    },
    balance: async () => WAD,
    send: async (call): Promise<CallOutcome> => {
      const orders = decode(call);
      estimates.push(orders.length);
      const bad = orders.find((o) => gone.has(`${o.accountId}:${o.marketId}`));
      if (bad !== undefined) {
        throw new CallRevertedError(noPending(bad.accountId, bad.marketId), "would revert");
      }
      order.push("settle");
      sent.push({ orders });
      const logs = orders.map((o) => {
        const reason = cancel.get(`${o.accountId}:${o.marketId}`);
        return reason === undefined
          ? log("OrderSettled", o.accountId, o.marketId)
          : log("OrderCancelled", o.accountId, o.marketId, reason);
      });
      return { status: "confirmed", blockNumber: 5n, txHash: "0x01", logs };
    },
  };
  const events = options.events ?? [];
  return {
    executor,
    sent,
    estimates,
    order,
    events: {
      async events(from: bigint, to: bigint) {
        return events.filter((e) => e.blockNumber >= from && e.blockNumber <= to);
      },
    },
  };
}

function settler(overrides: Partial<OrderSettlerOptions> & Pick<OrderSettlerOptions, "executor" | "events">) {
  const metrics = new KeeperMetrics("t_keeper_", { defaultMetrics: false });
  const fetched: string[] = [];
  const prices = new Map<string, bigint>();
  const s = new OrderSettler({
    deployment,
    updates: {
      async updateAt(feed, time) {
        fetched.push(`${feed.slice(0, 4)}@${time}`);
        return updateOf(feed, time, prices.get(`${feed}:${time}`) ?? 100n * WAD);
      },
    },
    updateFee: async (updates) => BigInt(updates.length),
    metrics,
    ...overrides,
  });
  return { settler: s, metrics, fetched, prices };
}

async function labelled(metrics: KeeperMetrics, name: "orderSettlementsFailed" | "orderSettleRetries") {
  const data = await metrics[name].get();
  return Object.fromEntries(data.values.map((v) => [v.labels.reason, v.value]));
}

describe("keeper: order settlement (orders.ts)", () => {
  it("batches due orders oldest first, at most batchSize, with one price per market per transaction", async () => {
    const events = [
      commit(1n, 0n, 1_003n),
      commit(2n, 0n, 1_004n), // market 0 at another price: the next batch
      commit(3n, 1n, 1_003n),
      commit(4n, 0n, 1_005n), // market 0 at the same price as order 1: same batch, whatever its settleTime
      commit(5n, 1n, 1_050n), // not due yet
      ...Array.from({ length: 4 }, (_, i) => commit(10n + BigInt(i), 1n, 1_003n)),
    ];
    const chain = fakeChain({ events });
    const { settler: s, metrics, prices } = settler({ ...chain, batchSize: 5 });
    prices.set(`${FEEDS[0]}:1004`, 101n * WAD);
    await s.refresh(head(9n));
    expect(await KeeperMetrics.value(metrics.ordersPending)).to.equal(9);
    const first = s.next(head(9n))!;
    expect(first.orders.map((o) => o.accountId)).to.deep.equal([1n, 3n, 10n, 11n, 12n]);
    const second = s.next(head(9n))!;
    expect(second.orders.map((o) => o.accountId)).to.deep.equal([13n, 2n]);
    // Order 4 (market 0 at order 1's price) is due but order 1 is in flight in market 0 at that price in another
    // batch; 2 took market 0's slot in this one at another price.
    expect(s.next(head(9n))!.orders.map((o) => o.accountId)).to.deep.equal([4n]);
    expect(s.next(head(9n))).to.equal(undefined);
    for (const job of [first, second]) await s.run(job);
    expect(chain.sent.map((b) => b.orders.length)).to.deep.equal([5, 2]);
    expect(s.pendingCount).to.equal(2); // order 4 (taken, not run) and order 5 (not due)
    expect(await KeeperMetrics.value(metrics.ordersSettled)).to.equal(7);
    expect(s.latencies).to.deep.equal([4, 4, 4, 4, 4, 4, 4]);
  });

  it("splits a batch that would revert down to the order at fault and settles the rest", async () => {
    const events = Array.from({ length: 8 }, (_, i) => commit(BigInt(i + 1), 0n, 1_003n));
    const chain = fakeChain({ events, gone: new Set(["6:0"]) });
    const { settler: s, metrics } = settler({ ...chain });
    await s.refresh(head(9n));
    await s.run(s.next(head(9n))!);
    // 8 → [1–4] + [5–8 → [5, 6 → 5 + 6] + [7, 8]]: the order someone else settled (NoPendingOrder) is forgotten.
    expect(chain.estimates).to.deep.equal([8, 4, 4, 2, 1, 1, 2]);
    expect(chain.sent.flatMap((b) => b.orders.map((o) => o.accountId))).to.deep.equal([1n, 2n, 3n, 4n, 5n, 7n, 8n]);
    expect(s.pendingCount).to.equal(0);
    expect(await KeeperMetrics.value(metrics.orderBatchSplits)).to.equal(3);
    expect(await labelled(metrics, "orderSettlementsFailed"), "someone else's settlement is no failure").to.deep.equal(
      {},
    );
  });

  it("counts cancellations by the order book's reason, expired orders, and retries others with a fresh update", async () => {
    const events = [commit(1n, 0n, 1_003n), commit(2n, 0n, 1_003n), commit(3n, 1n, 1_003n), commit(4n, 1n, 900n)];
    const chain = fakeChain({ events, cancel: new Map([["2:0", slippage]]) });
    let failures = 0;
    const send = chain.executor.send!;
    chain.executor.send = async (call, hints) => {
      const { args } = decodeFunctionData({ abi: orderBookAbi, data: call.data });
      const requests = args![0] as unknown as { accountId: bigint }[];
      if (failures < 2 && requests.some((r) => r.accountId === 3n)) {
        failures++;
        const conflict = encodeErrorResult({
          abi: orderBookAbi,
          errorName: "ConfidenceTooWide",
          args: [1n, 0n],
        });
        throw new CallRevertedError(conflict, "would revert");
      }
      return send(call, hints);
    };
    const { settler: s, metrics, fetched } = settler({ ...chain });
    await s.refresh(head(9n)); // order 4 expired at 960 (head 1,009)
    const job = s.next(head(9n))!;
    expect(job.orders.map((o) => o.accountId)).to.deep.equal([1n, 2n, 3n]);
    await s.run(job); // [1, 2, 3] would revert → [1, 2] settles (2 cancelled) + [3] would revert alone: retried
    expect(await labelled(metrics, "orderSettlementsFailed")).to.deep.equal({ OrderExpired: 1, SlippageExceeded: 1 });
    expect(await labelled(metrics, "orderSettleRetries")).to.deep.equal({ ConfidenceTooWide: 1 });
    expect(s.next(head(9n)), "held until the next block").to.equal(undefined);
    const before = fetched.length;
    await s.refresh(head(10n));
    expect(fetched.length, "a fresh update").to.equal(before + 1);
    await s.run(s.next(head(10n))!);
    expect(s.pendingCount).to.equal(0);
    expect(await KeeperMetrics.value(metrics.ordersSettled)).to.equal(2);
    expect(reasonName(slippage)).to.equal("SlippageExceeded");
    expect(reasonName("0xdeadbeef")).to.equal("0xdeadbeef");
  });

  it("rides out a price service outage with backoff and never throws", async () => {
    const chain = fakeChain({ events: [commit(1n, 0n, 1_003n)] });
    let down = true;
    let calls = 0;
    const { settler: s, metrics } = settler({
      ...chain,
      backoff: { initialMs: 50, maxMs: 50 },
      updates: {
        async updateAt(feed, time) {
          calls++;
          if (down) throw new Error("connect ECONNREFUSED 127.0.0.1:8787");
          return updateOf(feed, time, WAD);
        },
      },
    });
    await s.refresh(head(9n));
    await s.refresh(head(10n)); // within the backoff: not asked again
    expect(calls).to.equal(1);
    expect(await KeeperMetrics.value(metrics.orderUpdateErrors)).to.equal(1);
    expect(s.next(head(10n))).to.equal(undefined);
    down = false;
    await new Promise((resolve) => setTimeout(resolve, 60));
    await s.refresh(head(11n));
    await s.run(s.next(head(11n))!);
    expect(chain.sent).to.have.length(1);
    expect(s.pendingCount).to.equal(0);
  });

  it("forgets orders someone else settled, and keeps a newer order of the same account and market", async () => {
    const events: OrderEvent[] = [
      commit(1n, 0n, 1_003n, 1n),
      { kind: "settled", accountId: 1n, marketId: 0n, blockNumber: 2n },
      commit(1n, 0n, 1_100n, 3n),
    ];
    const chain = fakeChain({ events });
    const { settler: s } = settler({ ...chain });
    await s.refresh(head(9n));
    expect(s.orders.map((o) => o.settleTime)).to.deep.equal([1_100n]);
  });
});

// ------------------------------------------------------------------ the keeper's loop with orders

const MARKET: MarketRecord = {
  marketId: 0,
  params: {
    feedId: `0x${"01".repeat(32)}`,
    maxOpenInterestPerSide: 10n ** 30n,
    minPositionNotional: 0n,
    skewScale: 0n,
    takerFeeRate: 0n,
    makerFeeRate: 0n,
    fundingScale: 0n,
    maxFundingRatePerSecond: 0n,
    marginRampDuration: 0n,
  },
  state: { fundingIndex: 0n, lastFundingTime: 1n, longOpenInterest: 100n * WAD, shortOpenInterest: 0n },
  tiers: [{ notionalCap: 10n ** 30n, initialMarginRate: WAD / 10n, maintenanceMarginRate: WAD / 20n }],
  ramp: { previousTiers: [], start: 0n, end: 0n },
};

function account(accountId: bigint, margin: bigint): AccountRecord {
  return {
    accountId,
    owner: "0x00000000000000000000000000000000000000aa",
    isolated: false,
    isolatedMarketId: 0,
    margin: margin * WAD,
    positions: new Map([[0, { size: WAD, openNotional: 1_000n * WAD, lastFundingIndex: 0n }]]),
  };
}

function world(accounts: AccountRecord[], current: ChainHead) {
  const view = (): IndexView => ({
    head: current,
    committedBlock: current.number,
    accountCount: accounts.length,
    oracle: "0x0000000000000000000000000000000000000001",
    market: (id) => (id === 0 ? MARKET : undefined),
    markets: () => [MARKET],
    account: (id) => accounts.find((a) => a.accountId === id),
    accounts: () => accounts.values(),
    changedAccounts: new Set(accounts.map((a) => a.accountId)),
    marketsChanged: false,
  });
  return {
    blocks: { latest: async () => current },
    accounts: { sync: async () => view(), close() {} },
    prices: { getPrices: async () => new Map([[0, 940n * WAD]]) },
  };
}

const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};

describe("keeper: settling orders in the liquidation loop", () => {
  it("sends liquidations first, settles only in the slots they leave (never the last one), through one executor", async () => {
    const events = Array.from({ length: 4 }, (_, i) => commit(BigInt(100 + i), 0n, 1_003n));
    const chain = fakeChain({ events });
    const log: string[] = [];
    const releases: (() => void)[] = [];
    chain.executor.execute = (ids) => {
      log.push(`liquidate ${ids.join(",")}`);
      return new Promise<LiquidationOutcome>((resolve) => {
        releases.push(() =>
          resolve({ status: "confirmed", sent: [...ids], liquidated: [...ids], notLiquidatable: [], blockNumber: 10n }),
        );
      });
    };
    const send = chain.executor.send!;
    let settling = 0;
    let maxSettling = 0;
    chain.executor.send = async (call, hints) => {
      log.push("settle");
      settling++;
      maxSettling = Math.max(maxSettling, settling);
      await new Promise((resolve) => setTimeout(resolve, 10));
      settling--;
      return send(call, hints);
    };
    const { settler: s } = settler({ ...chain, batchSize: 1 });
    // Three liquidatable accounts (equity 80 − 60 = 20 < MM 47), one per batch, two slots.
    const keeper = new Keeper({
      ...world([account(1n, 80n), account(2n, 80n), account(3n, 80n)], head(9n)),
      executor: chain.executor,
      orders: s,
      batchSize: 1,
      firstBatchSize: 1,
      maxConcurrency: 2,
    });
    expect((await keeper.tick()).dispatched).to.equal(2);
    await until(() => s.orders.every((o) => o.update !== undefined) && s.pendingCount === 4, "the order refresh");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log, "no settlement while both slots liquidate").to.deep.equal(["liquidate 1", "liquidate 2"]);
    releases[0]!();
    await until(() => log.length === 3, "the next dispatch");
    expect(log[2], "the waiting liquidation takes the free slot").to.equal("liquidate 3");
    releases[1]!();
    await until(() => log.includes("settle"), "a settlement");
    releases[2]!();
    await keeper.idle();
    // Not started (tick by tick): each iteration dispatches what is ready.
    for (let i = 0; i < 4 && s.pendingCount > 0; i++) {
      await keeper.tick();
      await keeper.idle();
    }
    expect(log.filter((l) => l === "settle")).to.have.length(4);
    expect(maxSettling, "settlements never take the last free slot").to.equal(1);
    expect(s.pendingCount).to.equal(0);
    expect(keeper.liquidated).to.deep.equal(new Set([1n, 2n, 3n]));
  });

  it("keeps liquidating when the price service is down", async () => {
    const chain = fakeChain({ events: [commit(100n, 0n, 1_003n)] });
    const { settler: s, metrics } = settler({
      ...chain,
      updates: {
        updateAt: async () => {
          throw new Error("Hermes down");
        },
      },
    });
    const keeper = new Keeper({ ...world([account(1n, 80n)], head(9n)), executor: chain.executor, orders: s });
    expect((await keeper.tick()).dispatched).to.equal(1);
    await keeper.idle();
    expect(keeper.liquidated).to.deep.equal(new Set([1n]));
    expect(await KeeperMetrics.value(metrics.orderUpdateErrors)).to.equal(1);
    expect(chain.sent).to.have.length(0);
    expect(s.pendingCount).to.equal(1);
  });
});
