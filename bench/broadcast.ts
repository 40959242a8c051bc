import type { UserFromGetMe } from "grammy/types";
import pino from "pino";
import { openDatabase } from "../app/db/database.js";
import { createKopilka } from "../app/kopilka.js";
import { createBot } from "../bot/bot.js";
import { parseProgram } from "../domain/index.js";
import { insertMembers } from "../test/support/members.js";
import { FakeTelegram } from "../test/support/telegram-server.js";
import { benchDatabase, ratio } from "./lib.js";

/**
 * npm run bench -- broadcast: one broadcast to 100,000 members through the
 * fake Bot API over HTTP, which enforces Telegram's limits (429 with
 * retry_after beyond them): 30 messages/s, then paid broadcasts at 1,000/s.
 *
 * Sending all 100,000 at 30/s would take about an hour, so each run sends
 * for a warm-up and then measures a steady-state window: the rate is the
 * messages Telegram accepted in the window over its length, beside the
 * limit itself (the reference); memory is the process's RSS sampled every
 * 250 ms (peak, and its growth over the window: flat means the sender holds
 * no per-member state). The outbox build (segment → 100,000 assigned rows in
 * one INSERT … SELECT) is timed beside a plain copy of the member ids.
 */
const MEMBERS = 100_000;

export async function benchBroadcast(postgresUrl: string | undefined, o: { windowSeconds?: number } = {}) {
  console.log("\n== broadcast: 100,000 members through the fake Bot API at Telegram's limits ==");
  if (!postgresUrl) {
    console.log("PostgreSQL: skipped (no server: install postgresql or set TEST_DATABASE_URL)");
    return;
  }
  const windowS = o.windowSeconds ?? Number(process.env.BENCH_BROADCAST_WINDOW ?? 20);
  const fresh = await benchDatabase(postgresUrl, "kopilka_bench_broadcast");
  const db = await openDatabase({ databaseUrl: fresh.url, dataDir: "" });
  const log = pino({ level: "silent" });
  // Quiet hours off and caps out of the way: the bench runs at any hour and sends twice to the same members.
  const program = parseProgram({
    messaging: { quietHours: { start: "00:00", end: "00:00" }, caps: { perDay: 100, perWeek: 700 } },
  });
  const tg = new FakeTelegram();
  tg.lean = true;
  const apiRoot = await tg.start();
  try {
    const ids = await insertMembers(db, MEMBERS);
    tg.addChats(ids);
    await db.query("ANALYZE");
    const kopilka = createKopilka({ db, program, now: () => new Date(), log });
    const { services } = kopilka;

    let t = performance.now();
    await db.query(`CREATE TABLE bench_copy AS SELECT id FROM "Member"`);
    const copyS = (performance.now() - t) / 1000;
    await db.query(`DROP TABLE bench_copy`);

    const free = await services.broadcasts.create({
      name: "bench 30/s",
      variants: [{ message: { text: "Весенняя распродажа: −20 % на всё" } }, { message: { text: "Spring sale" } }],
    });
    t = performance.now();
    await services.broadcasts.start(free);
    const buildS = (performance.now() - t) / 1000;
    const [{ n } = { n: 0 }] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "BroadcastDelivery" WHERE "broadcastId" = $1`,
      [free],
    );
    console.log(
      `  outbox built for ${n} members in ${buildS.toFixed(2)} s (plain copy of the ids: ${copyS.toFixed(2)} s)`,
    );
    ratio("outbox build time (s)", buildS, "≤ 10 s");

    const run = async (label: string, limit: number, paid: boolean, broadcastId: number) => {
      tg.limitRate(30, 1000);
      const { broadcaster } = createBot(
        { token: tg.token, apiRoot, globalRps: 30, paidRps: 1000, botInfo: BOT_INFO },
        { services, log },
      );
      const sender = kopilka.broadcasts(broadcaster, {
        batchSize: paid ? 1000 : 100,
        concurrency: paid ? 64 : 4,
        pollMs: 100,
      });
      const rss: number[] = [];
      const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 250);
      sender.start();
      const warm = Math.min(5, windowS / 4);
      await sleep(warm * 1000);
      const a0 = tg.sends.accepted;
      const r0 = tg.sends.refused;
      const rssStart = process.memoryUsage().rss;
      const w0 = performance.now();
      await sleep(windowS * 1000);
      const seconds = (performance.now() - w0) / 1000;
      const accepted = tg.sends.accepted - a0;
      const refused = tg.sends.refused - r0;
      const rssEnd = process.memoryUsage().rss;
      await sender.stop();
      clearInterval(sampler);
      await services.broadcasts.cancel(broadcastId);
      const rate = accepted / seconds;
      const peak = Math.max(...rss, rssEnd);
      console.log(
        `  ${label}: ${accepted} messages in a ${seconds.toFixed(1)} s window after ${warm} s warm-up → ${rate.toFixed(1)}/s ` +
          `(limit ${limit}/s); 429s: ${refused}; RSS peak ${(peak / 2 ** 20).toFixed(0)} MiB, ` +
          `window start → end ${(rssStart / 2 ** 20).toFixed(0)} → ${(rssEnd / 2 ** 20).toFixed(0)} MiB`,
      );
      ratio(`${label}: rate / limit`, rate / limit, "≥ 0.95");
    };

    await run("free 30/s", 30, false, free);
    const paid = await services.broadcasts.create({
      name: "bench 1000/s",
      paid: true,
      variants: [{ message: { text: "Платная рассылка" } }],
    });
    await services.broadcasts.start(paid);
    await run("paid 1000/s", 1000, true, paid);
  } finally {
    await tg.stop();
    await db.close();
    await fresh.drop();
  }
}

const BOT_INFO = {
  id: 7_000_000_001,
  is_bot: true as const,
  first_name: "Kopilka",
  username: "kopilka_test_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as unknown as UserFromGetMe;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
