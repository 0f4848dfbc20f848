/**
 * The one shared helper through which every test, bench and script trades: a trade is an order (commit → wait for
 * the delay → settle with a local Pyth update at the adapter's price). `trader.connect(signer).trade(...)` has the
 * shape of the core's former `trade`, so migrating a test is mechanical:
 *
 *   core.connect(alice).trade(id, BTC_MARKET, size, bound)      →  trader.connect(alice).trade(id, BTC_MARKET, size, bound)
 *   core.connect(alice).closePosition(id, BTC_MARKET, bound)    →  trader.connect(alice).closePosition(id, BTC_MARKET, bound)
 *
 * It resolves to the settlement transaction (so `.to.emit(core, "PositionTraded")` works) and rejects like a
 * reverted transaction when the order is refused: at commit (the order book's revert, e.g. `Unauthorized`), when
 * the adapter refuses the price (its revert, e.g. `StalePrice`: read before committing, so no order is left
 * pending), or when a check fails at settlement (an `Error` whose `data` is the core's custom error from the
 * `OrderCancelled` event, so `revertedWithCustomError(core, "InsufficientMargin")` works unchanged).
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { AbiCoder, type ContractTransactionResponse, type Overrides, type Signer } from "ethers";
import type {
  BallastCore,
  MockERC20,
  MockPythUnique,
  OracleAdapter,
  OrderBook,
} from "../../types/ethers-contracts/index.js";

const coder = AbiCoder.defaultAbiCoder();
const PRICE_FEED =
  "tuple(bytes32 id, tuple(int64 price, uint64 conf, int32 expo, uint256 publishTime) price, tuple(int64 price, uint64 conf, int32 expo, uint256 publishTime) emaPrice)";
const INT64_MAX = (1n << 63n) - 1n;

/** A WAD price as a Pyth (price, expo) pair: the largest exponent that represents it exactly in an int64. */
export function toPythPrice(priceWad: bigint): { price: bigint; expo: number } {
  for (let expo = -8; expo >= -18; expo--) {
    const scale = 10n ** BigInt(18 + expo);
    if (priceWad % scale === 0n && priceWad / scale <= INT64_MAX) return { price: priceWad / scale, expo };
  }
  for (let expo = -8; expo <= 12; expo++) {
    const scale = 10n ** BigInt(18 + expo);
    if (priceWad / scale <= INT64_MAX) return { price: priceWad / scale, expo };
  }
  throw new Error(`price ${priceWad} does not fit a Pyth price`);
}

/** MockPyth's update encoding: abi.encode(PriceFeed, uint64 prevPublishTime). */
export function pythUpdate(options: {
  feedId: string;
  priceWad: bigint;
  publishTime: bigint | number;
  prevPublishTime?: bigint | number;
  /** Confidence as a WAD ratio of the price (default 0). */
  confRatio?: bigint;
}): string {
  const { price, expo } = toPythPrice(options.priceWad);
  const conf = ((options.confRatio ?? 0n) * price) / 10n ** 18n;
  const publishTime = BigInt(options.publishTime);
  const prev = BigInt(options.prevPublishTime ?? publishTime - 1n);
  const p = [price, conf, expo, publishTime];
  return coder.encode([PRICE_FEED, "uint64"], [[options.feedId, p, p], prev]);
}

export interface OrderWorld {
  core: BallastCore;
  orderBook: OrderBook;
  pyth: MockPythUnique;
  oracle: OracleAdapter;
  token: MockERC20;
  /** The order book's admin: configures markets that tests list after the deployment. */
  admin?: Signer;
  /** Settles the orders (receives the settlement rewards): a signer that tests do not otherwise use. */
  settler: HardhatEthersSigner | Signer;
}

type Provider = { send(method: string, params: unknown[]): Promise<unknown> };

function providerOf(signer: Signer): Provider {
  const provider = signer.provider as unknown as Provider | null;
  if (!provider) throw new Error("signer has no provider");
  return provider;
}

/** An error that chai's revert matchers read like a reverted transaction's (`data` = the revert bytes). */
export class OrderRefused extends Error {
  constructor(
    readonly data: string,
    readonly receipt?: unknown,
    readonly errorName?: string,
  ) {
    super(`order cancelled at settlement: ${errorName ?? data.slice(0, 10)}`);
  }
}

/** Reads the adapter's price of `marketId`, rethrowing its revert as-is. */
async function adapterPrice(world: OrderWorld, marketId: bigint): Promise<{ price: bigint; feedId: string }> {
  const [market, [params]] = await Promise.all([world.orderBook.orderMarket(marketId), world.core.getMarket(marketId)]);
  let pythFeedId = market.pythFeedId;
  if (BigInt(pythFeedId) === 0n && world.admin && marketId < (await world.core.marketCount())) {
    // A market a test listed after the deployment: open it to orders with the adapter's feed id.
    await world.orderBook
      .connect(world.admin)
      .setOrderMarket(marketId, { pythFeedId: params.feedId, maxConfidenceRatio: 10n ** 16n });
    pythFeedId = params.feedId;
  }
  const price = await world.oracle.getPrice(params.feedId);
  return { price, feedId: pythFeedId };
}

/** Gives `signer` the escrow of one order and the order book's allowance, without a transaction when it has them. */
async function fundEscrow(world: OrderWorld, signer: Signer): Promise<void> {
  const address = await signer.getAddress();
  const [params, unit] = await Promise.all([world.orderBook.orderParams(), world.orderBook.feeUnit()]);
  const escrow = BigInt(params.settlementFeeUnits) * unit;
  // Exactly the escrow, every time: the signer's wallet balance is the same after the commit as before.
  await world.token.mint(address, escrow);
  const spender = await world.orderBook.getAddress();
  if ((await world.token.allowance(address, spender)) < escrow) {
    await world.token.connect(signer).approve(spender, 2n ** 255n);
  }
}

/** Sets the next block's timestamp to at least `time` (and after the latest block). */
export async function nextBlockAt(signer: Signer, time: bigint): Promise<bigint> {
  const provider = providerOf(signer);
  const latest = (await provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
  const next = BigInt(latest.timestamp) + 1n > time ? BigInt(latest.timestamp) + 1n : time;
  await provider.send("evm_setNextBlockTimestamp", [`0x${next.toString(16)}`]);
  return next;
}

/**
 * Settles the pending order of `accountId` in `marketId` at `priceWad` (default: the adapter's), with a MockPyth
 * update published at the order's settleTime. Resolves to the settlement transaction; rejects with the core's error
 * when the order was cancelled by a failed check.
 */
export async function settleOrder(
  world: OrderWorld,
  accountId: bigint,
  marketId: bigint,
  options: { priceWad?: bigint; feedId?: string; overrides?: Overrides; timestamp?: bigint } = {},
): Promise<ContractTransactionResponse> {
  const order = await world.orderBook.getOrder(accountId, marketId);
  const { price, feedId } =
    options.priceWad !== undefined && options.feedId !== undefined
      ? { price: options.priceWad, feedId: options.feedId }
      : await adapterPrice(world, marketId);
  const settleTime = order.settleTime;
  const update = pythUpdate({ feedId, priceWad: options.priceWad ?? price, publishTime: settleTime });
  const settler = world.settler as Signer;
  if (options.timestamp === undefined) await nextBlockAt(settler, settleTime);
  else await providerOf(settler).send("evm_setNextBlockTimestamp", [`0x${options.timestamp.toString(16)}`]);
  const tx = await world.orderBook
    .connect(settler)
    .settle(accountId, marketId, [update], { value: 1n, ...(options.overrides ?? {}) });
  const receipt = await tx.wait();
  for (const log of receipt?.logs ?? []) {
    if (log.address.toLowerCase() !== (await world.orderBook.getAddress()).toLowerCase()) continue;
    const parsed = world.orderBook.interface.parseLog(log);
    if (parsed?.name === "OrderCancelled") {
      const reason = parsed.args.reason as string;
      const name = world.core.interface.parseError(reason)?.name ?? world.orderBook.interface.parseError(reason)?.name;
      throw new OrderRefused(reason, receipt, name);
    }
  }
  return tx;
}

/**
 * Sends the settlement of a committed order at the adapter's price without waiting for it (for blocks built with
 * automine off). The caller checks the receipt.
 */
export async function sendSettle(
  world: OrderWorld,
  accountId: bigint,
  marketId: bigint,
  overrides: Overrides = {},
): Promise<ContractTransactionResponse> {
  const order = await world.orderBook.getOrder(accountId, marketId);
  const { price, feedId } = await adapterPrice(world, marketId);
  const update = pythUpdate({ feedId, priceWad: price, publishTime: order.settleTime });
  return world.orderBook
    .connect(world.settler as Signer)
    .settle(accountId, marketId, [update], { value: 1n, ...overrides });
}

type TradeFn = ((
  accountId: bigint,
  marketId: bigint | number,
  sizeDelta: bigint,
  acceptablePrice: bigint | number,
  overrides?: Overrides,
) => Promise<ContractTransactionResponse>) & {
  staticCall(
    accountId: bigint,
    marketId: bigint | number,
    sizeDelta: bigint,
    acceptablePrice: bigint | number,
  ): Promise<bigint>;
};

type CloseFn = ((
  accountId: bigint,
  marketId: bigint | number,
  acceptablePrice: bigint | number,
  overrides?: Overrides,
) => Promise<ContractTransactionResponse>) & {
  staticCall(accountId: bigint, marketId: bigint | number, acceptablePrice: bigint | number): Promise<bigint>;
};

export interface OrderTrader {
  connect(signer: Signer): { trade: TradeFn; closePosition: CloseFn };
  /** Commits only (escrow funded): settle later with `settle`, e.g. at a chosen block timestamp. */
  commit(
    signer: Signer,
    accountId: bigint,
    marketId: bigint | number,
    sizeDelta: bigint,
    acceptablePrice: bigint,
    /** The last second the order may settle (default: the order book's default window). */
    expiry?: bigint,
  ): Promise<void>;
  /** Settles a pending order (see `settleOrder`), at the adapter's price unless `priceWad` is given. */
  settle(
    accountId: bigint,
    marketId: bigint | number,
    options?: { priceWad?: bigint; timestamp?: bigint; overrides?: Overrides },
  ): Promise<ContractTransactionResponse>;
}

/** The fill price of a settlement (the core's `PositionTraded` is emitted by the core, `OrderSettled` by us). */
async function fillPriceOf(world: OrderWorld, tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  const book = (await world.orderBook.getAddress()).toLowerCase();
  for (const log of receipt?.logs ?? []) {
    if (log.address.toLowerCase() !== book) continue;
    const parsed = world.orderBook.interface.parseLog(log);
    if (parsed?.name === "OrderSettled") return parsed.args.fillPrice as bigint;
  }
  throw new Error("no OrderSettled event");
}

/** Commits and settles one order as one "trade" (see the file's comment). */
export function createOrderTrader(world: OrderWorld): OrderTrader {
  async function run(
    signer: Signer,
    accountId: bigint,
    marketId: bigint,
    sizeDelta: bigint | "close",
    acceptablePrice: bigint,
    overrides?: Overrides,
  ): Promise<ContractTransactionResponse> {
    // The adapter's refusal (stale, out of bounds, sequencer down) surfaces before anything is committed; an
    // unlisted market goes straight to the commit, which refuses it.
    const listed = marketId < (await world.core.marketCount());
    const { price, feedId } = listed ? await adapterPrice(world, marketId) : { price: 0n, feedId: "0x" };
    await fundEscrow(world, signer);
    const book = world.orderBook.connect(signer);
    const commit =
      sizeDelta === "close"
        ? await book.commitClose(accountId, marketId, acceptablePrice, 0n)
        : await book.commitOrder(accountId, marketId, sizeDelta, acceptablePrice, 0n);
    await commit.wait();
    return settleOrder(world, accountId, marketId, { priceWad: price, feedId, overrides });
  }

  async function simulated<T>(signer: Signer, body: () => Promise<T>): Promise<T> {
    const provider = providerOf(signer);
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    try {
      return await body();
    } finally {
      await provider.send("evm_revert", [snapshot]);
    }
  }

  return {
    async commit(signer, accountId, marketId, sizeDelta, acceptablePrice, expiry = 0n) {
      await fundEscrow(world, signer);
      const book = world.orderBook.connect(signer);
      await (await book.commitOrder(accountId, marketId, sizeDelta, acceptablePrice, expiry)).wait();
    },
    async settle(accountId, marketId, options = {}) {
      const { price, feedId } = await adapterPrice(world, BigInt(marketId));
      return settleOrder(world, accountId, BigInt(marketId), {
        ...options,
        priceWad: options.priceWad ?? price,
        feedId,
      });
    },
    connect(signer: Signer) {
      const trade = ((accountId, marketId, sizeDelta, acceptablePrice, overrides) =>
        run(signer, accountId, BigInt(marketId), sizeDelta, BigInt(acceptablePrice), overrides)) as TradeFn;
      trade.staticCall = (accountId, marketId, sizeDelta, acceptablePrice) =>
        simulated(signer, async () =>
          fillPriceOf(world, await run(signer, accountId, BigInt(marketId), sizeDelta, BigInt(acceptablePrice))),
        );
      const closePosition = ((accountId, marketId, acceptablePrice, overrides) =>
        run(signer, accountId, BigInt(marketId), "close", BigInt(acceptablePrice), overrides)) as CloseFn;
      closePosition.staticCall = (accountId, marketId, acceptablePrice) =>
        simulated(signer, async () =>
          fillPriceOf(world, await run(signer, accountId, BigInt(marketId), "close", BigInt(acceptablePrice))),
        );
      return { trade, closePosition };
    },
  };
}
