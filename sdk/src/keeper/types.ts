/**
 * The keeper's vocabulary: what it knows about markets and accounts, and the small interfaces it is built from —
 * where accounts come from ({@link AccountSource}), where prices come from ({@link PriceSource}), how a liquidation
 * is executed ({@link Executor}) and where the index is kept between runs ({@link Store}).
 *
 * Units as in the contracts: amounts WAD USD, prices WAD USD per base unit, sizes signed WAD base units, rates WAD,
 * times Unix seconds.
 *
 * @module
 */
import type { Address, Hex, Log } from "viem";
import type { FundingState, Market, Position } from "../index.js";
import type { ProfitLedger } from "../math/profitHaircut.js";

export type { AccountHealth, MarketParams } from "../index.js";

/** A block the keeper has looked at. */
export interface ChainHead {
  number: bigint;
  hash: Hex;
  /** Unix seconds. */
  timestamp: bigint;
  /** The block's gas limit, when known: no batch is planned above it. */
  gasLimit?: bigint;
  /** The block's EIP-1559 base fee, when known: fees and the profitability rule start from it. */
  baseFeePerGas?: bigint;
  /** The parent block's hash, when known: a head whose parent is the last head seen extends the same chain. */
  parentHash?: Hex;
}

/**
 * Everything about a market that an account's health depends on, rebuilt from events: the SDK's `Market` (so its
 * account math reads it as is), with only the part of `MarketState` that events give for every shard (the
 * aggregates `netOpenNotional` and `netFundingBasis` would need every account's positions).
 */
export type MarketRecord = Omit<Market, "state"> & {
  /** Funding index as of `lastFundingTime`, and open interest per side (their difference sets the rate). */
  state: FundingState;
};

/** An account as the keeper tracks it. */
export interface AccountRecord {
  accountId: bigint;
  owner: Address;
  isolated: boolean;
  isolatedMarketId: number;
  /** Realised margin at face value, WAD USD. */
  margin: bigint;
  /** The part of `margin` that is unconverted realised profit, worth the haircut ratio of its face (absent: 0). */
  profit?: bigint;
  /** Open positions by market id. */
  positions: Map<number, Position>;
}

/**
 * Usable oracle prices by market id, WAD; a market whose price cannot be read (stale, out of bounds) is absent.
 * `profitLedger`, read at the same block, values unconverted profit at the haircut ratio as the core does; without
 * it the keeper values such profit at 0 (never overstating an account's equity).
 */
export type PriceMap = ReadonlyMap<number, bigint> & { readonly profitLedger?: ProfitLedger };

/** The index as of one block. */
export interface IndexView {
  readonly head: ChainHead;
  /** The last block written to the store (the rest, up to `head`, is the unconfirmed tip, re-read every time). */
  readonly committedBlock: bigint;
  readonly accountCount: number;
  /** The oracle adapter the core reads prices from (its latest `OracleSet`). */
  readonly oracle: Address | undefined;
  market(marketId: number): MarketRecord | undefined;
  markets(): MarketRecord[];
  account(accountId: bigint): AccountRecord | undefined;
  accounts(): IterableIterator<AccountRecord>;
  /** Accounts that changed since the previous view (every account touched in the unconfirmed tip included). */
  readonly changedAccounts: ReadonlySet<bigint>;
  /** Whether a market's parameters, tiers or ramp changed since the previous view. */
  readonly marketsChanged: boolean;
}

/** Where the latest block comes from. */
export interface BlockSource {
  latest(): Promise<ChainHead>;
}

/** Where accounts come from: an index kept up to date with the chain (events, in the default implementation). */
export interface AccountSource {
  /** Brings the index up to `head` (backfilling, following, re-reading the last blocks for reorgs). */
  sync(head: ChainHead): Promise<IndexView>;
  close(): void;
}

/** Where prices come from. */
export interface PriceSource {
  /** The prices the core would use at `head`, read from `oracle` (the core's oracle adapter). */
  getPrices(head: ChainHead, markets: readonly MarketRecord[], oracle: Address): Promise<PriceMap>;
}

/** What happened to one batch sent to `liquidateMany`. */
export interface LiquidationOutcome {
  /** confirmed: mined and succeeded; reverted: mined and reverted; skipped: nothing was liquidatable on chain. */
  status: "confirmed" | "reverted" | "skipped" | "dry-run";
  /** Accounts included in the transaction (those the simulation found liquidatable). */
  sent: bigint[];
  /** Accounts this batch liquidated. */
  liquidated: bigint[];
  /** Accounts that were not (or no longer) liquidatable: already liquidated by someone else, or topped up. */
  notLiquidatable: bigint[];
  txHash?: Hex;
  blockNumber?: bigint;
  gasUsed?: bigint;
  /** Reverted having used (nearly) all its gas limit: out of gas, not a contract error. */
  outOfGas?: boolean;
}

/** A transaction of the keeper other than `liquidateMany` (an order settlement batch). */
export interface KeeperCall {
  to: Address;
  data: Hex;
  /** Wei sent with it (e.g. the oracle's update fee). Default 0. */
  value?: bigint;
  /** What it is, for logs and errors (e.g. "settleMany of 12 orders"). */
  label?: string;
}

/** What happened to a {@link KeeperCall}. */
export interface CallOutcome {
  /** confirmed: mined and succeeded; reverted: mined and reverted; dry-run: estimated only, not sent. */
  status: "confirmed" | "reverted" | "dry-run";
  txHash?: Hex;
  blockNumber?: bigint;
  gasUsed?: bigint;
  /** The receipt's logs (empty for a dry run). */
  logs: readonly Log[];
}

/** What the keeper knows that helps an executor: the markets each account has positions in (for gas). */
export interface ExecuteHints {
  positions?: ReadonlyMap<bigint, readonly number[]>;
  /** The head the batch was planned at (its gas limit and base fee save RPC reads before the send). */
  head?: ChainHead;
}

/** How a liquidation is executed. */
export interface Executor {
  /** The address that sends the transactions. */
  readonly address: Address;
  /** An `eth_call` of `liquidateMany`: which accounts would be liquidated now. */
  simulate(accountIds: readonly bigint[]): Promise<boolean[]>;
  /** Simulates, then sends `liquidateMany` for the accounts that simulated as liquidatable and waits for it. */
  execute(accountIds: readonly bigint[], hints?: ExecuteHints): Promise<LiquidationOutcome>;
  /** Native-token balance of the sender, wei. */
  balance(): Promise<bigint>;
  /**
   * What one unit of gas is expected to cost if sent now, wei: base fee + priority fee, never above the fee cap.
   * Used by the profitability rule; an executor without it makes every liquidation cost nothing.
   */
  gasPrice?(head: ChainHead): Promise<bigint>;
  /** Reads ahead what the first send needs (nonce, fees), so that the first liquidation goes out at once. */
  warmUp?(): Promise<void>;
  /**
   * Sends another transaction of the keeper (an order settlement batch) through the same nonce manager as the
   * liquidations, after an `eth_estimateGas` (throws `CallRevertedError` when it would revert), and waits for it.
   */
  send?(call: KeeperCall, hints?: ExecuteHints): Promise<CallOutcome>;
  /** `eth_estimateGas` of a call from the sender (throws `CallRevertedError` when it would revert). */
  estimateCall?(call: KeeperCall): Promise<bigint>;
}

/** The persisted part of the index: everything up to `block`. */
export interface StoredIndex {
  block: bigint;
  blockHash: Hex;
  oracle: Address | undefined;
  markets: MarketRecord[];
  accounts: AccountRecord[];
}

/** A commit: the new confirmed block and the records that changed up to it. */
export interface StoreUpdate {
  block: bigint;
  blockHash: Hex;
  oracle: Address | undefined;
  markets: MarketRecord[];
  accounts: AccountRecord[];
}

/** Where the confirmed index is kept between runs. */
export interface Store {
  /** The stored index, if it was written for this identity (chain, core, shard); otherwise undefined. */
  load(identity: string): StoredIndex | undefined;
  /** Writes an update atomically. */
  commit(identity: string, update: StoreUpdate): void;
  /** Forgets everything (a reorg deeper than the re-read window, or a different identity). */
  reset(identity: string): void;
  close(): void;
}

/** Accounts a keeper is responsible for: id mod count = index. */
export interface Shard {
  index: number;
  count: number;
}

/** The logger the keeper writes to (pino's interface: an object of fields, then a message). */
export interface KeeperLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}
