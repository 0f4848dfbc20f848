/**
 * The Ballast dashboard: markets, pools, one account with its health gauge and positions, a trade ticket and
 * margin forms with the SDK's what-ifs, and a live liquidation feed. Everything on chain goes through
 * `@ballast/sdk` (`createBallastClient`: reads, watchAccount, simulations, builders, send; `getPools`,
 * `getCollateralBalance`, `getOwnerAccounts` and `watchLiquidations` for the pools, the wallet and the feed).
 * Transactions are signed by the browser wallet (wagmi's connector client) or, on a local chain, a test account;
 * the collateral's symbol and decimals come from the token itself.
 */
import {
  type AccountSnapshot,
  type AccountView,
  type BallastDeployment,
  type ContractErrorContext,
  createBallastClient,
  formatSize,
  type PositionView,
} from "@ballast/sdk";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { type Chain, createPublicClient, type Hash, http, type PublicClient } from "viem";
import { useConnection, useWalletClient, WagmiProvider } from "wagmi";
import { type CollateralToken, readCollateralToken, withCollateral } from "./chain/token.js";
import { createWalletConfig } from "./chain/wagmi.js";
import { dashboardChain, HARDHAT_CHAIN_ID, type Signer, type SignerChoice, testWallet } from "./chain/wallets.js";
import { AccountPanel } from "./components/AccountPanel.js";
import { CollateralForms } from "./components/CollateralForms.js";
import { type Activity, Header } from "./components/Header.js";
import { LiquidationFeed } from "./components/LiquidationFeed.js";
import { MarketCard } from "./components/MarketCard.js";
import { PoolsPanel } from "./components/PoolsPanel.js";
import { TradeTicket } from "./components/TradeTicket.js";
import { WalletBar } from "./components/WalletBar.js";
import { errorMessage } from "./format.js";
import {
  useAccountView,
  useBlockNumber,
  useLiquidations,
  useMarkets,
  useOwnerAccounts,
  usePoolRequests,
  usePools,
  useWalletBalances,
} from "./hooks.js";
import { type DeploymentFile, loadDeployment, readSettings, type Settings } from "./settings.js";

// wagmi keeps the wallet's state in TanStack Query. The dashboard reads the chain itself (hooks.ts), so the only
// queries are wagmi's: no refetch on focus, which would hand out a new wallet client (and re-subscribe everything).
const queryClient = new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false } } });

export function App() {
  const settings = useMemo(() => readSettings(window.location.search), []);
  const [deployment, setDeployment] = useState<DeploymentFile>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    loadDeployment(settings.deploymentUrl).then(setDeployment, (e: unknown) => setError(errorMessage(e)));
  }, [settings]);
  if (error !== undefined) {
    return (
      <div className="splash" data-testid="setup-error">
        <h1>Ballast dashboard</h1>
        <p>The deployment could not be loaded:</p>
        <pre>{error}</pre>
        <p>
          Start a node with <code>npm run node</code>, deploy with <code>npm run deploy:local</code> (or{" "}
          <code>npx hardhat run --network localhost examples/dashboard/scripts/deploy-for-dashboard.ts</code>), then
          reload.
        </p>
      </div>
    );
  }
  if (deployment === undefined) return <div className="splash">Loading the deployment…</div>;
  return <Connected settings={settings} deploymentFile={deployment} />;
}

/** The node, the collateral token's symbol and decimals, and the wallet configuration; then the dashboard. */
function Connected({ settings, deploymentFile }: { settings: Settings; deploymentFile: DeploymentFile }) {
  const { rpcUrl, pollingIntervalMs } = settings;
  const chain = useMemo(() => dashboardChain(deploymentFile.chainId, rpcUrl), [deploymentFile.chainId, rpcUrl]);
  const publicClient = useMemo(
    () => createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: pollingIntervalMs }),
    [chain, rpcUrl, pollingIntervalMs],
  );
  const wagmiConfig = useMemo(
    () => createWalletConfig(chain, rpcUrl, pollingIntervalMs),
    [chain, rpcUrl, pollingIntervalMs],
  );
  const [token, setToken] = useState<CollateralToken>();
  const [tokenError, setTokenError] = useState<string>();
  useEffect(() => {
    readCollateralToken(publicClient, deploymentFile).then(setToken, (e: unknown) => setTokenError(errorMessage(e)));
  }, [publicClient, deploymentFile]);
  const deployment = useMemo(
    () => (token === undefined ? undefined : withCollateral(deploymentFile, token)),
    [deploymentFile, token],
  );
  if (tokenError !== undefined) {
    return (
      <div className="splash" data-testid="setup-error">
        <h1>Ballast dashboard</h1>
        <p>
          The collateral token {deploymentFile.collateral} could not be read from {rpcUrl}, and the deployment file
          names no <code>collateralDecimals</code> to fall back on:
        </p>
        <pre>{tokenError}</pre>
      </div>
    );
  }
  if (deployment === undefined || token === undefined) {
    return <div className="splash">Reading the collateral token…</div>;
  }
  return (
    <WagmiProvider config={wagmiConfig}>
      <QueryClientProvider client={queryClient}>
        <Dashboard
          settings={settings}
          deployment={deployment}
          token={token}
          chain={chain}
          publicClient={publicClient}
        />
      </QueryClientProvider>
    </WagmiProvider>
  );
}

function Dashboard({
  settings,
  deployment,
  token,
  chain,
  publicClient,
}: {
  settings: Settings;
  deployment: BallastDeployment;
  token: CollateralToken;
  chain: Chain;
  publicClient: PublicClient;
}) {
  const { rpcUrl, pollingIntervalMs } = settings;
  const local = deployment.chainId === HARDHAT_CHAIN_ID;

  // The signer: the browser wallet (through wagmi's connector client) or, on a local chain, a Hardhat test account.
  const [choice, setChoice] = useState<SignerChoice>(
    local ? { kind: "test", index: settings.testAccount } : { kind: "wallet" },
  );
  const connection = useConnection();
  // The wallet's viem wallet client for the deployment's chain; wagmi refuses it while the wallet is elsewhere.
  const walletClient = useWalletClient({ chainId: chain.id });
  const walletSigner =
    connection.status === "connected" && connection.chainId === chain.id
      ? (walletClient.data as Signer | undefined)
      : undefined;
  const testSigner = useMemo(
    () => (local && choice.kind === "test" ? testWallet(choice.index, chain, rpcUrl) : undefined),
    [local, choice, chain, rpcUrl],
  );
  const signer = choice.kind === "test" ? testSigner : walletSigner;
  const owner = signer?.account.address;
  const ballast = useMemo(
    () => createBallastClient({ publicClient, walletClient: signer, deployment }),
    [publicClient, signer, deployment],
  );

  // Chain state.
  const block = useBlockNumber(publicClient, pollingIntervalMs);
  const markets = useMarkets(ballast, block.data);
  const pools = usePools(publicClient, deployment, block.data);
  const poolRequests = usePoolRequests(publicClient, deployment, owner, block.data);
  const wallet = useWalletBalances(publicClient, deployment, owner, block.data);
  const liquidations = useLiquidations(publicClient, deployment, pollingIntervalMs);

  // The owner's accounts and the selected one.
  const [accountsVersion, setAccountsVersion] = useState(0);
  const accounts = useOwnerAccounts(publicClient, deployment, owner, accountsVersion);
  const [selected, setSelected] = useState<bigint>();
  useEffect(() => {
    const ids = accounts.data;
    if (ids === undefined) return;
    setSelected((current) => (current !== undefined && ids.includes(current) ? current : ids[ids.length - 1]));
  }, [accounts.data]);
  const account = useAccountView(ballast, selected, pollingIntervalMs);

  // The account with the freshest market data, for the what-ifs (markets are read at every block).
  const snapshot = useMemo((): (AccountView & AccountSnapshot) | undefined => {
    const view = account.data;
    if (view === undefined || view.accountId !== selected) return undefined;
    const latest = markets.data;
    if (latest === undefined || latest.blockNumber <= view.blockNumber) return view;
    return {
      ...view,
      markets: latest.markets,
      prices: latest.prices,
      timestamp: latest.timestamp,
      riskParams: latest.riskParams,
      paused: latest.paused,
    };
  }, [account.data, markets.data, selected]);

  const errorContext = useMemo(
    (): ContractErrorContext => ({
      // The token's own symbol and decimals (chain/token.ts), so that error texts name the real collateral.
      collateral: { symbol: token.symbol, decimals: token.decimals },
      markets: deployment.markets.map((m) => ({ marketId: m.marketId, symbol: m.symbol, feedId: m.feedId })),
    }),
    [deployment, token],
  );

  // Sending: one transaction at a time, with its progress in the header.
  const [activity, setActivity] = useState<Activity>();
  const [busy, setBusy] = useState(false);
  const execute = useCallback(
    async (label: string, send: () => Promise<Hash>) => {
      setBusy(true);
      setActivity({ label, status: "pending" });
      try {
        const hash = await send();
        const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 250 });
        if (receipt.status !== "success") throw new Error(`${label}: the transaction reverted (${hash}).`);
        setActivity({ label, status: "confirmed", detail: `block #${receipt.blockNumber}` });
        return receipt;
      } catch (e) {
        setActivity({ label, status: "failed", detail: errorMessage(e) });
        throw e;
      } finally {
        setBusy(false);
      }
    },
    [publicClient],
  );

  const [panelError, setPanelError] = useState<string>();
  const createAccount = async () => {
    setPanelError(undefined);
    try {
      const receipt = await execute("Create account", () => ballast.send(ballast.build.createAccount({})));
      const id = ballast.getCreatedAccountId({ receipt });
      setAccountsVersion((v) => v + 1);
      if (id !== undefined) setSelected(id);
    } catch (e) {
      setPanelError(errorMessage(e));
    }
  };
  const closePosition = async (position: PositionView) => {
    setPanelError(undefined);
    if (selected === undefined || position.markPrice === undefined) return;
    try {
      const transaction = ballast.build.close({
        accountId: selected,
        marketId: position.marketId,
        price: position.markPrice,
        positionSize: position.size,
        slippageBps: 100,
      });
      // A close is an order too: the order book escrows its settlement fee.
      if (ballast.deployment.orderBook !== undefined) {
        await execute("Approve the order book (settlement fee escrow)", () =>
          ballast.send(ballast.build.approve({ spender: ballast.deployment.orderBook!, assets: 2n ** 256n - 1n })),
        );
      }
      await execute(`Close ${formatSize(position.size, position.symbol)} (order)`, () =>
        ballast.send({ to: transaction.to, data: transaction.data, value: transaction.value }),
      );
    } catch (e) {
      setPanelError(errorMessage(e));
    }
  };

  const canSend = signer !== undefined;
  return (
    <div className="app">
      <Header
        chainName={chain.name}
        chainId={chain.id}
        blockNumber={block.data}
        blockError={block.error}
        rpcUrl={rpcUrl}
        activity={activity}
      >
        <WalletBar chain={chain} local={local} choice={choice} onChoose={setChoice} signerAddress={owner} />
      </Header>
      <main className="layout">
        <div className="row markets-row">
          {markets.data === undefined ? (
            <div className="panel empty">{markets.error ?? "Reading the markets…"}</div>
          ) : (
            deployment.markets.map((m) => {
              const market = markets.data?.markets[m.marketId];
              return market === undefined ? null : (
                <MarketCard key={m.marketId} market={market} timestamp={markets.data?.timestamp ?? 0n} />
              );
            })
          )}
        </div>
        <div className="row main-row">
          <div className="main-column">
            <AccountPanel
              view={snapshot}
              viewError={panelError ?? account.error ?? accounts.error}
              accountIds={accounts.data}
              selected={selected}
              onSelect={setSelected}
              onCreate={createAccount}
              onClose={closePosition}
              busy={busy}
              canSend={canSend}
              collateralSymbol={token.symbol}
            />
            <LiquidationFeed
              entries={liquidations.data}
              error={liquidations.error}
              deployment={deployment}
              highlightAccount={selected}
            />
            <PoolsPanel
              pools={pools.data}
              riskParams={markets.data?.riskParams}
              paused={markets.data?.paused}
              deployment={deployment}
              requests={owner === undefined ? undefined : poolRequests.data}
              ballast={ballast}
              owner={owner}
              execute={execute}
              busy={busy}
              canSend={canSend}
            />
          </div>
          <div className="side-column">
            <TradeTicket
              ballast={ballast}
              markets={markets.data}
              snapshot={snapshot}
              errorContext={errorContext}
              execute={execute}
              busy={busy}
              canSend={canSend}
            />
            <CollateralForms
              ballast={ballast}
              snapshot={snapshot}
              wallet={wallet.data}
              owner={owner}
              local={local}
              errorContext={errorContext}
              execute={execute}
              busy={busy}
              canSend={canSend}
            />
          </div>
        </div>
      </main>
      <footer className="footer">
        Ballast example dashboard · every figure from <code>@ballast/sdk</code> (bit-exact with the contracts) · RPC{" "}
        <span className="mono">{rpcUrl}</span> · core <span className="mono">{deployment.core}</span> · collateral{" "}
        <span data-testid="collateral-token" data-source={token.source}>
          {token.symbol} ({token.decimals} decimals{token.source === "token" ? ", read from the token" : ""})
        </span>
        {token.warning === undefined ? null : (
          <div className="warning-text" data-testid="collateral-warning">
            {token.warning}
          </div>
        )}
      </footer>
    </div>
  );
}
