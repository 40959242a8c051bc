import type { EventPayload } from "../../domain/index.js";
import { sql } from "../db/sql.js";
import { enqueue } from "../jobs/queue.js";
import type { ServiceContext } from "../services/context.js";
import { postEntry } from "../services/ledger.js";

export type ReferralStep =
  | { step: "purchase"; referrerId: number; friendId: number }
  | { step: "refused"; referrerId: number; friendId: number; reason: string }
  | { step: "cancelled"; referrerId: number; friendId: number }
  | { step: "rewarded"; referrerId: number; friendId: number; points: number };

/**
 * A referral's life after enrollment: the friend's first purchase qualifies
 * it (at least the minimum basket) and starts the return window; a return of
 * that purchase inside the window cancels it; when the window closes, both
 * sides are credited in one unit of work, each entry under its own
 * idempotency key. Each step answers what the referrer should be told.
 */
export function createReferralService(ctx: ServiceContext) {
  const { db, program } = ctx;
  const rules = () => program.gamification.referrals;

  async function onPurchase(e: EventPayload<"purchase.recorded">): Promise<ReferralStep | null> {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const r = await tx.one<{ id: number; referrerId: number }>(sql`
        SELECT id, "referrerId" FROM "Referral" WHERE "friendId" = ${e.memberId} AND status = 'pending' FOR UPDATE`);
      if (!r) return null;
      // Only the friend's first purchase counts.
      const first = await tx.one<{ id: number }>(
        sql`SELECT id FROM "Purchase" WHERE "memberId" = ${e.memberId} ORDER BY at, id LIMIT 1`,
      );
      if (first?.id !== e.purchaseId) return null;
      if (e.amountKopecks < rules().minBasketKopecks) {
        await tx.many(sql`UPDATE "Referral" SET status = 'refused', reason = 'BASKET_TOO_SMALL', "purchaseId" = ${e.purchaseId},
                          "decidedAt" = ${now}::timestamp WHERE id = ${r.id}`);
        return { step: "refused", referrerId: r.referrerId, friendId: e.memberId, reason: "BASKET_TOO_SMALL" };
      }
      const qualifiesAt = new Date(new Date(e.at).getTime() + rules().returnWindowDays * 86_400_000);
      await tx.many(sql`UPDATE "Referral" SET status = 'qualifying', "purchaseId" = ${e.purchaseId},
                        "qualifiesAt" = ${qualifiesAt}::timestamp WHERE id = ${r.id}`);
      await enqueue(
        tx,
        now,
        [
          {
            name: "referral.reward",
            key: `referral-reward:${r.id}`,
            runAt: qualifiesAt,
            payload: { referralId: r.id },
          },
        ],
        ctx.outbox.wake,
      );
      return { step: "purchase", referrerId: r.referrerId, friendId: e.memberId };
    });
  }

  async function onReturn(e: EventPayload<"return.recorded">): Promise<ReferralStep | null> {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const r = await tx.one<{ id: number; referrerId: number; friendId: number }>(sql`
        UPDATE "Referral" SET status = 'cancelled', reason = 'RETURNED', "decidedAt" = ${now}::timestamp
        WHERE "purchaseId" = ${e.purchaseId} AND status = 'qualifying' AND "qualifiesAt" > ${now}::timestamp
        RETURNING id, "referrerId", "friendId"`);
      return r ? { step: "cancelled", referrerId: r.referrerId, friendId: r.friendId } : null;
    });
  }

  /** The return window has closed: both sides earn, once. */
  async function reward(referralId: number): Promise<ReferralStep | null> {
    const now = ctx.now();
    const points = rules().points;
    return db.unitOfWork(async (tx) => {
      const r = await tx.one<{ id: number; referrerId: number; friendId: number; qualifiesAt: Date }>(sql`
        SELECT id, "referrerId", "friendId", "qualifiesAt" FROM "Referral"
        WHERE id = ${referralId} AND status = 'qualifying' FOR UPDATE`);
      if (!r || r.qualifiesAt > now) return null;
      // Both members' rows, in id order (as every balance change locks its member; the order avoids deadlocks).
      await tx.many(
        sql`SELECT id FROM "Member" WHERE id = ANY(${[r.referrerId, r.friendId]}::int[]) ORDER BY id FOR NO KEY UPDATE`,
      );
      if (points > 0)
        for (const [memberId, side] of [
          [r.referrerId, "referrer"],
          [r.friendId, "friend"],
        ] as const)
          await postEntry(tx, program, {
            memberId,
            points,
            kind: "referral",
            idempotencyKey: `referral:${r.id}:${side}`,
            at: now,
          });
      await tx.many(sql`UPDATE "Referral" SET status = 'rewarded', "decidedAt" = ${now}::timestamp WHERE id = ${r.id}`);
      return { step: "rewarded", referrerId: r.referrerId, friendId: r.friendId, points };
    });
  }

  /** A member's referrals with their states and reasons, newest first (admins read the reasons). */
  async function of(referrerId: number) {
    return db.unitOfWork((tx) =>
      tx.many<{ friendId: number; status: string; reason: string | null; createdAt: Date }>(sql`
        SELECT "friendId", status, reason, "createdAt" FROM "Referral" WHERE "referrerId" = ${referrerId} ORDER BY id DESC`),
    );
  }

  return { onPurchase, onReturn, reward, of };
}
export type ReferralService = ReturnType<typeof createReferralService>;
