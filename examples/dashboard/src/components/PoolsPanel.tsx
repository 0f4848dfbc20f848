/** The liquidity vault (every trade's counterparty) and the insurance pool (first loss), plus the risk parameters. */
import {
  type BallastDeployment,
  formatFixed,
  formatPercent,
  formatUsd,
  type PoolsView,
  type RiskParams,
} from "@ballast/sdk";
import { formatCollateral } from "../format.js";
import { Panel, Stat } from "./ui.js";

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
}: {
  pools: PoolsView | undefined;
  riskParams: RiskParams | undefined;
  paused: boolean | undefined;
  deployment: BallastDeployment;
}) {
  const decimals = deployment.collateralDecimals;
  const symbol = deployment.collateralSymbol ?? "USDC";
  const token = (value: bigint | undefined) => (value === undefined ? "—" : formatCollateral(value, decimals, symbol));
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
