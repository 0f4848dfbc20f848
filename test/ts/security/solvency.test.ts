/**
 * Counterparty solvency (issue 12, items 1–2; DESIGN §8, invariants 11–12): ring-fenced margins and the pro-rata
 * profit haircut. The attacks: a winner whose profit exceeds LP capital leaves first and is paid out of other
 * traders' margin (a flat account with $200,000 deposited could withdraw only $50,000 afterwards); winners race each
 * other for what LP capital is left. Each case states the attack, prints the figures, asserts that the attacker
 * gains nothing beyond what LP capital backs and that no bystander's balance falls.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";
import { getAccount } from "../../../sdk/src/actions/getAccount.js";
import { simulateTrade, simulateWithdraw } from "../../../sdk/src/actions/index.js";
import { InsufficientMarginError } from "../../../sdk/src/abi/errorClasses.js";
import { convertedProfit } from "../../../sdk/src/math/profitHaircut.js";
import { sdkDeployment, sdkPublicClient } from "../helpers/sdkDeployment.js";
import { BTC_MARKET, deployBallast, ETH_MARKET, WAD, wad } from "../helpers/fixture.js";

const { ethers, provider } = await network.create();
const MAX = ethers.MaxUint256;
const usd = (value: bigint) =>
  `${value < 0n ? "−" : ""}$${(Number((value < 0n ? -value : value) / 10n ** 12n) / 1e6).toLocaleString("en-US")}`;

type Deployment = Awaited<ReturnType<typeof deployBallast>>;

/** Withdraws everything the account may take now (its `withdrawable`, in token units); returns what left. */
async function withdrawAll(b: Deployment, id: bigint, owner: Deployment["alice"]) {
  const assets = (await b.core.accountHealth(id)).withdrawable / 10n ** 12n;
  if (assets === 0n) return 0n;
  const before = await b.token.balanceOf(owner.address);
  await b.core.connect(owner).withdraw(id, assets, owner.address);
  return (await b.token.balanceOf(owner.address)) - before;
}

describe("adversarial: counterparty solvency — ring-fenced margins and the profit haircut (DESIGN §8)", () => {
  it("a winner beyond LP capital cannot take a flat account's margin: the flat account withdraws all of it", async () => {
    // Attack: LP capital is $100k. The winner (alice) opens 20 BTC long with $120k; bob keeps $200k in a flat
    // account. BTC rises 25%: alice is ~$250k up against a vault that holds $100k. Before this change alice closed and
    // withdrew first, taking ~$150k of bob's margin (bob could withdraw only ~$50k). Now her realised profit is worth
    // h = what backs it / what is owed; the flat account is untouched. Measured on 7818638 (the same scenario, the
    // payout capped only by free tokens): the winner netted +$250,000 and the flat account got $50,000 of $200,000.
    const b = await deployBallast(ethers);
    await b.seedVault(100_000n * b.unit);
    const winner = await b.openAccount(b.alice, 120_000n * b.unit);
    const flat = await b.openAccount(b.bob, 200_000n * b.unit);
    await b.trader.connect(b.alice).trade(winner, BTC_MARKET, wad(20), MAX);
    await b.setPrice("BTC", 62_500);
    await b.trader.connect(b.alice).closePosition(winner, BTC_MARKET, 0n);

    const account = await b.core.getAccount(winner);
    const [totalProfit, tradersPnl, ratio] = await b.core.profitHaircut();
    expect(account.profit > 0n && totalProfit === account.profit && tradersPnl === 0n).to.equal(true);
    expect(ratio < WAD / 2n, "the haircut binds: LP capital covers less than half of the profit").to.equal(true);
    // The account's figures already show the haircut: equity = margin − profit + profit × h (the SDK's twin).
    const health = await b.core.accountHealth(winner);
    const [vaultLedgerNow] = await b.core.ledgers();
    const worth = convertedProfit(account.profit, { totalProfit, vaultLedger: vaultLedgerNow, tradersPnl });
    expect(health.equity).to.equal(account.margin - account.profit + worth);
    expect(health.withdrawable).to.equal(health.equity);

    const tookWinner = await withdrawAll(b, winner, b.alice);
    const tookFlat = await withdrawAll(b, flat, b.bob);
    const [vaultLedger] = await b.core.ledgers();
    const attackerGain = tookWinner - 120_000n * b.unit;
    console.log(
      `      haircut ratio ${(Number(ratio) / 1e18).toFixed(4)}; winner's profit ${usd(account.profit)} at face → took ` +
        `${usd(attackerGain * 10n ** 12n)} net; flat account withdrew ${usd(tookFlat * 10n ** 12n)} of $200,000; ` +
        `LP ledger ${usd(vaultLedger)}`,
    );
    // The bystander gets every unit back; the winner's gain is at most the LP capital it was owed against.
    expect(tookFlat).to.equal(200_000n * b.unit);
    expect(attackerGain <= 100_000n * b.unit, "the winner is paid no more than LP capital backs").to.equal(true);
    expect(attackerGain > 0n, "… and what LP capital does back is paid").to.equal(true);
    expect(vaultLedger >= 0n, "conversion returns the haircut: the LP ledger is back at or above zero").to.equal(true);
    expect((await b.core.getAccount(flat)).margin).to.equal(0n);
  });

  it("winners share LP capital pro rata, realised or not: going first gains nothing", async () => {
    // Attack: two equal winners (alice, carol) are owed more than LP capital; each would like to close and withdraw
    // before the other. With h computed over realised and unrealised profit, the first to leave gets the same ratio as
    // the second, whichever goes first. Measured on 7818638: alice, first, took $210,000, carol $60,000 (her deposit),
    // and a flat account with $50,000 got nothing.
    const b = await deployBallast(ethers);
    await b.seedVault(100_000n * b.unit);
    const first = await b.openAccount(b.alice, 60_000n * b.unit);
    const second = await b.openAccount(b.carol, 60_000n * b.unit);
    const flat = await b.openAccount(b.bob, 50_000n * b.unit);
    await b.trader.connect(b.alice).trade(first, BTC_MARKET, wad(10), MAX);
    await b.trader.connect(b.carol).trade(second, BTC_MARKET, wad(10), MAX);
    await b.setPrice("BTC", 65_000);

    async function race(
      leader: bigint,
      leaderSigner: Deployment["alice"],
      follower: bigint,
      followerSigner: Deployment["alice"],
    ) {
      const snapshot = await ethers.provider.send("evm_snapshot", []);
      await b.trader.connect(leaderSigner).closePosition(leader, BTC_MARKET, 0n);
      const [, , ratioAtLeader] = await b.core.profitHaircut();
      const leaderTook = await withdrawAll(b, leader, leaderSigner);
      await b.trader.connect(followerSigner).closePosition(follower, BTC_MARKET, 0n);
      const [, , ratioAtFollower] = await b.core.profitHaircut();
      const followerTook = await withdrawAll(b, follower, followerSigner);
      const flatTook = await withdrawAll(b, flat, b.bob);
      await ethers.provider.send("evm_revert", [snapshot]);
      return { leaderTook, followerTook, flatTook, ratioAtLeader, ratioAtFollower };
    }
    const aliceFirst = await race(first, b.alice, second, b.carol);
    const carolFirst = await race(second, b.carol, first, b.alice);
    console.log(
      `      alice first: alice ${usd(aliceFirst.leaderTook * 10n ** 12n)}, carol ${usd(aliceFirst.followerTook * 10n ** 12n)} ` +
        `(h ${(Number(aliceFirst.ratioAtLeader) / 1e18).toFixed(4)} → ${(Number(aliceFirst.ratioAtFollower) / 1e18).toFixed(4)}); ` +
        `carol first: carol ${usd(carolFirst.leaderTook * 10n ** 12n)}, alice ${usd(carolFirst.followerTook * 10n ** 12n)}; ` +
        `flat account ${usd(aliceFirst.flatTook * 10n ** 12n)} of $50,000 both times`,
    );
    expect(aliceFirst.ratioAtLeader < WAD, "the haircut binds").to.equal(true);
    // Order does not matter beyond the skew premium's asymmetry and rounding: within $1 of each other.
    const gap = (x: bigint, y: bigint) => (x > y ? x - y : y - x);
    expect(gap(aliceFirst.leaderTook, carolFirst.followerTook) <= b.unit).to.equal(true);
    expect(gap(aliceFirst.followerTook, carolFirst.leaderTook) <= b.unit).to.equal(true);
    expect(gap(aliceFirst.ratioAtLeader, aliceFirst.ratioAtFollower) <= WAD / 10_000n).to.equal(true);
    // Together they take at most LP capital plus their own deposits; the bystander is whole.
    expect(aliceFirst.leaderTook + aliceFirst.followerTook <= 220_000n * b.unit).to.equal(true);
    expect(aliceFirst.flatTook).to.equal(50_000n * b.unit);
    expect(carolFirst.flatTook).to.equal(50_000n * b.unit);
  });

  it("a haircut profit cannot margin a position at its face value: checks and figures count it at h", async () => {
    // A winner whose profit is haircut cannot use its face value as margin: its equity, withdrawable and the checks of
    // its next trade all use profit × h, so a risk-increasing trade sized on face value is refused.
    const b = await deployBallast(ethers);
    await b.seedVault(50_000n * b.unit);
    const winner = await b.openAccount(b.alice, 60_000n * b.unit);
    await b.trader.connect(b.alice).trade(winner, BTC_MARKET, wad(10), MAX);
    await b.setPrice("BTC", 60_000);
    await b.trader.connect(b.alice).closePosition(winner, BTC_MARKET, 0n);
    const account = await b.core.getAccount(winner);
    const health = await b.core.accountHealth(winner);
    const [, , ratio] = await b.core.profitHaircut();
    expect(ratio < WAD).to.equal(true);
    // An ETH position whose 10% IM lies between what the margin is worth and its face value.
    const notional = ((health.equity + account.margin) / 2n) * 10n;
    const ethSize = (notional * WAD) / wad(2_000);
    console.log(
      `      margin ${usd(account.margin)} at face, worth ${usd(health.equity)} at h ${(Number(ratio) / 1e18).toFixed(4)}; ` +
        `an ETH order needing ${usd(notional / 10n)} of IM is cancelled`,
    );
    // The SDK sees what the core sees: the view's figures at h, and the order's settlement check with its numbers.
    const deployment = await sdkDeployment(ethers, b);
    const client = sdkPublicClient(provider);
    const view = await getAccount(client, { deployment, accountId: winner });
    expect(view.health?.equity).to.equal(health.equity);
    expect(view.health?.withdrawable).to.equal(health.withdrawable);
    expect(view.haircut.ratio).to.equal(ratio);
    expect(view.haircut.amount).to.equal(account.margin - health.equity);
    const predicted = await simulateTrade(client, {
      deployment,
      account: b.alice.address as Address,
      accountId: winner,
      marketId: Number(ETH_MARKET),
      sizeDelta: ethSize,
    }).catch((e: unknown) => e);
    expect(predicted).to.be.instanceOf(InsufficientMarginError);
    // Withdrawing what the view calls withdrawable passes the SDK's checks (it would throw like the core otherwise).
    await simulateWithdraw(client, {
      deployment,
      account: b.alice.address as Address,
      accountId: winner,
      assets: health.withdrawable / 10n ** 12n,
    });
    await expect(b.trader.connect(b.alice).trade(winner, ETH_MARKET, ethSize, MAX))
      .to.be.revertedWithCustomError(b.core, "InsufficientMargin")
      .withArgs(...(predicted as InsufficientMarginError).args);
    expect((await b.core.getPosition(winner, ETH_MARKET)).size).to.equal(0n);
    expect((await b.core.getAccount(winner)).profit).to.equal(account.profit, "a refused trade converts nothing");
    // Half that size fits what the margin is worth; the trade converts the profit at h first.
    await b.trader.connect(b.alice).trade(winner, ETH_MARKET, ethSize / 2n, MAX);
    const after = await b.core.getAccount(winner);
    expect(after.profit).to.equal(0n);
    expect(after.margin <= health.equity, "converted at h (less any ETH fee)").to.equal(true);
    expect(after.margin >= health.equity - wad(1_000)).to.equal(true);
  });

  it("a flip on haircut profit: the core checks the new profit at h, and the SDK predicts the same refusal", async () => {
    // Alice is 10 BTC long on $60k against $50k of LP capital; BTC rises 20%. Selling 35 BTC closes the long (+$100k,
    // more than LP capital holds) and opens a 25 BTC short needing $150k of IM. At face her margin ($160k) would carry
    // it; at h = 0.5 it is worth $110k, so the core refuses, and simulateTrade says so with the same numbers.
    const b = await deployBallast(ethers);
    await b.seedVault(50_000n * b.unit);
    const id = await b.openAccount(b.alice, 60_000n * b.unit);
    await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad(10), MAX);
    await b.setPrice("BTC", 60_000);
    const deployment = await sdkDeployment(ethers, b);
    const client = sdkPublicClient(provider);
    const flip = -wad(35);
    const predicted = await simulateTrade(client, {
      deployment,
      account: b.alice.address as Address,
      accountId: id,
      marketId: Number(BTC_MARKET),
      sizeDelta: flip,
    }).catch((e: unknown) => e);
    expect(predicted).to.be.instanceOf(InsufficientMarginError);
    const [equity, initialMargin] = (predicted as InsufficientMarginError).args as readonly [bigint, bigint];
    const face = (await b.core.getAccount(id)).margin + wad(100_000); // the margin at face after the close's gain
    console.log(
      `      flip: margin at face ${usd(face)} would carry IM ${usd(initialMargin)}; counted at h it is ${usd(equity)}: refused`,
    );
    expect(face >= initialMargin && equity < initialMargin, "the haircut decides the check").to.equal(true);
    await expect(b.trader.connect(b.alice).trade(id, BTC_MARKET, flip, 0n))
      .to.be.revertedWithCustomError(b.core, "InsufficientMargin")
      .withArgs(equity, initialMargin);
    // A flip the haircut margin carries (a 10 BTC short) goes through.
    await b.trader.connect(b.alice).trade(id, BTC_MARKET, -wad(20), 0n);
    expect((await b.core.getPosition(id, BTC_MARKET)).size).to.equal(-wad(10));
  });
});
