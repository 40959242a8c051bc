import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import type { Member } from "../generated/prisma/client.js";
import { DEMO_STORES } from "../prisma/demo-stores.js";
import { startBot } from "./support/bot-harness.js";
import { testDatabases } from "./support/databases.js";
import { testClock } from "./support/fixtures.js";
import type { SimUser } from "./support/telegram-server.js";
import { waitFor } from "./support/wait.js";

// Monday 2026-03-02, 12:00 Moscow (09:00 UTC)
const clock = testClock(new Date("2026-03-02T09:00:00Z"));

describe.each(testDatabases)("shopper bot features on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;

  beforeAll(async () => {
    db = await open();
    for (const [name, address, latitude, longitude, timeZone, region, hours] of DEMO_STORES)
      await db.prisma.store.create({ data: { name, address, latitude, longitude, timeZone, region, hours } });
    // The flood window is a minute here, not 5 s: on a loaded machine 25 messages may take longer than
    // 5 s to arrive, and the test is about the limit, not about how fast the fake Telegram delivers.
    h = await startBot(db, { clock, flood: { limit: 10, windowMs: 60_000 } });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  /** A member enrolled directly, and their Telegram user. */
  async function member(language = "ru"): Promise<[SimUser, Member]> {
    const u = h.tg.user({ first_name: "Ирина", language_code: language });
    const m = await h.services.members.enroll({ telegramId: u.id, chatId: u.id, firstName: "Ирина", phone: u.phone });
    return [u, m];
  }

  it("the card shows balance, tier, progress to the next tier, expiring points, code and last operations", async () => {
    const [u, m] = await member();
    const store = await db.prisma.store.findFirstOrThrow({ where: { name: "Копилка на Тверской" } });
    // 3,760 ₽ a year ago minus two days: Silver needs 1,240 ₽ more before it drops out of the window.
    clock.set(new Date("2025-03-04T09:00:00Z"));
    u.listen();
    await h.services.purchases.recordPurchase({
      storeId: store.id,
      member: { id: m.id },
      receiptId: "c1",
      amountKopecks: 376_000,
    });
    expect((await u.reply()).text).toMatch(/^\+112 баллов за покупку/);
    clock.set(new Date("2026-03-02T09:00:00Z"));
    u.send("/card");
    const card = (await u.reply()).caption ?? "";
    expect(card).toContain("Баланс: 212 баллов");
    expect(card).toMatch(/Уровень: Базовый — кешбэк 3\s?%/);
    expect(card).toMatch(/До уровня «Серебряный» осталось потратить 1\s240\s₽ до 4 марта/);
    expect(card).toContain(`Код участника для кассира: ${m.memberCode}`);
    expect(card).toMatch(/Скоро сгорят:\n• 112 баллов — 4 марта/);
    expect(card).toMatch(/\+112 баллов — покупка в «Копилка на Тверской»/);
    expect(card).toMatch(/\+100 баллов — приветственные баллы/);
    // The menu button does the same.
    u.press("💳 Моя карта");
    expect((await u.reply()).caption).toContain("Баланс: 212 баллов");
  });

  it("nearest stores: three by distance, open now or when it opens in the store's own time zone, and a venue", async () => {
    const [u] = await member();
    u.send("/stores");
    expect((await u.reply()).text).toMatch(/геопозицией/);
    u.press("📍 Отправить геопозицию", { latitude: 55.7601, longitude: 37.6186 }); // Teatralnaya, Moscow
    const [list, venue] = await u.replies(2);
    const text = list?.text ?? "";
    const names = [...text.matchAll(/^\d\. (.+?) — /gm)].map((x) => x[1]);
    expect(names).toEqual(["Копилка на Тверской", "Копилка Китай-город", "Копилка на Арбате"]);
    expect(text).toMatch(/1\. Копилка на Тверской — 740 м\n.*Тверская, 12\n\s*открыт до 23:00/);
    expect(text).toMatch(/2\. Копилка Китай-город — 1,1 км\n.*\n\s*открыт круглосуточно/);
    expect(text).toMatch(/3\. Копилка на Арбате — 2,0 км/);
    expect(venue?.venue).toMatchObject({ title: "Копилка на Тверской", address: "Москва, ул. Тверская, 12" });
    // Vladivostok at 05:00 local (Monday 19:00 UTC): closed, opens at 09:00 local.
    clock.set(new Date("2026-03-02T19:00:00Z"));
    u.sendVenue(43.1198, 131.8869, "Вокзал");
    const [far] = await u.replies(2);
    expect(far?.text).toMatch(/1\. Копилка на Светланской — .*\n.*\n\s*закрыт, откроется сегодня в 09:00/);
    clock.set(new Date("2026-03-02T09:00:00Z"));
  });

  it("invite shows the personal deep link and how many friends joined", async () => {
    const [u, m] = await member("en");
    u.listen();
    await h.services.members.enroll({ telegramId: 9_100_001, phone: "+79000000911", referralCode: m.referralCode });
    expect((await u.reply()).text).toMatch(/по вашему приглашению/); // told before they ever wrote: no language saved yet
    u.send("/invite");
    const shown = await u.reply();
    const text = shown.text ?? "";
    expect(text).toContain(`https://t.me/${h.tg.username}?start=ref_${m.referralCode}`);
    expect(text).toMatch(/Friends who joined: 1/);
    // The reward and its conditions, stated; and Telegram's share sheet one tap away.
    expect(text).toMatch(
      /first purchase of RUB\s500 or more and 14 days pass \(the return period\), you both get 200\spoints/,
    );
    const button = (shown.reply_markup?.inline_keyboard as { text: string; url: string }[][])[0]?.[0];
    expect(button?.text).toBe("📨 Share the link");
    expect(button?.url).toContain(
      `https://t.me/share/url?url=${encodeURIComponent(`https://t.me/${h.tg.username}?start=ref_`)}`,
    );
  });

  it("language: Telegram's until chosen, then the stored choice", async () => {
    const [u, m] = await member("en");
    u.send("/help");
    expect((await u.reply()).text).toMatch(/loyalty program/);
    u.send("/language");
    await u.reply();
    u.click("🇷🇺 Русский");
    expect((await u.reply()).text).toBe("Язык: русский.");
    expect(u.keyboard).toContain("💳 Моя карта");
    expect((await db.prisma.member.findUniqueOrThrow({ where: { id: m.id } })).language).toBe("ru");
    u.send("/help");
    expect((await u.reply()).text).toMatch(/программа лояльности/);
  });

  it("notifications toggle in settings", async () => {
    const [u, m] = await member();
    u.send("/settings");
    const menu = await u.reply();
    expect(menu.text).toBe("Настройки");
    u.click("🔔 Уведомления: включены");
    await waitFor(async () => !(await db.prisma.member.findUniqueOrThrow({ where: { id: m.id } })).notifications);
    await waitFor(() => JSON.stringify(u.inbox.at(-1)?.reply_markup).includes("🔕"));
  });

  it("privacy: export sends a JSON file; delete erases personal data and keeps the ledger", async () => {
    const [u, m] = await member();
    u.send("/privacy");
    await u.reply();
    u.click("📄 Выгрузить мои данные");
    const doc = await u.reply();
    expect(doc.document?.file_name).toBe(`kopilka-${m.memberCode}.json`);
    const exported = JSON.parse(h.tg.documents.get(doc.document?.file_id)?.content.toString("utf8") ?? "{}");
    expect(exported.member).toMatchObject({ phone: u.phone, firstName: "Ирина", memberCode: m.memberCode });
    expect(exported.member.ledger).toHaveLength(1);

    u.click("🗑 Удалить мои данные");
    expect((await u.reply()).text).toMatch(/Удалить ваши данные\? .*100 баллов/s);
    u.click("Да, удалить");
    expect((await u.reply()).text).toMatch(/данные удалены/);
    const erased = await db.prisma.member.findUniqueOrThrow({ where: { id: m.id } });
    expect(erased).toMatchObject({
      status: "deleted",
      phone: null,
      firstName: null,
      telegramId: null,
      chatId: null,
      birthday: null,
    });
    expect(await db.prisma.ledgerEntry.count({ where: { memberId: m.id } })).toBe(1);
    u.send("/card");
    expect((await u.reply()).text).toMatch(/не участник/);
  });

  it("free text, stickers, photos and huge messages get a hint and the menu; strangers an invitation", async () => {
    const [u] = await member();
    for (const act of [
      () => u.send("привет"),
      () => u.sendSticker(),
      () => u.sendPhoto(),
      () => u.send("я".repeat(4096)),
    ]) {
      act();
      const r = await u.reply();
      expect(r.text).toMatch(/понимаю команды/);
      expect(r.reply_markup?.keyboard).toBeDefined();
    }
    const stranger = h.tg.user({ language_code: "en" });
    for (const cmd of ["/card", "/stores", "/invite", "/privacy", "hello"]) {
      stranger.send(cmd);
      expect((await stranger.reply()).text).toMatch(/not a member yet/);
    }
    // An unknown staff invite is refused with an explanation, and makes no one staff.
    stranger.send("/start staff_abc");
    expect((await stranger.reply()).text).toMatch(/This link is not valid/);
    expect(await db.prisma.staffMember.count({ where: { telegramId: BigInt(stranger.id) } })).toBe(0);
  });

  it("a shopper who blocked the bot is marked unreachable, and reachable again when they write", async () => {
    const [u, m] = await member();
    u.block();
    await waitFor(
      async () => (await db.prisma.member.findUniqueOrThrow({ where: { id: m.id } })).status === "unreachable",
    );
    await db.prisma.member.update({ where: { id: m.id }, data: { status: "active" } });
    // A send that fails with 403 marks them too.
    await expect(h.bot.api.sendMessage(u.id, "hi")).rejects.toThrow(/blocked/);
    expect((await db.prisma.member.findUniqueOrThrow({ where: { id: m.id } })).status).toBe("unreachable");
    h.tg.chat(u.id).blocked = false;
    u.send("/card");
    await u.reply();
    expect((await db.prisma.member.findUniqueOrThrow({ where: { id: m.id } })).status).toBe("active");
  });

  it("floods are cut: past 10 messages in the window the rest are dropped with one warning", async () => {
    const [u] = await member();
    for (let i = 0; i < 25; i++) u.send(`spam ${i}`);
    await u.replies(11);
    await new Promise((r) => setTimeout(r, 300));
    const texts = u.inbox.map((m) => m.text);
    expect(texts.filter((t) => t?.includes("понимаю команды"))).toHaveLength(10);
    expect(texts.filter((t) => t?.includes("Слишком много"))).toHaveLength(1);
  });

  it("Telegram's 429 is retried after retry_after", async () => {
    const [u] = await member();
    h.tg.failNext("sendMessage", 429, "Too Many Requests: retry after 1", { retry_after: 1 });
    const t0 = Date.now();
    u.send("/help");
    expect((await u.reply(5000)).text).toMatch(/Kopilka/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });
});
