/**
 * The keeper's {@link PriceUpdateSource} over a Hermes service (Pyth's, or the local one of scripts/lib/priceService.ts)
 * through `@pythnetwork/hermes-client`: `getPriceUpdatesAtTimestamp(settleTime, [feed])` gives the update first
 * published at or after an order's settleTime. A 404 means "not published yet" (the keeper asks again later); any
 * other failure (service down, timeout, 5xx) throws, and the keeper backs off.
 */
import { HermesClient } from "@pythnetwork/hermes-client";
import type { Hex } from "viem";
import type { PriceUpdate, PriceUpdateSource } from "../../sdk/src/keeper/orders.js";

export function hermesUpdateSource(
  url: string,
  options: { timeoutMs?: number; retries?: number } = {},
): PriceUpdateSource {
  const client = new HermesClient(url, { timeout: options.timeoutMs ?? 5_000, httpRetries: options.retries ?? 1 });
  return {
    async updateAt(feedId: Hex, time: bigint): Promise<PriceUpdate | undefined> {
      let response: Awaited<ReturnType<HermesClient["getPriceUpdatesAtTimestamp"]>>;
      try {
        response = await client.getPriceUpdatesAtTimestamp(Number(time), [feedId], { encoding: "hex", parsed: true });
      } catch (error) {
        if (error instanceof Error && /status: 404/.test(error.message)) return undefined;
        throw error;
      }
      const parsed = response.parsed?.[0]?.price;
      const priceWad =
        parsed === undefined
          ? undefined
          : parsed.expo >= -18
            ? BigInt(parsed.price) * 10n ** BigInt(18 + parsed.expo)
            : BigInt(parsed.price) / 10n ** BigInt(-18 - parsed.expo);
      return {
        data: response.binary.data.map((data) => `0x${data}` as Hex),
        publishTime: parsed === undefined ? undefined : BigInt(parsed.publish_time),
        priceWad,
      };
    },
  };
}
