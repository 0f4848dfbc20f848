/**
 * The keeper CLI's settings: one table of options, each settable by a flag, an environment variable or a key of a
 * JSON config file, resolved with the precedence flags > environment > config file > defaults, and parsed with
 * errors that name where the bad value came from.
 *
 * @module
 */
/// <reference types="node" />
import { KeeperStartupError } from "./create.js";

type Kind = "string" | "list" | "int" | "decimal" | "signedDecimal" | "bool";

interface OptionSpec {
  kind: Kind;
  /** The flag, e.g. `--batch-size <n>`. */
  flag: string;
  description: string;
  default?: string | number | boolean | string[];
  /** Smallest value of a number. */
  min?: number;
  /** The environment variable; default `BALLAST_KEEPER_<NAME>`. */
  env?: string;
  /** Not accepted in a config file (secrets belong in a key file or the environment). */
  noConfigFile?: boolean;
  choices?: readonly string[];
}

/** Every option of the keeper CLI, by its config-file key. */
export const KEEPER_OPTIONS = {
  rpc: {
    kind: "list",
    flag: "--rpc <url>",
    description: "JSON-RPC endpoint; repeat it or separate with commas for fallbacks (tried in order)",
    default: ["http://127.0.0.1:8545"],
    env: "BALLAST_RPC_URL",
  },
  privateRpc: {
    kind: "string",
    flag: "--private-rpc <url>",
    description: "private submission endpoint: signed transactions go there, reads to --rpc",
    env: "BALLAST_PRIVATE_RPC_URL",
  },
  deployment: {
    kind: "string",
    flag: "--deployment <file>",
    description: "BallastDeployment file",
    default: "deployments/localhost.json",
    env: "BALLAST_DEPLOYMENT",
  },
  privateKey: {
    kind: "string",
    flag: "--private-key <hex>",
    description: "signer key (prefer --private-key-file or the environment: flags show up in ps)",
    env: "BALLAST_KEEPER_PRIVATE_KEY",
    noConfigFile: true,
  },
  privateKeyFile: {
    kind: "string",
    flag: "--private-key-file <file>",
    description: "file holding the signer key (hex, 0x-prefixed; surrounding whitespace ignored)",
  },
  recipient: {
    kind: "string",
    flag: "--recipient <address>",
    description: "where keeper rewards accrue (default: the signer)",
  },
  dryRun: { kind: "bool", flag: "--dry-run", description: "simulate liquidations, send nothing", default: false },
  shard: { kind: "string", flag: "--shard <i/n>", description: "only accounts with id mod n = i", default: "0/1" },
  db: {
    kind: "string",
    flag: "--db <path>",
    description: "SQLite index file (default .keeper/keeper-<chainId>-<shard>.sqlite; ':memory:' for none)",
  },
  metricsPort: {
    kind: "int",
    flag: "--metrics-port <port>",
    description: "Prometheus /metrics and /health port (0: off)",
    default: 9464,
    min: 0,
  },
  metricsHost: {
    kind: "string",
    flag: "--metrics-host <host>",
    description: "address the metrics server listens on",
    default: "127.0.0.1",
  },
  pollInterval: {
    kind: "int",
    flag: "--poll-interval <ms>",
    description: "how often to look for a new block",
    default: 1000,
    min: 10,
  },
  batchSize: { kind: "int", flag: "--batch-size <n>", description: "accounts per liquidateMany", default: 25, min: 1 },
  concurrency: {
    kind: "int",
    flag: "--concurrency <n>",
    description: "liquidation transactions in flight at once",
    default: 2,
    min: 1,
  },
  reorgDepth: {
    kind: "int",
    flag: "--reorg-depth <blocks>",
    description: "newest blocks re-read every time (never committed before)",
    default: 12,
    min: 0,
  },
  maxBlockRange: {
    kind: "int",
    flag: "--max-block-range <blocks>",
    description: "largest eth_getLogs range",
    default: 5000,
    min: 1,
  },
  maxFeeGwei: {
    kind: "decimal",
    flag: "--max-fee-gwei <gwei>",
    description: "EIP-1559 max fee CAP: no transaction or replacement pays more per gas (default: no cap)",
    min: 0,
  },
  priorityFeeGwei: {
    kind: "decimal",
    flag: "--priority-fee-gwei <gwei>",
    description: "EIP-1559 priority fee (default: the node's eth_maxPriorityFeePerGas)",
    min: 0,
  },
  gasMultiplier: {
    kind: "decimal",
    flag: "--gas-multiplier <x>",
    description: "gas limit = estimate × x, when estimating",
    default: 1.3,
    min: 1,
  },
  minProfitUsd: {
    kind: "signedDecimal",
    flag: "--min-profit-usd <usd>",
    description: "send only when expected reward − gas cost ≥ this; negative also clears bankrupt accounts at a loss",
    default: "0",
  },
  nativePriceUsd: {
    kind: "decimal",
    flag: "--native-price-usd <usd>",
    description: "USD per native token (ETH), to price gas for --min-profit-usd",
    default: 3000,
    min: 0,
  },
  receiptTimeout: {
    kind: "int",
    flag: "--receipt-timeout <ms>",
    description: "wait this long before replacing a transaction",
    default: 60000,
    min: 1,
  },
  rpcTimeout: {
    kind: "int",
    flag: "--rpc-timeout <ms>",
    description: "timeout of one RPC request",
    default: 10000,
    min: 1,
  },
  warnMarginRatio: {
    kind: "decimal",
    flag: "--warn-margin-ratio <percent>",
    description: "log healthy accounts at or above this margin ratio",
    default: 80,
    min: 0,
  },
  maxRecheck: {
    kind: "int",
    flag: "--max-recheck <seconds>",
    description: "longest a healthy account goes unchecked (chain time)",
    default: 60,
    min: 0,
  },
  hermesUrl: {
    kind: "string",
    flag: "--hermes-url <url>",
    description:
      "Hermes price service (Pyth's, or the feeder's --hermes-port): with it, the keeper also settles orders",
    env: "BALLAST_HERMES_URL",
  },
  settleOrders: {
    kind: "bool",
    flag: "--no-settle-orders",
    description: "do not settle orders even with a Hermes URL (config key settleOrders: false)",
    default: true,
  },
  orderBatchSize: {
    kind: "int",
    flag: "--order-batch-size <n>",
    description: "orders per settleMany",
    default: 20,
    min: 1,
  },
  fullScan: {
    kind: "bool",
    flag: "--full-scan",
    description: "evaluate every account on every block (no risk scheduling)",
    default: false,
  },
  logLevel: {
    kind: "string",
    flag: "--log-level <level>",
    description: "trace, debug, info, warn, error",
    default: "info",
    choices: ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
  },
} as const satisfies Record<string, OptionSpec>;

export type KeeperOptionName = keyof typeof KEEPER_OPTIONS;

/** The resolved settings: numbers, booleans, lists; strings for the rest (USD amounts stay decimal strings). */
export interface KeeperCliConfig {
  rpc: string[];
  privateRpc?: string;
  deployment: string;
  privateKey?: string;
  privateKeyFile?: string;
  recipient?: string;
  dryRun: boolean;
  shard: string;
  db?: string;
  metricsPort: number;
  metricsHost: string;
  pollInterval: number;
  batchSize: number;
  concurrency: number;
  reorgDepth: number;
  maxBlockRange: number;
  maxFeeGwei?: number;
  priorityFeeGwei?: number;
  gasMultiplier: number;
  minProfitUsd: string;
  nativePriceUsd: number;
  receiptTimeout: number;
  rpcTimeout: number;
  warnMarginRatio: number;
  maxRecheck: number;
  fullScan: boolean;
  hermesUrl?: string;
  settleOrders: boolean;
  orderBatchSize: number;
  logLevel: string;
}

/** The environment variable of an option. */
export function envName(name: KeeperOptionName): string {
  const spec: OptionSpec = KEEPER_OPTIONS[name];
  return spec.env ?? `BALLAST_KEEPER_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** The environment variable that names the config file. */
export const CONFIG_ENV = "BALLAST_KEEPER_CONFIG";

export type ValueSource = "flag" | "env" | "config" | "default";

function parseValue(name: KeeperOptionName, raw: unknown, where: string): unknown {
  const spec: OptionSpec = KEEPER_OPTIONS[name];
  const bad = (expected: string) =>
    new KeeperStartupError(
      "BAD_OPTION",
      `${spec.flag.split(" ")[0]} (${where}) must be ${expected}, got ${JSON.stringify(raw)}.`,
    );
  switch (spec.kind) {
    case "string": {
      if (typeof raw !== "string" || raw.trim() === "") throw bad("a non-empty string");
      if (spec.choices && !spec.choices.includes(raw)) throw bad(`one of ${spec.choices.join(", ")}`);
      return raw.trim();
    }
    case "list": {
      const items = (Array.isArray(raw) ? raw : [raw]).flatMap((item) =>
        typeof item === "string" ? item.split(",") : [item],
      );
      if (items.some((item) => typeof item !== "string")) throw bad("a string or a list of strings");
      const list = (items as string[]).map((item) => item.trim()).filter((item) => item !== "");
      if (list.length === 0) throw bad("at least one value");
      return list;
    }
    case "bool": {
      if (typeof raw === "boolean") return raw;
      if (typeof raw === "string" && /^(1|true|yes)$/i.test(raw.trim())) return true;
      if (typeof raw === "string" && /^(0|false|no|)$/i.test(raw.trim())) return false;
      throw bad("true or false");
    }
    case "int":
    case "decimal": {
      const value =
        typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
      const min = spec.min ?? Number.NEGATIVE_INFINITY;
      if (spec.kind === "int" && (!Number.isInteger(value) || value < min)) throw bad(`an integer ≥ ${min}`);
      if (!Number.isFinite(value) || value < min) throw bad(`a number ≥ ${min}`);
      return value;
    }
    case "signedDecimal": {
      const text = typeof raw === "number" ? String(raw) : raw;
      if (typeof text !== "string" || !/^-?\d+(\.\d{1,18})?$/.test(text.trim())) throw bad("a decimal number");
      return text.trim();
    }
  }
}

/**
 * Resolves every option: a flag wins over the environment, which wins over the config file, which wins over the
 * default. `flags` holds only the flags actually given (commander without defaults); `file` is the parsed config.
 */
export function resolveKeeperConfig(input: {
  flags: Partial<Record<KeeperOptionName, unknown>>;
  env: Record<string, string | undefined>;
  file?: Record<string, unknown>;
  /** Shown in errors about config-file values. */
  fileName?: string;
}): { config: KeeperCliConfig; sources: Record<KeeperOptionName, ValueSource> } {
  const { flags, env, file = {} } = input;
  const fileName = input.fileName ?? "config file";
  for (const key of Object.keys(file)) {
    if (!(key in KEEPER_OPTIONS)) {
      throw new KeeperStartupError(
        "BAD_OPTION",
        `Unknown key "${key}" in ${fileName}. Known keys: ${Object.keys(KEEPER_OPTIONS).join(", ")}.`,
      );
    }
    const spec: OptionSpec = KEEPER_OPTIONS[key as KeeperOptionName];
    if (spec.noConfigFile) {
      throw new KeeperStartupError(
        "BAD_OPTION",
        `"${key}" is not accepted in ${fileName}: keep secrets out of config files (use privateKeyFile or ${envName(key as KeeperOptionName)}).`,
      );
    }
  }
  const config: Record<string, unknown> = {};
  const sources = {} as Record<KeeperOptionName, ValueSource>;
  for (const name of Object.keys(KEEPER_OPTIONS) as KeeperOptionName[]) {
    const spec: OptionSpec = KEEPER_OPTIONS[name];
    const variable = envName(name);
    let value: unknown;
    if (flags[name] !== undefined) {
      value = parseValue(name, flags[name], "flag");
      sources[name] = "flag";
    } else if (env[variable] !== undefined && env[variable] !== "") {
      value = parseValue(name, env[variable], `from ${variable}`);
      sources[name] = "env";
    } else if (file[name] !== undefined) {
      value = parseValue(name, file[name], `from "${name}" in ${fileName}`);
      sources[name] = "config";
    } else {
      value = spec.default;
      sources[name] = "default";
    }
    if (value !== undefined) config[name] = value;
  }
  return { config: config as unknown as KeeperCliConfig, sources };
}

/** Reads and parses a JSON config file (an object of option keys). */
export async function loadConfigFile(path: string): Promise<Record<string, unknown>> {
  const { readFile } = await import("node:fs/promises");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new KeeperStartupError("BAD_OPTION", `Config file not found: ${path}.`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new KeeperStartupError("BAD_OPTION", `Config file ${path} is not valid JSON.`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new KeeperStartupError("BAD_OPTION", `Config file ${path} must hold a JSON object of options.`);
  }
  return parsed as Record<string, unknown>;
}

/** Reads a key file: 32 bytes of hex with a 0x prefix, whitespace around it ignored. */
export async function readPrivateKeyFile(path: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (error) {
    throw new KeeperStartupError("BAD_OPTION", `Private key file not found or unreadable: ${path}.`, { cause: error });
  }
}
