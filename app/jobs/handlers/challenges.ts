import type { EventPayload } from "../../../domain/index.js";
import type { Notifications } from "../../notifications/deliver.js";
import type { Notice } from "../../notifications/notices.js";
import type { Services } from "../../services/index.js";
import type { ClaimedJob, JobHandler } from "../runner.js";

/**
 * Challenges react to purchases (complete what the purchase completes) and
 * to returns (take back a completing purchase's share); each celebration or
 * reversal note is its own job, queued in the same unit of work as the
 * change, so it is sent once however often the reaction runs.
 */
export function challengeHandlers(services: Services, deliver: Notifications): Record<string, JobHandler> {
  const event = <T extends "purchase.recorded" | "return.recorded">(job: ClaimedJob) =>
    (job.payload as { event: EventPayload<T> }).event;
  return {
    async "challenge.purchase"(job) {
      const e = event<"purchase.recorded">(job);
      await services.challenges.complete({ ...e, at: new Date(e.at) });
    },
    async "challenge.return"(job) {
      await services.challenges.reverse(event<"return.recorded">(job));
    },
    async "challenge.tell"(job) {
      const { memberId, notice } = job.payload as { memberId: number; notice: Notice };
      const out = await deliver.toMember(job, memberId, notice);
      return out.retryAt ? { retryAt: out.retryAt } : undefined;
    },
  };
}
