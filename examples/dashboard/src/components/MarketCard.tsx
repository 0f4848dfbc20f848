/** One market: mark price, funding, open interest per side against its cap, fees, and the margin tiers. */
import { formatPercent, formatPrice, formatSize, formatUsd, type MarketView, mulWadUp, WAD } from "@ballast/sdk";
import { compactUsd, formatFundingPerHour, formatLeverage } from "../format.js";
import { Panel } from "./ui.js";

function OpenInterestBar({
  side,
  size,
  cap,
  price,
  symbol,
}: {
  side: "long" | "short";
  size: bigint;
  cap: bigint;
  price: bigint | undefined;
  symbol: string;
}) {
  const width = cap === 0n ? 0 : Number((size * 10_000n) / cap) / 100;
  return (
    <div className={`oi-row oi-${side}`}>
      <span className="oi-label">{side === "long" ? "Long OI" : "Short OI"}</span>
      <div className="oi-track" title={`${width.toFixed(2)}% of the ${formatSize(cap, symbol)} cap`}>
        <div className="oi-fill" style={{ width: `${Math.max(width, size === 0n ? 0 : 1)}%` }} />
      </div>
      <span className="oi-value" data-testid={`oi-${side}`}>
        {formatSize(size, symbol)}
        {price === undefined ? null : <small>{formatUsd(mulWadUp(size, price), 0)}</small>}
      </span>
    </div>
  );
}

/** "≤ $50K", "$50K – $500K", …, "> $5M" (the last bracket has no upper bound). */
function tierRange(tiers: MarketView["tiers"], i: number): string {
  const cap = tiers[i]?.notionalCap ?? 0n;
  const lower = i === 0 ? undefined : tiers[i - 1]?.notionalCap;
  if (i === tiers.length - 1 && lower !== undefined) return `> ${compactUsd(lower)}`;
  return lower === undefined ? `≤ ${compactUsd(cap)}` : `${compactUsd(lower)} – ${compactUsd(cap)}`;
}

export function MarketCard({ market, timestamp }: { market: MarketView; timestamp: bigint }) {
  const { params, state, tiers, ramp, symbol } = market;
  const rampActive = ramp.end > timestamp && ramp.previousTiers.length > 0;
  const funding = market.funding?.ratePerSecond;
  return (
    <Panel
      className="market-card"
      testId={`market-${symbol}`}
      title={
        <>
          {symbol}-PERP <span className="muted">market {market.marketId}</span>
        </>
      }
      aside={<span className="pill">{`${symbol} / USD feed`}</span>}
    >
      <div className="market-body">
        <div className="market-info">
          <div className="market-price-row">
            <div>
              <div className="stat-label">Mark price</div>
              <div className="market-price" data-testid={`mark-${symbol}`}>
                {market.price === undefined ? "—" : formatPrice(market.price)}
              </div>
            </div>
            <div className="market-funding">
              <div className="stat-label">Funding</div>
              <div
                className={`stat-value ${funding === undefined || funding === 0n ? "" : funding > 0n ? "down" : "up"}`}
                data-testid={`funding-${symbol}`}
                title="Positive: longs pay shorts"
              >
                {funding === undefined ? "—" : formatFundingPerHour(funding)}
              </div>
            </div>
          </div>
          {market.priceError === undefined ? null : <div className="error-note">{market.priceError.shortMessage}</div>}
          <OpenInterestBar
            side="long"
            size={state.longOpenInterest}
            cap={params.maxOpenInterestPerSide}
            price={market.price}
            symbol={symbol}
          />
          <OpenInterestBar
            side="short"
            size={state.shortOpenInterest}
            cap={params.maxOpenInterestPerSide}
            price={market.price}
            symbol={symbol}
          />
          <div className="market-meta">
            <span>
              Taker {formatPercent(params.takerFeeRate, 3)} · maker {formatPercent(params.makerFeeRate, 3)}
            </span>
            <span>Cap {formatSize(params.maxOpenInterestPerSide, symbol)} / side</span>
          </div>
        </div>
        <div className="market-tiers">
          <table className="tiers" data-testid={`tiers-${symbol}`}>
            <thead>
              <tr>
                <th title="Position notional">Notional</th>
                <th title="Initial margin rate">IM</th>
                <th title="Maintenance margin rate">MM</th>
                <th title="Maximum leverage">Max lev.</th>
              </tr>
            </thead>
            <tbody>
              {tiers.map((tier, i) => (
                <tr key={tier.notionalCap.toString()}>
                  <td>{tierRange(tiers, i)}</td>
                  <td>{formatPercent(tier.initialMarginRate, 2)}</td>
                  <td>{formatPercent(tier.maintenanceMarginRate, 2)}</td>
                  <td>{formatLeverage(tier.initialMarginRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rampActive ? (
            <div className="note">
              New margin table ramping in until {new Date(Number(ramp.end) * 1000).toLocaleString()} (
              {formatPercent(((timestamp - ramp.start) * WAD) / (ramp.end - ramp.start), 0)} done).
            </div>
          ) : null}
        </div>
      </div>
    </Panel>
  );
}
