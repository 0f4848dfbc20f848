/**
 * The keeper when gas is not what its model says (a chain with other gas costs, coverage instrumentation) or a
 * block cannot hold a batch: every liquidatable account is still liquidated. Deterministic, on the embedded network:
 * a deliberately low gas model, and a block gas limit lowered with `evm_setBlockGasLimit` so that a batch of 100 does
 * not fit in one transaction.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { type Address, custom } from "viem";
import { createKeeper } from "../../../sdk/src/keeper/create.js";
import type { ViemExecutor } from "../../../sdk/src/keeper/executor.js";
import { KeeperMetrics } from "../../../sdk/src/keeper/metrics.js";
import { type AccountSpec, deployWorld, type World } from "../helpers/keeperWorld.js";

/** 10x longs in BTC (some also in ETH) that a 15% crash makes liquidatable. */
function specs(w: World, count: number): AccountSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    owner: w.signers[1 + (i % 6)]!,
    depositUsd: 1_100n,
    trades:
      i % 3 === 0
        ? [
            { market: 0, usd: 6_000n },
            { market: 1, usd: 4_000n },
          ]
        : [{ market: 0, usd: 10_000n }],
  }));
}

describe("keeper: batches that do not fit in gas", function () {
  this.timeout(180_000);

  async function run(options: {
    throwOnTransactionFailures: boolean;
    blockGasLimit?: bigint;
    model?: () => bigint;
    accounts: number;
  }) {
    const connection: NetworkConnection = await network.create({
      override: { throwOnTransactionFailures: options.throwOnTransactionFailures },
    });
    try {
      const w = await deployWorld(connection);
      const ids = await w.openAccounts(specs(w, options.accounts));
      const provider = connection.provider;
      if (options.blockGasLimit !== undefined) {
        await provider.request({ method: "evm_setBlockGasLimit", params: [`0x${options.blockGasLimit.toString(16)}`] });
      }
      const metrics = new KeeperMetrics();
      const { keeper, executor } = await createKeeper({
        transport: custom(provider),
        deployment: w.deployment,
        account: w.signers[9]!.address as Address,
        reorgDepth: 0,
        pollIntervalMs: 50,
        batchSize: 100,
        maxConcurrency: 1,
        metrics,
        gas: options.model ? { model: options.model } : undefined,
      });
      await keeper.tick();
      const from = BigInt(await provider.request({ method: "eth_blockNumber" }));
      await w.setPrices({ 0: (w.prices[0]! * 85n) / 100n, 1: (w.prices[1]! * 85n) / 100n });
      const liquidatable = await w.liquidatable(ids);
      expect(liquidatable.size).to.equal(options.accounts);
      for (let round = 0; round < 60 && keeper.liquidated.size < liquidatable.size; round++) {
        await keeper.tick();
        await keeper.idle();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await keeper.stop();
      expect(await w.liquidatable(ids), "nothing left liquidatable").to.have.property("size", 0);
      expect(new Set(keeper.liquidated)).to.deep.equal(liquidatable);

      // Every transaction the keeper sent, with its gas limit and status.
      const latest = BigInt(await provider.request({ method: "eth_blockNumber" }));
      const txs: { gas: bigint; ok: boolean }[] = [];
      for (let n = from; n <= latest; n++) {
        const block = (await provider.request({
          method: "eth_getBlockByNumber",
          params: [`0x${n.toString(16)}`, true],
        })) as { transactions: { hash: string; from: string; gas: string }[] };
        for (const tx of block.transactions) {
          if (tx.from.toLowerCase() !== executor.address.toLowerCase()) continue;
          const receipt = (await provider.request({ method: "eth_getTransactionReceipt", params: [tx.hash] })) as {
            status: string;
          };
          txs.push({ gas: BigInt(tx.gas), ok: receipt.status === "0x1" });
        }
      }
      return { keeper, executor: executor as ViemExecutor, metrics, txs };
    } finally {
      await connection.close();
    }
  }

  for (const throwOnTransactionFailures of [true, false]) {
    it(`falls back to estimates when the gas model is too low (send errors: ${throwOnTransactionFailures})`, async () => {
      const { executor, metrics, txs } = await run({ throwOnTransactionFailures, model: () => 60_000n, accounts: 12 });
      expect(executor.gasModelTrusted).to.equal(false);
      expect(await KeeperMetrics.value(metrics.gasModelFallbacks)).to.equal(1);
      // The model is checked against an estimate before it is first relied on: no transaction runs out of gas.
      expect(txs.filter((tx) => !tx.ok)).to.have.length(0);
    });
  }

  it("caps a batch's modelled gas below the block gas limit", async () => {
    const limit = 2_000_000n;
    const { keeper, metrics, txs } = await run({
      throwOnTransactionFailures: true,
      blockGasLimit: limit,
      accounts: 30,
    });
    expect(txs.length).to.be.greaterThan(1);
    expect(txs.every((tx) => tx.ok && tx.gas <= limit)).to.equal(true);
    expect(keeper.batchSizeLimit).to.equal(100);
    expect(await KeeperMetrics.value(metrics.batchSplits)).to.equal(0);
  });

  it("splits a batch that cannot fit in a block, down to what fits, when the model is too low as well", async () => {
    const limit = 600_000n;
    const { keeper, executor, metrics, txs } = await run({
      throwOnTransactionFailures: false,
      blockGasLimit: limit,
      model: () => 60_000n,
      accounts: 30,
    });
    expect(executor.gasModelTrusted).to.equal(false);
    expect(await KeeperMetrics.value(metrics.batchSplits)).to.be.greaterThan(0);
    expect(await KeeperMetrics.value(metrics.gasFailures)).to.be.greaterThan(0);
    expect(keeper.batchSizeLimit).to.be.lessThan(30);
    expect(txs.every((tx) => tx.ok && tx.gas <= limit)).to.equal(true);
  });
});
