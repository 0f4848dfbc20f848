import { BallastInputError } from "../errors.js";

/** Basis points in one: 10,000 bps = 100%. */
export const BPS = 10_000n;

export type AcceptablePriceParameters = {
  /** The expected fill (or mark) price, WAD USD per base unit. */
  price: bigint;
  /** The trade: > 0 buys, < 0 sells. */
  sizeDelta: bigint;
  /** Tolerated slippage in basis points (50 = 0.5%). */
  slippageBps: bigint | number;
};

/**
 * The worst fill to accept for a trade: for a buy, price × (1 + slippage) rounded up; for a sell,
 * price × (1 − slippage) rounded down (the contract's `acceptablePrice`: a maximum for buys, a minimum for sells).
 */
export function acceptablePrice({ price, sizeDelta, slippageBps }: AcceptablePriceParameters): bigint {
  const bps = BigInt(slippageBps);
  if (bps < 0n || bps >= BPS) {
    throw new BallastInputError({
      shortMessage: `Slippage must be in [0, 10000) basis points; got ${bps}.`,
      details: `slippageBps=${bps}`,
    });
  }
  if (sizeDelta === 0n) {
    throw new BallastInputError({ shortMessage: "A trade needs a non-zero size.", details: "sizeDelta=0" });
  }
  if (sizeDelta > 0n) {
    const product = price * (BPS + bps);
    return product / BPS + (product % BPS === 0n ? 0n : 1n);
  }
  return (price * (BPS - bps)) / BPS;
}
