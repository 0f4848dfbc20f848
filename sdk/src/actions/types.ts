import type { Address, Hex } from "viem";

/** A transaction a wallet can send as is: `walletClient.sendTransaction({ ...tx, account })`. */
export type BallastTransaction = {
  to: Address;
  data: Hex;
  value: bigint;
};
