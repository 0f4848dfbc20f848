/**
 * What the dashboard needs and `@ballast/sdk` does not offer yet, built with viem on the SDK's exported ABIs and
 * kept in this one file so that each piece can move into the SDK as it lands:
 *
 * - pool balances (vault and insurance pool ERC-4626 totals, the core's ledgers, the vault's NAV);
 * - the connected wallet's collateral balance and allowance;
 * - the accounts an owner holds (the `AccountCreated` events of that owner);
 * - the new account's id in a `createAccount` receipt;
 * - minting the local mock USDC (`MockERC20.mint`, local networks only);
 * - a protocol-wide feed of liquidations (`watchAccount` follows one account only).
 */
import {
  ballastCoreAbi,
  type BallastDeployment,
  type BallastTransaction,
  insurancePoolAbi,
  liquidityVaultAbi,
  mockErc20Abi,
} from "@ballast/sdk";
import {
  type Address,
  type Client,
  encodeFunctionData,
  type Hash,
  type Log,
  parseEventLogs,
  type TransactionReceipt,
} from "viem";
import { getBlock, getBlockNumber, getContractEvents, multicall, watchContractEvent } from "viem/actions";

/** The liquidity vault and insurance pool, in collateral units (ERC-4626 totals) and WAD USD (core ledgers). */
export type PoolsView = {
  blockNumber: bigint;
  vaultAssets: bigint;
  vaultShares: bigint;
  vaultShareDecimals: number;
  insuranceAssets: bigint;
  insuranceShares: bigint;
  insuranceShareDecimals: number;
  /** The LP ledger in the core, WAD USD (realised). */
  vaultLedger: bigint;
  /** The insurance ledger in the core, WAD USD. */
  insuranceLedger: bigint;
  /** The vault's NAV (ledger + traders' unrealised PnL and funding against it), WAD USD; undefined without prices. */
  vaultNav: bigint | undefined;
};

export async function readPools(
  client: Client,
  deployment: BallastDeployment,
  blockNumber: bigint,
): Promise<PoolsView> {
  const [vaultAssets, vaultShares, vaultDecimals, insuranceAssets, insuranceShares, insuranceDecimals, ledgers, nav] =
    await multicall(client, {
      multicallAddress: deployment.multicall3,
      blockNumber,
      allowFailure: true,
      contracts: [
        { address: deployment.vault, abi: liquidityVaultAbi, functionName: "totalAssets" },
        { address: deployment.vault, abi: liquidityVaultAbi, functionName: "totalSupply" },
        { address: deployment.vault, abi: liquidityVaultAbi, functionName: "decimals" },
        { address: deployment.insurancePool, abi: insurancePoolAbi, functionName: "totalAssets" },
        { address: deployment.insurancePool, abi: insurancePoolAbi, functionName: "totalSupply" },
        { address: deployment.insurancePool, abi: insurancePoolAbi, functionName: "decimals" },
        { address: deployment.core, abi: ballastCoreAbi, functionName: "ledgers" },
        { address: deployment.core, abi: ballastCoreAbi, functionName: "vaultNetAssetValue" },
      ],
    });
  const value = <T>(result: { status: "success"; result: T } | { status: "failure"; error: Error }): T => {
    if (result.status === "failure") throw result.error;
    return result.result;
  };
  const [vaultLedger, insuranceLedger] = value(ledgers);
  return {
    blockNumber,
    vaultAssets: value(vaultAssets),
    vaultShares: value(vaultShares),
    vaultShareDecimals: Number(value(vaultDecimals)),
    insuranceAssets: value(insuranceAssets),
    insuranceShares: value(insuranceShares),
    insuranceShareDecimals: Number(value(insuranceDecimals)),
    vaultLedger,
    insuranceLedger,
    vaultNav: nav.status === "success" ? nav.result : undefined,
  };
}

/** The wallet's collateral balance and the core's allowance, in collateral units. */
export type WalletBalances = { owner: Address; collateral: bigint; allowance: bigint };

export async function readWalletBalances(
  client: Client,
  deployment: BallastDeployment,
  owner: Address,
  blockNumber: bigint,
): Promise<WalletBalances> {
  const [collateral, allowance] = await multicall(client, {
    multicallAddress: deployment.multicall3,
    blockNumber,
    allowFailure: false,
    contracts: [
      { address: deployment.collateral, abi: mockErc20Abi, functionName: "balanceOf", args: [owner] },
      { address: deployment.collateral, abi: mockErc20Abi, functionName: "allowance", args: [owner, deployment.core] },
    ],
  });
  return { owner, collateral, allowance };
}

/** The ids of the accounts `owner` created, oldest first. */
export async function findAccounts(client: Client, deployment: BallastDeployment, owner: Address): Promise<bigint[]> {
  const logs = await getContractEvents(client, {
    address: deployment.core,
    abi: ballastCoreAbi,
    eventName: "AccountCreated",
    args: { owner },
    fromBlock: BigInt(deployment.deploymentBlock),
    toBlock: "latest",
    strict: true,
  });
  return logs.map((log) => log.args.accountId).filter((id): id is bigint => id !== undefined);
}

/** The account id in a `createAccount` receipt. */
export function accountIdFromReceipt(receipt: TransactionReceipt): bigint | undefined {
  const [created] = parseEventLogs({ abi: ballastCoreAbi, eventName: "AccountCreated", logs: receipt.logs });
  return created?.args.accountId;
}

/** `MockERC20.mint(to, assets)` — the local mock USDC only; real collateral tokens have no public mint. */
export function buildMintCollateral(deployment: BallastDeployment, to: Address, assets: bigint): BallastTransaction {
  return {
    to: deployment.collateral,
    data: encodeFunctionData({ abi: mockErc20Abi, functionName: "mint", args: [to, assets] }),
    value: 0n,
  };
}

/** One closed position inside a liquidation (a `PositionLiquidated` event). */
export type LiquidatedPosition = {
  marketId: number;
  closedSize: bigint;
  markPrice: bigint;
  realisedPnl: bigint;
  newSize: bigint;
};

/** One liquidation: the `AccountLiquidated` event with its `PositionLiquidated` and `BadDebtSettled` siblings. */
export type LiquidationEntry = {
  key: string;
  blockNumber: bigint;
  transactionHash: Hash;
  /** The block's timestamp (unix seconds), once known. */
  timestamp: bigint | undefined;
  accountId: bigint;
  liquidator: Address;
  recipient: Address;
  full: boolean;
  /** WAD share of every position closed. */
  fraction: bigint;
  closedNotional: bigint;
  fee: bigint;
  keeperReward: bigint;
  marginAfter: bigint;
  positions: LiquidatedPosition[];
  badDebt: { badDebt: bigint; coveredByInsurance: bigint; socialised: bigint } | undefined;
};

type CoreLog = Log & { eventName?: string; args?: Record<string, unknown> };

const FEED_EVENTS = new Set(["AccountLiquidated", "PositionLiquidated", "BadDebtSettled"]);

function logId(log: CoreLog): string {
  return `${log.transactionHash}:${log.logIndex}`;
}

function group(logs: Iterable<CoreLog>, timestamps: Map<bigint, bigint>): LiquidationEntry[] {
  const byKey = new Map<string, CoreLog[]>();
  for (const log of logs) {
    const key = `${log.transactionHash}:${String(log.args?.accountId)}`;
    byKey.set(key, [...(byKey.get(key) ?? []), log]);
  }
  const entries: LiquidationEntry[] = [];
  for (const [key, group] of byKey) {
    const head = group.find((log) => log.eventName === "AccountLiquidated");
    if (head?.args === undefined || head.blockNumber === null || head.transactionHash === null) continue;
    const a = head.args;
    const debt = group.find((log) => log.eventName === "BadDebtSettled")?.args;
    entries.push({
      key,
      blockNumber: head.blockNumber,
      transactionHash: head.transactionHash,
      timestamp: timestamps.get(head.blockNumber),
      accountId: a.accountId as bigint,
      liquidator: a.liquidator as Address,
      recipient: a.recipient as Address,
      full: a.full as boolean,
      fraction: a.fraction as bigint,
      closedNotional: a.closedNotional as bigint,
      fee: a.fee as bigint,
      keeperReward: a.keeperReward as bigint,
      marginAfter: a.marginAfter as bigint,
      positions: group
        .filter((log) => log.eventName === "PositionLiquidated")
        .sort((x, y) => (x.logIndex ?? 0) - (y.logIndex ?? 0))
        .map((log) => ({
          marketId: Number(log.args?.marketId),
          closedSize: log.args?.closedSize as bigint,
          markPrice: log.args?.markPrice as bigint,
          realisedPnl: log.args?.realisedPnl as bigint,
          newSize: log.args?.newSize as bigint,
        })),
      badDebt:
        debt === undefined
          ? undefined
          : {
              badDebt: debt.badDebt as bigint,
              coveredByInsurance: debt.coveredByInsurance as bigint,
              socialised: debt.socialised as bigint,
            },
    });
  }
  return entries.sort((x, y) =>
    x.blockNumber === y.blockNumber ? y.key.localeCompare(x.key) : x.blockNumber > y.blockNumber ? -1 : 1,
  );
}

/**
 * Every liquidation since the deployment block (newest first), then live: watches the core's events with viem's
 * `watchContractEvent` (the SDK's `ballastCoreAbi`) and back-fills history with `getContractEvents`; logs are
 * de-duplicated by transaction and log index, so the overlap of the two is harmless.
 */
export function watchLiquidations(
  client: Client,
  deployment: BallastDeployment,
  onChange: (entries: LiquidationEntry[]) => void,
  onError: (error: unknown) => void,
  pollingInterval: number,
): () => void {
  const logs = new Map<string, CoreLog>();
  const timestamps = new Map<bigint, bigint>();
  let stopped = false;

  const add = async (incoming: readonly CoreLog[]) => {
    let changed = false;
    for (const log of incoming) {
      if (!FEED_EVENTS.has(log.eventName ?? "") || log.transactionHash === null) continue;
      if (logs.has(logId(log))) continue;
      logs.set(logId(log), log);
      changed = true;
    }
    if (!changed) return;
    const blocks = new Set([...logs.values()].map((log) => log.blockNumber).filter((n): n is bigint => n !== null));
    for (const blockNumber of blocks) {
      if (timestamps.has(blockNumber)) continue;
      timestamps.set(blockNumber, (await getBlock(client, { blockNumber })).timestamp);
    }
    if (!stopped) onChange(group(logs.values(), timestamps));
  };

  const unwatch = watchContractEvent(client, {
    address: deployment.core,
    abi: ballastCoreAbi,
    pollingInterval,
    onError,
    onLogs: (incoming) => {
      add(incoming as unknown as CoreLog[]).catch(onError);
    },
  });

  (async () => {
    const toBlock = await getBlockNumber(client, { cacheTime: 0 });
    const history = await getContractEvents(client, {
      address: deployment.core,
      abi: ballastCoreAbi,
      fromBlock: BigInt(deployment.deploymentBlock),
      toBlock,
    });
    await add(history as unknown as CoreLog[]);
    if (!stopped && logs.size === 0) onChange([]);
  })().catch(onError);

  return () => {
    stopped = true;
    unwatch();
  };
}
