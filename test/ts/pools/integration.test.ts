import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";
import { BTC_MARKET, deployBallast, ETH_MARKET, WAD, wad } from "../helpers/fixture.js";

const { ethers, networkHelpers } = await network.create();

/** Whole-transaction gasUsed from the receipt (21,000 base included). */
async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed;
}

async function withPools() {
  const b = await deployBallast(ethers, {
    pools: "contracts",
    btcParams: { takerFeeRate: wad("0.0005"), makerFeeRate: wad("0.0002"), skewScale: wad(100_000) },
  });
  const vault = await ethers.getContractAt("LiquidityVault", b.vault as string);
  const insurance = await ethers.getContractAt("InsurancePool", b.insurance as string);
  return { ...b, vault, insurance };
}

describe("core with the real vault and insurance pool", () => {
  it("prices LP shares at NAV: a trader's unrealised loss raises NAV, the realised loss is withdrawable", async () => {
    const b = await networkHelpers.loadFixture(withPools);
    const deposit = 1_000_000n * b.unit;
    await b.fundVault(b.lp, deposit, b.keeper); // request → settlement delay → settled by a keeper
    expect(await b.vault.totalAssets()).to.equal(deposit);
    expect(await b.vault.balanceOf(b.lp.address)).to.equal(deposit * 10n ** 6n);

    const account = await b.openAccount(b.alice, 10_000n * b.unit);
    await b.trader.connect(b.alice).trade(account, BTC_MARKET, wad(1), wad(60_000));
    const [vaultLedgerAfterOpen] = await b.core.ledgers();
    await b.setPrice("BTC", 48_000);
    // Traders' PnL counted against the vault: NAV = ledger − traders' PnL, valued at the price the net long of
    // 1 BTC would close at: 48,000 × (1 + 1 / (2 × skewScale 100,000)), rounded up (against the LP).
    const position = await b.core.getPosition(account, BTC_MARKET);
    const twoScale = 2n * wad(100_000);
    const exitValue = (wad(48_000) * (twoScale + wad(1)) + twoScale - 1n) / twoScale;
    const tradersPnl = exitValue - position.openNotional;
    expect(await b.core.vaultNetAssetValue()).to.equal(vaultLedgerAfterOpen - tradersPnl);
    expect(await b.vault.totalAssets()).to.equal((vaultLedgerAfterOpen - tradersPnl) / 10n ** 12n);

    // Unrealised gains of the LP are not withdrawable: cap at the realised ledger.
    const [vaultLedger] = await b.core.ledgers();
    expect(await b.core.vaultWithdrawableAssets()).to.be.at.most(vaultLedger / 10n ** 12n);
    await b.trader.connect(b.alice).closePosition(account, BTC_MARKET, 0n);
    const [ledgerAfterClose] = await b.core.ledgers();
    expect(ledgerAfterClose).to.be.greaterThan(vaultLedger);
    expect(await b.vault.totalAssets()).to.equal(ledgerAfterClose / 10n ** 12n);
  });

  it("keeps the reserve behind open skew: an LP redemption settles only within NAV − reserveFactor × skew notional", async () => {
    const b = await networkHelpers.loadFixture(withPools);
    const deposit = 100_000n * b.unit;
    await b.fundVault(b.lp, deposit);
    const account = await b.openAccount(b.alice, 50_000n * b.unit);
    await b.trader.connect(b.alice).trade(account, BTC_MARKET, wad(2), wad(60_000));
    const shares = await b.vault.balanceOf(b.lp.address);
    await b.vault.connect(b.lp).requestRedeem(shares, b.lp.address, b.lp.address);
    await b.passTime(await b.vault.settlementDelay());
    const nav = await b.core.vaultNetAssetValue();
    const reserve = (wad(100_000) * wad("0.5")) / WAD; // 2 BTC × $50,000 × 50%
    const expected = (nav - reserve) / 10n ** 12n;
    expect(await b.core.vaultWithdrawableAssets()).to.equal(expected);
    const owed = await b.vault.previewSettleRedeem(b.lp.address);
    expect(owed).to.be.greaterThan(expected);
    await expect(b.vault.connect(b.keeper).settleRedeem(b.lp.address))
      .to.be.revertedWithCustomError(b.core, "VaultReserveBreached")
      .withArgs(owed, expected);
    // Once the skew is closed the request settles, at the lower of its two prices.
    await b.trader.connect(b.alice).closePosition(account, BTC_MARKET, 0n);
    const paid = await b.vault.connect(b.keeper).settleRedeem.staticCall(b.lp.address);
    expect(paid).to.be.at.most((await b.vault.redeemRequest(b.lp.address)).quote);
    await b.vault.connect(b.keeper).settleRedeem(b.lp.address);
    expect(await b.vault.totalSupply()).to.equal(0n);
  });

  it("routes the insurance share of trading fees to stakers and reports the coverage ratio", async () => {
    const b = await networkHelpers.loadFixture(withPools);
    const stake = 10_000n * b.unit;
    await b.token.mint(b.staker.address, stake);
    await b.token.connect(b.staker).approve(b.insurance, stake);
    await b.insurance.connect(b.staker).deposit(stake, b.staker.address);
    expect(await b.insurance.coverageRatio()).to.equal(2n ** 256n - 1n);

    await b.fundVault(b.lp, 1_000_000n * b.unit);
    const account = await b.openAccount(b.alice, 20_000n * b.unit);
    await b.trader.connect(b.alice).trade(account, BTC_MARKET, wad(1), wad(60_000));
    const [, insuranceLedger] = await b.core.ledgers();
    expect(insuranceLedger).to.be.greaterThan(wad(10_000)); // 10,000 staked + 20% of the taker fee
    const openInterestNotional = wad(50_000);
    const insuranceAssets = await b.insurance.totalAssets();
    expect(await b.insurance.coverageRatio()).to.equal((insuranceAssets * 10n ** 12n * WAD) / openInterestNotional);
  });

  it("gas: prints whole-transaction gasUsed for each operation (warm protocol)", async () => {
    const b = await networkHelpers.loadFixture(withPools);
    const lpDeposit = 1_000_000n * b.unit;
    await b.fundVault(b.lp, lpDeposit); // warms the vault
    await b.token.mint(b.lp.address, lpDeposit);
    await b.token.connect(b.lp).approve(b.vault, lpDeposit);
    // Warm the markets: another trader has touched both.
    const warm = await b.openAccount(b.bob, 100_000n * b.unit);
    await b.trader.connect(b.bob).trade(warm, BTC_MARKET, wad("0.5"), wad(60_000));
    await b.trader.connect(b.bob).trade(warm, ETH_MARKET, wad(-5), 0n);

    const account = await b.openAccount(b.alice, 0n);
    await b.token.mint(b.alice.address, 30_000n * b.unit);
    await b.token.connect(b.alice).approve(b.core, 30_000n * b.unit);
    const figures: Record<string, bigint> = {};
    figures.deposit = await gasOf(b.core.connect(b.alice).deposit(account, 20_000n * b.unit));
    figures.openPosition = await gasOf(b.trader.connect(b.alice).trade(account, BTC_MARKET, wad(1), wad(60_000)));
    figures.increase = await gasOf(b.trader.connect(b.alice).trade(account, BTC_MARKET, wad("0.5"), wad(60_000)));
    figures.reduce = await gasOf(b.trader.connect(b.alice).trade(account, BTC_MARKET, wad("-0.5"), 0n));
    figures.closePosition = await gasOf(b.trader.connect(b.alice).closePosition(account, BTC_MARKET, 0n));
    figures.withdraw = await gasOf(b.core.connect(b.alice).withdraw(account, 1_000n * b.unit, b.alice.address));
    const lp = b.lp.address;
    figures.vaultRequestDeposit = await gasOf(b.vault.connect(b.lp).requestDeposit(lpDeposit, lp, lp));
    figures.vaultRequestRedeem = await gasOf(b.vault.connect(b.lp).requestRedeem(10n ** 9n * b.unit, lp, lp));
    await b.passTime(await b.vault.settlementDelay());
    figures.vaultSettleDeposit = await gasOf(b.vault.connect(b.keeper).settleDeposit(lp));
    figures.vaultSettleRedeem = await gasOf(b.vault.connect(b.keeper).settleRedeem(lp));
    for (const [operation, gas] of Object.entries(figures)) {
      console.log(`      gas ${operation.padEnd(19)} ${gas}`);
      expect(gas).to.be.greaterThan(21_000n);
    }
  });
});
