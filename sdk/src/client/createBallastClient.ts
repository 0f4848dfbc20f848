import type { Account, Address, Chain, Client, Hash, Transport, WalletClient } from "viem";
import { sendTransaction } from "viem/actions";
import { buildApprove, type BuildApproveParameters } from "../actions/buildApprove.js";
import { buildClaimRewards, type BuildClaimRewardsParameters } from "../actions/buildClaimRewards.js";
import { buildClose, type BuildCloseParameters } from "../actions/buildClose.js";
import { buildCreateAccount, type BuildCreateAccountParameters } from "../actions/buildCreateAccount.js";
import { buildDeposit, type BuildDepositParameters } from "../actions/buildDeposit.js";
import { buildInsuranceDeposit, type BuildInsuranceDepositParameters } from "../actions/buildInsuranceDeposit.js";
import {
  buildInsuranceRequestWithdraw,
  type BuildInsuranceRequestWithdrawParameters,
} from "../actions/buildInsuranceRequestWithdraw.js";
import { buildInsuranceSettle, type BuildInsuranceSettleParameters } from "../actions/buildInsuranceSettle.js";
import { buildLiquidate, type BuildLiquidateParameters } from "../actions/buildLiquidate.js";
import { buildLiquidateMany, type BuildLiquidateManyParameters } from "../actions/buildLiquidateMany.js";
import { buildMintMockCollateral, type BuildMintMockCollateralParameters } from "../actions/buildMintMockCollateral.js";
import { buildSetOperator, type BuildSetOperatorParameters } from "../actions/buildSetOperator.js";
import { buildTrade, type BuildTradeParameters } from "../actions/buildTrade.js";
import {
  buildVaultRequestDeposit,
  type BuildVaultRequestDepositParameters,
} from "../actions/buildVaultRequestDeposit.js";
import { buildVaultRequestRedeem, type BuildVaultRequestRedeemParameters } from "../actions/buildVaultRequestRedeem.js";
import { buildVaultSettle, type BuildVaultSettleParameters } from "../actions/buildVaultSettle.js";
import { buildCancelOrder, type BuildCancelOrderParameters } from "../actions/buildCancelOrder.js";
import { buildSettleOrder, type BuildSettleOrderParameters } from "../actions/buildSettleOrder.js";
import { getOrder, type GetOrderParameters, type GetOrderReturnType } from "../actions/getOrder.js";
import { simulateOrder, type SimulateOrderParameters, type SimulateOrderReturnType } from "../actions/simulateOrder.js";
import { watchOrder, type WatchOrderParameters } from "../actions/watchOrder.js";
import { buildWithdraw, type BuildWithdrawParameters } from "../actions/buildWithdraw.js";
import { decodeBallastError } from "../actions/decodeBallastError.js";
import { type GetAccountParameters, type GetAccountReturnType, getAccount } from "../actions/getAccount.js";
import { type GetAccountsParameters, type GetAccountsReturnType, getAccounts } from "../actions/getAccounts.js";
import {
  type GetCollateralBalanceParameters,
  type GetCollateralBalanceReturnType,
  getCollateralBalance,
} from "../actions/getCollateralBalance.js";
import {
  type GetCreatedAccountIdParameters,
  type GetCreatedAccountIdReturnType,
  getCreatedAccountId,
} from "../actions/getCreatedAccountId.js";
import { type GetMarketsParameters, type GetMarketsReturnType, getMarkets } from "../actions/getMarkets.js";
import {
  type GetOwnerAccountsParameters,
  type GetOwnerAccountsReturnType,
  getOwnerAccounts,
} from "../actions/getOwnerAccounts.js";
import {
  type GetPoolRequestsParameters,
  type GetPoolRequestsReturnType,
  getPoolRequests,
} from "../actions/getPoolRequests.js";
import { type GetPoolsParameters, type GetPoolsReturnType, getPools } from "../actions/getPools.js";
import { deploymentContext } from "../actions/internal/reads.js";
import { type SimulateCloseParameters, type SimulateCloseReturnType, simulateClose } from "../actions/simulateClose.js";
import {
  type SimulateDepositParameters,
  type SimulateDepositReturnType,
  simulateDeposit,
} from "../actions/simulateDeposit.js";
import {
  type SimulateLiquidateParameters,
  type SimulateLiquidateReturnType,
  simulateLiquidate,
} from "../actions/simulateLiquidate.js";
import { type SimulateTradeParameters, type SimulateTradeReturnType, simulateTrade } from "../actions/simulateTrade.js";
import {
  type SimulateWithdrawParameters,
  type SimulateWithdrawReturnType,
  simulateWithdraw,
} from "../actions/simulateWithdraw.js";
import type { BallastTransaction } from "../actions/types.js";
import { type WatchAccountParameters, type WatchAccountReturnType, watchAccount } from "../actions/watchAccount.js";
import {
  type WatchLiquidationsParameters,
  type WatchLiquidationsReturnType,
  watchLiquidations,
} from "../actions/watchLiquidations.js";
import type { BallastDeployment } from "../deployment.js";
import { BallastInputError } from "../errors.js";

type WithoutDeployment<T> = T extends unknown ? Omit<T, "deployment"> : never;
/** Simulation parameters with the sender optional (default: the wallet client's account). */
type WithOptionalAccount<T> = Omit<WithoutDeployment<T>, "account"> & { account?: Address | Account };

export type CreateBallastClientParameters = {
  /** Any viem client that can read (a `PublicClient`). */
  publicClient: Client;
  /** A wallet client with an account, to send transactions and as the default sender of simulations. */
  walletClient?: WalletClient<Transport, Chain | undefined, Account | undefined>;
  deployment: BallastDeployment;
};

type Bound<P extends { deployment: BallastDeployment }, R> = (parameters: WithoutDeployment<P>) => R;

/** The actions of the SDK bound to one deployment (and, for sending, to one wallet). */
export type BallastClient = {
  deployment: BallastDeployment;
  publicClient: Client;
  walletClient: CreateBallastClientParameters["walletClient"];
  getAccount: (parameters: WithoutDeployment<GetAccountParameters>) => Promise<GetAccountReturnType>;
  getAccounts: (parameters: WithoutDeployment<GetAccountsParameters>) => Promise<GetAccountsReturnType>;
  getMarkets: (parameters?: WithoutDeployment<GetMarketsParameters>) => Promise<GetMarketsReturnType>;
  getPools: (parameters?: WithoutDeployment<GetPoolsParameters>) => Promise<GetPoolsReturnType>;
  getPoolRequests: (parameters: WithoutDeployment<GetPoolRequestsParameters>) => Promise<GetPoolRequestsReturnType>;
  getCollateralBalance: (
    parameters: WithoutDeployment<GetCollateralBalanceParameters>,
  ) => Promise<GetCollateralBalanceReturnType>;
  getOwnerAccounts: (parameters: WithoutDeployment<GetOwnerAccountsParameters>) => Promise<GetOwnerAccountsReturnType>;
  /** The account id in a `createAccount` receipt (no RPC call). */
  getCreatedAccountId: (parameters: WithoutDeployment<GetCreatedAccountIdParameters>) => GetCreatedAccountIdReturnType;
  simulateTrade: (parameters: WithOptionalAccount<SimulateTradeParameters>) => Promise<SimulateTradeReturnType>;
  /** The pending order of an account in a market. */
  getOrder: (parameters: WithoutDeployment<GetOrderParameters>) => Promise<GetOrderReturnType>;
  /** What-if of an order settling at a given price: every settlement check and the fill. */
  simulateOrder: (parameters: WithoutDeployment<SimulateOrderParameters>) => Promise<SimulateOrderReturnType>;
  /** Follows an order through settlement (pending, settleable, settled, cancelled with reason, expired). */
  watchOrder: (parameters: WithoutDeployment<WatchOrderParameters>) => () => void;
  simulateClose: (parameters: WithOptionalAccount<SimulateCloseParameters>) => Promise<SimulateCloseReturnType>;
  simulateWithdraw: (
    parameters: WithOptionalAccount<SimulateWithdrawParameters>,
  ) => Promise<SimulateWithdrawReturnType>;
  simulateDeposit: (parameters: WithOptionalAccount<SimulateDepositParameters>) => Promise<SimulateDepositReturnType>;
  simulateLiquidate: (
    parameters: WithOptionalAccount<SimulateLiquidateParameters>,
  ) => Promise<SimulateLiquidateReturnType>;
  watchAccount: (parameters: WithoutDeployment<WatchAccountParameters>) => WatchAccountReturnType;
  watchLiquidations: (parameters: WithoutDeployment<WatchLiquidationsParameters>) => WatchLiquidationsReturnType;
  /** Transaction builders: each returns `{ to, data, value }`. */
  build: {
    approve: Bound<BuildApproveParameters, BallastTransaction>;
    createAccount: Bound<BuildCreateAccountParameters, BallastTransaction>;
    setOperator: Bound<BuildSetOperatorParameters, BallastTransaction>;
    deposit: Bound<BuildDepositParameters, BallastTransaction>;
    withdraw: Bound<BuildWithdrawParameters, BallastTransaction>;
    /** Commits a trade order (settled later by a keeper at the first price after the delay). */
    trade: Bound<BuildTradeParameters, ReturnType<typeof buildTrade>>;
    /** Commits an order closing the whole position. */
    close: Bound<BuildCloseParameters, ReturnType<typeof buildClose>>;
    settleOrder: Bound<BuildSettleOrderParameters, BallastTransaction>;
    cancelOrder: Bound<BuildCancelOrderParameters, BallastTransaction>;
    liquidate: Bound<BuildLiquidateParameters, BallastTransaction>;
    liquidateMany: Bound<BuildLiquidateManyParameters, BallastTransaction>;
    claimRewards: Bound<BuildClaimRewardsParameters, BallastTransaction>;
    /** `MockERC20.mint`: local networks only (the mock collateral of a Hardhat deployment). */
    mintMockCollateral: Bound<BuildMintMockCollateralParameters, BallastTransaction>;
    vaultRequestDeposit: Bound<BuildVaultRequestDepositParameters, BallastTransaction>;
    vaultRequestRedeem: Bound<BuildVaultRequestRedeemParameters, BallastTransaction>;
    vaultSettle: Bound<BuildVaultSettleParameters, BallastTransaction>;
    insuranceDeposit: Bound<BuildInsuranceDepositParameters, BallastTransaction>;
    insuranceRequestWithdraw: Bound<BuildInsuranceRequestWithdrawParameters, BallastTransaction>;
    insuranceSettle: Bound<BuildInsuranceSettleParameters, BallastTransaction>;
  };
  /** Sends a built transaction from the wallet client's account; reverts are thrown as typed Ballast errors. */
  send: (transaction: BallastTransaction) => Promise<Hash>;
};

/**
 * Binds the SDK's actions to a deployment: `ballast.getAccount({ accountId })`, `ballast.simulateTrade({ … })`,
 * `ballast.build.trade({ … })`, `ballast.send(tx)`. Reverts are thrown as typed `BallastContractError`s.
 *
 * @example
 * const ballast = createBallastClient({ publicClient, walletClient, deployment });
 * const { fillPrice, transaction } = await ballast.simulateTrade({ accountId: 1n, marketId: 0, sizeDelta: 10n ** 17n });
 * const hash = await ballast.send(transaction);
 */
export function createBallastClient({
  publicClient,
  walletClient,
  deployment,
}: CreateBallastClientParameters): BallastClient {
  const sender = (account: Address | Account | undefined): Address | Account => {
    const resolved = account ?? walletClient?.account;
    if (resolved === undefined) {
      throw new BallastInputError({
        shortMessage: "This action needs a sender: pass `account`, or create the client with a `walletClient`.",
        details: "no account",
      });
    }
    return resolved;
  };
  const bind =
    <P extends { deployment: BallastDeployment }, R>(build: (parameters: P) => R) =>
    (parameters: WithoutDeployment<P>): R =>
      build({ ...parameters, deployment } as unknown as P);

  return {
    deployment,
    publicClient,
    walletClient,
    getAccount: (parameters: WithoutDeployment<GetAccountParameters>): Promise<GetAccountReturnType> =>
      getAccount(publicClient, { ...parameters, deployment }),
    getAccounts: (parameters: WithoutDeployment<GetAccountsParameters>): Promise<GetAccountsReturnType> =>
      getAccounts(publicClient, { ...parameters, deployment }),
    getMarkets: (parameters: WithoutDeployment<GetMarketsParameters> = {}): Promise<GetMarketsReturnType> =>
      getMarkets(publicClient, { ...parameters, deployment }),
    getPools: (parameters: WithoutDeployment<GetPoolsParameters> = {}): Promise<GetPoolsReturnType> =>
      getPools(publicClient, { ...parameters, deployment }),
    getPoolRequests: (parameters: WithoutDeployment<GetPoolRequestsParameters>): Promise<GetPoolRequestsReturnType> =>
      getPoolRequests(publicClient, { ...parameters, deployment }),
    getCollateralBalance: (
      parameters: WithoutDeployment<GetCollateralBalanceParameters>,
    ): Promise<GetCollateralBalanceReturnType> => getCollateralBalance(publicClient, { ...parameters, deployment }),
    getOwnerAccounts: (
      parameters: WithoutDeployment<GetOwnerAccountsParameters>,
    ): Promise<GetOwnerAccountsReturnType> => getOwnerAccounts(publicClient, { ...parameters, deployment }),
    getCreatedAccountId: (
      parameters: WithoutDeployment<GetCreatedAccountIdParameters>,
    ): GetCreatedAccountIdReturnType => getCreatedAccountId({ ...parameters, deployment }),
    simulateClose: ({
      account,
      ...parameters
    }: WithOptionalAccount<SimulateCloseParameters>): Promise<SimulateCloseReturnType> =>
      simulateClose(publicClient, { ...parameters, deployment, account: sender(account) }),
    simulateTrade: ({
      account,
      ...parameters
    }: WithOptionalAccount<SimulateTradeParameters>): Promise<SimulateTradeReturnType> =>
      simulateTrade(publicClient, { ...parameters, deployment, account: sender(account) }),
    getOrder: (parameters: WithoutDeployment<GetOrderParameters>): Promise<GetOrderReturnType> =>
      getOrder(publicClient, { ...parameters, deployment }),
    simulateOrder: (parameters: WithoutDeployment<SimulateOrderParameters>): Promise<SimulateOrderReturnType> =>
      simulateOrder(publicClient, { ...parameters, deployment }),
    watchOrder: (parameters: WithoutDeployment<WatchOrderParameters>): (() => void) =>
      watchOrder(publicClient, { ...parameters, deployment }),
    simulateWithdraw: ({
      account,
      ...parameters
    }: WithOptionalAccount<SimulateWithdrawParameters>): Promise<SimulateWithdrawReturnType> =>
      simulateWithdraw(publicClient, { ...parameters, deployment, account: sender(account) }),
    simulateDeposit: ({
      account,
      ...parameters
    }: WithOptionalAccount<SimulateDepositParameters>): Promise<SimulateDepositReturnType> =>
      simulateDeposit(publicClient, { ...parameters, deployment, account: sender(account) }),
    simulateLiquidate: ({
      account,
      ...parameters
    }: WithOptionalAccount<SimulateLiquidateParameters>): Promise<SimulateLiquidateReturnType> =>
      simulateLiquidate(publicClient, { ...parameters, deployment, account: sender(account) }),
    watchAccount: (parameters: WithoutDeployment<WatchAccountParameters>): WatchAccountReturnType =>
      watchAccount(publicClient, { ...parameters, deployment }),
    watchLiquidations: (parameters: WithoutDeployment<WatchLiquidationsParameters>): WatchLiquidationsReturnType =>
      watchLiquidations(publicClient, { ...parameters, deployment }),
    /** Transaction builders: each returns `{ to, data, value }`. */
    build: {
      approve: bind<BuildApproveParameters, BallastTransaction>(buildApprove),
      createAccount: bind<BuildCreateAccountParameters, BallastTransaction>(buildCreateAccount),
      setOperator: bind<BuildSetOperatorParameters, BallastTransaction>(buildSetOperator),
      deposit: bind<BuildDepositParameters, BallastTransaction>(buildDeposit),
      withdraw: bind<BuildWithdrawParameters, BallastTransaction>(buildWithdraw),
      trade: bind<BuildTradeParameters, ReturnType<typeof buildTrade>>(buildTrade),
      close: bind<BuildCloseParameters, ReturnType<typeof buildClose>>(buildClose),
      settleOrder: bind<BuildSettleOrderParameters, BallastTransaction>(buildSettleOrder),
      cancelOrder: bind<BuildCancelOrderParameters, BallastTransaction>(buildCancelOrder),
      liquidate: bind<BuildLiquidateParameters, BallastTransaction>(buildLiquidate),
      liquidateMany: bind<BuildLiquidateManyParameters, BallastTransaction>(buildLiquidateMany),
      claimRewards: bind<BuildClaimRewardsParameters, BallastTransaction>(buildClaimRewards),
      mintMockCollateral: bind<BuildMintMockCollateralParameters, BallastTransaction>(buildMintMockCollateral),
      vaultRequestDeposit: bind<BuildVaultRequestDepositParameters, BallastTransaction>(buildVaultRequestDeposit),
      vaultRequestRedeem: bind<BuildVaultRequestRedeemParameters, BallastTransaction>(buildVaultRequestRedeem),
      vaultSettle: bind<BuildVaultSettleParameters, BallastTransaction>(buildVaultSettle),
      insuranceDeposit: bind<BuildInsuranceDepositParameters, BallastTransaction>(buildInsuranceDeposit),
      insuranceRequestWithdraw: bind<BuildInsuranceRequestWithdrawParameters, BallastTransaction>(
        buildInsuranceRequestWithdraw,
      ),
      insuranceSettle: bind<BuildInsuranceSettleParameters, BallastTransaction>(buildInsuranceSettle),
    },
    /**
     * Sends a built transaction from the wallet client's account; a revert (in gas estimation) is thrown as a
     * typed Ballast error.
     */
    send: async (transaction: BallastTransaction): Promise<Hash> => {
      if (walletClient?.account === undefined) {
        throw new BallastInputError({
          shortMessage: "Sending needs a `walletClient` with an account.",
          details: "no wallet client",
        });
      }
      try {
        return await sendTransaction(walletClient, {
          ...transaction,
          account: walletClient.account,
          chain: walletClient.chain ?? null,
        });
      } catch (error) {
        throw decodeBallastError(error, { context: deploymentContext(deployment) }) ?? error;
      }
    },
  };
}
