import type { Address, Hex } from "viem";

/** One listed market, as deployed. */
export interface DeployedMarket {
  marketId: number;
  symbol: string;
  /** The oracle adapter's feed id (keccak256 of "SYMBOL/USD"). */
  feedId: Hex;
  /** The Chainlink-style aggregator behind the feed (a MockAggregator on local networks). */
  feed: Address;
  /** The Pyth price feed id orders of this market settle with (absent on deployments without an order book). */
  pythFeedId?: Hex;
}

/**
 * Where a Ballast deployment lives: written by `npm run deploy:local` (and the demo) to
 * `deployments/<network>.json`, read by the SDK client, the keeper and frontends.
 */
export interface BallastDeployment {
  chainId: number;
  /** The block the core was deployed in: event scans start here. */
  deploymentBlock: number;
  core: Address;
  collateral: Address;
  collateralDecimals: number;
  /** The collateral token's symbol, for messages (e.g. "USDC"); the SDK assumes "USDC" when absent. */
  collateralSymbol?: string;
  oracle: Address;
  vault: Address;
  insurancePool: Address;
  /** Multicall3 for batched reads (the canonical one on public chains, a local copy on Hardhat). */
  multicall3: Address;
  /** The asynchronous order book (commit → settle at a pull-oracle price); absent on older deployments. */
  orderBook?: Address;
  /** The Pyth contract the order book verifies prices with (MockPythUnique on local networks). */
  pyth?: Address;
  markets: DeployedMarket[];
}
