/**
 * The active agents of a run, each an impersonated address with its own books (tokens minted to it vs. tokens it
 * holds at the end plus what it still has inside the protocol):
 *  - LPs (the demo's three: $1M, $500k, $250k) and two churning LPs that enter and leave mid-scenario;
 *  - insurance stakers (the run's insurance size: 60% / 30% long-term, 10% a staker who asks to leave at once: a
 *    binding request, settled after the cooldown if the scenario lasts that long);
 *  - flat accounts: margin, no positions, withdraw everything at the end (must lose exactly 0);
 *  - a long/short coalition at maximum leverage on the scenario's primary market (one side's bad debt, the other
 *    side's profit);
 *  - a JIT LP that requests a deposit just before the scenario's worst leg and a redemption just after it.
 *
 * Every vault deposit and redemption is an ERC-7540 request settled after the vault's settlement delay at the worse
 * of the request-time and settlement-time price; the agent settles it before the first price update after its unlock
 * time (so the JIT LP measures what the real flow lets it make). Staking is synchronous; leaving the insurance pool
 * is a binding request, settled the same way.
 */
import { maxUint256, parseEventLogs } from "viem";
import { ballastCoreAbi } from "../../sdk/src/abi/ballastCore.js";
import { insurancePoolAbi } from "../../sdk/src/abi/insurancePool.js";
import { liquidityVaultAbi } from "../../sdk/src/abi/liquidityVault.js";
import { mockErc20Abi } from "../../sdk/src/abi/mockErc20.js";
import { oracleAdapterAbi } from "../../sdk/src/abi/oracleAdapter.js";
import { orderBookAbi } from "../../sdk/src/abi/orderBook.js";
import type { BallastDeployment } from "../../sdk/src/deployment.js";
import { requirements } from "../../sdk/src/math/marginTiers.js";
import { type MarketConfig, WAD } from "../lib/config.js";
import { pythUpdate } from "../lib/orders.js";
import type { Hex, Rpc } from "./node.js";
import { agentAddress, type Call, readContract, type Wallets } from "./wallets.js";

export interface AgentBook {
  label: string;
  role: "lp" | "lp-churn" | "staker" | "staker-churn" | "flat" | "coalition" | "jit-lp";
  address: Hex;
  /** Token units minted to the agent (all it ever put in). */
  minted: bigint;
  accountId?: bigint;
  /** Events worth reporting (entries, exits, refusals). */
  notes: string[];
}

export interface AgentResult {
  label: string;
  role: AgentBook["role"];
  address: Hex;
  inUsd: number;
  outUsd: number;
  stillInsideUsd: number;
  profitUsd: number;
  notes: string[];
}

export interface AgentOptions {
  rpc: Rpc;
  wallets: Wallets;
  deployment: BallastDeployment;
  markets: readonly MarketConfig[];
  /** Insurance staked at the start, USD. */
  insuranceUsd: number;
  primaryMarket: string;
  durationSeconds: number;
  worstLeg: { from: number; to: number };
  /** Insurance cooldown, seconds (the deployment's). */
  insuranceCooldown: number;
}

const LP_SIZES = [1_000_000, 500_000, 250_000];
const FLAT_ACCOUNTS = 5;
const FLAT_DEPOSIT = 10_000;
const COALITION_NOTIONAL = 250_000;
const JIT_DEPOSIT = 500_000;

export class Agents {
  readonly books: AgentBook[] = [];
  private readonly unit: bigint;
  private readonly scale: bigint;
  private readonly d: BallastDeployment;
  private jit: "waiting" | "requested" | "in" | "leaving" | "done" = "waiting";
  private churn: { at: number; book: AgentBook; action: "deposit" | "redeem"; usd?: number; done: boolean }[] = [];
  /** Seconds between a vault request and its settlement (read from the vault in `setup`). */
  private vaultDelay = 0n;

  constructor(private readonly o: AgentOptions) {
    this.d = o.deployment;
    this.unit = 10n ** BigInt(this.d.collateralDecimals);
    this.scale = 10n ** BigInt(18 - this.d.collateralDecimals);
  }

  private book(label: string, role: AgentBook["role"]): AgentBook {
    const book: AgentBook = { label, role, address: agentAddress(label), minted: 0n, notes: [] };
    this.books.push(book);
    return book;
  }

  private usd(amount: number): bigint {
    return BigInt(Math.round(amount)) * this.unit;
  }

  private fund(book: AgentBook, assets: bigint, spender: Hex): Call[] {
    book.minted += assets;
    return [
      { to: this.d.collateral, abi: mockErc20Abi, functionName: "mint", args: [book.address, assets] },
      { to: this.d.collateral, abi: mockErc20Abi, functionName: "approve", args: [spender, maxUint256] },
    ];
  }

  private vaultRequestDeposit(book: AgentBook, assets: bigint): Call[] {
    return [
      ...this.fund(book, assets, this.d.vault),
      {
        to: this.d.vault,
        abi: liquidityVaultAbi,
        functionName: "requestDeposit",
        args: [assets, book.address, book.address],
      },
    ];
  }

  private request(pool: Hex, functionName: "depositRequest" | "redeemRequest", owner: Hex) {
    return readContract<{ amount: bigint; unlockTime: bigint }>(this.o.rpc, {
      to: pool,
      abi: pool === this.d.vault ? liquidityVaultAbi : insurancePoolAbi,
      functionName,
      args: [owner],
    });
  }

  /**
   * Settlement calls for `book`'s requests that are unlocked at `blockTime` (the timestamp of the block they will be
   * mined in), in the vault and the insurance pool. A settlement the vault's reserve refuses reverts in its block and
   * is simply tried again at the next update (the request stays pending, bearing the vault's PnL).
   */
  private async settlements(book: AgentBook, blockTime: bigint): Promise<Call[]> {
    const calls: Call[] = [];
    const wanted = [
      [this.d.vault, "depositRequest", "settleDeposit"],
      [this.d.vault, "redeemRequest", "settleRedeem"],
      [this.d.insurancePool, "redeemRequest", "settleRedeem"],
    ] as const;
    for (const [pool, view, settle] of wanted) {
      const request = await this.request(pool, view, book.address);
      if (request.amount === 0n || BigInt(request.unlockTime) > blockTime) continue;
      const abi = pool === this.d.vault ? liquidityVaultAbi : insurancePoolAbi;
      calls.push({ to: pool, abi, functionName: settle, args: [book.address] });
    }
    return calls;
  }

  /** Requests the redemption of every vault share `book` holds (none: nothing). Returns the calls. */
  private async vaultRequestRedeemAll(book: AgentBook, when: string): Promise<Call[]> {
    const shares = await this.balanceOf(this.d.vault, book.address);
    if (shares === 0n) return [];
    book.notes.push(`asked to redeem all shares ${when}`);
    return [
      {
        to: this.d.vault,
        abi: liquidityVaultAbi,
        functionName: "requestRedeem",
        args: [shares, book.address, book.address],
      },
    ];
  }

  /** Automine on: moves the chain's clock past the vault's delay (and the cooldown when `cooldown`). */
  private async waitDelay(seconds: bigint): Promise<void> {
    await this.o.rpc.call("evm_increaseTime", [Number(seconds)]);
    await this.o.rpc.call("evm_mine", []);
  }

  /** Everything before the scenario (automine on). */
  async setup(): Promise<void> {
    const { wallets } = this.o;
    const lps = LP_SIZES.map((_, i) => this.book(`lp-${i}`, "lp"));
    const churn = [this.book("lp-churn-0", "lp-churn"), this.book("lp-churn-1", "lp-churn")];
    const stakers = [this.book("staker-0", "staker"), this.book("staker-1", "staker")];
    const stakerChurn = this.book("staker-churn", "staker-churn");
    const flats = Array.from({ length: FLAT_ACCOUNTS }, (_, i) => this.book(`flat-${i}`, "flat"));
    const coalition = [this.book("coalition-long", "coalition"), this.book("coalition-short", "coalition")];
    this.book("jit-lp", "jit-lp");
    await wallets.prepare(this.books.map((b) => b.address));

    this.vaultDelay = BigInt(
      await readContract<number>(this.o.rpc, {
        to: this.d.vault,
        abi: liquidityVaultAbi,
        functionName: "settlementDelay",
        args: [],
      }),
    );
    // LP capital: every deposit requested, then settled once the delay has passed (before the scenario's clock).
    const seeded: [AgentBook, number][] = [...lps.map((lp, i) => [lp, LP_SIZES[i]!] as [AgentBook, number])];
    // Churning LPs: one is in from the start and leaves halfway; one comes in at a quarter and leaves at 3/4.
    seeded.push([churn[1]!, 200_000]);
    for (const [book, usd] of seeded) await wallets.must(book.address, this.vaultRequestDeposit(book, this.usd(usd)));
    await this.waitDelay(this.vaultDelay);
    for (const [book] of seeded) {
      await wallets.must(book.address, [
        { to: this.d.vault, abi: liquidityVaultAbi, functionName: "settleDeposit", args: [book.address] },
      ]);
    }
    const T = this.o.durationSeconds;
    this.churn = [
      { at: T * 0.25, book: churn[0]!, action: "deposit", usd: 100_000, done: false },
      { at: T * 0.5, book: churn[1]!, action: "redeem", done: false },
      { at: T * 0.75, book: churn[0]!, action: "redeem", done: false },
    ];

    const shares = [0.6, 0.3, 0.1];
    for (const [i, staker] of [...stakers, stakerChurn].entries()) {
      const assets = (this.usd(this.o.insuranceUsd) * BigInt(Math.round(shares[i]! * 1000))) / 1000n;
      if (assets === 0n) continue;
      await wallets.must(staker.address, [
        ...this.fund(staker, assets, this.d.insurancePool),
        { to: this.d.insurancePool, abi: insurancePoolAbi, functionName: "deposit", args: [assets, staker.address] },
      ]);
    }
    const churnShares = await this.balanceOf(this.d.insurancePool, stakerChurn.address);
    if (churnShares > 0n) {
      await wallets.must(stakerChurn.address, [
        {
          to: this.d.insurancePool,
          abi: insurancePoolAbi,
          functionName: "requestRedeem",
          args: [churnShares, stakerChurn.address, stakerChurn.address],
        },
      ]);
      stakerChurn.notes.push("asked to withdraw at the start (binding: the shares are escrowed and bear losses)");
      if (this.o.insuranceCooldown > T) {
        stakerChurn.notes.push(
          `cooldown ${this.o.insuranceCooldown} s is longer than the scenario: still pending at the end`,
        );
      }
    }

    for (const flat of flats) {
      flat.accountId = await this.createAccount(flat, false, 0);
      await wallets.must(flat.address, [
        ...this.fund(flat, this.usd(FLAT_DEPOSIT), this.d.core),
        {
          to: this.d.core,
          abi: ballastCoreAbi,
          functionName: "deposit",
          args: [flat.accountId, this.usd(FLAT_DEPOSIT)],
        },
      ]);
    }

    // The coalition: equal and opposite positions at the table's maximum leverage (deposit = 1.02 × IM + fees).
    const market = this.d.markets.find((m) => m.symbol === this.o.primaryMarket) ?? this.d.markets[0]!;
    const config = this.o.markets[market.marketId]!;
    const notional = BigInt(COALITION_NOTIONAL) * WAD;
    const { initialMargin } = requirements(config.tiers, notional);
    const margin = (initialMargin * 102n) / 100n + notional / 500n;
    const assets = (margin + WAD - 1n) / this.scale;
    const size = (notional * WAD) / (BigInt(config.initialPriceUsd) * WAD);
    for (const [i, member] of coalition.entries()) {
      member.accountId = await this.createAccount(member, false, 0);
      const long = i === 0;
      await wallets.must(member.address, [
        ...this.fund(member, assets, this.d.core),
        { to: this.d.core, abi: ballastCoreAbi, functionName: "deposit", args: [member.accountId, assets] },
      ]);
      await this.order(member, member.accountId, market.marketId, long ? size : -size, long ? maxUint256 : 0n);
      member.notes.push(
        `${long ? "long" : "short"} ${COALITION_NOTIONAL.toLocaleString("en-US")} USD of ${market.symbol} on ${Number(assets / this.unit).toLocaleString("en-US")} USD`,
      );
    }
  }

  /**
   * A trade through the order book (automine on): the agent commits (escrowing the settlement fee), then the lab's
   * settler settles it one block later with a local Pyth update at the adapter's price. Whether it filled.
   */
  private async order(
    book: AgentBook,
    accountId: bigint,
    marketId: number,
    sizeDelta: bigint | "close",
    acceptablePrice: bigint,
  ): Promise<boolean> {
    const { wallets } = this.o;
    const orderBook = this.d.orderBook!;
    const escrow = 100n * this.unit;
    await wallets.must(book.address, [
      ...this.fund(book, escrow, orderBook),
      sizeDelta === "close"
        ? {
            to: orderBook,
            abi: orderBookAbi,
            functionName: "commitClose",
            args: [accountId, BigInt(marketId), acceptablePrice, 0n],
          }
        : {
            to: orderBook,
            abi: orderBookAbi,
            functionName: "commitOrder",
            args: [accountId, BigInt(marketId), sizeDelta, acceptablePrice, 0n],
          },
    ]);
    const order = await readContract<{ settleTime: number }>(this.o.rpc, {
      to: orderBook,
      abi: orderBookAbi,
      functionName: "getOrder",
      args: [accountId, BigInt(marketId)],
    });
    const market = this.d.markets[marketId]!;
    const priceWad = await readContract<bigint>(this.o.rpc, {
      to: this.d.oracle,
      abi: oracleAdapterAbi,
      functionName: "getPrice",
      args: [market.feedId],
    });
    const update = pythUpdate({ feedId: market.pythFeedId!, priceWad, publishTime: BigInt(order.settleTime) });
    const settler = agentAddress("order-settler");
    await wallets.prepare([settler]);
    const [receipt] = await wallets.must(settler, [
      {
        to: orderBook,
        abi: orderBookAbi,
        functionName: "settle",
        args: [accountId, BigInt(marketId), [update]],
        value: 1n,
      },
    ]);
    const settled = parseEventLogs({
      abi: orderBookAbi,
      eventName: "OrderSettled",
      logs: (receipt?.logs ?? []) as unknown as Parameters<typeof parseEventLogs>[0]["logs"],
    });
    return settled.length > 0;
  }

  private async createAccount(book: AgentBook, isolated: boolean, marketId: number): Promise<bigint> {
    const [receipt] = await this.o.wallets.must(book.address, [
      { to: this.d.core, abi: ballastCoreAbi, functionName: "createAccount", args: [isolated, BigInt(marketId)] },
    ]);
    const [event] = parseEventLogs({ abi: ballastCoreAbi, eventName: "AccountCreated", logs: receipt!.logs as never });
    return event!.args.accountId;
  }

  private balanceOf(token: Hex, owner: Hex): Promise<bigint> {
    return readContract<bigint>(this.o.rpc, {
      to: token,
      abi: mockErc20Abi,
      functionName: "balanceOf",
      args: [owner],
    });
  }

  /**
   * Queues the agents' transactions due before the price update at `t` (manual mining: they go in the block the
   * runner mines next, at `blockTime`, before the price block). Returns how many were queued.
   */
  async beforeUpdate(t: number, blockTime: bigint): Promise<number> {
    const { wallets } = this.o;
    let queued = 0;
    const queue = async (book: AgentBook, calls: Call[]) => {
      if (calls.length === 0) return;
      await wallets.send(book.address, calls);
      queued += calls.length;
    };
    const jit = this.books.find((b) => b.role === "jit-lp")!;
    if (this.jit === "waiting" && t >= this.o.worstLeg.from) {
      await queue(jit, this.vaultRequestDeposit(jit, this.usd(JIT_DEPOSIT)));
      jit.notes.push(
        `requested a ${JIT_DEPOSIT.toLocaleString("en-US")} USD deposit before the worst leg (t = ${t} s)`,
      );
      this.jit = "requested";
    } else if (this.jit === "requested") {
      const request = await this.request(this.d.vault, "depositRequest", jit.address);
      if (request.amount === 0n) {
        this.jit = "in";
        jit.notes.push(`deposit settled before t = ${t} s`);
      }
    }
    if (this.jit === "in" && t > this.o.worstLeg.to) {
      await queue(jit, await this.vaultRequestRedeemAll(jit, `after the worst leg (t = ${t} s)`));
      this.jit = "leaving";
    } else if (this.jit === "leaving") {
      const request = await this.request(this.d.vault, "redeemRequest", jit.address);
      if (request.amount === 0n) {
        this.jit = "done";
        jit.notes.push(`redemption settled before t = ${t} s`);
      }
    }
    for (const step of this.churn) {
      if (step.done || t < step.at) continue;
      // A redemption waits until the LP's own deposit request has settled (it has no shares before).
      if (
        step.action === "redeem" &&
        (await this.request(this.d.vault, "depositRequest", step.book.address)).amount > 0n
      )
        continue;
      step.done = true;
      if (step.action === "deposit") {
        await queue(step.book, this.vaultRequestDeposit(step.book, this.usd(step.usd!)));
        step.book.notes.push(`requested a ${step.usd!.toLocaleString("en-US")} USD deposit at t = ${t} s`);
      } else await queue(step.book, await this.vaultRequestRedeemAll(step.book, `at t = ${t} s`));
    }
    // Anyone may settle an unlocked request; each agent settles its own before the next price block.
    for (const book of this.books) {
      if (book.role === "lp" || book.role === "lp-churn" || book.role === "jit-lp" || book.role === "staker-churn") {
        await queue(book, await this.settlements(book, blockTime));
      }
    }
    return queued;
  }

  /** After the scenario (automine on): the coalition closes and withdraws; flat accounts and the JIT LP leave. */
  async finish(): Promise<void> {
    const { wallets } = this.o;
    for (const book of this.books) {
      if (book.accountId !== undefined) {
        const account = await this.read<{ activeMarkets: bigint }>("getAccount", [book.accountId]);
        for (let m = 0; m < this.d.markets.length; m++) {
          if ((account.activeMarkets & (1n << BigInt(m))) === 0n) continue;
          const position = await this.read<{ size: bigint }>("getPosition", [book.accountId, BigInt(m)]);
          const filled = await this.order(book, book.accountId, m, "close", position.size > 0n ? 0n : maxUint256).catch(
            () => false,
          );
          book.notes.push(`close at the end: ${filled ? "done" : "reverted"}`);
        }
        const health = await this.read<{ withdrawable: bigint }>("accountHealth", [book.accountId]);
        const assets = health.withdrawable / this.scale;
        if (assets > 0n) {
          const [receipt] = await wallets.receipts(
            await wallets.send(book.address, [
              {
                to: this.d.core,
                abi: ballastCoreAbi,
                functionName: "withdraw",
                args: [book.accountId, assets, book.address],
              },
            ]),
          );
          book.notes.push(`withdraw everything at the end: ${receipt?.status === "0x1" ? "done" : "reverted"}`);
        }
      }
    }
    // Pools: the JIT and churning LPs leave; every pending request (the staker's too) is settled after its delay.
    const leaving = this.books.filter((b) => b.role === "jit-lp" || b.role === "lp-churn" || b.role === "staker-churn");
    for (const book of leaving) {
      if (book.role !== "staker-churn") {
        const calls = await this.vaultRequestRedeemAll(book, "at the end");
        if (calls.length > 0) await wallets.receipts(await wallets.send(book.address, calls));
      }
    }
    // Only the vault's delay passes (prices stay fresh); an insurance request whose cooldown outlasts the run stays
    // pending and is counted inside at its settlement value.
    await this.waitDelay(this.vaultDelay);
    const head = await this.o.rpc.call<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
    for (const book of leaving) {
      const calls = await this.settlements(book, BigInt(head.timestamp));
      if (calls.length === 0) continue;
      const receipts = await wallets.receipts(await wallets.send(book.address, calls));
      const refused = receipts.filter((r) => r?.status !== "0x1").length;
      book.notes.push(`settled at the end: ${calls.length - refused} done, ${refused} refused (vault reserve)`);
    }
  }

  private read<T>(functionName: string, args: unknown[]): Promise<T> {
    return readContract<T>(this.o.rpc, { to: this.d.core, abi: ballastCoreAbi, functionName, args });
  }

  /** Each agent's books at the end: tokens out − tokens in, plus what is still inside (margin, shares' value). */
  async results(): Promise<AgentResult[]> {
    const out: AgentResult[] = [];
    const toUsd = (assets: bigint) => Number(assets) / Number(this.unit);
    for (const book of this.books) {
      const balance = await this.balanceOf(this.d.collateral, book.address);
      let inside = 0n;
      if (book.accountId !== undefined) {
        const health = await this.read<{ equity: bigint }>("accountHealth", [book.accountId]);
        if (health.equity > 0n) inside += health.equity / this.scale;
      }
      // Pending requests are still inside: escrowed deposit assets, and escrowed shares at their settlement value.
      const pendingDeposit = await this.request(this.d.vault, "depositRequest", book.address);
      inside += pendingDeposit.amount;
      for (const pool of [this.d.vault, this.d.insurancePool]) {
        const pendingRedeem = await this.request(pool, "redeemRequest", book.address);
        if (pendingRedeem.amount > 0n)
          inside += await readContract<bigint>(this.o.rpc, {
            to: pool,
            abi: liquidityVaultAbi,
            functionName: "previewSettleRedeem",
            args: [book.address],
          }).catch(() => 0n);
        const shares = await this.balanceOf(pool, book.address);
        if (shares > 0n)
          inside += await readContract<bigint>(this.o.rpc, {
            to: pool,
            abi: liquidityVaultAbi,
            functionName: "convertToAssets",
            args: [shares],
          }).catch(() => 0n);
      }
      out.push({
        label: book.label,
        role: book.role,
        address: book.address,
        inUsd: toUsd(book.minted),
        outUsd: toUsd(balance),
        stillInsideUsd: toUsd(inside),
        profitUsd: toUsd(balance + inside - book.minted),
        notes: book.notes,
      });
    }
    return out;
  }
}
