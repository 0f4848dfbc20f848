import { HermesClient } from "@pythnetwork/hermes-client";
import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { network } from "hardhat";
import { LocalPriceService } from "../../../scripts/lib/priceService.js";
import { BTC, BTC_MARKET, deployBallast, wad } from "../helpers/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe("Local price service (Hermes endpoints over MockPyth-encoded updates)", () => {
  it("HermesClient fetches the update that settles an order: the first at or after its settleTime; later ones are refused", async () => {
    const b = await deployBallast(ethers);
    const id = await b.openAccount(b.alice, 10_000n * 10n ** 6n);
    await b.token.mint(b.alice.address, 10n ** 6n);
    await b.token.connect(b.alice).approve(b.orderBook, MaxUint256);
    await b.orderBook.connect(b.alice).commitOrder(id, BTC_MARKET, wad("0.1"), MaxUint256, 0n);
    const order = await b.orderBook.getOrder(id, BTC_MARKET);

    const service = new LocalPriceService();
    service.publish(BTC, wad(50_000), order.settleTime - 2n);
    service.publish(BTC, wad(50_100), order.settleTime + 1n); // the first at or after settleTime
    service.publish(BTC, wad(50_300), order.settleTime + 2n);
    const url = await service.listen();
    try {
      const hermes = new HermesClient(url);
      const latest = await hermes.getLatestPriceUpdates([BTC], { encoding: "hex", parsed: true });
      expect(latest.parsed?.[0]?.price.price).to.equal("5030000000000");
      expect(latest.parsed?.[0]?.price.expo).to.equal(-8);
      const atSettle = await hermes.getPriceUpdatesAtTimestamp(Number(order.settleTime), [BTC], {
        encoding: "hex",
        parsed: true,
      });
      expect(atSettle.parsed?.[0]?.price.publish_time).to.equal(Number(order.settleTime + 1n));
      expect(atSettle.parsed?.[0]?.metadata.prev_publish_time).to.equal(Number(order.settleTime - 2n));
      const base64 = await hermes.getPriceUpdatesAtTimestamp(Number(order.settleTime), [BTC], { encoding: "base64" });
      expect(`0x${Buffer.from(base64.binary.data[0]!, "base64").toString("hex")}`).to.equal(
        `0x${atSettle.binary.data[0]}`,
      );

      await time.setNextBlockTimestamp(order.settleTime + 3n);
      // The latest update is not the first after settleTime: the order book (Pyth's uniqueness check) refuses it.
      await expect(
        b.orderBook.connect(b.keeper).settle(id, BTC_MARKET, [`0x${latest.binary.data[0]}`], { value: 1n }),
      ).to.be.revertedWithCustomError(b.pyth, "PriceFeedNotFoundWithinRange");
      await expect(
        b.orderBook.connect(b.keeper).settle(id, BTC_MARKET, [`0x${atSettle.binary.data[0]}`], { value: 1n }),
      )
        .to.emit(b.orderBook, "OrderSettled")
        .withArgs(
          id,
          BTC_MARKET,
          b.keeper.address,
          wad("0.1"),
          wad(50_100),
          wad(50_100),
          order.settleTime + 1n,
          order.settleTime,
          100_000n,
        );
      // Unknown feed: 404, as Hermes answers.
      const missing = await fetch(`${url}/v2/updates/price/latest?ids[]=0x${"11".repeat(32)}`);
      expect(missing.status).to.equal(404);
    } finally {
      await service.close();
    }
  });
});
