/**
 * The trade ticket. While the user types, the SDK's pure `simulateTrade` previews the fill, the fee, the new
 * position, health factor, margin ratio and liquidation price (and the revert the core would raise). On submit the
 * trade is simulated first (`ballast.simulateTrade`: the settlement checks at the current price and an eth_call of
 * the commit): a refusal is shown as the SDK's typed error message; otherwise the order is committed (after a
 * one-time approval of the order book for the settlement-fee escrow) and its status is followed through settlement
 * with `ballast.watchOrder`: pending → settleable → settled at its fill, or cancelled with the core's reason.
 */
import {
  type AccountSnapshot,
  type AccountView,
  type BallastClient,
  type ContractErrorContext,
  formatPercent,
  formatPrice,
  formatSize,
  formatUsd,
  liquidationPrice,
  type MarketsView,
  maxPositionSize,
  simulateTrade as previewTrade,
} from "@ballast/sdk";
import { type FormEvent, useEffect, useMemo, useState } from "react";
import {
  errorMessage,
  formatHealthFactor,
  formatMarginRatio,
  isParseError,
  parseAmount,
  riskLevel,
} from "../format.js";
import { ErrorNote, type Execute, Panel, PreviewRow } from "./ui.js";

export type TradeTicketProps = {
  ballast: BallastClient;
  markets: MarketsView | undefined;
  /** The account, with the freshest market data merged in. */
  snapshot: (AccountView & AccountSnapshot) | undefined;
  errorContext: ContractErrorContext;
  /** Sends, waits for the receipt, reports progress; throws the (typed) error when it fails. */
  execute: Execute;
  busy: boolean;
  canSend: boolean;
};

const SLIPPAGES = [10, 50, 100] as const;

export function TradeTicket({ ballast, markets, snapshot, errorContext, execute, busy, canSend }: TradeTicketProps) {
  const deployment = ballast.deployment;
  const [marketId, setMarketId] = useState(deployment.markets[0]?.marketId ?? 0);
  const [side, setSide] = useState<"long" | "short">("long");
  const [sizeText, setSizeText] = useState("");
  const [slippageBps, setSlippageBps] = useState<number>(50);
  const [submitError, setSubmitError] = useState<string>();
  /** Between the click and the end of the transaction (the on-chain simulation included). */
  const [working, setWorking] = useState(false);
  const [escrowApproved, setEscrowApproved] = useState(false);
  const [orderStatus, setOrderStatus] = useState<string>();
  const [watching, setWatching] = useState<() => void>();
  useEffect(() => () => watching?.(), [watching]);

  const market = markets?.markets[marketId];
  const symbol = market?.symbol ?? deployment.markets.find((m) => m.marketId === marketId)?.symbol ?? "";
  const parsed = parseAmount(sizeText, 18);
  const size = isParseError(parsed) ? undefined : parsed;
  const sizeDelta = size === undefined || size === 0n ? undefined : side === "long" ? size : -size;
  const current = snapshot?.positions.find((p) => p.marketId === marketId);

  const preview = useMemo(() => {
    if (snapshot === undefined || sizeDelta === undefined) return undefined;
    try {
      const result = previewTrade({
        ...snapshot,
        accountId: snapshot.accountId,
        marketId,
        sizeDelta,
        paused: snapshot.paused,
        errorContext: {
          ...errorContext,
          action: `${sizeDelta > 0n ? "buying" : "selling"} ${formatSize(size ?? 0n, symbol)}`,
        },
      });
      const newSize = result.fill?.newSize ?? 0n;
      const liquidationAfter =
        result.after === undefined || newSize === 0n ? undefined : liquidationPrice({ ...result.after, marketId });
      return { result, liquidationAfter, failure: undefined };
    } catch (error) {
      return { result: undefined, liquidationAfter: undefined, failure: errorMessage(error) };
    }
  }, [snapshot, marketId, sizeDelta, size, symbol, errorContext]);

  const maxSize = useMemo(() => {
    const health = snapshot?.health;
    if (snapshot === undefined || health === undefined || market?.price === undefined) return undefined;
    const currentIm = current?.initialMargin ?? 0n;
    const free = health.equity - health.initialMargin + currentIm;
    if (free <= 0n) return 0n;
    try {
      const { size: total } = maxPositionSize({
        market,
        margin: free,
        price: market.price,
        timestamp: snapshot.timestamp,
      });
      const held = current?.size ?? 0n;
      const sameSide = held === 0n || held > 0n === (side === "long");
      const heldAbs = held < 0n ? -held : held;
      return sameSide ? (total > heldAbs ? total - heldAbs : 0n) : heldAbs + total;
    } catch {
      return undefined;
    }
  }, [snapshot, market, current, side]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitError(undefined);
    if (snapshot === undefined || sizeDelta === undefined) return;
    const label = `${side === "long" ? "Buy" : "Sell"} ${formatSize(size ?? 0n, symbol)}`;
    setWorking(true);
    try {
      // Simulate on chain first: a refusal arrives as a typed error (e.g. InsufficientMarginError).
      const simulation = await ballast.simulateTrade({
        accountId: snapshot.accountId,
        marketId,
        sizeDelta,
        slippageBps,
      });
      if (!escrowApproved && deployment.orderBook !== undefined) {
        await execute("Approve the order book (settlement fee escrow)", () =>
          ballast.send(ballast.build.approve({ spender: deployment.orderBook!, assets: 2n ** 256n - 1n })),
        );
        setEscrowApproved(true);
      }
      const receipt = await execute(`${label} (order)`, () => ballast.send(simulation.transaction));
      setSizeText("");
      setOrderStatus(`${label}: committed`);
      watching?.();
      setWatching(() =>
        ballast.watchOrder({
          accountId: snapshot.accountId,
          marketId,
          fromBlock: receipt.blockNumber,
          pollingInterval: 250,
          onStatus: (status) => {
            if (status.status === "settled") {
              setOrderStatus(`${label}: settled at ${formatPrice(status.fillPrice)}`);
            } else if (status.status === "cancelled") {
              setOrderStatus(`${label}: cancelled (${status.reason?.shortMessage ?? status.reasonName})`);
            } else {
              setOrderStatus(`${label}: ${status.status}`);
            }
          },
        }),
      );
    } catch (error) {
      setSubmitError(errorMessage(error));
    } finally {
      setWorking(false);
    }
  };

  const result = preview?.result;
  const fill = result?.fill;
  const before = result?.healthBefore ?? snapshot?.health;
  const after = result?.healthAfter;
  const errorText = submitError ?? preview?.failure ?? result?.error?.shortMessage;
  const newSize = fill?.newSize;

  return (
    <Panel
      title="Trade"
      className="trade-ticket"
      testId="trade-ticket"
      aside={<span className="pill">order · settles at the next price</span>}
    >
      <form onSubmit={submit}>
        <div className="segmented" role="tablist" aria-label="Market">
          {deployment.markets.map((m) => (
            <button
              key={m.marketId}
              type="button"
              role="tab"
              aria-selected={m.marketId === marketId}
              className={m.marketId === marketId ? "active" : ""}
              data-testid={`ticket-market-${m.symbol}`}
              onClick={() => {
                setMarketId(m.marketId);
                setSubmitError(undefined);
              }}
            >
              {m.symbol}-PERP
              <small>
                {markets?.markets[m.marketId]?.price === undefined
                  ? "—"
                  : formatPrice(markets.markets[m.marketId]?.price ?? 0n)}
              </small>
            </button>
          ))}
        </div>
        <div className="side-toggle">
          <button
            type="button"
            className={`long ${side === "long" ? "active" : ""}`}
            data-testid="side-long"
            onClick={() => {
              setSide("long");
              setSubmitError(undefined);
            }}
          >
            Long
          </button>
          <button
            type="button"
            className={`short ${side === "short" ? "active" : ""}`}
            data-testid="side-short"
            onClick={() => {
              setSide("short");
              setSubmitError(undefined);
            }}
          >
            Short
          </button>
        </div>
        <label className="field">
          <span>Size</span>
          <div className="input-wrap">
            <input
              inputMode="decimal"
              placeholder="0.00"
              value={sizeText}
              data-testid="trade-size"
              onChange={(event) => {
                setSizeText(event.target.value);
                setSubmitError(undefined);
              }}
            />
            <span className="suffix">{symbol}</span>
          </div>
          <span className="field-hint">
            {isParseError(parsed)
              ? parsed.error
              : fill !== undefined && size !== undefined && market?.price !== undefined
                ? `≈ ${formatUsd((size * fill.fillPrice) / 10n ** 18n)} notional`
                : "Base units, e.g. 0.25"}
            {maxSize === undefined ? null : ` · max ≈ ${formatSize(maxSize, symbol)} before fees`}
          </span>
        </label>
        <div className="slippage">
          <span>Slippage</span>
          {SLIPPAGES.map((bps) => (
            <button
              key={bps}
              type="button"
              className={bps === slippageBps ? "chip active" : "chip"}
              onClick={() => setSlippageBps(bps)}
            >
              {formatPercent(BigInt(bps) * 10n ** 14n, 1)}
            </button>
          ))}
        </div>
        <dl className="preview" data-testid="trade-preview">
          <PreviewRow
            label="Est. fill price"
            after={fill === undefined ? "—" : formatPrice(fill.fillPrice)}
            testId="preview-fill"
          />
          <PreviewRow label="Fee" after={fill === undefined ? "—" : formatUsd(fill.fee)} testId="preview-fee" />
          <PreviewRow
            label="Position"
            before={current === undefined ? "none" : formatSize(current.size, symbol)}
            after={newSize === undefined ? "—" : newSize === 0n ? "closed" : formatSize(newSize, symbol)}
          />
          <PreviewRow
            label="Health factor"
            before={before === undefined ? "—" : formatHealthFactor(before.healthFactor)}
            after={after === undefined ? "—" : formatHealthFactor(after.healthFactor)}
            testId="preview-health"
            tone={after === undefined ? undefined : riskLevel(after.marginRatio, after.maintenanceMargin)}
          />
          <PreviewRow
            label="Margin ratio"
            before={before === undefined ? "—" : formatMarginRatio(before.marginRatio)}
            after={after === undefined ? "—" : formatMarginRatio(after.marginRatio)}
            tone={after === undefined ? undefined : riskLevel(after.marginRatio, after.maintenanceMargin)}
          />
          <PreviewRow
            label="Liq. price"
            before={current?.liquidationPrice === undefined ? "—" : formatPrice(current.liquidationPrice)}
            after={
              result === undefined
                ? "—"
                : preview?.liquidationAfter === undefined
                  ? "none"
                  : formatPrice(preview.liquidationAfter)
            }
            testId="preview-liq"
          />
          <PreviewRow
            label="Equity / IM after"
            after={after === undefined ? "—" : `${formatUsd(after.equity)} / ${formatUsd(after.initialMargin)}`}
          />
        </dl>
        <ErrorNote message={errorText} testId="trade-error" source={submitError === undefined ? "preview" : "chain"} />
        {orderStatus === undefined ? null : (
          <p className="order-status" data-testid="order-status">
            {orderStatus}
          </p>
        )}
        <button
          type="submit"
          className={`primary ${side}`}
          data-testid="trade-submit"
          disabled={busy || working || !canSend || snapshot === undefined || sizeDelta === undefined}
        >
          {snapshot === undefined
            ? "Create an account to trade"
            : `${side === "long" ? "Buy / long" : "Sell / short"} ${size === undefined ? "" : formatSize(size, symbol)}`}
        </button>
      </form>
    </Panel>
  );
}
