/**
 * Liquidates an account as a keeper would (Hardhat signer #2 by default), so that it shows in the dashboard's feed:
 *
 *   ACCOUNT=2 npx hardhat run --network localhost examples/dashboard/scripts/liquidate.ts
 *
 * The core refuses (`AccountNotLiquidatable`) while the account's equity is above its maintenance margin.
 * `KEEPER` picks another signer index; `BALLAST_DEPLOYMENT` and `BALLAST_RPC_URL` as in set-price.ts.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { network } from "hardhat";
import type { BallastDeployment } from "../../../sdk/src/deployment.js";

const url = process.env.BALLAST_RPC_URL;
const connection = await (url === undefined
  ? network.create()
  : network.create({ network: "localhost", override: { url } }));
const file = resolve(process.env.BALLAST_DEPLOYMENT ?? `deployments/${connection.networkName}.json`);
const deployment = JSON.parse(readFileSync(file, "utf8")) as BallastDeployment;
if (process.env.ACCOUNT === undefined) throw new Error("Set ACCOUNT, the account id to liquidate.");
const accountId = BigInt(process.env.ACCOUNT);
const keeper = (await connection.ethers.getSigners())[Number(process.env.KEEPER ?? 2)];
if (keeper === undefined) throw new Error("No such signer.");
const core = await connection.ethers.getContractAt("BallastCore", deployment.core);
const receipt = await (await core.connect(keeper).liquidate(accountId, keeper.address)).wait();
const event = receipt?.logs.map((log) => core.interface.parseLog(log)).find((e) => e?.name === "AccountLiquidated");
console.log(
  `Account ${accountId} liquidated by ${keeper.address}: ${event?.args.full ? "full" : "partial"}, ` +
    `closed notional ${event?.args.closedNotional} (WAD), fee ${event?.args.fee} (WAD).`,
);
await connection.close();
