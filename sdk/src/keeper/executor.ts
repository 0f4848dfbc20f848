/**
 * The default {@link Executor}: `liquidateMany` through viem.
 *
 * Every batch is simulated first (`eth_call` at the latest block) and only the accounts that the chain itself
 * would liquidate are sent, so the keeper never sends a transaction for a healthy account. Nonces are assigned
 * locally under a lock (concurrent batches never collide) and re-read from the node after any send error. A
 * transaction not mined within `receiptTimeoutMs` is replaced with the same nonce at higher fees. Accounts that
 * another keeper liquidated first come back as `notLiquidatable`: `liquidateMany` skips them without reverting.
 *
 * {@link DryRunExecutor} simulates only.
 *
 * @module
 */
import {
  type Account,
  type Address,
  type Chain,
  encodeFunctionData,
  type Hex,
  HttpRequestError,
  parseEventLogs,
  type PublicClient,
  SocketClosedError,
  TimeoutError,
  type TransactionReceipt,
  type WalletClient,
  WaitForTransactionReceiptTimeoutError,
  WebSocketRequestError,
} from "viem";
import { ballastCoreAbi } from "../abi/ballastCore.js";
import type { KeeperMetrics } from "./metrics.js";
import type { ExecuteHints, Executor, KeeperLogger, LiquidationOutcome } from "./types.js";

/**
 * An upper bound on the gas of `liquidateMany` from the positions each account holds (measured on BallastCore:
 * about 60k + 77k per position for a lone account, far less per account in a batch where markets are warm):
 * 100k + per account 35k + per position 45k + per distinct market 60k (its cold price, funding and state reads).
 * Saves an `eth_estimateGas` (a binary search of executions) per batch. The executor checks it against one
 * estimate whenever a batch is larger than any checked before, and switches to estimates for good when the model
 * is below an estimate or a modelled transaction runs out of gas (a chain whose gas costs differ).
 */
export function liquidationGasModel(positions: readonly (readonly number[])[]): bigint {
  const markets = new Set<number>();
  let gas = 100_000n;
  for (const accountMarkets of positions) {
    gas += 35_000n + 45_000n * BigInt(accountMarkets.length);
    for (const market of accountMarkets) markets.add(market);
  }
  return gas + 60_000n * BigInt(markets.size);
}

export type BatchGasReason = "out-of-gas" | "over-block-gas-limit" | "estimate-failed" | "simulation-failed";

/**
 * A batch that cannot be executed as it is because of gas: it ran out of gas, needs more than a block holds, or the
 * node could not estimate or simulate it. The keeper splits such a batch (halves it, down to single accounts).
 */
export class BatchGasError extends Error {
  override name = "BatchGasError";
  constructor(
    readonly reason: BatchGasReason,
    readonly accounts: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const GAS_ERROR =
  /out of gas|gas required exceeds|exceeds (the )?block gas limit|intrinsic gas too low|gas limit reached|gas cap|exceeds allowance/i;

/** Whether an error (or one of its causes) says the transaction did not fit in its gas or in a block. */
export function isGasError(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const { shortMessage, details } = e as { shortMessage?: string; details?: string };
    if ([e.message, shortMessage, details].some((text) => typeof text === "string" && GAS_ERROR.test(text)))
      return true;
  }
  return false;
}

/** Whether an error is the transport's (no answer from the node), not the node's answer. */
function isTransportError(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (
      e instanceof HttpRequestError ||
      e instanceof TimeoutError ||
      e instanceof WebSocketRequestError ||
      e instanceof SocketClosedError
    ) {
      return true;
    }
  }
  return false;
}

export interface GasSettings {
  /** Always ask the node (`eth_estimateGas`) instead of the gas model. Default false. */
  estimate?: boolean;
  /** EIP-1559 fee cap, wei. Default: the node's estimate. */
  maxFeePerGas?: bigint;
  /** EIP-1559 tip, wei. Default: the node's estimate. */
  maxPriorityFeePerGas?: bigint;
  /** Gas limit = estimate × this. Default 1.3. */
  gasLimitMultiplier?: number;
  /** Fee bump for a replacement, in percent (≥ 10, the usual mempool rule). Default 25. */
  replacementBumpPercent?: number;
  /** The gas model (markets per account → gas). Default {@link liquidationGasModel}. */
  model?: (positions: readonly (readonly number[])[]) => bigint;
}

export interface ViemExecutorOptions {
  publicClient: PublicClient;
  walletClient: WalletClient;
  /** A local account (private key) or the address of an account the node signs for. */
  account: Account | Address;
  chain: Chain;
  core: Address;
  /** Receives the keeper reward (claimable with `claimRewards`). Default: the sender. */
  recipient?: Address;
  gas?: GasSettings;
  /** How long to wait for a receipt before replacing the transaction. Default 60 s. */
  receiptTimeoutMs?: number;
  /** Replacements before giving up on a batch. Default 2. */
  maxReplacements?: number;
  pollingIntervalMs?: number;
  logger?: KeeperLogger;
  metrics?: KeeperMetrics;
}

/** How long the block gas limit read from the latest block is reused, ms. */
const GAS_LIMIT_TTL_MS = 60_000;

/** Serialises async sections (nonce assignment + broadcast). */
class Lock {
  private tail: Promise<void> = Promise.resolve();
  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

export class ViemExecutor implements Executor {
  readonly address: Address;
  private readonly recipient: Address;
  private nonce: number | undefined;
  private readonly lock = new Lock();
  /** Cleared for good when the model is below an estimate or a transaction runs out of modelled gas. */
  private modelTrusted = true;
  /** The largest batch whose modelled gas was checked against an estimate. */
  private modelCheckedUpTo = 0;
  private blockGasLimit: { value: bigint; at: number } | undefined;

  constructor(private readonly options: ViemExecutorOptions) {
    this.address = typeof options.account === "string" ? options.account : options.account.address;
    this.recipient = options.recipient ?? this.address;
  }

  async balance(): Promise<bigint> {
    return this.options.publicClient.getBalance({ address: this.address });
  }

  async simulate(accountIds: readonly bigint[]): Promise<boolean[]> {
    try {
      return await this.simulateOnce(accountIds);
    } catch (error) {
      // An `eth_call` runs under the node's gas cap (the block gas limit, or geth's RPCGasCap): too big a batch fails.
      if (accountIds.length > 1 && isGasError(error)) {
        throw new BatchGasError("simulation-failed", accountIds.length, "cannot simulate the batch", { cause: error });
      }
      throw error;
    }
  }

  private async simulateOnce(accountIds: readonly bigint[]): Promise<boolean[]> {
    const { result } = await this.options.publicClient.simulateContract({
      address: this.options.core,
      abi: ballastCoreAbi,
      functionName: "liquidateMany",
      args: [[...accountIds], this.recipient],
      account: this.options.account,
    });
    return [...result];
  }

  async execute(accountIds: readonly bigint[], hints?: ExecuteHints): Promise<LiquidationOutcome> {
    const flags = await this.simulate(accountIds);
    const liquidatable = accountIds.filter((_, i) => flags[i]);
    const notLiquidatable = accountIds.filter((_, i) => !flags[i]);
    if (liquidatable.length === 0) return { status: "skipped", sent: [], liquidated: [], notLiquidatable };

    const data = encodeFunctionData({
      abi: ballastCoreAbi,
      functionName: "liquidateMany",
      args: [liquidatable, this.recipient],
    });
    const known = hints?.positions;
    const markets = known ? liquidatable.map((id) => known.get(id)) : [undefined];
    let modeled = this.modelTrusted && this.options.gas?.estimate !== true && markets.every((m) => m !== undefined);
    const cap = await this.gasCap();
    let gas = 0n;
    let estimate: bigint | undefined;
    if (modeled) {
      gas = (this.options.gas?.model ?? liquidationGasModel)(markets as (readonly number[])[]);
      if (gas > cap) {
        // The model is an upper bound: the real cost may still fit in a block.
        modeled = false;
        this.options.metrics?.gasModelFallbacks.inc();
      } else if (liquidatable.length > this.modelCheckedUpTo) {
        estimate = await this.estimate(data, liquidatable.length);
        if (estimate > gas) {
          this.distrustModel(
            { modelled: gas, estimate, accounts: liquidatable.length },
            "gas model below the estimate",
          );
          modeled = false;
        } else this.modelCheckedUpTo = liquidatable.length;
      }
    }
    if (!modeled) {
      estimate ??= await this.estimate(data, liquidatable.length);
      gas = (estimate * BigInt(Math.round((this.options.gas?.gasLimitMultiplier ?? 1.3) * 1000))) / 1000n;
      if (gas > cap) {
        if (estimate > cap) {
          throw new BatchGasError(
            "over-block-gas-limit",
            liquidatable.length,
            `liquidateMany of ${liquidatable.length} accounts needs ${estimate} gas, above the block gas limit ${cap}`,
          );
        }
        gas = cap;
      }
    }
    let receipt: TransactionReceipt;
    try {
      receipt = await this.sendAndWait(data, gas);
    } catch (error) {
      // Some nodes (Hardhat's automine) answer the send itself with "ran out of gas" or reject a limit above the block's.
      if (!isGasError(error)) throw error;
      if (modeled) this.distrustModel({ gas, accounts: liquidatable.length }, "ran out of modelled gas");
      throw new BatchGasError("out-of-gas", liquidatable.length, `liquidateMany ran out of gas (limit ${gas})`, {
        cause: error,
      });
    }
    const outOfGas = receipt.status !== "success" && receipt.gasUsed * 100n >= gas * 95n;
    if (outOfGas && modeled) {
      this.distrustModel(
        { txHash: receipt.transactionHash, gas, accounts: liquidatable.length },
        "ran out of modelled gas",
      );
    }

    const events = parseEventLogs({ abi: ballastCoreAbi, eventName: "AccountLiquidated", logs: receipt.logs });
    const done = new Set(
      events
        .filter((event) => event.address.toLowerCase() === this.options.core.toLowerCase())
        .map((event) => event.args.accountId),
    );
    const liquidated = liquidatable.filter((id) => done.has(id));
    // Simulated as liquidatable but skipped on chain: someone else got there first (or the owner topped it up).
    notLiquidatable.push(...liquidatable.filter((id) => !done.has(id)));
    return {
      status: receipt.status === "success" ? "confirmed" : "reverted",
      sent: liquidatable,
      liquidated: receipt.status === "success" ? liquidated : [],
      notLiquidatable:
        receipt.status === "success" ? notLiquidatable : notLiquidatable.filter((id) => !liquidatable.includes(id)),
      txHash: receipt.transactionHash,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      ...(outOfGas ? { outOfGas } : {}),
    };
  }

  /** Whether the gas model is still used (false after it was found too low). */
  get gasModelTrusted(): boolean {
    return this.modelTrusted;
  }

  private distrustModel(fields: object, why: string): void {
    if (!this.modelTrusted) return;
    this.modelTrusted = false;
    this.options.metrics?.gasModelFallbacks.inc();
    this.options.logger?.warn(fields, `${why}: estimating gas from now on`);
  }

  /** `eth_estimateGas`; a failure that is the node's answer (not the transport's) becomes a {@link BatchGasError}. */
  private async estimate(data: Hex, accounts: number): Promise<bigint> {
    try {
      return await this.options.publicClient.estimateGas({
        account: this.options.account,
        to: this.options.core,
        data,
      });
    } catch (error) {
      if (isTransportError(error)) throw error;
      throw new BatchGasError("estimate-failed", accounts, `cannot estimate liquidateMany of ${accounts} accounts`, {
        cause: error,
      });
    }
  }

  /** The latest block's gas limit (re-read every minute): no transaction is sent above it. */
  private async gasCap(): Promise<bigint> {
    const now = Date.now();
    if (this.blockGasLimit === undefined || now - this.blockGasLimit.at > GAS_LIMIT_TTL_MS) {
      const block = await this.options.publicClient.getBlock({ blockTag: "latest" });
      this.blockGasLimit = { value: block.gasLimit, at: now };
    }
    return this.blockGasLimit.value;
  }

  private async fees(attempt: number): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const settings = this.options.gas ?? {};
    let maxFeePerGas = settings.maxFeePerGas;
    let maxPriorityFeePerGas = settings.maxPriorityFeePerGas;
    if (maxFeePerGas === undefined || maxPriorityFeePerGas === undefined) {
      const estimate = await this.options.publicClient.estimateFeesPerGas();
      maxPriorityFeePerGas ??= estimate.maxPriorityFeePerGas;
      maxFeePerGas ??= estimate.maxFeePerGas > maxPriorityFeePerGas ? estimate.maxFeePerGas : maxPriorityFeePerGas;
    }
    const bump = BigInt(100 + (settings.replacementBumpPercent ?? 25));
    for (let i = 0; i < attempt; i++) {
      maxFeePerGas = (maxFeePerGas * bump) / 100n + 1n;
      maxPriorityFeePerGas = (maxPriorityFeePerGas * bump) / 100n + 1n;
    }
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  private async broadcast(
    data: Hex,
    gas: bigint,
    nonce: number | undefined,
    attempt: number,
  ): Promise<{ hash: Hex; nonce: number }> {
    return this.lock.run(async () => {
      const { publicClient, walletClient } = this.options;
      if (nonce === undefined && this.nonce === undefined) {
        this.nonce = await publicClient.getTransactionCount({ address: this.address, blockTag: "pending" });
      }
      const useNonce = nonce ?? this.nonce!;
      const fees = await this.fees(attempt);
      try {
        const hash = await walletClient.sendTransaction({
          account: this.options.account,
          chain: this.options.chain,
          to: this.options.core,
          data,
          gas,
          nonce: useNonce,
          ...fees,
        });
        if (nonce === undefined) this.nonce = useNonce + 1;
        return { hash, nonce: useNonce };
      } catch (error) {
        // Whatever happened to that nonce, ask the node next time.
        this.nonce = undefined;
        throw error;
      }
    });
  }

  private async sendAndWait(data: Hex, gas: bigint): Promise<TransactionReceipt> {
    const { publicClient } = this.options;
    const maxReplacements = this.options.maxReplacements ?? 2;
    const sent = await this.broadcast(data, gas, undefined, 0);
    const hashes = [sent.hash];
    for (let attempt = 0; ; attempt++) {
      try {
        return await publicClient.waitForTransactionReceipt({
          hash: hashes.at(-1)!,
          timeout: this.options.receiptTimeoutMs ?? 60_000,
          pollingInterval: this.options.pollingIntervalMs,
        });
      } catch (error) {
        if (!(error instanceof WaitForTransactionReceiptTimeoutError)) throw error;
        // An earlier version may have been mined meanwhile.
        for (const hash of hashes) {
          const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
          if (receipt) return receipt;
        }
        if (attempt >= maxReplacements) throw error;
        this.options.logger?.warn(
          { hash: hashes.at(-1), nonce: sent.nonce, attempt: attempt + 1 },
          "liquidation not mined in time: replacing it with higher fees",
        );
        try {
          hashes.push((await this.broadcast(data, gas, sent.nonce, attempt + 1)).hash);
        } catch (replaceError) {
          for (const hash of hashes) {
            const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
            if (receipt) return receipt;
          }
          throw replaceError;
        }
      }
    }
  }
}

/** Simulates only: reports what would be liquidated, sends nothing. */
export class DryRunExecutor implements Executor {
  readonly address: Address;
  constructor(private readonly inner: Executor) {
    this.address = inner.address;
  }

  balance(): Promise<bigint> {
    return this.inner.balance();
  }

  simulate(accountIds: readonly bigint[]): Promise<boolean[]> {
    return this.inner.simulate(accountIds);
  }

  async execute(accountIds: readonly bigint[], _hints?: ExecuteHints): Promise<LiquidationOutcome> {
    const flags = await this.inner.simulate(accountIds);
    return {
      status: "dry-run",
      sent: [],
      liquidated: accountIds.filter((_, i) => flags[i]),
      notLiquidatable: accountIds.filter((_, i) => !flags[i]),
    };
  }
}
