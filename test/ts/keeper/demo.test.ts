/**
 * `npm run demo`'s engine, run as a test: ~100 traders, a crash, the in-process keeper. The report's numbers must
 * agree with each other and with the contracts' rules (fee split, insurance-first bad debt, token conservation).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { type DemoReport, formatReport, runDemo } from "../../../scripts/lib/demo.js";

describe("demo: a crash liquidated by the in-process keeper", function () {
  this.timeout(120_000);
  let report: DemoReport;

  before(async () => {
    const connection = await network.create();
    report = await runDemo(connection);
    await connection.close();
  });

  it("liquidates every liquidatable account, partially and fully", () => {
    const l = report.liquidations;
    expect(report.traders).to.equal(100);
    // The traders' accounts and the flat bystander's.
    expect(report.accounts.cross + report.accounts.isolated + 1).to.equal(report.accounts.total);
    expect(l.partial).to.be.greaterThan(0);
    expect(l.full).to.be.greaterThan(0);
    expect(l.partial + l.full).to.equal(l.events);
    expect(l.accountsPartialOnly + l.accountsFull).to.equal(l.accounts);
    expect(l.accountsPartialThenFull).to.be.at.most(l.accountsFull);
    expect(report.keeper.liquidated, "every liquidated account was the keeper's").to.equal(l.accounts);
    expect(report.leftLiquidatable).to.equal(0);
  });

  it("splits every liquidation fee between the keeper and the insurance pool", () => {
    expect(report.keeper.rewards).to.be.greaterThan(0n);
    expect(report.keeper.rewards).to.equal(report.keeper.claimable);
    expect(report.keeper.rewards + report.insurance.feesIn).to.equal(report.liquidations.fees);
    expect(report.keeper.transactions).to.be.greaterThan(0);
  });

  it("covers bad debt from insurance first: sized for the largest move, insurance pays all of it", () => {
    const { badDebt, insurance } = report;
    expect(badDebt.total).to.equal(badDebt.coveredByInsurance + badDebt.socialised);
    expect(badDebt.coveredByInsurance).to.be.greaterThan(0n);
    // DEMO_CAPACITY and the insurance pool are sized by E(X_max) ≤ I: no loss reaches the LPs, none the haircut.
    expect(badDebt.socialised).to.equal(0n);
    expect(report.haircut.lost).to.equal(0n);
    // No trades during the crash: the insurance ledger moves only by liquidation fees in and bad debt out.
    expect(insurance.after).to.equal(insurance.before + insurance.feesIn - badDebt.coveredByInsurance);
  });

  it("leaves a flat account whole: it withdraws every unit it deposited (invariant 11)", () => {
    expect(report.flatAccount.withdrew).to.equal(report.flatAccount.deposited);
    expect(report.flatAccount.deposited > 0n).to.equal(true);
  });

  it("conserves tokens to the unit and prints the report", () => {
    const c = report.conservation;
    expect(c.tokenBalanceWad).to.equal(c.margins + c.vaultLedger + c.insuranceLedger + c.claimableRewards);
    expect(c.holds).to.equal(true);
    const text = formatReport(report);
    expect(text).to.contain("holds                              yes, to the unit");
    expect(text).to.contain(`${report.liquidations.events} (${report.liquidations.partial} partial`);
  });
});
