/**
 * `eth_getLogs` over a block range in chunks, halving the chunk when the node refuses a range (too many results,
 * range too large) — shared by `getOwnerAccounts`, `watchLiquidations` and the keeper's event indexer.
 * @internal
 */

/** An RPC error that means "ask for fewer blocks". */
export function isRangeError(error: unknown): boolean {
  const text = `${(error as { details?: string }).details ?? ""} ${(error as Error).message ?? ""}`.toLowerCase();
  return /range|too many|limit|exceed|response size|more than|timeout|timed out/.test(text);
}

/** Default largest `eth_getLogs` range, in blocks. */
export const DEFAULT_BLOCK_RANGE = 5_000n;

/**
 * Calls `fetch(from, to)` over `[fromBlock, toBlock]` in consecutive ranges of at most `blockRange` blocks, oldest
 * first, halving the range when the node refuses it; returns every result in order.
 */
export async function getLogsChunked<T>(
  fromBlock: bigint,
  toBlock: bigint,
  fetch: (from: bigint, to: bigint) => Promise<readonly T[]>,
  blockRange: bigint = DEFAULT_BLOCK_RANGE,
): Promise<T[]> {
  const results: T[] = [];
  let range = blockRange > 0n ? blockRange : 1n;
  let from = fromBlock;
  while (from <= toBlock) {
    const end = from + range - 1n < toBlock ? from + range - 1n : toBlock;
    try {
      results.push(...(await fetch(from, end)));
      from = end + 1n;
    } catch (error) {
      if (range > 1n && isRangeError(error)) {
        range /= 2n;
        continue;
      }
      throw error;
    }
  }
  return results;
}
