/**
 * Deposit and withdraw margin, with the SDK's what-if (health after, the most that may be withdrawn) before
 * sending, and an on-chain simulation before each transaction. On a local network: mint the mock USDC first.
 * A deposit approves the core first when the allowance is short. A refused withdrawal is explained by its cause
 * (withdrawal.ts) rather than with the SDK's generic sentence.
 */
import {
  type AccountHealth,
  type AccountSnapshot,
  type AccountView,
  BallastContractError,
  type BallastClient,
  type ContractErrorContext,
  formatToken,
  formatUsd,
  type GetCollateralBalanceReturnType,
  simulateDeposit as previewDeposit,
  simulateWithdraw as previewWithdraw,
} from "@ballast/sdk";
import { type FormEvent, useMemo, useState } from "react";
import type { Address } from "viem";
import {
  errorMessage,
  formatHealthFactor,
  formatMarginRatio,
  isParseError,
  parseAmount,
  riskLevel,
} from "../format.js";
import { withdrawalLimit, withdrawalRefusal } from "../withdrawal.js";
import { ErrorNote, type Execute, Panel, PreviewRow } from "./ui.js";

export type CollateralFormsProps = {
  ballast: BallastClient;
  snapshot: (AccountView & AccountSnapshot) | undefined;
  wallet: GetCollateralBalanceReturnType | undefined;
  owner: Address | undefined;
  /** Whether the collateral is the local mock token (mint allowed). */
  local: boolean;
  errorContext: ContractErrorContext;
  execute: Execute;
  busy: boolean;
  canSend: boolean;
};

const MINT_AMOUNT = 10_000n;

/**
 * For a `WithdrawalExceedsAvailable` refusal (the SDK's preview or the on-chain simulation), the sentence that names
 * its cause, from the account's figures; `undefined` for any other error. The SDK's own sentence says "unrealised
 * profit cannot leave" even for an account at a loss.
 */
function explainRefusal(
  error: unknown,
  health: AccountHealth | undefined,
  assets: bigint,
  decimals: number,
  symbol: string,
): { message: string; cause: string } | undefined {
  if (!(error instanceof BallastContractError) || error.errorName !== "WithdrawalExceedsAvailable") return undefined;
  if (health === undefined) return undefined;
  const limit = withdrawalLimit(health);
  // The amount that may leave as the core computed it (the error's argument, WAD USD), in token units.
  const [, available] = error.args as readonly [bigint, bigint];
  const availableAssets = available / 10n ** BigInt(18 - decimals);
  const message = withdrawalRefusal(
    limit,
    formatToken(assets, decimals, symbol),
    formatToken(availableAssets, decimals, symbol),
  );
  return { message, cause: limit.cause };
}

export function CollateralForms(props: CollateralFormsProps) {
  const { ballast, snapshot, wallet, errorContext, execute } = props;
  const deployment = ballast.deployment;
  const decimals = deployment.collateralDecimals;
  const symbol = deployment.collateralSymbol ?? "USDC";
  const [mode, setMode] = useState<"deposit" | "withdraw">("deposit");
  const [amountText, setAmountText] = useState("");
  const [submitError, setSubmitError] = useState<{ message: string; cause?: string }>();
  /** Between the click and the end of the transaction (the on-chain simulation included). */
  const [working, setWorking] = useState(false);
  const parsed = parseAmount(amountText, decimals);
  const assets = isParseError(parsed) ? undefined : parsed;

  const preview = useMemo(() => {
    if (snapshot === undefined || snapshot.health === undefined) return undefined;
    try {
      const parameters = { ...snapshot, assets: assets ?? 0n, collateralDecimals: decimals, errorContext };
      return mode === "deposit" ? previewDeposit(parameters) : previewWithdraw(parameters);
    } catch {
      return undefined;
    }
  }, [snapshot, assets, decimals, errorContext, mode]);

  const needsApproval = mode === "deposit" && assets !== undefined && (wallet?.allowance.core ?? 0n) < assets;

  const mint = async () => {
    setSubmitError(undefined);
    if (props.owner === undefined) return;
    try {
      await execute(`Mint ${MINT_AMOUNT.toLocaleString("en-US")} test ${symbol}`, () =>
        ballast.send(
          ballast.build.mintMockCollateral({
            to: props.owner as Address,
            assets: MINT_AMOUNT * 10n ** BigInt(decimals),
          }),
        ),
      );
    } catch (error) {
      setSubmitError({ message: errorMessage(error) });
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitError(undefined);
    if (snapshot === undefined || assets === undefined || assets === 0n) return;
    const amount = formatToken(assets, decimals, symbol);
    setWorking(true);
    try {
      if (mode === "deposit") {
        if ((wallet?.balance ?? 0n) < assets) {
          throw new Error(
            `The wallet holds ${formatToken(wallet?.balance ?? 0n, decimals, symbol)}, less than ${amount}.${props.local ? ` Mint test ${symbol} first.` : ""}`,
          );
        }
        if (needsApproval) {
          await execute(`Approve ${amount}`, () => ballast.send(ballast.build.approve({ spender: "core", assets })));
        }
        const simulation = await ballast.simulateDeposit({ accountId: snapshot.accountId, assets });
        await execute(`Deposit ${amount}`, () => ballast.send(simulation.transaction));
      } else {
        const simulation = await ballast.simulateWithdraw({ accountId: snapshot.accountId, assets });
        await execute(`Withdraw ${amount}`, () => ballast.send(simulation.transaction));
      }
      setAmountText("");
    } catch (error) {
      setSubmitError(
        explainRefusal(error, snapshot.health, assets, decimals, symbol) ?? { message: errorMessage(error) },
      );
    } finally {
      setWorking(false);
    }
  };

  const before = preview?.healthBefore;
  const after = assets === undefined ? undefined : preview?.healthAfter;
  const previewRefusal =
    assets === undefined || preview?.error === undefined
      ? undefined
      : (explainRefusal(preview.error, snapshot?.health, assets, decimals, symbol) ?? {
          message: preview.error.shortMessage,
        });
  const error: { message: string; cause?: string } | undefined =
    submitError ?? (isParseError(parsed) ? { message: parsed.error } : previewRefusal);
  const disabled = props.busy || working || !props.canSend || snapshot === undefined;

  return (
    <Panel
      title="Margin"
      className="collateral"
      testId="collateral"
      aside={
        <span className="wallet-balance" data-testid="wallet-balance">
          Wallet: {wallet === undefined ? "—" : formatToken(wallet.balance, decimals, symbol)}
        </span>
      }
    >
      <div className="segmented two">
        {(["deposit", "withdraw"] as const).map((m) => (
          <button
            key={m}
            type="button"
            className={m === mode ? "active" : ""}
            data-testid={`mode-${m}`}
            onClick={() => {
              setMode(m);
              setSubmitError(undefined);
            }}
          >
            {m === "deposit" ? "Deposit" : "Withdraw"}
          </button>
        ))}
      </div>
      <form onSubmit={submit}>
        <label className="field">
          <span>Amount</span>
          <div className="input-wrap">
            <input
              inputMode="decimal"
              placeholder="0.00"
              value={amountText}
              data-testid="collateral-amount"
              onChange={(event) => {
                setAmountText(event.target.value);
                setSubmitError(undefined);
              }}
            />
            <button
              type="button"
              className="max"
              onClick={() => {
                const max = mode === "deposit" ? wallet?.balance : preview?.maxWithdrawAssets;
                if (max !== undefined) setAmountText(formatToken(max, decimals).replace(/,/g, ""));
              }}
            >
              max
            </button>
            <span className="suffix">{symbol}</span>
          </div>
          <span className="field-hint">
            {mode === "deposit"
              ? `Allowance for the core: ${wallet === undefined ? "—" : formatToken(wallet.allowance.core, decimals, symbol)}`
              : `Withdrawable now: ${preview === undefined ? "—" : formatToken(preview.maxWithdrawAssets, decimals, symbol)}`}
          </span>
        </label>
        <dl className="preview" data-testid="collateral-preview">
          <PreviewRow
            label="Equity"
            before={before === undefined ? "—" : formatUsd(before.equity)}
            after={after === undefined ? "—" : formatUsd(after.equity)}
          />
          <PreviewRow
            label="Health factor"
            before={before === undefined ? "—" : formatHealthFactor(before.healthFactor)}
            after={after === undefined ? "—" : formatHealthFactor(after.healthFactor)}
            tone={after === undefined ? undefined : riskLevel(after.marginRatio, after.maintenanceMargin)}
          />
          <PreviewRow
            label="Margin ratio"
            before={before === undefined ? "—" : formatMarginRatio(before.marginRatio)}
            after={after === undefined ? "—" : formatMarginRatio(after.marginRatio)}
            tone={after === undefined ? undefined : riskLevel(after.marginRatio, after.maintenanceMargin)}
          />
        </dl>
        <ErrorNote
          message={error?.message}
          testId="collateral-error"
          source={submitError === undefined ? "preview" : "chain"}
          cause={error?.cause}
        />
        <div className="button-row">
          {props.local ? (
            <button
              type="button"
              className="ghost"
              data-testid="mint"
              disabled={props.busy || !props.canSend}
              onClick={mint}
            >
              Mint {MINT_AMOUNT.toLocaleString("en-US")} test {symbol}
            </button>
          ) : null}
          <button
            type="submit"
            className="primary"
            data-testid="collateral-submit"
            disabled={disabled || assets === undefined || assets === 0n}
          >
            {mode === "withdraw" ? "Withdraw" : needsApproval ? "Approve & deposit" : "Deposit"}
          </button>
        </div>
      </form>
    </Panel>
  );
}
