/**
 * The main command (`npm run demo`): on Hardhat's embedded network, deploy Ballast, bring in LPs, insurance
 * stakers and ~100 traders, crash the prices (scripts/data/crash.csv), let the keeper liquidate, and report.
 * Exits 1 if the report's checks fail (token conservation, accounts left liquidatable).
 */
import { Presets, SingleBar } from "cli-progress";
import { network } from "hardhat";
import { formatReport, runDemo } from "./lib/demo.js";

const connection = await network.create();
const bar = new SingleBar(
  {
    format: "  crash {bar} {value}/{total} price updates | {prices} | liquidations {liquidations}",
    hideCursor: true,
    clearOnComplete: false,
  },
  Presets.shades_classic,
);
console.log("Deploying Ballast and opening ~100 trader accounts on the embedded Hardhat network...");
const report = await runDemo(connection, {
  onStart: (points) => bar.start(points, 0, { prices: "", liquidations: 0 }),
  onProgress: (done, _total, liquidations, point) =>
    bar.update(done, {
      liquidations,
      prices: Object.entries(point)
        .map(([symbol, price]) => `${symbol} ${price.toLocaleString("en-US")}`)
        .join("  "),
    }),
});
bar.stop();
console.log(formatReport(report));
await connection.close();
if (!report.conservation.holds || report.leftLiquidatable > 0) process.exit(1);
