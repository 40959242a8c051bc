import { run } from "@grammyjs/runner";
import pino from "pino";
import type { Database } from "../../app/db/database.js";
import { createBot } from "../../bot/bot.js";
import { kopilkaFor } from "./fixtures.js";
import { FakeTelegram } from "./telegram-server.js";
import { waitFor } from "./wait.js";

/**
 * The bot as production runs it (createBot + the grammY runner's long
 * polling), pointed at the fake Bot API over HTTP.
 */
export async function startBot(
  db: Database,
  opts: {
    clock?: { now: () => Date };
    telegram?: FakeTelegram;
    adminIds?: number[];
    marketerIds?: number[];
    publicUrl?: string;
    flood?: { limit: number; windowMs: number };
    program?: import("../../domain/index.js").Program;
  } = {},
) {
  const own = !opts.telegram;
  const tg = opts.telegram ?? new FakeTelegram();
  const apiRoot = own ? await tg.start() : tg.apiRoot;
  const kopilka = kopilkaFor(db, opts);
  const { services } = kopilka;
  const { bot, drained, messenger, broadcaster } = createBot(
    { token: tg.token, apiRoot, globalRps: 10_000, ...(opts.flood ? { flood: opts.flood } : {}) },
    {
      services,
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
    },
  );
  await bot.init();
  const runner = run(bot, { runner: { fetch: { timeout: 1 } } });
  // The job runner as production runs it: notices reach the fake Bot API through jobs.
  const jobs = kopilka.jobs(messenger, { pollMs: 50 });
  await jobs.start();
  return {
    tg,
    bot,
    services,
    jobs,
    messenger,
    broadcaster,
    kopilka,
    /** Resolves once no job is due or running: every notice queued so far has gone out. */
    async idle() {
      const now = (opts.clock?.now ?? (() => new Date()))();
      await waitFor(async () => {
        const [r] = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "Job" WHERE status = 'running' OR (status = 'queued' AND "runAt" <= $1)`,
          [now.toISOString().replace("Z", "")],
        );
        return r?.n === 0;
      }, 10_000);
    },
    async stop() {
      if (runner.isRunning()) await runner.stop();
      await drained();
      await jobs.stop();
      if (own) await tg.stop();
    },
  };
}
