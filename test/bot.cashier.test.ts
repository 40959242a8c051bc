import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { startBot } from "./support/bot-harness.js";
import { testDatabases } from "./support/databases.js";
import { createStore, testClock } from "./support/fixtures.js";
import type { SimUser } from "./support/telegram-server.js";
import { waitFor } from "./support/wait.js";

const clock = testClock(new Date("2026-06-01T09:00:00Z"));

describe.each(testDatabases)("a cashier's typed input and second looks on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let storeId: number;
  let cashier: SimUser;

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

  async function shopper() {
    const u = h.tg.user({ first_name: "Мария", language_code: "ru" });
    const m = await h.services.members.enroll({ telegramId: u.id, chatId: u.id, firstName: "Мария", phone: u.phone });
    return { u, m };
  }
  const balance = async (id: number) => (await db.prisma.member.findUniqueOrThrow({ where: { id } })).balance;
  const purchases = (memberId: number) => db.prisma.purchase.findMany({ where: { memberId } });

  it("When the amount is typed with a space and the receipt has a letter, then the whole amount posts on that receipt", async () => {
    const { m } = await shopper();
    cashier.send(`/purchase ${m.memberCode} 1 240,50 R-1002`);
    expect((await cashier.reply()).text).toMatch(/^Чек R-1002: 1\s240,50\s₽, начислено 37 баллов/);
    expect((await purchases(m.id)).map((p) => [p.receiptId, p.amount])).toEqual([["R-1002", 124_050]]);
  });

  it("When a bare number follows the amount, then the cashier is asked what it is and nothing posts", async () => {
    const { m } = await shopper();
    cashier.send(`/purchase ${m.memberCode} 1240 1002`);
    const text = (await cashier.reply()).text ?? "";
    expect(text).toMatch(
      /Что такое «1002» после суммы 1240: номер чека или часть суммы\? Номер чека пишите с #: #1002/,
    );
    expect(text).toMatch(/Например: \/purchase 75386496 1 240,50 #R-1002/);
    cashier.send(`/purchase ${m.memberCode} 1.240`);
    expect((await cashier.reply()).text).toMatch(/«1\.240» можно понять по-разному: 1\s240\s₽ или 1,24\s₽\?/);
    expect(await purchases(m.id)).toEqual([]);
  });

  it("When the member is a phone with spaces and dashes and the receipt is not given, then a short receipt number is made and shown", async () => {
    const { m, u } = await shopper();
    const spaced = u.phone.replace(/^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/, "8 ($1) $2-$3-$4");
    cashier.send(`/purchase ${spaced} 1 240 ₽`);
    const text = (await cashier.reply()).text ?? "";
    const receipt = /^Чек (\S+): 1\s240\s₽/.exec(text)?.[1] ?? "";
    expect(receipt).toMatch(/^T-[0-9A-Z]{1,8}$/);
    expect((await purchases(m.id)).map((p) => p.receiptId)).toEqual([receipt]);
  });

  it("When a purchase is above 30,000 ₽, then it posts only after the cashier confirms, and twice pressed posts once", async () => {
    const { m } = await shopper();
    cashier.send(`/purchase ${m.memberCode} 1000000 #R-BIG`);
    const ask = await cashier.reply();
    expect(ask.text).toMatch(/Сумма 1\s000\s000\s₽ больше 30\s000\s₽\. Проверьте чек R-BIG и подтвердите\./);
    expect(await purchases(m.id)).toEqual([]);
    cashier.click(/Провести 1\s000\s000/);
    cashier.click(/Провести 1\s000\s000/);
    await waitFor(async () => (await purchases(m.id)).length === 1);
    await waitFor(() => h.tg.callbackAnswers.some((a) => /уже проведена или отменена/.test(String(a.text))));
    expect((await purchases(m.id)).map((p) => p.amount)).toEqual([100_000_000]);
    expect(await balance(m.id)).toBe(100 + 30_000);
  });

  it("When the cashier says no to a held purchase, then nothing posts", async () => {
    const { m } = await shopper();
    cashier.send(`/purchase ${m.memberCode} 45 000 #R-NO`);
    await cashier.reply();
    cashier.click("Отмена");
    expect((await cashier.reply()).text).toBe("Покупка не проведена.");
    expect(await purchases(m.id)).toEqual([]);
  });

  it("When a purchase is over 5× the member's usual basket, then the cashier confirms it first", async () => {
    const { m } = await shopper();
    for (const r of ["U1", "U2", "U3"])
      await h.services.purchases.recordPurchase({
        storeId,
        member: { id: m.id },
        receiptId: `${m.id}-${r}`,
        amountKopecks: 100_000,
      });
    cashier.send(`/purchase ${m.memberCode} 5 000 #R-OK`);
    expect((await cashier.reply()).text).toMatch(/^Чек R-OK/);
    cashier.send(`/purchase ${m.memberCode} 5 001 #R-ODD`);
    expect((await cashier.reply()).text).toMatch(
      /Сумма 5\s001\s₽ в 5 с лишним раз больше обычного чека этого покупателя \(1\s000\s₽\)/,
    );
    expect((await purchases(m.id)).map((p) => p.receiptId)).not.toContain("R-ODD");
  });

  it("When the cashier presses ↩️ Cancel, then the purchase is returned in full exactly once and the button goes", async () => {
    const { m } = await shopper();
    cashier.send(`/purchase ${m.memberCode} 2 500 #R-UNDO`);
    const done = await cashier.reply();
    expect(await balance(m.id)).toBe(175);
    cashier.click("↩️ Отменить");
    cashier.click("↩️ Отменить");
    expect((await cashier.reply()).text).toMatch(
      /Покупка по чеку R-UNDO на 2\s500\s₽ отменена: снято 75 баллов\. Баланс участника: 100 баллов\./,
    );
    await waitFor(() => h.tg.callbackAnswers.some((a) => a.text === "Эта покупка уже отменена."));
    expect(await balance(m.id)).toBe(100);
    expect(await db.prisma.return.count({ where: { purchase: { memberId: m.id } } })).toBe(1);
    expect(cashier.inbox.find((x) => x.message_id === done.message_id)?.reply_markup).toBeUndefined();
  });

  it("When ↩️ Cancel is pressed after 10 minutes, then nothing is returned and the cashier is pointed to /return", async () => {
    const { m } = await shopper();
    cashier.send(`/purchase ${m.memberCode} 2 500 #R-LATE`);
    await cashier.reply();
    clock.set(new Date("2026-06-01T09:11:00Z"));
    try {
      cashier.click("↩️ Отменить");
      await waitFor(() => h.tg.callbackAnswers.some((a) => /только в первые 10 мин/.test(String(a.text))));
      expect(await balance(m.id)).toBe(175);
      expect(await db.prisma.return.count({ where: { purchase: { memberId: m.id } } })).toBe(0);
    } finally {
      clock.set(new Date("2026-06-01T09:00:00Z"));
    }
  });

  it("When a spend or return breaks a limit, then the error names the limit with units, never kopecks", async () => {
    const { m } = await shopper();
    cashier.send(`/spend ${m.memberCode} 150 200`);
    expect((await cashier.reply()).text).toMatch(
      /^⚠️ Баллами можно оплатить не больше 60 баллов \(30\s?% чека\)\. Баланс участника: 100 баллов\.$/,
    );
    cashier.send(`/spend ${m.memberCode} 150 1 000`);
    expect((await cashier.reply()).text).toBe(
      "⚠️ Недостаточно баллов: запрошено 150 баллов. Баланс участника: 100 баллов.",
    );
    cashier.send(`/purchase ${m.memberCode} 740,50 #R-RET`);
    await cashier.reply();
    cashier.send("/return R-RET 800");
    const text = (await cashier.reply()).text ?? "";
    expect(text).toMatch(/вернуть можно не больше 740,50\s₽/);
    expect(text).not.toMatch(/74050/);
  });

  it("When the shopper confirms a spend, then one tap posts the purchase; returned in full, the points come back", async () => {
    const { u, m } = await shopper();
    u.listen();
    cashier.send(`/spend ${m.memberCode} 50 1 000 #R-MIX`);
    expect((await cashier.reply()).text).toMatch(/отправлен покупателю/);
    await u.reply();
    cashier.listen();
    u.click("✅ Подтверждаю");
    expect((await cashier.reply()).text).toMatch(/К оплате деньгами: 950\s₽/);
    expect(await balance(m.id)).toBe(50);
    // One tap posts the purchase on the same receipt; a second tap changes nothing.
    cashier.click(/Провести покупку \(деньгами 950\s₽\)/);
    expect((await cashier.reply()).text).toMatch(/^Чек R-MIX: 1\s000\s₽, начислено 28 баллов/);
    expect(await purchases(m.id)).toHaveLength(1);
    expect(await balance(m.id)).toBe(78);
    cashier.send("/return R-MIX 1 000");
    expect((await cashier.reply()).text).toMatch(
      /Возврат по чеку R-MIX: 1\s000\s₽\. Снято 28 баллов, возвращено 50 баллов\./,
    );
    expect(await balance(m.id)).toBe(100);
  });
});
