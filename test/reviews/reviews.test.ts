import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock, uniquePhone } from "../support/fixtures.js";
import type { SimUser } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";

/**
 * Reviews of a visit through the fake Bot API: asked the day after a
 * purchase, stars and a comment, pending until the store's staff approve in
 * /reviews, the same points for one star as for five, once, within the
 * weekly cap; a low rating alerts the staff; a late rating is refused.
 */
describe.each(testDatabases)("reviews of a visit on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let storeId: number;
  let cashier: SimUser;
  const clock = testClock(new Date("2026-03-02T08:00:00Z")); // 11:00 in Moscow
  let receipt = 0;
  const HOUR = 3_600_000;

  beforeAll(async () => {
    db = await open();
    storeId = (await createStore(db, { name: "Копилка на Тверской" })).id;
    h = await startBot(db, { clock, flood: { limit: 100, windowMs: 5000 } });
    cashier = h.tg.user({ first_name: "Касса", language_code: "ru" });
    const { token } = await h.services.staff.createInvite(storeId, 1);
    await h.services.staff.acceptInvite(token, { telegramId: cashier.id, chatId: cashier.id, name: "Касса" });
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
    const r = await h.services.purchases.recordPurchase({
      storeId,
      member: { id: memberId },
      receiptId: `RV-${++receipt}`,
      amountKopecks: 150_000,
    });
    await h.idle();
    return r.purchaseId;
  }
  const later = async (ms: number) => {
    clock.set(new Date(clock.now().getTime() + ms));
    await h.idle();
  };
  const balance = async (memberId: number) =>
    (await db.prisma.member.findUniqueOrThrow({ where: { id: memberId } })).balance;
  const reviewEntries = (memberId: number) =>
    db.prisma.ledgerEntry.findMany({ where: { memberId, kind: "review" }, select: { points: true } });
  const asks = (u: SimUser) => u.inbox.filter((m) => /Как прошёл ваш визит/.test(m.text ?? ""));

  it("When a shopper gives one star the day after, then the staff are alerted, and the points come once, only after approval", async () => {
    const { u, m } = await shopper();
    await buy(m.id);
    expect(asks(u)).toHaveLength(0);
    await later(23 * HOUR); // the next morning, 10:00 in Moscow
    expect(asks(u)).toHaveLength(1);
    expect(JSON.stringify(asks(u)[0]?.reply_markup)).toContain("★★★★★");
    const before = await balance(m.id);

    cashier.listen();
    await u.click("★☆☆☆☆");
    const prompt = await u.reply();
    expect(prompt.text).toMatch(/^Хотите добавить пару слов или фото\?/);
    u.replyTo(prompt, "Долго ждала на кассе");
    expect((await u.reply()).text).toBe("Спасибо! Отзыв передан магазину.");
    const alerts = await cashier.replies(2);
    // Two alerts: the rating at once, the comment when it came (in either order on the wire).
    expect(alerts.map((a) => a.text).sort()).toEqual([
      "⚠️ Низкая оценка визита в «Копилка на Тверской»: ★☆☆☆☆",
      "⚠️ Низкая оценка визита в «Копилка на Тверской»: ★☆☆☆☆\n«Долго ждала на кассе»",
    ]);
    expect(await balance(m.id)).toBe(before); // pending: nothing yet

    cashier.send("/reviews");
    const item = await cashier.reply();
    expect(item.text).toBe("Копилка на Тверской · ★☆☆☆☆ · Вера\n«Долго ждала на кассе»");
    u.listen();
    await cashier.click("✅ Одобрить");
    await waitFor(async () => h.tg.callbackAnswers.some((a) => a.text === "Одобрено: начислено 50 баллов"), 5000);
    await h.idle();
    expect(await balance(m.id)).toBe(before + 50);
    expect((await u.reply()).text).toBe("+50 баллов за ваш отзыв о «Копилка на Тверской». Спасибо!");

    // A second decision (a double tap, a second moderator) changes nothing.
    const [review] = await db.query<{ id: number }>(`SELECT id FROM "Review" WHERE "memberId" = $1`, [m.id]);
    const again = await h.services.reviews.moderate(review?.id as number, "approve", { who: "x", admin: true });
    expect(again).toEqual({ status: "not-pending" });
    expect(await reviewEntries(m.id)).toEqual([{ points: 50 }]);
  });

  it("When a shopper answers the comment prompt with /card, then the card comes and the comment typed after is the one kept", async () => {
    const { u, m } = await shopper();
    await buy(m.id);
    await later(23 * HOUR);
    await u.click("★★★★☆");
    const prompt = await u.reply();
    expect(prompt.text).toMatch(/^Хотите добавить пару слов или фото\?/);

    u.replyTo(prompt, "/card");
    const card = await u.reply();
    expect(card.caption).toMatch(/^💳 Карта Kopilka · Вера/);

    u.replyTo(prompt, "Всё понравилось");
    expect((await u.reply()).text).toBe("Спасибо! Отзыв передан магазину.");
    const rows = await db.query<{ comment: string | null }>(`SELECT comment FROM "Review" WHERE "memberId" = $1`, [
      m.id,
    ]);
    expect(rows).toEqual([{ comment: "Всё понравилось" }]);
  });

  it("When a shopper answers the prompt with a captioned photo, then the store's moderators see the largest size with the caption, and approving pays as for words", async () => {
    // A store of its own, so its /reviews lists this review alone.
    const arbat = (await createStore(db, { name: "Копилка на Арбате" })).id;
    const moderator = h.tg.user({ first_name: "Касса Арбат", language_code: "ru" });
    const { token } = await h.services.staff.createInvite(arbat, 1);
    await h.services.staff.acceptInvite(token, { telegramId: moderator.id, chatId: moderator.id, name: "Касса Арбат" });
    const { u, m } = await shopper();
    // Bought at 11:00 in Moscow, whatever the clock reads after the tests before: asked at 10:00 the next day.
    const eleven = new Date(clock.now());
    eleven.setUTCHours(8, 0, 0, 0);
    if (eleven <= clock.now()) eleven.setUTCDate(eleven.getUTCDate() + 1);
    clock.set(eleven);
    await h.services.purchases.recordPurchase({
      storeId: arbat,
      member: { id: m.id },
      receiptId: `RV-${++receipt}`,
      amountKopecks: 150_000,
    });
    await h.idle();
    await later(23 * HOUR);
    await u.click("★★★★★");
    const prompt = await u.reply();

    const sent = u.sendPhoto({ caption: "Красивая витрина", replyTo: prompt });
    expect((await u.reply()).text).toBe("Спасибо! Отзыв передан магазину.");
    expect(sent.photo.map((s) => s.width)).toEqual([90, 320, 800, 1280]);
    const before = await balance(m.id);

    moderator.send("/reviews");
    const item = await moderator.reply();
    expect(item.photo).toBeDefined();
    const shown = h.tg.callsTo(moderator.id, "sendPhoto");
    expect(shown.map((c) => c.payload.photo)).toEqual([sent.photo.at(-1)?.file_id]);
    expect(item.caption).toBe("Копилка на Арбате · ★★★★★ · Вера\n«Красивая витрина»");
    u.listen();
    await moderator.click("✅ Одобрить");
    expect((await u.reply()).text).toBe("+50 баллов за ваш отзыв о «Копилка на Арбате». Спасибо!");
    expect(await balance(m.id)).toBe(before + 50);
  });

  it("When five-star reviews are approved past the weekly cap, then the first three earn as much as one star did and the fourth nothing", async () => {
    const { u, m } = await shopper();
    const purchases = [await buy(m.id), await buy(m.id), await buy(m.id), await buy(m.id)];
    for (const p of purchases) expect((await h.services.reviews.rate(u.id, p, 5)).status).toBe("recorded");
    const ids = (
      await db.query<{ id: number }>(`SELECT id FROM "Review" WHERE "memberId" = $1 ORDER BY id`, [m.id])
    ).map((r) => r.id);
    const outcomes = [];
    for (const id of ids)
      outcomes.push(await h.services.reviews.moderate(id, "approve", { who: "t", storeId, admin: false }));
    expect(outcomes.map((o) => (o.status === "approved" ? o.points : -1))).toEqual([50, 50, 50, 0]);
    expect((await reviewEntries(m.id)).map((e) => e.points)).toEqual([50, 50, 50]);
  });

  it("When two moderators approve the same review at the same moment, then it is credited once", async () => {
    const { u, m } = await shopper();
    const p = await buy(m.id);
    const r = await h.services.reviews.rate(u.id, p, 3);
    if (r.status !== "recorded") throw new Error(r.status);
    const both = await Promise.all([
      h.services.reviews.moderate(r.reviewId, "approve", { who: "a", admin: true }),
      h.services.reviews.moderate(r.reviewId, "approve", { who: "b", storeId, admin: false }),
    ]);
    expect(both.map((x) => x.status).sort()).toEqual(["approved", "not-pending"]);
    expect(await reviewEntries(m.id)).toEqual([{ points: 50 }]);
  });

  it("When a review is rejected, then it earns nothing, and editing a pending one earns nothing extra", async () => {
    const { u, m } = await shopper();
    const p = await buy(m.id);
    expect((await h.services.reviews.rate(u.id, p, 4)).status).toBe("recorded");
    expect((await h.services.reviews.rate(u.id, p, 2)).status).toBe("updated");
    const [r] = await db.query<{ id: number; rating: number }>(
      `SELECT id, rating FROM "Review" WHERE "memberId" = $1`,
      [m.id],
    );
    expect(r?.rating).toBe(2);
    expect(await h.services.reviews.moderate(r?.id as number, "reject", { who: "t", storeId, admin: false })).toEqual({
      status: "rejected",
    });
    expect(await reviewEntries(m.id)).toEqual([]);
  });

  it("When someone rates a purchase that is not theirs, or a week late, then nothing is stored", async () => {
    const { m } = await shopper();
    const { u: other } = await shopper();
    const p = await buy(m.id);
    expect(await h.services.reviews.rate(other.id, p, 5)).toEqual({ status: "unknown" });
    const { u, m: late } = await shopper();
    const q = await buy(late.id);
    await later(8 * 24 * HOUR);
    expect(await h.services.reviews.rate(u.id, q, 5)).toEqual({ status: "late" });
    expect(await db.query(`SELECT id FROM "Review" WHERE "purchaseId" = ANY($1::int[])`, [[p, q]])).toEqual([]);
  });

  it("When staff of another store try to decide, then they are refused", async () => {
    const { u, m } = await shopper();
    const p = await buy(m.id);
    await h.services.reviews.rate(u.id, p, 5);
    const [r] = await db.query<{ id: number }>(`SELECT id FROM "Review" WHERE "purchaseId" = $1`, [p]);
    expect(
      await h.services.reviews.moderate(r?.id as number, "approve", {
        who: "t",
        storeId: storeId + 1000,
        admin: false,
      }),
    ).toEqual({
      status: "forbidden",
    });
  });

  it("When a shopper looks for the store, then its rating from the last 90 days' reviews shows with the count", async () => {
    const { u } = await shopper();
    const [r] = await db.query<{ avg: string; n: number }>(
      `SELECT round(avg(rating)::numeric, 1)::text AS avg, count(*)::int AS n FROM "Review"
       WHERE "storeId" = $1 AND status <> 'rejected' AND "createdAt" > $2`,
      [storeId, new Date(clock.now().getTime() - 90 * 86_400_000).toISOString().replace("Z", "")],
    );
    expect(r?.n).toBeGreaterThan(0);
    u.send("Tverskaya");
    const text = (await u.reply()).text ?? "";
    expect(text).toContain("Копилка на Тверской");
    expect(text).toMatch(new RegExp(`★ ${r?.avg.replace(".", ",")} · ${r?.n} отзыв`));
  });
});
