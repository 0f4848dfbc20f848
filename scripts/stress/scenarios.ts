/**
 * Scenarios: JSON files in scripts/stress/scenarios/ (the data, its sources and the published figures it is built
 * from) turned into a timed list of price updates. Prices in a file are multipliers of each market's deployed
 * starting price; between keyframes they are interpolated geometrically (constant percentage per step), at the
 * destination keyframe's `step` (or the file's `stepSeconds`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const SCENARIO_DIR = new URL("./scenarios/", import.meta.url).pathname;

export interface Keyframe {
  /** Time from the start: seconds, or a duration like "24h30m", "90s", "2d", "5b" (blocks). */
  at: string | number;
  /** Multiplier of the starting price per symbol; a symbol left out keeps its last value. */
  prices: Record<string, number>;
  /** Seconds between price updates on the way to this keyframe (default: the file's stepSeconds). */
  step?: string | number;
}

export interface ScenarioFile {
  name: string;
  title: string;
  kind: "historic" | "synthetic";
  description: string;
  sources: string[];
  /** The published figures the path is built from, per symbol (free text and numbers, shown in the report). */
  figures: Record<string, Record<string, string | number>>;
  /** How the path was constructed from the figures. */
  construction: string;
  /** How the file maps the real market to the deployed markets (e.g. "alts" → SOL). */
  marketMapping?: string;
  blockSeconds: number;
  stepSeconds: number | string;
  /** The market whose move the adversarial agents play (coalition, JIT LP). */
  primaryMarket: string;
  /** The steepest leg: the JIT LP enters just before `from` and leaves just after `to`. */
  worstLeg: { from: string | number; to: string | number; note?: string };
  path: Keyframe[];
  /** The oracle shows `factor` × the true price of `market` for `blocks` price blocks from `at`. */
  oracleDistortions?: { market: string; at: string | number; blocks: number; factor: number }[];
  /** Every keeper is down (killed, then restarted on its saved index) from `from` to `to`. */
  keeperOutage?: { from: string | number; to: string | number };
}

export interface PriceUpdate {
  /** Seconds from the start. */
  t: number;
  /** True prices, USD. */
  prices: Record<string, number>;
  /** What the oracle shows (differs from `prices` only during a distortion). */
  oracle: Record<string, number>;
}

export interface Scenario {
  file: ScenarioFile;
  updates: PriceUpdate[];
  durationSeconds: number;
  worstLeg: { from: number; to: number };
  outage?: { from: number; to: number };
}

/** "24h30m" → 88,200; "5b" → 5 blocks; a number is seconds. */
export function parseDuration(value: string | number, blockSeconds: number): number {
  if (typeof value === "number") return value;
  const units: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1, b: blockSeconds };
  let total = 0;
  const text = value.replace(/\s+/g, "");
  const pattern = /(\d+(?:\.\d+)?)([dhmsb])/g;
  let consumed = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    total += Number(match[1]) * units[match[2]!]!;
    consumed += match[0].length;
  }
  if (consumed !== text.length || text.length === 0) throw new Error(`Bad duration "${value}"`);
  return Math.round(total);
}

export function listScenarios(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((name) => name.endsWith(".json"))
    .map((name) => name.replace(/\.json$/, ""))
    .sort();
}

export function readScenarioFile(name: string): ScenarioFile {
  const path = join(SCENARIO_DIR, `${name}.json`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new Error(`No scenario "${name}" (${path}). Known: ${listScenarios().join(", ")}`);
  }
  return JSON.parse(text) as ScenarioFile;
}

/** Builds the price updates of `file` for markets starting at `start` (USD per symbol). */
export function buildScenario(file: ScenarioFile, start: Record<string, number>): Scenario {
  const bs = file.blockSeconds;
  const defaultStep = parseDuration(file.stepSeconds, bs);
  const symbols = Object.keys(start);
  const updates: PriceUpdate[] = [];
  let level: Record<string, number> = Object.fromEntries(symbols.map((s) => [s, 1]));
  let time = 0;
  const [first, ...rest] = file.path;
  if (first === undefined || parseDuration(first.at, bs) !== 0) throw new Error(`${file.name}: path must start at 0`);
  level = { ...level, ...first.prices };
  for (const frame of rest) {
    const at = parseDuration(frame.at, bs);
    if (at <= time) throw new Error(`${file.name}: keyframe at ${frame.at} is not after ${time} s`);
    const step = frame.step === undefined ? defaultStep : parseDuration(frame.step, bs);
    const steps = Math.max(1, Math.round((at - time) / step));
    const target = { ...level, ...frame.prices };
    for (let k = 1; k <= steps; k++) {
      const f = k / steps;
      const point: Record<string, number> = {};
      for (const symbol of symbols) {
        const from = level[symbol] ?? 1;
        const to = target[symbol] ?? from;
        point[symbol] = from * (to / from) ** f;
      }
      updates.push({ t: Math.round(time + ((at - time) * k) / steps), prices: point, oracle: point });
    }
    level = target;
    time = at;
  }
  // Multipliers → USD, rounded to the feed's precision that a display needs (8 decimals on chain).
  const usd = (point: Record<string, number>) =>
    Object.fromEntries(symbols.map((s) => [s, Math.round(point[s]! * start[s]! * 1e6) / 1e6]));
  for (const update of updates) {
    update.prices = usd(update.prices);
    update.oracle = update.prices;
  }
  // Oracle distortions: one update per block, with the oracle off the true price, then one putting it back.
  for (const distortion of file.oracleDistortions ?? []) {
    const at = parseDuration(distortion.at, bs);
    const before = [...updates].reverse().find((u) => u.t <= at)?.prices ?? usd(level);
    const inserted: PriceUpdate[] = [];
    for (let b = 0; b <= distortion.blocks; b++) {
      const t = at + b * bs;
      const truePrices = [...updates].reverse().find((u) => u.t <= t)?.prices ?? before;
      const oracle = { ...truePrices };
      if (b < distortion.blocks) oracle[distortion.market] = truePrices[distortion.market]! * distortion.factor;
      inserted.push({ t, prices: truePrices, oracle });
    }
    const span = [at, at + distortion.blocks * bs];
    const kept = updates.filter((u) => u.t < span[0]! || u.t > span[1]!);
    updates.length = 0;
    updates.push(...[...kept, ...inserted].sort((a, b) => a.t - b.t));
  }
  const durationSeconds = updates.at(-1)?.t ?? 0;
  return {
    file,
    updates,
    durationSeconds,
    worstLeg: { from: parseDuration(file.worstLeg.from, bs), to: parseDuration(file.worstLeg.to, bs) },
    outage: file.keeperOutage
      ? { from: parseDuration(file.keeperOutage.from, bs), to: parseDuration(file.keeperOutage.to, bs) }
      : undefined,
  };
}
