import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { enrollShopper, startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock } from "../support/fixtures.js";
import type { SimUser } from "../support/telegram-server.js";

/**
 * A gift offer's reward is a code the cashier redeems: over the POS API
 * (POST /api/v1/gifts/redeem) and the cashier's /gift in Telegram. Once only;
 * refused clearly a second time, after the offer ended, and in a store
 * outside its pilot (stores or regions).
 */
describe.each(testDatabases)("gift codes at the till on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let storeA: number;
  let storeB: number;
  let storeKazan: number;
  let keyA: string;
  let keyB: string;
  let keyKazan: string;
  let cashier: SimUser;
  const clock = testClock(new Date("2026-06-15T09:00:00Z"));

  beforeAll(async () => {
    db = await open();
    h = await startApi(db, { clock });
    storeA = (await createStore(db, { name: "Копилка на Тверской" })).id;
    storeB = (await createStore(db, { name: "Копилка на Арбате" })).id;
    storeKazan = (await createStore(db, { name: "Копилка в Казани", region: "Kazan" })).id;
    keyA = (await h.services.apiKeys.create(storeA)).key;
    keyB = (await h.services.apiKeys.create(storeB)).key;
    keyKazan = (await h.services.apiKeys.create(storeKazan)).key;
    cashier = h.tg.user({ first_name: "Касса", language_code: "ru" });
    await db.prisma.staffMember.create({
      data: { telegramId: cashier.id, chatId: cashier.id, name: "Касса", storeId: storeA },
    });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  async function giftOffer(over: Record<string, unknown> = {}) {
    const o = await h.services.offers.create(
      {
        title: { ru: "Подарок к кофе", en: "A gift with coffee" },
        text: { ru: "Кружка в подарок", en: "A mug for you" },
        condition: { kind: "balance", min: 0 },
        reward: { kind: "gift", giftRu: "Кружка", giftEn: "A mug" },
        startsAt: "2026-06-01T00:00:00Z",
        endsAt: "2026-07-01T00:00:00Z",
        ...over,
      },
      "test",
    );
    await h.services.offers.start(o.id, "test");
    return o.id;
  }
  /** A shopper who activated the gift in /offers: the code they show the cashier. */
  async function codeOf(offerId: number) {
    const { member } = await enrollShopper(h);
    const mine = await h.services.offers.forMember.activate(member.id, offerId);
    if (!mine.giftCode) throw new Error("an activated gift has a code");
    return { member, code: mine.giftCode };
  }
  const redeem = (key: string, code: string) => h.call("POST", "/gifts/redeem", { key, body: { code } });

  it("When the POS redeems a gift code, then it is handed over once and refused a second time, elsewhere or unknown", async () => {
    const id = await giftOffer({ storeIds: [storeA] });
    const { member, code } = await codeOf(id);

    // Outside the pilot's stores: refused, and the code stays good.
    const elsewhere = await redeem(keyB, code);
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.json.error.code).toBe("GIFT.WRONG_STORE");

    // As a cashier may type it: lower case, a dash in the middle.
    const typed = `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`;
    const first = await redeem(keyA, typed);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      offerId: id,
      code,
      title: "Подарок к кофе",
      titleEn: "A gift with coffee",
      gift: "Кружка",
      giftEn: "A mug",
      redeemedAt: "2026-06-15T09:00:00.000Z",
    });

    const second = await redeem(keyA, code);
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe("GIFT.ALREADY_REDEEMED");
    expect(second.json.error.message).toMatch(/already handed over/);

    expect((await redeem(keyA, "ZZZZ2222")).status).toBe(404);
    // Handed over: it leaves the shopper's /offers, and the offer counts one redemption.
    expect((await h.services.offers.forMember.list(member.id)).map((o) => o.offer.id)).not.toContain(id);
    expect((await h.services.offers.get(id)).redemptions).toBe(1);
    await h.services.offers.end(id, "test");
  });

  it("When a gift's offer is for a region, then only that region's stores redeem it; once the offer ended, none does", async () => {
    const id = await giftOffer({ regions: ["Kazan"] });
    const a = await codeOf(id);
    const b = await codeOf(id);
    const moscow = await redeem(keyA, a.code);
    expect({ status: moscow.status, code: moscow.json.error.code }).toEqual({ status: 422, code: "GIFT.WRONG_STORE" });
    expect((await redeem(keyKazan, a.code)).status).toBe(200);

    // The offer's window passes: the other shopper's code is refused as expired.
    clock.set(new Date("2026-07-01T00:00:01Z"));
    try {
      const late = await redeem(keyKazan, b.code);
      expect({ status: late.status, code: late.json.error.code }).toEqual({ status: 422, code: "GIFT.EXPIRED" });
    } finally {
      clock.set(new Date("2026-06-15T09:00:00Z"));
    }
    await h.services.offers.end(id, "test");
    const ended = await redeem(keyKazan, b.code);
    expect(ended.json.error.code).toBe("GIFT.EXPIRED");
  });

  it("When the cashier types /gift with the shopper's code, then the bot says what to hand over, and refuses it the second time", async () => {
    const id = await giftOffer();
    const { code } = await codeOf(id);
    cashier.listen();
    cashier.send(`/gift ${code}`);
    expect((await cashier.reply()).text).toBe(
      [
        "🎁 Выдайте подарок: Кружка",
        `Предложение «Подарок к кофе», код ${code}. Код погашен, второй раз подарок не выдаётся.`,
      ].join("\n"),
    );
    cashier.send(`/gift ${code}`);
    expect((await cashier.reply()).text).toBe(
      "⚠️ Этот подарок уже выдан 15 июня в магазине «Копилка на Тверской». Второй раз не выдаётся.",
    );
    cashier.send("/gift NOSUCH22");
    expect((await cashier.reply()).text).toBe("⚠️ Подарка с таким кодом нет. Проверьте код.");
    cashier.send("/gift");
    expect((await cashier.reply()).text).toMatch(/^Использование: \/gift <код подарка>/);

    const ended = await giftOffer();
    const other = await codeOf(ended);
    await h.services.offers.end(ended, "test");
    cashier.send(`/gift ${other.code}`);
    expect((await cashier.reply()).text).toBe("⚠️ Срок подарка истёк: предложение закончилось 15 июня.");
    await h.services.offers.end(id, "test");
  });
});
