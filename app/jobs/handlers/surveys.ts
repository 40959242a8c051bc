import type { EventPayload } from "../../../domain/index.js";
import type { Notifications } from "../../notifications/deliver.js";
import type { ServiceContext } from "../../services/context.js";
import type { Services } from "../../services/index.js";
import type { JobHandler } from "../runner.js";
import { sql } from "../../db/sql.js";
import { enqueue } from "../queue.js";
import { storeNames } from "./store-names.js";

const STALE_MS = 24 * 3_600_000;

/**
 * Surveys that follow a purchase. The NPS question waits surveys.nps.delay
 * after the purchase (the shopper is home by then), then quiet hours in the
 * member's zone (class feedback: not counted against the marketing cap).
 */
export function surveyHandlers(
  ctx: ServiceContext,
  services: Services,
  deliver: Notifications,
): Record<string, JobHandler> {
  const store = storeNames(ctx.db);
  return {
    async "survey.nps"(job) {
      const rules = ctx.program.surveys.nps;
      if (!rules.enabled) return;
      const e = (job.payload as { event: EventPayload<"purchase.recorded"> }).event;
      const at = new Date(e.at).getTime();
      const due = new Date(at + rules.delayMinutes * 60_000);
      if (ctx.now() < due) return { retryAt: due };
      // A purchase imported or posted late, or a job that waited out an outage: a survey about a visit
      // days ago is not one a shopper answers well. The next fresh purchase asks.
      if (ctx.now().getTime() - due.getTime() > STALE_MS) return;
      const nps = services.surveys.nps;
      const surveyId = await nps.claim(e.memberId, e.storeId, e.purchaseId);
      if (surveyId === null) return;
      const r = await deliver.toMember(job, e.memberId, { kind: "nps-ask", surveyId, store: await store(e.storeId) });
      if (r.retryAt) return { retryAt: r.retryAt };
      await nps.settle(surveyId, job.id);
    },

    /** "How was your visit?" the day after a purchase (marketing: quiet hours and the cap). */
    async "review.ask"(job) {
      const rules = ctx.program.gamification.reviews;
      if (!rules.enabled) return;
      const e = (job.payload as { event: EventPayload<"purchase.recorded"> }).event;
      const due = new Date(new Date(e.at).getTime() + rules.askAfterHours * 3_600_000);
      if (ctx.now() < due) return { retryAt: due };
      if (ctx.now().getTime() - due.getTime() > STALE_MS) return;
      const r = await deliver.toMember(job, e.memberId, {
        kind: "review-ask",
        purchaseId: e.purchaseId,
        store: await store(e.storeId),
      });
      return r.retryAt ? { retryAt: r.retryAt } : undefined;
    },

    /** 1–2 stars (and the comment that follows them) to the store's staff at once. */
    async "review.alert"(job) {
      const { reviewId, withComment } = job.payload as { reviewId: number; withComment?: boolean };
      const r = await services.reviews.get(reviewId);
      if (!r) return;
      const chats = await ctx.db.unitOfWork((tx) =>
        tx.many<{ chatId: string }>(sql`SELECT "chatId"::text AS "chatId" FROM "StaffMember"
          WHERE "storeId" = ${r.storeId} AND "revokedAt" IS NULL AND "chatId" IS NOT NULL`),
      );
      // One job per staff chat: the delivery rules record one notification per job.
      await ctx.db.unitOfWork((tx) =>
        enqueue(
          tx,
          ctx.now(),
          chats.map((c) => ({
            name: "review.alert-staff",
            key: `${job.key}:${c.chatId}`,
            runAt: ctx.now(),
            payload: { reviewId, chatId: c.chatId, withComment: withComment === true },
          })),
          ctx.outbox.wake,
        ),
      );
    },

    async "review.alert-staff"(job) {
      const { reviewId, chatId, withComment } = job.payload as {
        reviewId: number;
        chatId: string;
        withComment: boolean;
      };
      const r = await services.reviews.get(reviewId);
      if (!r) return;
      // The rating's alert goes at once; the comment, when one follows, in an alert of its own.
      await deliver.toStaffChat(job, BigInt(chatId), {
        kind: "review-alert",
        reviewId,
        store: r.storeName,
        rating: r.rating,
        comment: withComment ? r.comment : null,
      });
    },

    async "review.credited"(job) {
      const { reviewId, points } = job.payload as { reviewId: number; points: number };
      const r = await services.reviews.get(reviewId);
      if (!r) return;
      const out = await deliver.toMember(job, r.memberId, { kind: "review-credited", points, store: r.storeName });
      return out.retryAt ? { retryAt: out.retryAt } : undefined;
    },
  };
}
