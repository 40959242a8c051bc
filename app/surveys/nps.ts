import { asksWhy, npsAnswerOpen, npsDue, validNpsScore } from "../../domain/index.js";
import { sql } from "../db/sql.js";
import type { ServiceContext } from "../services/context.js";

export type NpsAnswerOutcome =
  | { status: "recorded"; score: number; asksWhy: boolean; surveyId: number }
  | { status: "late" | "unknown" | "answered-before" };

/**
 * The NPS survey after a purchase: who is asked (once per purchase, at most
 * once per member in surveys.nps.everyDays), their 0–10 answer (once, within
 * answerWithinDays) into the NpsAnswer rows the metric counts, and a
 * detractor's comment. The job that sends the question is
 * app/jobs/handlers/surveys.ts.
 */
export function createNpsSurveys(ctx: ServiceContext) {
  const { db } = ctx;
  const rules = () => ctx.program.surveys.nps;

  /**
   * Claims the survey for this purchase, or null when the member is not to be
   * asked: asked (or being asked) within the period already. Idempotent: the
   * same purchase answers with the same survey while it is pending.
   */
  async function claim(memberId: number, storeId: number, purchaseId: number): Promise<number | null> {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      // The member row lock orders two purchases' jobs: one survey, not two.
      await tx.many(sql`SELECT id FROM "Member" WHERE id = ${memberId} FOR NO KEY UPDATE`);
      const mine = await tx.one<{ id: number; status: string }>(
        sql`SELECT id, status FROM "NpsSurvey" WHERE "purchaseId" = ${purchaseId}`,
      );
      if (mine) return mine.status === "pending" ? mine.id : null;
      const last = await tx.one<{ at: Date | null }>(
        sql`SELECT max("askedAt") AS at FROM "NpsSurvey" WHERE "memberId" = ${memberId} AND status <> 'dropped'`,
      );
      if (!npsDue(last?.at ?? null, now, rules().everyDays)) return null;
      const row = await tx.one<{ id: number }>(sql`
        INSERT INTO "NpsSurvey" ("memberId", "storeId", "purchaseId", status, "askedAt")
        VALUES (${memberId}, ${storeId}, ${purchaseId}, 'pending', ${now}::timestamp) RETURNING id`);
      return row?.id ?? null;
    });
  }

  /**
   * After the job's delivery: the question went out (it counts from now) or
   * did not (capped, unreachable, notifications off — then it does not count,
   * and the member may be asked after another purchase). Read from the job's
   * own notification row, so a job retried after a crash settles the same way.
   */
  async function settle(surveyId: number, jobId: number) {
    const now = ctx.now();
    await db.unitOfWork((tx) =>
      tx.many(sql`
        UPDATE "NpsSurvey" s SET
          status = CASE WHEN n.status IN ('sent', 'sending', 'unknown') THEN 'sent' ELSE 'dropped' END,
          "askedAt" = CASE WHEN n.status IN ('sent', 'sending', 'unknown') THEN ${now}::timestamp ELSE s."askedAt" END
        FROM (SELECT coalesce((SELECT status FROM "Notification" WHERE "jobId" = ${jobId}), 'none') AS status) n
        WHERE s.id = ${surveyId} AND s.status = 'pending'`),
    );
  }

  /** A member's 0–10 answer, by their Telegram account: recorded once, within the answer window. */
  async function answer(telegramId: number, surveyId: number, score: number): Promise<NpsAnswerOutcome> {
    if (!validNpsScore(score)) return { status: "unknown" };
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const s = await tx.one<{
        id: number;
        memberId: number;
        storeId: number | null;
        status: string;
        askedAt: Date;
      }>(sql`
        SELECT s.id, s."memberId", s."storeId", s.status, s."askedAt"
        FROM "NpsSurvey" s JOIN "Member" m ON m.id = s."memberId"
        WHERE s.id = ${surveyId} AND m."telegramId" = ${telegramId}::int8
        FOR UPDATE OF s`);
      if (!s || s.status === "pending" || s.status === "dropped") return { status: "unknown" };
      if (s.status === "answered") return { status: "answered-before" };
      if (!npsAnswerOpen(s.askedAt, now, rules().answerWithinDays)) return { status: "late" };
      const a = await tx.one<{ id: number }>(sql`
        INSERT INTO "NpsAnswer" ("memberId", "storeId", score, "answeredAt")
        VALUES (${s.memberId}, ${s.storeId}, ${score}, ${now}::timestamp) RETURNING id`);
      await tx.many(sql`UPDATE "NpsSurvey" SET status = 'answered', "answerId" = ${a?.id} WHERE id = ${s.id}`);
      return { status: "recorded", score, asksWhy: asksWhy(score), surveyId: s.id };
    });
  }

  /** Remembers the follow-up question's message: a reply to it is the comment. */
  async function askedWhy(surveyId: number, messageId: number) {
    await db.unitOfWork((tx) =>
      tx.many(sql`UPDATE "NpsSurvey" SET "commentMessageId" = ${messageId} WHERE id = ${surveyId}`),
    );
  }

  /** A detractor's reply to the follow-up question; false when the message answers no survey of theirs. */
  async function comment(telegramId: number, replyToMessageId: number, text: string): Promise<boolean> {
    const clean = text.trim().slice(0, 2000);
    if (!clean) return false;
    return db.unitOfWork(async (tx) => {
      const r = await tx.many<{ id: number }>(sql`
        UPDATE "NpsAnswer" a SET comment = ${clean}
        FROM "NpsSurvey" s JOIN "Member" m ON m.id = s."memberId"
        WHERE s."answerId" = a.id AND s."commentMessageId" = ${replyToMessageId}
          AND m."telegramId" = ${telegramId}::int8 AND a.comment IS NULL
        RETURNING a.id`);
      return r.length > 0;
    });
  }

  return { claim, settle, answer, askedWhy, comment };
}
export type NpsSurveys = ReturnType<typeof createNpsSurveys>;
