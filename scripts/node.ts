/**
 * `npm run node [-- --block-time <seconds>] [hardhat node options]`: a local Hardhat node on 127.0.0.1, by default
 * mining a block per transaction (automine); with `--block-time`, mining a block every <seconds> instead, like a real
 * chain (transactions wait in the mempool for the next block). Every other option goes to `hardhat node` as is
 * (e.g. `--port 8546`).
 *
 * Plain Node (no tsx, no imports from the repository): it starts `hardhat node`, waits until it answers, then
 * switches to interval mining with `evm_setAutomine(false)` + `evm_setIntervalMining(ms)`. SIGINT/SIGTERM are passed
 * on to the node.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
let blockTimeMs: number | undefined;
const index = args.findIndex((arg) => arg === "--block-time" || arg.startsWith("--block-time="));
if (index >= 0) {
  const inline = args[index]!.includes("=") ? args[index]!.split("=")[1] : undefined;
  const text = inline ?? args[index + 1];
  const seconds = Number(text);
  if (text === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    console.error(`node: --block-time must be a number of seconds > 0 (e.g. --block-time 1 or 0.5), got ${text}`);
    process.exit(2);
  }
  blockTimeMs = Math.round(seconds * 1000);
  args.splice(index, inline === undefined ? 2 : 1);
}
if (!args.includes("--hostname")) args.push("--hostname", "127.0.0.1");
const portIndex = args.indexOf("--port");
const port = portIndex >= 0 ? args[portIndex + 1] : "8545";
const host = args[args.indexOf("--hostname") + 1];

// The CLI file itself (hardhat's package exports do not include it): what `npx hardhat` runs.
const hardhat = fileURLToPath(new URL("../node_modules/hardhat/dist/src/cli.js", import.meta.url));
const child = spawn(process.execPath, [hardhat, "node", ...args], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(`http://${host}:${port}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

if (blockTimeMs !== undefined) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await rpc("eth_chainId");
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) {
        console.error("node: hardhat node did not answer; interval mining not set");
        process.exit(1);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await rpc("evm_setAutomine", [false]);
  await rpc("evm_setIntervalMining", [blockTimeMs]);
  console.log(`\nInterval mining: a block every ${blockTimeMs / 1000} s (automine off).`);
}
