/**
 * The account's margin ratio (MM / equity) as a half-circle gauge: green below 80%, amber from 80% (the design's
 * warning line), red from 100% (liquidatable). The scale ends at 125%.
 */
import { MAX_UINT256, WAD } from "@ballast/sdk";
import { formatHealthFactor, formatMarginRatio, type RiskLevel } from "../format.js";

const SCALE_END = 125; // percent
const CX = 120;
const CY = 118;
const R = 96;

function point(fraction: number): [number, number] {
  const angle = Math.PI * (1 - fraction);
  return [CX + R * Math.cos(angle), CY - R * Math.sin(angle)];
}

function arc(from: number, to: number): string {
  const [x0, y0] = point(from);
  const [x1, y1] = point(to);
  return `M ${x0.toFixed(2)} ${y0.toFixed(2)} A ${R} ${R} 0 0 1 ${x1.toFixed(2)} ${y1.toFixed(2)}`;
}

export const LEVEL_LABEL: Record<RiskLevel, string> = {
  idle: "No positions",
  healthy: "Healthy",
  warning: "Warning · ≥ 80%",
  danger: "Liquidatable",
};

export function HealthGauge({
  marginRatio,
  healthFactor,
  level,
}: {
  marginRatio: bigint | undefined;
  healthFactor: bigint | undefined;
  level: RiskLevel;
}) {
  const percent =
    marginRatio === undefined
      ? 0
      : marginRatio === MAX_UINT256
        ? SCALE_END
        : Number((marginRatio * 10_000n) / WAD) / 100;
  const fraction = Math.min(percent, SCALE_END) / SCALE_END;
  const warningAt = 80 / SCALE_END;
  const dangerAt = 100 / SCALE_END;
  const [nx, ny] = point(fraction);
  return (
    <div className={`gauge level-${level}`} data-testid="health-gauge" data-level={level}>
      <svg viewBox="0 0 240 140" role="img" aria-label={`Margin ratio ${percent}%`}>
        <path d={arc(0, warningAt)} className="zone zone-healthy" />
        <path d={arc(warningAt, dangerAt)} className="zone zone-warning" />
        <path d={arc(dangerAt, 1)} className="zone zone-danger" />
        {fraction > 0.002 ? <path d={arc(0, fraction)} className="value" data-testid="gauge-arc" /> : null}
        {[warningAt, dangerAt].map((at) => {
          const [x, y] = point(at);
          const [lx, ly] = [CX + (x - CX) * 1.2, CY + (y - CY) * 1.2];
          return (
            <g key={at}>
              <line x1={CX + (x - CX) * 0.86} y1={CY + (y - CY) * 0.86} x2={x} y2={y} className="tick" />
              <text x={lx} y={ly} className="tick-label" textAnchor="middle">
                {at === warningAt ? "80%" : "100%"}
              </text>
            </g>
          );
        })}
        <circle cx={nx} cy={ny} r={6} className="needle" />
        <text x={CX} y={CY - 22} className="gauge-value" textAnchor="middle" data-testid="margin-ratio">
          {marginRatio === undefined ? "—" : formatMarginRatio(marginRatio)}
        </text>
        <text x={CX} y={CY} className="gauge-caption" textAnchor="middle">
          margin ratio (MM / equity)
        </text>
      </svg>
      <div className="gauge-foot">
        <span className="gauge-badge">{LEVEL_LABEL[level]}</span>
        <span className="gauge-hf">
          Health factor{" "}
          <strong data-testid="health-factor">
            {healthFactor === undefined ? "—" : formatHealthFactor(healthFactor)}
          </strong>
        </span>
      </div>
    </div>
  );
}
