import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

// Hardhat cannot download compilers on these machines; the npm `solc` package
// ships the official WASM build, whose version must equal `version` below.
const require = createRequire(import.meta.url);
const solcWasm = require.resolve("solc/soljson.js");

function compilerSettings() {
  return {
    version: "0.8.30",
    path: solcWasm,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
      viaIR: true,
    },
  };
}

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    // One set of compiler settings for every profile: the bytecode that is deployed (Ignition builds with
    // `production`) is the bytecode that was tested and measured. The core needs via-IR (stack depth) and fits
    // EIP-170 with room only with it; `npm run sizes` prints each contract's headroom.
    profiles: {
      default: compilerSettings(),
      production: compilerSettings(),
    },
  },
  paths: {
    tests: { mocha: "test/ts", solidity: "test/solidity" },
  },
  test: {
    solidity: { fuzz: { runs: 256 } },
  },
  typechain: { outDir: "types/ethers-contracts" },
  networks: {
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    // Any other JSON-RPC network (docs/deployment.md): the URL and the deployer's key come from the environment
    // or from Hardhat's keystore (`npx hardhat keystore set BALLAST_DEPLOYER_KEY`), resolved only when used.
    remote: {
      type: "http",
      chainType: "l1",
      url: configVariable("BALLAST_RPC_URL"),
      accounts: [configVariable("BALLAST_DEPLOYER_KEY")],
    },
  },
});
