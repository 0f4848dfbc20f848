/** Brand, network (chain, block, RPC), the signing wallet, and the last transaction's status. */
import { HARDHAT_TEST_KEYS, shortAddress, testAccountAddress, type WalletChoice } from "../chain/wallets.js";

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
  choice,
  onChoose,
  address,
  injectedAvailable,
  walletError,
  activity,
}: {
  chainName: string;
  chainId: number;
  blockNumber: bigint | undefined;
  blockError: string | undefined;
  rpcUrl: string;
  choice: WalletChoice;
  onChoose: (choice: WalletChoice) => void;
  address: string | undefined;
  injectedAvailable: boolean;
  walletError: string | undefined;
  activity: Activity | undefined;
}) {
  const value = choice.kind === "test" ? `test:${choice.index}` : "injected";
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
        <label className="wallet">
          <span className="muted">Signer</span>
          <select
            value={value}
            data-testid="wallet-select"
            onChange={(event) => {
              const next = event.target.value;
              onChoose(
                next === "injected" ? { kind: "injected" } : { kind: "test", index: Number(next.split(":")[1]) },
              );
            }}
          >
            {HARDHAT_TEST_KEYS.map((_, index) => (
              <option key={testAccountAddress(index)} value={`test:${index}`}>
                Test account #{index} · {shortAddress(testAccountAddress(index))}
              </option>
            ))}
            {injectedAvailable ? <option value="injected">Browser wallet</option> : null}
          </select>
          {address === undefined ? null : (
            <span className="mono address" data-testid="signer-address" title={address}>
              {shortAddress(address)}
            </span>
          )}
        </label>
        {walletError === undefined ? null : <span className="danger-text">{walletError}</span>}
      </div>
    </header>
  );
}
