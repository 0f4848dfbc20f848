/**
 * Twin of `contracts/libraries/ProfitHaircut.sol`: the last step of the solvency waterfall. When LP capital cannot
 * pay all of the traders' positive PnL, every unit of it is worth one ratio h of its face. Realised profit waits in
 * the account as `profit` until its next operation converts it at h; unrealised profit is worth h of its face when
 * realised and converted. h = min(1, max(ΣP + V, 0) / (ΣP + max(U, 0))), with ΣP the unconverted profit, V the LP
 * ledger and U the traders' net unrealised PnL over all markets as of each market's last update. Every account
 * figure the SDK shows (equity, withdrawable, health, liquidation price) counts unconverted profit at h.
 */
import { positivePart, WAD } from "./wadMath.js";

/** The haircut's inputs: `core.profitHaircut()` and the LP ledger of `core.ledgers()`. */
export type ProfitLedger = {
  /** Σ Account.profit, WAD USD. */
  totalProfit: bigint;
  /** The LP ledger (signed), WAD USD. */
  vaultLedger: bigint;
  /** Σ MarketState.tradersPnl: traders' net unrealised PnL, each market's as of its last update (signed, WAD USD). */
  tradersPnl: bigint;
};

/** A = max(ΣP + V, 0), what can pay profit; L = ΣP + max(U, 0), the positive PnL it owes. */
export function profitBackingAndClaims({ totalProfit, vaultLedger, tradersPnl }: ProfitLedger): {
  backing: bigint;
  claims: bigint;
} {
  return { backing: positivePart(totalProfit + vaultLedger), claims: totalProfit + positivePart(tradersPnl) };
}

/** h in WAD, rounded down: 1 when LP capital covers every trader's positive PnL. */
export function haircutRatio(ledger: ProfitLedger): bigint {
  const { backing, claims } = profitBackingAndClaims(ledger);
  if (backing >= claims) return WAD;
  return (WAD * backing) / claims;
}

/** What `profit` (part of `ledger.totalProfit`) converts to now: profit × h, rounded down. */
export function convertedProfit(profit: bigint, ledger: ProfitLedger): bigint {
  const { backing, claims } = profitBackingAndClaims(ledger);
  if (backing >= claims) return profit;
  return (profit * backing) / claims;
}

/** The account's margin as its next operation sees it: unconverted profit at the haircut ratio. */
export function effectiveMargin(account: { margin: bigint; profit?: bigint }, ledger: ProfitLedger): bigint {
  const profit = account.profit ?? 0n;
  if (profit === 0n) return account.margin;
  return account.margin - (profit - convertedProfit(profit, ledger));
}
