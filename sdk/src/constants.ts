/**
 * Constants shared by the SDK's actions and the keeper, so that a default is decided in one place.
 *
 * @module
 */
import type { Address } from "viem";

/** Largest `eth_getLogs` range, in blocks, before a node refuses it (halved automatically when it does). */
export const DEFAULT_BLOCK_RANGE = 5_000n;

/** Newest blocks treated as reorg-able: re-read on every sync and never committed to a store before. */
export const DEFAULT_REORG_DEPTH = 12;

/**
 * The sender of simulations that need no key (a keeper's dry run): a well-known burn address, never funded, so a
 * simulation from it can never be mistaken for a signed transaction.
 */
export const SIMULATION_SENDER: Address = "0x000000000000000000000000000000000000dEaD";

/** The native token's decimals on every EVM chain the protocol targets (gas is paid in wei). */
export const NATIVE_DECIMALS = 18;
