/**
 * Capacity tied to LP capital (issue 12, item 3; DESIGN §8). A coordinated long/short pair at maximum leverage
 * pockets an oracle move X larger than the IM rate: the loser's bad debt is the winner's profit. With open
 * interest capped at `maxOpenInterestFactor` × LP capital C, the most the pair can take from one update is
 *   E(X) = maxOpenInterestFactor × C × (X − imr)   (X > imr; nothing when X ≤ imr),
 * which governance keeps within the insurance pool for the market's largest single-update move, so the loss has its
 * stated owner (insurance stakers, first loss) and never reaches LPs. Each case prints its figures.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { BTC_MARKET, deployBallast, WAD, wad } from "../helpers/fixture.js";

const { ethers } = await network.create();
const MAX = ethers.MaxUint256;
const usd = (value: bigint) =>
  `${value < 0n ? "−" : ""}$${(Number((value < 0n ? -value : value) / 10n ** 12n) / 1e6).toLocaleString("en-US")}`;

const CAPITAL = 1_000_000n; // LP capital, USD
const INSURANCE = 50_000n; // USD
const IMR = wad("0.1"); // SIMPLE_TIERS: 10% IM, 5% MM
const MOVE = wad("0.2"); // a 20% single update: twice the IM rate

/** The pair opens `btc` each way at $50,000 with exactly the IM, the price drops 20%, and both are unwound. */
async function pairAttack(maxOpenInterestFactor: bigint, btc: bigint) {
  const b = await deployBallast(ethers, { risk: { maxOpenInterestFactor } });
  await b.seedVault(CAPITAL * b.unit);
  await b.seedInsurance(INSURANCE * b.unit);
  const margin = (btc * 50_000n * IMR) / WAD; // USD
  const long = await b.openAccount(b.alice, margin * b.unit);
  const short = await b.openAccount(b.bob, margin * b.unit);
  const [vaultBefore, insuranceBefore] = await b.core.ledgers();
  await b.trader.connect(b.alice).trade(long, BTC_MARKET, wad(btc), MAX);
  await b.trader.connect(b.bob).trade(short, BTC_MARKET, -wad(btc), 0n);
  await b.setPrice("BTC", 40_000);
  await b.core.connect(b.keeper).liquidate(long, b.keeper.address);
  await b.trader.connect(b.bob).closePosition(short, BTC_MARKET, MAX);
  const [vaultAfter, insuranceAfter] = await b.core.ledgers();
  const pairEnd = (await b.core.getAccount(long)).margin + (await b.core.getAccount(short)).margin;
  return {
    pairProfit: pairEnd - 2n * wad(margin),
    lpChange: vaultAfter - vaultBefore,
    insuranceChange: insuranceAfter - insuranceBefore,
  };
}

describe("adversarial: capacity tied to LP capital (DESIGN §8)", () => {
  it("a long/short pair cannot open more than maxOpenInterestFactor × LP capital a side", async () => {
    const b = await deployBallast(ethers, { risk: { maxOpenInterestFactor: wad("0.5") } });
    await b.seedVault(CAPITAL * b.unit);
    const id = await b.openAccount(b.alice, 1_000_000n * b.unit);
    // $500k a side is the capacity: 10 BTC fits, 10 BTC + 1 wei does not.
    await expect(b.trader.connect(b.alice).trade(id, BTC_MARKET, wad(10) + 1n, MAX))
      .to.be.revertedWithCustomError(b.core, "OpenInterestCapacityExceeded")
      .withArgs(BTC_MARKET, wad(500_000) + 50_000n, wad(500_000)); // the extra wei of BTC, priced and rounded up
    await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad(10), MAX);
    // Reductions are never refused by capacity (only risk-increasing trades are checked).
    await b.trader.connect(b.alice).trade(id, BTC_MARKET, -wad(1), 0n);
  });

  it("a 20% update pays the pair at most E(X) = factor × C × (X − imr), all of it out of insurance, none out of LPs", async () => {
    // Before: no capacity. The pair holds 40 BTC a side ($2M, twice the LP capital): its $200k take is the loser's
    // bad debt, $50k from insurance and $150k socialised to LPs.
    const open = await pairAttack(0n, 40n);
    // After: factor 0.5 chosen by the rule factor ≤ insurance / (C × (X − imr)) = 50k / (1M × 10%).
    const factor = (INSURANCE * WAD * WAD) / (CAPITAL * (MOVE - IMR));
    expect(factor).to.equal(wad("0.5"));
    const capped = await pairAttack(factor, 10n);
    const bound = (wad(CAPITAL) * factor * (MOVE - IMR)) / WAD / WAD;
    console.log(
      `      without capacity (40 BTC a side): pair ${usd(open.pairProfit)}, insurance ${usd(open.insuranceChange)}, ` +
        `LPs ${usd(open.lpChange)}\n      with capacity 0.5 × C (10 BTC a side, the most it allows): pair ` +
        `${usd(capped.pairProfit)} ≤ E(20%) = ${usd(bound)}, insurance ${usd(capped.insuranceChange)}, LPs ${usd(capped.lpChange)}`,
    );
    expect(open.lpChange < 0n, "without capacity the LPs paid part of the pair's take").to.equal(true);
    expect(capped.pairProfit <= bound).to.equal(true);
    expect(capped.lpChange >= 0n, "no LP paid for the pair's take").to.equal(true);
    expect(-capped.insuranceChange <= wad(INSURANCE)).to.equal(true);
  });

  it("a move within the IM rate pays the pair nothing (profit ≤ 0 after fees)", async () => {
    const b = await deployBallast(ethers, {
      risk: { maxOpenInterestFactor: wad("0.5") },
      btcParams: { takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0005") },
    });
    await b.seedVault(CAPITAL * b.unit);
    await b.seedInsurance(INSURANCE * b.unit);
    const long = await b.openAccount(b.alice, 60_000n * b.unit);
    const short = await b.openAccount(b.bob, 60_000n * b.unit);
    const [vaultBefore, insuranceBefore] = await b.core.ledgers();
    await b.trader.connect(b.alice).trade(long, BTC_MARKET, wad(10), MAX);
    await b.trader.connect(b.bob).trade(short, BTC_MARKET, -wad(10), 0n);
    await b.setPrice("BTC", 45_500); // −9%, inside the 10% IM
    if ((await b.core.accountHealth(long)).liquidatable)
      await b.core.connect(b.keeper).liquidate(long, b.keeper.address);
    if ((await b.core.getPosition(long, BTC_MARKET)).size !== 0n) {
      await b.trader.connect(b.alice).closePosition(long, BTC_MARKET, 0n);
    }
    await b.trader.connect(b.bob).closePosition(short, BTC_MARKET, MAX);
    const [vaultAfter, insuranceAfter] = await b.core.ledgers();
    const pair = (await b.core.getAccount(long)).margin + (await b.core.getAccount(short)).margin - wad(120_000);
    console.log(
      `      −9% with a 10% IM: pair ${usd(pair)}, insurance ${usd(insuranceAfter - insuranceBefore)}, LPs ${usd(vaultAfter - vaultBefore)}`,
    );
    expect(pair <= 0n).to.equal(true);
    expect(vaultAfter >= vaultBefore).to.equal(true);
    expect(insuranceAfter >= insuranceBefore).to.equal(true);
  });
});
