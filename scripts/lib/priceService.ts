/**
 * A local price service that answers the Hermes HTTP endpoints a settlement keeper needs, so the keeper fetches
 * update data with `@pythnetwork/hermes-client` exactly as from Pyth's real service:
 *
 *   GET /v2/updates/price/latest?ids[]=<id>&encoding=hex|base64&parsed=true
 *   GET /v2/updates/price/<publish_time>?ids[]=<id>…   the first update published at or after publish_time
 *   GET /v2/price_feeds                                 the feeds it serves
 *
 * Updates are MockPyth's encoding (`abi.encode(PriceFeed, uint64 prevPublishTime)`, what MockPythUnique verifies),
 * one entry of `binary.data` per feed. Prices are published with `publish(feedId, priceWad, publishTime)`; each
 * feed keeps its history, and each update's prevPublishTime is the previous publication's, so an update is accepted
 * by `parsePriceFeedUpdatesUnique` exactly when it is the first at or after the order's settleTime. LOCAL USE ONLY.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { pythUpdate, toPythPrice } from "./orders.js";

interface Publication {
  publishTime: bigint;
  priceWad: bigint;
}

export class LocalPriceService {
  private readonly history = new Map<string, Publication[]>();
  private server: Server | undefined;

  /** Records a price of `feedId` (WAD) published at `publishTime` (after the feed's previous publication). */
  publish(feedId: string, priceWad: bigint, publishTime: bigint): void {
    const id = feedId.toLowerCase();
    const list = this.history.get(id) ?? [];
    const last = list.at(-1);
    if (last !== undefined && publishTime <= last.publishTime) {
      throw new Error(`publish time ${publishTime} is not after the last one (${last.publishTime})`);
    }
    list.push({ publishTime, priceWad });
    this.history.set(id, list);
  }

  /** The publication of `feedId` that settles an order with `settleTime` (first at or after it), and its predecessor. */
  private at(id: string, publishTime: bigint | "latest"): { current: Publication; previous: Publication | undefined } {
    const list = this.history.get(id);
    if (list === undefined || list.length === 0) throw new HttpError(404, `Price ids not found: ${id}`);
    const index = publishTime === "latest" ? list.length - 1 : list.findIndex((p) => p.publishTime >= publishTime);
    if (index < 0) throw new HttpError(404, `No price update at or after ${publishTime} for ${id}`);
    return { current: list[index]!, previous: list[index - 1] };
  }

  /** The body Hermes returns for `ids` at `publishTime` ("latest" or a unix time). */
  updates(ids: string[], publishTime: bigint | "latest", encoding: "hex" | "base64", parsed: boolean) {
    const entries = ids.map((raw) => {
      const id = normaliseId(raw);
      const { current, previous } = this.at(id, publishTime);
      const prev = previous?.publishTime ?? current.publishTime - 1n;
      const data = pythUpdate({
        feedId: id,
        priceWad: current.priceWad,
        publishTime: current.publishTime,
        prevPublishTime: prev,
      });
      const { price, expo } = toPythPrice(current.priceWad);
      const rpcPrice = { price: price.toString(), conf: "0", expo, publish_time: Number(current.publishTime) };
      return {
        data: encoding === "hex" ? data.slice(2) : Buffer.from(data.slice(2), "hex").toString("base64"),
        parsed: {
          id: id.slice(2),
          price: rpcPrice,
          ema_price: rpcPrice,
          metadata: { prev_publish_time: Number(prev), proof_available_time: Number(current.publishTime), slot: null },
        },
      };
    });
    return {
      binary: { encoding, data: entries.map((e) => e.data) },
      ...(parsed ? { parsed: entries.map((e) => e.parsed) } : {}),
    };
  }

  /** Serves the endpoints on `port` (0: any free port); resolves to the base URL. */
  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("no address");
    return `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    try {
      const url = new URL(request.url ?? "/", "http://local");
      const ids = url.searchParams.getAll("ids[]");
      const encoding = (url.searchParams.get("encoding") ?? "hex") as "hex" | "base64";
      if (encoding !== "hex" && encoding !== "base64") throw new HttpError(400, `unknown encoding ${encoding}`);
      const parsed = url.searchParams.get("parsed") !== "false";
      let body: unknown;
      const match = /^\/v2\/updates\/price\/(latest|\d+)$/.exec(url.pathname);
      if (match !== null) {
        if (ids.length === 0) throw new HttpError(400, "ids[] is required");
        body = this.updates(ids, match[1] === "latest" ? "latest" : BigInt(match[1]!), encoding, parsed);
      } else if (url.pathname === "/v2/price_feeds") {
        body = [...this.history.keys()].map((id) => ({ id: id.slice(2), attributes: { asset_type: "crypto" } }));
      } else {
        throw new HttpError(404, `no route ${url.pathname}`);
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      response.writeHead(status, { "content-type": "text/plain" });
      response.end(String(error instanceof Error ? error.message : error));
    }
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function normaliseId(id: string): string {
  return (id.startsWith("0x") ? id : `0x${id}`).toLowerCase();
}
