/**
 * The dashboard's own logic without a browser: why a withdrawal is refused (examples/dashboard/src/withdrawal.ts).
 * The core lets min(realised margin, equity − IM) leave; the cause named must be the one that binds, so that an
 * account at a loss is never told that "unrealised profit cannot leave".
 */
import { expect } from "chai";
import { withdrawalLimit, withdrawalRefusal } from "../../../examples/dashboard/src/withdrawal.js";
import { withdrawableMargin } from "../../../sdk/src/index.js";

const usd = (amount: number) => BigInt(Math.round(amount * 100)) * 10n ** 16n;

describe("Dashboard: the cause of a refused withdrawal", () => {
  it("blames open losses when positions are at a loss and equity − IM binds", () => {
    // margin 1,000, loss 400 → equity 600, IM 400: 200 may leave.
    const limit = withdrawalLimit({ margin: usd(1000), equity: usd(600), initialMargin: usd(400) });
    expect(limit.cause).to.equal("open-losses");
    expect(limit.available).to.equal(usd(200));
    expect(limit.reason).to.contain("open losses of $400.00").and.contain("initial margin of $400.00");
    expect(limit.reason).to.not.contain("unrealised profit");
  });

  it("blames the initial margin when positions are in a profit smaller than the IM", () => {
    // margin 1,000, profit 100 → equity 1,100, IM 400: 700 may leave (equity − IM < margin).
    const limit = withdrawalLimit({ margin: usd(1000), equity: usd(1100), initialMargin: usd(400) });
    expect(limit.cause).to.equal("initial-margin");
    expect(limit.available).to.equal(usd(700));
    expect(limit.reason).to.contain("initial margin of $400.00");
  });

  it("blames unrealised profit only when the realised margin is what binds", () => {
    // margin 1,000, profit 900 → equity 1,900, IM 400: equity − IM = 1,500 > margin, so 1,000 may leave.
    const limit = withdrawalLimit({ margin: usd(1000), equity: usd(1900), initialMargin: usd(400) });
    expect(limit.cause).to.equal("unrealised-profit");
    expect(limit.available).to.equal(usd(1000));
    expect(limit.reason).to.contain("unrealised profit of $900.00");
  });

  it("says there is not that much margin when nothing is locked, and nothing when the margin is used up", () => {
    const flat = withdrawalLimit({ margin: usd(250), equity: usd(250), initialMargin: 0n });
    expect(flat.cause).to.equal("margin");
    expect(flat.available).to.equal(usd(250));
    const spent = withdrawalLimit({ margin: -usd(5), equity: usd(300), initialMargin: usd(100) });
    expect(spent.cause).to.equal("no-margin");
    expect(spent.available).to.equal(0n);
  });

  it("computes what may leave exactly as the SDK's withdrawableMargin (the core's rule)", () => {
    const cases: [number, number, number][] = [
      [1000, 600, 400],
      [1000, 1100, 400],
      [1000, 1900, 400],
      [250, 250, 0],
      [1000, 300, 400],
      [-5, 300, 100],
      [1000, -50, 100],
    ];
    for (const [margin, equity, initialMargin] of cases) {
      const figures = { margin: usd(margin), equity: usd(equity), initialMargin: usd(initialMargin) };
      expect(withdrawalLimit(figures).available, JSON.stringify([margin, equity, initialMargin])).to.equal(
        withdrawableMargin(figures.margin, figures.equity, figures.initialMargin),
      );
    }
  });

  it("writes one sentence with the amount asked and the amount that may leave", () => {
    const limit = withdrawalLimit({ margin: usd(1000), equity: usd(600), initialMargin: usd(400) });
    expect(withdrawalRefusal(limit, "900 USDC", "200 USDC")).to.match(
      /^Withdrawing 900 USDC is more than can leave now: at most 200 USDC, because open losses of \$400\.00 .*\.$/,
    );
  });
});
