/**
 * Smoke test of the stress lab (scripts/stress): about 100 accounts through the v-flash path (−40% in 10 blocks,
 * +30% back) with the real keeper CLI on a real `hardhat node`. Checks what every run must hold, from the chain:
 * token conservation to the unit, no loss for flat accounts, the crash actually liquidated and left nothing
 * liquidatable, and a complete report (all files, every headline field numeric).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { RunMetrics } from "../../../scripts/stress/metrics.js";
import { HEADLINE_FIELDS, REPORT_FILES, writeReport } from "../../../scripts/stress/report.js";
import { DEFAULTS, runScenario } from "../../../scripts/stress/runner.js";

describe("stress lab smoke (v-flash, ~100 accounts, real node and keeper)", function () {
  this.timeout(180_000);
  let outDir: string;
  let runDir: string;
  let metrics: RunMetrics;

  before(async () => {
    outDir = mkdtempSync(join(tmpdir(), "ballast-stress-"));
    const run = await runScenario({
      ...DEFAULTS,
      scenario: "v-flash",
      accounts: 100,
      seed: 7,
      keeperArgs: [],
      outDir,
    });
    metrics = run.metrics;
    runDir = run.context.runDir;
    writeReport(metrics, runDir);
  });

  after(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it("conserves tokens to the unit: core balance = Σ margins + vault + insurance + unclaimed rewards", () => {
    const c = metrics.conservation;
    const sum = BigInt(c.margins) + BigInt(c.vaultLedger) + BigInt(c.insuranceLedger) + BigInt(c.unclaimedRewards);
    expect(BigInt(c.tokenBalanceWad)).to.equal(sum);
    expect(c.holds).to.equal(true);
    expect(metrics.headline.conservationHolds).to.equal(1);
  });

  it("flat accounts withdraw every unit they deposited", () => {
    expect(metrics.flatAccounts.length).to.be.greaterThan(0);
    for (const flat of metrics.flatAccounts) {
      expect(flat.depositedUsd).to.be.greaterThan(0);
      expect(flat.withdrawnUsd, flat.label).to.equal(flat.depositedUsd);
      expect(flat.lossUsd, flat.label).to.equal(0);
    }
    expect(metrics.headline.flatAccountLossUsd).to.equal(0);
  });

  it("the crash is liquidated by the keeper process, and nothing is left liquidatable", () => {
    expect(metrics.headline.liquidations).to.be.greaterThan(0);
    expect(metrics.keepersDetail[0]!.liquidations).to.equal(metrics.headline.liquidations);
    expect(metrics.headline.accountsLeftLiquidatable).to.equal(0);
    // A keeper cannot act before the block after a price update.
    expect(metrics.headline.keeperLagBlocksMedian).to.be.at.least(1);
    // The waterfall adds up: every unit of bad debt has a payer.
    const h = metrics.headline;
    const paid = h.badDebtPaidByInsuranceUsd + h.badDebtPaidByLpUsd + h.badDebtPaidByHaircutUsd;
    expect(Math.abs(paid - h.badDebtTotalUsd) < 1e-6, `${paid} vs ${h.badDebtTotalUsd}`).to.equal(true);
  });

  it("writes a complete report: every file, every headline field numeric, every chart", () => {
    for (const file of REPORT_FILES) expect(existsSync(join(runDir, file)), file).to.equal(true);
    const json = JSON.parse(readFileSync(join(runDir, "report.json"), "utf8")) as RunMetrics;
    for (const field of HEADLINE_FIELDS) {
      const value = json.headline[field.key];
      expect(typeof value, field.key).to.equal("number");
      expect(Number.isFinite(value), field.key).to.equal(true);
    }
    const html = readFileSync(join(runDir, "report.html"), "utf8");
    expect(html.match(/<svg/g)?.length ?? 0).to.be.at.least(5);
    expect(html).not.to.match(/<script/);
    const md = readFileSync(join(runDir, "report.md"), "utf8");
    for (const field of HEADLINE_FIELDS) expect(md).to.include(field.label);
  });
});
