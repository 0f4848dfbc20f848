/**
 * Display helpers on top of the SDK's formatters (`formatUsd`, `formatPrice`, …): input parsing, ratios with
 * their "infinite" sentinels, the gauge's colour levels, and error messages a person can read.
 */
import { BallastError, formatFixed, formatPercent, MAX_UINT256, WAD, WARNING_MARGIN_RATIO } from "@ballast/sdk";
import { BaseError, parseUnits } from "viem";

/** A decimal text as fixed point with `decimals` decimals: `undefined` when empty, an error text when invalid. */
export function parseAmount(text: string, decimals: number): bigint | undefined | { error: string } {
  const trimmed = text.trim().replace(/,/g, "");
  if (trimmed === "") return undefined;
  if (!/^\d*\.?\d*$/.test(trimmed) || trimmed === ".") return { error: "Enter a positive number." };
  const fraction = trimmed.split(".")[1] ?? "";
  if (fraction.length > decimals) return { error: `At most ${decimals} decimals.` };
  return parseUnits(trimmed, decimals);
}

export function isParseError(value: bigint | undefined | { error: string }): value is { error: string } {
  return typeof value === "object";
}

/** Health factor (WAD) as "1.42"; ∞ when there is no maintenance margin. */
export function formatHealthFactor(healthFactor: bigint): string {
  return healthFactor === MAX_UINT256 ? "∞" : formatFixed(healthFactor, 18, 2, "down");
}

/** Margin ratio MM / equity (WAD) as "62.5%"; "∞" when equity ≤ 0 < MM. */
export function formatMarginRatio(marginRatio: bigint): string {
  return marginRatio === MAX_UINT256 ? "∞" : formatPercent(marginRatio, 1);
}

/** The gauge's colour: amber from 80% (the design's warning line), red from 100% (liquidatable). */
export type RiskLevel = "idle" | "healthy" | "warning" | "danger";

export function riskLevel(marginRatio: bigint | undefined, maintenanceMargin: bigint | undefined): RiskLevel {
  if (marginRatio === undefined || maintenanceMargin === undefined || maintenanceMargin === 0n) return "idle";
  if (marginRatio >= WAD) return "danger";
  if (marginRatio >= WARNING_MARGIN_RATIO) return "warning";
  return "healthy";
}

/**
 * A per-second WAD funding rate as a percentage per hour with two significant digits, e.g. "+0.0125%/h",
 * "-0.000050%/h". (Display only: a float is fine here; every amount the protocol charges is computed in bigint.)
 */
export function formatFundingPerHour(ratePerSecond: bigint): string {
  const percent = Number(ratePerSecond * 3600n) / 1e16;
  if (percent === 0) return "0.0000%/h";
  const digits = Math.min(10, Math.max(4, 1 - Math.floor(Math.log10(Math.abs(percent)))));
  return `${percent > 0 ? "+" : ""}${percent.toFixed(digits)}%/h`;
}

/** Collateral units with 2 decimals, e.g. "1,000,029.46 USDC". */
export function formatCollateral(assets: bigint, decimals: number, symbol: string): string {
  return `${formatFixed(assets, decimals, Math.min(2, decimals), "down")} ${symbol}`;
}

/** A WAD rate as a leverage, e.g. 2% IM → "50x". */
export function formatLeverage(initialMarginRate: bigint): string {
  if (initialMarginRate === 0n) return "∞";
  return `${formatFixed((WAD * WAD) / initialMarginRate, 18, 1, "down").replace(/\.0$/, "")}x`;
}

/** Seconds since `timestamp` as "12 s ago" / "3 min ago". */
export function timeAgo(timestamp: bigint, nowSeconds: number): string {
  const seconds = Math.max(0, Math.round(nowSeconds - Number(timestamp)));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ago`;
}

/** The best sentence an error has: the SDK's typed message, viem's short message, or the message. */
export function errorMessage(error: unknown): string {
  if (error instanceof BallastError) return error.shortMessage;
  if (error instanceof BaseError) return error.shortMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A WAD USD amount in short form: $50K, $2.5M, $1B. */
export function compactUsd(wad: bigint): string {
  const units: [bigint, string][] = [
    [10n ** 9n, "B"],
    [10n ** 6n, "M"],
    [10n ** 3n, "K"],
  ];
  for (const [size, suffix] of units) {
    if (wad >= size * WAD) return `$${formatFixed(wad / size, 18, 1, "down").replace(/\.0$/, "")}${suffix}`;
  }
  return `$${formatFixed(wad, 18, 0, "down")}`;
}
