/**
 * Report files of one run in its directory: report.json (every figure and series), report.md (headline table and
 * details) and report.html (one self-contained page: the charts are inline SVG rendered by ECharts' server-side
 * renderer, no script, no external file).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as echarts from "echarts";
import { HEALTH_BUCKETS, type Headline, type RunMetrics } from "./metrics.js";

/** Headline fields in report order, with their labels and units. */
export const HEADLINE_FIELDS: {
  key: keyof Headline;
  label: string;
  unit: "usd" | "pct" | "count" | "blocks" | "bool";
}[] = [
  { key: "badDebtTotalUsd", label: "Bad debt, total", unit: "usd" },
  { key: "badDebtPaidByInsuranceUsd", label: "… paid by insurance", unit: "usd" },
  { key: "badDebtPaidByLpUsd", label: "… paid by LP capital", unit: "usd" },
  { key: "badDebtPaidByHaircutUsd", label: "… paid by haircut", unit: "usd" },
  { key: "badDebtUnattributedUsd", label: "… unattributed", unit: "usd" },
  { key: "flatAccountLossUsd", label: "Loss of flat accounts", unit: "usd" },
  { key: "liquidatedNotionalUsd", label: "Liquidated notional", unit: "usd" },
  { key: "deficitPercentOfLiquidatedNotional", label: "Deficit, % of liquidated notional", unit: "pct" },
  { key: "keeperLagBlocksMedian", label: "Keeper lag, median", unit: "blocks" },
  { key: "keeperLagBlocksP95", label: "Keeper lag, p95", unit: "blocks" },
  { key: "keeperLagBlocksMax", label: "Keeper lag, max", unit: "blocks" },
  { key: "keeperPnlUsd", label: "Keeper P&L (rewards − gas)", unit: "usd" },
  { key: "keeperRewardsUsd", label: "Keeper rewards", unit: "usd" },
  { key: "keeperGasUsd", label: "Keeper gas", unit: "usd" },
  { key: "maxLiquidatableAtOnce", label: "Accounts liquidatable at once (max)", unit: "count" },
  { key: "lpReturnPercent", label: "LP return over the scenario", unit: "pct" },
  { key: "coalitionProfitUsd", label: "Coalition profit", unit: "usd" },
  { key: "jitLpProfitUsd", label: "JIT LP profit", unit: "usd" },
  { key: "liquidations", label: "Liquidations", unit: "count" },
  { key: "partialLiquidations", label: "… partial", unit: "count" },
  { key: "fullLiquidations", label: "… full", unit: "count" },
  { key: "accountsLiquidated", label: "Accounts liquidated", unit: "count" },
  { key: "accountsLeftLiquidatable", label: "Accounts left liquidatable", unit: "count" },
  { key: "insuranceStartUsd", label: "Insurance at the start", unit: "usd" },
  { key: "insuranceEndUsd", label: "Insurance at the end", unit: "usd" },
  { key: "insuranceNeededEstimateUsd", label: "Insurance for zero LP loss (estimate)", unit: "usd" },
  { key: "conservationHolds", label: "Token conservation holds (1 = yes)", unit: "bool" },
];

export function formatValue(value: number, unit: string): string {
  if (unit === "usd")
    return `${value < 0 ? "−" : ""}$${Math.abs(value).toLocaleString("en-US", { maximumFractionDigits: 2 })}`;
  if (unit === "pct") return `${value.toFixed(2)}%`;
  if (unit === "bool") return value === 1 ? "yes" : "NO";
  return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

const hours = (t: number) => Math.round((t / 3600) * 1000) / 1000;

function svg(option: echarts.EChartsCoreOption, width = 900, height = 340): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption({ animation: false, ...option });
  const out = chart.renderToSVGString();
  chart.dispose();
  return out;
}

/** The charts of a run, each as an SVG string. */
export function charts(m: RunMetrics): { id: string; title: string; caption: string; svg: string }[] {
  const symbols = Object.keys(m.series.prices[0]?.prices ?? {});
  const distorted = m.series.prices.some((p) => symbols.some((s) => p.oracle[s] !== p.prices[s]));
  const start = Object.fromEntries(symbols.map((s) => [s, m.series.prices[0]?.prices[s] ?? 1]));
  const priceSeries = symbols.flatMap((s) => [
    {
      name: s,
      type: "line",
      showSymbol: false,
      data: m.series.prices.map((p) => [hours(p.t), ((p.prices[s]! / start[s]!) * 100).toFixed(3)]),
    },
    ...(distorted
      ? [
          {
            name: `${s} oracle`,
            type: "line",
            showSymbol: false,
            lineStyle: { type: "dashed" },
            data: m.series.prices.map((p) => [hours(p.t), ((p.oracle[s]! / start[s]!) * 100).toFixed(3)]),
          },
        ]
      : []),
  ]);
  const legendTop = { top: 0 };
  const grid = { left: 70, right: 70, top: 40, bottom: 50 };
  const xHours = { type: "value", name: "hours", nameLocation: "middle", nameGap: 28, min: 0 };
  const out = [];
  out.push({
    id: "price",
    title: "Price path",
    caption: `Each market's price as % of its start (${symbols.map((s) => `${s} $${start[s]!.toLocaleString("en-US")}`).join(", ")})${distorted ? "; dashed: what the oracle reported" : ""}.`,
    svg: svg({
      legend: legendTop,
      grid,
      xAxis: xHours,
      yAxis: { type: "value", name: "% of start", scale: true },
      series: priceSeries,
    }),
  });
  const bucketNames = [...HEALTH_BUCKETS, "flat"];
  const colors = ["#c0392b", "#e67e22", "#f1c40f", "#9bd35a", "#27ae60", "#1e8449", "#95a5a6"];
  out.push({
    id: "health",
    title: "Distribution of health over time",
    caption:
      "Trader accounts by health factor (equity / maintenance margin) at sampled price-update blocks, read from the chain before the keepers act in that block's wake; flat = no position left.",
    svg: svg({
      legend: legendTop,
      grid,
      color: colors,
      xAxis: {
        type: "category",
        name: "hours",
        nameLocation: "middle",
        nameGap: 28,
        data: m.series.health.map((h) => hours(h.t)),
      },
      yAxis: { type: "value", name: "accounts" },
      series: bucketNames.map((name) => ({
        name,
        type: "bar",
        stack: "health",
        barCategoryGap: "10%",
        data: m.series.health.map((h) => h.buckets[name] ?? 0),
      })),
    }),
  });
  out.push({
    id: "liquidations",
    title: "Liquidations per block (partial / full)",
    caption: "AccountLiquidated events per block, split by the event's `full` flag.",
    svg: svg({
      legend: legendTop,
      grid,
      color: ["#f39c12", "#c0392b"],
      xAxis: { type: "value", name: "block", nameLocation: "middle", nameGap: 28, scale: true },
      yAxis: { type: "value", name: "liquidations" },
      series: [
        {
          name: "partial",
          type: "bar",
          stack: "l",
          barMaxWidth: 8,
          data: m.series.liquidationsPerBlock.map((b) => [b.block, b.partial]),
        },
        {
          name: "full",
          type: "bar",
          stack: "l",
          barMaxWidth: 8,
          data: m.series.liquidationsPerBlock.map((b) => [b.block, b.full]),
        },
      ],
    }),
  });
  out.push({
    id: "pools",
    title: "Insurance, LP capital and haircut over time",
    caption: `LP vault (NAV and realised ledger, left axis), insurance ledger (first right axis), USD, at every price-update block; haircut ratio on the outer right axis (${m.haircut.inThisBuild ? m.haircut.source : "not in this build: 0"}).`,
    svg: svg({
      legend: legendTop,
      xAxis: xHours,
      // Three scales: LP capital is ~100× the insurance pool, and the haircut is a ratio.
      grid: { ...grid, right: 150 },
      yAxis: [
        { type: "value", name: "LP (USD)", scale: true },
        { type: "value", name: "insurance (USD)", position: "right" },
        { type: "value", name: "haircut", min: 0, max: 1, position: "right", offset: 80 },
      ],
      series: [
        {
          name: "LP NAV",
          type: "line",
          showSymbol: false,
          data: m.series.ledgers.map((l) => [hours(l.t), l.lpNavUsd]),
        },
        {
          name: "LP ledger",
          type: "line",
          showSymbol: false,
          lineStyle: { type: "dashed" },
          data: m.series.ledgers.map((l) => [hours(l.t), l.lpLedgerUsd]),
        },
        {
          name: "insurance",
          type: "line",
          yAxisIndex: 1,
          showSymbol: false,
          data: m.series.ledgers.map((l) => [hours(l.t), l.insuranceUsd]),
        },
        {
          name: "haircut",
          type: "line",
          yAxisIndex: 2,
          showSymbol: false,
          data: m.series.ledgers.map((l) => [hours(l.t), l.haircut]),
        },
      ],
    }),
  });
  const h = m.headline;
  const steps = [
    { name: "bad debt", value: h.badDebtTotalUsd, base: 0 },
    { name: "insurance", value: h.badDebtPaidByInsuranceUsd, base: h.badDebtTotalUsd - h.badDebtPaidByInsuranceUsd },
    {
      name: "LP capital",
      value: h.badDebtPaidByLpUsd,
      base: h.badDebtTotalUsd - h.badDebtPaidByInsuranceUsd - h.badDebtPaidByLpUsd,
    },
    { name: "haircut", value: h.badDebtPaidByHaircutUsd, base: Math.max(0, h.badDebtUnattributedUsd) },
    { name: "unattributed", value: h.badDebtUnattributedUsd, base: 0 },
  ];
  out.push({
    id: "waterfall",
    title: "Bad-debt waterfall",
    caption:
      "Total bad debt (BadDebtSettled events) and who paid it, in waterfall order: insurance, LP capital, haircut.",
    svg: svg({
      grid,
      xAxis: { type: "category", data: steps.map((s) => s.name) },
      yAxis: { type: "value", name: "USD" },
      series: [
        { type: "bar", stack: "w", itemStyle: { color: "transparent" }, data: steps.map((s) => s.base) },
        {
          type: "bar",
          stack: "w",
          label: {
            show: true,
            position: "top",
            formatter: (p: { value: number }) => `$${Math.round(p.value).toLocaleString("en-US")}`,
          },
          data: steps.map((s, i) => ({
            value: s.value,
            itemStyle: { color: ["#7f8c8d", "#2980b9", "#8e44ad", "#d35400", "#c0392b"][i] },
          })),
        },
      ],
    }),
  });
  out.push({
    id: "liquidatable",
    title: "Accounts liquidatable at each price update",
    caption: "Accounts that were liquidatable after the price-update block and not yet liquidated (from the lag walk).",
    svg: svg(
      {
        grid,
        xAxis: xHours,
        yAxis: { type: "value", name: "accounts" },
        series: [
          {
            type: "line",
            step: "end",
            showSymbol: false,
            data: m.series.liquidatableAtUpdate.map((x) => [hours(x.t), x.count]),
          },
        ],
      },
      900,
      260,
    ),
  });
  return out;
}

function headlineTable(m: RunMetrics): string {
  const rows = HEADLINE_FIELDS.map((f) => `| ${f.label} | ${formatValue(m.headline[f.key], f.unit)} |`);
  return ["| Figure | Value |", "|---|---|", ...rows].join("\n");
}

export function markdown(m: RunMetrics): string {
  const f = m.scenarioFile;
  const lines = [
    `# Stress run: ${m.scenario} (seed ${m.seed})`,
    "",
    `**${m.title}**`,
    "",
    `${m.accounts.toLocaleString("en-US")} trader accounts, ${m.keepers} keeper(s), keeper lag ${m.keeperLag} block(s), insurance $${m.insuranceUsd.toLocaleString("en-US")} at the start. Run time ${m.timings.totalSeconds.toFixed(1)} s (setup ${m.timings.setupSeconds.toFixed(1)} s, scenario ${m.timings.scenarioSeconds.toFixed(1)} s, figures ${m.timings.metricsSeconds.toFixed(1)} s).`,
    "",
    "## Headline",
    "",
    headlineTable(m),
    "",
    `Haircut: ${m.haircut.source}. Keeper lag: ${m.lag.definition} (${m.lag.count} liquidations).`,
    "",
    "## Keepers",
    "",
    "| keeper | txs | reverted | liquidations | rewards | gas used | gas (USD) | P&L | starts | crashes |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...m.keepersDetail.map(
      (k) =>
        `| ${k.address} | ${k.transactions} | ${k.reverted} | ${k.liquidations} | ${formatValue(k.rewardsUsd, "usd")} | ${k.gasUsed.toLocaleString("en-US")} | ${formatValue(k.gasUsd, "usd")} | ${formatValue(k.pnlUsd, "usd")} | ${k.starts} | ${k.crashes} |`,
    ),
    "",
    "## Agents",
    "",
    "| agent | role | in | out | still inside | profit | notes |",
    "|---|---|---|---|---|---|---|",
    ...m.agents.map(
      (a) =>
        `| ${a.label} | ${a.role} | ${formatValue(a.inUsd, "usd")} | ${formatValue(a.outUsd, "usd")} | ${formatValue(a.stillInsideUsd, "usd")} | ${formatValue(a.profitUsd, "usd")} | ${a.notes.join("; ")} |`,
    ),
    "",
    "## Token conservation (WAD, final state)",
    "",
    `core balance × 10^(18 − decimals) = ${m.conservation.tokenBalanceWad}; Σ margins ${m.conservation.margins} + vault ledger ${m.conservation.vaultLedger} + insurance ledger ${m.conservation.insuranceLedger} + unclaimed rewards ${m.conservation.unclaimedRewards}: ${m.conservation.holds ? "holds to the unit" : "DOES NOT HOLD"}.`,
    "",
    "## Population",
    "",
    `${m.population.traders} traders: ${m.population.cross} cross (${m.population.twoMarket} in two markets), ${m.population.isolated} isolated; ${m.population.long} long, ${m.population.short} short (first leg). Leverage median ${m.population.leverage.median.toFixed(1)}x, p95 ${m.population.leverage.p95.toFixed(1)}x, max ${m.population.leverage.max.toFixed(1)}x. Notional median $${m.population.notionalUsd.median.toLocaleString("en-US")}, p95 $${m.population.notionalUsd.p95.toLocaleString("en-US")}, max $${m.population.notionalUsd.max.toLocaleString("en-US")} (size scale ${m.population.sizeScale.toFixed(3)}).`,
    "",
    "| market | long OI | short OI | cap per side |",
    "|---|---|---|---|",
    ...m.population.openInterestUsd.map(
      (o) =>
        `| ${o.symbol} | $${o.long.toLocaleString("en-US")} | $${o.short.toLocaleString("en-US")} | $${o.cap.toLocaleString("en-US")} |`,
    ),
    "",
    "## Scenario",
    "",
    f.description,
    "",
    `Construction: ${f.construction}${f.marketMapping ? ` Markets: ${f.marketMapping}` : ""}`,
    "",
    "Sources:",
    ...f.sources.map((s) => `- ${s}`),
    "",
    `Lab loop: ${m.loop.blocks} blocks mined, ${m.loop.keeperRounds} keeper rounds, ${m.loop.frozenBlocks} blocks with the keepers frozen, ${m.loop.restarts} restarts, ${m.loop.quietTimeouts} quiescence timeouts.`,
    "",
  ];
  return lines.join("\n");
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function html(m: RunMetrics): string {
  const rows = HEADLINE_FIELDS.map(
    (f) =>
      `<tr><td>${escapeHtml(f.label)}</td><td class="n">${escapeHtml(formatValue(m.headline[f.key], f.unit))}</td></tr>`,
  ).join("");
  const figures = charts(m)
    .map(
      (c) =>
        `<figure id="${c.id}"><h2>${escapeHtml(c.title)}</h2>${c.svg}<figcaption>${escapeHtml(c.caption)}</figcaption></figure>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ballast stress: ${escapeHtml(m.scenario)} (seed ${m.seed})</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse}td{border-bottom:1px solid #ddd;padding:2px 10px}.n{text-align:right;font-variant-numeric:tabular-nums}figure{margin:2em 0}figcaption{color:#555;font-size:90%}</style>
</head><body>
<h1>Ballast stress run: ${escapeHtml(m.scenario)} (seed ${m.seed})</h1>
<p><b>${escapeHtml(m.title)}</b></p>
<p>${m.accounts.toLocaleString("en-US")} trader accounts, ${m.keepers} keeper(s), keeper lag ${m.keeperLag} block(s), insurance $${m.insuranceUsd.toLocaleString("en-US")} at the start; ${m.timings.totalSeconds.toFixed(1)} s.</p>
<table>${rows}</table>
<p>Haircut: ${escapeHtml(m.haircut.source)}.</p>
${figures}
<h2>Scenario</h2><p>${escapeHtml(m.scenarioFile.description)}</p><p>${escapeHtml(m.scenarioFile.construction)}</p>
<ul>${m.scenarioFile.sources.map((s) => `<li>${escapeHtml(s)}</li>`).join("")}</ul>
</body></html>
`;
}

export const REPORT_FILES = ["report.json", "report.md", "report.html"] as const;

export function writeReport(m: RunMetrics, runDir: string): void {
  writeFileSync(
    join(runDir, "report.json"),
    `${JSON.stringify(m, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
  );
  writeFileSync(join(runDir, "report.md"), markdown(m));
  writeFileSync(join(runDir, "report.html"), html(m));
}
