/**
 * React hooks over the SDK: the latest block, markets read at each block (`getMarkets`), one account kept live
 * (`watchAccount`), pools and wallet balances, the owner's accounts and the liquidation feed.
 */
import {
  type AccountView,
  type BallastClient,
  type BallastDeployment,
  type GetCollateralBalanceReturnType,
  getCollateralBalance,
  getOwnerAccounts,
  getPoolRequests,
  getPools,
  type LiquidationEntry,
  type MarketsView,
  type PoolRequestsView,
  type PoolsView,
  watchLiquidations,
} from "@ballast/sdk";
import { useEffect, useRef, useState } from "react";
import type { Address, Client } from "viem";
import { watchBlockNumber } from "viem/actions";
import { errorMessage } from "./format.js";

export type Loadable<T> = { data: T | undefined; error: string | undefined };

/** The chain head, polled. */
export function useBlockNumber(client: Client, pollingInterval: number): Loadable<bigint> {
  const [state, setState] = useState<Loadable<bigint>>({ data: undefined, error: undefined });
  useEffect(
    () =>
      watchBlockNumber(client, {
        emitOnBegin: true,
        emitMissed: false,
        poll: true,
        pollingInterval,
        onBlockNumber: (blockNumber) => setState({ data: blockNumber, error: undefined }),
        onError: (error) => setState((previous) => ({ data: previous.data, error: errorMessage(error) })),
      }),
    [client, pollingInterval],
  );
  return state;
}

/**
 * `read(blockNumber)` at every new block; results arriving out of order are dropped, so the state only moves
 * forward. `key` resets the state (e.g. another owner).
 */
export function useReadAtBlock<T>(
  blockNumber: bigint | undefined,
  read: ((blockNumber: bigint) => Promise<T>) | undefined,
  key: string,
): Loadable<T> {
  const [state, setState] = useState<Loadable<T> & { block?: bigint; key?: string }>({
    data: undefined,
    error: undefined,
  });
  const latest = useRef<bigint>(-1n);
  const readRef = useRef(read);
  readRef.current = read;
  useEffect(() => {
    latest.current = -1n;
    setState({ data: undefined, error: undefined, key });
  }, [key]);
  useEffect(() => {
    const current = readRef.current;
    if (blockNumber === undefined || current === undefined) return;
    let cancelled = false;
    current(blockNumber)
      .then((data) => {
        if (cancelled || blockNumber < latest.current) return;
        latest.current = blockNumber;
        setState({ data, error: undefined, block: blockNumber, key });
      })
      .catch((error: unknown) => {
        if (!cancelled) setState((previous) => ({ ...previous, error: errorMessage(error) }));
      });
    return () => {
      cancelled = true;
    };
  }, [blockNumber, key]);
  return { data: state.data, error: state.error };
}

/** Every market (price, funding, open interest, tiers, ramp) at the latest block, with one SDK multicall. */
export function useMarkets(ballast: BallastClient, blockNumber: bigint | undefined): Loadable<MarketsView> {
  return useReadAtBlock(blockNumber, (block) => ballast.getMarkets({ blockNumber: block }), ballast.deployment.core);
}

/** The pools, at the latest block (the SDK's `getPools`: one multicall). */
export function usePools(client: Client, deployment: BallastDeployment, blockNumber: bigint | undefined) {
  return useReadAtBlock<PoolsView>(
    blockNumber,
    (block) => getPools(client, { deployment, blockNumber: block }),
    deployment.core,
  );
}

/** The owner's pending vault and insurance requests, at the latest block (the SDK's `getPoolRequests`). */
export function usePoolRequests(
  client: Client,
  deployment: BallastDeployment,
  owner: Address | undefined,
  blockNumber: bigint | undefined,
): Loadable<PoolRequestsView> {
  return useReadAtBlock(
    blockNumber,
    owner === undefined
      ? undefined
      : (block) => getPoolRequests(client, { deployment, controller: owner, blockNumber: block }),
    `${deployment.core}:requests:${owner ?? ""}`,
  );
}

/** The owner's collateral balance and allowances, at the latest block (the SDK's `getCollateralBalance`). */
export function useWalletBalances(
  client: Client,
  deployment: BallastDeployment,
  owner: Address | undefined,
  blockNumber: bigint | undefined,
): Loadable<GetCollateralBalanceReturnType> {
  return useReadAtBlock(
    blockNumber,
    owner === undefined
      ? undefined
      : (block) => getCollateralBalance(client, { deployment, owner, blockNumber: block }),
    `${deployment.core}:${owner ?? ""}`,
  );
}

/**
 * One account, kept current by the SDK's `watchAccount`: re-read on its events, and recomputed locally (health,
 * liquidation preview, price lines) on every price update of a market it holds.
 */
export function useAccountView(
  ballast: BallastClient,
  accountId: bigint | undefined,
  pollingInterval: number,
): Loadable<AccountView> {
  const [state, setState] = useState<Loadable<AccountView>>({ data: undefined, error: undefined });
  useEffect(() => {
    setState({ data: undefined, error: undefined });
    if (accountId === undefined) return;
    return ballast.watchAccount({
      accountId,
      pollingInterval,
      onChange: (view) => setState({ data: view, error: undefined }),
      onError: (error) => setState((previous) => ({ ...previous, error: errorMessage(error) })),
    });
  }, [ballast, accountId, pollingInterval]);
  return state;
}

/** The accounts `owner` created (the SDK's `getOwnerAccounts`); `refresh` re-reads them (after a `createAccount`). */
export function useOwnerAccounts(
  client: Client,
  deployment: BallastDeployment,
  owner: Address | undefined,
  refresh: number,
): Loadable<bigint[]> {
  const [state, setState] = useState<Loadable<bigint[]>>({ data: undefined, error: undefined });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `refresh` value is the signal to read again.
  useEffect(() => {
    if (owner === undefined) {
      setState({ data: [], error: undefined });
      return;
    }
    let cancelled = false;
    getOwnerAccounts(client, { deployment, owner })
      .then((ids) => !cancelled && setState({ data: ids, error: undefined }))
      .catch((error: unknown) => !cancelled && setState({ data: undefined, error: errorMessage(error) }));
    return () => {
      cancelled = true;
    };
  }, [client, deployment, owner, refresh]);
  return state;
}

/** Every liquidation since the deployment, newest first, live (the SDK's `watchLiquidations`). */
export function useLiquidations(
  client: Client,
  deployment: BallastDeployment,
  pollingInterval: number,
): Loadable<LiquidationEntry[]> {
  const [state, setState] = useState<Loadable<LiquidationEntry[]>>({ data: undefined, error: undefined });
  useEffect(
    () =>
      watchLiquidations(client, {
        deployment,
        pollingInterval,
        onChange: (entries) => setState({ data: entries, error: undefined }),
        onError: (error) => setState((previous) => ({ ...previous, error: errorMessage(error) })),
      }),
    [client, deployment, pollingInterval],
  );
  return state;
}

/** Wall-clock seconds, ticking (for "12 s ago"). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
