/**
 * A minimal browser wallet for the dashboard's end-to-end test: an EIP-1193 provider injected into the page before
 * any of its scripts run, which forwards every JSON-RPC call to the local hardhat node (whose accounts are unlocked,
 * so the node signs `eth_sendTransaction` for `address`), answers the account, chain and permission calls itself,
 * records every call in `window.__e2eWallet.calls`, and announces itself with EIP-6963 as well as at
 * `window.ethereum`. `window.__e2eWallet.moveToChain(id)` plays a user switching the wallet to another network (it
 * emits `chainChanged`); `wallet_switchEthereumChain` brings it back to the node's chain.
 *
 * The script is plain JavaScript text (not a serialised TypeScript function): a transpiler may add helpers to a
 * function's body that do not exist in the page.
 */
import type { Page } from "playwright-core";

export const E2E_WALLET_NAME = "E2E Wallet";

export type E2EWalletCall = { method: string; params: unknown; result?: unknown; error?: string };

export function walletScript(options: { rpcUrl: string; address: string; chainId: number }): string {
  return `(() => {
  const { rpcUrl, address, chainId } = ${JSON.stringify(options)};
  const calls = [];
  const listeners = new Map();
  let authorised = false;
  let currentChainId = chainId;
  const emit = (event, value) => listeners.get(event)?.forEach((listener) => listener(value));
  const moveToChain = (id) => {
    currentChainId = id;
    emit("chainChanged", "0x" + id.toString(16));
  };
  let nextId = 0;
  const rpcError = (message, code) => Object.assign(new Error(message), { code });
  const forward = async (method, params) => {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++nextId, method, params: params ?? [] }),
    });
    const body = await response.json();
    if (body.error) throw Object.assign(rpcError(body.error.message, body.error.code), { data: body.error.data });
    return body.result;
  };
  const answer = async (method, params) => {
    switch (method) {
      case "eth_requestAccounts":
        authorised = true;
        return [address];
      case "eth_accounts":
        return authorised ? [address] : [];
      case "wallet_requestPermissions":
        authorised = true;
        return [{ parentCapability: "eth_accounts" }];
      case "wallet_revokePermissions":
        authorised = false;
        return null;
      case "eth_chainId":
        return "0x" + currentChainId.toString(16);
      case "wallet_switchEthereumChain":
        if (Number(params?.[0]?.chainId) !== chainId) throw rpcError("Unrecognized chain ID", 4902);
        if (currentChainId !== chainId) moveToChain(chainId);
        return null;
      default:
        return forward(method, params);
    }
  };
  const provider = {
    async request({ method, params }) {
      const call = { method, params };
      calls.push(call);
      try {
        call.result = await answer(method, params);
        return call.result;
      } catch (error) {
        call.error = String(error && error.message);
        throw error;
      }
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
      return provider;
    },
    removeListener(event, listener) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
  };
  window.ethereum = provider;
  window.__e2eWallet = { calls, moveToChain };
  const info = Object.freeze({
    uuid: "6b1f2c3d-0000-4000-8000-00000000e2e0",
    name: ${JSON.stringify(E2E_WALLET_NAME)},
    rdns: "dev.ballast.e2e-wallet",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'%3E%3Crect width='8' height='8' fill='%2322c55e'/%3E%3C/svg%3E",
  });
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();`;
}

/** Injects the wallet into every page of the context's future navigations. */
export async function injectWallet(
  page: Page,
  options: { rpcUrl: string; address: string; chainId: number },
): Promise<void> {
  await page.addInitScript({ content: walletScript(options) });
}

/** The user switches the wallet to chain `chainId` (not the node's). */
export async function moveWalletToChain(page: Page, chainId: number): Promise<void> {
  await page.evaluate(
    (id) => (window as unknown as { __e2eWallet: { moveToChain: (id: number) => void } }).__e2eWallet.moveToChain(id),
    chainId,
  );
}

/** The calls the page made to the wallet so far. */
export function walletCalls(page: Page): Promise<E2EWalletCall[]> {
  return page.evaluate(() =>
    (window as unknown as { __e2eWallet: { calls: E2EWalletCall[] } }).__e2eWallet.calls.map((c) => ({ ...c })),
  );
}
