import { run } from "@grammyjs/runner";
import { Bot } from "grammy";
import pino from "pino";
import type { Database } from "../app/db/database.js";
import { createServices } from "../app/services/index.js";
import { createBot } from "../bot/bot.js";
import { defaultProgram } from "../domain/index.js";
import { FakeTelegram, type SimUser } from "../test/support/telegram-server.js";
import { onBothDatabases, ratio } from "./lib.js";

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

/** Sends `text` from every user, `rounds` times, each round waiting for every reply; returns ops and seconds. */
async function drive(users: SimUser[], text: string, rounds = ROUNDS) {
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const u of users) u.send(text);
    await Promise.all(users.map((u) => u.replies(1, 60_000)));
  }
  return { ops: users.length * rounds, seconds: (performance.now() - t0) / 1000 };
}
type Driven = Awaited<ReturnType<typeof drive>>;
const perSecond = (ms: Driven[]) => ms.reduce((s, m) => s + m.ops, 0) / ms.reduce((s, m) => s + m.seconds, 0);

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
    // Measures handling capacity: Telegram's send limits (all chats, and one chat's spacing) and
    // per-user flood control are lifted. Each user here sends a /card every ~50 ms, faster than
    // anyone taps: the 50 ms spacing of one chat's messages held some replies of every round.
    {
      token: tg.token,
      apiRoot,
      globalRps: 1_000_000,
      flood: { limit: 1_000_000, windowMs: 1000 },
      chatSpacingMs: 0,
    },
    { services, log: pino({ level: process.env.LOG_LEVEL ?? "silent" }) },
  );
  await bot.init();
  const runner = run(bot, { runner: { fetch: { timeout: 1 } } });
  await drive(users.slice(0, 10), "/card"); // warm-up: code paths, connections, the first pictures
  const first = await drive(users.slice(10), "/card", 1); // each of these members' first card: draw + upload
  // The repeat card warmed up as long as a measured turn, as the echo is: its first turn ran at
  // 0.70–0.85 of its later ones (plans, JIT), which a bot that runs for days does not see.
  await drive(users, "/card");
  return {
    first,
    repeat: () => drive(users, "/card"), // every card after: file_id
    async stop() {
      await runner.stop();
      await drained();
      await tg.stop();
    },
  };
}

async function echoBot() {
  const tg = new FakeTelegram();
  const apiRoot = await tg.start();
  const users = Array.from({ length: USERS }, () => tg.user());
  const bot = new Bot(tg.token, { client: { apiRoot } });
  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
  await bot.init();
  const runner = run(bot, { runner: { fetch: { timeout: 1 } } });
  await drive(users, "echo"); // warm-up, as long as a measured turn: the reference runs as warm as the card
  return {
    echo: () => drive(users, "echo"),
    async stop() {
      await runner.stop();
      await tg.stop();
    },
  };
}

/**
 * The echo reference and the card take turns (TURNS each, a second or less
 * per turn), and each side's figure is its total over its turns: on a shared
 * machine the load changes within seconds, and one echo measured before one
 * card run swung the ratio between 0.37 and 0.56 for the same code.
 */
const TURNS = 4;

async function measure(db: Database) {
  const echo = await echoBot();
  const card = await cardBot(db);
  const echoes: Driven[] = [];
  const cards: Driven[] = [];
  try {
    for (let t = 0; t < TURNS; t++) {
      echoes.push(await echo.echo());
      cards.push(await card.repeat());
    }
  } finally {
    await card.stop();
    await echo.stop();
  }
  return {
    echo: perSecond(echoes),
    repeat: perSecond(cards),
    first: perSecond([card.first]),
    turns: cards
      .map((c, i) => `${perSecond([c]).toFixed(0)}/${perSecond(echoes.slice(i, i + 1)).toFixed(0)}`)
      .join(" "),
  };
}

export async function benchCard(postgresUrl: string | undefined) {
  console.log(
    `\n== bot: /card updates handled per second (${USERS} users × ${ROUNDS} rounds × ${TURNS} turns, over HTTP) ==`,
  );
  const report = (db: string, m: Awaited<ReturnType<typeof measure>>) => {
    console.log(`  ${`reference: echo bot, in turns with ${db}`.padEnd(44)} ${m.echo.toFixed(0).padStart(8)}/s`);
    console.log(`  ${`/card, ${db} (file_id)`.padEnd(44)} ${m.repeat.toFixed(0).padStart(8)}/s`);
    console.log(`  ${`/card, ${db}, first card (draw + upload)`.padEnd(44)} ${m.first.toFixed(0).padStart(8)}/s`);
    ratio(`/card / echo on ${db}`, m.repeat / m.echo, `≥ 0.50; card/echo per turn ${m.turns}`);
    ratio(`first card / echo on ${db}`, m.first / m.echo, "once per member code; as high as it goes");
  };
  await onBothDatabases(postgresUrl, "kopilka_bench_card", async (label, db) => report(label, await measure(db)));
}
