export * from "./wadMath.js";
export * from "./marginTiers.js";
export * from "./positionMath.js";
export * from "./fundingMath.js";
export * from "./marginMath.js";
export * from "./liquidationMath.js";
export * from "./pricingMath.js";
