import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { network } from "hardhat";
import { type Address, custom, type EIP1193Provider } from "viem";
import { hermesUpdateSource } from "../../../scripts/lib/hermes.js";
import { LocalPriceService } from "../../../scripts/lib/priceService.js";
import { createKeeper } from "../../../sdk/src/keeper/create.js";
import { KeeperMetrics } from "../../../sdk/src/keeper/metrics.js";
import type { ChainHead } from "../../../sdk/src/keeper/types.js";
import { BTC, BTC_MARKET, deployBallast, ETH, ETH_MARKET, wad } from "../helpers/fixture.js";
import { sdkDeployment } from "../helpers/sdkDeployment.js";

const { ethers, provider } = await network.create();

describe("Order settlement in the keeper (sdk/src/keeper/orders.ts) with the local Hermes service", () => {
  it("indexes commits, fetches each order's first price after its delay through HermesClient, settles in batches through the keeper's executor, splits a batch that would revert, and counts", async () => {
    const b = await deployBallast(ethers);
    await b.seedVault(1_000_000n * 10n ** 6n);
    const deployment = await sdkDeployment(ethers, b);
    const ids: bigint[] = [];
    for (const owner of [b.alice, b.bob, b.carol, b.lp]) {
      const id = await b.openAccount(owner, 10_000n * 10n ** 6n);
      await b.token.mint(owner.address, 10n ** 6n);
      await b.token.connect(owner).approve(b.orderBook, MaxUint256);
      ids.push(id);
    }
    // Alice and Bob in BTC at two prices (never in one transaction); Dave (lp) in BTC at Alice's price (one batch with
    // her); Carol sells ETH with a $2,100 minimum: cancelled at $2,000.
    await b.orderBook.connect(b.alice).commitOrder(ids[0]!, BTC_MARKET, wad("0.1"), MaxUint256, 0n);
    await b.orderBook.connect(b.bob).commitOrder(ids[1]!, BTC_MARKET, -wad("0.1"), 0n, 0n);
    await b.orderBook.connect(b.carol).commitOrder(ids[2]!, ETH_MARKET, wad(-1), wad(2_100), 0n);
    await b.orderBook.connect(b.lp).commitOrder(ids[3]!, BTC_MARKET, wad("0.1"), MaxUint256, 0n);
    const time = async (id: bigint, market: bigint) => (await b.orderBook.getOrder(id, market)).settleTime;
    const service = new LocalPriceService();
    service.publish(BTC, wad(50_000), await time(ids[0]!, BTC_MARKET));
    service.publish(BTC, wad(50_200), await time(ids[1]!, BTC_MARKET));
    service.publish(ETH, wad(2_000), await time(ids[2]!, ETH_MARKET));
    service.publish(BTC, wad(50_000), await time(ids[3]!, BTC_MARKET));
    const url = await service.listen();
    await provider.request({ method: "evm_mine", params: [] });
    await provider.request({ method: "evm_mine", params: [] });
    const metrics = new KeeperMetrics("ballast_keeper_", { defaultMetrics: false });
    try {
      const { orders, executor } = await createKeeper({
        transport: custom(provider as unknown as EIP1193Provider),
        deployment,
        account: b.keeper.address as Address,
        metrics,
        orders: { updates: hermesUpdateSource(url) },
      });
      const block = await ethers.provider.getBlock("latest");
      const head: ChainHead = {
        number: BigInt(block!.number),
        hash: block!.hash as `0x${string}`,
        timestamp: BigInt(block!.timestamp),
      };
      await orders!.refresh(head);
      expect(orders!.pendingCount).to.equal(4);
      const first = orders!.next(head)!;
      expect(first.orders.map((o) => o.accountId)).to.deep.equal([ids[0], ids[2], ids[3]]);
      // Dave's order is settled by someone else before the keeper's batch: the batch would revert (NoPendingOrder),
      // so it is split and the rest settles.
      await b.trader.settle(ids[3]!, BTC_MARKET, { priceWad: wad(50_000) });
      await orders!.run(first);
      await orders!.run(orders!.next(head)!);
      expect(orders!.next(head)).to.equal(undefined);

      expect((await b.core.getPosition(ids[0]!, BTC_MARKET)).openNotional).to.equal(wad(5_000));
      expect((await b.core.getPosition(ids[1]!, BTC_MARKET)).openNotional).to.equal(-wad(5_020));
      expect((await b.core.getPosition(ids[2]!, ETH_MARKET)).size).to.equal(0n);
      const settled = await b.orderBook.queryFilter(b.orderBook.filters.OrderSettled());
      expect(
        settled.filter((e) => e.args.keeper === executor.address).map((e) => e.args.accountId),
        "the keeper's executor settled Alice and Bob",
      ).to.deep.equal([ids[0], ids[1]]);
      expect(orders!.pendingCount).to.equal(0);
      const json = await metrics.registry.getMetricsAsJSON();
      const value = (name: string) => json.find((m) => m.name === name)?.values;
      expect(value("ballast_orders_pending")?.[0]?.value).to.equal(0);
      expect(value("ballast_orders_settled_total")?.[0]?.value).to.equal(2);
      expect(value("ballast_order_batch_splits_total")?.[0]?.value).to.be.greaterThan(0);
      expect(value("ballast_order_settlements_failed_total")?.map((v) => [v.labels.reason, v.value])).to.deep.equal([
        ["SlippageExceeded", 1],
      ]);
      expect(value("ballast_order_settle_transactions_total")?.every((v) => v.labels.status === "confirmed")).to.equal(
        true,
      );
      console.log(
        `      [settler] 3 orders settled by the keeper (2 filled, 1 cancelled by slippage), 1 settled by someone else; latencies ${JSON.stringify(orders!.latencies)} blocks`,
      );
    } finally {
      await service.close();
    }
  });
});
