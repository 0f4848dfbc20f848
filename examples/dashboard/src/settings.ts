/**
 * Where the dashboard connects, from the build (`BALLAST_RPC_URL`) and the page's query string:
 * `?rpc=http://127.0.0.1:8545&account=1&poll=1000&deployment=/deployment.json`.
 */
import type { BallastDeployment } from "@ballast/sdk";
import { HARDHAT_TEST_KEYS } from "./chain/wallets.js";

export type Settings = {
  rpcUrl: string;
  /** Where the `BallastDeployment` JSON is served. */
  deploymentUrl: string;
  /** Polling interval for blocks and events, ms. */
  pollingIntervalMs: number;
  /** The test account selected first (Hardhat's #1 by default: #0 deployed the protocol). */
  testAccount: number;
};

export function readSettings(search: string): Settings {
  const query = new URLSearchParams(search);
  const poll = Number(query.get("poll") ?? __BALLAST_POLLING_MS__);
  const account = Number(query.get("account") ?? 1);
  return {
    rpcUrl: query.get("rpc") ?? __BALLAST_RPC_URL__,
    deploymentUrl: query.get("deployment") ?? "/deployment.json",
    pollingIntervalMs: Number.isFinite(poll) && poll >= 100 ? poll : 1000,
    testAccount: Number.isInteger(account) && account >= 0 && account < HARDHAT_TEST_KEYS.length ? account : 1,
  };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * The deployment JSON as served: a `BallastDeployment` whose collateral symbol and decimals may be missing, since
 * the dashboard reads them from the token (chain/token.ts).
 */
export type DeploymentFile = Omit<BallastDeployment, "collateralDecimals"> & { collateralDecimals?: number };

/** Fetches the deployment JSON and checks the fields the dashboard relies on. */
export async function loadDeployment(url: string): Promise<DeploymentFile> {
  const response = await fetch(url, { cache: "no-store" });
  const body = (await response.json().catch(() => ({}))) as Partial<BallastDeployment> & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `GET ${url}: HTTP ${response.status}`);
  for (const field of ["core", "collateral", "oracle", "vault", "insurancePool", "multicall3"] as const) {
    if (typeof body[field] !== "string" || !ADDRESS.test(body[field])) {
      throw new Error(`The deployment at ${url} has no valid "${field}" address.`);
    }
  }
  if (!Array.isArray(body.markets) || body.markets.length === 0) {
    throw new Error(`The deployment at ${url} lists no markets.`);
  }
  if (typeof body.chainId !== "number") throw new Error(`The deployment at ${url} has no chainId.`);
  return body as DeploymentFile;
}
