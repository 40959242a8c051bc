import { run } from "@grammyjs/runner";
import pino from "pino";
import type { Database } from "../../app/db/database.js";
import type { Services } from "../../app/services/index.js";
import { createBot } from "../../bot/bot.js";
import { servicesFor } from "./fixtures.js";
import { FakeTelegram } from "./telegram-server.js";

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
  } = {},
) {
  const own = !opts.telegram;
  const tg = opts.telegram ?? new FakeTelegram();
  const apiRoot = own ? await tg.start() : tg.apiRoot;
  const services: Services = servicesFor(db, opts);
  const { bot, drained, notifier } = createBot(
    { token: tg.token, apiRoot, globalRps: 10_000, ...(opts.flood ? { flood: opts.flood } : {}) },
    {
      services,
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
    },
  );
  await bot.init();
  const runner = run(bot, { runner: { fetch: { timeout: 1 } } });
  return {
    tg,
    bot,
    services,
    notifier,
    async stop() {
      if (runner.isRunning()) await runner.stop();
      await drained();
      if (own) await tg.stop();
    },
  };
}
