import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { network } from "hardhat";
import { Registry } from "prom-client";
import type { Address, PublicClient, WalletClient } from "viem";
import { OrderSettler } from "../../../scripts/lib/orderSettler.js";
import { LocalPriceService } from "../../../scripts/lib/priceService.js";
import { BTC, BTC_MARKET, deployBallast, ETH, ETH_MARKET, wad } from "../helpers/fixture.js";
import { sdkDeployment, sdkPublicClient, sdkWalletClient } from "../helpers/sdkDeployment.js";

const { ethers, provider } = await network.create();

describe("Order settler (scripts/lib/orderSettler.ts) with the local Hermes service", () => {
  it("indexes commits, fetches each order's first price after its delay through HermesClient, settles in batches and counts", async () => {
    const b = await deployBallast(ethers);
    await b.seedVault(1_000_000n * 10n ** 6n);
    const deployment = await sdkDeployment(ethers, b);
    const ids: bigint[] = [];
    for (const owner of [b.alice, b.bob, b.carol]) {
      const id = await b.openAccount(owner, 10_000n * 10n ** 6n);
      await b.token.mint(owner.address, 10n ** 6n);
      await b.token.connect(owner).approve(b.orderBook, MaxUint256);
      ids.push(id);
    }
    // Alice and Bob in BTC (two commits, two settle times: two prices, never in one transaction), Carol in ETH.
    await b.orderBook.connect(b.alice).commitOrder(ids[0]!, BTC_MARKET, wad("0.1"), MaxUint256, 0n);
    await b.orderBook.connect(b.bob).commitOrder(ids[1]!, BTC_MARKET, -wad("0.1"), 0n, 0n);
    await b.orderBook.connect(b.carol).commitOrder(ids[2]!, ETH_MARKET, wad(-1), wad(2_100), 0n); // a sell with a $2,100 minimum: cancelled at $2,000
    const times = await Promise.all(
      [
        [ids[0]!, BTC_MARKET],
        [ids[1]!, BTC_MARKET],
        [ids[2]!, ETH_MARKET],
      ].map(async ([id, m]) => (await b.orderBook.getOrder(id!, m!)).settleTime),
    );
    const service = new LocalPriceService();
    service.publish(BTC, wad(50_000), times[0]!);
    service.publish(BTC, wad(50_200), times[1]!);
    service.publish(ETH, wad(2_000), times[2]!);
    const url = await service.listen();
    await provider.request({ method: "evm_mine", params: [] });
    await provider.request({ method: "evm_mine", params: [] });
    const registry = new Registry();
    try {
      const settler = new OrderSettler({
        deployment,
        publicClient: sdkPublicClient(provider) as unknown as PublicClient,
        walletClient: sdkWalletClient(provider, b.keeper.address as Address) as unknown as WalletClient,
        hermesUrl: url,
        registry,
      });
      expect(await settler.tick()).to.equal(3);
      expect((await b.core.getPosition(ids[0]!, BTC_MARKET)).openNotional).to.equal(wad(5_000));
      expect((await b.core.getPosition(ids[1]!, BTC_MARKET)).openNotional).to.equal(-wad(5_020));
      expect((await b.core.getPosition(ids[2]!, ETH_MARKET)).size).to.equal(0n);
      const metrics = await registry.getMetricsAsJSON();
      const value = (name: string) => metrics.find((m) => m.name === name)?.values;
      expect(value("ballast_orders_pending")?.[0]?.value).to.equal(0);
      expect(value("ballast_orders_settled_total")?.[0]?.value).to.equal(2);
      expect(value("ballast_order_settlements_failed_total")?.map((v) => v.labels.reason)).to.deep.equal([
        b.core.interface.getError("SlippageExceeded")!.selector,
      ]);
      console.log(
        `      [settler] 3 orders settled (2 filled, 1 cancelled by slippage); latency histogram ${JSON.stringify(value("ballast_order_settle_latency_blocks")?.filter((v) => v.labels.le === 5))}`,
      );
    } finally {
      await service.close();
    }
  });
});
