/**
 * `eth_getLogs` over a block range in chunks, halving the chunk when the node refuses a range (too many results,
 * range too large) and growing it back after successes — the one chunker shared by `getOwnerAccounts`,
 * `watchLiquidations` and the keeper's event indexer (public as `getLogsChunked` and `LogChunker`).
 */
import { DEFAULT_BLOCK_RANGE } from "../../constants.js";

export { DEFAULT_BLOCK_RANGE };

/** An RPC error that means "ask for fewer blocks". */
export function isRangeError(error: unknown): boolean {
  const text = `${(error as { details?: string }).details ?? ""} ${(error as Error).message ?? ""}`.toLowerCase();
  return /range|too many|limit|exceed|response size|more than|timeout|timed out/.test(text);
}

/**
 * A chunker that remembers the range a node accepts: each {@link LogChunker.next} call fetches one chunk starting at
 * `from`, halving the range while the node refuses it and doubling it back (up to `maxRange`) after each success.
 * Callers that commit per chunk (the keeper's backfill) drive it chunk by chunk; {@link getLogsChunked} drains it.
 */
export class LogChunker {
  private range: bigint;
  readonly maxRange: bigint;

  constructor(
    maxRange: bigint = DEFAULT_BLOCK_RANGE,
    /** Told each time a range is refused (for logs). */
    private readonly onRefused?: (info: { from: bigint; range: bigint; error: unknown }) => void,
  ) {
    this.maxRange = maxRange > 0n ? maxRange : 1n;
    this.range = this.maxRange;
  }

  /** The range the next chunk will ask for. */
  get currentRange(): bigint {
    return this.range;
  }

  /** Fetches `[from, min(from + range − 1, toBlock)]`; returns the last block fetched and the results. */
  async next<T>(
    from: bigint,
    toBlock: bigint,
    fetch: (from: bigint, to: bigint) => Promise<T>,
  ): Promise<{ to: bigint; result: T }> {
    for (;;) {
      const end = from + this.range - 1n < toBlock ? from + this.range - 1n : toBlock;
      try {
        const result = await fetch(from, end);
        if (this.range < this.maxRange) this.range = this.range * 2n < this.maxRange ? this.range * 2n : this.maxRange;
        return { to: end, result };
      } catch (error) {
        if (this.range > 1n && isRangeError(error)) {
          this.range /= 2n;
          this.onRefused?.({ from, range: this.range, error });
          continue;
        }
        throw error;
      }
    }
  }
}

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
  const chunker = new LogChunker(blockRange);
  const results: T[] = [];
  let from = fromBlock;
  while (from <= toBlock) {
    const { to, result } = await chunker.next(from, toBlock, fetch);
    results.push(...result);
    from = to + 1n;
  }
  return results;
}
