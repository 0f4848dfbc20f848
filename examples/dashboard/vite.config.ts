/**
 * Vite configuration of the dashboard, as a function so that the end-to-end test can start the same server with
 * its own node, deployment file and port (`createServer(dashboardViteConfig({ … }))`).
 *
 * The deployment JSON (a `BallastDeployment`) is served at `/deployment.json`, read from disk on every request, so
 * a redeploy only needs a page reload. The RPC URL is compiled in (`BALLAST_RPC_URL`, default
 * http://127.0.0.1:8545) and can be overridden per page with `?rpc=`.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { type Plugin, searchForWorkspaceRoot, type UserConfig } from "vite";

/** examples/dashboard */
export const DASHBOARD_ROOT = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(DASHBOARD_ROOT, "../..");

export type DashboardViteOptions = {
  /** The `BallastDeployment` JSON to serve (default `deployments/localhost.json` at the repository root). */
  deploymentFile?: string;
  /** The node's JSON-RPC URL (default http://127.0.0.1:8545). */
  rpcUrl?: string;
  /** Dev-server port (default 5173, strict). */
  port?: number;
  /** How often the app polls the node for blocks and events, ms (default 1000). */
  pollingIntervalMs?: number;
  /** Vite's dependency cache (default Vite's own, `examples/dashboard/node_modules/.vite`). */
  cacheDir?: string;
};

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("cache-control", "no-store");
  res.end(body);
}

/** Serves the deployment file at `/deployment.json` (and ships it with `vite build` when it exists). */
function ballastDeployment(file: string): Plugin {
  return {
    name: "ballast-deployment",
    configureServer(server) {
      server.middlewares.use("/deployment.json", (_req, res) => {
        if (!existsSync(file)) {
          sendJson(
            res,
            404,
            JSON.stringify({
              error: `No deployment at ${file}. Start a node (npm run node) and deploy (npm run deploy:local, or npx hardhat run --network localhost examples/dashboard/scripts/deploy-for-dashboard.ts).`,
            }),
          );
          return;
        }
        sendJson(res, 200, readFileSync(file, "utf8"));
      });
    },
    generateBundle() {
      if (existsSync(file)) this.emitFile({ type: "asset", fileName: "deployment.json", source: readFileSync(file) });
    },
  };
}

/** Real paths the dev server may read: with linked workspaces, node_modules and the SDK may live elsewhere. */
function allowedPaths(): string[] {
  const paths = [searchForWorkspaceRoot(DASHBOARD_ROOT)];
  for (const candidate of [join(REPO_ROOT, "node_modules"), join(REPO_ROOT, "node_modules/@ballast/sdk")]) {
    if (existsSync(candidate)) paths.push(realpathSync(candidate));
  }
  return [...new Set(paths)];
}

export function dashboardViteConfig(options: DashboardViteOptions = {}): UserConfig {
  const deploymentFile = resolve(options.deploymentFile ?? join(REPO_ROOT, "deployments/localhost.json"));
  const port = options.port ?? 5173;
  const cacheDir = resolve(options.cacheDir ?? join(DASHBOARD_ROOT, "node_modules/.vite"));
  // Pre-bundled dependencies live in the cache: keep React Refresh's Babel pass off them, as off node_modules.
  const escapedCacheDir = cacheDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    root: DASHBOARD_ROOT,
    cacheDir,
    plugins: [
      react({ exclude: [/\/node_modules\//, new RegExp(`^${escapedCacheDir}/`)] }),
      ballastDeployment(deploymentFile),
    ],
    define: {
      __BALLAST_RPC_URL__: JSON.stringify(options.rpcUrl ?? "http://127.0.0.1:8545"),
      __BALLAST_POLLING_MS__: JSON.stringify(options.pollingIntervalMs ?? 1000),
    },
    // The SDK is a linked workspace package: pre-bundle it with viem rather than serve its files one by one. wagmi
    // and TanStack Query are listed too, so that the dev server does not discover them on the first page load and
    // reload the page. `wagmi/connectors/injected` only: the `wagmi/connectors` barrel reaches connectors whose
    // optional wallet SDKs (MetaMask, WalletConnect, Coinbase) are not installed.
    optimizeDeps: {
      include: [
        "@ballast/sdk",
        "viem",
        "viem/accounts",
        "viem/actions",
        "react",
        "react-dom/client",
        "wagmi",
        "wagmi/connectors/injected",
        "@tanstack/react-query",
      ],
    },
    server: { host: "127.0.0.1", port, strictPort: true, fs: { allow: allowedPaths() } },
    preview: { host: "127.0.0.1", port: 4173, strictPort: true },
    build: {
      outDir: join(DASHBOARD_ROOT, "dist"),
      emptyOutDir: true,
      target: "es2022",
      rollupOptions: {
        output: {
          // Vendor chunks: React, viem (with its crypto) and the wallet layer (wagmi, TanStack Query) change less
          // often than the app and the SDK.
          manualChunks: (id: string) =>
            /node_modules\/(react|react-dom|scheduler|use-sync-external-store)\//.test(id)
              ? "react"
              : /node_modules\/(viem|ox|abitype|@noble|@scure)\//.test(id)
                ? "viem"
                : /node_modules\/(wagmi|@wagmi|@tanstack|zustand|mipd|eventemitter3)\//.test(id)
                  ? "wallet"
                  : undefined,
        },
      },
    },
    clearScreen: false,
  };
}

export default dashboardViteConfig({
  deploymentFile: process.env.BALLAST_DEPLOYMENT,
  rpcUrl: process.env.BALLAST_RPC_URL,
  port: process.env.DASHBOARD_PORT === undefined ? undefined : Number(process.env.DASHBOARD_PORT),
  cacheDir: process.env.DASHBOARD_CACHE_DIR,
});
