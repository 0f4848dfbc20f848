export * from "./math/index.js";
export * from "./errors.js";
export * from "./abi/index.js";
export * from "./deployment.js";
