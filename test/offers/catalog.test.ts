import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../app/db/database.js";
import type { Services } from "../../app/services/index.js";
import { testDatabases, urlOf } from "../support/databases.js";
import { createStore, servicesFor, testClock, uniquePhone } from "../support/fixtures.js";

/**
 * The till keeps the general offers in memory (app/offers/catalog.ts). A
 * marketer's change made by another process (on PostgreSQL: another pool,
 * as another process has; on PGlite: other services, with their own memory,
 * on the same data) must reach the till's very next purchase; what
 * purchases themselves change (budgets) and a member's own offers must not
 * make every till read the catalog again.
 */
describe.each(testDatabases)("the till's kept offers on $name", ({ name, open }) => {
  let db: Database;
  let other: Database;
  let till: Services;
  let marketer: Services;
  let storeId: number;
  const clock = testClock(new Date("2026-06-15T09:00:00Z"));
  let receipt = 0;
  let tg = 9_000_000;

  beforeAll(async () => {
    db = await open();
    other =
      name === "postgres" ? await openDatabase({ databaseUrl: await urlOf(db), dataDir: "", migrate: false }) : db;
    till = servicesFor(db, { clock });
    marketer = servicesFor(other, { clock });
    storeId = (await createStore(db)).id;
  });
  afterAll(async () => {
    if (other !== db) await other?.close();
    await db?.close();
  });

  const shopper = () => till.members.enroll({ telegramId: ++tg, chatId: tg, phone: uniquePhone(), firstName: "Вера" });
  const buy = (memberId: number) =>
    till.purchases.recordPurchase({
      storeId,
      member: { id: memberId },
      receiptId: `C-${++receipt}`,
      amountKopecks: 250_000,
    });
  const offer = async (over: Record<string, unknown> = {}) => {
    const o = await marketer.offers.create(
      {
        title: { ru: "Бонус", en: "Bonus" },
        text: { ru: "Баллы", en: "Points" },
        condition: { kind: "balance", min: 0 },
        reward: { kind: "bonus", points: 40 },
        startsAt: "2026-06-01T00:00:00Z",
        endsAt: "2026-07-01T00:00:00Z",
        needsActivation: false,
        perMemberLimit: 100,
        ...over,
      },
      "marketer",
    );
    await marketer.offers.start(o.id, "marketer");
    return o.id;
  };
  const version = async () =>
    (await db.query<{ v: string }>(`SELECT version::text AS v FROM "OfferCatalog" WHERE id = 1`))[0]?.v;

  it("When a marketer starts, pauses and ends offers in another process, then the till's next purchase uses the new terms", async () => {
    const m = await shopper();
    // The till has read (and kept) the catalog before the marketer's changes.
    expect((await buy(m.id)).offers).toEqual([]);
    const first = await offer();
    expect((await buy(m.id)).offers.map((o) => o.offerId)).toEqual([first]);
    const second = await offer({ reward: { kind: "bonus", points: 25 } });
    expect((await buy(m.id)).offers.map((o) => [o.offerId, o.points])).toEqual([
      [first, 40],
      [second, 25],
    ]);
    await marketer.offers.pause(first, "marketer");
    expect((await buy(m.id)).offers.map((o) => o.offerId)).toEqual([second]);
    await marketer.offers.end(second, "marketer");
    expect((await buy(m.id)).offers).toEqual([]);
  });

  it("When purchases take from an offer's budget, then the catalog's version stays, and the budget still stops the offer", async () => {
    const id = await offer({ budgetRedemptions: 2, reward: { kind: "bonus", points: 10 } });
    const m = await shopper();
    const before = await version();
    expect((await buy(m.id)).offers.map((o) => o.offerId)).toEqual([id]);
    expect((await buy(m.id)).offers.map((o) => o.offerId)).toEqual([id]);
    expect(await version()).toBe(before);
    // The budget is read live, not from the kept catalog.
    expect((await buy(m.id)).offers).toEqual([]);
    await marketer.offers.end(id, "marketer");
  });

  it("When an offer needs activation, then it pays once the member activated it, though the catalog did not change", async () => {
    const id = await offer({ needsActivation: true, perMemberLimit: 1 });
    const m = await shopper();
    expect((await buy(m.id)).offers).toEqual([]);
    const before = await version();
    await marketer.offers.forMember.activate(m.id, id);
    expect(await version()).toBe(before);
    expect((await buy(m.id)).offers.map((o) => o.offerId)).toEqual([id]);
    // Its limit (one use) is the member's row, read live too.
    expect((await buy(m.id)).offers).toEqual([]);
    await marketer.offers.end(id, "marketer");
  });
});
