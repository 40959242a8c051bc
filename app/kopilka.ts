import type { Logger } from "pino";
import type { Program } from "../domain/index.js";
import type { Database } from "./db/database.js";
import { type BroadcastSenderOptions, createBroadcastSender } from "./broadcasts/sender.js";
import { defaultOutbox } from "./events/outbox.js";
import { housekeepingHandlers, housekeepingSchedule } from "./jobs/handlers/housekeeping.js";
import { noticeHandlers } from "./jobs/handlers/notices.js";
import { birthdayHandlers } from "./jobs/handlers/birthdays.js";
import { challengeHandlers } from "./jobs/handlers/challenges.js";
import { referralHandlers } from "./jobs/handlers/referrals.js";
import { offerHandlers, offerSchedule } from "./jobs/handlers/offers.js";
import { surveyHandlers } from "./jobs/handlers/surveys.js";
import { createJobRunner, type JobHandler, type JobRunnerOptions } from "./jobs/runner.js";
import { createWakeup } from "./jobs/wakeup.js";
import { createDelivery } from "./notifications/deliver.js";
import type { Broadcaster, Messenger } from "./notifications/messenger.js";
import type { ServiceContext } from "./services/context.js";
import { createServices } from "./services/index.js";

export interface KopilkaOptions {
  db: Database;
  program: Program;
  now: () => Date;
  log: Logger;
  adminIds?: Iterable<string | number>;
  marketerIds?: Iterable<string | number>;
}

/**
 * The application as every entry point assembles it: the services that
 * transports call, and the job runner that does what happens later (sending
 * notices through a Messenger, expiring points and requests). The runner and
 * the services share one outbox, so a job queued by a commit in this process
 * starts at once.
 */
export function createKopilka(opts: KopilkaOptions) {
  const wakeup = createWakeup();
  const ctx: ServiceContext = {
    db: opts.db,
    program: opts.program,
    now: opts.now,
    log: opts.log,
    outbox: defaultOutbox(() => wakeup.notify()),
  };
  const services = createServices(ctx, { adminIds: opts.adminIds ?? [], marketerIds: opts.marketerIds ?? [] });
  return {
    services,
    /** The broadcast sender (app/broadcasts/sender.ts), through `broadcaster`; one per process, several may share a broadcast. */
    broadcasts(broadcaster: Broadcaster, o: BroadcastSenderOptions = {}) {
      return createBroadcastSender(ctx, services.broadcasts, broadcaster, o);
    },
    /** The job runner, sending through `messenger`; `extra` adds handlers (tests, later features). */
    jobs(
      messenger: Messenger,
      o: Partial<Pick<JobRunnerOptions, "pollMs" | "batchSize" | "leaseMs" | "workerId">> & {
        extra?: Record<string, JobHandler>;
      } = {},
    ) {
      const deliver = createDelivery(ctx, messenger);
      return createJobRunner({
        db: ctx.db,
        now: ctx.now,
        log: ctx.log,
        wakeup,
        handlers: {
          ...noticeHandlers(ctx, services, deliver),
          ...housekeepingHandlers(ctx, services),
          ...surveyHandlers(ctx, services, deliver),
          ...birthdayHandlers(ctx, services, deliver),
          ...referralHandlers(ctx, services, deliver),
          ...challengeHandlers(services, deliver),
          ...offerHandlers(ctx, services.offers.triggers, deliver),
          ...o.extra,
        },
        recurring: [...housekeepingSchedule(ctx), ...offerSchedule(ctx)],
        ...o,
      });
    },
  };
}
export type Kopilka = ReturnType<typeof createKopilka>;
