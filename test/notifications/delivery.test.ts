import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { enqueue } from "../../app/jobs/queue.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock } from "../support/fixtures.js";
import type { SimUser } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";

/**
 * Notices that happen later, through the jobs and the fake Bot API, on a
 * clock the test moves: quiet hours, caps, classes, unreachable members.
 */
describe.each(testDatabases)("notices to shoppers on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  const clock = testClock(new Date("2026-03-02T07:00:00Z")); // 10:00 in Moscow
  let storeId: number;

  beforeAll(async () => {
    db = await open();
    storeId = (await createStore(db, { name: "Копилка на Тверской" })).id;
    h = await startBot(db, { clock });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  async function shopper(language_code = "ru") {
    const u = h.tg.user({ first_name: "Вера", language_code });
    const m = await h.services.members.enroll({
      telegramId: u.id,
      chatId: u.id,
      phone: u.phone,
      firstName: "Вера",
      language: language_code === "ru" ? "ru" : "en",
    });
    return { u, m };
  }
  /** A marketing notice (the expiring-points reminder), queued as the reminder job queues it. */
  const remind = (memberId: number, key: string) =>
    db.unitOfWork((tx) =>
      enqueue(
        tx,
        clock.now(),
        [
          {
            name: "notify.expiring",
            key,
            runAt: clock.now(),
            payload: { memberId, points: 120, expiresAt: "2026-03-20T09:00:00.000Z" },
          },
        ],
        () => {},
      ),
    );
  const notices = (u: SimUser) => u.inbox.filter((m) => /сгорят|expire on/.test(m.text ?? ""));

  it("When a marketing notice falls due at 23:00 local time, then it arrives at 09:00, not before", async () => {
    const { u, m } = await shopper();
    clock.set(new Date("2026-03-02T20:00:00Z")); // 23:00 in Moscow
    await remind(m.id, `quiet-${m.id}`);
    await h.idle();
    expect(notices(u)).toHaveLength(0);
    clock.set(new Date("2026-03-03T05:59:00Z")); // 08:59
    await h.idle();
    expect(notices(u)).toHaveLength(0);
    clock.set(new Date("2026-03-03T06:00:00Z")); // 09:00
    await h.idle();
    expect(notices(u).map((x) => x.text)).toHaveLength(1);
    expect(notices(u)[0]?.text).toMatch(
      /^⏳ 120 баллов сгорят 20 марта\. Потратьте их на кассе: баллами можно оплатить до 30\s%\sчека\.$/,
    );
  });

  it("When four marketing notices fall due in one week, then the fourth is not sent", async () => {
    const { u, m } = await shopper();
    const day0 = new Date("2026-03-10T08:00:00Z"); // 11:00 in Moscow
    for (let d = 0; d < 4; d++) {
      clock.set(new Date(day0.getTime() + d * 86_400_000));
      await remind(m.id, `cap-${m.id}-${d}`);
      await h.idle();
    }
    expect(notices(u)).toHaveLength(3);
    const [capped] = await db.query<{ status: string }>(
      `SELECT n.status FROM "Notification" n JOIN "Job" j ON j.id = n."jobId" WHERE j.key = $1`,
      [`cap-${m.id}-3`],
    );
    expect(capped?.status).toBe("capped");
  });

  it("When a purchase is posted at 23:00, then its transactional notice goes out at once, quiet hours or not", async () => {
    const { u, m } = await shopper();
    clock.set(new Date("2026-03-20T20:00:00Z"));
    u.listen();
    await h.services.purchases.recordPurchase({
      storeId,
      member: { id: m.id },
      receiptId: `night-${m.id}`,
      amountKopecks: 100_000,
    });
    expect((await u.reply()).text).toBe("+30 баллов за покупку в «Копилка на Тверской». Баланс: 130 баллов.");
  });

  it("When a purchase lifts a shopper to Silver, then they hear it, in their language", async () => {
    const { u, m } = await shopper("de");
    clock.set(new Date("2026-03-21T09:00:00Z"));
    await h.services.purchases.recordPurchase({
      storeId,
      member: { id: m.id },
      receiptId: `silver-${m.id}`,
      amountKopecks: 600_000,
    });
    await waitFor(() => u.inbox.length >= 2);
    expect(u.inbox.map((x) => x.text)).toEqual([
      "+180 points for a purchase at “Копилка на Тверской”. Balance: 280 points.",
      "🎉 You are Silver now: 5% back in points from your next purchase.",
    ]);
    // The next purchase earns at the new rate (5 %).
    await h.services.purchases.recordPurchase({
      storeId,
      member: { id: m.id },
      receiptId: `s2-${m.id}`,
      amountKopecks: 10_000,
    });
    await waitFor(() => u.inbox.length >= 3);
    expect(u.inbox[2]?.text).toBe("+5 points for a purchase at “Копилка на Тверской”. Balance: 285 points.");
  });

  it("When a shopper blocked the bot, then the notice marks them unreachable and nothing more is sent", async () => {
    const { u, m } = await shopper();
    u.block();
    await remind(m.id, `blocked-${m.id}-1`);
    clock.set(new Date("2026-03-25T08:00:00Z"));
    await h.idle();
    expect((await h.services.members.get({ id: m.id })).status).toBe("unreachable");
    const before = h.tg.calls.length;
    await h.services.purchases.recordPurchase({
      storeId,
      member: { id: m.id },
      receiptId: `b-${m.id}`,
      amountKopecks: 50_000,
    });
    await h.idle();
    expect(h.tg.calls.slice(before).filter((c) => c.method === "sendMessage")).toHaveLength(0);
  });

  it("When points will expire within 14 days, then the daily reminder names the amount and the date, once per batch", async () => {
    const { u, m } = await shopper();
    clock.set(new Date("2026-04-01T08:00:00Z"));
    await h.services.purchases.recordPurchase({
      storeId,
      member: { id: m.id },
      receiptId: `exp-${m.id}`,
      amountKopecks: 200_000,
    });
    await h.idle();
    const seen = u.inbox.length;
    // Eleven months and three weeks later, 10:00 in Moscow: the reminder job's time.
    clock.set(new Date("2027-03-22T07:00:00Z"));
    await h.services.expiry.queueReminders();
    await h.idle();
    const fresh = () => u.inbox.slice(seen).map((x) => x.text ?? "");
    expect(fresh()).toHaveLength(1);
    // The soonest batch: the welcome bonus, earned on 25 March (the purchase's 60 points are the next batch).
    expect(fresh()[0]).toMatch(/^⏳ 100 баллов сгорят 25 марта\./);
    clock.set(new Date("2027-03-23T07:00:00Z"));
    await h.services.expiry.queueReminders();
    await h.idle();
    expect(fresh()).toHaveLength(1);
  });

  it("When a friend joins with an invitation, then the one who invited hears it", async () => {
    const { u, m } = await shopper();
    u.listen();
    await h.services.members.enroll({ phone: "+79990001122", firstName: "Олег", referralCode: m.referralCode });
    expect((await u.reply()).text).toBe("🎉 Олег присоединяется к программе по вашему приглашению.");
  });
});
