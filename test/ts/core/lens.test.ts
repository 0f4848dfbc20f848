import { expect } from "chai";
import { network } from "hardhat";
import { BTC_MARKET, deployBallast, ETH_MARKET, wad } from "../helpers/fixture.js";

const { ethers, networkHelpers } = await network.create();

async function withLens() {
  const b = await deployBallast(ethers);
  await b.seedVault(1_000_000n * b.unit);
  const lens = await ethers.deployContract("BallastLens");
  const cross = await b.openAccount(b.alice, 20_000n * b.unit);
  await b.trader.connect(b.alice).trade(cross, BTC_MARKET, wad("0.5"), wad(60_000));
  await b.trader.connect(b.alice).trade(cross, ETH_MARKET, wad(-3), 0n);
  const isolated = await b.openAccount(b.bob, 1_000n * b.unit, ETH_MARKET);
  await b.trader.connect(b.bob).trade(isolated, ETH_MARKET, wad(2), wad(3_000));
  const empty = await b.openAccount(b.carol, 5n * b.unit);
  return { ...b, lens, ids: [cross, isolated, empty] };
}

describe("BallastLens", () => {
  it("returns the core's own accountHealth for each account, in order", async () => {
    const b = await networkHelpers.loadFixture(withLens);
    await b.setPrice("ETH", 1_550);
    const healths = await b.lens.accountHealths(b.core, b.ids);
    expect(healths).to.have.length(3);
    for (const [i, id] of b.ids.entries()) {
      expect(healths[i]).to.deep.equal(await b.core.accountHealth(id));
    }
    expect(healths[1]?.liquidatable).to.equal(true); // 2 ETH long from $2,000 with $1,000 at $1,550: equity 100 ≤ MM 155
    expect(healths[2]?.maintenanceMargin).to.equal(0n);
  });

  it("returns the core's previewLiquidation for each account", async () => {
    const b = await networkHelpers.loadFixture(withLens);
    await b.setPrice("ETH", 1_550);
    const previews = await b.lens.previewLiquidations(b.core, b.ids);
    for (const [i, id] of b.ids.entries()) {
      expect(previews[i]).to.deep.equal(await b.core.previewLiquidation(id));
    }
    expect(previews.map((p) => p.liquidatable)).to.deep.equal([false, true, false]);
  });

  it("lists every open position of an account with its market id", async () => {
    const b = await networkHelpers.loadFixture(withLens);
    const [cross, isolated, empty] = b.ids as [bigint, bigint, bigint];
    const views = await b.lens.positions(b.core, cross);
    expect(views.map((v) => v.marketId)).to.deep.equal([BTC_MARKET, ETH_MARKET]);
    expect(views[0]?.position.size).to.equal(wad("0.5"));
    expect(views[1]?.position.size).to.equal(wad(-3));
    expect((await b.lens.positions(b.core, isolated)).map((v) => v.position.size)).to.deep.equal([wad(2)]);
    expect(await b.lens.positions(b.core, empty)).to.have.length(0);
  });
});
