/**
 * Fallback of `npm run deploy:local` for the dashboard: deploys Ballast (demo markets, mock USDC and feeds, vault,
 * insurance pool, a local Multicall3), seeds the pools and one background trader, and writes the SDK's
 * `BallastDeployment` JSON.
 *
 *   npm run node                                                                         # terminal 1
 *   npx hardhat run --network localhost examples/dashboard/scripts/deploy-for-dashboard.ts  # terminal 2
 *
 * Output: `deployments/<network>.json` (deployments/localhost.json above), or the path in `BALLAST_DEPLOYMENT`.
 * `BALLAST_RPC_URL=http://127.0.0.1:9545` deploys to another node (through the `localhost` network's settings);
 * `BALLAST_SEED=0` skips the seeding.
 */
import { resolve } from "node:path";
import { network } from "hardhat";
import { deployForDashboard, writeDeployment } from "./deployDashboard.js";

const url = process.env.BALLAST_RPC_URL;
const connection = await (url === undefined
  ? network.create()
  : network.create({ network: "localhost", override: { url } }));
const { deployment } = await deployForDashboard(connection.ethers, { seed: process.env.BALLAST_SEED !== "0" });
const file = resolve(process.env.BALLAST_DEPLOYMENT ?? `deployments/${connection.networkName}.json`);
writeDeployment(file, deployment);
console.log(`Ballast deployed on chain ${deployment.chainId} (core ${deployment.core}); wrote ${file}`);
await connection.close();
