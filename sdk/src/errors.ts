import type { ContractErrorArgs, ContractErrorName } from "viem";
import type { ballastCoreAbi } from "./abi/ballastCore.js";
import type { governanceLogicAbi } from "./abi/governanceLogic.js";
import type { insurancePoolAbi } from "./abi/insurancePool.js";
import type { orderBookAbi } from "./abi/orderBook.js";
import type { liquidityVaultAbi } from "./abi/liquidityVault.js";
import type { oracleAdapterAbi } from "./abi/oracleAdapter.js";

/**
 * Typed errors of the Ballast SDK.
 *
 * Every error thrown by the math mirrors a revert of the contracts on the same input, and says which one in
 * `revert`, so that an off-chain caller can predict (and a test can check) the exact on-chain revert data.
 */

/** The on-chain revert that an SDK error stands for. */
export type SolidityRevert =
  | {
      /** A Solidity panic: `Panic(uint256)`. */
      readonly type: "panic";
      /** 0x11: arithmetic overflow or underflow; 0x12: division or modulo by zero. */
      readonly code: 0x11 | 0x12;
    }
  | {
      /** A custom error, e.g. OpenZeppelin's `SafeCastOverflowedUintToInt(uint256)`. */
      readonly type: "error";
      /** The Solidity error name. */
      readonly name: string;
      /** The Solidity error signature, e.g. `"InvalidTierCount(uint256,uint256)"`. */
      readonly signature: string;
      /** The error's arguments, in declaration order. */
      readonly args: readonly bigint[];
    };

/** The kind of failure behind a {@link BallastMathError}. */
export type BallastMathErrorReason =
  /** A division by zero: the contract panics with `Panic(0x12)`. */
  | "DivisionByZero"
  /** A checked operation overflowed (or underflowed): the contract panics with `Panic(0x11)`. */
  | "Overflow"
  /** A `SafeCast.toInt256` of a value above `type(int256).max`: the contract reverts with `SafeCastOverflowedUintToInt`. */
  | "SafeCastOverflow"
  /** An argument does not fit the Solidity parameter type: no transaction with this input can be encoded. */
  | "InvalidInput";

type BallastErrorParameters = {
  /** One line a person can act on. */
  shortMessage: string;
  /** The values behind the failure. */
  details: string;
  /** The revert the contracts raise on the same input, if any. */
  revert: SolidityRevert | undefined;
  /** The lower-level error this one wraps (e.g. viem's `ContractFunctionRevertedError`). */
  cause?: unknown;
};

/** Base class of every error thrown by the Ballast SDK (viem `BaseError` style: short message + details). */
export class BallastError extends Error {
  override name = "BallastError";
  /** One line a person can act on. */
  readonly shortMessage: string;
  /** The values behind the failure. */
  readonly details: string;
  /** The revert the contracts raise on the same input; `undefined` when the input cannot be sent on chain. */
  readonly revert: SolidityRevert | undefined;

  constructor({ shortMessage, details, revert, cause }: BallastErrorParameters) {
    super(`${shortMessage}\n\nDetails: ${details}`, cause === undefined ? undefined : { cause });
    this.shortMessage = shortMessage;
    this.details = details;
    this.revert = revert;
  }
}

/**
 * Thrown by the math functions wherever the Solidity library would revert (division by zero, checked
 * overflow, `SafeCast` overflow) and on arguments outside the Solidity parameter types.
 */
export class BallastMathError extends BallastError {
  override name = "BallastMathError";
  /** What went wrong; maps one to one to `revert`. */
  readonly reason: BallastMathErrorReason;
  /** The SDK function (named as in Solidity) in which the failure happened. */
  readonly functionName: string;

  constructor({
    reason,
    functionName,
    shortMessage,
    details,
    value = 0n,
  }: {
    reason: BallastMathErrorReason;
    functionName: string;
    shortMessage: string;
    details: string;
    /** For `SafeCastOverflow`: the value that did not fit in int256. */
    value?: bigint;
  }) {
    super({ shortMessage: `${functionName}: ${shortMessage}`, details, revert: revertOf(reason, value) });
    this.reason = reason;
    this.functionName = functionName;
  }
}

function revertOf(reason: BallastMathErrorReason, value: bigint): SolidityRevert | undefined {
  switch (reason) {
    case "DivisionByZero":
      return { type: "panic", code: 0x12 };
    case "Overflow":
      return { type: "panic", code: 0x11 };
    case "SafeCastOverflow":
      return {
        type: "error",
        name: "SafeCastOverflowedUintToInt",
        signature: "SafeCastOverflowedUintToInt(uint256)",
        args: [value],
      };
    case "InvalidInput":
      return undefined;
  }
}

type ErrorItem<abi> = Extract<abi extends readonly (infer item)[] ? item : never, { type: "error" }>;

/** Every custom error the Ballast contracts can raise (core, GovernanceLogic, OracleAdapter, vault, insurance, OZ). */
export type BallastErrorAbi = readonly (
  | ErrorItem<typeof ballastCoreAbi>
  | ErrorItem<typeof governanceLogicAbi>
  | ErrorItem<typeof oracleAdapterAbi>
  | ErrorItem<typeof liquidityVaultAbi>
  | ErrorItem<typeof insurancePoolAbi>
  | ErrorItem<typeof orderBookAbi>
)[];

/** The name of a Ballast custom error, e.g. `"InsufficientMargin"`. */
export type BallastContractErrorName = ContractErrorName<BallastErrorAbi>;

/** The decoded arguments of the custom error `name`, in declaration order. */
export type BallastContractErrorArgs<name extends BallastContractErrorName = BallastContractErrorName> =
  ContractErrorArgs<BallastErrorAbi, name>;

/** A decoded ABI value as one 32-byte word: addresses and bytes32 as their integer, booleans as 0/1. */
function toWord(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(value);
  if (typeof value === "boolean") return value ? 1n : 0n;
  if (typeof value === "string" && value.startsWith("0x")) return BigInt(value);
  throw new TypeError(`not a static ABI value: ${String(value)}`);
}

/** The parameters of a {@link BallastContractError}. */
export type BallastContractErrorParameters<name extends BallastContractErrorName = BallastContractErrorName> = {
  errorName: name;
  args: BallastContractErrorArgs<name>;
  /** Solidity signature, e.g. `"InsufficientMargin(int256,uint256)"`. */
  signature: string;
  shortMessage: string;
  details: string;
  cause?: unknown;
};

/**
 * A custom error of the Ballast contracts, decoded (from revert data, or predicted by the SDK's simulations).
 * `errorName` and `args` are typed from the ABI; `shortMessage` says what to do about it. Subclasses exist for
 * every error name (e.g. `InsufficientMarginError`), so `instanceof` works; see `contractErrors.ts`.
 * `revert.args` carries each argument as its 32-byte word (addresses and bytes32 as integers), so that it encodes
 * to the very revert data the contract returns.
 */
export class BallastContractError<
  name extends BallastContractErrorName = BallastContractErrorName,
> extends BallastError {
  override name: string = "BallastContractError";
  /** The Solidity error name, e.g. `"InsufficientMargin"`. */
  readonly errorName: name;
  /** The error's arguments, decoded (bigint, addresses as checksummed strings, bytes32 as hex). */
  readonly args: BallastContractErrorArgs<name>;

  constructor({ errorName, args, signature, shortMessage, details, cause }: BallastContractErrorParameters<name>) {
    super({
      shortMessage,
      details,
      revert: { type: "error", name: errorName, signature, args: (args as readonly unknown[]).map(toWord) },
      cause,
    });
    this.errorName = errorName;
    this.args = args;
  }
}

/** `MarginTiers.InvalidTierCount(count, maxCount)`: a table needs 1..MAX_TIERS brackets. */
export class InvalidTierCountError extends BallastContractError<"InvalidTierCount"> {
  override name = "InvalidTierCountError";
  readonly count: bigint;
  readonly maxCount: bigint;

  constructor({ count, maxCount, cause }: { count: bigint; maxCount: bigint; cause?: unknown }) {
    super({
      shortMessage: `A margin tier table needs between 1 and ${maxCount} brackets; this one has ${count}.`,
      details: `count=${count} maxCount=${maxCount}`,
      errorName: "InvalidTierCount",
      args: [count, maxCount],
      signature: "InvalidTierCount(uint256,uint256)",
      cause,
    });
    this.count = count;
    this.maxCount = maxCount;
  }
}

/** `MarginTiers.TierCapsNotIncreasing(index, previousCap, cap)`: caps must be strictly increasing and above 0. */
export class TierCapsNotIncreasingError extends BallastContractError<"TierCapsNotIncreasing"> {
  override name = "TierCapsNotIncreasingError";
  readonly index: bigint;
  readonly previousCap: bigint;
  readonly cap: bigint;

  constructor({
    index,
    previousCap,
    cap,
    cause,
  }: { index: bigint; previousCap: bigint; cap: bigint; cause?: unknown }) {
    super({
      shortMessage: `Margin tier ${index} has notional cap ${cap}, which must be above the previous cap ${previousCap}.`,
      details: `index=${index} previousCap=${previousCap} cap=${cap}`,
      errorName: "TierCapsNotIncreasing",
      args: [index, previousCap, cap],
      signature: "TierCapsNotIncreasing(uint256,uint256,uint256)",
      cause,
    });
    this.index = index;
    this.previousCap = previousCap;
    this.cap = cap;
  }
}

/** `MarginTiers.TierRatesDecreasing(index)`: a bracket's IM or MM rate is below the previous bracket's. */
export class TierRatesDecreasingError extends BallastContractError<"TierRatesDecreasing"> {
  override name = "TierRatesDecreasingError";
  readonly index: bigint;

  constructor({ index, cause }: { index: bigint; cause?: unknown }) {
    super({
      shortMessage: `Margin tier ${index} has a lower initial or maintenance rate than tier ${index - 1n}; rates must not decrease.`,
      details: `index=${index}`,
      errorName: "TierRatesDecreasing",
      args: [index],
      signature: "TierRatesDecreasing(uint256)",
      cause,
    });
    this.index = index;
  }
}

/** `MarginTiers.InvalidTierRates(index, initialMarginRate, maintenanceMarginRate)`: needs WAD ≥ imr > mmr > 0. */
export class InvalidTierRatesError extends BallastContractError<"InvalidTierRates"> {
  override name = "InvalidTierRatesError";
  readonly index: bigint;
  readonly initialMarginRate: bigint;
  readonly maintenanceMarginRate: bigint;

  constructor({
    index,
    initialMarginRate,
    maintenanceMarginRate,
    cause,
  }: {
    index: bigint;
    initialMarginRate: bigint;
    maintenanceMarginRate: bigint;
    cause?: unknown;
  }) {
    super({
      shortMessage: `Margin tier ${index} needs 1e18 ≥ initial rate > maintenance rate > 0 (WAD); got ${initialMarginRate} and ${maintenanceMarginRate}.`,
      details: `index=${index} initialMarginRate=${initialMarginRate} maintenanceMarginRate=${maintenanceMarginRate}`,
      errorName: "InvalidTierRates",
      args: [index, initialMarginRate, maintenanceMarginRate],
      signature: "InvalidTierRates(uint256,uint256,uint256)",
      cause,
    });
    this.index = index;
    this.initialMarginRate = initialMarginRate;
    this.maintenanceMarginRate = maintenanceMarginRate;
  }
}

/** Any error thrown by `validate` (MarginTiers). */
export type MarginTierValidationError =
  | InvalidTierCountError
  | TierCapsNotIncreasingError
  | TierRatesDecreasingError
  | InvalidTierRatesError;

/** `PricingMath.FillPriceNotPositive(price, skew, sizeDelta)`: the skew discount would take the fill price to 0. */
export class FillPriceNotPositiveError extends BallastContractError<"FillPriceNotPositive"> {
  override name = "FillPriceNotPositiveError";
  readonly price: bigint;
  readonly skew: bigint;
  readonly sizeDelta: bigint;

  constructor({ price, skew, sizeDelta, cause }: { price: bigint; skew: bigint; sizeDelta: bigint; cause?: unknown }) {
    super({
      shortMessage: `The skew discount would take the fill price of ${price} to zero or below; trade a smaller size or raise the market's skew scale.`,
      details: `price=${price} skew=${skew} sizeDelta=${sizeDelta}`,
      errorName: "FillPriceNotPositive",
      args: [price, skew, sizeDelta],
      signature: "FillPriceNotPositive(uint256,int256,int256)",
      cause,
    });
    this.price = price;
    this.skew = skew;
    this.sizeDelta = sizeDelta;
  }
}

/**
 * The input does not describe a state the SDK can evaluate (a price or a market is missing, a timestamp lies before
 * the market's last update, …). Not a contract revert: fix the input (usually: read the account again).
 */
export class BallastInputError extends BallastError {
  override name = "BallastInputError";
  constructor({ shortMessage, details }: { shortMessage: string; details: string }) {
    super({ shortMessage, details, revert: undefined });
  }
}
