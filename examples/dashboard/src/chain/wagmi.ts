/**
 * The browser wallet, through wagmi: one generic `injected()` connector (`window.ethereum`) plus one connector per
 * wallet that announces itself with EIP-6963 (`multiInjectedProviderDiscovery`). No wallet SDK: `injected` comes
 * from `wagmi/connectors/injected`, which re-exports `@wagmi/core`'s own connector, so none of the optional
 * MetaMask / WalletConnect / Coinbase packages that `wagmi/connectors` can reach are pulled into the bundle.
 */
import type { Chain } from "viem";
import { type Config, createConfig, createStorage, http } from "wagmi";
import { injected } from "wagmi/connectors/injected";

export function createWalletConfig(chain: Chain, rpcUrl: string, pollingInterval: number): Config {
  return createConfig({
    chains: [chain],
    connectors: [injected({ shimDisconnect: true })],
    // Reads that wagmi itself makes (e.g. the chain of a reconnecting wallet) go to the dashboard's node.
    transports: { [chain.id]: http(rpcUrl) },
    multiInjectedProviderDiscovery: true,
    pollingInterval,
    // One storage key per chain, so a wallet remembered for one deployment does not reconnect to another.
    storage: createStorage({ storage: window.localStorage, key: `ballast.wagmi.${chain.id}` }),
  });
}
