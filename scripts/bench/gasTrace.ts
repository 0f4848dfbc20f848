/**
 * Where a transaction's gas goes, from `debug_traceTransaction`'s opcode trace (EIP-3155 struct logs):
 * storage reads and writes (cold/warm per EIP-2929), external calls, log emission, and the execution gas spent in
 * each contract's own code. `GAS_TRACE=1 npm run bench:gas` prints it for the operations of `TRACED_OPERATIONS`.
 */

type StructLog = { op: string; gas: number; gasCost: number; depth: number; stack?: string[] };
type Trace = { gas: number; structLogs: StructLog[] };
type Provider = { send(method: string, params: unknown[]): Promise<unknown> };

export type GasBreakdown = {
  gasUsed: number;
  /** The 21,000 base plus calldata, less the refunds of cleared slots: gasUsed − execution. */
  intrinsic: number;
  coldReads: number;
  warmReads: number;
  writes: number;
  /** Gas charged by SLOAD/SSTORE (cold surcharges included). */
  storageGas: number;
  calls: number;
  /** Gas charged by CALL/STATICCALL/DELEGATECALL themselves (cold-account surcharges included, forwarded gas not). */
  callGas: number;
  logGas: number;
  /** Everything else: arithmetic, memory, hashing, ABI coding. */
  computeGas: number;
  /** Execution gas by the contract whose code ran it (a DELEGATECALLed library counts under its own name). */
  byCode: Record<string, number>;
};

/**
 * Breaks a mined transaction's gas down. `names` maps lower-case code addresses to names (a library reached by
 * DELEGATECALL is attributed to the library, whose code runs).
 */
export async function traceGas(
  provider: Provider,
  hash: string,
  gasUsed: number,
  to: string,
  names: Record<string, string>,
): Promise<GasBreakdown> {
  const trace = (await provider.send("debug_traceTransaction", [
    hash,
    { disableStorage: true, disableMemory: true, enableMemory: false },
  ])) as Trace;
  const logs = trace.structLogs;
  const codeStack: string[] = [to.toLowerCase()];
  const breakdown: GasBreakdown = {
    gasUsed,
    intrinsic: 0,
    coldReads: 0,
    warmReads: 0,
    writes: 0,
    storageGas: 0,
    calls: 0,
    callGas: 0,
    logGas: 0,
    computeGas: 0,
    byCode: {},
  };
  // Where each call returns: the next step back at the caller's depth.
  const returnsAt = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i] as StructLog;
    while (open.length > 0 && (logs[open[open.length - 1] as number] as StructLog).depth >= log.depth) {
      returnsAt.set(open.pop() as number, i);
    }
    const next = logs[i + 1];
    if (next !== undefined && next.depth === log.depth + 1) open.push(i);
  }
  let execution = 0;
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i] as StructLog;
    const next = logs[i + 1];
    // A call's gasCost includes the gas it forwards. Its own charge is what the caller lost over the call, less
    // what the callee spent (counted on its own steps): the 1/64 the caller keeps comes back and is not counted.
    let cost = log.gasCost;
    const isCall = ["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"].includes(log.op);
    const back = returnsAt.get(i);
    if (isCall && next !== undefined && next.depth === log.depth + 1 && back !== undefined) {
      const last = logs[back - 1] as StructLog;
      const calleeSpent = next.gas - (last.gas - last.gasCost);
      cost = log.gas - (logs[back] as StructLog).gas - calleeSpent;
    } else if (isCall && next !== undefined && next.depth === log.depth) cost = log.gas - next.gas; // precompile/EOA
    execution += cost;
    // Depth d runs codeStack[d − 1].
    codeStack.length = log.depth;
    const code = codeStack[log.depth - 1] ?? "?";
    const name = names[code] ?? code;
    breakdown.byCode[name] = (breakdown.byCode[name] ?? 0) + cost;
    if (log.op === "SLOAD") {
      breakdown.storageGas += cost;
      if (cost >= 2100) breakdown.coldReads++;
      else breakdown.warmReads++;
    } else if (log.op === "SSTORE") {
      breakdown.storageGas += cost;
      breakdown.writes++;
    } else if (isCall) {
      breakdown.calls++;
      breakdown.callGas += cost;
      const stack = log.stack ?? [];
      const target = `0x${(stack[stack.length - 2] ?? "0").replace(/^0x/, "").padStart(40, "0").slice(-40)}`;
      // DELEGATECALL runs the target's code; the others too (in their own context).
      codeStack[log.depth] = target.toLowerCase();
    } else if (log.op.startsWith("LOG")) {
      breakdown.logGas += cost;
    } else {
      breakdown.computeGas += cost;
    }
  }
  breakdown.intrinsic = gasUsed - execution;
  return breakdown;
}

/** One line per figure, for the bench's output and the closing notes. */
export function formatBreakdown(operation: string, b: GasBreakdown): string {
  const code = Object.entries(b.byCode)
    .sort(([, x], [, y]) => y - x)
    .map(([name, gas]) => `${name} ${gas.toLocaleString("en-US")}`)
    .join(", ");
  return [
    `${operation}: ${b.gasUsed.toLocaleString("en-US")} gas`,
    `  intrinsic (21,000 + calldata − refunds) ${b.intrinsic.toLocaleString("en-US")}`,
    `  storage ${b.storageGas.toLocaleString("en-US")}: ${b.coldReads} cold reads, ${b.warmReads} warm reads, ${b.writes} writes`,
    `  calls ${b.callGas.toLocaleString("en-US")} (${b.calls}), logs ${b.logGas.toLocaleString("en-US")}, compute ${b.computeGas.toLocaleString("en-US")}`,
    `  by code: ${code}`,
  ].join("\n");
}
