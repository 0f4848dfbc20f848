/**
 * Why a withdrawal is refused, from the account's figures. The core lets min(realised margin, equity − IM) leave
 * (`MarginMath.withdrawableMargin`), so the limit has one of a few causes, and each calls for a different remedy:
 *
 * - `unrealised-profit`: the realised margin is the limit; the rest of the equity is profit not yet realised.
 * - `open-losses`: equity − IM is the limit and open positions are at a loss, which eats into the margin.
 * - `initial-margin`: equity − IM is the limit and positions are not at a loss: the IM they need stays locked.
 * - `margin`: there is simply not that much margin (no positions, nothing locked).
 * - `no-margin`: realised losses and fees have used the margin up.
 *
 * The SDK's `WithdrawalExceedsAvailable` message blames unrealised profit whenever it is not given the figures
 * after the withdrawal, including for an account at a loss; the dashboard shows this explanation instead.
 */
import { formatUsd } from "@ballast/sdk";

export type WithdrawalLimitCause = "unrealised-profit" | "open-losses" | "initial-margin" | "margin" | "no-margin";

export type WithdrawalFigures = {
  /** Realised margin, WAD USD. */
  margin: bigint;
  /** Margin + unrealised PnL − accrued funding, WAD USD. */
  equity: bigint;
  /** Initial margin of the open positions, WAD USD. */
  initialMargin: bigint;
};

export type WithdrawalLimit = {
  cause: WithdrawalLimitCause;
  /** WAD USD that may leave now: min(margin, equity − IM), at least 0 (as the core computes it). */
  available: bigint;
  /** One sentence on why no more can leave, without the amounts asked (the caller adds those). */
  reason: string;
};

export function withdrawalLimit({ margin, equity, initialMargin }: WithdrawalFigures): WithdrawalLimit {
  const free = equity - initialMargin;
  const available = margin <= 0n || free <= 0n ? 0n : margin < free ? margin : free;
  const unrealised = equity - margin;
  if (margin <= 0n) {
    return {
      cause: "no-margin",
      available,
      reason: `the realised margin is ${formatUsd(margin)}: realised losses and fees have used it up`,
    };
  }
  if (margin <= free) {
    // The realised margin binds: whatever equity holds beyond it is unrealised profit.
    return unrealised > 0n
      ? {
          cause: "unrealised-profit",
          available,
          reason: `only realised margin (${formatUsd(margin)}) can leave; the unrealised profit of ${formatUsd(unrealised)} cannot leave until it is realised (close or reduce the position)`,
        }
      : { cause: "margin", available, reason: `the account holds ${formatUsd(margin)} of margin` };
  }
  // equity − IM binds.
  if (unrealised < 0n) {
    return {
      cause: "open-losses",
      available,
      reason: `open losses of ${formatUsd(-unrealised)} bring equity down to ${formatUsd(equity)}, and the initial margin of ${formatUsd(initialMargin)} the positions need must stay (close the losing position or wait for the price to recover to free more)`,
    };
  }
  return {
    cause: "initial-margin",
    available,
    reason: `the initial margin of ${formatUsd(initialMargin)} the open positions need must stay in the account (equity ${formatUsd(equity)}; close or reduce a position to free more)`,
  };
}

/**
 * The full sentence for a refused withdrawal: "Withdrawing 900 USDC is more than can leave now: at most 512.30 USDC,
 * because open losses of $…". `amount` and `availableText` are already formatted in collateral units.
 */
export function withdrawalRefusal(limit: WithdrawalLimit, amount: string, availableText: string): string {
  return `Withdrawing ${amount} is more than can leave now: at most ${availableText}, because ${limit.reason}.`;
}
