/**
 * Price paths for the feeder and the demo: steps (percent moves), a seeded random walk, or a CSV of prices.
 * A path is a list of points; a point maps a symbol to a USD price.
 */
import { mulberry32 } from "./random.js";
import { readFileSync } from "node:fs";

export type PricePoint = Record<string, number>;

/** Applies each percent move to every symbol in turn: stepsPath({ BTC: 100 }, [-10, 5]) → 90, 94.5. */
export function stepsPath(start: PricePoint, percents: readonly number[]): PricePoint[] {
  const points: PricePoint[] = [];
  let current = { ...start };
  for (const percent of percents) {
    current = Object.fromEntries(
      Object.entries(current).map(([symbol, price]) => [symbol, price * (1 + percent / 100)]),
    );
    points.push(current);
  }
  return points;
}

/**
 * A geometric random walk: each step every price moves by drift% ± volatility% (normal, Box–Muller), seeded so
 * that the same options give the same path.
 */
export function walkPath(
  start: PricePoint,
  options: { steps: number; volatilityPercent: number; driftPercent?: number; seed?: number },
): PricePoint[] {
  const next = mulberry32(options.seed ?? 1);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const points: PricePoint[] = [];
  let current = { ...start };
  for (let step = 0; step < options.steps; step++) {
    current = Object.fromEntries(
      Object.entries(current).map(([symbol, price]) => {
        const move = ((options.driftPercent ?? 0) + options.volatilityPercent * gaussian()) / 100;
        return [symbol, price * Math.exp(move)];
      }),
    );
    points.push(current);
  }
  return points;
}

/** Parses a CSV of prices: `#` comments, a header whose first column is a label (time) and the rest symbols. */
export function parseCsvPath(text: string): PricePoint[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const [header, ...rows] = lines;
  if (header === undefined) throw new Error("The CSV has no header line (e.g. hour,BTC,ETH).");
  const symbols = header
    .split(",")
    .slice(1)
    .map((symbol) => symbol.trim());
  return rows.map((row, i) => {
    const cells = row.split(",").slice(1);
    const point: PricePoint = {};
    symbols.forEach((symbol, j) => {
      const price = Number(cells[j]);
      if (!Number.isFinite(price) || price <= 0)
        throw new Error(`CSV row ${i + 2}: bad ${symbol} price "${cells[j]}".`);
      point[symbol] = price;
    });
    return point;
  });
}

export function readCsvPath(path: string): PricePoint[] {
  return parseCsvPath(readFileSync(path, "utf8"));
}

/** Inserts `parts − 1` linearly interpolated points between consecutive points (after `start`). */
export function interpolatePath(start: PricePoint, path: readonly PricePoint[], parts: number): PricePoint[] {
  const out: PricePoint[] = [];
  let previous = start;
  for (const point of path) {
    for (let k = 1; k <= parts; k++) {
      out.push(
        Object.fromEntries(
          Object.entries(point).map(([symbol, price]) => {
            const from = previous[symbol] ?? price;
            return [symbol, Math.round((from + ((price - from) * k) / parts) * 1e4) / 1e4];
          }),
        ),
      );
    }
    previous = point;
  }
  return out;
}

/** A USD price as an 8-decimal Chainlink-style answer. */
export function feedAnswer(usd: number): bigint {
  return BigInt(Math.round(usd * 1e8));
}
