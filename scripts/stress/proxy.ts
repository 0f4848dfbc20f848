/**
 * A JSON-RPC proxy in front of the node, one per keeper process. It lets the lab see what the keeper is doing
 * without touching the keeper's code, and blind it on purpose:
 *
 *  - quiescence: the lab mines a block, then waits until the keeper has polled the new head, done its work on it
 *    (at least the new block's logs), and gone back to polling only (block number / latest block / receipts) for
 *    two polls with nothing else in flight. Then it has either sent its liquidations (they wait in the mempool for
 *    the lab's next block) or found nothing to do.
 *  - lag: `freeze()` holds every request (unanswered, not refused: the keeper sees a slow node, not an error)
 *    until `unfreeze()`. The lab freezes the keeper for N blocks after each price update, so the keeper first sees
 *    the chain N blocks late and its liquidations land at the earliest N + 1 blocks after the update.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { freePort } from "./node.js";

/** Methods a keeper calls while it has nothing to do but wait for a block or a receipt. */
const IDLE = new Set(["eth_blockNumber", "eth_chainId", "net_version", "eth_getTransactionReceipt"]);

interface RpcRequest {
  method?: string;
  params?: unknown[];
}

function isIdle(request: RpcRequest): boolean {
  if (request.method === undefined) return true;
  if (IDLE.has(request.method)) return true;
  // The keeper's head poll; a lookup of a given block (the indexer's) is work.
  return request.method === "eth_getBlockByNumber" && request.params?.[0] === "latest";
}

export class KeeperProxy {
  private server: Server | undefined;
  private frozen = false;
  private waiters: (() => void)[] = [];
  private busyInFlight = 0;
  private idleSinceBusy = 0;
  private lastBusyAt = 0;
  /** The block the lab mined last (`mark`), whether a head poll has returned it, and work seen after that. */
  private markedBlock = 0n;
  private sawMarkedHead = false;
  private busySinceHead = 0;
  /** Transactions the keeper broadcast through this proxy (all time). */
  sent = 0;
  requests = 0;
  url = "";

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${port}`;
  }

  freeze(): void {
    this.frozen = true;
  }

  unfreeze(): void {
    this.frozen = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Call right after mining a block: quiescence then needs a head poll that came after it. */
  mark(block: bigint): void {
    this.markedBlock = block;
    this.sawMarkedHead = false;
    this.busySinceHead = 0;
  }

  /**
   * Resolves true once the keeper looked at the head after the last `mark()` and has since been idle for
   * `polls` requests and `quietMs`; false after `timeoutMs` (a keeper that is down or stuck must not hang the lab).
   */
  async quiet(options: { polls?: number; quietMs?: number; timeoutMs?: number } = {}): Promise<boolean> {
    const polls = options.polls ?? 2;
    const quietMs = options.quietMs ?? 60;
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    for (;;) {
      // A head poll returned the marked block, the keeper worked on it (it always reads the new block's logs),
      // and since its last work only idle requests came, with nothing in flight.
      if (
        this.sawMarkedHead &&
        this.busySinceHead > 0 &&
        this.busyInFlight === 0 &&
        this.idleSinceBusy >= polls &&
        Date.now() - this.lastBusyAt >= quietMs
      )
        return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    let requests: RpcRequest[] = [];
    try {
      const parsed = JSON.parse(body.toString()) as RpcRequest | RpcRequest[];
      requests = Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      // Forwarded as it is: the node answers with a parse error.
    }
    if (this.frozen) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.requests += requests.length;
    const busy = requests.some((request) => !isIdle(request));
    if (requests.some((request) => request.method === "eth_sendRawTransaction")) this.sent++;
    if (busy) {
      if (this.sawMarkedHead) this.busySinceHead++;
      this.busyInFlight++;
      this.idleSinceBusy = 0;
      this.lastBusyAt = Date.now();
    }
    try {
      const upstream = await fetch(this.target, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const text = await upstream.text();
      if (!busy && !this.sawMarkedHead) this.noteHead(requests, text);
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(text);
    } catch (error) {
      res.writeHead(502);
      res.end(String(error));
    } finally {
      if (busy) {
        this.busyInFlight--;
        this.lastBusyAt = Date.now();
      } else {
        this.idleSinceBusy++;
      }
    }
  }

  /** Whether a head poll's answer (latest block, or block number) is at or past the marked block. */
  private noteHead(requests: RpcRequest[], text: string): void {
    const method = requests.length === 1 ? requests[0]!.method : undefined;
    if (method !== "eth_getBlockByNumber" && method !== "eth_blockNumber") return;
    try {
      const { result } = JSON.parse(text) as { result?: string | { number?: string } };
      const number = typeof result === "string" ? result : result?.number;
      if (number !== undefined && BigInt(number) >= this.markedBlock) this.sawMarkedHead = true;
    } catch {
      // Not an answer we can read: quiescence falls back to the lab's timeout.
    }
  }

  async close(): Promise<void> {
    this.unfreeze();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
