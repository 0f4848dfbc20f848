/**
 * The shared order helper of tests, benches, the stress lab and the demo lives in scripts/lib/orders.ts (scripts use
 * it too); tests import it from here.
 */
export * from "../../../scripts/lib/orders.js";
