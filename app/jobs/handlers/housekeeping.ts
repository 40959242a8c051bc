import type { ServiceContext } from "../../services/context.js";
import type { Services } from "../../services/index.js";
import type { JobHandler, RecurringJob } from "../runner.js";
import { pruneRollups, refreshRollups } from "../../metrics/rollup.js";

/** Jobs that keep the program's books: expiring points, spend requests nobody answered, old job rows. */
export function housekeepingHandlers(ctx: ServiceContext, services: Services): Record<string, JobHandler> {
  return {
    async "redemption.expire"(job) {
      await services.redemptions.expire(String((job.payload as { id: string }).id));
    },
    async "expiry.sweep"() {
      const r = await services.expiry.sweep();
      if (r.points) ctx.log.info(r, "points expired");
    },
    async "expiry.remind"() {
      await services.expiry.queueReminders();
    },
    async "metrics.rollup"() {
      // The dashboard's pre-aggregates: the first run catches up the past (in batches), later runs add what arrived.
      const t = Date.now();
      await refreshRollups(ctx.db, ctx.program, ctx.now, {
        catchUp: true,
        // A first catch-up or a backfill takes minutes on a large chain: say where it is (members, or purchase ids
        // for the store × category days).
        onBatch: (done, total, phase) =>
          ctx.log.info(
            { done, total, phase: phase ?? "past" },
            phase === "storeCategories" ? "metrics rollups: purchases" : "metrics rollups: members",
          ),
      });
      await pruneRollups(ctx.db);
      ctx.log.debug({ ms: Date.now() - t }, "metrics rollups refreshed");
    },
    async "jobs.prune"() {
      const before = new Date(ctx.now().getTime() - 30 * 86_400_000);
      await ctx.db.query(`DELETE FROM "Job" WHERE status IN ('done', 'failed') AND "finishedAt" < $1`, [
        before.toISOString().replace("Z", ""),
      ]);
    },
  };
}

/** When the housekeeping runs, in the chain's time zone. */
export function housekeepingSchedule(ctx: ServiceContext): RecurringJob[] {
  const timeZone = ctx.program.timeZone;
  return [
    { name: "expiry.sweep", cron: "5 * * * *", timeZone },
    { name: "expiry.remind", cron: "0 10 * * *", timeZone },
    { name: "jobs.prune", cron: "30 4 * * *", timeZone },
    { name: "metrics.rollup", cron: "*/5 * * * *", timeZone },
    { name: "birthday.scan", cron: "0 10 * * *", timeZone },
  ];
}
