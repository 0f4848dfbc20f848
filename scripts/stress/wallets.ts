/**
 * Transactions for the lab's agents without keys: every agent is an address the node signs for
 * (`hardhat_impersonateAccount`), funded with `hardhat_setBalance`, and sends with `eth_sendTransaction`. With the
 * lab's manual mining a send only queues the transaction; `receipts()` reads the outcomes after the block.
 */
import { type Abi, decodeFunctionResult, encodeFunctionData, keccak256, toHex } from "viem";
import type { Hex, Rpc, RpcError } from "./node.js";

export interface Call {
  to: Hex;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  gas?: bigint;
  /** Wei sent with the call (e.g. a Pyth update fee). */
  value?: bigint;
}

export interface Receipt {
  status: Hex;
  blockNumber: Hex;
  gasUsed: Hex;
  effectiveGasPrice: Hex;
  transactionHash: Hex;
  logs: { address: Hex; topics: Hex[]; data: Hex }[];
}

/** A deterministic address per label (no key exists: the node signs for it). */
export function agentAddress(label: string): Hex {
  return `0x${keccak256(toHex(`ballast-stress-agent-${label}`)).slice(-40)}` as Hex;
}

export class Wallets {
  constructor(readonly rpc: Rpc) {}

  /** Impersonates and funds (100 ETH for gas) every address, in one batch. */
  async prepare(addresses: readonly Hex[]): Promise<void> {
    await this.rpc.batch(
      addresses.flatMap((address) => [
        ["hardhat_impersonateAccount", [address]] as const,
        ["hardhat_setBalance", [address, toHex(10n ** 20n)]] as const,
      ]),
    );
  }

  static data(call: Call): Hex {
    return encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args as unknown[] });
  }

  /** Queues (manual mining) or executes (automine) every call in one HTTP batch; returns the hashes or errors. */
  async send(from: Hex, calls: readonly Call[]): Promise<(Hex | RpcError)[]> {
    return this.rpc.batchSettled<Hex>(
      calls.map(
        (call) =>
          [
            "eth_sendTransaction",
            [
              {
                from,
                to: call.to,
                data: Wallets.data(call),
                gas: toHex(call.gas ?? 3_000_000n),
                ...(call.value === undefined ? {} : { value: toHex(call.value) }),
              },
            ],
          ] as const,
      ),
    );
  }

  /** Sends and requires success (automine on): throws with the call's name when one fails. */
  async must(from: Hex, calls: readonly Call[]): Promise<Receipt[]> {
    const hashes = await this.send(from, calls);
    const receipts = await this.receipts(hashes);
    receipts.forEach((receipt, i) => {
      if (receipt === undefined || receipt.status !== "0x1") {
        const hash = hashes[i];
        throw new Error(
          `${calls[i]!.functionName} from ${from} failed: ${hash instanceof Error ? hash.message : `reverted (${hash})`}`,
        );
      }
    });
    return receipts as Receipt[];
  }

  async receipts(hashes: readonly (Hex | RpcError)[]): Promise<(Receipt | undefined)[]> {
    const wanted = hashes.filter((hash): hash is Hex => typeof hash === "string");
    const found = await this.rpc.batch<Receipt | null>(wanted.map((hash) => ["eth_getTransactionReceipt", [hash]]));
    const byHash = new Map(found.filter((r): r is Receipt => r !== null).map((r) => [r.transactionHash, r]));
    return hashes.map((hash) => (typeof hash === "string" ? byHash.get(hash) : undefined));
  }
}

/** A view call (`eth_call` at `block`, default latest), decoded. */
export async function readContract<T>(
  rpc: Rpc,
  call: Omit<Call, "gas" | "value">,
  block: bigint | "latest" = "latest",
): Promise<T> {
  const data = await rpc.call<Hex>("eth_call", [
    { to: call.to, data: Wallets.data(call) },
    typeof block === "bigint" ? toHex(block) : block,
  ]);
  return decodeFunctionResult({ abi: call.abi, functionName: call.functionName, data }) as T;
}
