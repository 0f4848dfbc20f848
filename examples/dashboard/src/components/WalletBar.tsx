/**
 * The browser wallet through wagmi (connect, chain, account, disconnect, switch network) and the choice of signer:
 * the connected wallet, or, on a local Hardhat chain, one of the public test accounts.
 */
import type { Chain } from "viem";
import { useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from "wagmi";
import { HARDHAT_TEST_KEYS, type SignerChoice, shortAddress, testAccountAddress } from "../chain/wallets.js";
import { errorMessage } from "../format.js";

export function WalletBar({
  chain,
  local,
  choice,
  onChoose,
  signerAddress,
}: {
  /** The deployment's chain: the wallet must be on it to sign. */
  chain: Chain;
  /** Whether the chain is the local Hardhat node (test accounts offered). */
  local: boolean;
  choice: SignerChoice;
  onChoose: (choice: SignerChoice) => void;
  /** Who signs now, if anyone. */
  signerAddress: string | undefined;
}) {
  const connection = useConnection();
  const connect = useConnect();
  const disconnect = useDisconnect();
  const switchChain = useSwitchChain();
  const connectors = useConnectors();
  // Wallets that announce themselves (EIP-6963) come with their own name; the generic `injected()` connector
  // (window.ethereum) is then usually the same wallet again, so it is offered only when nothing announced itself.
  const announced = connectors.filter((connector) => connector.id !== "injected");
  const offered = announced.length > 0 ? announced : connectors;
  const connected = connection.status === "connected";
  const wrongChain = connected && connection.chainId !== chain.id;
  const error = connect.error ?? switchChain.error ?? disconnect.error;

  return (
    <div className="wallet-area">
      <div className="wallet-box" data-testid="wallet" data-status={connection.status}>
        {connected ? (
          <>
            <span className="wallet-name" data-testid="wallet-name">
              {connection.connector?.name ?? "Wallet"}
            </span>
            <span className="mono" data-testid="wallet-address" title={connection.address}>
              {connection.address === undefined ? "" : shortAddress(connection.address)}
            </span>
            <span className={wrongChain ? "danger-text" : "muted"} data-testid="wallet-chain">
              {wrongChain ? `on chain ${connection.chainId}, not ${chain.id}` : `chain ${connection.chainId}`}
            </span>
            {wrongChain ? (
              <button
                type="button"
                className="ghost small"
                data-testid="switch-chain"
                disabled={switchChain.isPending}
                onClick={() => switchChain.mutate({ chainId: chain.id })}
              >
                Switch to {chain.name}
              </button>
            ) : null}
            <button
              type="button"
              className="ghost small"
              data-testid="disconnect-wallet"
              onClick={() => disconnect.mutate({ connector: connection.connector })}
            >
              Disconnect
            </button>
          </>
        ) : (
          offered.map((connector) => (
            <button
              key={connector.uid}
              type="button"
              className="ghost small"
              data-testid="connect-wallet"
              data-connector={connector.name}
              disabled={connect.isPending}
              onClick={() =>
                connect.mutate(
                  // chainId: ask the wallet to move to the deployment's chain right after connecting.
                  { connector, chainId: chain.id },
                  { onSuccess: () => onChoose({ kind: "wallet" }) },
                )
              }
            >
              Connect {connector.id === "injected" ? "browser wallet" : connector.name}
            </button>
          ))
        )}
      </div>
      <div className="signer">
        <span className="muted">Signer</span>
        {local ? (
          <select
            value={choice.kind === "wallet" ? "wallet" : `test:${choice.index}`}
            aria-label="Signer"
            data-testid="signer-select"
            onChange={(event) => {
              const next = event.target.value;
              onChoose(next === "wallet" ? { kind: "wallet" } : { kind: "test", index: Number(next.split(":")[1]) });
            }}
          >
            <option value="wallet">Browser wallet{connected ? "" : " (not connected)"}</option>
            {HARDHAT_TEST_KEYS.map((_, index) => (
              <option key={testAccountAddress(index)} value={`test:${index}`}>
                Local test account #{index} · {shortAddress(testAccountAddress(index))}
              </option>
            ))}
          </select>
        ) : (
          <span>browser wallet</span>
        )}
        {signerAddress === undefined ? (
          <span className="muted" data-testid="signer-none">
            {wrongChain ? "switch the wallet's network to send" : "read-only: connect a wallet to send"}
          </span>
        ) : (
          <span className="mono address" data-testid="signer-address" title={signerAddress}>
            {shortAddress(signerAddress)}
          </span>
        )}
      </div>
      {error === null ? null : (
        <span className="danger-text" data-testid="wallet-error">
          {errorMessage(error)}
        </span>
      )}
    </div>
  );
}
