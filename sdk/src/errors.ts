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

  constructor({ shortMessage, details, revert }: BallastErrorParameters) {
    super(`${shortMessage}\n\nDetails: ${details}`);
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

/** `MarginTiers.InvalidTierCount(count, maxCount)`: a table needs 1..MAX_TIERS brackets. */
export class InvalidTierCountError extends BallastError {
  override name = "InvalidTierCountError";
  readonly count: bigint;
  readonly maxCount: bigint;

  constructor({ count, maxCount }: { count: bigint; maxCount: bigint }) {
    super({
      shortMessage: `A margin tier table needs between 1 and ${maxCount} brackets; this one has ${count}.`,
      details: `count=${count} maxCount=${maxCount}`,
      revert: {
        type: "error",
        name: "InvalidTierCount",
        signature: "InvalidTierCount(uint256,uint256)",
        args: [count, maxCount],
      },
    });
    this.count = count;
    this.maxCount = maxCount;
  }
}

/** `MarginTiers.TierCapsNotIncreasing(index, previousCap, cap)`: caps must be strictly increasing and above 0. */
export class TierCapsNotIncreasingError extends BallastError {
  override name = "TierCapsNotIncreasingError";
  readonly index: bigint;
  readonly previousCap: bigint;
  readonly cap: bigint;

  constructor({ index, previousCap, cap }: { index: bigint; previousCap: bigint; cap: bigint }) {
    super({
      shortMessage: `Margin tier ${index} has notional cap ${cap}, which must be above the previous cap ${previousCap}.`,
      details: `index=${index} previousCap=${previousCap} cap=${cap}`,
      revert: {
        type: "error",
        name: "TierCapsNotIncreasing",
        signature: "TierCapsNotIncreasing(uint256,uint256,uint256)",
        args: [index, previousCap, cap],
      },
    });
    this.index = index;
    this.previousCap = previousCap;
    this.cap = cap;
  }
}

/** `MarginTiers.TierRatesDecreasing(index)`: a bracket's IM or MM rate is below the previous bracket's. */
export class TierRatesDecreasingError extends BallastError {
  override name = "TierRatesDecreasingError";
  readonly index: bigint;

  constructor({ index }: { index: bigint }) {
    super({
      shortMessage: `Margin tier ${index} has a lower initial or maintenance rate than tier ${index - 1n}; rates must not decrease.`,
      details: `index=${index}`,
      revert: { type: "error", name: "TierRatesDecreasing", signature: "TierRatesDecreasing(uint256)", args: [index] },
    });
    this.index = index;
  }
}

/** `MarginTiers.InvalidTierRates(index, initialMarginRate, maintenanceMarginRate)`: needs WAD ≥ imr > mmr > 0. */
export class InvalidTierRatesError extends BallastError {
  override name = "InvalidTierRatesError";
  readonly index: bigint;
  readonly initialMarginRate: bigint;
  readonly maintenanceMarginRate: bigint;

  constructor({
    index,
    initialMarginRate,
    maintenanceMarginRate,
  }: {
    index: bigint;
    initialMarginRate: bigint;
    maintenanceMarginRate: bigint;
  }) {
    super({
      shortMessage: `Margin tier ${index} needs 1e18 ≥ initial rate > maintenance rate > 0 (WAD); got ${initialMarginRate} and ${maintenanceMarginRate}.`,
      details: `index=${index} initialMarginRate=${initialMarginRate} maintenanceMarginRate=${maintenanceMarginRate}`,
      revert: {
        type: "error",
        name: "InvalidTierRates",
        signature: "InvalidTierRates(uint256,uint256,uint256)",
        args: [index, initialMarginRate, maintenanceMarginRate],
      },
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
export class FillPriceNotPositiveError extends BallastError {
  override name = "FillPriceNotPositiveError";
  readonly price: bigint;
  readonly skew: bigint;
  readonly sizeDelta: bigint;

  constructor({ price, skew, sizeDelta }: { price: bigint; skew: bigint; sizeDelta: bigint }) {
    super({
      shortMessage: `The skew discount would take the fill price of ${price} to zero or below; trade a smaller size or raise the market's skew scale.`,
      details: `price=${price} skew=${skew} sizeDelta=${sizeDelta}`,
      revert: {
        type: "error",
        name: "FillPriceNotPositive",
        signature: "FillPriceNotPositive(uint256,int256,int256)",
        args: [price, skew, sizeDelta],
      },
    });
    this.price = price;
    this.skew = skew;
    this.sizeDelta = sizeDelta;
  }
}
