/** Small layout pieces shared by the panels. */
import type { ReactNode } from "react";
import type { Hash, TransactionReceipt } from "viem";

/** Sends a transaction (`send` returns its hash), waits for the receipt and reports progress; throws on failure. */
export type Execute = (label: string, send: () => Promise<Hash>) => Promise<TransactionReceipt>;

export function Panel({
  title,
  aside,
  children,
  className,
  testId,
}: {
  title: ReactNode;
  aside?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`panel ${className ?? ""}`} data-testid={testId}>
      <header className="panel-head">
        <h2>{title}</h2>
        {aside === undefined ? null : <div className="panel-aside">{aside}</div>}
      </header>
      {children}
    </section>
  );
}

/** A labelled figure. */
export function Stat({
  label,
  value,
  hint,
  tone,
  testId,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: "up" | "down" | "muted";
  testId?: string;
}) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className={`stat-value ${tone ?? ""}`} data-testid={testId}>
        {value}
      </div>
      {hint === undefined ? null : <div className="stat-hint">{hint}</div>}
    </div>
  );
}

/**
 * One line of a preview: label, the value now and, once there is something to preview, the value after. Without
 * a preview (`after` is "—") only the value now is shown.
 */
export function PreviewRow({
  label,
  before,
  after,
  testId,
  tone,
}: {
  label: string;
  before?: ReactNode;
  after: ReactNode;
  testId?: string;
  tone?: "warning" | "danger" | "healthy" | "idle";
}) {
  const previewing = after !== "—";
  return (
    <div className="preview-row">
      <dt>{label}</dt>
      <dd>
        {before === undefined || !previewing ? null : (
          <>
            <span className="before">{before}</span>
            <span className="arrow">→</span>
          </>
        )}
        <span className={previewing ? `after ${tone ?? ""}` : "now"} data-testid={testId}>
          {previewing || before === undefined ? after : before}
        </span>
      </dd>
    </div>
  );
}

/**
 * An error sentence. `source` says where it comes from: the SDK's what-if ("preview"), the on-chain simulation or
 * the transaction ("chain").
 */
export function ErrorNote({
  message,
  testId,
  source,
  cause,
}: {
  message: string | undefined;
  testId?: string;
  source?: "preview" | "chain";
  /** A machine-readable cause, when the dashboard classified the error (e.g. a withdrawal's limit). */
  cause?: string;
}) {
  if (message === undefined) return null;
  return (
    <div className="error-note" role="alert" data-testid={testId} data-source={source} data-cause={cause}>
      {source === "chain" ? <span className="error-source">Not sent: </span> : null}
      {message}
    </div>
  );
}

/** Signed amounts in green/red. */
export function toneOf(value: bigint | undefined): "up" | "down" | undefined {
  if (value === undefined || value === 0n) return undefined;
  return value > 0n ? "up" : "down";
}
