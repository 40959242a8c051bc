import type { EventPayload } from "../../../domain/index.js";
import type { Notifications } from "../../notifications/deliver.js";
import type { ReferralStep } from "../../referrals/service.js";
import type { ServiceContext } from "../../services/context.js";
import type { Services } from "../../services/index.js";
import { enqueue } from "../queue.js";
import type { ClaimedJob, JobHandler } from "../runner.js";

/**
 * Referrals react to the friend's purchases and returns, and pay out when the
 * return window closes; the referrer is told at each step, the friend when
 * they earn. A step's note is its own job, so a note held by quiet hours never
 * holds the step itself.
 */
export function referralHandlers(
  ctx: ServiceContext,
  services: Services,
  deliver: Notifications,
): Record<string, JobHandler> {
  const later = (key: string, name: string, payload: object) =>
    ctx.db.unitOfWork((tx) =>
      enqueue(
        tx,
        ctx.now(),
        [{ name, key, runAt: ctx.now(), payload: payload as Record<string, unknown> }],
        ctx.outbox.wake,
      ),
    );
  const event = <T extends "purchase.recorded" | "return.recorded">(job: ClaimedJob) =>
    (job.payload as { event: EventPayload<T> }).event;

  async function tell(job: ClaimedJob, s: ReferralStep) {
    const friend = (await services.members.find({ id: s.friendId }))?.firstName ?? "";
    const note = await deliver.toMember(job, s.referrerId, {
      kind: "referral-step",
      step: s.step,
      friend,
      points: s.step === "rewarded" ? s.points : 0,
      reason: s.step === "refused" ? s.reason : "",
    });
    return note.retryAt ? { retryAt: note.retryAt } : undefined;
  }

  return {
    async "referral.qualify"(job) {
      const step = await services.referrals.onPurchase(event<"purchase.recorded">(job));
      if (step) await later(`referral-step:${job.id}`, "referral.tell", step);
    },
    async "referral.cancel"(job) {
      const step = await services.referrals.onReturn(event<"return.recorded">(job));
      if (step) await later(`referral-step:${job.id}`, "referral.tell", step);
    },
    async "referral.reward"(job) {
      const step = await services.referrals.reward((job.payload as { referralId: number }).referralId);
      if (!step || step.step !== "rewarded") return;
      await later(`referral-step:${job.id}`, "referral.tell", step);
      await later(`referral-friend:${job.id}`, "referral.tell-friend", step);
    },
    async "referral.tell"(job) {
      return tell(job, job.payload as ReferralStep);
    },
    async "referral.tell-friend"(job) {
      const s = job.payload as Extract<ReferralStep, { step: "rewarded" }>;
      const out = await deliver.toMember(job, s.friendId, { kind: "referral-friend-reward", points: s.points });
      return out.retryAt ? { retryAt: out.retryAt } : undefined;
    },
  };
}
