/**
 * Moves a mock feed (local networks), to watch the dashboard's gauge and liquidation feed react:
 *
 *   PRICE=48100 SYMBOL=BTC npx hardhat run --network localhost examples/dashboard/scripts/set-price.ts
 *
 * `PRICE` is in USD (decimals allowed); `SYMBOL` defaults to BTC. The deployment is read from
 * `deployments/<network>.json` or `BALLAST_DEPLOYMENT`; `BALLAST_RPC_URL` targets another node.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { network } from "hardhat";
import type { BallastDeployment } from "../../../sdk/src/deployment.js";
import { wad } from "../../../scripts/lib/config.js";

const url = process.env.BALLAST_RPC_URL;
const connection = await (url === undefined
  ? network.create()
  : network.create({ network: "localhost", override: { url } }));
const file = resolve(process.env.BALLAST_DEPLOYMENT ?? `deployments/${connection.networkName}.json`);
const deployment = JSON.parse(readFileSync(file, "utf8")) as BallastDeployment;
const symbol = (process.env.SYMBOL ?? "BTC").toUpperCase();
const market = deployment.markets.find((m) => m.symbol.toUpperCase() === symbol);
if (market === undefined) throw new Error(`No ${symbol} market in ${file}.`);
if (process.env.PRICE === undefined) throw new Error("Set PRICE (USD), e.g. PRICE=48100.");
const feed = await connection.ethers.getContractAt("MockAggregator", market.feed);
const decimals = Number(await feed.decimals());
const answer = wad(process.env.PRICE) / 10n ** BigInt(18 - decimals);
await (await feed.setAnswer(answer)).wait();
console.log(`${symbol}/USD feed ${market.feed} now answers ${process.env.PRICE} (${answer}, ${decimals} decimals).`);
await connection.close();
