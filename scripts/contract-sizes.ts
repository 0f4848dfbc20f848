/**
 * Prints the runtime bytecode size of every deployable contract (mocks excluded) and its headroom below the
 * EIP-170 limit of 24,576 bytes, from the artifacts of the last build. `--min-headroom N` exits 1 if any contract
 * has less than N bytes of headroom. Run after `hardhat compile` (default profile) or
 * `hardhat compile --build-profile production`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const LIMIT = 24_576;
const minIndex = process.argv.indexOf("--min-headroom");
const minHeadroom = minIndex === -1 ? undefined : Number(process.argv[minIndex + 1]);

function* artifacts(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* artifacts(path);
    else if (entry.endsWith(".json") && !entry.endsWith(".dbg.json") && !entry.startsWith("artifacts")) yield path;
  }
}

const rows: { name: string; size: number; headroom: number }[] = [];
for (const path of artifacts("artifacts/contracts")) {
  if (path.includes("/mocks/")) continue;
  const artifact = JSON.parse(readFileSync(path, "utf8")) as { contractName?: string; deployedBytecode?: string };
  const size = ((artifact.deployedBytecode ?? "0x").length - 2) / 2;
  if (size <= 100) continue; // interfaces and internal-only libraries deploy no code worth listing
  rows.push({ name: artifact.contractName ?? path, size, headroom: LIMIT - size });
}
rows.sort((a, b) => b.size - a.size);
for (const row of rows) {
  console.log(
    `${row.name.padEnd(20)} ${String(row.size).padStart(6)} bytes   headroom ${String(row.headroom).padStart(6)}`,
  );
}
if (minHeadroom !== undefined) {
  const short = rows.filter((row) => row.headroom < minHeadroom);
  if (short.length > 0) {
    console.error(`under ${minHeadroom} bytes of headroom: ${short.map((row) => row.name).join(", ")}`);
    process.exit(1);
  }
}
