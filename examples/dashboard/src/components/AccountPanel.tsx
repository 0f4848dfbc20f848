/**
 * The selected account: equity, IM, MM, health factor and the margin-ratio gauge, then each position with its
 * liquidation price (the SDK's exact price line, other prices held).
 */
import {
  type AccountView,
  abs,
  formatFixed,
  formatPercent,
  formatPrice,
  formatSize,
  formatUsd,
  type PositionView,
  WAD,
} from "@ballast/sdk";
import { formatHealthFactor, riskLevel } from "../format.js";
import { HealthGauge } from "./HealthGauge.js";
import { ErrorNote, Panel, Stat, toneOf } from "./ui.js";

export type AccountPanelProps = {
  view: AccountView | undefined;
  viewError: string | undefined;
  accountIds: bigint[] | undefined;
  selected: bigint | undefined;
  onSelect: (accountId: bigint) => void;
  onCreate: () => void;
  onClose: (position: PositionView) => void;
  busy: boolean;
  canSend: boolean;
  /** The collateral token's symbol (read from the token). */
  collateralSymbol: string;
};

/** How far the mark may move before the liquidation line: "−4.12% away" (long), "+3.80% away" (short). */
function distance(position: PositionView): string | undefined {
  const { liquidationPrice, markPrice } = position;
  if (liquidationPrice === undefined || markPrice === undefined || markPrice === 0n) return undefined;
  const long = position.size > 0n;
  const room = ((long ? markPrice - liquidationPrice : liquidationPrice - markPrice) * WAD * 100n) / markPrice;
  if (room <= 0n) return "at or past the line";
  return `${long ? "−" : "+"}${formatFixed(room, 18, 2, "down")}% away`;
}

function PositionsTable({
  positions,
  onClose,
  disabled,
}: {
  positions: PositionView[];
  onClose: (position: PositionView) => void;
  disabled: boolean;
}) {
  if (positions.length === 0) {
    return <div className="empty">No open positions. Use the trade ticket to open one.</div>;
  }
  return (
    <div className="table-scroll">
      <table className="positions" data-testid="positions">
        <thead>
          <tr>
            <th>Market</th>
            <th>Size</th>
            <th>Entry</th>
            <th>Mark</th>
            <th>Notional</th>
            <th>Unrealised PnL</th>
            <th>IM / MM</th>
            <th>Liq. price</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {positions.map((p) => (
            <tr key={p.marketId} data-testid={`position-${p.symbol}`}>
              <td>
                <span className={`side-tag ${p.size > 0n ? "long" : "short"}`}>{p.size > 0n ? "LONG" : "SHORT"}</span>
                {p.symbol}-PERP
              </td>
              <td className="num">{formatSize(abs(p.size), p.symbol)}</td>
              <td className="num">{formatPrice(p.entryPrice)}</td>
              <td className="num">{p.markPrice === undefined ? "—" : formatPrice(p.markPrice)}</td>
              <td className="num">{p.notional === undefined ? "—" : formatUsd(p.notional)}</td>
              <td className={`num ${toneOf(p.unrealisedPnl) ?? ""}`}>
                {p.unrealisedPnl === undefined ? "—" : formatUsd(p.unrealisedPnl)}
              </td>
              <td className="num muted-cell">
                {p.initialMargin === undefined ? "—" : formatUsd(p.initialMargin)}
                <br />
                {p.maintenanceMargin === undefined ? "—" : formatUsd(p.maintenanceMargin)}
              </td>
              <td className="num liq">
                <strong data-testid={`liq-price-${p.symbol}`}>
                  {p.liquidationPrice === undefined ? "none" : formatPrice(p.liquidationPrice)}
                </strong>
                {distance(p) === undefined ? null : <small>{distance(p)}</small>}
              </td>
              <td>
                <button type="button" className="ghost small" disabled={disabled} onClick={() => onClose(p)}>
                  Close
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AccountPanel(props: AccountPanelProps) {
  const { view, accountIds, selected } = props;
  const health = view?.health;
  const level = riskLevel(health?.marginRatio, health?.maintenanceMargin);
  const picker =
    accountIds === undefined ? (
      <span className="muted">loading accounts…</span>
    ) : (
      <div className="account-picker">
        {accountIds.length === 0 ? (
          <span className="muted">No account yet</span>
        ) : (
          <select
            aria-label="Account"
            data-testid="account-select"
            value={selected?.toString() ?? ""}
            onChange={(event) => props.onSelect(BigInt(event.target.value))}
          >
            {accountIds.map((id) => (
              <option key={id.toString()} value={id.toString()}>
                Account #{id.toString()}
              </option>
            ))}
          </select>
        )}
        <button
          type="button"
          className="ghost"
          data-testid="create-account"
          disabled={props.busy || !props.canSend}
          onClick={props.onCreate}
        >
          + New account
        </button>
      </div>
    );
  return (
    <Panel
      className="account-panel"
      testId="account-panel"
      title={
        <>
          Account{" "}
          {view === undefined ? null : (
            <span className="muted" data-testid="account-title">
              #{view.accountId.toString()} · {view.account.isolated ? "isolated" : "cross margin"}
            </span>
          )}
        </>
      }
      aside={picker}
    >
      <ErrorNote message={props.viewError} />
      {view === undefined ? (
        <div className="empty">
          {accountIds?.length === 0
            ? `Create an account, then deposit ${props.collateralSymbol} as margin.`
            : "Loading the account…"}
        </div>
      ) : (
        <>
          {Object.values(view.priceErrors).map((error) =>
            error === undefined ? null : <ErrorNote key={error.shortMessage} message={error.shortMessage} />,
          )}
          <div className="account-summary">
            <HealthGauge marginRatio={health?.marginRatio} healthFactor={health?.healthFactor} level={level} />
            <div className="stats-grid">
              <Stat label="Equity" value={health === undefined ? "—" : formatUsd(health.equity)} testId="equity" />
              <Stat label="Margin (realised)" value={formatUsd(view.account.margin)} testId="margin" />
              <Stat
                label="Unrealised PnL"
                hint="net of accrued funding"
                value={health === undefined ? "—" : formatUsd(health.equity - view.haircut.effectiveMargin)}
                tone={toneOf(health === undefined ? undefined : health.equity - view.haircut.effectiveMargin)}
              />
              <Stat
                label="Profit haircut"
                hint={`LP capital covers ${formatPercent(view.haircut.ratio)} of traders' positive PnL; unconverted profit (${formatUsd(view.account.profit)}) counts at that ratio`}
                value={view.haircut.amount === 0n ? "none" : `−${formatUsd(view.haircut.amount)}`}
                tone={view.haircut.amount === 0n ? "muted" : "down"}
                testId="haircut"
              />
              <Stat
                label="Total notional"
                value={health === undefined ? "—" : formatUsd(health.totalNotional)}
                testId="notional"
              />
              <Stat
                label="Initial margin (IM)"
                value={health === undefined ? "—" : formatUsd(health.initialMargin)}
                testId="initial-margin"
              />
              <Stat
                label="Maintenance margin (MM)"
                value={health === undefined ? "—" : formatUsd(health.maintenanceMargin)}
                testId="maintenance-margin"
              />
              <Stat
                label="Health factor"
                value={health === undefined ? "—" : formatHealthFactor(health.healthFactor)}
                hint="equity / MM; liquidatable at ≤ 1"
              />
              <Stat
                label="Withdrawable"
                value={health === undefined ? "—" : formatUsd(health.withdrawable)}
                testId="withdrawable"
              />
            </div>
          </div>
          {view.liquidation !== undefined && health?.liquidatable === true ? (
            <div className="danger-note" data-testid="liquidation-preview">
              Liquidatable now: a keeper would close {formatPercent100(view.liquidation.fraction)} of every position
              {view.liquidation.full ? " (full liquidation)" : ""} and charge a fee of {formatUsd(view.liquidation.fee)}
              .
            </div>
          ) : null}
          <PositionsTable positions={view.positions} onClose={props.onClose} disabled={props.busy || !props.canSend} />
        </>
      )}
    </Panel>
  );
}

function formatPercent100(fraction: bigint): string {
  return `${(Number((fraction * 10_000n) / WAD) / 100).toFixed(2)}%`;
}
