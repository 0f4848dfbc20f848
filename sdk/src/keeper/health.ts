/**
 * Account health for the keeper's scan: the index's records handed to the SDK's account math as they are (they
 * hold its types). Per scan, each market is compiled once (`compileMarket`) and its funding accrued to the head once
 * (`pendingFundingIndex`); an account then costs one `fastAccountHealth`, which equals the SDK's `accountHealth`
 * bit for bit, and so `core.accountHealth(id)` at that block.
 *
 * @module
 */
import {
  compileMarket,
  effectiveMargin,
  type FastPositionInput,
  fastAccountHealth,
  notional,
  pendingFundingIndex,
} from "../index.js";
import type { AccountHealth, AccountRecord, MarketRecord, PriceMap } from "./types.js";

/** Why an account's health cannot be computed right now. */
export class HealthUnavailableError extends Error {
  override name = "HealthUnavailableError";
  constructor(
    readonly accountId: bigint,
    readonly marketId: number,
    readonly reason: "unknown market" | "no price",
  ) {
    super(`Account ${accountId}: market ${marketId} has ${reason === "no price" ? "no usable price" : "no record"}`);
  }
}

/** An account's health, with what the keeper's scheduler uses alongside it. */
export interface AccountRisk {
  health: AccountHealth;
  /** Notional per market, WAD USD. */
  notionals: Map<number, bigint>;
}

type PricedMarket = Omit<FastPositionInput, "position">;

/** Evaluates accounts at one timestamp and set of prices (one per scan, as the contract reads each price once). */
export class HealthEvaluator {
  private readonly priced = new Map<number, PricedMarket>();

  constructor(
    private readonly markets: (marketId: number) => MarketRecord | undefined,
    private readonly prices: PriceMap,
    readonly timestamp: bigint,
  ) {}

  private market(accountId: bigint, marketId: number): PricedMarket {
    const cached = this.priced.get(marketId);
    if (cached !== undefined) return cached;
    const record = this.markets(marketId);
    if (record === undefined) throw new HealthUnavailableError(accountId, marketId, "unknown market");
    const price = this.prices.get(marketId);
    if (price === undefined || price === 0n) throw new HealthUnavailableError(accountId, marketId, "no price");
    const { fundingIndex } = pendingFundingIndex(record.state, record.params, price, this.timestamp);
    const priced = { market: compileMarket(record), price, fundingIndex };
    this.priced.set(marketId, priced);
    return priced;
  }

  /**
   * An account's health (what `core.accountHealth(id)` returns at the same block) and per-market notionals.
   * @throws {HealthUnavailableError} when a market the account trades has no record or no usable price: the
   * contract would revert there too. Errors of the SDK's checked math (funding accrual, notional) pass through.
   */
  accountRisk(account: AccountRecord): AccountRisk {
    const inputs: FastPositionInput[] = [];
    const notionals = new Map<number, bigint>();
    for (const [marketId, position] of account.positions) {
      const { market, price, fundingIndex } = this.market(account.accountId, marketId);
      inputs.push({ position, market, price, fundingIndex });
      notionals.set(marketId, notional(position.size, price));
    }
    // Unconverted profit at the haircut ratio, as the core counts it; at 0 when the ratio was not read.
    const profit = account.profit ?? 0n;
    const ledger = this.prices.profitLedger;
    const margin =
      profit === 0n
        ? account.margin
        : ledger === undefined
          ? account.margin - profit
          : effectiveMargin(account, ledger);
    return { health: fastAccountHealth(margin, inputs, this.timestamp), notionals };
  }
}

/** One account's health at `timestamp` with `prices`: what `core.accountHealth(accountId)` returns at that block. */
export function accountHealth(
  account: AccountRecord,
  market: (marketId: number) => MarketRecord | undefined,
  prices: PriceMap,
  timestamp: bigint,
): AccountHealth {
  return new HealthEvaluator(market, prices, timestamp).accountRisk(account).health;
}
