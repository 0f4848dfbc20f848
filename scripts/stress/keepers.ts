/**
 * The project's real keeper (`scripts/keeper.ts`, unmodified) as child processes, each talking JSON-RPC to the
 * node through its own {@link KeeperProxy}. Logs (pino JSON lines) go to `<runDir>/keeper-<i>.log`. A keeper can be
 * killed and started again (the keeper-outage scenario); its SQLite index in the run directory lets it resume.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { stopProcess } from "./node.js";
import { KeeperProxy } from "./proxy.js";

const ROOT = process.cwd();

export interface KeeperOptions {
  nodeUrl: string;
  deploymentFile: string;
  runDir: string;
  /** Poll interval of the keeper, ms (its `--poll-interval`). */
  pollIntervalMs: number;
  /** Extra CLI arguments passed through unchanged (e.g. options newer keepers add). */
  extraArgs: string[];
}

export class KeeperProcess {
  readonly privateKey: `0x${string}`;
  readonly address: `0x${string}`;
  readonly proxy: KeeperProxy;
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private stdoutTail = "";
  starts = 0;
  /** Exits we did not ask for (crashes). */
  crashes = 0;
  private stopping = false;

  constructor(
    readonly index: number,
    private readonly options: KeeperOptions,
  ) {
    this.privateKey = keccak256(toHex(`ballast-stress-keeper-${index}`));
    this.address = privateKeyToAccount(this.privateKey).address;
    this.proxy = new KeeperProxy(options.nodeUrl);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the CLI and resolves once it logged "keeper started" (it then runs its own polling loop). */
  async start(): Promise<void> {
    if (!this.proxy.url) await this.proxy.start();
    this.log ??= createWriteStream(join(this.options.runDir, `keeper-${this.index}.log`), { flags: "w" });
    this.stopping = false;
    this.starts++;
    const args = [
      "--import",
      "tsx",
      join(ROOT, "scripts", "keeper.ts"),
      "--rpc",
      this.proxy.url,
      "--deployment",
      this.options.deploymentFile,
      "--private-key",
      this.privateKey,
      "--db",
      join(this.options.runDir, `keeper-${this.index}.sqlite`),
      "--metrics-port",
      "0",
      "--poll-interval",
      String(this.options.pollIntervalMs),
      // A local chain does not reorganise; the lab mines every block itself.
      "--reorg-depth",
      "0",
      // The lab decides when blocks come: a transaction waiting for the next block must not be "replaced".
      "--receipt-timeout",
      "600000",
      "--rpc-timeout",
      "120000",
      // The lab measures the protocol's waterfall, so its keepers close every liquidatable account, bankrupt ones
      // included, whatever the reward; what they earn and spend is reported as keeper P&L.
      "--min-profit-usd",
      "-1000000000",
      ...this.options.extraArgs,
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const started = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.log?.write(chunk);
        this.stdoutTail = (this.stdoutTail + chunk.toString()).slice(-4000);
        if (this.stdoutTail.includes('"keeper started"')) {
          child.stdout?.off("data", onData);
          child.stdout?.on("data", (more: Buffer) => this.log?.write(more));
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.once("exit", (code) => reject(new Error(`keeper ${this.index} exited (${code}): ${this.stdoutTail}`)));
    });
    child.stderr?.on("data", (chunk: Buffer) => this.log?.write(chunk));
    child.once("exit", () => {
      if (!this.stopping) this.crashes++;
    });
    await started;
  }

  /** SIGTERM: the keeper waits for its transactions in flight, then exits. */
  async stop(): Promise<void> {
    if (!this.child) return;
    this.stopping = true;
    // Blocks may be needed for its transactions in flight: the caller mines while this resolves.
    await stopProcess(this.child);
    this.child = undefined;
  }

  /** SIGKILL: a crash. Transactions it already broadcast stay in the mempool; its index stays on disk. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.stopping = true;
    await stopProcess(this.child, "SIGKILL");
    this.child = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.proxy.close();
    await new Promise<void>((resolve) => (this.log ? this.log.end(() => resolve()) : resolve()));
  }
}
