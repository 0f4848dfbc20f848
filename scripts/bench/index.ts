/**
 * `npm run bench`: every benchmark, one table, and `bench/results.json` for tools.
 * - gas: whole-transaction gasUsed per operation (scripts/bench/gasScenario.ts, embedded Hardhat network)
 * - sdk: position health evaluations per second on one core (scripts/bench/sdk.ts, a child process)
 * - keeper: detection-to-confirmation latency and scan rate (scripts/bench/keeper.ts, a child process)
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { GAS_NOTES, measureGas } from "./gasScenario.js";

/** Runs a benchmark in its own process (no interference with this one) and parses its last stdout line. */
function runChild(script: string, command: string[]): Record<string, unknown> | undefined {
  if (!existsSync(script)) return undefined;
  const [executable = "", ...args] = command;
  const child = spawnSync(executable, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(child.stdout);
  if (child.status !== 0) {
    process.stderr.write(child.stderr);
    throw new Error(`${script} exited with ${child.status}`);
  }
  const lines = child.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] ?? "{}");
}

const gas = await measureGas();
console.log("\ngas per operation (whole transaction, 21,000 base included):");
for (const [operation, value] of Object.entries(gas)) {
  console.log(`  ${operation.padEnd(28)} ${String(value).padStart(9)}   ${GAS_NOTES[operation] ?? ""}`);
}

console.log("\nSDK:");
const sdk = runChild("scripts/bench/sdk.ts", [process.execPath, "scripts/bench/sdk.ts"]);
console.log("\nkeeper:");
const keeperRun = runChild("scripts/bench/keeper.ts", ["npx", "hardhat", "run", "scripts/bench/keeper.ts"]);
type KeeperFigures = { accounts: number; priceToLastConfirmationMs: number; scanAccountsPerSecond: number };
const keeperSizes = (keeperRun?.keeperBenchmark ?? []) as KeeperFigures[];
const largest = keeperSizes[keeperSizes.length - 1];
const keeper = largest && {
  accounts: largest.accounts,
  detectToLastConfirmMs: largest.priceToLastConfirmationMs,
  accountsScannedPerSecond: largest.scanAccountsPerSecond,
  bySize: keeperSizes,
};

const results = {
  generatedAt: new Date().toISOString(),
  gas,
  gasNotes: GAS_NOTES,
  sdk: sdk ? { healthEvaluationsPerSecond: sdk.positionEvaluationsPerSecond, ...sdk } : undefined,
  keeper,
};
writeFileSync("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);
console.log("\nwrote bench/results.json");
