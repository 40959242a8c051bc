import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { startBot } from "./support/bot-harness.js";
import { testDatabases } from "./support/databases.js";
import { createStore, testClock } from "./support/fixtures.js";
import type { SimUser } from "./support/telegram-server.js";
import { waitFor } from "./support/wait.js";

const ADMIN = 4_000_001;
const clock = testClock(new Date("2026-06-01T09:00:00Z"));

describe.each(testDatabases)("store staff in Telegram on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let storeId: number;
  let admin: SimUser;
  let cashier: SimUser;
  let shopper: SimUser;
  let memberCode: string;

  beforeAll(async () => {
    db = await open();
    storeId = (await createStore(db, { name: "Копилка на Тверской" })).id;
    // The test's cashier types faster than any person: flood control is widened.
    h = await startBot(db, { adminIds: [ADMIN], clock, flood: { limit: 100, windowMs: 1000 } });
    admin = h.tg.user({ id: ADMIN, first_name: "Admin", language_code: "ru" });
    cashier = h.tg.user({ first_name: "Касса", language_code: "ru" });
    shopper = h.tg.user({ first_name: "Мария", language_code: "ru" });
    const m = await h.services.members.enroll({
      telegramId: shopper.id,
      chatId: shopper.id,
      firstName: "Мария",
      phone: shopper.phone,
    });
    memberCode = m.memberCode;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  it("an admin invites a cashier with a one-time link; shoppers cannot use staff commands", async () => {
    shopper.send("/staff_invite 1");
    expect((await shopper.reply()).text).toBe("Эта команда недоступна.");
    shopper.send(`/member ${memberCode}`);
    expect((await shopper.reply()).text).toBe("Эта команда недоступна.");

    admin.send(`/staff_invite ${storeId}`);
    const link = /start=(staff_[\w-]+)/.exec((await admin.reply()).text ?? "")?.[1] ?? "";
    expect(link).toMatch(/^staff_/);
    cashier.openDeepLink(link);
    expect((await cashier.reply()).text).toMatch(/сотрудник магазина «Копилка на Тверской»/);
    const scoped = h.tg.commands.at(-1);
    expect(scoped?.scope).toEqual({ type: "chat", chat_id: cashier.id });
    // Staff keep the shopper commands in their menu.
    expect((scoped?.commands as { command: string }[]).map((c) => c.command)).toEqual([
      "member",
      "purchase",
      "spend",
      "gift",
      "return",
      "reviews",
      "card",
      "stores",
      "invite",
      "settings",
      "language",
      "privacy",
      "help",
    ]);
    // Single use: a second person cannot reuse it.
    const other = h.tg.user({ language_code: "ru" });
    other.openDeepLink(link);
    expect((await other.reply()).text).toMatch(/недействительна/);
  });

  it("the cashier looks a member up and records a purchase; the shopper hears about it at once", async () => {
    cashier.send(`/member ${memberCode}`);
    const status = (await cashier.reply()).text ?? "";
    expect(status).toMatch(/Мария · код \d{8}/);
    expect(status).toMatch(/Баланс: 100 баллов/);
    expect(status).toMatch(/Статус: активен/);
    expect(status).toMatch(/За период: 0 покупок на 0\s₽/);

    shopper.listen();
    cashier.send(`/purchase ${memberCode} 2500 R-100`);
    expect((await cashier.reply()).text).toMatch(
      /Чек R-100: 2\s500\s₽, начислено 75 баллов \(Базовый, 3\s?%\)\. Баланс участника: 175 баллов/,
    );
    expect((await shopper.reply()).text).toBe("+75 баллов за покупку в «Копилка на Тверской». Баланс: 175 баллов.");
    // The same receipt again changes nothing.
    shopper.listen();
    cashier.send(`/purchase ${memberCode} 2500 R-100`);
    expect((await cashier.reply()).text).toMatch(/уже проведён/);
    cashier.send(`/member ${memberCode}`);
    expect((await cashier.reply()).text).toMatch(/За период: 1 покупка на 2\s500\s₽/);
    expect((await db.prisma.member.findFirstOrThrow({ where: { memberCode } })).balance).toBe(175);
  });

  it("spending needs the shopper's ✅; a decline posts nothing; caps apply", async () => {
    cashier.send(`/spend ${memberCode} 500 1000 R-200`);
    // 30 % of 1,000 ₽ is 300, but the balance is 175: that is the most.
    expect((await cashier.reply()).text).toMatch(
      /Баллами можно оплатить не больше 300 баллов \(30\s?% чека\)\. Баланс участника: 175 баллов\./,
    );

    shopper.listen();
    cashier.send(`/spend ${memberCode} 50 1000 R-200`);
    expect((await cashier.reply()).text).toMatch(/отправлен покупателю/);
    const ask = await shopper.reply();
    expect(ask.text).toMatch(/просит списать 50 баллов по чеку на 1\s000\s₽/);
    expect((await db.prisma.member.findFirstOrThrow({ where: { memberCode } })).balance).toBe(175);
    cashier.listen();
    shopper.click("✅ Подтверждаю");
    expect((await cashier.reply()).text).toMatch(
      /Покупатель подтвердил: списано 50 баллов по чеку R-200\. К оплате деньгами: 950\s₽/,
    );
    await waitFor(() =>
      (shopper.inbox.find((m) => m.message_id === ask.message_id)?.text ?? "").startsWith("✅ Списано 50"),
    );
    expect((await db.prisma.member.findFirstOrThrow({ where: { memberCode } })).balance).toBe(125);
    // The buttons are gone: it cannot be pressed twice.
    expect(shopper.inbox.find((m) => m.message_id === ask.message_id)?.reply_markup).toBeUndefined();

    shopper.listen();
    cashier.send(`/spend ${memberCode} 20 1000 R-201`);
    await cashier.reply();
    await shopper.reply();
    cashier.listen();
    shopper.click("❌ Отклонить");
    expect((await cashier.reply()).text).toMatch(/отклонил/);
    expect((await db.prisma.member.findFirstOrThrow({ where: { memberCode } })).balance).toBe(125);
    expect(await db.prisma.ledgerEntry.count({ where: { kind: "redemption" } })).toBe(1);
  });

  it("an expired request posts nothing, even if confirmed late", async () => {
    shopper.listen();
    cashier.send(`/spend ${memberCode} 10 1000 R-300`);
    await cashier.reply();
    await shopper.reply();
    clock.advanceDays(1);
    cashier.listen();
    shopper.click("✅ Подтверждаю");
    expect((await cashier.reply()).text).toMatch(/не ответил/);
    expect((await db.prisma.member.findFirstOrThrow({ where: { memberCode } })).balance).toBe(125);
    clock.set(new Date("2026-06-01T09:00:00Z"));
  });

  it("a return reverses the accrual and tells the shopper", async () => {
    shopper.listen();
    cashier.send("/return R-100 1000 RET-1");
    expect((await cashier.reply()).text).toMatch(/Возврат по чеку R-100: 1\s000\s₽\. Снято 30 баллов/);
    expect((await shopper.reply()).text).toBe("Возврат в «Копилка на Тверской»: −30 баллов. Баланс: 95 баллов.");
    cashier.send("/return R-100 99999");
    expect((await cashier.reply()).text).toMatch(/больше, чем осталось по чеку: вернуть можно не больше 1\s500\s₽\./);
  });

  it("When the admin revokes a cashier, then it is confirmed first, the cashier is told and refused after", async () => {
    admin.send("/staff");
    await admin.reply();
    admin.click(/Отозвать: Касса/);
    expect((await admin.reply()).text).toBe("Отозвать доступ у Касса (магазин «Копилка на Тверской»)?");
    admin.click("Нет");
    await waitFor(() => h.tg.callbackAnswers.some((a) => a.text === "Доступ оставлен."));
    expect((await h.services.staff.list()).map((s) => s.name)).toContain("Касса");
    admin.click(/Отозвать: Касса/);
    await admin.reply();
    cashier.listen();
    admin.click("Да, отозвать");
    expect((await admin.reply()).text).toMatch(/^Доступ отозван: Касса, «Копилка на Тверской»/);
    expect((await cashier.reply()).text).toMatch(/Ваш доступ сотрудника магазина «Копилка на Тверской» отозван/);
    cashier.send(`/member ${memberCode}`);
    expect((await cashier.reply()).text).toBe("Эта команда недоступна.");
  });

  it("When an admin sends /stores, then every store is listed with the number /staff_invite takes", async () => {
    admin.send("/stores");
    const text = (await admin.reply()).text ?? "";
    expect(text).toMatch(new RegExp(`№ ${storeId} — Копилка на Тверской, Tverskaya 1, Moscow`));
    expect(text).toMatch(/\/staff_invite <номер>/);
  });

  it("When staff or an admin ask for /help, then staff commands come with examples", async () => {
    admin.send("/help");
    const text = (await admin.reply()).text ?? "";
    expect(text).toMatch(/\/purchase 75386496 1 240,50 #R-1002/);
    expect(text).toMatch(/\/staff_invite 3/);
    shopper.send("/help");
    expect((await shopper.reply()).text).not.toMatch(/Команды сотрудника/);
  });
});
