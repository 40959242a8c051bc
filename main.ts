/**
 * npm start — Kopilka's composition root: configuration, database (embedded
 * PGlite, or PostgreSQL when DATABASE_URL is set), services and jobs, the
 * HTTP server, and the Telegram bot (long polling, or a webhook when
 * WEBHOOK_URL is set).
 *
 * Order matters for availability: the HTTP API listens before Telegram is
 * reached, and the jobs start without waiting for it, so a POS is answered
 * at once whatever Telegram does; the bot keeps trying to reach the Bot API
 * and says so in the log.
 */
import { run } from "@grammyjs/runner";
import { Api, webhookCallback } from "grammy";
import pino from "pino";
import { createHttpApp, listen } from "./api/server.js";
import { loadConfig, loadProgram, orExit } from "./app/config.js";
import { DataDirLockedError, openDatabase } from "./app/db/database.js";
import { createKopilka } from "./app/kopilka.js";
import { loadTiers } from "./app/services/index.js";
import { createBot, registerCommands } from "./bot/bot.js";

const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;

const config = orExit(() => loadConfig(process.env, { botToken: true }));
// Readable on a terminal, JSON lines for a log collector otherwise.
// Written synchronously: lines keep their order and the last ones survive process.exit().
const log = process.stdout.isTTY
  ? pino({ level: config.logLevel, transport: { target: "pino-pretty", options: { colorize: true } } })
  : pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: true }));
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, serveSocket: true }).catch(
  (e: unknown) => {
    // A second server on one PGlite folder would corrupt it: stop with the reason.
    if (!(e instanceof DataDirLockedError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
log.info({ database: db.kind === "postgres" ? "postgresql" : `pglite ${config.dataDir}` }, "database ready");
const program = await loadTiers(
  db,
  orExit(() => loadProgram(config.programFile)),
);
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

let stopping = false;
let runner: ReturnType<typeof run> | undefined;
let stopWaiting = () => {};

/** Reaches the Bot API, retrying with backoff for as long as it takes (the rest already serves). */
async function connectTelegram() {
  for (let attempt = 1; !stopping; attempt++) {
    try {
      // A bare client, without the retrying transformers: an unreachable Bot API is reported at once.
      bot.botInfo = await new Api(config.botToken as string, { apiRoot: config.apiRoot }).getMe();
      break;
    } catch (e) {
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
  if (stopping) return;
  // The command lists are not needed to receive updates: set meanwhile (two Bot API round trips off the start).
  const commands = registerCommands(bot).catch((e) => log.warn({ err: e }, "could not set the command lists"));
  if (config.webhookUrl) {
    await bot.api.setWebhook(config.webhookUrl, {
      secret_token: config.webhookSecret,
      allowed_updates: [...ALLOWED_UPDATES],
    });
    await commands;
    log.info({ url: config.webhookUrl }, `bot @${bot.botInfo.username} receives updates by webhook`);
  } else {
    await bot.api.deleteWebhook();
    runner = run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
    // Logged once the command lists are set too: "polling" then means the bot is fully up.
    await commands;
    log.info(`bot @${bot.botInfo.username} is polling`);
  }
}
const telegram = connectTelegram().catch((e) => log.error({ err: e }, "the bot could not start"));

// Started after the bot's hello to the Bot API has begun, not before it: the
// hello's network round trips overlap the jobs' first pass (due jobs, sweeps)
// instead of waiting behind it; the jobs do not wait for Telegram either.
const jobs = kopilka.jobs(messenger);
await jobs.start();
log.info({ worker: jobs.workerId }, "jobs running");
// Broadcasts go out from every process that runs this: they share a broadcast row by row.
const broadcasts = kopilka.broadcasts(broadcaster, {
  concurrency: Math.min(64, Math.ceil(config.globalRps / 10) + 2),
  leaseMs: config.broadcastLeaseSeconds * 1000,
});
broadcasts.start();

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  stopWaiting();
  await telegram;
  if (runner?.isRunning()) await runner.stop();
  await drained();
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
