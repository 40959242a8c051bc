import { run } from "@grammyjs/runner";
import { Bot } from "grammy";
import pino from "pino";
import { type Database, openDatabase } from "../app/db/database.js";
import { createServices } from "../app/services/index.js";
import { createBot } from "../bot/bot.js";
import { defaultProgram } from "../domain/index.js";
import { FakeTelegram, type SimUser } from "../test/support/telegram-server.js";
import { benchDatabase, ratio } from "./lib.js";

/**
 * End-to-end /card: updates in through getUpdates, the bot (member lookup,
 * card read from the database, Fluent text), the reply out through the Bot
 * API — all over HTTP to the fake Telegram. Reference: a bare grammY echo bot
 * on the same fake in the same run.
 */
const USERS = 100;
const ROUNDS = 10;

async function drive(users: SimUser[], text: string) {
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (const u of users) u.send(text);
    await Promise.all(users.map((u) => u.replies(1, 60_000)));
  }
  return (users.length * ROUNDS) / ((performance.now() - t0) / 1000);
}

async function cardBot(db: Database) {
  const tg = new FakeTelegram();
  const apiRoot = await tg.start();
  const services = createServices({
    db,
    program: defaultProgram,
    now: () => new Date(),
    log: pino({ level: "silent" }),
  });
  const users: SimUser[] = [];
  for (let i = 0; i < USERS; i++) {
    const u = tg.user({ language_code: "ru" });
    await services.members.enroll({ telegramId: u.id, chatId: u.id, phone: u.phone, firstName: "Bench" });
    users.push(u);
  }
  const { bot, drained } = createBot(
    // Measures handling capacity: Telegram's send limit and per-user flood control are lifted.
    { token: tg.token, apiRoot, globalRps: 1_000_000, flood: { limit: 1_000_000, windowMs: 1000 } },
    { services, log: pino({ level: process.env.LOG_LEVEL ?? "silent" }) },
  );
  await bot.init();
  const runner = run(bot, { runner: { fetch: { timeout: 1 } } });
  await drive(users.slice(0, 10), "/card"); // warm-up
  const perSecond = await drive(users, "/card");
  await runner.stop();
  await drained();
  await tg.stop();
  return perSecond;
}

async function echoBot() {
  const tg = new FakeTelegram();
  const apiRoot = await tg.start();
  const users = Array.from({ length: USERS }, () => tg.user());
  const bot = new Bot(tg.token, { client: { apiRoot } });
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  await bot.init();
  const runner = run(bot, { runner: { fetch: { timeout: 1 } } });
  await drive(users.slice(0, 10), "echo");
  const perSecond = await drive(users, "echo");
  await runner.stop();
  await tg.stop();
  return perSecond;
}

export async function benchCard(postgresUrl: string | undefined) {
  console.log(`\n== bot: /card updates handled per second (${USERS} users × ${ROUNDS} rounds, over HTTP) ==`);
  const echo = await echoBot();
  console.log(`  ${"reference: bare grammY echo bot".padEnd(44)} ${echo.toFixed(0).padStart(8)}/s`);
  const lite = await openDatabase({ dataDir: "memory://" });
  try {
    const card = await cardBot(lite);
    console.log(`  ${"/card, PGlite".padEnd(44)} ${card.toFixed(0).padStart(8)}/s`);
    ratio("echo / card on PGlite", echo / card, "as low as it goes");
  } finally {
    await lite.close();
  }
  if (!postgresUrl) return;
  const fresh = await benchDatabase(postgresUrl, "kopilka_bench_card");
  const db = await openDatabase({ databaseUrl: fresh.url, dataDir: "" });
  try {
    const card = await cardBot(db);
    console.log(`  ${"/card, PostgreSQL".padEnd(44)} ${card.toFixed(0).padStart(8)}/s`);
    ratio("echo / card on PostgreSQL", echo / card, "as low as it goes");
  } finally {
    await db.close();
    await fresh.drop();
  }
}
