/**
 * Runs the functions of sdk/examples/frontend.ts against the embedded network: load a deployment JSON, connect,
 * describe an account, preview an order, sign and send the built transaction.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { type Address, custom, type EIP1193Provider } from "viem";
import { connect, describeAccount, parseDeployment, previewOrder } from "../../../sdk/examples/frontend.js";
import { deployBallast, wad, BTC_MARKET } from "../helpers/fixture.js";
import { sdkDeployment, sdkWalletClient } from "../helpers/sdkDeployment.js";

const { ethers, provider } = await network.create();

describe("SDK frontend example (sdk/examples/frontend.ts)", () => {
  it("reads an account, previews an order, and the built transaction trades when a wallet sends it", async () => {
    const b = await deployBallast(ethers, { btcParams: { skewScale: wad(10_000), takerFeeRate: wad("0.0005") } });
    await b.seedVault(1_000_000n * b.unit);
    const path = join(mkdtempSync(join(tmpdir(), "ballast-example-")), "localhost.json");
    writeFileSync(path, JSON.stringify(await sdkDeployment(ethers, b), null, 2));
    const deployment = parseDeployment(readFileSync(path, "utf8"));
    const ballast = connect(deployment, custom(provider as unknown as EIP1193Provider));

    const id = await b.openAccount(b.alice, 5_000n * b.unit);
    await b.trader.connect(b.alice).trade(id, BTC_MARKET, wad("0.2"), wad(1_000_000));
    const lines = await describeAccount(ballast, id);
    expect(lines[0]).to.match(/^Account 1 \(cross\) at block \d+$/);
    expect(lines[1]).to.match(/^ {2}equity \$4,9\d\d\.\d\d {2}IM \$1,000\.00 {2}MM \$500\.00$/);
    expect(lines[3]).to.match(
      /^ {2}BTC 0\.2 @ \$50,00\d\.\d\d mark \$50,000\.00 PnL -\$\d+\.\d\d liq\. \$2\d,\d{3}\.\d\d$/,
    );

    const refused = await previewOrder(ballast, {
      sender: b.alice.address as Address,
      accountId: id,
      marketId: 0,
      sizeDelta: wad(5),
    });
    expect(refused.transaction).to.equal(undefined);
    expect(refused.lines[0]).to.match(/^Buying 5 BTC would leave equity .* below the initial margin \$26,000\.00/);

    await b.token.mint(b.alice.address, 10n ** 6n);
    await b.token.connect(b.alice).approve(b.orderBook, 10n ** 6n);
    const order = await previewOrder(ballast, {
      sender: b.alice.address as Address,
      accountId: id,
      marketId: 0,
      sizeDelta: wad("0.1"),
      slippageBps: 25,
    });
    expect(order.lines[0]).to.match(/^fill \$50,00\d\.\d\d \(worst accepted \$50,1\d\d\.\d\d\), fee \$2\.50$/);
    const hash = await sdkWalletClient(provider, b.alice.address as Address).sendTransaction({
      ...order.transaction!,
      chain: null,
    });
    expect(hash).to.match(/^0x[0-9a-f]{64}$/);
    // The transaction committed an order (the escrow came from the wallet); a keeper settles it after the delay.
    await b.trader.settle(id, BTC_MARKET);
    expect((await b.core.getPosition(id, BTC_MARKET)).size).to.equal(wad("0.3"));
  });
});
