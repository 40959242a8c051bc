import type { ServerType } from "@hono/node-server";
import { webhookCallback } from "grammy";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpApp, listen } from "../../api/server.js";
import type { Database } from "../../app/db/database.js";
import { createBot } from "../../bot/bot.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, kopilkaFor } from "../support/fixtures.js";
import { FakeTelegram, type SimUser } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";

/**
 * Telegram delivers an update again when it did not learn that the bot got
 * it (a lost webhook answer, a restart before the polling offset was
 * confirmed). A cashier's `/purchase <code> 1500` without a receipt number,
 * delivered twice with the same update_id, must post one purchase.
 */
describe.each(testDatabases)("a redelivered update on $name", ({ open }) => {
  let db: Database;
  afterEach(async () => {
    await db?.close();
  });

  /** A cashier of a new store and an enrolled shopper's code. */
  async function cashierAndShopper(tg: FakeTelegram, services: ReturnType<typeof kopilkaFor>["services"]) {
    const store = await createStore(db);
    const cashier = tg.user({ first_name: "Касса", language_code: "ru" });
    const { token } = await services.staff.createInvite(store.id, 1);
    await services.staff.acceptInvite(token, { telegramId: cashier.id, chatId: cashier.id, name: "Касса" });
    const shopper = tg.user({ first_name: "Мария", language_code: "ru" });
    const m = await services.members.enroll({ telegramId: shopper.id, chatId: shopper.id, phone: shopper.phone });
    return { cashier, code: m.memberCode, memberId: m.id };
  }

  /** Purchase, the same update again, then a lookup whose answer shows the redelivery was dealt with. */
  async function purchaseTwice(cashier: SimUser, tg: FakeTelegram, code: string) {
    const update = cashier.send(`/purchase ${code} 1500`);
    expect((await cashier.reply(10_000)).text).toMatch(/1.500.₽/);
    tg.redeliver(update);
    cashier.send(`/member ${code}`);
    return (await cashier.reply(10_000)).text ?? "";
  }

  it("When a polling bot gets the same update twice, then one purchase is posted and the cashier is answered once", async () => {
    db = await open();
    const h = await startBot(db, { flood: { limit: 100, windowMs: 1000 } });
    try {
      const { cashier, code, memberId } = await cashierAndShopper(h.tg, h.services);
      const lookup = await purchaseTwice(cashier, h.tg, code);
      expect(lookup).toMatch(/Баланс: 145 баллов/);
      expect(cashier.inbox).toHaveLength(2);
      expect(await db.prisma.purchase.count({ where: { memberId } })).toBe(1);
    } finally {
      await h.stop();
    }
  });

  it("When a webhook delivers the same update twice, then one purchase is posted and the cashier is answered once", async () => {
    db = await open();
    const tg = new FakeTelegram();
    await tg.start();
    const kopilka = kopilkaFor(db);
    const { bot } = createBot(
      { token: tg.token, apiRoot: tg.apiRoot, globalRps: 10_000, flood: { limit: 100, windowMs: 1000 } },
      { services: kopilka.services, log: pino({ level: "silent" }) },
    );
    await bot.init();
    const app = createHttpApp({
      services: kopilka.services,
      webhook: { path: "/telegram", handler: webhookCallback(bot, "hono", { secretToken: "s3cret" }) },
    });
    const { server, port } = await listen(app, 0, "127.0.0.1");
    try {
      await bot.api.setWebhook(`http://127.0.0.1:${port}/telegram`, { secret_token: "s3cret" });
      const { cashier, code, memberId } = await cashierAndShopper(tg, kopilka.services);
      const lookup = await purchaseTwice(cashier, tg, code);
      expect(lookup).toMatch(/Баланс: 145 баллов/);
      await waitFor(() => tg.webhookDeliveries.length === 3);
      expect(tg.webhookDeliveries.map((d) => d.status)).toEqual([200, 200, 200]);
      expect(cashier.inbox).toHaveLength(2);
      expect(await db.prisma.purchase.count({ where: { memberId } })).toBe(1);
    } finally {
      await new Promise((r) => (server as ServerType).close(r));
      await tg.stop();
    }
  });
});
