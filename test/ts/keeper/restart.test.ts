/**
 * A node restarted and redeployed at the same addresses: a keeper whose stored index ends within the re-read window
 * of the new head must notice that its stored block is not on this chain (its hash differs) and re-index, even on an
 * idle chain where no new block is ever committed. Two embedded networks stand in for "before" and "after" the
 * restart (same deployer, same nonces, so the same addresses and deployment block); the store is shared.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { createPublicClient, custom, type PublicClient } from "viem";
import { EventIndexer } from "../../../sdk/src/keeper/indexer.js";
import { MemoryStore } from "../../../sdk/src/keeper/store.js";
import type { ChainHead } from "../../../sdk/src/keeper/types.js";
import { deployWorld } from "../helpers/keeperWorld.js";

async function headOf(client: PublicClient): Promise<ChainHead> {
  const block = await client.getBlock({ blockTag: "latest" });
  return { number: block.number, hash: block.hash, timestamp: block.timestamp };
}

describe("keeper: a restarted node with the same addresses", function () {
  this.timeout(120_000);

  it("re-indexes when the stored block hash is not the chain's, though the head is within the re-read window", async () => {
    const store = new MemoryStore();
    const reorgDepth = 12;
    const errors: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (_: object, message?: string) => errors.push(message ?? ""),
    };

    // Before the restart: one account, then 40 idle blocks, indexed and committed up to head − 12.
    const before = await network.create();
    const a = await deployWorld(before);
    await a.openAccounts([{ owner: a.signers[1]!, depositUsd: 1_000n, trades: [{ market: 0, usd: 2_000n }] }]);
    await before.provider.request({ method: "hardhat_mine", params: ["0x28"] });
    const clientA = createPublicClient({ transport: custom(before.provider) }) as PublicClient;
    const headA = await headOf(clientA);
    const first = new EventIndexer({ client: clientA, deployment: a.deployment, store, reorgDepth, logger });
    expect((await first.sync(headA)).accountCount).to.equal(1);
    const committed = first.committedBlock;
    expect(committed).to.equal(headA.number - BigInt(reorgDepth));
    await before.close();

    // After: the same deployment at the same addresses, three other accounts, and a head no higher than before, so
    // nothing new is ever committed (head − 12 ≤ the stored block): only the hash check can reveal the new chain.
    const after = await network.create();
    const b = await deployWorld(after);
    expect(b.deployment.core).to.equal(a.deployment.core);
    expect(b.deployment.deploymentBlock).to.equal(a.deployment.deploymentBlock);
    const owners = b.signers.slice(2, 5);
    const ids = await b.openAccounts(
      owners.map((owner) => ({ owner, depositUsd: 1_000n, trades: [{ market: 1, usd: 3_000n }] })),
    );
    const clientB = createPublicClient({ transport: custom(after.provider) }) as PublicClient;
    const latest = (await headOf(clientB)).number;
    expect(latest, "the accounts are opened below the stored block").to.be.lessThan(committed);
    await after.provider.request({ method: "hardhat_mine", params: [`0x${(headA.number - latest).toString(16)}`] });
    const headB = await headOf(clientB);
    expect(headB.number).to.equal(headA.number);

    const second = new EventIndexer({ client: clientB, deployment: b.deployment, store, reorgDepth, logger });
    const view = await second.sync(headB);
    expect(errors.join(), "the stale index is reported").to.match(/stored block is not on the chain/);
    expect(view.accountCount).to.equal(3);
    expect([...view.accounts()].map((acc) => acc.accountId).sort()).to.deep.equal([...ids].sort());
    // And an idle poll (the same head again) keeps the fresh index.
    expect((await second.sync(headB)).accountCount).to.equal(3);
    await after.close();
  });
});
