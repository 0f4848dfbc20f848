/**
 * Gas benchmark and regression guard (see scripts/bench/gasScenario.ts for what is measured):
 *   npm run bench:gas          print the table and write bench/gas-snapshot.json
 *   npm run bench:gas:check    fail if any operation costs > 2% more than the committed snapshot
 */
import { readFileSync, writeFileSync } from "node:fs";
import { GAS_NOTES, measureGas } from "./gasScenario.js";

const SNAPSHOT = "bench/gas-snapshot.json";
const TOLERANCE = 0.02;

function printTable(gas: Record<string, number>, snapshot?: Record<string, number>) {
  console.log("operation                      gasUsed   snapshot   change");
  for (const [operation, value] of Object.entries(gas)) {
    const before = snapshot?.[operation];
    const change = before ? `${(((value - before) / before) * 100).toFixed(2)}%` : "—";
    console.log(
      `${operation.padEnd(30)} ${String(value).padStart(8)} ${String(before ?? "—").padStart(10)}   ${change}`,
    );
  }
}

{
  const check = process.argv.includes("--check") || process.env.GAS_CHECK === "1";
  const gas = await measureGas();
  let snapshot: Record<string, number> | undefined;
  try {
    snapshot = JSON.parse(readFileSync(SNAPSHOT, "utf8")).gas;
  } catch {}
  printTable(gas, snapshot);
  if (check) {
    if (!snapshot) throw new Error(`${SNAPSHOT} is missing: run \`npm run bench:gas\` and commit it.`);
    const regressions = Object.entries(gas).filter(([op, value]) => {
      const before = snapshot[op];
      return before === undefined || value > before * (1 + TOLERANCE);
    });
    if (regressions.length > 0) {
      console.error(
        `Gas regression (> ${TOLERANCE * 100}% or new operation): ${regressions.map(([op]) => op).join(", ")}. ` +
          "If intended, run `npm run bench:gas` and commit bench/gas-snapshot.json with the change.",
      );
      process.exit(1);
    }
    console.log(`gas snapshot check: ${Object.keys(gas).length} operations within ${TOLERANCE * 100}% of ${SNAPSHOT}`);
  } else {
    writeFileSync(SNAPSHOT, `${JSON.stringify({ notes: GAS_NOTES, gas }, null, 2)}\n`);
    console.log(`wrote ${SNAPSHOT}`);
  }
}
