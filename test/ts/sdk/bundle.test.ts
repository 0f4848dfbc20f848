/**
 * The SDK works in a browser: built with tsc, its main entry bundles with esbuild for `platform: "browser"` with
 * nothing external (viem included) and pulls in no Node built-in; the keeper and the ethers subpath stay out of it;
 * the math entry does not even pull in viem. The bundle then runs.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const require = createRequire(import.meta.url);

const NODE_BUILTINS = new Set([
  "assert",
  "buffer",
  "child_process",
  "crypto",
  "dns",
  "events",
  "fs",
  "http",
  "https",
  "module",
  "net",
  "os",
  "path",
  "process",
  "stream",
  "tls",
  "url",
  "util",
  "worker_threads",
  "zlib",
]);

async function bundle(entry: string) {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    absWorkingDir: root,
  });
  return { metafile: result.metafile as Metafile, text: result.outputFiles[0]?.text ?? "" };
}

function importsOf(metafile: Metafile): string[] {
  return Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
}

describe("SDK browser bundle", function () {
  this.timeout(180_000);

  before(() => {
    const tsc = join(dirname(require.resolve("typescript/package.json")), "bin/tsc");
    execFileSync(process.execPath, [tsc, "-p", join(root, "sdk/tsconfig.json")], { stdio: "pipe" });
  });

  it("bundles sdk/dist/index.js for the browser: no Node built-in, no keeper, no ethers; viem inside", async () => {
    const { metafile, text } = await bundle("sdk/dist/index.js");
    const inputs = Object.keys(metafile.inputs);
    const builtins = importsOf(metafile).filter((path) => path.startsWith("node:") || NODE_BUILTINS.has(path));
    expect(builtins, "Node built-ins in the browser bundle").to.deep.equal([]);
    expect(
      inputs.filter((path) => path.includes("/keeper/") || path.includes("keeper.")),
      "keeper code",
    ).to.deep.equal([]);
    expect(inputs.filter((path) => /node_modules\/ethers\//.test(path) || path.includes("dist/ethers/"))).to.deep.equal(
      [],
    );
    expect(inputs.some((path) => path.includes("node_modules/viem/"))).to.equal(true);
    expect(inputs).to.include("sdk/dist/math/accountMath.js");
    expect(inputs).to.include("sdk/dist/actions/getAccount.js");
    expect(text).to.not.match(/require\(["'](node:)?(fs|path|crypto|os|child_process)["']\)/);
    expect(readFileSync(join(root, "sdk/src/index.ts"), "utf8")).to.not.match(/keeper/);
  });

  it("the math entry is pure: no viem, no Node built-in", async () => {
    const { metafile } = await bundle("sdk/dist/math/index.js");
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((path) => path.includes("node_modules/"))).to.deep.equal([]);
    expect(importsOf(metafile).filter((path) => path.startsWith("node:") || NODE_BUILTINS.has(path))).to.deep.equal([]);
  });

  it("the bundle runs: exact health and a liquidation price from the bundled code", async () => {
    const { text } = await bundle("sdk/dist/index.js");
    const file = join(mkdtempSync(join(tmpdir(), "ballast-bundle-")), "sdk.mjs");
    writeFileSync(file, text);
    const sdk = (await import(pathToFileURL(file).href)) as typeof import("../../../sdk/src/index.js");
    const WAD = 10n ** 18n;
    const snapshot = {
      account: { margin: 1_000n * WAD },
      positions: [{ marketId: 0, size: WAD, openNotional: 2_000n * WAD, lastFundingIndex: 0n }],
      markets: [
        {
          marketId: 0,
          params: {
            feedId: `0x${"00".repeat(32)}` as const,
            maxOpenInterestPerSide: 10n ** 30n,
            minPositionNotional: 0n,
            skewScale: 0n,
            takerFeeRate: 0n,
            makerFeeRate: 0n,
            fundingScale: 0n,
            maxFundingRatePerSecond: 0n,
            marginRampDuration: 0n,
          },
          state: {
            fundingIndex: 0n,
            lastFundingTime: 0n,
            longOpenInterest: WAD,
            shortOpenInterest: 0n,
            netOpenNotional: 0n,
            netFundingBasis: 0n,
            tradersPnl: 0n,
          },
          tiers: [{ notionalCap: 10n ** 30n, initialMarginRate: WAD / 10n, maintenanceMarginRate: WAD / 20n }],
          ramp: { previousTiers: [], start: 0n, end: 0n },
        },
      ],
      prices: [2_000n * WAD],
      timestamp: 1n,
    };
    expect(sdk.accountHealth(snapshot).equity).to.equal(1_000n * WAD);
    expect(sdk.liquidationPrice({ ...snapshot, marketId: 0 })).to.equal(1_052_631_578_940_000_000_000n);
    expect(typeof sdk.createBallastClient).to.equal("function");
  });
});
