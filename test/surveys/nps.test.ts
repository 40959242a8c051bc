import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock, uniquePhone } from "../support/fixtures.js";
import type { SimUser } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";

/**
 * The NPS survey through the fake Bot API, on a clock the test moves: asked
 * two hours after a purchase, at most once per 90 days, a 0–10 answer
 * recorded once into the answers the NPS metric counts, a detractor's
 * follow-up, a late answer refused politely.
 */
describe.each(testDatabases)("the NPS survey on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let storeId: number;
  const clock = testClock(new Date("2026-03-02T08:00:00Z")); // 11:00 in Moscow
  let receipt = 0;

  beforeAll(async () => {
    db = await open();
    storeId = (await createStore(db, { name: "Копилка на Тверской" })).id;
    h = await startBot(db, { clock });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  async function shopper() {
    const u = h.tg.user({ first_name: "Вера", language_code: "ru" });
    const m = await h.services.members.enroll({
      telegramId: u.id,
      chatId: u.id,
      phone: uniquePhone(),
      firstName: "Вера",
    });
    return { u, m };
  }
  async function buy(memberId: number) {
    await h.services.purchases.recordPurchase({
      storeId,
      member: { id: memberId },
      receiptId: `NPS-${++receipt}`,
      amountKopecks: 150_000,
    });
    await h.idle();
  }
  const later = async (ms: number) => {
    clock.set(new Date(clock.now().getTime() + ms));
    await h.idle();
  };
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const asks = (u: SimUser) =>
    u.inbox.filter((m) => /Насколько вероятно, что вы порекомендуете нас другу/.test(m.text ?? ""));
  const answers = (memberId: number) =>
    db.query<{ score: number; comment: string | null; storeId: number }>(
      `SELECT score, comment, "storeId" FROM "NpsAnswer" WHERE "memberId" = $1 ORDER BY id`,
      [memberId],
    );

  it("When a shopper bought two hours ago, then they are asked 0–10 and their 9 is recorded once", async () => {
    const { u, m } = await shopper();
    await buy(m.id);
    expect(asks(u)).toHaveLength(0); // not at the till
    await later(2 * HOUR);
    expect(asks(u)).toHaveLength(1);
    const q = asks(u)[0];
    expect(q?.text).toContain("«Копилка на Тверской»");
    const rows = (q?.reply_markup?.inline_keyboard as { text: string }[][]).map((r) => r.map((b) => b.text));
    expect(rows).toEqual([
      ["0", "1", "2", "3", "4", "5"],
      ["6", "7", "8", "9", "10"],
    ]);
    const data = (q?.reply_markup?.inline_keyboard as { callback_data: string }[][])[0]?.[0]?.callback_data;
    const surveyId = Number(/^nps:(\d+):/.exec(String(data))?.[1]);
    await u.click("9");
    await waitFor(
      async () => u.inbox.find((x) => x.message_id === q?.message_id)?.text === "Спасибо! Ваша оценка: 9 из 10.",
      5000,
    );
    expect(u.inbox.find((x) => x.message_id === q?.message_id)?.text).toBe("Спасибо! Ваша оценка: 9 из 10.");
    expect(await answers(m.id)).toEqual([{ score: 9, comment: null, storeId }]);
    // The same survey answered again (a forged or replayed press) changes nothing.
    expect(await h.services.surveys.nps.answer(u.id, surveyId, 2)).toEqual({ status: "answered-before" });
    expect(await answers(m.id)).toHaveLength(1);
    // Feedback, not marketing: it never uses up the cap a points-expiry reminder needs.
    const [n] = await db.query<{ class: string }>(
      `SELECT class FROM "Notification" WHERE "memberId" = $1 AND kind = 'nps-ask'`,
      [m.id],
    );
    expect(n?.class).toBe("feedback");
  });

  it("When the shopper buys again within 90 days, then no second survey; after 90 days, one more", async () => {
    const { u, m } = await shopper();
    await buy(m.id);
    await later(2 * HOUR);
    expect(asks(u)).toHaveLength(1);
    await later(10 * DAY);
    await buy(m.id);
    await later(2 * HOUR);
    expect(asks(u)).toHaveLength(1);
    await later(85 * DAY);
    await buy(m.id);
    await later(2 * HOUR);
    expect(asks(u)).toHaveLength(2);
  });

  it("When a detractor answers 3, then they are asked why, and their reply becomes the answer's comment", async () => {
    clock.set(new Date("2026-07-10T08:00:00Z")); // a morning, so quiet hours do not hold the question
    const { u, m } = await shopper();
    await buy(m.id);
    await later(2 * HOUR);
    u.listen();
    await u.click("3");
    const why = await u.reply();
    expect(why?.text).toBe(
      "Жаль, что не всё понравилось. Что нам сделать лучше? Ответьте на это сообщение парой слов.",
    );
    expect(why?.reply_markup).toMatchObject({ force_reply: true });
    u.replyTo(why as never, "Долго ждала на кассе");
    expect((await u.reply()).text).toBe("Спасибо, мы передали ваш ответ команде магазина.");
    expect(await answers(m.id)).toEqual([{ score: 3, comment: "Долго ждала на кассе", storeId }]);
  });

  it("When the answer comes after seven days, then it is refused politely and nothing is recorded", async () => {
    clock.set(new Date("2026-07-20T08:00:00Z"));
    const { u, m } = await shopper();
    await buy(m.id);
    await later(2 * HOUR);
    await later(8 * DAY);
    const before = h.tg.callbackAnswers.length;
    await u.click("10");
    await waitFor(async () => h.tg.callbackAnswers.length > before, 5000);
    expect(h.tg.callbackAnswers.at(-1)).toMatchObject({ text: "Этот опрос уже закрыт — спасибо, что откликнулись!" });
    expect(await answers(m.id)).toEqual([]);
  });

  it("When answers are in, then the NPS metric counts them per store as the article computes it", async () => {
    const n = await h.services.metrics.nps({
      from: new Date("2026-01-01T00:00:00Z"),
      to: new Date("2027-01-01T00:00:00Z"),
    });
    const rows = await db.query<{ score: number }>(`SELECT score FROM "NpsAnswer"`);
    const promoters = rows.filter((r) => r.score >= 9).length;
    const detractors = rows.filter((r) => r.score <= 6).length;
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(n.overall.nps).toBe(Math.round(((promoters - detractors) * 1000) / rows.length) / 10);
  });
});
