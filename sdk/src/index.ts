export * from "./math/index.js";
export * from "./errors.js";
