/**
 * The default {@link PriceSource}: the core's own oracle adapter, read at the block being evaluated with
 * `tryGetPrice` (the same guards as the core: positive, fresh, within bounds, sequencer up), all markets in one
 * Multicall3 `eth_call`. A market whose price fails the guards is left out: nobody can liquidate in it now.
 *
 * @module
 */
import type { Address, PublicClient } from "viem";
import { ballastCoreAbi, oracleAdapterAbi } from "../index.js";
import type { ProfitLedger } from "../math/profitHaircut.js";
import type { ChainHead, MarketRecord, PriceMap, PriceSource } from "./types.js";

export class OraclePriceSource implements PriceSource {
  constructor(
    private readonly client: PublicClient,
    /** Multicall3; without it, one `eth_call` per market. */
    private readonly multicall3?: Address,
    /** The core: when given, the haircut's ledger is read at the same block (`PriceMap.profitLedger`). */
    private readonly core?: Address,
  ) {}

  async getPrices(head: ChainHead, markets: readonly MarketRecord[], oracle: Address): Promise<PriceMap> {
    const [prices, profitLedger] = await Promise.all([
      this.readPrices(head, markets, oracle),
      this.core === undefined ? undefined : this.readProfitLedger(head, this.core),
    ]);
    return profitLedger === undefined ? prices : Object.assign(prices, { profitLedger });
  }

  /** `ledgers()` and `profitHaircut()` of the core at the head. */
  private async readProfitLedger(head: ChainHead, core: Address): Promise<ProfitLedger> {
    const [[vaultLedger], [totalProfit, tradersPnl]] = await Promise.all([
      this.client.readContract({
        address: core,
        abi: ballastCoreAbi,
        functionName: "ledgers",
        blockNumber: head.number,
      }),
      this.client.readContract({
        address: core,
        abi: ballastCoreAbi,
        functionName: "profitHaircut",
        blockNumber: head.number,
      }),
    ]);
    return { totalProfit, vaultLedger, tradersPnl };
  }

  private async readPrices(head: ChainHead, markets: readonly MarketRecord[], oracle: Address) {
    const prices = new Map<number, bigint>();
    if (markets.length === 0) return prices;
    const calls = markets.map(
      (market) =>
        ({
          address: oracle,
          abi: oracleAdapterAbi,
          functionName: "tryGetPrice",
          args: [market.params.feedId],
        }) as const,
    );
    let results: { ok: boolean; price: bigint }[];
    if (this.multicall3) {
      const answers = await this.client.multicall({
        contracts: calls,
        multicallAddress: this.multicall3,
        blockNumber: head.number,
        allowFailure: true,
      });
      results = answers.map((answer) =>
        answer.status === "success" ? { ok: answer.result[0], price: answer.result[1] } : { ok: false, price: 0n },
      );
    } else {
      results = await Promise.all(
        calls.map(async (call) => {
          const [ok, price] = await this.client.readContract({ ...call, blockNumber: head.number });
          return { ok, price };
        }),
      );
    }
    markets.forEach((market, i) => {
      const result = results[i];
      if (result?.ok && result.price > 0n) prices.set(market.marketId, result.price);
    });
    return prices;
  }
}
