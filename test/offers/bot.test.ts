import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock } from "../support/fixtures.js";
import type { SimUser } from "../support/telegram-server.js";

/**
 * The shopper's /offers and its menu button through the fake Bot API: each
 * offer says why (the condition's leaves the shopper meets), until when and
 * where; "Activate" makes it apply, and the cashier's answer names it.
 */
describe.each(testDatabases)("the shopper's offers in Telegram on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let storeId: number;
  let cashier: SimUser;
  const clock = testClock(new Date("2026-03-02T09:00:00Z"));

  beforeAll(async () => {
    db = await open();
    storeId = (await createStore(db, { name: "Копилка на Тверской" })).id;
    h = await startBot(db, { clock, flood: { limit: 100, windowMs: 1000 } });
    cashier = h.tg.user({ first_name: "Касса", language_code: "ru" });
    await db.prisma.staffMember.create({
      data: { telegramId: cashier.id, chatId: cashier.id, name: "Касса", storeId },
    });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  async function shopper(language = "ru") {
    const u = h.tg.user({ first_name: "Мария", language_code: language });
    const m = await h.services.members.enroll({ telegramId: u.id, chatId: u.id, firstName: "Мария", phone: u.phone });
    return { u, m };
  }

  /** A started March offer of a gift to members who joined in the last 30 days, in every store or in `storeIds`. */
  async function newMembersGift(
    title: { ru: string; en: string },
    gift: { giftRu: string; giftEn: string },
    storeIds?: number[],
  ) {
    const offer = await h.services.offers.create(
      {
        title,
        text: { ru: "Для новых участников", en: "For new members" },
        condition: { kind: "enrolledWithin", days: 30 },
        reward: { kind: "gift", ...gift },
        startsAt: "2026-03-01T00:00:00Z",
        endsAt: "2026-03-31T20:00:00Z",
        ...(storeIds ? { storeIds } : {}),
      },
      "test",
    );
    await h.services.offers.start(offer.id, "test");
    return offer;
  }

  it("When a coffee buyer opens their offers, then each says why, until when and where, and Activate makes it pay at the till", async () => {
    const offer = await h.services.offers.create(
      {
        title: { ru: "Кофе каждый месяц", en: "Coffee every month" },
        text: { ru: "Бонус к следующей покупке", en: "A bonus on your next purchase" },
        condition: { kind: "bought", product: { category: "кофе" }, withinDays: 60, times: 2 },
        reward: { kind: "bonus", points: 40 },
        startsAt: "2026-03-01T00:00:00Z",
        endsAt: "2026-03-31T20:00:00Z",
        storeIds: [storeId],
      },
      "test",
    );
    await h.services.offers.start(offer.id, "test");
    const { u, m } = await shopper();
    const other = await shopper();
    for (const r of ["K1", "K2"])
      await h.services.purchases.recordPurchase({
        storeId,
        member: { id: m.id },
        receiptId: r,
        amountKopecks: 30_000,
        items: [{ sku: "COF", category: "кофе", amountKopecks: 30_000 }],
      });

    await h.idle(); // the purchase notes first
    u.listen();
    u.send("🏷 Мои предложения"); // the menu button's text
    const [title, card] = await u.replies(2);
    expect(title?.text).toBe("Для вас 1 персональное предложение:");
    expect(card?.text).toBe(
      [
        "<b>Кофе каждый месяц</b>",
        "Бонус к следующей покупке",
        "🎁 +40 баллов за покупку",
        "Почему вам: вы регулярно покупаете «кофе».",
        "⏳ До 31 марта",
        "📍 Где: Копилка на Тверской",
      ].join("\n"),
    );
    // Not a coffee buyer: nothing to offer.
    other.u.send("/offers");
    expect((await other.u.reply()).text).toMatch(/^Пока персональных предложений нет/);

    u.click("✅ Активировать");
    await expect.poll(() => h.tg.callbackAnswers.length).toBeGreaterThan(0);
    await expect
      .poll(
        async () =>
          (await db.prisma.offerMember.findFirst({ where: { offerId: offer.id, memberId: m.id } }))?.activatedAt,
      )
      .toBeTruthy();

    cashier.send(`/purchase ${m.memberCode} 1000 K3`);
    const answer = (await cashier.reply()).text ?? "";
    expect(answer).toMatch(/^Чек K3: 1\s000\s₽, начислено 30 баллов/);
    expect(answer).toContain("🎁 Предложение «Кофе каждый месяц»: +40 баллов");
    expect(answer).toMatch(/Баланс участника: 188 баллов/); // 100 welcome + 9 + 9 + 30 + 40
  });

  it("When an English reader opens a gift offer and activates it, then the text is English and the gift code is shown", async () => {
    const offer = await newMembersGift({ ru: "Подарок", en: "A gift" }, { giftRu: "Кружка", giftEn: "A mug" });
    const { u } = await shopper("en");
    u.send("/offers");
    const replies = await u.replies(2);
    const gift = replies.find((r) => r.text?.includes("A mug"));
    if (!gift) throw new Error(JSON.stringify(replies.map((r) => r.text)));
    expect(gift?.text).toContain("🎁 A gift: A mug");
    expect(gift?.text).toContain("Why you: you joined us recently.");
    expect(gift?.text).toContain("📍 In every store");
    u.click("✅ Activate");
    await expect
      .poll(() => u.inbox.find((x) => /Gift code for the cashier: (<b>)?[A-Z2-9]{8}/.test(x.text ?? "")))
      .toBeTruthy();
    await h.services.offers.end(offer.id, "test");
  });

  it("When an offer's store and gift are named with &, < and >, then the offer arrives and they read as named", async () => {
    const arbat = (await createStore(db, { name: "Кофе & Чай <Арбат>" })).id;
    const offer = await newMembersGift(
      { ru: "Завтрак", en: "Breakfast" },
      { giftRu: "Кофе & круассан", giftEn: "Coffee & croissant" },
      [arbat],
    );
    const { u } = await shopper();
    u.send("/offers");
    const replies = await u.replies(2);
    const breakfast = replies.find((r) => r.text?.startsWith("<b>Завтрак</b>"));
    expect(breakfast?.text).toContain("🎁 Подарок: Кофе &amp; круассан");
    expect(breakfast?.text).toContain("📍 Где: Кофе &amp; Чай &lt;Арбат&gt;");
    await h.services.offers.end(offer.id, "test");
  });
});
