/**
 * Kopilka's composition root, once main.ts has begun opening the database:
 * services and jobs, the HTTP server, and the Telegram bot (long polling, or
 * a webhook when WEBHOOK_URL is set).
 *
 * Order matters for availability: the HTTP API listens before Telegram is
 * reached, and the jobs do not wait for it, so a POS is answered at once
 * whatever Telegram does; the bot keeps trying to reach the Bot API and says
 * so in the log.
 *
 * Order matters for the start-up time too (issue 14):
 * - the bot's hello to the Bot API (getMe, and deleteWebhook when polling) is
 *   sent while the database opens; polling begins once the bot is built on it;
 * - the jobs' first pass (recurring schedules, due jobs, sweeps: tens of ms of
 *   queries, on this very thread when the database is the embedded PGlite)
 *   begins a second after the bot polls: begun at once, it held the first
 *   getUpdates (and the first answers) behind it, and nothing in it is that
 *   urgent. It does not wait for Telegram: a failed hello, or 3 s without
 *   one, starts it too.
 */
import { run } from "@grammyjs/runner";
import { Api, webhookCallback } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Logger } from "pino";
import { createHttpApp, listen } from "./api/server.js";
import { type Config, loadProgram, orExit } from "./app/config.js";
import type { Database } from "./app/db/database.js";
import { createKopilka } from "./app/kopilka.js";
import { loadTiers } from "./app/services/index.js";
import { createBot, registerCommands } from "./bot/bot.js";
import { telegramFetch } from "./bot/telegram-fetch.js";

const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;
/** The jobs begin this long after the bot polls (or has its webhook)… */
const JOBS_AFTER_POLLING_MS = 1000;
/** …or this long after the start, whatever Telegram does; at once when the Bot API cannot be reached. */
const JOBS_AT_THE_LATEST_MS = 3000;

export async function serve({ config, log, database }: { config: Config; log: Logger; database: Promise<Database> }) {
  let stopping = false;
  let stopWaiting = () => {};
  let jobsMayStart = () => {};
  const jobsMayBegin = new Promise<void>((r) => {
    jobsMayStart = r;
  });
  setTimeout(jobsMayStart, JOBS_AT_THE_LATEST_MS).unref();

  /** Reaches the Bot API, retrying with backoff for as long as it takes (the rest serves meanwhile). */
  async function hello(): Promise<UserFromGetMe | undefined> {
    const fetch = telegramFetch();
    for (let attempt = 1; !stopping; attempt++) {
      try {
        // A bare client, without the retrying transformers: an unreachable Bot API is reported at once.
        const api = new Api(config.botToken as string, { apiRoot: config.apiRoot, fetch });
        const me = await api.getMe();
        if (!config.webhookUrl) await api.deleteWebhook();
        return me;
      } catch (e) {
        jobsMayStart();
        const wait = Math.min(60, 2 ** attempt);
        log.warn(
          { apiRoot: config.apiRoot, err: (e as Error).message },
          `Telegram Bot API unreachable; retrying in ${wait} s`,
        );
        await new Promise<void>((r) => {
          const t = setTimeout(r, wait * 1000);
          stopWaiting = () => {
            clearTimeout(t);
            r();
          };
        });
      }
    }
    return undefined;
  }
  const greeted = hello();
  // Read and checked while the database opens too (the schema's checks load ICU's time zones: ~40 ms).
  const programFile = orExit(() => loadProgram(config.programFile));

  const db = await database;
  log.info({ database: db.kind === "postgres" ? "postgresql" : `pglite ${config.dataDir}` }, "database ready");
  const program = await loadTiers(db, programFile);
  const kopilka = createKopilka({
    db,
    program,
    now: () => new Date(),
    log,
    adminIds: config.adminIds,
    marketerIds: config.marketerIds,
  });
  const { services } = kopilka;
  const { bot, drained, messenger, broadcaster } = createBot(
    { token: config.botToken as string, apiRoot: config.apiRoot, globalRps: config.globalRps },
    { services, log, publicUrl: config.publicUrl },
  );

  const webhookPath = config.webhookUrl ? new URL(config.webhookUrl).pathname : undefined;
  const app = createHttpApp({
    services,
    log,
    ...(webhookPath
      ? { webhook: { path: webhookPath, handler: webhookCallback(bot, "hono", { secretToken: config.webhookSecret }) } }
      : {}),
  });
  const { server, port } = await listen(app, config.port, config.host);
  log.info({ port }, "http server listening");

  let runner: ReturnType<typeof run> | undefined;
  /** Receives updates once the hello succeeded: by webhook, or by long polling. */
  async function startBot() {
    const me = await greeted;
    if (!me || stopping) return;
    bot.botInfo = me;
    // The command lists are not needed to receive updates: set meanwhile (two Bot API round trips off the start).
    const commands = registerCommands(bot).catch((e) => log.warn({ err: e }, "could not set the command lists"));
    if (config.webhookUrl) {
      await bot.api.setWebhook(config.webhookUrl, {
        secret_token: config.webhookSecret,
        allowed_updates: [...ALLOWED_UPDATES],
      });
      setTimeout(jobsMayStart, JOBS_AFTER_POLLING_MS);
      await commands;
      log.info({ url: config.webhookUrl }, `bot @${me.username} receives updates by webhook`);
    } else {
      runner = run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
      setTimeout(jobsMayStart, JOBS_AFTER_POLLING_MS);
      // Logged once the command lists are set too: "polling" then means the bot is fully up.
      await commands;
      log.info(`bot @${me.username} is polling`);
    }
  }
  const telegram = startBot().catch((e) => log.error({ err: e }, "the bot could not start"));
  const jobs = kopilka.jobs(messenger);
  // Broadcasts go out from every process that runs this: they share a broadcast row by row.
  const broadcasts = kopilka.broadcasts(broadcaster, {
    concurrency: Math.min(64, Math.ceil(config.globalRps / 10) + 2),
    leaseMs: config.broadcastLeaseSeconds * 1000,
  });
  const jobsBegun = (async () => {
    await jobsMayBegin;
    if (stopping) return;
    await jobs.start();
    log.info({ worker: jobs.workerId }, "jobs running");
    broadcasts.start();
  })();

  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    stopWaiting();
    await telegram;
    if (runner?.isRunning()) await runner.stop();
    await drained();
    jobsMayStart();
    await jobsBegun;
    await jobs.stop();
    await broadcasts.stop();
    // Stop accepting, let requests in progress finish, drop idle keep-alive sockets.
    const closed = new Promise<void>((r) => server.close(() => r()));
    if ("closeIdleConnections" in server) server.closeIdleConnections();
    await closed;
    await db.close();
    log.info("stopped");
    process.exit(0);
  }
  // "on", not "once": under npm/tsx a signal can arrive twice (to the group, and
  // relayed by the parent); a second one must not kill a shutdown in progress.
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  await jobsBegun;
}
