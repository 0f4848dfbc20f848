/**
 * The Ballast contracts' custom errors as typed SDK errors: one `BallastContractError` subclass per Solidity error
 * (core, GovernanceLogic, OracleAdapter, LiquidityVault, InsurancePool and the OpenZeppelin errors they use), each
 * with a message a person can act on. {@link createContractError} builds one from a decoded revert (see
 * `decodeBallastError` in the client) or from the SDK's own prediction (`simulateTrade`, `simulateWithdraw`).
 *
 * Amounts in messages: WAD USD as `$1,234.56`, collateral as token units when the context names the token, prices
 * as USD, sizes as base units.
 *
 * @module
 */
import { ballastCoreAbi } from "./abi/ballastCore.js";
import { governanceLogicAbi } from "./abi/governanceLogic.js";
import { insurancePoolAbi } from "./abi/insurancePool.js";
import { liquidityVaultAbi } from "./abi/liquidityVault.js";
import { oracleAdapterAbi } from "./abi/oracleAdapter.js";
import { orderBookAbi } from "./abi/orderBook.js";
import {
  type BallastContractError,
  type BallastContractErrorArgs,
  type BallastContractErrorName,
  type BallastErrorAbi,
  FillPriceNotPositiveError,
  InvalidTierCountError,
  InvalidTierRatesError,
  TierCapsNotIncreasingError,
  TierRatesDecreasingError,
} from "./errors.js";
import { ERROR_CLASSES, ERROR_NOTICES, type ErrorClass } from "./abi/errorClasses.js";

export * from "./abi/errorClasses.js";
import { formatPercent, formatPrice, formatSize, formatToken, formatUsd } from "./format.js";
import type { MarketMap } from "./math/types.js";

function errorItems(abi: readonly { type: string }[]) {
  return abi.filter((item) => item.type === "error") as unknown as BallastErrorAbi;
}

/**
 * Every custom error of the Ballast contracts, deduplicated by signature: pass it as `abi` to viem's
 * `decodeErrorResult` (the client actions do).
 */
export const ballastErrorsAbi: BallastErrorAbi = (() => {
  const seen = new Set<string>();
  const items: BallastErrorAbi[number][] = [];
  for (const abi of [
    ballastCoreAbi,
    governanceLogicAbi,
    oracleAdapterAbi,
    liquidityVaultAbi,
    insurancePoolAbi,
    orderBookAbi,
  ]) {
    for (const item of errorItems(abi)) {
      const signature = `${item.name}(${item.inputs.map((input) => input.type).join(",")})`;
      if (seen.has(signature)) continue;
      seen.add(signature);
      items.push(item);
    }
  }
  return items;
})();

/** The Solidity signature of a Ballast error, e.g. `"InsufficientMargin(int256,uint256)"`. */
export function errorSignature(errorName: BallastContractErrorName): string {
  const item = ballastErrorsAbi.find((candidate) => candidate.name === errorName);
  if (item === undefined) return `${errorName}()`;
  return `${item.name}(${item.inputs.map((input) => input.type).join(",")})`;
}

/** What the SDK knows about the action that failed; every field is optional and only sharpens the message. */
export type ContractErrorContext = {
  /** What was attempted, lower case, e.g. `"withdrawing 500 USDC"`; starts the message. */
  action?: string;
  /** The collateral token, to show collateral amounts in token units. */
  collateral?: { symbol: string; decimals: number };
  /** Market symbols by id, and feed ids, to name markets and feeds. */
  markets?: readonly { marketId: number; symbol: string; feedId?: string }[];
  /** The SDK's prediction of the account right after the action (for messages about margin). */
  healthAfter?: { margin?: bigint; equity: bigint; initialMargin: bigint; maintenanceMargin: bigint };
};

/**
 * Messages that use what the SDK knows beyond the revert (token units, market names, what to do next). An error
 * without an entry here gets its NatSpec `@notice` (generated from the contracts into `ERROR_NOTICES`) with its
 * arguments filled in, so a new error in the contracts has a message without any change here.
 */
type Messages = {
  [name in BallastContractErrorName]?: (args: BallastContractErrorArgs<name>, context: ContractErrorContext) => string;
};

function capitalise(text: string): string {
  return text.length === 0 ? text : text[0]?.toUpperCase() + text.slice(1);
}

function actionOr(context: ContractErrorContext, fallback: string): string {
  return capitalise(context.action ?? fallback);
}

function marketName(context: ContractErrorContext, marketId: bigint): string {
  const market = context.markets?.find((m) => BigInt(m.marketId) === marketId);
  return market === undefined ? `market ${marketId}` : `the ${market.symbol} market (${marketId})`;
}

function feedName(context: ContractErrorContext, feedId: string): string {
  const market = context.markets?.find((m) => m.feedId?.toLowerCase() === feedId.toLowerCase());
  return market === undefined ? `feed ${feedId}` : `the ${market.symbol}/USD feed`;
}

/** A WAD USD amount of collateral in token units (rounded down), or USD without a token context. */
function collateralAmount(context: ContractErrorContext, wad: bigint): string {
  const token = context.collateral;
  if (token === undefined) return formatUsd(wad);
  return formatToken(wad / 10n ** BigInt(18 - token.decimals), token.decimals, token.symbol);
}

/** Token units of collateral. */
function tokenAmount(context: ContractErrorContext, assets: bigint): string {
  const token = context.collateral;
  return token === undefined ? `${assets} token units` : formatToken(assets, token.decimals, token.symbol);
}

function time(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

function bytes32ToText(value: string): string {
  const hex = value.replace(/^0x/, "").replace(/(00)+$/, "");
  let text = "";
  for (let i = 0; i < hex.length; i += 2) text += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  return /^[\x20-\x7e]+$/.test(text) ? text : value;
}

const MESSAGES: Messages = {
  // ------------------------------------------------------------------ core: accounts and collateral
  AccountNotFound: ([accountId]) => `Account ${accountId} does not exist; check the account id (ids start at 1).`,
  Unauthorized: ([accountId, caller]) =>
    `${caller} is neither the owner of account ${accountId} nor an approved operator; send from the owner, or have the owner call setOperator(${caller}, true).`,
  IsolatedMarketMismatch: ([accountId, isolatedMarketId, marketId], c) =>
    `Account ${accountId} is isolated to ${marketName(c, isolatedMarketId)} and cannot trade ${marketName(c, marketId)}; use a cross account or one isolated to that market.`,
  TooManyPositions: ([accountId, maxPositions]) =>
    `Account ${accountId} already has ${maxPositions} open positions, the maximum; close one first or use another account.`,
  ZeroAmount: (_, c) => `${actionOr(c, "this call")} names a zero amount; the amount must be above zero.`,
  ZeroAddress: () => "An address argument is the zero address; pass a real recipient or contract.",
  UnsupportedDecimals: ([decimals]) => `A token or feed with ${decimals} decimals is not supported.`,
  FeeOnTransferNotSupported: ([expected, received], c) =>
    `The token delivered ${tokenAmount(c, received)} instead of ${tokenAmount(c, expected)}: fee-on-transfer tokens are not supported.`,
  InsufficientMargin: ([equity, initialMargin], c) =>
    `${actionOr(c, "this trade")} would leave equity ${formatUsd(equity)} below the initial margin ${formatUsd(initialMargin)}; add at least ${formatUsd(initialMargin - equity, 2, "up")} of margin or trade a smaller size.`,
  WithdrawalExceedsAvailable: ([requested, available], c) => {
    const after = c.healthAfter;
    const action = actionOr(c, "this withdrawal");
    const limit = `at most ${collateralAmount(c, available)} can be withdrawn now`;
    if (after === undefined) {
      // No prediction (e.g. a revert decoded from a sent transaction): the cause is unknown, so state the rule.
      return `${action} asks for ${collateralAmount(c, requested)}; ${limit} (the lesser of the realised margin and the equity above the initial margin).`;
    }
    // A withdrawal lowers margin and equity alike, so equity − margin (unrealised PnL net of funding) is unchanged.
    const unrealised = after.margin === undefined ? undefined : after.equity - after.margin;
    if (after.equity < after.initialMargin) {
      const losses =
        unrealised !== undefined && unrealised < 0n
          ? `: open losses of ${formatUsd(-unrealised)} count against the margin`
          : "";
      return `${action} would leave equity ${formatUsd(after.equity)} below the initial margin ${formatUsd(after.initialMargin)}${losses}; ${limit}.`;
    }
    // Equity would stay above IM, so the realised margin binds: the rest of equity is unrealised profit.
    const profit = unrealised === undefined ? "" : ` of ${formatUsd(unrealised)}`;
    return `${action} asks for ${collateralAmount(c, requested)}, more than the realised margin; ${limit} (unrealised profit${profit} cannot leave until it is realised).`;
  },
  FeeExceedsMargin: ([fee, payableMargin], c) =>
    `${actionOr(c, "this trade")} costs a fee of ${formatUsd(fee, 2, "up")}, more than the ${formatUsd(payableMargin)} of realised margin left after its profit or loss; deposit at least ${formatUsd(fee - payableMargin, 2, "up")} first, or realise profits in another market.`,
  AccountLiquidatable: ([accountId, equity, maintenanceMargin]) =>
    `Account ${accountId} is liquidatable (equity ${formatUsd(equity)} ≤ maintenance margin ${formatUsd(maintenanceMargin)}) and cannot trade; deposit more than ${formatUsd(maintenanceMargin - equity, 2, "up")} to restore it.`,
  ReductionLeavesAccountUnhealthy: ([equity, maintenanceMargin], c) =>
    `${actionOr(c, "this reduction")} would leave equity ${formatUsd(equity)} ${equity < 0n ? "negative" : `at or below the maintenance margin ${formatUsd(maintenanceMargin)}`}; reduce by a different amount, or add margin first.`,
  AccountNotLiquidatable: ([accountId, equity, maintenanceMargin]) =>
    `Account ${accountId} is not liquidatable: its equity ${formatUsd(equity)} is above its maintenance margin ${formatUsd(maintenanceMargin)}.`,
  SlippageExceeded: ([fillPrice, acceptablePrice]) =>
    `The fill price ${formatPrice(fillPrice)} is worse than the acceptable price ${formatPrice(acceptablePrice)}; widen the slippage tolerance or retry at the new price.`,
  OpenInterestCapExceeded: ([marketId, openInterest, cap], c) =>
    `The trade would take open interest of ${marketName(c, marketId)} on its side to ${formatSize(openInterest)}, above the cap ${formatSize(cap)}; trade a smaller size.`,
  PositionBelowMinimum: ([positionNotional, minNotional]) =>
    `The position would be worth ${formatUsd(positionNotional)}, below the market minimum ${formatUsd(minNotional)}; trade a larger size, or close the position in full.`,
  RampInProgress: ([marketId, rampEnd], c) =>
    `A margin-table change of ${marketName(c, marketId)} is still ramping in until ${time(rampEnd)}; retry after it ends.`,
  VaultReserveBreached: ([assets, withdrawableAssets], c) =>
    `The vault can release only ${tokenAmount(c, withdrawableAssets)} now (realised ledger and open-interest reserve); ${tokenAmount(c, assets)} was asked. Withdraw at most that, or wait for open interest to fall.`,
  InsufficientInsurance: ([assets, availableAssets], c) =>
    `The insurance ledger holds ${tokenAmount(c, availableAssets)}; ${tokenAmount(c, assets)} was asked.`,
  NothingToClaim: ([recipient]) => `${recipient} has no keeper rewards worth a whole token unit to claim.`,
  InsufficientLiquidity: ([requested, available]) =>
    `Only ${formatUsd(available)} of the core's tokens is free to pay out (the rest is owed to the insurance pool and to keepers, because traders' realised profits exceed the LP capital); ${formatUsd(requested)} was asked. Withdraw at most that, or wait for LPs to recapitalise the vault.`,
  FillPriceNotPositive: ([price, skew, sizeDelta]) =>
    `The skew discount would take the fill price of ${formatPrice(price)} to zero or below (skew ${formatSize(skew)}, trade ${formatSize(sizeDelta)}); trade a smaller size.`,
  // ------------------------------------------------------------------ OpenZeppelin (core, pools, oracle)
  AccessControlBadConfirmation: () => "renounceRole must be called by the account renouncing its own role.",
  AccessControlUnauthorizedAccount: ([account, neededRole]) =>
    `${account} lacks the role ${neededRole} that this call needs; send it from an account holding the role.`,
  EnforcedPause: () =>
    "The protocol is paused: opening or increasing positions is stopped. Deposits, withdrawals, reductions and closes still work.",
  ExpectedPause: () => "The protocol is not paused.",
  ReentrancyGuardReentrantCall: () => "Re-entrant call rejected.",
  SafeCastOverflowedIntDowncast: ([bits, value]) =>
    `The value ${value} does not fit in int${bits}; use a smaller amount.`,
  SafeCastOverflowedUintDowncast: ([bits, value]) =>
    `The value ${value} does not fit in uint${bits}; use a smaller amount.`,
  SafeCastOverflowedUintToInt: ([value]) => `The value ${value} does not fit in int256; use a smaller amount.`,
  SafeERC20FailedOperation: ([token]) => `A transfer of token ${token} failed; check the balance and the allowance.`,
  ERC20InsufficientAllowance: ([spender, allowance, needed]) =>
    `The allowance of ${spender} is ${allowance} token units, below the ${needed} needed; approve the spender first (buildApprove).`,
  ERC20InsufficientBalance: ([sender, balance, needed]) =>
    `${sender} holds ${balance} units but ${needed} are needed; top up the balance or use a smaller amount.`,
  ERC20InvalidApprover: ([approver]) => `Invalid approver ${approver}.`,
  ERC20InvalidReceiver: ([receiver]) => `Invalid receiver ${receiver}.`,
  ERC20InvalidSender: ([sender]) => `Invalid sender ${sender}.`,
  ERC20InvalidSpender: ([spender]) => `Invalid spender ${spender}.`,
  ERC4626ExceededMaxDeposit: ([receiver, assets, max]) =>
    `A deposit of ${assets} units for ${receiver} exceeds the maximum ${max} the pool accepts now (vault deposits are requests settled after a delay).`,
  ERC4626ExceededMaxMint: ([receiver, shares, max]) =>
    `Minting ${shares} shares for ${receiver} exceeds the maximum ${max}.`,
  ERC4626ExceededMaxRedeem: ([owner, shares, max]) =>
    `${owner} can redeem at most ${max} shares now, not ${shares} (exits from the vault and the insurance pool are requests settled after a delay).`,
  ERC4626ExceededMaxWithdraw: ([owner, assets, max]) =>
    `${owner} can withdraw at most ${max} units now, not ${assets} (exits from the vault and the insurance pool are requests settled after a delay).`,
  // ------------------------------------------------------------------ GovernanceLogic
  ParameterOutOfBounds: ([parameter, value, min, max]) =>
    `Parameter ${bytes32ToText(parameter)} = ${value} is outside its bounds [${min}, ${max}].`,
  LiquidationFeeNotBelowMaintenance: ([liquidationFeeRate, maintenanceMarginRate]) =>
    `The liquidation fee rate ${formatPercent(liquidationFeeRate, 4)} must stay below every maintenance rate (${formatPercent(maintenanceMarginRate, 4)} here).`,
  InvalidTierCount: ([count, maxCount]) =>
    `A margin tier table needs between 1 and ${maxCount} brackets; this one has ${count}.`,
  TierCapsNotIncreasing: ([index, previousCap, cap]) =>
    `Margin tier ${index} has notional cap ${formatUsd(cap)}, which must be above the previous cap ${formatUsd(previousCap)}.`,
  TierRatesDecreasing: ([index]) =>
    `Margin tier ${index} has a lower initial or maintenance rate than tier ${index - 1n}; rates must not decrease.`,
  InvalidTierRates: ([index, initialMarginRate, maintenanceMarginRate]) =>
    `Margin tier ${index} needs 100% ≥ initial rate > maintenance rate > 0; got ${formatPercent(initialMarginRate, 4)} and ${formatPercent(maintenanceMarginRate, 4)}.`,
  // ------------------------------------------------------------------ OracleAdapter
  SequencerDown: () =>
    "The L2 sequencer is down: prices are refused, so trades, withdrawals and liquidations wait; deposits still work.",
  SequencerGracePeriodNotOver: ([upSince, gracePeriod]) =>
    `The L2 sequencer came back up at ${time(upSince)}; prices are refused for ${gracePeriod} s after that so that users can add margin first. Retry after ${time(upSince + gracePeriod)}.`,
  FeedNotConfigured: ([feedId], c) => `${capitalise(feedName(c, feedId))} is not configured in the oracle adapter.`,
  InvalidAnswer: ([feedId, answer], c) =>
    `${capitalise(feedName(c, feedId))} answered ${answer}, not a positive price: actions that need this price wait; deposits still work.`,
  StalePrice: ([feedId, updatedAt, heartbeat], c) =>
    `${capitalise(feedName(c, feedId))} is stale (last updated ${updatedAt === 0n ? "never" : time(updatedAt)}, heartbeat ${heartbeat} s): trades, withdrawals and liquidations in this market wait for a fresh price; deposits still work.`,
  PriceOutOfBounds: ([feedId, priceWad, minPriceWad, maxPriceWad], c) =>
    `${capitalise(feedName(c, feedId))} reads ${formatPrice(priceWad)}, outside its accepted range [${formatPrice(minPriceWad)}, ${formatPrice(maxPriceWad)}]: actions that need this price wait; deposits still work.`,
  InvalidHeartbeat: ([heartbeat, maxHeartbeat]) => `Heartbeat ${heartbeat} s must be in (0, ${maxHeartbeat}] s.`,
  InvalidPriceBounds: ([minPriceWad, maxPriceWad]) =>
    `Price bounds [${minPriceWad}, ${maxPriceWad}] must satisfy 0 < min < max ≤ 1e36.`,
  InvalidGracePeriod: ([gracePeriod, maxGracePeriod]) =>
    `Grace period ${gracePeriod} s is above the maximum ${maxGracePeriod} s.`,
  // ------------------------------------------------------------------ LiquidityVault and InsurancePool (ERC-7540 requests)
  SynchronousFlowDisabled: () =>
    "Deposits into the vault and exits from the vault and the insurance pool are asynchronous: request them (requestDeposit / requestRedeem) and settle after the delay (settleDeposit / settleRedeem).",
  SettlementTooEarly: ([controller, unlockTime, timestamp]) =>
    `The request of ${controller} can be settled from ${time(unlockTime)} (${unlockTime - timestamp} s from now); anyone may settle it then.`,
  NoPendingRequest: ([controller]) => `${controller} has no pending request of this kind to settle.`,
  NotOwnerOrOperator: ([account, caller]) =>
    `${caller} may not act for ${account}: send from ${account}, or have it approve ${caller} as an operator (setOperator) first.`,
  NavWipedOut: () =>
    "The vault's NAV reads zero while shares exist (traders' profits exceed its capital): deposits are neither requested nor settled until it recovers.",
  RequestExceedsBalance: ([balance, shares]) =>
    `A request for ${shares} shares exceeds the ${balance} shares held; request at most the balance.`,
  CooldownOutOfBounds: ([cooldown, min, max]) => `Cooldown ${cooldown} s is outside [${min}, ${max}] s.`,
  SettlementDelayOutOfBounds: ([delay, min, max]) => `Settlement delay ${delay} s is outside [${min}, ${max}] s.`,
};

/** The error's NatSpec notice with each \`parameter\` replaced by its value (or the bare signature without one). */
function noticeMessage(errorName: BallastContractErrorName, args: readonly unknown[]): string {
  const notice = ERROR_NOTICES[errorName];
  if (notice === undefined) return `The contracts reverted with ${detailsOf(errorName, args)}.`;
  const item = ballastErrorsAbi.find((candidate) => candidate.name === errorName);
  const values = new Map<string, string>(item?.inputs.map((input, i) => [input.name ?? "", String(args[i])]) ?? []);
  return notice.replace(/`(\w+)`/g, (whole, name: string) => values.get(name) ?? whole);
}

function detailsOf(errorName: BallastContractErrorName, args: readonly unknown[]): string {
  const item = ballastErrorsAbi.find((candidate) => candidate.name === errorName);
  const names = item?.inputs.map((input, i) => input.name || `arg${i}`) ?? args.map((_, i) => `arg${i}`);
  return `${errorName}(${args.map((value, i) => `${names[i]}=${String(value)}`).join(", ")})`;
}

function legacyError(errorName: BallastContractErrorName, args: readonly unknown[], cause: unknown) {
  const [a, b, c] = args as readonly bigint[];
  switch (errorName) {
    case "FillPriceNotPositive":
      return new FillPriceNotPositiveError({ price: a ?? 0n, skew: b ?? 0n, sizeDelta: c ?? 0n, cause });
    case "InvalidTierCount":
      return new InvalidTierCountError({ count: a ?? 0n, maxCount: b ?? 0n, cause });
    case "TierCapsNotIncreasing":
      return new TierCapsNotIncreasingError({ index: a ?? 0n, previousCap: b ?? 0n, cap: c ?? 0n, cause });
    case "TierRatesDecreasing":
      return new TierRatesDecreasingError({ index: a ?? 0n, cause });
    default:
      return new InvalidTierRatesError({
        index: a ?? 0n,
        initialMarginRate: b ?? 0n,
        maintenanceMarginRate: c ?? 0n,
        cause,
      });
  }
}

/** Whether `name` is the name of a Ballast custom error. */
export function isBallastErrorName(name: string): name is BallastContractErrorName {
  return Object.hasOwn(ERROR_CLASSES, name);
}

/**
 * The typed error for the custom error `errorName` with `args`: an instance of its subclass (e.g.
 * `InsufficientMarginError`) whose `shortMessage` says what to do, using `context` where given.
 */
export function createContractError<name extends BallastContractErrorName>(
  errorName: name,
  args: BallastContractErrorArgs<name>,
  context: ContractErrorContext = {},
  cause?: unknown,
): BallastContractError<name> {
  const Class = ERROR_CLASSES[errorName] as ErrorClass<name> | "math";
  const details = detailsOf(errorName, args as readonly unknown[]);
  if (Class === "math") {
    const error = legacyError(errorName, args as readonly unknown[], cause) as unknown as BallastContractError<name>;
    return error;
  }
  const format = MESSAGES[errorName] as
    | ((args: BallastContractErrorArgs<name>, context: ContractErrorContext) => string)
    | undefined;
  return new Class({
    errorName,
    args,
    signature: errorSignature(errorName),
    shortMessage: format === undefined ? noticeMessage(errorName, args as readonly unknown[]) : format(args, context),
    details,
    cause,
  });
}

/** Market symbols by id as a context entry, from a deployment's market list. */
export function marketSymbols(markets: MarketMap<{ symbol: string }>): ContractErrorContext["markets"] {
  const list: { marketId: number; symbol: string }[] = [];
  for (const key of Object.keys(markets)) {
    const market = markets[Number(key)];
    if (market !== undefined) list.push({ marketId: Number(key), symbol: market.symbol });
  }
  return list;
}
