/**
 * The liquidity vault (every trade's counterparty) and the insurance pool (first loss), plus the risk parameters.
 * Under each pool: the user's pending requests (vault deposits and redemptions, insurance exits are ERC-7540
 * requests settled after a delay), when each becomes settleable, and a button to settle it (anyone may).
 */
import {
  type BallastClient,
  type BallastDeployment,
  formatFixed,
  formatPercent,
  formatUsd,
  type PoolRequest,
  type PoolRequestsView,
  type PoolsView,
  type RiskParams,
} from "@ballast/sdk";
import { useState } from "react";
import type { Address, Hash } from "viem";
import { errorMessage, formatCollateral } from "../format.js";
import { ErrorNote, type Execute, Panel, Stat } from "./ui.js";

/** "in 59 min 30 s" for a wait in seconds. */
function waitText(seconds: bigint): string {
  const s = Number(seconds);
  if (s >= 86_400) return `in ${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3_600)} h`;
  if (s >= 3_600) return `in ${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
  if (s >= 60) return `in ${Math.floor(s / 60)} min ${s % 60} s`;
  return `in ${s} s`;
}

type RequestRow = {
  key: string;
  label: string;
  request: PoolRequest;
  /** The escrowed amount and what settling now would give, as text. */
  amount: string;
  settle: () => Promise<Hash>;
};

function PendingRequests({
  rows,
  testId,
  execute,
  busy,
  canSend,
}: {
  rows: RequestRow[];
  testId: string;
  execute: Execute;
  busy: boolean;
  canSend: boolean;
}) {
  const [error, setError] = useState<string>();
  if (rows.length === 0) {
    return (
      <div className="pool-requests muted" data-testid={testId}>
        No pending request.
      </div>
    );
  }
  return (
    <div className="pool-requests" data-testid={testId}>
      {rows.map((row) => (
        <div className="pool-request" key={row.key} data-testid={`${testId}-${row.key}`}>
          <span>
            {row.label} <strong>{row.amount}</strong>{" "}
            <span className={row.request.settleable ? "pill ok" : "pill"} data-testid={`${testId}-${row.key}-status`}>
              {row.request.settleable
                ? "settleable now"
                : `settleable ${waitText(row.request.secondsToUnlock)} (${new Date(
                    Number(row.request.unlockTime) * 1000,
                  ).toLocaleTimeString("en-GB")})`}
            </span>
          </span>
          <button
            type="button"
            className="ghost small"
            data-testid={`${testId}-${row.key}-settle`}
            disabled={!row.request.settleable || busy || !canSend}
            onClick={() => {
              setError(undefined);
              execute(`Settle ${row.label.toLowerCase()}`, row.settle).catch((e: unknown) => setError(errorMessage(e)));
            }}
          >
            Settle
          </button>
        </div>
      ))}
      <ErrorNote message={error} testId={`${testId}-error`} source="chain" />
    </div>
  );
}

/** Collateral per share, from ERC-4626 totals (display only). */
function sharePrice(assets: bigint, shares: bigint, assetDecimals: number, shareDecimals: number): string {
  if (shares === 0n) return "—";
  const price = (assets * 10n ** BigInt(shareDecimals) * 10n ** 6n) / shares; // asset units × 1e6
  return formatFixed(price, assetDecimals + 6, 4, "down");
}

export function PoolsPanel({
  pools,
  riskParams,
  paused,
  deployment,
  requests,
  ballast,
  owner,
  execute,
  busy,
  canSend,
}: {
  pools: PoolsView | undefined;
  riskParams: RiskParams | undefined;
  paused: boolean | undefined;
  deployment: BallastDeployment;
  /** The user's pending requests (`undefined` without a user). */
  requests: PoolRequestsView | undefined;
  ballast: BallastClient;
  owner: Address | undefined;
  execute: Execute;
  busy: boolean;
  canSend: boolean;
}) {
  const decimals = deployment.collateralDecimals;
  const symbol = deployment.collateralSymbol ?? "USDC";
  const token = (value: bigint | undefined) => (value === undefined ? "—" : formatCollateral(value, decimals, symbol));
  const shares = (value: bigint, shareDecimals: number | undefined) =>
    `${formatFixed(value, shareDecimals ?? decimals + 6, 2, "down")} shares`;
  const vaultRows: RequestRow[] = [];
  const insuranceRows: RequestRow[] = [];
  if (requests !== undefined && owner !== undefined) {
    const { vaultDeposit, vaultRedeem, insuranceRedeem } = requests;
    if (vaultDeposit !== undefined) {
      vaultRows.push({
        key: "deposit",
        label: "Deposit",
        request: vaultDeposit,
        amount: token(vaultDeposit.amount),
        settle: () => ballast.send(ballast.build.vaultSettle({ kind: "deposit", controller: owner })),
      });
    }
    if (vaultRedeem !== undefined) {
      vaultRows.push({
        key: "redeem",
        label: "Redemption",
        request: vaultRedeem,
        amount: `${shares(vaultRedeem.amount, pools?.vaultShareDecimals)} (≤ ${token(vaultRedeem.quote)})`,
        settle: () => ballast.send(ballast.build.vaultSettle({ kind: "redeem", controller: owner })),
      });
    }
    if (insuranceRedeem !== undefined) {
      insuranceRows.push({
        key: "redeem",
        label: "Exit",
        request: insuranceRedeem,
        amount: `${shares(insuranceRedeem.amount, pools?.insuranceShareDecimals)} (≤ ${token(insuranceRedeem.quote)})`,
        settle: () => ballast.send(ballast.build.insuranceSettle({ controller: owner })),
      });
    }
  }
  const rowsProps = { execute, busy, canSend };
  return (
    <Panel
      title="Pools"
      className="pools"
      testId="pools"
      aside={
        paused === true ? <span className="pill danger">paused</span> : <span className="pill ok">trading live</span>
      }
    >
      <div className="pool-grid">
        <div className="pool">
          <div className="pool-title">
            Liquidity vault <span className="muted">bLP · counterparty of every trade</span>
          </div>
          <div className="pool-figures">
            <Stat label="Total assets" value={token(pools?.vaultAssets)} testId="vault-assets" />
            <Stat
              label="NAV"
              value={pools?.vaultNav === undefined ? "—" : formatUsd(pools.vaultNav)}
              hint="ledger + traders' PnL against it"
            />
            <Stat
              label="Share price"
              value={
                pools === undefined
                  ? "—"
                  : sharePrice(pools.vaultAssets, pools.vaultShares, decimals, pools.vaultShareDecimals)
              }
              hint={`${symbol} per bLP`}
            />
          </div>
          {requests === undefined ? null : <PendingRequests rows={vaultRows} testId="vault-requests" {...rowsProps} />}
        </div>
        <div className="pool">
          <div className="pool-title">
            Insurance pool <span className="muted">bINS · pays bad debt first</span>
          </div>
          <div className="pool-figures">
            <Stat label="Total assets" value={token(pools?.insuranceAssets)} testId="insurance-assets" />
            <Stat
              label="Ledger"
              value={pools === undefined ? "—" : formatUsd(pools.insuranceLedger)}
              hint="fees and liquidation shares in"
            />
            <Stat
              label="Share price"
              value={
                pools === undefined
                  ? "—"
                  : sharePrice(pools.insuranceAssets, pools.insuranceShares, decimals, pools.insuranceShareDecimals)
              }
              hint={`${symbol} per bINS`}
            />
          </div>
          {requests === undefined ? null : (
            <PendingRequests rows={insuranceRows} testId="insurance-requests" {...rowsProps} />
          )}
        </div>
      </div>
      {riskParams === undefined ? null : (
        <div className="risk-params">
          Liquidation fee <strong>{formatPercent(riskParams.liquidationFeeRate, 2)}</strong> of closed notional, keeper
          share <strong>{formatPercent(riskParams.keeperRewardShare, 0)}</strong> · partial liquidations restore health{" "}
          <strong>{formatFixed(10n ** 18n + riskParams.liquidationBuffer, 18, 2)}</strong> · full below health{" "}
          <strong>{formatFixed(riskParams.fullLiquidationHealthFactor, 18, 2)}</strong>
        </div>
      )}
    </Panel>
  );
}
