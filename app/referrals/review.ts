import { sql } from "../db/sql.js";
import type { ServiceContext } from "../services/context.js";
import type { ReferralService } from "./service.js";

export const REFERRAL_STATUSES = ["pending", "qualifying", "rewarded", "refused", "held", "cancelled"] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export interface ReferralRow {
  id: number;
  status: ReferralStatus;
  /** Why it was refused, held or cancelled (domain/referrals.ts), for the admin. */
  reason: string | null;
  referrer: { id: number; name: string | null };
  friend: { id: number; name: string | null };
  createdAt: Date;
  decidedAt: Date | null;
}

/**
 * What an admin sees of referrals: by status (held ones first need a
 * decision), with the stored reason; and the decision on a held one —
 * release it (it goes on as any referral: pending the friend's first
 * purchase, or judged on it at once when the friend has bought already) or
 * refuse it (the hold's reason stays). A decision is final.
 */
export function createReferralReview(ctx: ServiceContext, referrals: ReferralService) {
  const { db } = ctx;

  async function list(status: ReferralStatus | undefined, limit = 100): Promise<ReferralRow[]> {
    const rows = await db.unitOfWork((tx) =>
      tx.many<{
        id: number;
        status: ReferralStatus;
        reason: string | null;
        referrerId: number;
        referrerName: string | null;
        friendId: number;
        friendName: string | null;
        createdAt: Date;
        decidedAt: Date | null;
      }>(sql`
        SELECT r.id, r.status, r.reason, r."referrerId", a."firstName" AS "referrerName",
               r."friendId", f."firstName" AS "friendName", r."createdAt", r."decidedAt"
        FROM "Referral" r JOIN "Member" a ON a.id = r."referrerId" JOIN "Member" f ON f.id = r."friendId"
        ${status ? sql`WHERE r.status = ${status}` : sql``}
        ORDER BY r.id DESC LIMIT ${limit}::int`),
    );
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      reason: r.reason,
      referrer: { id: r.referrerId, name: r.referrerName },
      friend: { id: r.friendId, name: r.friendName },
      createdAt: r.createdAt,
      decidedAt: r.decidedAt,
    }));
  }

  /** Releases or refuses a held referral; answers its new status, or why not. */
  async function decideHeld(
    id: number,
    decision: "release" | "refuse",
  ): Promise<{ status: "pending" | "refused" } | { error: "not-found" | "not-held" }> {
    const now = ctx.now();
    const decided = await db.unitOfWork(async (tx) => {
      const r = await tx.one<{ status: string; friendId: number }>(
        sql`SELECT status, "friendId" FROM "Referral" WHERE id = ${id} FOR UPDATE`,
      );
      if (!r) return { error: "not-found" as const };
      if (r.status !== "held") return { error: "not-held" as const };
      const status = decision === "release" ? ("pending" as const) : ("refused" as const);
      await tx.many(sql`UPDATE "Referral" SET status = ${status}, "decidedAt" = ${now}::timestamp,
                        reason = ${decision === "release" ? null : sql`reason`} WHERE id = ${id}`);
      const first = await tx.one<{
        id: number;
        storeId: number;
        receiptId: string;
        amount: number;
        pointsRedeemed: number;
        pointsAccrued: number;
        balanceAfter: number;
        tierCode: string;
        at: Date;
      }>(sql`SELECT id, "storeId", "receiptId", amount, "pointsRedeemed", "pointsAccrued", "balanceAfter", "tierCode", at
             FROM "Purchase" WHERE "memberId" = ${r.friendId} ORDER BY at, id LIMIT 1`);
      return { status, friendId: r.friendId, first };
    });
    if ("error" in decided) return decided;
    // Released after the friend's first purchase: its reaction found the referral held and passed it by.
    if (decided.status === "pending" && decided.first) {
      const p = decided.first;
      await referrals.onPurchase({
        purchaseId: p.id,
        memberId: decided.friendId,
        storeId: p.storeId,
        receiptId: p.receiptId,
        amountKopecks: p.amount,
        pointsRedeemed: p.pointsRedeemed,
        points: p.pointsAccrued,
        balance: p.balanceAfter,
        tierCode: p.tierCode,
        at: p.at.toISOString(),
      });
    }
    return { status: decided.status };
  }

  return { list, decideHeld };
}
