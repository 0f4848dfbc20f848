/**
 * Where the keeper keeps its confirmed index between runs: {@link SqliteStore} (a `node:sqlite` file, Node ≥ 22.5)
 * or {@link MemoryStore} (tests, one-shot runs). Only confirmed blocks are written (the re-read tip never is), in
 * one transaction per commit, so a keeper killed at any instant restarts from a consistent block.
 *
 * @module
 */
/// <reference types="node" />
import type { Address, Hex } from "viem";
import type { AccountRecord, MarketRecord, Store, StoredIndex, StoreUpdate } from "./types.js";

/** Bumped when the stored layout changes; an older file is rebuilt from the chain. */
const SCHEMA_VERSION = "2";

const toJson = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
const fromJson = <T>(text: string): T =>
  JSON.parse(text, (_, v) => (typeof v === "string" && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)) as T;

type StoredAccount = Omit<AccountRecord, "positions"> & {
  positions: [number, AccountRecord["positions"] extends Map<number, infer P> ? P : never][];
};

function encodeAccount(account: AccountRecord): string {
  const stored: StoredAccount = { ...account, positions: [...account.positions.entries()] };
  return toJson(stored);
}

function decodeAccount(text: string): AccountRecord {
  const stored = fromJson<StoredAccount>(text);
  return { ...stored, positions: new Map(stored.positions) };
}

/** An in-memory store: survives nothing, copies what it is given. */
export class MemoryStore implements Store {
  private identity: string | undefined;
  private block = 0n;
  private blockHash: Hex = "0x";
  private oracle: Address | undefined;
  private readonly markets = new Map<number, string>();
  private readonly accounts = new Map<bigint, string>();

  load(identity: string): StoredIndex | undefined {
    if (identity !== this.identity) return undefined;
    return {
      block: this.block,
      blockHash: this.blockHash,
      oracle: this.oracle,
      markets: [...this.markets.values()].map((text) => fromJson<MarketRecord>(text)),
      accounts: [...this.accounts.values()].map(decodeAccount),
    };
  }

  commit(identity: string, update: StoreUpdate): void {
    if (identity !== this.identity) this.reset(identity);
    for (const market of update.markets) this.markets.set(market.marketId, toJson(market));
    for (const account of update.accounts) this.accounts.set(account.accountId, encodeAccount(account));
    this.block = update.block;
    this.blockHash = update.blockHash;
    this.oracle = update.oracle;
  }

  reset(identity: string): void {
    this.identity = identity;
    this.markets.clear();
    this.accounts.clear();
    this.block = 0n;
    this.blockHash = "0x";
    this.oracle = undefined;
  }

  close(): void {}
}

type Database = import("node:sqlite").DatabaseSync;

/**
 * The index in a SQLite file (`node:sqlite`, no native addon). Tables: `meta` (schema version, identity, block,
 * block hash, oracle), `markets` and `accounts` (one JSON row per record, bigints as `"123n"`).
 */
export class SqliteStore implements Store {
  private constructor(private readonly db: Database) {}

  /** Opens (creating if needed) the database at `path` (`:memory:` for a throwaway one). */
  static async open(path: string): Promise<SqliteStore> {
    const { mkdirSync } = await import("node:fs");
    const { dirname } = await import("node:path");
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    // Imported lazily: node:sqlite prints an ExperimentalWarning on load, and most SDK users never need it.
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(path);
    db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS markets (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    `);
    return new SqliteStore(db);
  }

  private meta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  load(identity: string): StoredIndex | undefined {
    if (this.meta("schema") !== SCHEMA_VERSION || this.meta("identity") !== identity) return undefined;
    const block = this.meta("block");
    const blockHash = this.meta("blockHash");
    if (block === undefined || blockHash === undefined) return undefined;
    const markets = (this.db.prepare("SELECT data FROM markets ORDER BY id").all() as { data: string }[]).map((row) =>
      fromJson<MarketRecord>(row.data),
    );
    const accounts = (this.db.prepare("SELECT data FROM accounts").all() as { data: string }[]).map((row) =>
      decodeAccount(row.data),
    );
    const oracle = this.meta("oracle");
    return {
      block: BigInt(block),
      blockHash: blockHash as Hex,
      oracle: oracle ? (oracle as Address) : undefined,
      markets,
      accounts,
    };
  }

  commit(identity: string, update: StoreUpdate): void {
    if (this.meta("identity") !== identity || this.meta("schema") !== SCHEMA_VERSION) this.reset(identity);
    const setMeta = this.db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    const putMarket = this.db.prepare(
      "INSERT INTO markets (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
    );
    const putAccount = this.db.prepare(
      "INSERT INTO accounts (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
    );
    this.db.exec("BEGIN");
    try {
      for (const market of update.markets) putMarket.run(market.marketId, toJson(market));
      for (const account of update.accounts) putAccount.run(account.accountId.toString(), encodeAccount(account));
      setMeta.run("block", update.block.toString());
      setMeta.run("blockHash", update.blockHash);
      setMeta.run("oracle", update.oracle ?? "");
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  reset(identity: string): void {
    this.db.exec("BEGIN");
    this.db.exec("DELETE FROM meta; DELETE FROM markets; DELETE FROM accounts;");
    const setMeta = this.db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    setMeta.run("schema", SCHEMA_VERSION);
    setMeta.run("identity", identity);
    this.db.exec("COMMIT");
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
