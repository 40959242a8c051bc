import { sql } from "../../db/sql.js";
import type { Notifications } from "../../notifications/deliver.js";
import type { Triggers } from "../../offers/triggers.js";
import type { ServiceContext } from "../../services/context.js";
import type { JobHandler, RecurringJob } from "../runner.js";

/** The triggers' jobs: the nightly scan, a cart's check, and a personal offer's notice. */
export function offerHandlers(
  ctx: ServiceContext,
  triggers: Triggers,
  deliver: Notifications,
): Record<string, JobHandler> {
  return {
    async "offers.scan"() {
      const made = await triggers.scan();
      if (Object.values(made).some((n) => n > 0)) ctx.log.info(made, "trigger offers made");
    },
    async "cart.check"(job) {
      await triggers.checkCart((job.payload as { cartId: number }).cartId);
    },
    async "offer.notify"(job) {
      const { offerId, memberId } = job.payload as { offerId: number; memberId: number };
      const o = await ctx.db.unitOfWork((tx) =>
        tx.one<{
          titleRu: string;
          titleEn: string;
          textRu: string;
          textEn: string;
          endsAt: string;
          status: string;
        }>(sql`
          SELECT "titleRu", "titleEn", "textRu", "textEn", status,
                 to_char("endsAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endsAt"
          FROM "Offer" WHERE id = ${offerId}`),
      );
      // Held past its end (quiet hours, a long outage) or stopped by a marketer: nothing to tell.
      if (!o || o.status !== "active" || new Date(o.endsAt) <= ctx.now()) return;
      const out = await deliver.toMember(job, memberId, {
        kind: "offer",
        offerId,
        title: { ru: o.titleRu, en: o.titleEn },
        text: { ru: o.textRu, en: o.textEn },
        endsAt: o.endsAt,
        timeZone: ctx.program.timeZone,
      });
      return out.retryAt ? { retryAt: out.retryAt } : undefined;
    },
  };
}

/** The nightly trigger scan, in the chain's zone. */
export function offerSchedule(ctx: ServiceContext): RecurringJob[] {
  return [{ name: "offers.scan", cron: ctx.program.triggers.scanCron, timeZone: ctx.program.timeZone }];
}
