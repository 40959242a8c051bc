import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { renderNotice } from "../../bot/views/notices.js";
import { medianDays, replenishmentInterval, winbackThreshold } from "../../domain/index.js";
import { startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock } from "../support/fixtures.js";

const DAY = 86_400_000;

describe("trigger rules", () => {
  it("When intervals are computed, then the median of the member's own gaps is used, 30 days under three purchases", () => {
    const cfg = { defaultIntervalDays: 30, minPurchases: 3 };
    expect(replenishmentInterval([0, 10], cfg)).toBe(30);
    expect(replenishmentInterval([0, 10, 20, 50], cfg)).toBe(10);
    expect(medianDays([])).toBe(null);
    expect(winbackThreshold(10, { gapMultiple: 2, minDays: 45 })).toBe(45);
    expect(winbackThreshold(30, { gapMultiple: 2, minDays: 45 })).toBe(60);
  });

  it("When points are about to expire, then the reminder carries a button to the shopper's offers", () => {
    const n = {
      kind: "points-expiring" as const,
      points: 10,
      expiresAt: "2026-03-10T00:00:00Z",
      timeZone: "Europe/Moscow",
      maxShareBp: 3000,
    };
    expect(renderNotice("ru", { ...n, offersLink: true }).buttons).toEqual([
      { text: "🏷 Мои предложения", data: "of:list" },
    ]);
    expect(renderNotice("ru", n).buttons).toBeUndefined();
  });
});

/**
 * The triggers through the jobs, the API and the fake Bot API: each makes a
 * personal offer and tells the shopper once for its cause, in their daytime.
 */
describe.each(testDatabases)("triggers on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let storeId: number;
  let pos: string;
  const clock = testClock(new Date("2026-01-05T09:00:00Z"));
  let receipt = 0;

  beforeAll(async () => {
    db = await open();
    h = await startApi(db, { clock });
    storeId = (await createStore(db, { name: "A" })).id;
    pos = (await h.services.apiKeys.create(storeId)).key;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  async function shopper(birthday?: string) {
    const u = h.tg.user({ first_name: "Анна", language_code: "ru" });
    const m = await h.services.members.enroll({
      telegramId: u.id,
      chatId: u.id,
      firstName: "Анна",
      phone: u.phone,
      ...(birthday ? { birthday: new Date(`${birthday}T00:00:00Z`) } : {}),
    });
    return { u, m };
  }
  /** Purchases on these days from `start` (12:00 Moscow), each with one line of the category. */
  async function history(memberId: number, start: Date, days: number[], category = "кофе") {
    for (const d of days) {
      clock.set(new Date(start.getTime() + d * DAY));
      await h.services.purchases.recordPurchase({
        storeId,
        member: { id: memberId },
        receiptId: `T-${++receipt}`,
        amountKopecks: 50_000,
        items: [{ sku: `${category}-1`, category, amountKopecks: 50_000 }],
      });
    }
  }
  const offersOf = (memberId: number) =>
    db.prisma.offer.findMany({ where: { memberId }, select: { trigger: true, titleRu: true, cause: true } });
  const said = (u: { inbox: { text?: string }[] }, re: RegExp) => u.inbox.filter((x) => re.test(x.text ?? ""));

  it("When a category is due by the member's own interval, then one replenishment offer is made and told once, in the daytime", async () => {
    const start = new Date("2026-01-05T09:00:00Z");
    const regular = await shopper();
    const once = await shopper();
    await history(regular.m.id, start, [0, 10, 20]);
    await history(once.m.id, start, [20]);
    await h.idle();
    // Day 30, 23:30 in Moscow: the regular's coffee is due (every 10 days); it is quiet hours.
    clock.set(new Date(start.getTime() + 30 * DAY + 11.5 * 3_600_000));
    await h.services.offers.triggers.scan();
    await h.idle();
    expect(await offersOf(regular.m.id)).toEqual([
      {
        trigger: "replenishment",
        titleRu: "Пора пополнить запасы: кофе",
        cause: expect.stringMatching(/^replenishment:\d+:кофе:2026-01-25$/),
      },
    ]);
    expect(await offersOf(once.m.id)).toEqual([]); // one purchase: due after 30 days, not 10
    expect(said(regular.u, /Пора пополнить/)).toHaveLength(0);
    // The morning: the note goes out.
    clock.set(new Date(start.getTime() + 31 * DAY));
    await h.idle();
    await expect.poll(() => said(regular.u, /^Пора пополнить запасы: кофе/).length).toBe(1);
    // The scan again (the next night, or a second process): the same cause makes nothing.
    await h.services.offers.triggers.scan();
    await h.idle();
    expect(await offersOf(regular.m.id)).toHaveLength(1);
    expect(said(regular.u, /Пора пополнить/)).toHaveLength(1);
    // The offer pays on the next coffee: ×2 points on the coffee lines, without activation.
    const r = await h.call("POST", "/purchases", {
      key: pos,
      body: {
        memberCode: regular.m.memberCode,
        receiptId: "RE-1",
        amount: 50_000,
        items: [{ sku: "c", category: "кофе", amount: 50_000 }],
      },
    });
    expect(r.json.offers).toMatchObject([{ title: "Пора пополнить запасы: кофе", points: 15 }]);
  });

  it("When a member stays away twice their usual gap (at least 45 days), then one win-back offer is made", async () => {
    const start = new Date("2026-02-01T09:00:00Z");
    const lapsed = await shopper();
    const slow = await shopper();
    await history(lapsed.m.id, start, [0, 10, 20], "чай");
    await history(slow.m.id, start, [0, 30], "чай");
    clock.set(new Date(start.getTime() + (20 + 46) * DAY)); // lapsed: 46 days since day 20; slow: 36 days
    await h.services.offers.triggers.scan();
    await h.services.offers.triggers.scan();
    await h.idle();
    expect((await offersOf(lapsed.m.id)).filter((o) => o.trigger === "winback")).toHaveLength(1);
    expect((await offersOf(slow.m.id)).filter((o) => o.trigger === "winback")).toEqual([]); // needs 60 days
    await expect.poll(() => said(lapsed.u, /^Мы скучаем!/).length).toBe(1);
  });

  it("When a birthday is a week off, then one birthday gift offer is made and its code comes with activation", async () => {
    clock.set(new Date("2026-05-01T09:00:00Z"));
    const b = await shopper("1990-05-08");
    const later = await shopper("1990-06-20");
    await h.services.offers.triggers.scan();
    await h.services.offers.triggers.scan();
    await h.idle();
    expect((await offersOf(b.m.id)).filter((o) => o.trigger === "birthday")).toHaveLength(1);
    expect((await offersOf(later.m.id)).filter((o) => o.trigger === "birthday")).toEqual([]);
    await expect.poll(() => said(b.u, /^С наступающим днём рождения!/).length).toBe(1);
    const [gift] = await h.services.offers.forMember.list(b.m.id);
    expect(gift?.reasons.map((r) => r.kind)).toContain("birthdayWithin");
    const activated = await h.services.offers.forMember.activate(b.m.id, gift?.offer.id ?? 0);
    expect(activated.giftCode).toMatch(/^[A-Z2-9]{8}$/);
  });

  it("When an online cart is not bought within 24 hours, then one reminder; a cart whose items were bought gets none", async () => {
    clock.set(new Date("2026-07-01T09:00:00Z"));
    const left = await shopper();
    const bought = await shopper();
    const cart = (code: string, cartId: string) =>
      h.call("POST", "/carts", {
        key: pos,
        body: { memberCode: code, cartId, items: [{ sku: "BEANS-1", category: "кофе", amount: 90_000 }] },
      });
    const c1 = await cart(left.m.memberCode, "web-1");
    expect(c1).toMatchObject({ status: 201, json: { remindAt: "2026-07-02T09:00:00.000Z" } });
    expect((await cart(left.m.memberCode, "web-1")).json.cartId).toBe(c1.json.cartId); // posted again: one cart
    await cart(bought.m.memberCode, "web-2");
    clock.set(new Date("2026-07-01T15:00:00Z"));
    await h.call("POST", "/purchases", {
      key: pos,
      body: {
        memberCode: bought.m.memberCode,
        receiptId: "CART-B",
        amount: 90_000,
        items: [{ sku: "BEANS-1", category: "кофе", amount: 90_000 }],
      },
    });
    await h.idle();
    expect(said(left.u, /корзине/)).toHaveLength(0); // not before 24 hours
    clock.set(new Date("2026-07-02T09:01:00Z"));
    await h.idle();
    await expect.poll(() => said(left.u, /^Вы кое-что оставили в корзине/).length).toBe(1);
    expect((await offersOf(left.m.id)).map((o) => o.trigger)).toEqual(["abandonedCart"]);
    expect(await offersOf(bought.m.id)).toEqual([]);
    const bad = await h.call("POST", "/carts", {
      key: pos,
      body: { memberCode: left.m.memberCode, cartId: "x", items: [] },
    });
    expect(bad.status).toBe(400);
  });

  // Quiet hours are 21:00–09:00 in the shopper's zone (Moscow here): 20:30 UTC is 23:30 there.
  const night = (day: string) => new Date(`${day}T20:30:00Z`);
  const morning = (day: string) => new Date(`${day}T06:05:00Z`);

  it("When a win-back falls due at night, then its note waits for the morning and goes out once", async () => {
    const start = new Date("2026-08-01T09:00:00Z");
    const lapsed = await shopper();
    await history(lapsed.m.id, start, [0, 10, 20], "чай");
    clock.set(night("2026-10-06")); // 66 days after the first purchase: 46 since the last
    await h.services.offers.triggers.scan();
    await h.idle();
    expect((await offersOf(lapsed.m.id)).filter((o) => o.trigger === "winback")).toHaveLength(1);
    expect(said(lapsed.u, /^Мы скучаем!/)).toHaveLength(0);
    clock.set(morning("2026-10-07"));
    await h.idle();
    await expect.poll(() => said(lapsed.u, /^Мы скучаем!/).length).toBe(1);
    // The next night's scan: the same cause (no purchase since), nothing new.
    clock.set(night("2026-10-07"));
    await h.services.offers.triggers.scan();
    clock.set(morning("2026-10-08"));
    await h.idle();
    expect((await offersOf(lapsed.m.id)).filter((o) => o.trigger === "winback")).toHaveLength(1);
    expect(said(lapsed.u, /^Мы скучаем!/)).toHaveLength(1);
  });

  it("When the birthday scan runs at night, then the greeting waits for the morning and comes once", async () => {
    clock.set(night("2026-11-01"));
    const b = await shopper("1991-11-08");
    await h.services.offers.triggers.scan();
    await h.idle();
    expect((await offersOf(b.m.id)).filter((o) => o.trigger === "birthday")).toHaveLength(1);
    expect(said(b.u, /^С наступающим днём рождения!/)).toHaveLength(0);
    clock.set(morning("2026-11-02"));
    await h.idle();
    await expect.poll(() => said(b.u, /^С наступающим днём рождения!/).length).toBe(1);
    clock.set(night("2026-11-02")); // the next night: six days to go, the same birthday
    await h.services.offers.triggers.scan();
    clock.set(morning("2026-11-03"));
    await h.idle();
    expect((await offersOf(b.m.id)).filter((o) => o.trigger === "birthday")).toHaveLength(1);
    expect(said(b.u, /^С наступающим днём рождения!/)).toHaveLength(1);
  });

  it("When a cart's 24 hours end at night, then the reminder waits for the morning and comes once", async () => {
    clock.set(night("2026-12-01"));
    const left = await shopper();
    const posted = await h.call("POST", "/carts", {
      key: pos,
      body: {
        memberCode: left.m.memberCode,
        cartId: "night-1",
        items: [{ sku: "B", category: "кофе", amount: 50_000 }],
      },
    });
    expect(posted.json.remindAt).toBe("2026-12-02T20:30:00.000Z");
    clock.set(new Date("2026-12-02T20:31:00Z"));
    await h.idle();
    expect(said(left.u, /корзине/)).toHaveLength(0);
    clock.set(morning("2026-12-03"));
    await h.idle();
    await expect.poll(() => said(left.u, /^Вы кое-что оставили в корзине/).length).toBe(1);
    clock.set(morning("2026-12-04"));
    await h.idle();
    expect(said(left.u, /корзине/)).toHaveLength(1);
    expect((await offersOf(left.m.id)).map((o) => o.trigger)).toEqual(["abandonedCart"]);
  });

  it("When points about to expire are told at night, then the reminder with the offers button waits for the morning and comes once", async () => {
    clock.set(new Date("2027-01-10T09:00:00Z"));
    const s = await shopper(); // the welcome bonus: 100 points, expiring in twelve months
    await h.idle();
    const seen = s.u.inbox.length;
    const fresh = () => s.u.inbox.slice(seen).filter((x) => /сгорят/.test(x.text ?? ""));
    clock.set(night("2027-12-31"));
    await h.services.expiry.queueReminders();
    await h.idle();
    expect(fresh()).toHaveLength(0);
    clock.set(morning("2028-01-01"));
    await h.idle();
    await expect.poll(() => fresh().length).toBe(1);
    expect(JSON.stringify(fresh()[0]?.reply_markup)).toContain("of:list");
    clock.set(new Date("2028-01-02T07:00:00Z"));
    await h.services.expiry.queueReminders();
    await h.idle();
    expect(fresh()).toHaveLength(1);
  });
});
