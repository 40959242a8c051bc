import type { EventPayload } from "../../../domain/index.js";
import type { Notifications } from "../../notifications/deliver.js";
import type { ServiceContext } from "../../services/context.js";
import type { Services } from "../../services/index.js";
import type { JobHandler } from "../runner.js";
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
  };
}
