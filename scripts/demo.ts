/**
 * The main command (`npm run demo`): deploys Ballast to Hardhat's embedded network and prints its markets.
 * (The full crash-and-liquidate demo builds on this once the keeper lands.)
 */
import { formatUnits } from "ethers";
import { network } from "hardhat";
import { DEMO_MARKETS } from "./lib/config.js";
import { deployProtocol } from "./lib/deploy.js";

const { ethers } = await network.create();
const [admin] = await ethers.getSigners();
if (!admin) throw new Error("The network has no accounts to deploy from.");

const deployed = await deployProtocol(ethers, { admin, markets: DEMO_MARKETS });
const { core, token, oracle } = deployed;
const pct = (rate: bigint) => `${formatUnits(rate * 100n, 18)}%`;
const usd = (value: bigint) => `$${Number(formatUnits(value, 18)).toLocaleString("en-US")}`;

console.log("Ballast deployed on the embedded Hardhat network");
console.log(`  core            ${await core.getAddress()}`);
console.log(
  `  collateral      ${await token.getAddress()} (${await token.symbol()}, ${await token.decimals()} decimals)`,
);
console.log(`  oracle adapter  ${await oracle.getAddress()}`);
console.log(`  liquidity vault ${await (deployed.vault as { getAddress(): Promise<string> }).getAddress()}`);
console.log(`  insurance pool  ${await (deployed.insurance as { getAddress(): Promise<string> }).getAddress()}`);
const risk = await core.riskParams();
console.log(
  `  liquidation: fee ${pct(risk.liquidationFeeRate)} of closed notional (keeper share ${pct(risk.keeperRewardShare)}),` +
    ` buffer ${pct(risk.liquidationBuffer)}, full below health ${formatUnits(risk.fullLiquidationHealthFactor, 18)}`,
);

const count = await core.marketCount();
for (let marketId = 0n; marketId < count; marketId++) {
  const [params, , tiers] = await core.getMarket(marketId);
  const symbol = DEMO_MARKETS[Number(marketId)]?.symbol ?? `#${marketId}`;
  const price = await oracle.getPrice(params.feedId);
  console.log(`\nMarket ${marketId}: ${symbol}-PERP  mark ${usd(price)}`);
  console.log(
    `  fees taker ${pct(params.takerFeeRate)} / maker ${pct(params.makerFeeRate)}; max OI per side ` +
      `${formatUnits(params.maxOpenInterestPerSide, 18)} ${symbol}; skew scale ${formatUnits(params.skewScale, 18)} ${symbol}`,
  );
  console.log("  margin tiers (notional up to | initial | maintenance | max leverage):");
  for (const tier of tiers) {
    const leverage = Number(10n ** 20n / tier.initialMarginRate) / 100;
    console.log(
      `    ${usd(tier.notionalCap).padStart(14)} | ${pct(tier.initialMarginRate).padStart(6)} | ` +
        `${pct(tier.maintenanceMarginRate).padStart(6)} | ${leverage}x`,
    );
  }
}
