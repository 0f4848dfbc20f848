/**
 * The SDK as a package: `npm pack` of a clean copy of sdk/ (no dist: `prepack` builds it), installed into a fresh
 * app next to the LOWEST and the NEWEST viem 2.x that the registry serves here, whose small app computes with the
 * math, builds a transaction and decodes a typed error from ABI-encoded revert data, offline.
 *
 * Versions: the peer range is `^2.0.10`, and its floor is tested: 2.0.0–2.0.6 lack exports the SDK imports
 * (`parseEventLogs` before 2.0.5, `getContractEvents` from `viem/actions` before 2.0.10), so they fail at import.
 * The newest published here, 2.57.20, does not install (it needs ox 0.14.67, which this registry does not serve),
 * so the newest that installs is used: 2.57.13. `npm install --prefer-offline` reuses the npm cache when it can. Only the app's own npm commands run here;
 * the `npm_*` variables of a surrounding `npm test` are removed so that they cannot change what npm does.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";

const ROOT = process.cwd();
const LOWEST_VIEM = "2.0.10";
const NEWEST_VIEM = "2.57.13";

/** The environment without npm's per-run variables (npm_config_*, npm_package_*, npm_lifecycle_*). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return env;
}

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, env: cleanEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The app: imports only the package's public entry points. */
const APP = `
import { WAD, accountHealth, buildDeposit, decodeBallastError, ballastCoreAbi, SIMULATION_SENDER } from "@ballast/sdk";
import { requirements } from "@ballast/sdk/math";
import { encodeErrorResult } from "viem";
import { readFileSync } from "node:fs";

const tiers = [{ notionalCap: 10n ** 30n, initialMarginRate: WAD / 10n, maintenanceMarginRate: WAD / 20n }];
const market = {
  marketId: 0,
  params: { feedId: "0x" + "01".repeat(32), maxOpenInterestPerSide: 10n ** 30n, minPositionNotional: 0n, skewScale: 0n,
    takerFeeRate: 0n, makerFeeRate: 0n, fundingScale: 0n, maxFundingRatePerSecond: 0n, marginRampDuration: 0n },
  state: { fundingIndex: 0n, lastFundingTime: 1n, longOpenInterest: WAD, shortOpenInterest: 0n, netOpenNotional: 0n,
    netFundingBasis: 0n, tradersPnl: 0n },
  tiers,
  ramp: { previousTiers: [], start: 0n, end: 0n },
};
const health = accountHealth({
  account: { margin: 100n * WAD },
  positions: [{ marketId: 0, size: WAD, openNotional: 1000n * WAD, lastFundingIndex: 0n }],
  markets: [market],
  prices: [940n * WAD],
  timestamp: 2n,
});
const deployment = { chainId: 1, deploymentBlock: 1, core: "0x" + "22".repeat(20), collateral: SIMULATION_SENDER,
  collateralDecimals: 6, oracle: SIMULATION_SENDER, vault: SIMULATION_SENDER, insurancePool: SIMULATION_SENDER,
  multicall3: SIMULATION_SENDER, markets: [] };
const tx = buildDeposit({ deployment, accountId: 7n, assets: 5n });
const data = encodeErrorResult({ abi: ballastCoreAbi, errorName: "AccountNotFound", args: [42n] });
const error = decodeBallastError({ data });
console.log(JSON.stringify({
  viem: JSON.parse(readFileSync("node_modules/viem/package.json", "utf8")).version,
  maintenanceMargin: requirements(tiers, 940n * WAD).maintenanceMargin.toString(),
  liquidatable: health.liquidatable,
  equity: health.equity.toString(),
  to: tx.to,
  selector: tx.data.slice(0, 10),
  errorName: error?.errorName,
  errorArgs: error?.args?.map(String),
}));
`;

describe("SDK package: packed from a clean tree, installed with the lowest and newest viem 2.x", function () {
  this.timeout(240_000);
  const tmp = mkdtempSync(join(tmpdir(), "ballast-sdk-pack-"));
  let tarball: string;
  let packed: string[];

  before(() => {
    // A clean copy: sources and metadata only, no dist. Building needs TypeScript and the types of viem and Node:
    // the repository's node_modules, linked in (the package itself bundles none of them).
    const copy = join(tmp, "sdk");
    mkdirSync(copy);
    for (const entry of ["package.json", "README.md", "tsconfig.json", "src"]) {
      cpSync(join(ROOT, "sdk", entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    const [result] = JSON.parse(npm(["pack", "--json", "--pack-destination", tmp], copy)) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = join(tmp, result!.filename);
    packed = result!.files.map((file) => file.path);
  });

  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("packs the built entry points and their types, and declares ranges", () => {
    for (const entry of ["index", "math/index", "actions/index", "ethers/index", "keeper/index"]) {
      expect(packed, entry).to.include(`dist/${entry}.js`);
      expect(packed, entry).to.include(`dist/${entry}.d.ts`);
    }
    expect(packed).to.include("README.md");
    const manifest = JSON.parse(readFileSync(join(ROOT, "sdk", "package.json"), "utf8"));
    expect(manifest.peerDependencies).to.deep.equal({ viem: `^${LOWEST_VIEM}`, ethers: "^6", "prom-client": "^15" });
    expect(manifest.engines.node).to.equal(">=18");
    expect(manifest.scripts.prepack).to.equal("npm run build");
  });

  for (const viem of [LOWEST_VIEM, NEWEST_VIEM]) {
    it(`installs into a fresh app with viem ${viem} and runs it`, () => {
      const app = join(tmp, `app-${viem}`);
      mkdirSync(app);
      writeFileSync(
        join(app, "package.json"),
        JSON.stringify({
          name: "app",
          private: true,
          type: "module",
          dependencies: { "@ballast/sdk": `file:${tarball}`, viem },
        }),
      );
      writeFileSync(join(app, "app.mjs"), APP);
      npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel", "error"], app);
      const output = execFileSync(process.execPath, ["app.mjs"], { cwd: app, encoding: "utf8" });
      const result = JSON.parse(output.trim().split("\n").at(-1)!);
      expect(result).to.deep.equal({
        viem,
        maintenanceMargin: (47n * 10n ** 18n).toString(),
        liquidatable: true,
        equity: (40n * 10n ** 18n).toString(),
        to: `0x${"22".repeat(20)}`,
        selector: "0xe2bbb158",
        errorName: "AccountNotFound",
        errorArgs: ["42"],
      });
    });
  }
});
