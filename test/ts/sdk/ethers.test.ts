/**
 * `@ballast/sdk/ethers`: the copied TypeChain types are those `hardhat compile` generates, and the typed contracts
 * the SDK builds from its own ABIs work with ethers v6 signers.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { network } from "hardhat";
import { renderEthersTypes } from "../../../scripts/copy-ethers-types.js";
import { connectBallast } from "../../../sdk/src/ethers/index.js";
import type { BallastCoreTypes } from "../../../sdk/src/ethers/index.js";
import { deployBallast, wad, BTC_MARKET } from "../helpers/fixture.js";
import { sdkDeployment, structObject } from "../helpers/sdkDeployment.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const { ethers } = await network.create();

describe("SDK typed contracts for ethers (@ballast/sdk/ethers)", () => {
  it("sdk/src/ethers/generated is up to date with TypeChain's output (run scripts/copy-ethers-types.ts)", () => {
    const files = renderEthersTypes();
    expect([...files.keys()].sort()).to.deep.equal([
      "BallastCore.ts",
      "InsurancePool.ts",
      "LiquidityVault.ts",
      "OracleAdapter.ts",
      "OrderBook.ts",
      "common.ts",
    ]);
    for (const [file, content] of files) {
      expect(readFileSync(join(root, "sdk/src/ethers/generated", file), "utf8"), file).to.equal(content);
    }
  });

  it("connectBallast gives typed contracts: views, a trade and a typed event query", async () => {
    const b = await deployBallast(ethers, { pools: "contracts" });
    const deployment = await sdkDeployment(ethers, b);
    const id = await b.openAccount(b.alice, 10_000n * b.unit);
    const { core, vault, insurancePool, oracle, orderBook } = connectBallast(deployment, b.alice);
    // A trade is an order: commit through the typed order book, then a keeper (here the test) settles it.
    await (await b.token.mint(b.alice.address, 10n ** 5n)).wait();
    await (await b.token.connect(b.alice).approve(deployment.orderBook!, 10n ** 5n)).wait();
    await (await orderBook!.commitOrder(id, BTC_MARKET, wad("0.1"), wad(60_000), 0n)).wait();
    await b.trader.settle(id, BTC_MARKET);
    const health: BallastCoreTypes.AccountHealthStructOutput = await core.accountHealth(id);
    expect(structObject(health)).to.deep.equal(structObject(await b.core.accountHealth(id)));
    expect(health.initialMargin).to.equal(wad(500));
    const events = await core.queryFilter(core.filters.PositionTraded(id));
    expect(events).to.have.length(1);
    expect(events[0]!.args.newSize).to.equal(wad("0.1"));
    expect(await oracle.getPrice(deployment.markets[0]!.feedId)).to.equal(wad(50_000));
    expect(await vault.asset()).to.equal(deployment.collateral);
    expect(await insurancePool.cooldown()).to.equal(7n * 24n * 3600n);
  });
});
