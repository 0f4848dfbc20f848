/**
 * The default {@link Executor}: `liquidateMany` through viem.
 *
 * Every batch is simulated first (`eth_call` at the latest block) and only the accounts that the chain itself
 * would liquidate are sent, so the keeper never sends a transaction for a healthy account. Nonces are assigned
 * locally under a lock (concurrent batches never collide) and re-read from the node after any send error. A
 * transaction not mined within `receiptTimeoutMs` is replaced with the same nonce at higher fees. Accounts that
 * another keeper liquidated first come back as `notLiquidatable`: `liquidateMany` skips them without reverting.
 *
 * The same nonce manager sends the keeper's other transactions ({@link ViemExecutor.send}: order settlements), so
 * one key liquidates and settles without nonce collisions.
 *
 * {@link DryRunExecutor} simulates only.
 *
 * @module
 */
import {
  type Account,
  type Address,
  BaseError,
  type Chain,
  type Client,
  type Hex,
  HttpRequestError,
  type PublicClient,
  SocketClosedError,
  TimeoutError,
  type TransactionReceipt,
  type WalletClient,
  WaitForTransactionReceiptTimeoutError,
  WebSocketRequestError,
} from "viem";
import { sendRawTransaction } from "viem/actions";
import { type BallastDeployment, ballastCoreAbi, buildLiquidateMany, decodeCoreLogs } from "../index.js";
import type { KeeperMetrics } from "./metrics.js";
import type {
  CallOutcome,
  ChainHead,
  ExecuteHints,
  Executor,
  KeeperCall,
  KeeperLogger,
  LiquidationOutcome,
} from "./types.js";

/**
 * An upper bound on the gas of `liquidateMany` from the positions each account holds (measured on BallastCore: a
 * lone partial liquidation of one position costs about 228k with the exact minimal-fraction search and the haircut's
 * bookkeeping; 120k per account in a warm batch of 50): 110k + per account 60k + per position 70k + per distinct
 * market 60k (its cold price, funding and state reads).
 * Saves an `eth_estimateGas` (a binary search of executions) per batch. The executor checks it for free: each
 * batch's simulation runs with the modelled gas as its gas limit, so a model that is too low fails the simulation,
 * not a transaction, and the executor switches to estimates for good (a chain whose gas costs differ).
 */
export function liquidationGasModel(positions: readonly (readonly number[])[]): bigint {
  const markets = new Set<number>();
  let gas = 110_000n;
  for (const accountMarkets of positions) {
    gas += 60_000n + 70_000n * BigInt(accountMarkets.length);
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

/** Whether the node answered that the transaction reverted with no data (no custom error, no reason string). */
function isEmptyRevert(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const { details, data } = e as { details?: string; data?: unknown };
    if (typeof details === "string" && /reverted without a reason/i.test(details) && (data ?? "0x") === "0x") {
      return true;
    }
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

/**
 * A transaction that would revert (its `eth_estimateGas` reverted): `data` is the revert data when the node gave it,
 * `reason` the error's name when the caller's ABI knows it (else its selector, or "revert").
 */
export class CallRevertedError extends Error {
  override name = "CallRevertedError";
  constructor(
    readonly data: Hex | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The revert data an RPC error carries (viem keeps it on the error or one of its causes), if any. */
export function revertDataOf(error: unknown): Hex | undefined {
  const isData = (value: unknown): value is Hex => typeof value === "string" && /^0x([0-9a-fA-F]{2})*$/.test(value);
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const { data, raw } = e as { data?: unknown; raw?: unknown };
    if (isData(raw) && raw.length >= 10) return raw;
    if (isData(data) && data.length >= 10) return data;
    if (typeof data === "object" && data !== null) {
      const inner = (data as { data?: unknown }).data;
      if (isData(inner) && inner.length >= 10) return inner;
    }
  }
  if (error instanceof BaseError) {
    const found = error.walk((e) => isData((e as { data?: unknown }).data));
    const data = (found as { data?: unknown } | null)?.data;
    if (isData(data) && data.length >= 10) return data;
  }
  return undefined;
}

export interface GasSettings {
  /** Always ask the node (`eth_estimateGas`) instead of the gas model. Default false. */
  estimate?: boolean;
  /**
   * EIP-1559 fee CAP, wei: no transaction or replacement ever offers more per gas. Default: none (2 × base fee +
   * priority fee, as viem does).
   */
  maxFeePerGas?: bigint;
  /** EIP-1559 tip, wei. Default: the node's `eth_maxPriorityFeePerGas`. */
  maxPriorityFeePerGas?: bigint;
  /** Gas limit = estimate × this. Default 1.3. */
  gasLimitMultiplier?: number;
  /** Fee bump for a replacement, in percent (≥ 10, the usual mempool rule). Default 25. */
  replacementBumpPercent?: number;
  /** The gas model (markets per account → gas). Default {@link liquidationGasModel}. */
  model?: (positions: readonly (readonly number[])[]) => bigint;
  /**
   * "always": every batch is simulated (`eth_call`) before it is sent. "until-validated" (default): once a
   * simulated batch at least as large has been confirmed within the modelled gas, batches go out unsimulated.
   */
  simulate?: "always" | "until-validated";
}

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/**
 * The fees of a first send: priority fee as given, max fee 2 × base fee + priority (room for the base fee to rise
 * for a few full blocks), both never above `cap`.
 */
export function initialFees(baseFeePerGas: bigint, priorityFeePerGas: bigint, cap?: bigint): Fees {
  let maxFeePerGas = baseFeePerGas * 2n + priorityFeePerGas;
  if (cap !== undefined && maxFeePerGas > cap) maxFeePerGas = cap;
  return {
    maxFeePerGas,
    maxPriorityFeePerGas: priorityFeePerGas > maxFeePerGas ? maxFeePerGas : priorityFeePerGas,
  };
}

/**
 * The fees of a replacement: both fees raised by `bumpPercent` (mempools want ≥ 10 %), or to `fresh` (today's
 * initial fees) when that is higher, never above `cap`. Undefined when the cap leaves no room for a valid
 * replacement (the original then stays the only candidate: the keeper keeps waiting for it).
 */
export function replacementFees(previous: Fees, fresh: Fees, bumpPercent: number, cap?: bigint): Fees | undefined {
  const bump = (fee: bigint) => (fee * BigInt(100 + bumpPercent)) / 100n + 1n;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  let maxFeePerGas = max(bump(previous.maxFeePerGas), fresh.maxFeePerGas);
  let maxPriorityFeePerGas = max(bump(previous.maxPriorityFeePerGas), fresh.maxPriorityFeePerGas);
  if (cap !== undefined && maxFeePerGas > cap) maxFeePerGas = cap;
  if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
  // The usual replacement rule: both fees at least 10 % above the pending transaction's.
  const minimum = (fee: bigint) => (fee * 110n + 99n) / 100n;
  if (maxFeePerGas < minimum(previous.maxFeePerGas) || maxPriorityFeePerGas < minimum(previous.maxPriorityFeePerGas)) {
    return undefined;
  }
  return { maxFeePerGas, maxPriorityFeePerGas };
}

export interface ViemExecutorOptions {
  publicClient: PublicClient;
  walletClient: WalletClient;
  /** Where signed transactions are sent (a private submission endpoint); default: `publicClient`. */
  submitClient?: Client;
  /** A local account (private key) or the address of an account the node signs for. */
  account: Account | Address;
  chain: Chain;
  deployment: Pick<BallastDeployment, "core"> & Partial<BallastDeployment>;
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
/** How long the node's priority fee suggestion is reused, ms (it moves slowly; one read per batch would cost). */
const PRIORITY_FEE_TTL_MS = 5_000;

type Prepared =
  | { kind: "skipped"; notLiquidatable: bigint[] }
  | {
      kind: "sent";
      liquidatable: bigint[];
      notLiquidatable: bigint[];
      gas: bigint;
      /** The gas limit, when it came from the model (not an estimate): the model's figure, maybe tightened. */
      modelled: bigint | undefined;
      /** The model's own figure for the batch (what the tightening ratio is measured against). */
      model: bigint | undefined;
      /** Whether an eth_call checked the batch (and its gas limit) before the send. */
      simulated: boolean;
      data: Hex;
      sent: { hash: Hex; nonce: number; fees: Fees };
    };

/** Serialises async sections (nonce assignment + broadcast; batch preparation). */
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
  private readonly core: Address;
  private nonce: number | undefined;
  private readonly lock = new Lock();
  private readonly preparation = new Lock();
  /** The highest gasUsed / modelled gas seen in a receipt, parts per million (tightens later gas limits). */
  private gasRatioPpm: bigint | undefined;
  /** The largest batch a simulated, modelled, confirmed transaction has validated (see prepareAndSend). */
  private validatedUpTo = 0;
  /** Cleared for good when the model is below what a batch needs (its simulation ran out of the modelled gas). */
  private modelTrusted = true;
  private blockGasLimit: { value: bigint; at: number } | undefined;
  private priorityFee: { value: bigint; at: number } | undefined;

  constructor(private readonly options: ViemExecutorOptions) {
    this.address = typeof options.account === "string" ? options.account : options.account.address;
    this.recipient = options.recipient ?? this.address;
    this.core = options.deployment.core;
  }

  async balance(): Promise<bigint> {
    return this.options.publicClient.getBalance({ address: this.address });
  }

  /** Reads what the first send needs (nonce, priority fee) ahead of time, so the first batch goes out at once. */
  async warmUp(): Promise<void> {
    await Promise.all([
      this.lock.run(async () => {
        this.nonce ??= await this.options.publicClient.getTransactionCount({
          address: this.address,
          blockTag: "pending",
        });
      }),
      this.options.gas?.maxPriorityFeePerGas === undefined ? this.nodePriorityFee() : undefined,
    ]);
  }

  async simulate(accountIds: readonly bigint[], gas?: bigint): Promise<boolean[]> {
    try {
      return await this.simulateOnce(accountIds, gas);
    } catch (error) {
      // An `eth_call` runs under the node's gas cap (the block gas limit, or geth's RPCGasCap): too big a batch fails.
      if (accountIds.length > 1 && gas === undefined && isGasError(error)) {
        throw new BatchGasError("simulation-failed", accountIds.length, "cannot simulate the batch", { cause: error });
      }
      throw error;
    }
  }

  private async simulateOnce(accountIds: readonly bigint[], gas?: bigint): Promise<boolean[]> {
    const { result } = await this.options.publicClient.simulateContract({
      address: this.core,
      abi: ballastCoreAbi,
      functionName: "liquidateMany",
      args: [[...accountIds], this.recipient],
      account: this.options.account,
      ...(gas === undefined ? {} : { gas }),
    });
    return [...result];
  }

  async execute(accountIds: readonly bigint[], hints?: ExecuteHints): Promise<LiquidationOutcome> {
    // Simulations run one at a time, in the order batches were dispatched (prepareAndSend): on a node that executes
    // requests one by one, the first batch's send would otherwise queue behind every other batch's simulation and
    // miss the next block. Sends and receipts overlap freely.
    const prepared = await this.prepareAndSend(accountIds, hints);
    if (prepared.kind === "skipped") {
      return { status: "skipped", sent: [], liquidated: [], notLiquidatable: prepared.notLiquidatable };
    }
    const { liquidatable, notLiquidatable, gas, modelled, data } = prepared;
    let receipt: TransactionReceipt;
    try {
      receipt = await this.waitForReceipt({ to: this.core, data, value: 0n }, gas, prepared.sent);
    } catch (error) {
      if (!isGasError(error)) throw error;
      if (modelled !== undefined) this.distrustModel({ gas, accounts: liquidatable.length }, "ran out of modelled gas");
      throw new BatchGasError("out-of-gas", liquidatable.length, `liquidateMany ran out of gas (limit ${gas})`, {
        cause: error,
      });
    }
    if (receipt.status === "success" && prepared.model !== undefined && prepared.model > 0n) {
      const ratio = (receipt.gasUsed * 1_000_000n + prepared.model - 1n) / prepared.model;
      if (this.gasRatioPpm === undefined || ratio > this.gasRatioPpm) this.gasRatioPpm = ratio;
      if (prepared.simulated && accountIds.length > this.validatedUpTo) this.validatedUpTo = accountIds.length;
    }
    const outOfGas = receipt.status !== "success" && receipt.gasUsed * 100n >= gas * 95n;
    if (outOfGas && modelled !== undefined) {
      this.distrustModel(
        { txHash: receipt.transactionHash, gas, accounts: liquidatable.length },
        "ran out of modelled gas",
      );
    }

    const events = decodeCoreLogs(receipt.logs, { address: this.core, eventNames: ["AccountLiquidated"] });
    const done = new Set(events.map((event) => event.args.accountId as bigint));
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

  /** Simulates the batch, works out its gas, signs and sends it (under the preparation lock). */
  private async prepareAndSend(accountIds: readonly bigint[], hints?: ExecuteHints): Promise<Prepared> {
    const cap = hints?.head?.gasLimit ?? (await this.gasCap());
    // The modelled gas of the whole batch (≥ that of the part that turns out liquidatable) is the simulation's gas
    // limit: if it suffices there, it suffices for the transaction, and no estimate is needed before the send.
    const known = hints?.positions;
    const markets = known ? accountIds.map((id) => known.get(id)) : [undefined];
    let modelled: bigint | undefined;
    if (this.modelTrusted && this.options.gas?.estimate !== true && markets.every((m) => m !== undefined)) {
      modelled = (this.options.gas?.model ?? liquidationGasModel)(markets as (readonly number[])[]);
      if (modelled > cap) {
        // The model is an upper bound: the real cost may still fit in a block.
        modelled = undefined;
        this.options.metrics?.gasModelFallbacks.inc();
      }
    }
    // Blocks are packed by gas LIMIT: once receipts show how far below the model real batches stay, the limit is
    // tightened to the worst ratio seen + 20 %. The simulation runs under that limit, so a batch that needs more
    // falls back to the full model before anything is sent.
    const model = modelled;
    // Once a receipt has confirmed a simulated batch at least this large, the keeper's own evaluation (the SDK's
    // exact health at the head) stands in for the simulation: it halves what the node executes. liquidateMany skips
    // what is no longer liquidatable (a competitor was faster), so the worst case is gas spent on a skip.
    const unsimulated =
      this.options.gas?.simulate !== "always" &&
      model !== undefined &&
      this.gasRatioPpm !== undefined &&
      this.validatedUpTo >= accountIds.length;
    // Unsimulated, nothing would check a tighter limit before the send: such a batch keeps the model's upper bound.
    if (!unsimulated && model !== undefined && this.gasRatioPpm !== undefined) {
      const tight = (model * this.gasRatioPpm * 12n) / 10_000_000n;
      if (tight < model) modelled = tight;
    }
    let flags: boolean[] | undefined;
    if (unsimulated) flags = accountIds.map(() => true);
    else {
      try {
        // Only the simulations are serialised (see execute): the send of one batch queues behind at most one.
        flags = await this.preparation.run(() => this.simulate(accountIds, modelled));
      } catch (error) {
        if (modelled === undefined || isTransportError(error)) throw error;
        if (modelled !== model) {
          flags = await this.preparation.run(() => this.simulate(accountIds, model)).catch(() => undefined);
          modelled = model;
        }
        if (flags === undefined) {
          // Nodes report an eth_call out of gas differently (Hardhat: a revert without reason): ask again without
          // the limit. Success there means the model is too low for this chain.
          flags = await this.preparation.run(() => this.simulate(accountIds));
          this.distrustModel({ modelled, accounts: accountIds.length }, "simulation failed within the modelled gas");
          modelled = undefined;
        }
      }
    }
    const simulated = flags;
    const liquidatable = accountIds.filter((_, i) => simulated[i]);
    const notLiquidatable = accountIds.filter((_, i) => !simulated[i]);
    if (liquidatable.length === 0) return { kind: "skipped", notLiquidatable };

    const { data } = buildLiquidateMany({
      deployment: this.options.deployment as BallastDeployment,
      accountIds: liquidatable,
      recipient: this.recipient,
    });
    let gas: bigint;
    if (modelled !== undefined) gas = modelled;
    else {
      const estimate = await this.estimate(data, liquidatable.length);
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
    try {
      const fees = await this.fees(hints?.head);
      const sent = await this.broadcast({ to: this.core, data, value: 0n }, gas, fees, undefined);
      return {
        kind: "sent",
        liquidatable,
        notLiquidatable,
        gas,
        modelled,
        model: modelled === undefined ? undefined : model,
        simulated: !unsimulated,
        data,
        sent: { ...sent, fees },
      };
    } catch (error) {
      // Some nodes (Hardhat's automine) answer the send itself with "ran out of gas" or reject a limit above the block's.
      // An empty revert of a batch sent on the model is gas starvation too: every check of the core reverts with a
      // custom error, and an out-of-gas inside the liquidation library surfaces as a revert without a reason.
      if (!isGasError(error) && !(modelled !== undefined && isEmptyRevert(error))) throw error;
      if (modelled !== undefined) this.distrustModel({ gas, accounts: liquidatable.length }, "ran out of modelled gas");
      throw new BatchGasError("out-of-gas", liquidatable.length, `liquidateMany ran out of gas (limit ${gas})`, {
        cause: error,
      });
    }
  }

  /** `eth_estimateGas` of a call from the sender; a revert becomes a {@link CallRevertedError} with its data. */
  async estimateCall(call: KeeperCall): Promise<bigint> {
    try {
      return await this.options.publicClient.estimateGas({
        account: this.options.account,
        to: call.to,
        data: call.data,
        value: call.value ?? 0n,
      });
    } catch (error) {
      if (isTransportError(error)) throw error;
      throw new CallRevertedError(revertDataOf(error), `${call.label ?? "the transaction"} would revert`, {
        cause: error,
      });
    }
  }

  /**
   * Sends any other transaction of the keeper (an order settlement batch) through the same nonce manager, fees and
   * replacement rules as liquidations: `eth_estimateGas` first (a transaction that would revert is not sent: a
   * {@link CallRevertedError} carries the revert data), gas limit = estimate × `gasLimitMultiplier` (never above the
   * block gas limit), then waits for the receipt.
   */
  async send(call: KeeperCall, hints?: ExecuteHints): Promise<CallOutcome> {
    const tx = { to: call.to, data: call.data, value: call.value ?? 0n };
    const estimate = await this.estimateCall(call);
    const cap = hints?.head?.gasLimit ?? (await this.gasCap());
    if (estimate > cap) {
      throw new BatchGasError("over-block-gas-limit", 1, `${call.label ?? "the transaction"} needs ${estimate} gas`);
    }
    let gas = (estimate * BigInt(Math.round((this.options.gas?.gasLimitMultiplier ?? 1.3) * 1000))) / 1000n;
    if (gas > cap) gas = cap;
    const fees = await this.fees(hints?.head);
    const sent = await this.broadcast(tx, gas, fees, undefined);
    const receipt = await this.waitForReceipt(tx, gas, { ...sent, fees });
    return {
      status: receipt.status === "success" ? "confirmed" : "reverted",
      txHash: receipt.transactionHash,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      logs: receipt.logs,
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
        to: this.core,
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

  /** The configured priority fee, or the node's suggestion (cached a few seconds). */
  private async nodePriorityFee(): Promise<bigint> {
    const configured = this.options.gas?.maxPriorityFeePerGas;
    if (configured !== undefined) return configured;
    const now = Date.now();
    if (this.priorityFee === undefined || now - this.priorityFee.at > PRIORITY_FEE_TTL_MS) {
      const value = await this.options.publicClient.estimateMaxPriorityFeePerGas();
      this.priorityFee = { value, at: now };
    }
    return this.priorityFee.value;
  }

  private async baseFee(head?: ChainHead): Promise<bigint> {
    if (head?.baseFeePerGas !== undefined) return head.baseFeePerGas;
    const block = await this.options.publicClient.getBlock({ blockTag: "latest" });
    return block.baseFeePerGas ?? 0n;
  }

  /** Fees of a first send at `head`: base fee from the head, priority fee configured or suggested, under the cap. */
  async fees(head?: ChainHead): Promise<Fees> {
    const [baseFee, priority] = await Promise.all([this.baseFee(head), this.nodePriorityFee()]);
    return initialFees(baseFee, priority, this.options.gas?.maxFeePerGas);
  }

  /** Expected cost of one unit of gas now: base fee + priority fee, never above the cap. */
  async gasPrice(head: ChainHead): Promise<bigint> {
    const [baseFee, priority] = await Promise.all([this.baseFee(head), this.nodePriorityFee()]);
    const price = baseFee + priority;
    const cap = this.options.gas?.maxFeePerGas;
    return cap !== undefined && price > cap ? cap : price;
  }

  /** Signs and sends under the nonce lock (every transaction of this sender goes through here). `nonce` given: a replacement. */
  private async broadcast(
    tx: { to: Address; data: Hex; value: bigint },
    gas: bigint,
    fees: Fees,
    nonce: number | undefined,
  ): Promise<{ hash: Hex; nonce: number }> {
    return this.lock.run(async () => {
      const { publicClient, walletClient, account, chain } = this.options;
      if (nonce === undefined && this.nonce === undefined) {
        this.nonce = await publicClient.getTransactionCount({ address: this.address, blockTag: "pending" });
      }
      const useNonce = nonce ?? this.nonce!;
      try {
        let hash: Hex;
        if (typeof account !== "string" && account.signTransaction) {
          // Signed here with every field known: one eth_sendRawTransaction, no preparation round trips.
          const serializedTransaction = await account.signTransaction({
            type: "eip1559",
            chainId: chain.id,
            to: tx.to,
            data: tx.data,
            gas,
            nonce: useNonce,
            value: tx.value,
            ...fees,
          });
          hash = await sendRawTransaction(this.options.submitClient ?? publicClient, { serializedTransaction });
        } else {
          hash = await walletClient.sendTransaction({
            account,
            chain,
            to: tx.to,
            data: tx.data,
            value: tx.value,
            gas,
            nonce: useNonce,
            ...fees,
          });
        }
        if (nonce === undefined) this.nonce = useNonce + 1;
        return { hash, nonce: useNonce };
      } catch (error) {
        // Whatever happened to that nonce, ask the node next time.
        this.nonce = undefined;
        throw error;
      }
    });
  }

  /** Waits for a sent transaction, replacing it with higher fees (under the cap) when it is not mined in time. */
  private async waitForReceipt(
    tx: { to: Address; data: Hex; value: bigint },
    gas: bigint,
    sent: { hash: Hex; nonce: number; fees: Fees },
  ): Promise<TransactionReceipt> {
    const { publicClient } = this.options;
    const maxReplacements = this.options.maxReplacements ?? 2;
    let fees = sent.fees;
    const hashes = [sent.hash];
    for (let replacements = 0; ; ) {
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
        if (replacements >= maxReplacements) throw error;
        const next = replacementFees(
          fees,
          await this.fees(),
          this.options.gas?.replacementBumpPercent ?? 25,
          this.options.gas?.maxFeePerGas,
        );
        if (next === undefined) {
          // At the cap: a replacement would be refused as underpriced. The pending one is the only hope; keep waiting.
          this.options.logger?.warn(
            { hash: hashes.at(-1), nonce: sent.nonce, maxFeePerGas: fees.maxFeePerGas },
            "transaction not mined in time, and the fee cap leaves no room to replace it: still waiting",
          );
          replacements++;
          continue;
        }
        replacements++;
        fees = next;
        this.options.logger?.warn(
          { hash: hashes.at(-1), nonce: sent.nonce, attempt: replacements, ...fees },
          "transaction not mined in time: replacing it with higher fees",
        );
        try {
          hashes.push((await this.broadcast(tx, gas, fees, sent.nonce)).hash);
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

  gasPrice(head: ChainHead): Promise<bigint> {
    return this.inner.gasPrice?.(head) ?? Promise.resolve(0n);
  }

  /**
   * Sends nothing. Not even estimated: a dry run's sender (an unfunded simulation address) could not pay the value
   * a settlement carries (the oracle fee).
   */
  async send(_call: KeeperCall): Promise<CallOutcome> {
    return { status: "dry-run", logs: [] };
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
