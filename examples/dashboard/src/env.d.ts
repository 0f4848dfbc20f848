/// <reference types="vite/client" />

/** The node's JSON-RPC URL, compiled in by vite.config.ts (`BALLAST_RPC_URL`). */
declare const __BALLAST_RPC_URL__: string;
/** Polling interval for blocks and events, ms. */
declare const __BALLAST_POLLING_MS__: number;
