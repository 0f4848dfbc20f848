/**
 * Node control for the stress lab: a real `hardhat node` child process on a free loopback port, a small JSON-RPC
 * client (single and batched requests), and the lab-driven clock: automine off, every block mined by the lab at a
 * timestamp it chooses (`evm_mine` with a timestamp), so a 26-hour crash runs in minutes of wall time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

const ROOT = process.cwd();
const HARDHAT_CLI = join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");

export type Hex = `0x${string}`;

/** A port the OS says is free now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

interface RpcResponse {
  id: number;
  result?: unknown;
  error?: { message: string; data?: unknown };
}

export class RpcError extends Error {
  constructor(
    readonly method: string,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${message}`);
  }
}

/** A minimal JSON-RPC client over fetch; `batch` sends many calls in one HTTP request (the node answers in order). */
export class Rpc {
  private nextId = 1;
  constructor(readonly url: string) {}

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const [result] = await this.batch<T>([[method, params]]);
    return result as T;
  }

  /** Every call of `calls`, in chunks of `chunk` per HTTP request; throws on the first error. */
  async batch<T = unknown>(calls: readonly (readonly [string, readonly unknown[]])[], chunk = 200): Promise<T[]> {
    const settled = await this.batchSettled<T>(calls, chunk);
    return settled.map((entry, i) => {
      if (entry instanceof Error) throw entry;
      void i;
      return entry;
    });
  }

  /** Like `batch`, but a failed call yields its RpcError instead of throwing. */
  async batchSettled<T = unknown>(
    calls: readonly (readonly [string, readonly unknown[]])[],
    chunk = 200,
  ): Promise<(T | RpcError)[]> {
    const out: (T | RpcError)[] = [];
    for (let start = 0; start < calls.length; start += chunk) {
      const slice = calls.slice(start, start + chunk);
      const body = slice.map(([method, params]) => ({ jsonrpc: "2.0", id: this.nextId++, method, params }));
      const parsed = await this.post(
        body,
        slice.every(([method]) => READ_ONLY.test(method)),
      );
      const list = Array.isArray(parsed) ? parsed : [parsed];
      const byId = new Map(list.map((entry) => [entry.id, entry]));
      for (const [i, request] of body.entries()) {
        const entry = byId.get(request.id);
        const method = slice[i]![0];
        if (!entry) out.push(new RpcError(method, "no answer"));
        else if (entry.error) out.push(new RpcError(method, entry.error.message, entry.error.data));
        else out.push(entry.result as T);
      }
    }
    return out;
  }

  /**
   * One HTTP request. Reads are retried on a dropped connection: the node closes idle keep-alive sockets, and a
   * request can race that close. Writes are not (a retry could send a transaction twice).
   */
  private async post(body: unknown[], retry: boolean): Promise<RpcResponse | RpcResponse[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(this.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body.length === 1 ? body[0] : body),
        });
        return (await response.json()) as RpcResponse | RpcResponse[];
      } catch (error) {
        if (!retry || attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
      }
    }
  }
}

/** JSON-RPC methods that change nothing (safe to retry). */
const READ_ONLY = /^(eth_call|eth_get\w+|eth_blockNumber|eth_chainId|net_version)$/;

export interface LabNode {
  url: string;
  port: number;
  rpc: Rpc;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `hardhat node --hostname 127.0.0.1 --port <free>` (the same command the keeper tests use). */
export async function startNode(): Promise<LabNode> {
  const port = await freePort();
  const child = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    if (output.length < 20_000) output += chunk.toString();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const rpc = new Rpc(url);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited: ${output}`);
    try {
      await rpc.call("eth_chainId");
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`hardhat node did not answer in 90 s: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  // The node logs every request to stdout; nobody reads it past startup, so stop buffering it.
  child.stdout?.removeListener("data", keep);
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url,
    port,
    rpc,
    child,
    stop: async () => {
      await stopProcess(child);
    },
  };
}

/** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

export interface BlockInfo {
  number: bigint;
  timestamp: bigint;
}

/**
 * The lab's clock. With automine off, transactions wait in the mempool until `mine(timestamp)`; the lab alone
 * decides when a block exists and what time it says.
 */
export class Miner {
  constructor(private readonly rpc: Rpc) {}

  async manual(): Promise<void> {
    await this.rpc.call("evm_setAutomine", [false]);
  }

  async automatic(): Promise<void> {
    await this.rpc.call("evm_setAutomine", [true]);
  }

  async latest(): Promise<BlockInfo> {
    const block = await this.rpc.call<{ number: Hex; timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
    return { number: BigInt(block.number), timestamp: BigInt(block.timestamp) };
  }

  /** Mines one block stamped `timestamp` (seconds) with everything pending; returns its number. */
  async mine(timestamp: bigint): Promise<bigint> {
    await this.rpc.call("evm_mine", [Number(timestamp)]);
    return (await this.latest()).number;
  }

  async pendingCount(): Promise<number> {
    const block = await this.rpc.call<{ transactions: unknown[] } | null>("eth_getBlockByNumber", ["pending", false]);
    return block?.transactions.length ?? 0;
  }
}
