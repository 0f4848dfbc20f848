/**
 * `@ballast/sdk/keeper`: the liquidation keeper (Node only: node:sqlite, node:http, prom-client).
 * The main SDK entry never imports this module.
 *
 * @module
 */
export * from "./types.js";
export * from "./health.js";
export * from "./state.js";
export * from "./indexer.js";
export * from "./prices.js";
export * from "./executor.js";
export * from "./store.js";
export * from "./metrics.js";
export * from "./profit.js";
export * from "./keeper.js";
export * from "./orders.js";
export * from "./create.js";
export * from "./config.js";
