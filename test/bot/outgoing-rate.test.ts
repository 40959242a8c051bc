import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../app/db/database.js";
import { createBot } from "../../bot/bot.js";
import { kopilkaFor } from "../support/fixtures.js";
import { FakeTelegram } from "../support/telegram-server.js";

/**
 * Telegram allows about 30 messages a second to all chats together; more and
 * it answers 429 to everyone. The limit must hold in every one-second window,
 * not just per tick of a refill timer.
 */
describe("the global outgoing limit", () => {
  let tg: FakeTelegram;
  let db: Database;
  beforeAll(async () => {
    tg = new FakeTelegram();
    await tg.start();
    db = await openDatabase({ dataDir: "memory://" });
  });
  afterAll(async () => {
    await tg.stop();
    await db.close();
  });

  it("When 120 different users are messaged at once with a limit of 30/s, then no second carries more than 30", async () => {
    const { services } = kopilkaFor(db);
    const { bot } = createBot(
      { token: tg.token, apiRoot: tg.apiRoot, globalRps: 30 },
      { services, log: pino({ level: "silent" }) },
    );
    await bot.init();
    const users = Array.from({ length: 120 }, (_, i) => tg.user({ first_name: `U${i}` }));
    // The limiter's clock starts now; the burst comes part-way into its first second.
    await new Promise((r) => setTimeout(r, 600));
    await Promise.all(users.map((u) => bot.api.sendMessage(u.id, "Акция: −20 % на кофе")));
    expect(users.every((u) => u.inbox.length === 1)).toBe(true);
    expect(tg.maxPerSecond(["sendMessage"])).toBeLessThanOrEqual(30);
  }, 30_000);
});
