/**
 * @ballast/sdk: exact margin math (bigint, bit-for-bit with the contracts), a viem client (reads, simulations,
 * transaction builders, event watching), typed ABIs and typed errors. Node and browsers.
 *
 * The on-chain simulations `simulateTrade`, `simulateWithdraw`, `simulateDeposit` and `simulateLiquidate` share
 * their names with the pure what-ifs of the math: import them from `@ballast/sdk/actions`, use the `actions`
 * namespace, or bind them with `createBallastClient`. Every other action is also exported here.
 */
export * from "./math/index.js";
export * from "./errors.js";
export * from "./contractErrors.js";
export * from "./format.js";
export * from "./abi/index.js";
export * from "./deployment.js";
export * from "./constants.js";
export * from "./events.js";
export { getLogsChunked, isRangeError, LogChunker } from "./actions/internal/logs.js";
export * from "./client/index.js";
export * as actions from "./actions/index.js";
export {
  acceptablePrice,
  BPS,
  type AcceptablePriceParameters,
} from "./actions/acceptablePrice.js";
export * from "./actions/buildApprove.js";
export * from "./actions/buildClaimRewards.js";
export * from "./actions/buildClose.js";
export * from "./actions/buildCreateAccount.js";
export * from "./actions/buildDeposit.js";
export * from "./actions/buildInsuranceDeposit.js";
export * from "./actions/buildInsuranceRequestWithdraw.js";
export * from "./actions/buildInsuranceSettle.js";
export * from "./actions/buildLiquidate.js";
export * from "./actions/buildLiquidateMany.js";
export * from "./actions/buildMintMockCollateral.js";
export * from "./actions/buildSetOperator.js";
export * from "./actions/buildTrade.js";
export * from "./actions/buildVaultRequestDeposit.js";
export * from "./actions/buildVaultRequestRedeem.js";
export * from "./actions/buildVaultSettle.js";
export * from "./actions/buildCancelOrder.js";
export * from "./actions/buildSettleOrder.js";
export * from "./actions/getOrder.js";
export * from "./actions/simulateOrder.js";
export * from "./actions/watchOrder.js";
export * from "./actions/buildWithdraw.js";
export * from "./actions/decodeBallastError.js";
export * from "./actions/getAccount.js";
export * from "./actions/getAccounts.js";
export * from "./actions/getCollateralBalance.js";
export * from "./actions/getCreatedAccountId.js";
export * from "./actions/getMarkets.js";
export * from "./actions/getOwnerAccounts.js";
export * from "./actions/getPoolRequests.js";
export * from "./actions/getPools.js";
export * from "./actions/simulateClose.js";
export * from "./actions/types.js";
export * from "./actions/watchAccount.js";
export * from "./actions/watchLiquidations.js";
export type {
  SimulateTradeParameters as SimulateTradeActionParameters,
  SimulateTradeReturnType as SimulateTradeActionReturnType,
} from "./actions/simulateTrade.js";
export type {
  SimulateWithdrawParameters as SimulateWithdrawActionParameters,
  SimulateWithdrawReturnType as SimulateWithdrawActionReturnType,
} from "./actions/simulateWithdraw.js";
export type {
  SimulateDepositParameters as SimulateDepositActionParameters,
  SimulateDepositReturnType as SimulateDepositActionReturnType,
} from "./actions/simulateDeposit.js";
export type {
  SimulateLiquidateParameters,
  SimulateLiquidateReturnType,
} from "./actions/simulateLiquidate.js";
