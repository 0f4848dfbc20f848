/**
 * The keeper's index of markets and accounts, rebuilt from the core's events alone.
 *
 * Two layers: the confirmed base (blocks up to `head − reorgDepth`, persisted) and a tip overlay for the newest
 * blocks, rebuilt from scratch on every sync so that a reorg inside the window simply disappears. Records written
 * while the tip is open are copied into the overlay first (copy on write); the base never sees them.
 *
 * What each event tells (see IBallastCore):
 * - `MarketListed` / `MarketParamsSet`: a market's parameters (funding accrues first, so the funding clock moves);
 * - `MarginTiersSet`: the new table and its ramp; the table in force becomes the ramp's starting table;
 * - `FundingAccrued`: the market's funding index, as of the block's timestamp;
 * - `AccountCreated`, `MarginDeposited`, `MarginWithdrawn`, `AccountLiquidated`: an account and its margin after;
 * - `PositionTraded`, `PositionLiquidated`: the position after, the market's funding index, and (from the size
 *   before and after) the open interest per side.
 * A funding accrual writes `lastFundingTime` without an event only when the rate is zero; the rate stays zero until
 * the next event that changes the skew or the parameters, which moves the clock here too, so health is unaffected.
 *
 * @module
 */
import type { Address, Hex } from "viem";
import type { MarginTier, Position } from "../index.js";
import type { AccountRecord, ChainHead, MarketParams, MarketRecord, Shard } from "./types.js";

/** A decoded core event with the block it came from. */
export type CoreEvent = { blockNumber: bigint; blockHash: Hex; logIndex: number; timestamp: bigint } & (
  | { eventName: "MarketListed"; args: { marketId: bigint; params: MarketParams } }
  | { eventName: "MarketParamsSet"; args: { marketId: bigint; params: MarketParams } }
  | {
      eventName: "MarginTiersSet";
      args: { marketId: bigint; tiers: readonly MarginTier[]; rampStart: bigint; rampEnd: bigint };
    }
  | { eventName: "FundingAccrued"; args: { marketId: bigint; ratePerSecond: bigint; fundingIndex: bigint } }
  | {
      eventName: "AccountCreated";
      args: { accountId: bigint; owner: Address; isolated: boolean; isolatedMarketId: bigint };
    }
  | { eventName: "MarginDeposited" | "MarginWithdrawn"; args: { accountId: bigint; marginAfter: bigint } }
  | {
      eventName: "PositionTraded";
      args: {
        accountId: bigint;
        marketId: bigint;
        sizeDelta: bigint;
        realisedPnl: bigint;
        fundingPaid: bigint;
        newSize: bigint;
        newOpenNotional: bigint;
        fundingIndex: bigint;
        marginAfter: bigint;
      };
    }
  | {
      eventName: "PositionLiquidated";
      args: {
        accountId: bigint;
        marketId: bigint;
        closedSize: bigint;
        realisedPnl: bigint;
        fundingPaid: bigint;
        newSize: bigint;
        newOpenNotional: bigint;
        fundingIndex: bigint;
      };
    }
  | { eventName: "AccountLiquidated"; args: { accountId: bigint; marginAfter: bigint } }
  | { eventName: "OracleSet"; args: { oracle: Address } }
);

/** The events the index reads, by name. */
export const INDEXED_EVENTS = [
  "MarketListed",
  "MarketParamsSet",
  "MarginTiersSet",
  "FundingAccrued",
  "AccountCreated",
  "MarginDeposited",
  "MarginWithdrawn",
  "PositionTraded",
  "PositionLiquidated",
  "AccountLiquidated",
  "OracleSet",
] as const;

/** The core's `storeMargin`: a realised gain, as far as the margin after still holds it, is unconverted profit. */
function newProfit(gain: bigint, marginAfter: bigint): bigint {
  if (gain <= 0n || marginAfter <= 0n) return 0n;
  return gain < marginAfter ? gain : marginAfter;
}

export function cloneMarket(market: MarketRecord): MarketRecord {
  return {
    ...market,
    params: { ...market.params },
    state: { ...market.state },
    tiers: market.tiers.map((tier) => ({ ...tier })),
    ramp: { ...market.ramp, previousTiers: market.ramp.previousTiers.map((tier) => ({ ...tier })) },
  };
}

export function cloneAccount(account: AccountRecord): AccountRecord {
  const positions = new Map<number, Position>();
  for (const [marketId, position] of account.positions) positions.set(marketId, { ...position });
  return { ...account, positions };
}

export function inShard(accountId: bigint, shard: Shard | undefined): boolean {
  return shard === undefined || shard.count <= 1 || Number(accountId % BigInt(shard.count)) === shard.index;
}

/** The index: a confirmed base and a tip overlay (see the module comment). */
export class IndexState {
  private readonly baseMarkets = new Map<number, MarketRecord>();
  private readonly baseAccounts = new Map<bigint, AccountRecord>();
  private readonly tipMarkets = new Map<number, MarketRecord>();
  private readonly tipAccounts = new Map<bigint, AccountRecord>();
  private inTip = false;
  /** Base records changed since the last store commit. */
  readonly dirtyMarkets = new Set<number>();
  readonly dirtyAccounts = new Set<bigint>();
  /** Records changed since the last view (base or tip). */
  readonly changedAccounts = new Set<bigint>();
  marketsChanged = false;
  /** Σ (realisedPnl − fundingPaid) of a liquidation's closes, until its `AccountLiquidated` (same transaction). */
  private readonly liquidationGains = new Map<bigint, bigint>();
  private baseOracle: Address | undefined;
  private tipOracle: Address | undefined;

  constructor(readonly shard?: Shard) {}

  /** The core's oracle adapter (tip first). */
  get oracle(): Address | undefined {
    return this.tipOracle ?? this.baseOracle;
  }

  /** The confirmed oracle (what the store keeps). */
  get committedOracle(): Address | undefined {
    return this.baseOracle;
  }

  /** Loads persisted records into the base. */
  load(oracle: Address | undefined, markets: readonly MarketRecord[], accounts: readonly AccountRecord[]): void {
    this.baseOracle = oracle;
    for (const market of markets) this.baseMarkets.set(market.marketId, market);
    for (const account of accounts) this.baseAccounts.set(account.accountId, account);
    this.marketsChanged = true;
  }

  /** Drops the tip overlay and starts writing to a fresh one. */
  beginTip(): void {
    for (const id of this.tipAccounts.keys()) this.changedAccounts.add(id);
    if (this.tipMarkets.size > 0) this.marketsChanged = true;
    this.tipMarkets.clear();
    this.tipAccounts.clear();
    this.tipOracle = undefined;
    this.inTip = true;
  }

  /** Writes go to the base again (the tip overlay stays readable until the next `beginTip`). */
  endTip(): void {
    this.inTip = false;
  }

  /** Forgets the tip entirely (before base writes, so that reads see the base). */
  dropTip(): void {
    this.beginTip();
    this.inTip = false;
  }

  market(marketId: number): MarketRecord | undefined {
    return this.tipMarkets.get(marketId) ?? this.baseMarkets.get(marketId);
  }

  account(accountId: bigint): AccountRecord | undefined {
    return this.tipAccounts.get(accountId) ?? this.baseAccounts.get(accountId);
  }

  markets(): MarketRecord[] {
    const ids = new Set([...this.baseMarkets.keys(), ...this.tipMarkets.keys()]);
    return [...ids].sort((a, b) => a - b).map((id) => this.market(id)!);
  }

  get accountCount(): number {
    let count = this.baseAccounts.size;
    for (const id of this.tipAccounts.keys()) if (!this.baseAccounts.has(id)) count++;
    return count;
  }

  *accounts(): IterableIterator<AccountRecord> {
    for (const [id, account] of this.baseAccounts) yield this.tipAccounts.get(id) ?? account;
    for (const [id, account] of this.tipAccounts) if (!this.baseAccounts.has(id)) yield account;
  }

  baseMarketRecords(ids: Iterable<number>): MarketRecord[] {
    return [...ids].flatMap((id) => this.baseMarkets.get(id) ?? []);
  }

  baseAccountRecords(ids: Iterable<bigint>): AccountRecord[] {
    return [...ids].flatMap((id) => this.baseAccounts.get(id) ?? []);
  }

  clearChanges(): void {
    this.changedAccounts.clear();
    this.marketsChanged = false;
  }

  private writableMarket(marketId: number): MarketRecord | undefined {
    if (!this.inTip) {
      this.dirtyMarkets.add(marketId);
      return this.baseMarkets.get(marketId);
    }
    let market = this.tipMarkets.get(marketId);
    if (market === undefined) {
      const base = this.baseMarkets.get(marketId);
      if (base === undefined) return undefined;
      market = cloneMarket(base);
      this.tipMarkets.set(marketId, market);
    }
    return market;
  }

  private writableAccount(accountId: bigint): AccountRecord | undefined {
    this.changedAccounts.add(accountId);
    if (!this.inTip) {
      this.dirtyAccounts.add(accountId);
      return this.baseAccounts.get(accountId);
    }
    let account = this.tipAccounts.get(accountId);
    if (account === undefined) {
      const base = this.baseAccounts.get(accountId);
      if (base === undefined) return undefined;
      account = cloneAccount(base);
      this.tipAccounts.set(accountId, account);
    }
    return account;
  }

  private putMarket(market: MarketRecord): void {
    if (this.inTip) this.tipMarkets.set(market.marketId, market);
    else {
      this.baseMarkets.set(market.marketId, market);
      this.dirtyMarkets.add(market.marketId);
    }
  }

  private putAccount(account: AccountRecord): void {
    this.changedAccounts.add(account.accountId);
    if (this.inTip) this.tipAccounts.set(account.accountId, account);
    else {
      this.baseAccounts.set(account.accountId, account);
      this.dirtyAccounts.add(account.accountId);
    }
  }

  /** Moves a market's funding clock (and index) to an event's block. */
  private touchFunding(marketId: number, timestamp: bigint, fundingIndex?: bigint): MarketRecord | undefined {
    const market = this.writableMarket(marketId);
    if (market === undefined) return undefined;
    if (fundingIndex !== undefined) market.state.fundingIndex = fundingIndex;
    if (timestamp > market.state.lastFundingTime) market.state.lastFundingTime = timestamp;
    return market;
  }

  /** Moves open interest from a position's old size to its new size (BallastCore `_updateMarket`). */
  private static moveOpenInterest({ state }: MarketRecord, oldSize: bigint, newSize: bigint): void {
    if (oldSize > 0n) state.longOpenInterest -= oldSize;
    else state.shortOpenInterest += oldSize;
    if (newSize > 0n) state.longOpenInterest += newSize;
    else state.shortOpenInterest -= newSize;
  }

  private setPosition(accountId: bigint, marketId: number, position: Position): AccountRecord | undefined {
    if (!inShard(accountId, this.shard)) return undefined;
    const account = this.writableAccount(accountId);
    if (account === undefined) return undefined;
    if (position.size === 0n) account.positions.delete(marketId);
    else account.positions.set(marketId, position);
    return account;
  }

  /** Applies one event (in chain order). */
  apply(event: CoreEvent): void {
    switch (event.eventName) {
      case "MarketListed": {
        const marketId = Number(event.args.marketId);
        this.putMarket({
          marketId,
          params: { ...event.args.params },
          state: { fundingIndex: 0n, lastFundingTime: event.timestamp, longOpenInterest: 0n, shortOpenInterest: 0n },
          tiers: [],
          ramp: { previousTiers: [], start: 0n, end: 0n },
        });
        this.marketsChanged = true;
        return;
      }
      case "MarketParamsSet": {
        const market = this.touchFunding(Number(event.args.marketId), event.timestamp);
        if (market) market.params = { ...event.args.params };
        this.marketsChanged = true;
        return;
      }
      case "MarginTiersSet": {
        const market = this.writableMarket(Number(event.args.marketId));
        if (market === undefined) return;
        // listMarket emits (now, now) and never ramps: a zero-length ramp is the same thing.
        market.ramp = { previousTiers: market.tiers, start: event.args.rampStart, end: event.args.rampEnd };
        market.tiers = event.args.tiers.map((tier) => ({ ...tier }));
        this.marketsChanged = true;
        return;
      }
      case "OracleSet":
        if (this.inTip) this.tipOracle = event.args.oracle;
        else this.baseOracle = event.args.oracle;
        return;
      case "FundingAccrued":
        this.touchFunding(Number(event.args.marketId), event.timestamp, event.args.fundingIndex);
        return;
      case "AccountCreated": {
        const { accountId } = event.args;
        if (!inShard(accountId, this.shard)) return;
        this.putAccount({
          accountId,
          owner: event.args.owner,
          isolated: event.args.isolated,
          isolatedMarketId: Number(event.args.isolatedMarketId),
          margin: 0n,
          positions: new Map(),
        });
        return;
      }
      case "MarginDeposited":
      case "MarginWithdrawn":
      case "AccountLiquidated": {
        if (!inShard(event.args.accountId, this.shard)) return;
        const account = this.writableAccount(event.args.accountId);
        if (!account) return;
        account.margin = event.args.marginAfter;
        // A withdrawal or a liquidation first converts the account's profit (the core's `convertProfit`); a
        // liquidation's net realised gain is new profit, as far as the margin holds it.
        if (event.eventName === "MarginWithdrawn") account.profit = 0n;
        if (event.eventName === "AccountLiquidated") {
          account.profit = newProfit(this.liquidationGains.get(event.args.accountId) ?? 0n, account.margin);
          this.liquidationGains.delete(event.args.accountId);
        }
        return;
      }
      case "PositionTraded": {
        const { accountId, sizeDelta, newSize, newOpenNotional, fundingIndex, marginAfter } = event.args;
        const marketId = Number(event.args.marketId);
        const market = this.touchFunding(marketId, event.timestamp, fundingIndex);
        if (market) IndexState.moveOpenInterest(market, newSize - sizeDelta, newSize);
        const account = this.setPosition(accountId, marketId, {
          size: newSize,
          openNotional: newOpenNotional,
          lastFundingIndex: fundingIndex,
        });
        if (account) {
          account.margin = marginAfter;
          // A trade converts the account's profit first; its own realised gain is the new profit.
          account.profit = newProfit(event.args.realisedPnl - event.args.fundingPaid, marginAfter);
        }
        return;
      }
      case "PositionLiquidated": {
        const { accountId, closedSize, newSize, newOpenNotional, fundingIndex } = event.args;
        if (inShard(accountId, this.shard)) {
          const gain = event.args.realisedPnl - event.args.fundingPaid;
          this.liquidationGains.set(accountId, (this.liquidationGains.get(accountId) ?? 0n) + gain);
        }
        const marketId = Number(event.args.marketId);
        const market = this.touchFunding(marketId, event.timestamp, fundingIndex);
        if (market) IndexState.moveOpenInterest(market, newSize + closedSize, newSize);
        this.setPosition(accountId, marketId, {
          size: newSize,
          openNotional: newOpenNotional,
          lastFundingIndex: fundingIndex,
        });
        return;
      }
    }
  }

  /** A read-only snapshot handle for one sync (records are live: read them before the next sync). */
  view(head: ChainHead, committedBlock: bigint) {
    const changedAccounts = new Set(this.changedAccounts);
    const marketsChanged = this.marketsChanged;
    this.clearChanges();
    return {
      head,
      committedBlock,
      accountCount: this.accountCount,
      oracle: this.oracle,
      changedAccounts,
      marketsChanged,
      market: (marketId: number) => this.market(marketId),
      markets: () => this.markets(),
      account: (accountId: bigint) => this.account(accountId),
      accounts: () => this.accounts(),
    };
  }
}
