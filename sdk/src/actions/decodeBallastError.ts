import { decodeErrorResult, type Hex } from "viem";
import {
  ballastErrorsAbi,
  type ContractErrorContext,
  createContractError,
  isBallastErrorName,
} from "../contractErrors.js";
import { BallastError, type BallastContractErrorArgs } from "../errors.js";

/** A revert the SDK could not map to a Ballast custom error: a panic, a string reason, or unknown data. */
export class BallastRevertError extends BallastError {
  override name = "BallastRevertError";
  /** The raw revert data (`0x` when the node gave none). */
  readonly data: Hex;

  constructor({
    data,
    shortMessage,
    details,
    panicCode,
    cause,
  }: {
    data: Hex;
    shortMessage: string;
    details: string;
    panicCode?: bigint;
    cause?: unknown;
  }) {
    super({
      shortMessage,
      details,
      revert:
        panicCode === 0x11n || panicCode === 0x12n
          ? { type: "panic", code: panicCode === 0x11n ? 0x11 : 0x12 }
          : undefined,
      cause,
    });
    this.data = data;
  }
}

export type DecodeBallastErrorParameters = {
  /** What was attempted, and the deployment's names, for the message. */
  context?: ContractErrorContext;
};

export type DecodeBallastErrorReturnType = BallastError | undefined;

function isHex(value: unknown): value is Hex {
  return typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value);
}

/** The revert data carried somewhere in an error's cause chain (viem, ethers or a raw RPC error). */
export function findRevertData(error: unknown): Hex | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const record = current as Record<string, unknown>;
    if (isHex(record.raw) && record.raw.length >= 10) return record.raw;
    if (isHex(record.data) && record.data.length >= 10) return record.data;
    const nested = record.data as Record<string, unknown> | undefined;
    if (nested !== null && typeof nested === "object" && isHex(nested.data) && nested.data.length >= 10) {
      return nested.data;
    }
    current = record.cause ?? record.error;
  }
  return undefined;
}

/**
 * The typed Ballast error behind a failed call or transaction (viem's `ContractFunctionExecutionError`, a raw RPC
 * error, an ethers `CallException`, …): a `BallastContractError` subclass for a custom error of any Ballast
 * contract, a `BallastRevertError` for a panic or an unknown revert, `undefined` when `error` carries no revert
 * data (a network failure, a rejected signature, …). The original error is kept as `cause`.
 */
export function decodeBallastError(
  error: unknown,
  { context }: DecodeBallastErrorParameters = {},
): DecodeBallastErrorReturnType {
  if (error instanceof BallastError) return error;
  const data = findRevertData(error);
  if (data === undefined) return undefined;
  let decoded: ReturnType<typeof decodeErrorResult<typeof ballastErrorsAbi>>;
  try {
    decoded = decodeErrorResult({ abi: ballastErrorsAbi, data });
  } catch {
    return new BallastRevertError({
      data,
      shortMessage: `The call reverted with data the Ballast ABIs do not describe (selector ${data.slice(0, 10)}).`,
      details: data,
      cause: error,
    });
  }
  const { errorName, args } = decoded as { errorName: string; args: readonly unknown[] | undefined };
  if (isBallastErrorName(errorName)) {
    return createContractError(errorName, (args ?? []) as BallastContractErrorArgs, context, error);
  }
  if (errorName === "Panic") {
    const code = (args?.[0] ?? 0n) as bigint;
    const what = code === 0x11n ? "an arithmetic overflow" : code === 0x12n ? "a division by zero" : "a panic";
    return new BallastRevertError({
      data,
      shortMessage: `The call reverted with ${what} (Panic 0x${code.toString(16)}); an amount is out of range.`,
      details: `Panic(${code})`,
      panicCode: code,
      cause: error,
    });
  }
  return new BallastRevertError({
    data,
    shortMessage: `The call reverted: ${String(args?.[0] ?? errorName)}.`,
    details: `${errorName}(${(args ?? []).map(String).join(", ")})`,
    cause: error,
  });
}
