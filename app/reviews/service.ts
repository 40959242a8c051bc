import { isLowRating, reviewOpen, reviewReward, validRating } from "../../domain/index.js";
import { type SqlTx, sql } from "../db/sql.js";
import { enqueue } from "../jobs/queue.js";
import type { ServiceContext } from "../services/context.js";
import { postEntry } from "../services/ledger.js";

export type RateOutcome =
  { status: "recorded" | "updated"; reviewId: number; rating: number } | { status: "late" | "unknown" | "moderated" };

export interface PendingReview {
  id: number;
  storeId: number;
  storeName: string;
  rating: number;
  comment: string | null;
  photoFileId: string | null;
  memberName: string | null;
  createdAt: Date;
}

export type ModerateOutcome =
  | { status: "approved"; points: number; overCap: boolean }
  | { status: "rejected" }
  | { status: "not-pending" | "not-found" | "forbidden" };

/**
 * Reviews of a visit as use cases: a member rates a receipt of theirs
 * (once; rating again edits it and earns nothing more), adds a comment or a
 * photo, and a moderator — that store's staff or an admin — approves or
 * rejects. Approval posts the reward through the ledger in the same unit of
 * work (idempotency key per review), within the weekly cap; the shopper and,
 * for 1–2 stars, the store's staff hear of it through jobs.
 */
export function createReviewService(ctx: ServiceContext) {
  const { db } = ctx;
  const rules = () => ctx.program.gamification.reviews;

  async function alertLow(tx: SqlTx, reviewId: number, what: string) {
    const now = ctx.now();
    await enqueue(
      tx,
      now,
      [
        {
          name: "review.alert",
          key: `review-alert:${reviewId}:${what}`,
          runAt: now,
          payload: { reviewId, withComment: what === "comment" },
        },
      ],
      ctx.outbox.wake,
    );
  }

  /** A member (by Telegram account) rates one of their purchases. */
  async function rate(telegramId: number, purchaseId: number, rating: number): Promise<RateOutcome> {
    if (!validRating(rating)) return { status: "unknown" };
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const p = await tx.one<{ id: number; memberId: number; storeId: number; at: Date }>(sql`
        SELECT p.id, p."memberId", p."storeId", p.at FROM "Purchase" p JOIN "Member" m ON m.id = p."memberId"
        WHERE p.id = ${purchaseId} AND m."telegramId" = ${telegramId}::int8 AND m.status = 'active'`);
      if (!p) return { status: "unknown" };
      if (!reviewOpen(p.at, now, rules().answerWithinDays)) return { status: "late" };
      // Two presses at once: the unique receipt makes one the review; the other edits it.
      const created = await tx.one<{ id: number }>(sql`
        INSERT INTO "Review" ("memberId", "storeId", "purchaseId", rating, status, "createdAt", "updatedAt")
        VALUES (${p.memberId}, ${p.storeId}, ${p.id}, ${rating}, 'pending', ${now}::timestamp, ${now}::timestamp)
        ON CONFLICT ("purchaseId") DO NOTHING RETURNING id`);
      if (created) {
        if (isLowRating(rating)) await alertLow(tx, created.id, "rating");
        return { status: "recorded", reviewId: created.id, rating };
      }
      const had = (await tx.one<{ id: number; rating: number; status: string }>(
        sql`SELECT id, rating, status FROM "Review" WHERE "purchaseId" = ${p.id} FOR UPDATE`,
      )) as { id: number; rating: number; status: string };
      if (had.status !== "pending") return { status: "moderated" };
      await tx.many(sql`UPDATE "Review" SET rating = ${rating}, "updatedAt" = ${now}::timestamp WHERE id = ${had.id}`);
      if (isLowRating(rating) && !isLowRating(had.rating)) await alertLow(tx, had.id, `rating-${rating}`);
      return { status: "updated", reviewId: had.id, rating };
    });
  }

  /** Remembers the "add a comment or a photo" message: a reply to it is the comment. */
  async function prompted(reviewId: number, messageId: number) {
    await db.unitOfWork((tx) =>
      tx.many(sql`UPDATE "Review" SET "promptMessageId" = ${messageId} WHERE id = ${reviewId}`),
    );
  }

  /** A reply to the prompt: the comment and/or photo. False when it answers no pending review of theirs. */
  async function comment(
    telegramId: number,
    replyToMessageId: number,
    c: { text?: string | undefined; photoFileId?: string | undefined },
  ): Promise<boolean> {
    const text = c.text?.trim().slice(0, 2000) || null;
    if (!text && !c.photoFileId) return false;
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const r = await tx.one<{ id: number; rating: number }>(sql`
        UPDATE "Review" r SET comment = coalesce(${text}, r.comment), "photoFileId" = coalesce(${c.photoFileId ?? null}, r."photoFileId"),
               "updatedAt" = ${now}::timestamp
        FROM "Member" m
        WHERE m.id = r."memberId" AND m."telegramId" = ${telegramId}::int8
          AND r."promptMessageId" = ${replyToMessageId} AND r.status = 'pending'
        RETURNING r.id, r.rating`);
      if (!r) return false;
      if (isLowRating(r.rating) && text) await alertLow(tx, r.id, "comment");
      return true;
    });
  }

  /** Pending reviews a moderator may decide: an admin all, staff their own store's. */
  async function pending(scope: { storeId?: number | undefined }, limit = 5): Promise<PendingReview[]> {
    return db.unitOfWork((tx) =>
      tx.many<PendingReview>(sql`
        SELECT r.id, r."storeId", s.name AS "storeName", r.rating, r.comment, r."photoFileId",
               m."firstName" AS "memberName", r."createdAt"
        FROM "Review" r JOIN "Store" s ON s.id = r."storeId" JOIN "Member" m ON m.id = r."memberId"
        WHERE r.status = 'pending' AND (${scope.storeId ?? null}::int IS NULL OR r."storeId" = ${scope.storeId ?? null}::int)
        ORDER BY r.id LIMIT ${limit}::int`),
    );
  }

  /** One review with its store, for the alert and the moderation message. */
  async function get(reviewId: number) {
    return db.unitOfWork((tx) =>
      tx.one<PendingReview & { status: string; memberId: number }>(sql`
        SELECT r.id, r."storeId", s.name AS "storeName", r.rating, r.comment, r."photoFileId", r.status, r."memberId",
               m."firstName" AS "memberName", r."createdAt"
        FROM "Review" r JOIN "Store" s ON s.id = r."storeId" JOIN "Member" m ON m.id = r."memberId"
        WHERE r.id = ${reviewId}`),
    );
  }

  /**
   * Approves or rejects a pending review. Approval credits the reward in the
   * same unit of work, unless the member's rewarded reviews in the last 7
   * days reached the cap; a decision is final (a second one changes nothing).
   */
  async function moderate(
    reviewId: number,
    decision: "approve" | "reject",
    by: { who: string; storeId?: number | undefined; admin: boolean },
  ): Promise<ModerateOutcome> {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const r = await tx.one<{ id: number; memberId: number; storeId: number; status: string; createdAt: Date }>(
        sql`SELECT id, "memberId", "storeId", status, "createdAt" FROM "Review" WHERE id = ${reviewId} FOR UPDATE`,
      );
      if (!r) return { status: "not-found" };
      if (!by.admin && by.storeId !== r.storeId) return { status: "forbidden" };
      if (r.status !== "pending") return { status: "not-pending" };
      if (decision === "reject") {
        await tx.many(sql`UPDATE "Review" SET status = 'rejected', "moderatedBy" = ${by.who},
                          "moderatedAt" = ${now}::timestamp, "updatedAt" = ${now}::timestamp WHERE id = ${r.id}`);
        return { status: "rejected" };
      }
      // The member row lock orders two approvals of one member's reviews: the cap cannot be passed by a race.
      await tx.many(sql`SELECT id FROM "Member" WHERE id = ${r.memberId} FOR NO KEY UPDATE`);
      const week = await tx.one<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM "Review"
        WHERE "memberId" = ${r.memberId} AND "rewardPoints" > 0 AND "moderatedAt" > ${new Date(now.getTime() - 7 * 86_400_000)}::timestamp`);
      const points = reviewReward(week?.n ?? 0, rules());
      if (points > 0)
        await postEntry(tx, ctx.program, {
          memberId: r.memberId,
          points,
          kind: "review",
          idempotencyKey: `review:${r.id}`,
          at: now,
        });
      await tx.many(sql`UPDATE "Review" SET status = 'approved', "rewardPoints" = ${points}, "moderatedBy" = ${by.who},
                        "moderatedAt" = ${now}::timestamp, "updatedAt" = ${now}::timestamp WHERE id = ${r.id}`);
      if (points > 0)
        await enqueue(
          tx,
          now,
          [
            {
              name: "review.credited",
              key: `review-credited:${r.id}`,
              runAt: now,
              payload: { reviewId: r.id, points },
            },
          ],
          ctx.outbox.wake,
        );
      return { status: "approved", points, overCap: points === 0 };
    });
  }

  /** Stores' ratings over the last 90 days: average (one decimal) and count. */
  async function storeRatings(storeIds: readonly number[]) {
    if (!storeIds.length) return new Map<number, { average: number; count: number }>();
    const since = new Date(ctx.now().getTime() - 90 * 86_400_000);
    const rows = await db.unitOfWork((tx) =>
      tx.many<{ storeId: number; sum: number; count: number }>(sql`
        SELECT "storeId", sum(rating)::int AS sum, count(*)::int AS count FROM "Review"
        WHERE "storeId" = ANY(${storeIds as number[]}::int[]) AND status <> 'rejected' AND "createdAt" > ${since}::timestamp
        GROUP BY "storeId"`),
    );
    return new Map(rows.map((r) => [r.storeId, { average: Math.round((r.sum * 10) / r.count) / 10, count: r.count }]));
  }

  return { rate, prompted, comment, pending, get, moderate, storeRatings };
}
export type ReviewService = ReturnType<typeof createReviewService>;
