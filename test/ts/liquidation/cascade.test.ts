import { expect } from "chai";
import { network } from "hardhat";
import { MaxUint256 } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { deployBallast, wad, WAD, BTC_MARKET, ETH_MARKET, BTC_TIERS, type Ballast } from "../helpers/fixture.js";
import { expectTokenConservation, eventsNamed, targetEquity } from "../helpers/liquidationChecks.js";

const { ethers } = await network.create();

/**
 * A market crash in steps, with one keeper batch per step: DESIGN §5 and invariants 1, 3, 4 and 6 of §6 hold at
 * every step. BTC uses the progressive BTC_TIERS table, ETH the 10%/5% single bracket.
 */

interface Plan {
  btcUsd: bigint; // BTC notional at entry, USD (0: none)
  ethUsd: bigint; // ETH notional at entry, USD (0: none)
  short: boolean;
  leverage: bigint; // entry notional / deposit, ×10
  isolated?: bigint; // market of an isolated account
}

/** 50 accounts, long-heavy, leverage 2x–10x, cross (some BTC + ETH) and isolated (BTC or ETH). */
function plans(): Plan[] {
  const out: Plan[] = [];
  const leverages = [20n, 30n, 40n, 50n, 60n, 70n, 80n, 90n, 95n, 100n]; // ×10
  for (let i = 0; i < 50; i++) {
    const leverage = leverages[(i * 7) % leverages.length]!;
    const short = i % 6 === 5;
    const btcUsd = BigInt(4_000 + ((i * 3_700) % 36_000)) + (i % 7 === 0 ? 60_000n : 0n); // some span two brackets
    if (i % 5 === 4) {
      // Isolated: BTC or ETH only.
      const market = i % 10 === 4 ? BTC_MARKET : ETH_MARKET;
      out.push({
        btcUsd: market === BTC_MARKET ? btcUsd : 0n,
        ethUsd: market === ETH_MARKET ? BigInt(2_000 + ((i * 1_300) % 12_000)) : 0n,
        short,
        leverage,
        isolated: market,
      });
    } else {
      out.push({ btcUsd, ethUsd: i % 3 === 0 ? BigInt(3_000 + ((i * 900) % 9_000)) : 0n, short, leverage });
    }
  }
  return out;
}

async function openPlan(b: Ballast, owner: HardhatEthersSigner, plan: Plan) {
  const depositUsd = ((plan.btcUsd + plan.ethUsd) * 10n) / plan.leverage + 1n;
  const id = await b.openAccount(owner, depositUsd * b.unit, plan.isolated);
  const sign = plan.short ? -1n : 1n;
  if (plan.btcUsd > 0n) {
    await b.trader
      .connect(owner)
      .trade(id, BTC_MARKET, (sign * BigInt(plan.btcUsd) * WAD) / 50_000n, plan.short ? 0n : MaxUint256);
  }
  if (plan.ethUsd > 0n) {
    await b.trader
      .connect(owner)
      .trade(id, ETH_MARKET, (sign * BigInt(plan.ethUsd) * WAD) / 2_000n, plan.short ? 0n : MaxUint256);
  }
  return id;
}

async function snapshot(b: Ballast, id: bigint) {
  const account = await b.core.getAccount(id);
  const btc = await b.core.getPosition(id, BTC_MARKET);
  const eth = await b.core.getPosition(id, ETH_MARKET);
  return [account.margin, account.activeMarkets, btc.size, btc.openNotional, eth.size, eth.openNotional];
}

describe("Liquidation cascade", function () {
  this.timeout(60_000);

  it("a -5% × 8 crash: each batch liquidates exactly the liquidatable accounts, insurance before the vault", async () => {
    const b = await deployBallast(ethers, { btcTiers: BTC_TIERS });
    await b.seedVault(50_000_000n * b.unit);
    await b.seedInsurance(400n * b.unit);
    const owners = b.signers.slice(9, 20);
    const ids: bigint[] = [];
    const list = plans();
    for (let i = 0; i < list.length; i++) ids.push(await openPlan(b, owners[i % owners.length]!, list[i]!));
    expect(ids.length).to.equal(50);
    expect(list.filter((p) => p.short).length).to.be.lessThan(10); // long-heavy
    await expectTokenConservation(b);
    const buffer = (await b.core.riskParams()).liquidationBuffer;

    let btc = 50_000n;
    let eth = 2_000n;
    let liquidations = 0;
    let partials = 0;
    let badDebtEvents = 0;
    let coveredTotal = 0n;
    let socialisedTotal = 0n;
    for (let step = 1; step <= 8; step++) {
      btc = (btc * 95n) / 100n;
      eth = (eth * 95n) / 100n;
      await b.setPrice("BTC", btc);
      await b.setPrice("ETH", eth);

      const liquidatable = new Map<bigint, boolean>();
      const before = new Map<bigint, unknown[]>();
      for (const id of ids) {
        liquidatable.set(id, (await b.core.accountHealth(id)).liquidatable);
        before.set(id, await snapshot(b, id));
      }
      const expectedIds = ids.filter((id) => liquidatable.get(id));
      const [vaultBefore, insuranceBefore] = await b.core.ledgers();

      expect(await b.core.connect(b.keeper).liquidateMany.staticCall(ids, b.keeper.address)).to.deep.equal(
        ids.map((id) => liquidatable.get(id)),
      );
      const receipt = await (await b.core.connect(b.keeper).liquidateMany(ids, b.keeper.address)).wait();

      // Exactly the accounts reported liquidatable were liquidated, in order.
      const liquidated = eventsNamed(b, receipt, "AccountLiquidated");
      expect(liquidated.map((e) => e.accountId)).to.deep.equal(expectedIds);
      liquidations += liquidated.length;
      partials += liquidated.filter((e) => !e.full).length;

      // Insurance first: replay the step's ledger moves in log order.
      let insurance = insuranceBefore;
      let socialisedThisStep = 0n;
      const badDebts = eventsNamed(b, receipt, "BadDebtSettled");
      const byAccount = new Map(badDebts.map((e) => [e.accountId as bigint, e]));
      for (const event of liquidated) {
        const badDebt = byAccount.get(event.accountId);
        insurance += (event.fee as bigint) - (event.keeperReward as bigint);
        if (badDebt !== undefined) {
          expect(event.fee).to.equal(0n); // no fee out of negative equity
          const covered = insurance < badDebt.badDebt ? insurance : (badDebt.badDebt as bigint);
          expect(badDebt.coveredByInsurance).to.equal(covered);
          expect(badDebt.socialised).to.equal(badDebt.badDebt - covered);
          if (badDebt.socialised > 0n) {
            expect(badDebt.coveredByInsurance, "socialised only once insurance is empty").to.equal(insurance);
          }
          insurance -= covered;
          socialisedThisStep += badDebt.socialised as bigint;
          coveredTotal += badDebt.coveredByInsurance as bigint;
          socialisedTotal += badDebt.socialised as bigint;
          badDebtEvents++;
        }
        expect(insurance >= 0n, "insurance never negative").to.equal(true);
      }
      const [vaultAfter, insuranceAfter] = await b.core.ledgers();
      expect(insuranceAfter).to.equal(insurance);
      // The vault moves by the traders' realised PnL, minus exactly what was socialised.
      let tradersRealised = 0n;
      for (const e of eventsNamed(b, receipt, "PositionLiquidated")) {
        tradersRealised += (e.realisedPnl as bigint) - (e.fundingPaid as bigint);
      }
      expect(vaultAfter - vaultBefore).to.equal(-tradersRealised - socialisedThisStep);

      // Untouched healthy accounts; liquidated ones healthy at the target or empty.
      for (const id of ids) {
        if (!liquidatable.get(id)) {
          expect(await snapshot(b, id), `healthy account ${id} touched at step ${step}`).to.deep.equal(before.get(id));
          continue;
        }
        const health = await b.core.accountHealth(id);
        const account = await b.core.getAccount(id);
        if (account.activeMarkets === 0n) {
          expect(account.margin >= 0n).to.equal(true);
        } else {
          expect(health.liquidatable).to.equal(false);
          expect(health.equity >= targetEquity(health.maintenanceMargin, buffer)).to.equal(true);
        }
      }
      await expectTokenConservation(b);
    }

    // The scenario exercised what it claims to: liquidations, bad debt covered by insurance, then socialised.
    expect(liquidations).to.be.greaterThan(20);
    expect(partials).to.be.greaterThan(0);
    expect(liquidations - partials).to.be.greaterThan(0);
    expect(badDebtEvents).to.be.greaterThan(0);
    expect(coveredTotal > 0n, "insurance covered bad debt").to.equal(true);
    expect(socialisedTotal > 0n, "insurance ran out and the vault took the rest").to.equal(true);
    // Shorts gained in the crash and were never liquidated.
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.short) expect((await b.core.getAccount(ids[i]!)).activeMarkets).to.not.equal(0n);
    }
  });

  describe("gas", () => {
    /** `count` accounts, each a 10x 0.2 BTC long with 1,000 USD, all partially liquidatable at 47,000. */
    async function liquidatableBatch(count: number) {
      const b = await deployBallast(ethers);
      await b.seedVault(10_000_000n * b.unit);
      await b.seedInsurance(10_000n * b.unit);
      const owners = b.signers.slice(9, 20);
      const ids: bigint[] = [];
      for (let i = 0; i < count; i++) {
        const owner = owners[i % owners.length]!;
        const id = await b.openAccount(owner, 1000n * b.unit);
        await b.trader.connect(owner).trade(id, BTC_MARKET, wad("0.2"), MaxUint256);
        ids.push(id);
      }
      await b.setPrice("BTC", 47_000);
      return { b, ids };
    }

    for (const count of [10, 50]) {
      it(`liquidateMany on ${count} liquidatable accounts`, async () => {
        const { b, ids } = await liquidatableBatch(count);
        const receipt = await (await b.core.connect(b.keeper).liquidateMany(ids, b.keeper.address)).wait();
        expect(eventsNamed(b, receipt, "AccountLiquidated").length).to.equal(count);
        const perAccount = receipt!.gasUsed / BigInt(count);
        console.log(
          `      gas: liquidateMany, ${count} liquidatable accounts (partial, 1 position each): ` +
            `${perAccount} per account (${receipt!.gasUsed} total)`,
        );
        expect(perAccount > 0n).to.equal(true);
        await expectTokenConservation(b);
      });
    }

    async function single(price: number, insuranceUsd: bigint) {
      const b = await deployBallast(ethers);
      await b.seedVault(10_000_000n * b.unit);
      if (insuranceUsd > 0n) await b.seedInsurance(insuranceUsd * b.unit);
      const id = await b.openAccount(b.alice, 1000n * b.unit);
      await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad("0.2"), MaxUint256);
      await b.setPrice("BTC", price);
      const receipt = await (await b.core.connect(b.keeper).liquidate(id, b.keeper.address)).wait();
      await expectTokenConservation(b);
      const [event] = eventsNamed(b, receipt, "AccountLiquidated");
      return { receipt: receipt!, event: event!, badDebt: eventsNamed(b, receipt, "BadDebtSettled") };
    }

    it("liquidate: one partial, one full, one with bad debt", async () => {
      const partial = await single(47_000, 10_000n);
      expect(partial.event.full).to.equal(false);
      const full = await single(45_500, 10_000n);
      expect(full.event.full).to.equal(true);
      expect(full.badDebt.length).to.equal(0);
      const bad = await single(44_000, 100n);
      expect(bad.event.full).to.equal(true);
      expect(bad.badDebt.length).to.equal(1);
      console.log(`      gas: liquidate, partial (1 position): ${partial.receipt.gasUsed}`);
      console.log(`      gas: liquidate, full (1 position): ${full.receipt.gasUsed}`);
      console.log(`      gas: liquidate, full with bad debt (insurance + vault): ${bad.receipt.gasUsed}`);
    });
  });
});
