import { expect } from "chai";
import type { ContractTransactionReceipt, Log } from "ethers";
import { WAD, type Ballast, type Tier } from "./fixture.js";

/**
 * Reference math for the liquidation tests, written from DESIGN.md §2, §3 and §5 independently of the contracts
 * (plain bigint arithmetic, the rounding direction named in every helper), plus the token-conservation check.
 */

export const ceilDiv = (a: bigint, b: bigint): bigint => (a === 0n ? 0n : (a - 1n) / b + 1n);
export const mulWadDown = (a: bigint, b: bigint): bigint => (a * b) / WAD;
export const mulWadUp = (a: bigint, b: bigint): bigint => ceilDiv(a * b, WAD);
export const divWadUp = (a: bigint, b: bigint): bigint => ceilDiv(a * WAD, b);
export const divWadDown = (a: bigint, b: bigint): bigint => (a * WAD) / b;
export const abs = (a: bigint): bigint => (a < 0n ? -a : a);
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const positivePart = (a: bigint): bigint => (a > 0n ? a : 0n);
/** x × y / d rounded toward −∞ (x signed, y and d ≥ 0). */
const mulDivFloor = (x: bigint, y: bigint, d: bigint): bigint => (x >= 0n ? (x * y) / d : -ceilDiv(-x * y, d));
/** x × y / d rounded toward +∞ (x signed, y and d ≥ 0). */
const mulDivCeil = (x: bigint, y: bigint, d: bigint): bigint => (x >= 0n ? ceilDiv(x * y, d) : -((-x * y) / d));
/** The core keeps every basis in whole nano-dollars (one-slot positions). */
const BASIS_UNIT = 10n ** 9n;

/** The equity a partial liquidation must restore: (1 + buffer) × MM, rounded up. */
export function targetEquity(maintenanceMargin: bigint, buffer: bigint): bigint {
  // Strictly above MM even with a zero buffer: an account at the target is not liquidatable.
  const buffered = mulWadUp(maintenanceMargin, WAD + buffer);
  return buffered > maintenanceMargin ? buffered : maintenanceMargin + 1n;
}

/**
 * DESIGN §5 / invariant 14: the smallest fraction f (to the wei of WAD) whose close meets the target, found here by
 * plain bisection over [0, 100%] on {@link simulateClose} (the contracts step along the slope instead): the close of
 * f meets (1 + buffer) × MM after, the close of f − 1 does not. 100% when no partial close meets it.
 */
export function minimalFraction(margin: bigint, positions: SimPosition[], feeRate: bigint, buffer: bigint): bigint {
  const meets = (fraction: bigint) => {
    const after = simulateClose(margin, positions, fraction, feeRate);
    return after.equityAfter >= targetEquity(after.maintenanceMarginAfter, buffer);
  };
  let low = 0n;
  let high = WAD;
  while (high - low > 1n) {
    const mid = (low + high) / 2n;
    if (meets(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * The price a close of `sizeDelta` fills at (DESIGN §4): price × (1 + (2·skew + sizeDelta) / (2·skewScale)), rounded
 * against the trader (up for a buy, down for a sell); a discount reaching the whole price fills at 1 wei.
 */
export function closeFill(price: bigint, skew: bigint, sizeDelta: bigint, skewScale: bigint): bigint {
  if (skewScale === 0n) return price;
  const doubled = 2n * skew + sizeDelta;
  const buying = sizeDelta > 0n;
  const scale = 2n * skewScale;
  if (doubled >= 0n) return price + (buying ? ceilDiv(price * doubled, scale) : (price * doubled) / scale);
  const discount = buying ? (price * -doubled) / scale : ceilDiv(price * -doubled, scale);
  return discount >= price ? 1n : price - discount;
}

/** The progressive requirement Σ rate_i × width_i of DESIGN §3, rounded up. */
export function requirement(tiers: Tier[], notionalWad: bigint, which: "initial" | "maintenance"): bigint {
  let sum = 0n;
  let lower = 0n;
  tiers.forEach((tier, i) => {
    const upper = i === tiers.length - 1 ? notionalWad : min(notionalWad, tier.notionalCap);
    if (upper > lower) {
      sum += (upper - lower) * (which === "initial" ? tier.initialMarginRate : tier.maintenanceMarginRate);
    }
    lower = tier.notionalCap;
  });
  return ceilDiv(sum, WAD);
}

/** |size| × price rounded up. */
export const notional = (size: bigint, price: bigint): bigint => mulWadUp(abs(size), price);

/** |size| × fraction rounded up, signed like size. */
export function expectedCloseSize(size: bigint, fraction: bigint): bigint {
  const closed = min(mulWadUp(abs(size), fraction), abs(size));
  return size >= 0n ? closed : -closed;
}

export interface SimPosition {
  size: bigint;
  openNotional: bigint;
  price: bigint;
  tiers: Tier[];
  /** The market's skew before the close and its skew scale (0 or absent: no premium). */
  skew?: bigint;
  skewScale?: bigint;
}

/**
 * Closes `fraction` of every position (no funding pending) as DESIGN §2/§5 prescribe: the closed size rounds up and
 * fills at the price a close of that size gets ({@link closeFill}); the remaining basis is scaled pro rata rounding
 * toward +∞; realised PnL = closed × fill (toward −∞) minus the released basis; fee = feeRate × closed notional at
 * the fill, rounded up, capped at the positive equity left; what stays open is valued and margined at the mark.
 */
export function simulateClose(margin: bigint, positions: SimPosition[], fraction: bigint, feeRate: bigint) {
  let closedNotional = 0n;
  let remainingNotional = 0n;
  let maintenanceMarginAfter = 0n;
  let remainingValue = 0n;
  let realised = 0n;
  const closedSizes: bigint[] = [];
  const newSizes: bigint[] = [];
  for (const p of positions) {
    const closed = expectedCloseSize(p.size, fraction);
    const fill = closeFill(p.price, p.skew ?? 0n, -closed, p.skewScale ?? 0n);
    const newSize = p.size - closed;
    // The core keeps the basis in whole nano-dollars (BASIS_UNIT), rounded up.
    const newOpenNotional =
      newSize === 0n ? 0n : mulDivCeil(p.openNotional, abs(newSize), abs(p.size) * BASIS_UNIT) * BASIS_UNIT;
    realised += mulDivFloor(closed, fill, WAD) - (p.openNotional - newOpenNotional);
    closedNotional += notional(closed, fill);
    if (newSize !== 0n) {
      const n = notional(newSize, p.price);
      remainingNotional += n;
      maintenanceMarginAfter += requirement(p.tiers, n, "maintenance");
      remainingValue += mulDivFloor(newSize, p.price, WAD) - newOpenNotional;
    }
    closedSizes.push(closed);
    newSizes.push(newSize);
  }
  const marginAfterClose = margin + realised;
  const fee = min(mulWadUp(closedNotional, feeRate), positivePart(marginAfterClose + remainingValue));
  const marginAfter = marginAfterClose - fee;
  return {
    closedSizes,
    newSizes,
    realised,
    closedNotional,
    remainingNotional,
    maintenanceMarginAfter,
    fee,
    marginAfter,
    equityAfter: marginAfter + remainingValue,
    badDebt: remainingNotional === 0n && marginAfter < 0n ? -marginAfter : 0n,
  };
}

/**
 * Token conservation (DESIGN §6.1): balanceOf(core) × 10^(18 − decimals) equals, to the unit, the sum of every
 * trader margin, the vault ledger, the insurance ledger and every unclaimed keeper reward. Accounts and
 * recipients are discovered from the core's own events, so none can be forgotten.
 */
export async function expectTokenConservation(b: Ballast): Promise<void> {
  const { core, token } = b;
  const scale = 10n ** BigInt(18 - b.decimals);
  let margins = 0n;
  for (const event of await core.queryFilter(core.filters.AccountCreated())) {
    margins += (await core.getAccount(event.args.accountId)).margin;
  }
  const recipients = new Set<string>();
  for (const event of await core.queryFilter(core.filters.AccountLiquidated())) recipients.add(event.args.recipient);
  for (const event of await core.queryFilter(core.filters.RewardsClaimed())) recipients.add(event.args.recipient);
  let rewards = 0n;
  for (const recipient of recipients) rewards += await core.claimableRewards(recipient);
  const [vaultLedger, insuranceLedger] = await core.ledgers();
  const balance = await token.balanceOf(core);
  expect(balance * scale, "token conservation: balance × scale = Σ margins + vault + insurance + rewards").to.equal(
    margins + vaultLedger + insuranceLedger + rewards,
  );
  expect(insuranceLedger >= 0n, "insurance ledger never negative").to.equal(true);
}

// biome-ignore lint/suspicious/noExplicitAny: decoded event arguments are untyped (ethers `Result`).
export type EventArgs = Record<string, any>;

/** The core's events of one name in a receipt, as plain objects (logs of other contracts are ignored). */
export function eventsNamed(b: Ballast, receipt: ContractTransactionReceipt | null, name: string): EventArgs[] {
  if (receipt === null) throw new Error("no receipt");
  const coreAddress = String(b.core.target).toLowerCase();
  const out: EventArgs[] = [];
  for (const log of receipt.logs as Log[]) {
    if (log.address.toLowerCase() !== coreAddress) continue;
    const event = b.core.interface.parseLog(log);
    if (event !== null && event.name === name) out.push(event.args.toObject());
  }
  return out;
}

/** A LiquidationPreview result as a plain object, for deep equality. */
export function previewObject(p: {
  liquidatable: boolean;
  full: boolean;
  fraction: bigint;
  equityBefore: bigint;
  maintenanceMarginBefore: bigint;
  closedNotional: bigint;
  fee: bigint;
  equityAfter: bigint;
  maintenanceMarginAfter: bigint;
  badDebt: bigint;
}) {
  return {
    liquidatable: p.liquidatable,
    full: p.full,
    fraction: p.fraction,
    equityBefore: p.equityBefore,
    maintenanceMarginBefore: p.maintenanceMarginBefore,
    closedNotional: p.closedNotional,
    fee: p.fee,
    equityAfter: p.equityAfter,
    maintenanceMarginAfter: p.maintenanceMarginAfter,
    badDebt: p.badDebt,
  };
}
