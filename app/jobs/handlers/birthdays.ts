import type { Notifications } from "../../notifications/deliver.js";
import type { ServiceContext } from "../../services/context.js";
import type { Services } from "../../services/index.js";
import type { JobHandler } from "../runner.js";

/** The daily birthday run (queued by the schedule in housekeeping.ts) and each member's credit with its note. */
export function birthdayHandlers(
  _ctx: ServiceContext,
  services: Services,
  deliver: Notifications,
): Record<string, JobHandler> {
  return {
    async "birthday.scan"() {
      await services.birthdays.queueDue();
    },
    async "birthday.credit"(job) {
      const { memberId, year } = job.payload as { memberId: number; year: number };
      const credited = await services.birthdays.credit(memberId, year);
      if (!credited) return;
      // The note may wait for the morning; the points are there already.
      const out = await deliver.toMember(job, memberId, { kind: "birthday-bonus", ...credited });
      return out.retryAt ? { retryAt: out.retryAt } : undefined;
    },
  };
}
