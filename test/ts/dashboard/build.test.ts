/**
 * The example dashboard's code stays sound without a browser: its React code type-checks under its own strict
 * tsconfig (DOM, react-jsx), its Node side (Vite config, deployment scripts) under the project's settings, and the
 * production build (`npm run dashboard:build`'s last step) bundles it with the deployment JSON, with the wallet layer
 * (wagmi's own `injected` connector) and none of the optional wallet SDKs that wagmi's other connectors would load.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { dashboardViteConfig } from "../../../examples/dashboard/vite.config.js";
import { writeDeployment } from "../../../examples/dashboard/scripts/deployDashboard.js";
import type { BallastDeployment } from "../../../sdk/src/deployment.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const require = createRequire(import.meta.url);
const TSC = join(dirname(require.resolve("typescript/package.json")), "bin/tsc");

function typecheck(project: string): string {
  try {
    execFileSync(process.execPath, [TSC, "-p", join(ROOT, project)], { stdio: "pipe", cwd: ROOT });
    return "";
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    return `${stdout?.toString() ?? ""}${stderr?.toString() ?? ""}` || String(error);
  }
}

describe("Dashboard code (examples/dashboard)", function () {
  this.timeout(120_000);

  it("type-checks the React app under its strict browser tsconfig", () => {
    expect(typecheck("examples/dashboard/tsconfig.json")).to.equal("");
  });

  it("type-checks the Vite config and deployment scripts under the project's Node settings", () => {
    expect(typecheck("examples/dashboard/tsconfig.node.json")).to.equal("");
  });

  it("builds for production: vendor chunks, no Node built-ins, no optional wallet SDKs, the deployment JSON beside", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "ballast-dashboard-build-"));
    try {
      const deploymentFile = join(tmp, "localhost.json");
      const deployment: BallastDeployment = {
        chainId: 31337,
        deploymentBlock: 1,
        core: `0x${"11".repeat(20)}`,
        collateral: `0x${"22".repeat(20)}`,
        collateralDecimals: 6,
        collateralSymbol: "USDC",
        oracle: `0x${"33".repeat(20)}`,
        vault: `0x${"44".repeat(20)}`,
        insurancePool: `0x${"55".repeat(20)}`,
        multicall3: `0x${"66".repeat(20)}`,
        markets: [{ marketId: 0, symbol: "BTC", feedId: `0x${"77".repeat(32)}`, feed: `0x${"88".repeat(20)}` }],
      };
      writeDeployment(deploymentFile, deployment);
      const outDir = join(tmp, "dist");
      const config = dashboardViteConfig({ deploymentFile, rpcUrl: "http://127.0.0.1:8545" });
      await build({
        ...config,
        configFile: false,
        logLevel: "silent",
        build: { ...config.build, outDir, emptyOutDir: true },
      });
      expect(existsSync(join(outDir, "index.html"))).to.equal(true);
      expect(JSON.parse(readFileSync(join(outDir, "deployment.json"), "utf8"))).to.deep.equal(deployment);
      const assets = readdirSync(join(outDir, "assets"));
      for (const chunk of ["index-", "react-", "viem-", "wallet-"]) {
        expect(
          assets.some((name) => name.startsWith(chunk) && name.endsWith(".js")),
          `${chunk}*.js`,
        ).to.equal(true);
      }
      const code = assets
        .filter((name) => name.endsWith(".js"))
        .map((name) => readFileSync(join(outDir, "assets", name), "utf8"))
        .join("\n");
      expect(code).to.not.match(/from\s*["']node:/);
      expect(code).to.contain("http://127.0.0.1:8545");
      // The SDK's typed error messages ship with the app (e.g. the initial-margin refusal).
      expect(code).to.contain("below the initial margin");
      // The browser wallet: wagmi's injected connector and EIP-6963 discovery, and no wallet SDK (they are not
      // installed; a connector that imports one would fail the build or leave a dangling import behind).
      expect(code).to.contain("eip6963:requestProvider");
      for (const sdk of [
        "@metamask/sdk",
        "@walletconnect/",
        "@coinbase/wallet-sdk",
        "@base-org/account",
        "@safe-global/",
      ]) {
        expect(code, sdk).to.not.contain(sdk);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
