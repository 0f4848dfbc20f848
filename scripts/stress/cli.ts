/**
 * The stress lab's command (`npm run stress -- …`). See docs/stress.md.
 *
 *   npm run stress -- --scenario eth-2020-03-12 [--accounts 1000] [--seed 1] [--keeper-lag 0] [--keepers 1]
 *   npm run stress -- --all
 *   npm run stress -- --scenario v-flash --sweep insurance=0,50000,250000,1000000
 *   npm run stress -- --scenario v-flash --seeds 5
 *
 * Each run writes stress-reports/<scenario>-<seed>[-<variant>]/report.{json,md,html}; multi-run commands also write
 * a summary next to them. `--bench` records the run times and the keepers' figures in bench/results.json (`stress`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Presets, SingleBar } from "cli-progress";
import { Command, InvalidArgumentError } from "commander";
import type { RunMetrics } from "./metrics.js";
import { formatValue, HEADLINE_FIELDS, writeReport } from "./report.js";
import { DEFAULTS, type RunOptions, runScenario } from "./runner.js";
import { listScenarios } from "./scenarios.js";

const integer =
  (name: string, min = 0) =>
  (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}.`);
    return parsed;
  };
const number = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0.`);
  return parsed;
};

/** `insurance=0,1000,5000` or `insurance=0:100000:25000` (from:to:step). */
export function parseSweep(text: string): number[] {
  const match = /^insurance=(.+)$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError("--sweep takes insurance=a,b,c or insurance=from:to:step (USD).");
  const spec = match[1]!;
  if (spec.includes(":")) {
    const [from, to, step] = spec.split(":").map(Number);
    if (![from, to, step].every((x) => Number.isFinite(x)) || step! <= 0 || to! < from!)
      throw new InvalidArgumentError("--sweep insurance=from:to:step needs from ≤ to and step > 0.");
    const values: number[] = [];
    for (let v = from!; v <= to! + 1e-9; v += step!) values.push(v);
    return values;
  }
  const values = spec.split(",").map(Number);
  if (values.some((v) => !Number.isFinite(v) || v < 0)) throw new InvalidArgumentError("--sweep values must be ≥ 0.");
  return [...values].sort((a, b) => a - b);
}

const program = new Command()
  .name("stress")
  .description("Ballast stress lab: historic and synthetic crashes against the real keeper on a local node.")
  .option("--scenario <name>", `one of: ${listScenarios().join(", ")}`)
  .option("--all", "run every scenario", false)
  .option("--accounts <n>", "trader accounts", integer("--accounts", 1), DEFAULTS.accounts)
  .option("--seed <n>", "population seed", integer("--seed"), DEFAULTS.seed)
  .option("--keeper-lag <blocks>", "blocks each keeper is blind after a price update", integer("--keeper-lag"), 0)
  .option("--keepers <k>", "keeper processes", integer("--keepers", 1), DEFAULTS.keepers)
  .option("--insurance <usd>", "insurance staked at the start", number("--insurance"), DEFAULTS.insuranceUsd)
  .option("--sweep <spec>", "insurance=a,b,c | insurance=from:to:step: smallest insurance with zero LP loss")
  .option("--seeds <n>", "run seeds seed … seed+n−1 and report p95 figures", integer("--seeds", 1))
  .option("--base-fee-gwei <gwei>", "base fee of every block", number("--base-fee-gwei"), DEFAULTS.baseFeeGwei)
  .option("--poll-interval <ms>", "keeper poll interval", integer("--poll-interval", 10), DEFAULTS.keeperPollMs)
  .option("--keeper-arg <arg...>", "extra argument(s) for every keeper process (e.g. --keeper-arg=--batch-size=50)")
  .option("--out <dir>", "report directory", "stress-reports")
  .option("--bench", "record run times and keeper figures in bench/results.json (stress section)", false)
  .option("--quiet", "no progress bar", false)
  .option("--render <dir...>", "rewrite report.md and report.html of run directories from their report.json");

program.parse();
const opts = program.opts<{
  scenario?: string;
  all: boolean;
  accounts: number;
  seed: number;
  keeperLag: number;
  keepers: number;
  insurance: number;
  sweep?: string;
  seeds?: number;
  baseFeeGwei: number;
  pollInterval: number;
  keeperArg?: string[];
  out: string;
  bench: boolean;
  quiet: boolean;
  render?: string[];
}>();

if (opts.render) {
  for (const dir of opts.render) {
    writeReport(JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as RunMetrics, dir);
    console.log(`Rewrote ${join(dir, "report.md")} and report.html`);
  }
  process.exit(0);
}

if (!opts.all && !opts.scenario) program.error("Give --scenario <name> or --all.");
if (opts.scenario && !listScenarios().includes(opts.scenario))
  program.error(`Unknown scenario "${opts.scenario}". Known: ${listScenarios().join(", ")}`);
const scenarios = opts.all ? listScenarios() : [opts.scenario!];
mkdirSync(opts.out, { recursive: true });

async function run(scenario: string, overrides: Partial<RunOptions> = {}): Promise<RunMetrics> {
  const bar = opts.quiet
    ? undefined
    : new SingleBar(
        { format: `  ${scenario.padEnd(20)} {bar} {value}/{total} updates | {status}`, hideCursor: true },
        Presets.shades_classic,
      );
  let started = false;
  const options: RunOptions = {
    scenario,
    accounts: opts.accounts,
    seed: opts.seed,
    keeperLag: opts.keeperLag,
    keepers: opts.keepers,
    insuranceUsd: opts.insurance,
    baseFeeGwei: opts.baseFeeGwei,
    keeperPollMs: opts.pollInterval,
    keeperArgs: opts.keeperArg ?? [],
    outDir: opts.out,
    log: process.env.STRESS_DEBUG ? (message) => console.log(`${new Date().toISOString()} ${message}`) : undefined,
    onProgress: (done, total, status) => {
      if (!bar) return;
      if (!started) {
        bar.start(total, 0, { status });
        started = true;
      }
      bar.update(done, { status });
    },
    ...overrides,
  };
  try {
    const { context, metrics } = await runScenario(options);
    writeReport(metrics, context.runDir);
    bar?.stop();
    console.log(
      `  ${scenario}: bad debt ${formatValue(metrics.headline.badDebtTotalUsd, "usd")}, LP paid ${formatValue(metrics.headline.badDebtPaidByLpUsd, "usd")}, ${metrics.headline.liquidations} liquidations, lag p95 ${metrics.headline.keeperLagBlocksP95} blocks, ${metrics.timings.totalSeconds.toFixed(1)} s → ${join(context.runDir, "report.html")}`,
    );
    return metrics;
  } catch (error) {
    bar?.stop();
    throw error;
  }
}

const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
};

function summaryTable(all: RunMetrics[], label: (m: RunMetrics) => string): string {
  const header = `| Figure | ${all.map(label).join(" | ")} |`;
  const rule = `|---|${all.map(() => "---").join("|")}|`;
  const rows = HEADLINE_FIELDS.map(
    (f) => `| ${f.label} | ${all.map((m) => formatValue(m.headline[f.key], f.unit)).join(" | ")} |`,
  );
  const time = `| Run time (s) | ${all.map((m) => m.timings.totalSeconds.toFixed(1)).join(" | ")} |`;
  return [header, rule, ...rows, time].join("\n");
}

function writeSummary(name: string, title: string, body: string, data: unknown): void {
  writeFileSync(join(opts.out, `${name}.md`), `# ${title}\n\n${body}\n`);
  writeFileSync(join(opts.out, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
  console.log(`\n${title}\n\n${body}\n\n(${join(opts.out, `${name}.md`)})`);
}

function recordBench(results: RunMetrics[]): void {
  const path = join("bench", "results.json");
  const data = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>) : {};
  const previous = (data.stress as { runs?: Record<string, unknown>[] } | undefined)?.runs ?? [];
  const runs = results.map((m) => ({
    scenario: m.scenario,
    accounts: m.accounts,
    seed: m.seed,
    keepers: m.keepers,
    keeperLag: m.keeperLag,
    totalSeconds: Math.round(m.timings.totalSeconds * 10) / 10,
    setupSeconds: Math.round(m.timings.setupSeconds * 10) / 10,
    scenarioSeconds: Math.round(m.timings.scenarioSeconds * 10) / 10,
    metricsSeconds: Math.round(m.timings.metricsSeconds * 10) / 10,
    blocks: m.loop.blocks,
    keeper: {
      liquidations: m.headline.liquidations,
      transactions: m.keepersDetail.reduce((s, k) => s + k.transactions, 0),
      reverted: m.keepersDetail.reduce((s, k) => s + k.reverted, 0),
      lagBlocksMedian: m.headline.keeperLagBlocksMedian,
      lagBlocksP95: m.headline.keeperLagBlocksP95,
      lagBlocksMax: m.headline.keeperLagBlocksMax,
      maxLiquidatableAtOnce: m.headline.maxLiquidatableAtOnce,
      rewardsUsd: Math.round(m.headline.keeperRewardsUsd * 100) / 100,
      gasUsd: Math.round(m.headline.keeperGasUsd * 100) / 100,
      pnlUsd: Math.round(m.headline.keeperPnlUsd * 100) / 100,
    },
    accountsLeftLiquidatable: m.headline.accountsLeftLiquidatable,
    node: process.version,
  }));
  const key = (r: Record<string, unknown>) => `${r.scenario}/${r.accounts}/${r.seed}/${r.keepers}/${r.keeperLag}`;
  const merged = new Map(previous.map((r) => [key(r), r]));
  for (const r of runs) merged.set(key(r), r);
  data.stress = {
    generatedAt: new Date().toISOString(),
    note: "npm run stress -- --scenario <s> --accounts <n> --bench: wall time of a whole run (node start, deploy, population, scenario with the keeper CLI, figures) on the machine that ran it",
    runs: [...merged.values()],
  };
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  console.log(`Recorded ${runs.length} run(s) in ${path} (stress).`);
}

const results: RunMetrics[] = [];
if (opts.sweep) {
  const values = parseSweep(opts.sweep);
  for (const scenario of scenarios) {
    const sweep: RunMetrics[] = [];
    for (const insurance of values) {
      sweep.push(
        await run(scenario, { insuranceUsd: insurance, runLabel: `${scenario}-${opts.seed}-insurance-${insurance}` }),
      );
    }
    results.push(...sweep);
    const lpWhole = sweep.find((m) => m.headline.badDebtPaidByLpUsd === 0 && m.headline.badDebtPaidByHaircutUsd === 0);
    const body = [
      summaryTable(sweep, (m) => `$${m.insuranceUsd.toLocaleString("en-US")}`),
      "",
      lpWhole
        ? `Smallest insurance tested with zero LP loss: $${lpWhole.insuranceUsd.toLocaleString("en-US")}.`
        : `No tested insurance size kept LPs whole (largest tested $${values.at(-1)!.toLocaleString("en-US")}); the runs' estimate is $${Math.max(...sweep.map((m) => m.headline.insuranceNeededEstimateUsd)).toLocaleString("en-US", { maximumFractionDigits: 0 })}.`,
    ].join("\n");
    writeSummary(`${scenario}-${opts.seed}-sweep-insurance`, `Insurance sweep: ${scenario}`, body, {
      scenario,
      values,
      smallestZeroLpLossUsd: lpWhole?.insuranceUsd ?? null,
      runs: sweep.map((m) => ({ insuranceUsd: m.insuranceUsd, headline: m.headline })),
    });
  }
} else if (opts.seeds) {
  for (const scenario of scenarios) {
    const runs: RunMetrics[] = [];
    for (let s = opts.seed; s < opts.seed + opts.seeds; s++) runs.push(await run(scenario, { seed: s }));
    results.push(...runs);
    const fields = HEADLINE_FIELDS.filter((f) => f.unit !== "bool");
    const rows = fields.map((f) => {
      const values = runs.map((m) => m.headline[f.key]);
      return `| ${f.label} | ${formatValue(p95(values), f.unit)} | ${formatValue(Math.max(...values), f.unit)} |`;
    });
    const body = [
      `${runs.length} seeds (${opts.seed}–${opts.seed + opts.seeds - 1}), ${opts.accounts} accounts. p95 across seeds (Gauntlet-style VaR: the p95 of insolvent debt is the "bad debt, total" row).`,
      "",
      "| Figure | p95 across seeds | max |",
      "|---|---|---|",
      ...rows,
    ].join("\n");
    writeSummary(`${scenario}-seeds-${opts.seed}-${opts.seeds}`, `Seeds: ${scenario}`, body, {
      scenario,
      seeds: runs.map((m) => m.seed),
      p95: Object.fromEntries(fields.map((f) => [f.key, p95(runs.map((m) => m.headline[f.key]))])),
      runs: runs.map((m) => ({ seed: m.seed, headline: m.headline })),
    });
  }
} else {
  for (const scenario of scenarios) results.push(await run(scenario));
  if (results.length > 1)
    writeSummary(
      `summary-${opts.accounts}-${opts.seed}`,
      "Stress lab: every scenario",
      summaryTable(results, (m) => m.scenario),
      {
        runs: results.map((m) => ({ scenario: m.scenario, headline: m.headline, timings: m.timings })),
      },
    );
}
if (opts.bench) recordBench(results);
const broken = results.filter((m) => !m.conservation.holds || m.headline.flatAccountLossUsd !== 0);
if (broken.length > 0) {
  console.error(
    `Invariant broken in: ${broken.map((m) => m.scenario).join(", ")} (conservation or flat-account loss).`,
  );
  process.exit(1);
}
