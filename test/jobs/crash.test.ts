import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { checkedJson } from "../support/api-contract.js";
import { testDatabases, urlOf } from "../support/databases.js";
import { createStore, servicesFor } from "../support/fixtures.js";
import { freePort, startApp, stopped } from "../support/process.js";
import { FakeTelegram } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";

/**
 * kill -9 between a purchase's commit and its notification: the notice is a
 * job committed with the purchase, so after a restart the shopper gets it
 * exactly once. On PostgreSQL, where the test can watch the job table while
 * the server runs.
 */
const postgres = testDatabases.find((d) => d.name === "postgres");

describe.skipIf(!postgres)("a crash between a purchase and its notice", () => {
  let db: Database;
  let url: string;
  let tg: FakeTelegram;
  beforeAll(async () => {
    db = await (postgres as NonNullable<typeof postgres>).open();
    url = await urlOf(db);
    tg = new FakeTelegram();
    await tg.start();
  });
  afterAll(async () => {
    await tg?.stop();
    await db?.close();
  });

  it("When the process is killed after the commit and before the notice went out, then after restart the shopper gets it exactly once", async () => {
    const services = servicesFor(db);
    const store = await createStore(db, { name: "Копилка на Тверской" });
    const { key } = await services.apiKeys.create(store.id);
    const shopper = tg.user({ first_name: "Лиза", language_code: "ru" });
    const m = await services.members.enroll({ telegramId: shopper.id, chatId: shopper.id, phone: shopper.phone });
    const port = await freePort();
    const env = {
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: "127.0.0.1",
    };
    const notice = () =>
      db.query<{ status: string; attempts: number }>(
        `SELECT status::text AS status, attempts FROM "Job" WHERE name = 'notify.purchase'`,
      );

    const first = startApp(env);
    try {
      await first.ready;
      // Telegram fails the first send: the notice stays queued, committed with the purchase.
      tg.failNext("sendMessage", 500, "Internal Server Error");
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/purchases`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ memberCode: m.memberCode, receiptId: "K-1", amount: 250_000 }),
      });
      expect(res.status).toBe(201);
      await checkedJson("POST", "/purchases", res);
      await waitFor(
        async () => (await notice())[0]?.attempts === 1 && (await notice())[0]?.status === "queued",
        15_000,
      );
    } finally {
      await stopped(first.child, "SIGKILL");
    }
    expect(shopper.inbox).toHaveLength(0);

    const second = startApp(env);
    try {
      await second.ready;
      await waitFor(() => shopper.inbox.length > 0, 15_000);
      await waitFor(async () => (await notice())[0]?.status === "done", 15_000);
      expect(shopper.inbox.map((x) => x.text)).toEqual([
        "+75 баллов за покупку в «Копилка на Тверской». Баланс: 175 баллов.",
      ]);
    } finally {
      await stopped(second.child);
    }
  }, 90_000);
});
