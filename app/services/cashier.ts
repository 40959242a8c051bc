import { randomBytes } from "node:crypto";
import {
  type ConfirmReason,
  DomainError,
  normalizePhone,
  purchaseNeedsConfirmation,
  usualBasket,
} from "../../domain/index.js";
import type { ServiceContext } from "./context.js";
import type { MemberKey } from "./ledger.js";
import type { PurchaseInput, PurchaseResult, PurchaseService, ReturnResult } from "./purchases.js";
import type { RedemptionService } from "./redemptions.js";

/** Receipts a member's usual basket is taken from. */
const BASKET_SAMPLE = 20;
/** A held purchase waits this long for the cashier's confirmation. */
const HOLD_MINUTES = 10;
const HOLD_PREFIX = "held-purchase:";

interface Held {
  input: { storeId: number; member: MemberKey; receiptId: string; amountKopecks: number };
  expiresAt: string;
}

/**
 * A cashier's purchase typed in Telegram: an unusual amount is held for a
 * second look before it posts, and a posted one can be cancelled for a few
 * minutes — in full, through the return path, exactly once.
 */
export function createCashierService(ctx: ServiceContext, purchases: PurchaseService, redemptions: RedemptionService) {
  const { db, program } = ctx;

  /** Why this purchase should be confirmed first (null: post at once); throws for an unknown member. */
  async function review(input: { member: MemberKey; amountKopecks: number }): Promise<ConfirmReason | null> {
    const member = await db.prisma.member.findFirst({
      where: { ...memberWhere(input.member), status: { not: "deleted" } },
      select: { id: true },
    });
    if (!member) throw new DomainError("MEMBER.NOT_FOUND", "no such member", {});
    const recent = await db.query<{ net: number }>(
      `SELECT amount - "returnedAmount" AS net FROM "Purchase" WHERE "memberId" = $1 AND amount > "returnedAmount"
       ORDER BY at DESC LIMIT ${BASKET_SAMPLE}`,
      [member.id],
    );
    return purchaseNeedsConfirmation(program, input.amountKopecks, usualBasket(recent.map((r) => Number(r.net))));
  }

  /** Keeps a purchase until the cashier confirms it; returns the id the confirm button carries. */
  async function hold(input: Held["input"]): Promise<string> {
    const id = randomBytes(6).toString("base64url");
    const held: Held = { input, expiresAt: new Date(ctx.now().getTime() + HOLD_MINUTES * 60_000).toISOString() };
    await db.prisma.keyValue.create({ data: { key: HOLD_PREFIX + id, value: JSON.parse(JSON.stringify(held)) } });
    return id;
  }

  /**
   * Posts a held purchase. Pressing twice posts once: the receipt was fixed
   * when it was held, so the second press is the receipt's replay.
   */
  async function confirmHeld(id: string): Promise<PurchaseResult> {
    const row = await db.prisma.keyValue.findUnique({ where: { key: HOLD_PREFIX + id } });
    if (!row) throw new DomainError("REDEMPTION.NOT_PENDING", "the held purchase was posted or dropped", { id });
    const held = row.value as unknown as Held;
    if (new Date(held.expiresAt) < ctx.now()) {
      await db.prisma.keyValue.deleteMany({ where: { key: HOLD_PREFIX + id } });
      throw new DomainError("REDEMPTION.EXPIRED", "the held purchase expired", { id });
    }
    const r = await purchases.recordPurchase(held.input satisfies PurchaseInput);
    await db.prisma.keyValue.deleteMany({ where: { key: HOLD_PREFIX + id } });
    return r;
  }

  /** Drops a held purchase (the cashier said no); true when it was still there. */
  async function dropHeld(id: string): Promise<boolean> {
    return (await db.prisma.keyValue.deleteMany({ where: { key: HOLD_PREFIX + id } })).count > 0;
  }

  /**
   * Cancels a purchase posted moments ago: a return of everything not yet
   * returned, keyed by the purchase so a second press (or a redelivered
   * update) replays instead of returning twice. `storeId` is the cashier's
   * store (undefined for an admin).
   */
  async function cancel(
    purchaseId: number,
    storeId: number | undefined,
  ): Promise<ReturnResult & { receiptId: string; storeId: number }> {
    const p = await db.prisma.purchase.findUnique({ where: { id: purchaseId } });
    if (!p || (storeId !== undefined && p.storeId !== storeId))
      throw new DomainError("PURCHASE.NOT_FOUND", "no such purchase in this store", {});
    const returnKey = `cancel:${p.id}`;
    const prior = await db.prisma.return.findUnique({ where: { idempotencyKey: `${p.storeId}:${returnKey}` } });
    const amountKopecks = prior ? prior.amount : p.amount - p.returnedAmount;
    if (!prior) {
      if (ctx.now().getTime() - p.at.getTime() > program.cashier.cancelMinutes * 60_000)
        throw new DomainError("PURCHASE.CANCEL_EXPIRED", "the purchase is too old to cancel", {
          minutes: program.cashier.cancelMinutes,
        });
      if (amountKopecks <= 0)
        throw new DomainError("RETURN.EXCEEDS_PURCHASE", "the purchase was returned in full", { returnable: 0 });
    }
    const r = await purchases.recordReturn({ storeId: p.storeId, receiptId: p.receiptId, amountKopecks, returnKey });
    return { ...r, receiptId: p.receiptId, storeId: p.storeId };
  }

  /**
   * After the shopper confirmed a spend: the purchase on the same receipt, for
   * the receipt's total (the points already paid their part, so the accrual
   * counts only the money). A second tap is the receipt's replay.
   */
  async function postAfterSpend(redemptionId: string, storeId: number | undefined): Promise<PurchaseResult> {
    const r = await redemptions.get(redemptionId);
    if (storeId !== undefined && r.storeId !== storeId)
      throw new DomainError("REDEMPTION.NOT_FOUND", "no such spend in this store", {});
    if (r.status !== "confirmed")
      throw new DomainError("REDEMPTION.NOT_PENDING", `the spend is ${r.status}`, { status: r.status });
    return purchases.recordPurchase({
      storeId: r.storeId,
      member: { id: r.memberId },
      receiptId: r.receiptId,
      amountKopecks: r.receiptAmountKopecks,
    });
  }

  return { review, hold, confirmHeld, dropHeld, cancel, postAfterSpend };
}
export type CashierService = ReturnType<typeof createCashierService>;

function memberWhere(key: MemberKey) {
  if ("id" in key) return { id: key.id };
  if ("memberCode" in key) return { memberCode: key.memberCode };
  if ("phone" in key) return { phone: normalizePhone(key.phone) ?? "" };
  return { telegramId: BigInt(key.telegramId) };
}
