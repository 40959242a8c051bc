/**
 * npm start — Kopilka's composition root: configuration, database (embedded
 * PGlite, or PostgreSQL when DATABASE_URL is set), services, the Telegram bot
 * (long polling, or a webhook when WEBHOOK_URL is set) and the HTTP server.
 */
import { run } from "@grammyjs/runner";
import { webhookCallback } from "grammy";
import pino from "pino";
import { createHttpApp, listen } from "./api/server.js";
import { loadProgram } from "./app/config.js";
import { openDatabase } from "./app/db/database.js";
import { createServices, loadTiers } from "./app/services/index.js";
import { createBot, registerCommands } from "./bot/bot.js";
import { createConfig } from "./bot/config.js";

const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;

const config = createConfig(process.env);
const log = pino({ level: config.logLevel });
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
log.info({ database: db.kind === "postgres" ? "postgresql" : `pglite ${config.dataDir}` }, "database ready");
const program = await loadTiers(db, loadProgram(config.programFile));
const services = createServices(
  { db, program, now: () => new Date(), log },
  {
    adminIds: config.adminIds,
    marketerIds: config.marketerIds,
  },
);
const { bot, drained, notifier } = createBot(
  { token: config.botToken, apiRoot: config.apiRoot, globalRps: Number(process.env.TELEGRAM_GLOBAL_RPS ?? 30) },
  { services, log, publicUrl: config.publicUrl },
);
await bot.init();
await registerCommands(bot);

const webhookPath = config.webhookUrl ? new URL(config.webhookUrl).pathname : undefined;
const app = createHttpApp({
  services,
  notifier,
  ...(webhookPath
    ? { webhook: { path: webhookPath, handler: webhookCallback(bot, "hono", { secretToken: config.webhookSecret }) } }
    : {}),
});
const { server, port } = await listen(app, config.port, config.host);
log.info({ port }, "http server listening");

let runner: ReturnType<typeof run> | undefined;
if (config.webhookUrl) {
  await bot.api.setWebhook(config.webhookUrl, {
    secret_token: config.webhookSecret,
    allowed_updates: [...ALLOWED_UPDATES],
  });
  log.info({ url: config.webhookUrl }, `bot @${bot.botInfo.username} receives updates by webhook`);
} else {
  await bot.api.deleteWebhook();
  runner = run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
  log.info(`bot @${bot.botInfo.username} is polling`);
}

/** Spend requests nobody answered in time: post nothing, tell both sides. */
async function expireSpendRequests() {
  for (const r of await services.redemptions.expirePending())
    await notifier.redemptionDecided(await services.redemptions.get(r.id));
}

// Housekeeping: expire points that fell due, and spend requests nobody answered.
const timers = [
  setInterval(() => void services.expiry.sweep().catch((e) => log.error(e, "expiry sweep failed")), 3_600_000),
  setInterval(() => void expireSpendRequests().catch((e) => log.error(e, "expiring spend requests failed")), 5_000),
];
void services.expiry.sweep().catch((e) => log.error(e, "expiry sweep failed"));

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  for (const t of timers) clearInterval(t);
  if (runner?.isRunning()) await runner.stop();
  await drained();
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
