/** Every liquidation since the deployment, newest first, as it happens. */
import {
  type BallastDeployment,
  formatPercent,
  formatPrice,
  formatSize,
  formatUsd,
  type LiquidationEntry,
} from "@ballast/sdk";
import { shortAddress } from "../chain/wallets.js";
import { timeAgo } from "../format.js";
import { useNow } from "../hooks.js";
import { ErrorNote, Panel } from "./ui.js";

export function LiquidationFeed({
  entries,
  error,
  deployment,
  highlightAccount,
}: {
  entries: LiquidationEntry[] | undefined;
  error: string | undefined;
  deployment: BallastDeployment;
  highlightAccount: bigint | undefined;
}) {
  const now = useNow();
  const symbolOf = (marketId: number) =>
    deployment.markets.find((m) => m.marketId === marketId)?.symbol ?? `market ${marketId}`;
  return (
    <Panel
      title="Liquidations"
      className="feed"
      testId="liquidation-feed"
      aside={
        <span className="live">
          <span className="dot" /> live
        </span>
      }
    >
      <ErrorNote message={error} />
      {entries === undefined ? (
        <div className="empty">Loading the history…</div>
      ) : entries.length === 0 ? (
        <div className="empty" data-testid="feed-empty">
          No liquidations yet. When an account's equity falls to its maintenance margin, any keeper may liquidate it;
          each liquidation appears here as it happens.
        </div>
      ) : (
        <ol className="feed-list">
          {entries.map((entry) => (
            <li
              key={entry.key}
              className={entry.accountId === highlightAccount ? "mine" : ""}
              data-testid="liquidation-entry"
              data-account={entry.accountId.toString()}
            >
              <div className="feed-head">
                <span className={`pill ${entry.full ? "danger" : "warn"}`}>
                  {entry.full ? "Full" : `Partial ${formatPercent(entry.fraction, 1)}`}
                </span>
                <strong>Account #{entry.accountId.toString()}</strong>
                {entry.accountId === highlightAccount ? <span className="pill">yours</span> : null}
                <span className="muted feed-time">
                  block #{entry.blockNumber.toString()}
                  {entry.timestamp === undefined ? "" : ` · ${timeAgo(entry.timestamp, now)}`}
                </span>
              </div>
              <div className="feed-body">
                <span>
                  Closed <strong>{formatUsd(entry.closedNotional)}</strong> notional
                </span>
                <span>
                  Fee <strong>{formatUsd(entry.fee)}</strong> (keeper {formatUsd(entry.keeperReward)})
                </span>
                <span>
                  Margin after <strong>{formatUsd(entry.marginAfter)}</strong>
                </span>
                <span className="muted">by {shortAddress(entry.liquidator)}</span>
              </div>
              {entry.positions.map((p) => (
                <div key={p.marketId} className="feed-position">
                  {symbolOf(p.marketId)}-PERP: closed {formatSize(p.closedSize, symbolOf(p.marketId))} at{" "}
                  {formatPrice(p.fillPrice)} · realised {formatUsd(p.realisedPnl)} · left{" "}
                  {formatSize(p.newSize, symbolOf(p.marketId))}
                </div>
              ))}
              {entry.badDebt === undefined ? null : (
                <div className="feed-position danger-text">
                  Bad debt {formatUsd(entry.badDebt.badDebt)}: insurance paid{" "}
                  {formatUsd(entry.badDebt.coveredByInsurance)}, socialised {formatUsd(entry.badDebt.socialised)}
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
