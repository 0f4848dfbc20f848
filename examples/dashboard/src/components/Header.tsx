/** Brand, network (chain, block, RPC), the wallet and signer, and the last transaction's status. */
import type { ReactNode } from "react";

export type Activity = {
  label: string;
  status: "pending" | "confirmed" | "failed";
  detail?: string;
};

export function Header({
  chainName,
  chainId,
  blockNumber,
  blockError,
  rpcUrl,
  activity,
  children,
}: {
  chainName: string;
  chainId: number;
  blockNumber: bigint | undefined;
  blockError: string | undefined;
  rpcUrl: string;
  activity: Activity | undefined;
  /** The wallet and signer controls. */
  children: ReactNode;
}) {
  return (
    <header className="topbar">
      <div className="brand">
        <div className="logo" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="30" height="30">
            <title>Ballast</title>
            <rect width="32" height="32" rx="8" className="logo-bg" />
            <path d="M7 19h18l-3.5 6h-11z" className="logo-hull" />
            <path d="M16 6v12M16 7l6 9h-6" className="logo-sail" />
          </svg>
        </div>
        <div>
          <div className="brand-name">Ballast</div>
          <div className="brand-sub">perpetuals margin dashboard</div>
        </div>
      </div>
      <div className="topbar-right">
        {activity === undefined ? null : (
          <div
            className={`activity ${activity.status}`}
            data-testid="activity"
            data-status={activity.status}
            title={activity.detail}
          >
            <span className="activity-dot" />
            {activity.label}: {activity.status}
            {activity.detail === undefined || activity.status !== "confirmed" ? null : (
              <span className="muted"> · {activity.detail}</span>
            )}
          </div>
        )}
        <div className={`network ${blockError === undefined ? "" : "down"}`} title={rpcUrl} data-testid="network">
          <span className="dot" />
          <span>{chainName}</span>
          <span className="muted">chain {chainId}</span>
          <span className="mono" data-testid="block-number">
            {blockError !== undefined ? "node unreachable" : blockNumber === undefined ? "…" : `block #${blockNumber}`}
          </span>
        </div>
        {children}
      </div>
    </header>
  );
}
