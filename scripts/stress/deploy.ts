/**
 * Deployment for a lab run: the project's own Ignition deployment (scripts/lib/deployment.ts) on the lab's node,
 * written as a `BallastDeployment` file for the keeper CLI, plus two local helpers from contracts/: the bulk
 * account opener (1,000+ accounts in a few transactions) and the lens (batched health reads).
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Abi } from "viem";
import { network } from "hardhat";
import type { BallastDeployment } from "../../sdk/src/deployment.js";
import type { MarketConfig } from "../lib/config.js";
import { deployBallast, writeDeploymentFile } from "../lib/deployment.js";
import type { Hex } from "./node.js";

const ROOT = process.cwd();

/** An ABI from the compiled artifacts (so the lab reads whatever the current contracts expose). */
export function artifactAbi(source: string, name: string): Abi {
  const path = join(ROOT, "artifacts", "contracts", source, `${name}.json`);
  return (JSON.parse(readFileSync(path, "utf8")) as { abi: Abi }).abi;
}

export interface LabDeployment {
  deployment: BallastDeployment;
  deploymentFile: string;
  admin: Hex;
  opener: Hex;
  lens: Hex;
  close(): Promise<void>;
}

export async function deployLab(options: {
  url: string;
  port: number;
  runDir: string;
  markets: readonly MarketConfig[];
}): Promise<LabDeployment> {
  const connection = await network.create({ network: "localhost", override: { url: options.url } });
  const deploymentId = `stress-${options.port}-${process.pid}`;
  try {
    const deployment = await deployBallast(connection, { deploymentId, markets: options.markets });
    const deploymentFile = join(options.runDir, "deployment.json");
    writeDeploymentFile(deploymentFile, deployment);
    const [admin] = await connection.ethers.getSigners();
    const opener = await connection.ethers.deployContract("BulkAccountOpener", [
      deployment.core,
      deployment.collateral,
      deployment.orderBook!,
    ]);
    const lens = await connection.ethers.deployContract("BallastLens");
    return {
      deployment,
      deploymentFile,
      admin: admin!.address as Hex,
      opener: (await opener.getAddress()) as Hex,
      lens: (await lens.getAddress()) as Hex,
      close: () => connection.close(),
    };
  } finally {
    // Ignition keeps a journal per deployment id; a lab chain dies with the run, so its journal is noise.
    rmSync(join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  }
}
