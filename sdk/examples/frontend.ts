/**
 * A frontend's path through the SDK, end to end: connect with viem to a deployment (the JSON a deployment script
 * writes), read an account, simulate a trade (on chain and with the SDK's math), and build the transaction a
 * wallet signs. Everything but `main` is plain browser-safe code.
 *
 * Run against a node with a deployment (the functions are also exercised by test/ts/sdk/example.test.ts):
 *   BALLAST_DEPLOYMENT=deployments/localhost.json BALLAST_ACCOUNT=1 BALLAST_SENDER=0x… \
 *     npx hardhat run sdk/examples/frontend.ts
 *
 * In an app, import from "@ballast/sdk" instead of "../src/index.js".
 */
import { type Address, createPublicClient, http, type Transport } from "viem";
import {
  type BallastClient,
  type BallastDeployment,
  type BallastTransaction,
  BallastError,
  createBallastClient,
  formatPercent,
  formatPrice,
  formatSize,
  formatUsd,
  MAX_UINT256,
} from "../src/index.js";

/** Parses a deployment JSON (as written by the deploy scripts) and checks the fields the SDK needs. */
export function parseDeployment(json: string): BallastDeployment {
  const deployment = JSON.parse(json) as BallastDeployment;
  for (const field of ["core", "oracle", "collateral", "multicall3"] as const) {
    if (typeof deployment[field] !== "string") throw new Error(`deployment JSON: missing "${field}"`);
  }
  if (!Array.isArray(deployment.markets)) throw new Error('deployment JSON: missing "markets"');
  return deployment;
}

/** A Ballast client over any viem transport (`http(url)` in an app, `custom(window.ethereum)` in a wallet). */
export function connect(deployment: BallastDeployment, transport: Transport): BallastClient {
  return createBallastClient({ publicClient: createPublicClient({ transport }), deployment });
}

/** What an account page shows: equity, margin use, and each position with its liquidation price. */
export async function describeAccount(ballast: BallastClient, accountId: bigint): Promise<string[]> {
  const view = await ballast.getAccount({ accountId });
  const lines = [`Account ${accountId} (${view.account.isolated ? "isolated" : "cross"}) at block ${view.blockNumber}`];
  const health = view.health;
  if (health === undefined) {
    for (const error of Object.values(view.priceErrors)) if (error !== undefined) lines.push(`  ${error.shortMessage}`);
    return lines;
  }
  lines.push(
    `  equity ${formatUsd(health.equity)}  IM ${formatUsd(health.initialMargin)}  MM ${formatUsd(health.maintenanceMargin)}`,
    `  margin ratio ${health.marginRatio === MAX_UINT256 ? "∞" : formatPercent(health.marginRatio)}` +
      `  withdrawable ${formatUsd(health.withdrawable)}${health.liquidatable ? "  LIQUIDATABLE" : ""}`,
  );
  for (const p of view.positions) {
    lines.push(
      `  ${p.symbol} ${formatSize(p.size)} @ ${formatPrice(p.entryPrice)} mark ${formatPrice(p.markPrice ?? 0n)}` +
        ` PnL ${formatUsd(p.unrealisedPnl ?? 0n)} liq. ${p.liquidationPrice === undefined ? "none" : formatPrice(p.liquidationPrice)}`,
    );
  }
  return lines;
}

/** An order ticket: simulate on chain, show the SDK's preview, and hand back the transaction to sign. */
export async function previewOrder(
  ballast: BallastClient,
  order: { sender: Address; accountId: bigint; marketId: number; sizeDelta: bigint; slippageBps?: number },
): Promise<{ lines: string[]; transaction: BallastTransaction | undefined }> {
  try {
    const sim = await ballast.simulateTrade({
      account: order.sender,
      accountId: order.accountId,
      marketId: order.marketId,
      sizeDelta: order.sizeDelta,
      slippageBps: order.slippageBps ?? 50,
    });
    const fill = sim.preview?.fill;
    const after = sim.preview?.healthAfter;
    return {
      lines: [
        `fill ${formatPrice(sim.fillPrice)} (worst accepted ${formatPrice(sim.acceptablePrice)}), fee ${formatUsd(fill?.fee ?? 0n)}`,
        `after: size ${formatSize(fill?.newSize ?? 0n)}, equity ${formatUsd(after?.equity ?? 0n)}, IM ${formatUsd(after?.initialMargin ?? 0n)}`,
      ],
      transaction: sim.transaction,
    };
  } catch (error) {
    // Reverts arrive as typed errors whose message says what to change.
    if (error instanceof BallastError) return { lines: [error.shortMessage], transaction: undefined };
    throw error;
  }
}

/** Reads the deployment file named by the environment and prints the account and an order preview. */
export async function main(): Promise<void> {
  const { readFileSync } = await import("node:fs");
  const deployment = parseDeployment(readFileSync(process.env.BALLAST_DEPLOYMENT ?? "", "utf8"));
  const ballast = connect(deployment, http(process.env.BALLAST_RPC_URL ?? "http://127.0.0.1:8545"));
  const accountId = BigInt(process.env.BALLAST_ACCOUNT ?? "1");
  for (const line of await describeAccount(ballast, accountId)) console.log(line);
  const sender = process.env.BALLAST_SENDER as Address | undefined;
  if (sender !== undefined) {
    const { lines, transaction } = await previewOrder(ballast, {
      sender,
      accountId,
      marketId: 0,
      sizeDelta: 10n ** 16n,
    });
    for (const line of lines) console.log(line);
    if (transaction !== undefined) console.log("to sign:", { ...transaction, value: transaction.value.toString() });
  }
}

if (typeof process !== "undefined" && process.env?.BALLAST_DEPLOYMENT !== undefined) await main();
