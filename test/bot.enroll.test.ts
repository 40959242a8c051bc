import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { startBot } from "./support/bot-harness.js";
import { testDatabases } from "./support/databases.js";
import { acceptEnrollment } from "./support/wait.js";

describe.each(testDatabases)("shopper enrollment through the Bot API on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;

  beforeAll(async () => {
    db = await open();
    h = await startBot(db);
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  it("enrolls a shopper: consent, own phone, name, birthday → member, welcome bonus, card", async () => {
    const anna = h.tg.user({ first_name: "Анна", language_code: "ru" });
    anna.send("/start");
    const intro = await anna.reply();
    expect(intro.text).toContain("Kopilka");
    expect(intro.text).toMatch(/Серебряный — 5\s?% с 5\s000\s₽/);
    expect(intro.text).toMatch(/За вступление — 100 баллов в подарок/);
    anna.click("✅ Согласен(на)");
    const askPhone = await anna.reply();
    expect(askPhone.text).toMatch(/номером телефона/);
    expect(anna.keyboard).toEqual(["📱 Поделиться номером", "✖️ Отменить"]);
    anna.press("📱 Поделиться номером");
    const askName = await anna.reply();
    expect(askName.text).toBe("Как к вам обращаться: Анна?");
    anna.click("Да, верно");
    expect((await anna.reply()).text).toMatch(/Дата рождения/);
    anna.send("31.02.1990");
    expect((await anna.reply()).text).toMatch(/Не похоже на дату/);
    anna.send("25.03.1990");
    const [done, card] = await anna.replies(2);
    expect(done?.text).toMatch(/Готово, Анна! .*100 баллов в подарок/s);
    expect(anna.keyboard).toContain("💳 Моя карта");
    expect(card?.caption).toMatch(/Баланс: 100 баллов/);
    expect(card?.caption).toMatch(/Уровень: Базовый — кешбэк 3\s?%/);
    expect(card?.caption).toMatch(/Код участника для кассира: \d{8}/);

    const m = await db.prisma.member.findUniqueOrThrow({ where: { telegramId: BigInt(anna.id) } });
    expect(m).toMatchObject({ firstName: "Анна", phone: anna.phone, balance: 100, status: "active" });
    expect(m.birthday?.toISOString().slice(0, 10)).toBe("1990-03-25");
    expect(m.consentAt).not.toBeNull();
    const ledger = await db.prisma.ledgerEntry.findMany({ where: { memberId: m.id } });
    expect(ledger.map((e) => [e.kind, e.points])).toEqual([["welcome", 100]]);

    // /start again shows the card instead of enrolling twice.
    anna.send("/start");
    expect((await anna.reply()).caption).toMatch(/Баланс: 100 баллов/);
    expect(await db.prisma.member.count({ where: { phone: anna.phone } })).toBe(1);
  });

  it("refuses another person's contact and accepts only the sender's own", async () => {
    const boris = h.tg.user({ first_name: "Boris", language_code: "en" });
    boris.send("/start");
    await anna(boris);
    boris.click("✅ I agree");
    await boris.reply();
    boris.sendContact({ phone_number: "+79990001122", first_name: "Someone", user_id: boris.id + 1 });
    expect((await boris.reply()).text).toMatch(/someone else's contact/);
    boris.sendContact({ phone_number: "+79990001122", first_name: "Someone" });
    expect((await boris.reply()).text).toMatch(/someone else's contact/);
    boris.send("my number is 8 999 000 11 22");
    expect((await boris.reply()).text).toMatch(/Share my number/);
    boris.press("📱 Share my number");
    expect((await boris.reply()).text).toBe("How should we call you: Boris?");
    boris.click("Change");
    expect((await boris.reply()).text).toMatch(/Type your name/);
    boris.send("https://spam.example");
    expect((await boris.reply()).text).toMatch(/1 to 64 characters/);
    boris.send("Борис");
    await boris.reply();
    boris.click("Skip");
    const [done] = await boris.replies(2);
    expect(done?.text).toMatch(/Done, Борис!/);
    expect(await db.prisma.member.count({ where: { phone: "+79990001122" } })).toBe(0);
    const m = await db.prisma.member.findUniqueOrThrow({ where: { telegramId: BigInt(boris.id) } });
    expect(m.phone).toBe(boris.phone);
    expect(m.birthday).toBeNull();
  });

  it("a decline stores nothing", async () => {
    const vera = h.tg.user({ first_name: "Vera", language_code: "ru" });
    vera.send("/start");
    await vera.reply();
    vera.click("❌ Не сейчас");
    expect((await vera.reply()).text).toMatch(/ничего не сохранили/);
    // Any command afterwards is an invitation to enroll (and, handled in
    // order, proves the decline's update is done).
    vera.send("/card");
    expect((await vera.reply()).text).toMatch(/Нажмите \/start/);
    expect(await db.prisma.member.count({ where: { telegramId: BigInt(vera.id) } })).toBe(0);
    expect(await db.prisma.keyValue.count({ where: { key: `conversation:${vera.id}` } })).toBe(0);
  });

  it("one phone cannot enroll two Telegram accounts", async () => {
    const first = h.tg.user({ first_name: "Gleb", language_code: "ru", phone: "+79161234567" });
    const second = h.tg.user({ first_name: "Gleb2", language_code: "ru", phone: "+79161234567" });
    // Both share the phone before either is enrolled: the later one is refused at the end.
    for (const u of [first, second]) {
      u.send("/start");
      await u.reply();
      u.click("✅ Согласен(на)");
      await u.reply();
      u.press("📱 Поделиться номером");
      await u.reply();
    }
    for (const u of [first, second]) {
      u.click("Да, верно");
      await u.reply();
      u.click("Пропустить");
    }
    expect((await first.replies(2))[0]?.text).toMatch(/Готово/);
    expect((await second.reply()).text).toMatch(/уже привязан к другой карте/);
    expect(await db.prisma.member.count({ where: { phone: "+79161234567" } })).toBe(1);
  });

  it("When a phone is taken already, then the shopper hears it right after sharing the contact", async () => {
    const third = h.tg.user({ first_name: "Gleb3", language_code: "ru", phone: "+79161234567" });
    third.send("/start");
    await third.reply();
    third.click("✅ Согласен(на)");
    await third.reply();
    third.press("📱 Поделиться номером");
    expect((await third.reply()).text).toMatch(/уже привязан к другой карте/);
    third.send("/card");
    expect((await third.reply()).text).toMatch(/Нажмите \/start/);
  });

  it("a friend's link records who referred whom", async () => {
    const host = await h.services.members.enroll({ telegramId: 555_001, phone: "+79160000001", firstName: "Host" });
    const guest = h.tg.user({ first_name: "Guest", language_code: "ru" });
    guest.openDeepLink(`ref_${host.referralCode}`);
    await guest.reply();
    await acceptEnrollment(guest);
    const msgs = await guest.replies(3);
    expect(msgs[0]?.text).toMatch(/пригласил друг/);
    const g = await db.prisma.member.findUniqueOrThrow({ where: { telegramId: BigInt(guest.id) } });
    expect(g.referredById).toBe(host.id);
  });
});

/** Waits for the intro (named for readability at the call site). */
async function anna(u: { reply: () => Promise<unknown> }) {
  await u.reply();
}
