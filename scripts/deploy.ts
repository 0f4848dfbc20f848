/**
 * Deploys Ballast with Hardhat Ignition (`ignition/modules/Ballast.ts`) to the network given by `--network` and
 * writes `deployments/<network>.json` (a `BallastDeployment`), which the SDK, the keeper and the feeder read.
 *
 *   npm run node                      # terminal 1: a local JSON-RPC node on 127.0.0.1:8545
 *   npm run deploy:local              # terminal 2: = hardhat run --network localhost scripts/deploy.ts
 *   npx hardhat run --network <name> scripts/deploy.ts   # any network configured in hardhat.config.ts
 *
 * On every chain but a local one (id 31337), or with BALLAST_TIMELOCK=1, the admin roles then go to a
 * `BallastTimelock` (ignition/modules/Timelock.ts) and the deployer renounces all of its own: parameters
 * BALLAST_TIMELOCK_DELAY (seconds, default 2 days) and BALLAST_TIMELOCK_PROPOSER (default: the deployer; use a
 * multisig).
 *
 * Environment: BALLAST_DEPLOYMENT_FILE overrides the output path; BALLAST_DEPLOYMENT_ID the Ignition deployment id
 * (default `chain-<chainId>`; its journal in ignition/deployments/<id> makes a re-run resume, not redeploy).
 */
import { join } from "node:path";
import { network } from "hardhat";
import { deployBallast, handOverToTimelock, writeDeploymentFile } from "./lib/deployment.js";

const connection = await network.create();
const started = Date.now();
const deployment = await deployBallast(connection, { deploymentId: process.env.BALLAST_DEPLOYMENT_ID });
let timelock: string | undefined;
if (deployment.chainId !== 31337 || process.env.BALLAST_TIMELOCK === "1") {
  timelock = await handOverToTimelock(connection, deployment, {
    deploymentId: process.env.BALLAST_DEPLOYMENT_ID,
    delaySeconds:
      process.env.BALLAST_TIMELOCK_DELAY === undefined ? undefined : Number(process.env.BALLAST_TIMELOCK_DELAY),
    proposer: process.env.BALLAST_TIMELOCK_PROPOSER,
  });
}
const file = process.env.BALLAST_DEPLOYMENT_FILE ?? join("deployments", `${connection.networkName}.json`);
writeDeploymentFile(file, deployment);

console.log(
  `Ballast deployed to ${connection.networkName} (chain ${deployment.chainId}) in ${Date.now() - started} ms`,
);
console.log(`  core          ${deployment.core} (block ${deployment.deploymentBlock})`);
console.log(`  collateral    ${deployment.collateral} (${deployment.collateralDecimals} decimals)`);
console.log(`  oracle        ${deployment.oracle}`);
console.log(`  vault         ${deployment.vault}`);
console.log(`  insurance     ${deployment.insurancePool}`);
console.log(`  multicall3    ${deployment.multicall3}`);
if (timelock !== undefined)
  console.log(`  timelock      ${timelock} (holds every admin role; the deployer holds none)`);
for (const market of deployment.markets) {
  console.log(`  market ${market.marketId}      ${market.symbol}-PERP, feed ${market.feed}`);
}
console.log(`Wrote ${file}`);
await connection.close();
