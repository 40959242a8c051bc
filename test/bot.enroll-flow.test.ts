import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { startBot } from "./support/bot-harness.js";
import { testDatabases } from "./support/databases.js";
import { waitFor } from "./support/wait.js";

const ADMIN = 4_100_001;

describe.each(testDatabases)("enrollment's detours on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;

  beforeAll(async () => {
    db = await open();
    h = await startBot(db, { adminIds: [ADMIN] });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  it("When /start is sent in the middle, then enrollment begins again from the intro", async () => {
    const u = h.tg.user({ first_name: "Ира", language_code: "ru" });
    u.send("/start");
    await u.reply();
    u.click("✅ Согласен(на)");
    await u.reply();
    u.send("/start");
    expect((await u.reply()).text).toMatch(/^Добро пожаловать в Kopilka/);
    u.click("✅ Согласен(на)");
    expect((await u.reply()).text).toMatch(/номером телефона/);
  });

  it("When an invite link is opened in the middle, then the referral is kept to the end", async () => {
    const host = await h.services.members.enroll({ telegramId: 655_001, phone: "+79160000101", firstName: "Host" });
    const u = h.tg.user({ first_name: "Гость", language_code: "ru" });
    u.send("/start");
    await u.reply();
    u.click("✅ Согласен(на)");
    await u.reply();
    u.openDeepLink(`ref_${host.referralCode}`);
    await u.reply();
    u.click("✅ Согласен(на)");
    await u.reply();
    u.press("📱 Поделиться номером");
    await u.reply();
    u.click("Да, верно");
    await u.reply();
    u.click("Пропустить");
    const done = await u.replies(3).catch((e) => {
      throw new Error(
        `${String(e)}\n${u.inbox.map((m) => (m.text ?? m.caption ?? "").slice(0, 30).replace(/\n/g, " ")).join(" / ")}`,
      );
    });
    expect(done[0]?.text).toMatch(/пригласил друг/);
    const g = await db.prisma.member.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } });
    expect(g.referredById).toBe(host.id);
  });

  it("When /help is sent in the middle, then it is answered and the step goes on", async () => {
    const u = h.tg.user({ first_name: "Оля", language_code: "ru" });
    u.send("/start");
    await u.reply();
    u.click("✅ Согласен(на)");
    await u.reply();
    u.send("/help");
    expect((await u.reply()).text).toMatch(/Сейчас идёт регистрация/);
    u.press("📱 Поделиться номером");
    expect((await u.reply()).text).toBe("Как к вам обращаться: Оля?");
  });

  it("When the cancel button is pressed, then nothing is stored and the keyboard is removed", async () => {
    const u = h.tg.user({ first_name: "Петя", language_code: "ru" });
    u.send("/start");
    await u.reply();
    u.click("✅ Согласен(на)");
    await u.reply();
    u.press("📱 Поделиться номером");
    await u.reply();
    u.click("✖️ Отменить");
    const bye = await u.reply();
    expect(bye.text).toMatch(/Регистрация отменена/);
    expect(u.keyboard).toEqual([]);
    expect(await db.prisma.member.count({ where: { telegramId: BigInt(u.id) } })).toBe(0);
  });

  it("When an old button is pressed, then a toast says it is out of date", async () => {
    const u = h.tg.user({ first_name: "Коля", language_code: "ru" });
    u.send("/start");
    await u.reply();
    u.click("❌ Не сейчас");
    await u.reply();
    // The consent message still shows in the chat history; its buttons were removed, so press a stale one directly.
    h.tg.pushUpdate({
      callback_query: {
        id: "stale-1",
        from: { id: u.id, is_bot: false, first_name: "Коля" },
        message: u.inbox[0],
        chat_instance: String(u.id),
        data: "enroll:accept",
      },
    });
    await waitFor(() => h.tg.callbackAnswers.some((a) => a.callback_query_id === "stale-1"));
    expect(h.tg.callbackAnswers.find((a) => a.callback_query_id === "stale-1")?.text).toBe("Эта кнопка устарела.");
  });

  it("When an admin sends /start, then they are not pushed into enrollment", async () => {
    const admin = h.tg.user({ id: ADMIN, first_name: "Admin", language_code: "ru" });
    admin.send("/start");
    expect((await admin.reply()).text).toMatch(/Вы сотрудник программы Kopilka/);
    expect(admin.inbox.some((m) => /Добро пожаловать/.test(m.text ?? ""))).toBe(false);
  });
});
