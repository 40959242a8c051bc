import type { EventPayload, EventType } from "../../../domain/index.js";
import type { Notifications } from "../../notifications/deliver.js";
import type { ServiceContext } from "../../services/context.js";
import type { Services } from "../../services/index.js";
import type { ClaimedJob, JobHandler } from "../runner.js";
import { storeNames } from "./store-names.js";

/** The event a job was queued for (app/events/outbox.ts puts it in the payload). */
function eventOf<T extends EventType>(job: ClaimedJob, _type: T): EventPayload<T> {
  return (job.payload as { event: EventPayload<T> }).event;
}

const held = (r: { retryAt?: Date }) => (r.retryAt ? { retryAt: r.retryAt } : undefined);

/**
 * Jobs that tell people what happened: each reads its event, builds a
 * notice (data, not text) and hands it to the delivery rules.
 */
export function noticeHandlers(
  ctx: ServiceContext,
  services: Services,
  deliver: Notifications,
): Record<string, JobHandler> {
  const store = storeNames(ctx.db);
  const tierOf = (code: string) => ctx.program.tiers.find((t) => t.code === code);

  return {
    async "notify.purchase"(job) {
      const e = eventOf(job, "purchase.recorded");
      if (e.points === 0) return;
      return held(
        await deliver.toMember(job, e.memberId, {
          kind: "purchase",
          points: e.points,
          balance: e.balance,
          store: await store(e.storeId),
        }),
      );
    },

    async "notify.return"(job) {
      const e = eventOf(job, "return.recorded");
      const change = e.pointsRefunded - e.pointsReversed;
      if (change === 0) return;
      return held(
        await deliver.toMember(job, e.memberId, {
          kind: "return",
          change,
          balance: e.balance,
          store: await store(e.storeId),
        }),
      );
    },

    async "notify.spend-prompt"(job) {
      const e = eventOf(job, "redemption.requested");
      const r = await services.redemptions.get(e.redemptionId);
      if (r.status !== "pending") return; // answered or expired before Telegram could be reached
      const out = await deliver.toMember(job, e.memberId, {
        kind: "spend-prompt",
        requestId: r.id,
        store: await store(r.storeId),
        points: r.points,
        amountKopecks: r.receiptAmountKopecks,
        ttlSeconds: ctx.program.redemption.confirmationTtlSeconds,
      });
      if (out.delivery?.status === "sent" && r.promptMessageId === null)
        await services.redemptions.setPrompt(r.id, out.delivery.chatId, out.delivery.messageId);
      return held(out);
    },

    async "notify.spend-outcome"(job) {
      const e = eventOf(job, "redemption.decided");
      const r = await services.redemptions.get(e.redemptionId);
      const notice = { kind: "spend-outcome", status: e.status, points: r.points, balance: r.balance } as const;
      // Replace the prompt's buttons with the outcome; a prompt never shown needs no answer.
      if (r.promptMessageId === null) return;
      return held(await deliver.toMember(job, e.memberId, notice, { editMessageId: r.promptMessageId }));
    },

    async "notify.staff-spend-outcome"(job) {
      const e = eventOf(job, "redemption.decided");
      const r = await services.redemptions.get(e.redemptionId);
      if (r.staffChatId === null) return; // a POS asked: it polls for the answer
      await deliver.toStaffChat(job, r.staffChatId, {
        kind: "staff-spend-outcome",
        status: e.status,
        points: r.points,
        receiptId: r.receiptId,
        dueKopecks: r.receiptAmountKopecks - (e.status === "confirmed" ? r.points * ctx.program.pointValueKopecks : 0),
        requestId: r.id,
      });
    },

    async "notify.tier"(job) {
      const e = eventOf(job, "tier.changed");
      const tier = tierOf(e.to);
      if (!tier) return;
      return held(
        await deliver.toMember(job, e.memberId, {
          kind: e.direction === "up" ? "tier-up" : "tier-down",
          tier: tier.name,
          rateBp: tier.rateBp,
        }),
      );
    },

    async "notify.referral-joined"(job) {
      const e = eventOf(job, "member.enrolled");
      if (e.referredById === null) return;
      const friend = await services.members.find({ id: e.memberId });
      return held(
        await deliver.toMember(job, e.referredById, { kind: "referral-joined", friend: friend?.firstName ?? "" }),
      );
    },

    async "notify.expiring"(job) {
      const p = job.payload as { memberId: number; points: number; expiresAt: string };
      return held(
        await deliver.toMember(job, p.memberId, {
          kind: "points-expiring",
          points: p.points,
          expiresAt: p.expiresAt,
          timeZone: ctx.program.timeZone,
          maxShareBp: ctx.program.redemption.maxShareBp,
          offersLink: ctx.program.triggers.expiringLinksOffers,
        }),
      );
    },
  };
}
