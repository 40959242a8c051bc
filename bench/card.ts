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
 * card read from the database in one round trip, Fluent caption), the card
 * picture out through the Bot API — all over HTTP to the fake Telegram.
 * Measured twice: a member's first card (the picture drawn and uploaded) and
 * every card after it (Telegram's file_id, no upload) — the everyday case.
 * Reference: a bare grammY echo bot on the same fake in the same run.
 */
const USERS = 100;
const ROUNDS = 10;

async function drive(users: SimUser[], text: string, rounds = ROUNDS) {
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const u of users) u.send(text);
    await Promise.all(users.map((u) => u.replies(1, 60_000)));
  }
  return (users.length * rounds) / ((performance.now() - t0) / 1000);
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
  await drive(users.slice(0, 10), "/card"); // warm-up: code paths, connections, the first pictures
  const first = await drive(users.slice(10), "/card", 1); // each of these members' first card: draw + upload
  const repeat = await drive(users, "/card"); // every card after: file_id
  await runner.stop();
  await drained();
  await tg.stop();
  return { first, repeat };
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
  // The reference is measured again right before each database's run: on a shared machine the
  // load changes within a minute, and a ratio to an echo measured earlier swung from 0.44 to 0.98
  // for the same code.
  const report = (db: string, echo: number, card: { first: number; repeat: number }) => {
    console.log(`  ${`reference: echo bot, just before ${db}`.padEnd(44)} ${echo.toFixed(0).padStart(8)}/s`);
    console.log(`  ${`/card, ${db} (file_id)`.padEnd(44)} ${card.repeat.toFixed(0).padStart(8)}/s`);
    console.log(`  ${`/card, ${db}, first card (draw + upload)`.padEnd(44)} ${card.first.toFixed(0).padStart(8)}/s`);
    ratio(`/card / echo on ${db}`, card.repeat / echo, "≥ 0.50");
    ratio(`first card / echo on ${db}`, card.first / echo, "once per member code; as high as it goes");
  };
  const lite = await openDatabase({ dataDir: "memory://" });
  try {
    const echo = await echoBot();
    report("PGlite", echo, await cardBot(lite));
  } finally {
    await lite.close();
  }
  if (!postgresUrl) return;
  const fresh = await benchDatabase(postgresUrl, "kopilka_bench_card");
  const db = await openDatabase({ databaseUrl: fresh.url, dataDir: "" });
  try {
    const echo = await echoBot();
    report("PostgreSQL", echo, await cardBot(db));
  } finally {
    await db.close();
    await fresh.drop();
  }
}
