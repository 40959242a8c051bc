import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { DEMO_STORES } from "../prisma/demo-stores.js";
import { startBot } from "./support/bot-harness.js";
import { testDatabases } from "./support/databases.js";
import { testClock } from "./support/fixtures.js";

// Monday 2026-03-02, 12:00 Moscow.
const clock = testClock(new Date("2026-03-02T09:00:00Z"));

describe.each(testDatabases)("finding a store on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;

  beforeAll(async () => {
    db = await open();
    for (const [name, address, latitude, longitude, timeZone, region, hours] of DEMO_STORES)
      await db.prisma.store.create({ data: { name, address, latitude, longitude, timeZone, region, hours } });
    h = await startBot(db, { clock });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  async function member() {
    const u = h.tg.user({ first_name: "Ирина", language_code: "ru" });
    await h.services.members.enroll({ telegramId: u.id, chatId: u.id, firstName: "Ирина", phone: u.phone });
    return u;
  }

  it("When a shopper types a city, then its stores are listed, a pin is sent and the main menu stays", async () => {
    const u = await member();
    u.send("/stores");
    expect((await u.reply()).text).toMatch(/напишите город или улицу/);
    u.send("казань");
    const [list, venue] = await u.replies(2);
    expect(list?.text).toMatch(/^Магазины по запросу «казань»:/);
    expect(list?.text).toMatch(/Копилка на Баумана/);
    expect(list?.text).toMatch(/Копилка Ново-Савиновский/);
    expect(venue?.venue?.address).toMatch(/^Казань/);
    expect(u.keyboard).toContain("💳 Моя карта");
  });

  it("When a shopper types a street, then the store on it is found; text naming no store gets the usual hint", async () => {
    const u = await member();
    u.send("Невский");
    const [list] = await u.replies(2);
    expect(list?.text).toMatch(/1\. Копилка на Невском\n.*Санкт-Петербург, Невский пр-т, 88/);
    u.send("привет");
    expect((await u.reply()).text).toMatch(/понимаю команды/);
  });

  it("When nothing is within 50 km, then the shopper is told and given the nearest city with stores", async () => {
    const u = await member();
    u.sendLocation(57.153, 65.534); // Tyumen
    const text = (await u.reply()).text ?? "";
    expect(text).toMatch(
      /В 50 км от вас наших магазинов пока нет\. Ближайший город с нашими магазинами — Екатеринбург \(\d+ км\)/,
    );
    expect(u.keyboard).toContain("💳 Моя карта");
  });

  it("When the nearest store is closed, then the pin goes to the nearest open one", async () => {
    const u = await member();
    clock.set(new Date("2026-03-01T23:00:00Z")); // 02:00 in Moscow
    try {
      u.sendLocation(55.7601, 37.6186); // Teatralnaya
      const [list, venue] = await u.replies(2);
      expect(list?.text).toMatch(/^Ближайшие магазины:\n\n1\. Копилка на Тверской/);
      expect(venue?.venue?.title).toBe("Копилка Китай-город");
    } finally {
      clock.set(new Date("2026-03-02T09:00:00Z"));
    }
  });
});
