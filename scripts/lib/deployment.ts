/**
 * Deploys Ballast with the Ignition module and describes the result as a `BallastDeployment` (the file the SDK,
 * the keeper and the feeder read). Used by `npm run deploy:local` (scripts/deploy.ts), the demo and the tests.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { NetworkConnection } from "hardhat/types/network";
import { buildBallastModule } from "../../ignition/modules/Ballast.js";
import { buildTimelockModule } from "../../ignition/modules/Timelock.js";
import type { BallastDeployment } from "../../sdk/src/deployment.js";
import { LOCAL_MARKETS, feedId, type MarketConfig, pythFeedId } from "./config.js";

export interface DeployBallastOptions {
  markets?: readonly MarketConfig[];
  /** Ignition deployment id (default `chain-<chainId>`); on-disk journals live in `ignition/deployments/<id>`. */
  deploymentId?: string;
  /** Ignition module parameters, e.g. `{ Ballast: { collateralDecimals: 6 } }`. */
  parameters?: Record<string, Record<string, string | number | bigint | boolean>>;
  /** Project root (for the Ignition journal), default the current directory. */
  root?: string;
}

type Hex = `0x${string}`;

interface RpcBlock {
  number: Hex;
}

/** Reads the block of the core's deployment from the Ignition journal, if one was written. */
function deploymentBlockFromJournal(journalPath: string, futureId: string): number | undefined {
  if (!existsSync(journalPath)) return undefined;
  for (const line of readFileSync(journalPath, "utf8").split("\n")) {
    if (!line.includes(futureId) || !line.includes("TRANSACTION_CONFIRM")) continue;
    const entry = JSON.parse(line) as { futureId?: string; receipt?: { blockNumber?: number } };
    if (entry.futureId === futureId && entry.receipt?.blockNumber !== undefined)
      return Number(entry.receipt.blockNumber);
  }
  return undefined;
}

/**
 * Deploys (or, when Ignition's journal says it is already deployed, resumes and reads) the protocol on
 * `connection`'s network. On a local Hardhat chain (id 31337) a journal whose core has no code left (the node was
 * restarted) is wiped first, so `deploy:local` always works against a fresh `npm run node`.
 */
export async function deployBallast(
  connection: NetworkConnection,
  options: DeployBallastOptions = {},
): Promise<BallastDeployment> {
  const markets = options.markets ?? LOCAL_MARKETS;
  const provider = connection.provider;
  const chainId = Number(await provider.request({ method: "eth_chainId" }));
  const deploymentId = options.deploymentId ?? `chain-${chainId}`;
  const root = options.root ?? process.cwd();
  const deploymentDir = join(root, "ignition", "deployments", deploymentId);
  const onDisk = connection.networkConfig.type !== "edr-simulated";

  if (onDisk && chainId === 31337 && existsSync(join(deploymentDir, "deployed_addresses.json"))) {
    const addresses = JSON.parse(readFileSync(join(deploymentDir, "deployed_addresses.json"), "utf8")) as Record<
      string,
      string
    >;
    const core = addresses["Ballast#BallastCore"];
    const code = core
      ? ((await provider.request({ method: "eth_getCode", params: [core, "latest"] })) as string)
      : "0x";
    if (code === "0x") rmSync(deploymentDir, { recursive: true, force: true });
  }

  const blockBefore = Number(
    ((await provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as RpcBlock).number,
  );
  const module = buildBallastModule(markets);
  const deployed = await connection.ignition.deploy(module, {
    deploymentId,
    parameters: options.parameters ?? {},
    config: { requiredConfirmations: 1 },
  });

  const address = async (contract: { getAddress(): Promise<string> }) => (await contract.getAddress()) as Hex;
  const deployedRecord = deployed as unknown as Record<string, { getAddress(): Promise<string> }>;
  const core = await address(deployed.core);
  const deploymentBlock =
    (onDisk ? deploymentBlockFromJournal(join(deploymentDir, "journal.jsonl"), "Ballast#BallastCore") : undefined) ??
    blockBefore + 1;
  return {
    chainId,
    deploymentBlock,
    core,
    collateral: await address(deployed.collateral),
    collateralDecimals: Number(await deployed.collateral.getFunction("decimals")()),
    oracle: await address(deployed.oracle),
    vault: await address(deployed.vault),
    insurancePool: await address(deployed.insurancePool),
    multicall3: await address(deployed.multicall3),
    orderBook: await address(deployed.orderBook),
    pyth: await address(deployed.pyth),
    markets: await Promise.all(
      markets.map(async (market, marketId) => {
        const feed = deployedRecord[`feed${market.symbol}`];
        if (!feed) throw new Error(`The Ignition result has no feed for ${market.symbol}`);
        return {
          marketId,
          symbol: market.symbol,
          feedId: feedId(market.symbol) as Hex,
          feed: await address(feed),
          pythFeedId: pythFeedId(market.symbol) as Hex,
        };
      }),
    ),
  };
}

/**
 * Hands every admin role of the deployment to a `BallastTimelock` and renounces the deployer's own
 * (ignition/modules/Timelock.ts). Run after `deployBallast` with the same deployment id; returns the timelock.
 */
export async function handOverToTimelock(
  connection: NetworkConnection,
  deployment: Pick<BallastDeployment, "chainId" | "core" | "oracle" | "insurancePool" | "vault" | "orderBook">,
  options: { deploymentId?: string; delaySeconds?: number; proposer?: string } = {},
): Promise<Hex> {
  const parameters: Record<string, string | number> = {
    core: deployment.core,
    oracle: deployment.oracle,
    insurancePool: deployment.insurancePool,
    vault: deployment.vault,
  };
  if (deployment.orderBook === undefined) throw new Error("handOverToTimelock: the deployment has no order book");
  parameters.orderBook = deployment.orderBook;
  if (options.delaySeconds !== undefined) parameters.timelockDelaySeconds = options.delaySeconds;
  if (options.proposer !== undefined) parameters.proposer = options.proposer;
  const deployed = await connection.ignition.deploy(buildTimelockModule(), {
    deploymentId: options.deploymentId ?? `chain-${deployment.chainId}`,
    parameters: { BallastGovernance: parameters },
    config: { requiredConfirmations: 1 },
  });
  return (await deployed.timelock.getAddress()) as Hex;
}

/** Writes a deployment file (creating its folder). */
export function writeDeploymentFile(path: string, deployment: BallastDeployment): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(deployment, null, 2)}\n`);
}
