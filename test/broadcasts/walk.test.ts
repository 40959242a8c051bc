import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { entitiesToHtml } from "../../bot/views/html.js";
import { parseProgram, readTelegramHtml } from "../../domain/index.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock } from "../support/fixtures.js";
import { insertMembers } from "../support/members.js";
import type { SimUser } from "../support/telegram-server.js";

/**
 * The guided /broadcast walk through the fake Bot API, by a marketer who is
 * not an admin (MARKETER_TELEGRAM_IDS): segment by a bought category with its
 * live count, a formatted message, a preview, a second variant, a control
 * share, confirm; then exactly the segment minus control gets A or B, once.
 */
describe.each(testDatabases)("the guided broadcast walk on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let marketer: SimUser;
  let tea: number[] = [];
  let others: number[] = [];
  const clock = testClock(new Date("2026-03-02T08:00:00Z")); // 11:00 in Moscow

  beforeAll(async () => {
    db = await open();
    // A test clicks faster than a person: more than the 10 updates in 5 s a person gets. Each test's
    // broadcast reaches members the one before may have reached: no cap of one a day between them.
    h = await startBot(db, {
      clock,
      marketerIds: [900_201],
      flood: { limit: 100, windowMs: 5000 },
      program: parseProgram({ messaging: { caps: { perDay: 100, perWeek: 700 } } }),
    });
    marketer = h.tg.user({ id: 900_201, first_name: "Марина", language_code: "ru" });
    const store = await createStore(db, { name: "Копилка на Тверской" });
    const ids = await insertMembers(db, 12);
    h.tg.addChats(ids);
    tea = ids.slice(0, 9);
    others = ids.slice(9);
    for (const [i, tid] of ids.entries()) {
      const category = i < 9 ? "tea" : "bakery";
      await h.services.purchases.recordPurchase({
        storeId: store.id,
        member: { memberCode: `9${tid}` },
        receiptId: `W-${i}`,
        amountKopecks: 20_000,
        items: [{ sku: `S-${category}`, category, amountKopecks: 20_000 }],
      });
    }
    await h.idle();
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  /** The walk's last steps once the message is previewed: one variant, no control group, now, confirmed. */
  async function sendWithoutControl() {
    await marketer.click("Дальше");
    await marketer.reply();
    await marketer.click("0 %");
    await marketer.reply();
    await marketer.click("Сейчас");
    await marketer.reply();
    await marketer.click("✅ Отправить");
    expect((await marketer.reply()).text).toMatch(/идёт отправка/);
    await h.kopilka.broadcasts(h.broadcaster).drain();
  }

  it("When a marketer walks through /broadcast, then the segment minus control gets variant A or B once, formatted", async () => {
    marketer.send("/broadcast");
    expect((await marketer.reply()).text).toMatch(/Кому отправить/);
    await marketer.click("Покупали категорию");
    expect((await marketer.reply()).text).toMatch(/Какую категорию/);
    marketer.send("tea");
    const [count, ask] = await marketer.replies(2);
    expect(count?.text).toBe("В сегменте 9 участников, кому можно писать.");
    expect(ask?.text).toMatch(/Напишите сообщение/);

    marketer.sendFormatted("Чай недели: −20 %", [{ type: "bold", offset: 0, length: 10 }]);
    expect((await marketer.reply()).text).toMatch(/кнопку/);
    await marketer.click("Без кнопки");
    const [label, shown, more] = await marketer.replies(3);
    expect(label?.text).toBe("Так участники увидят вариант A:");
    expect(shown?.text).toBe("<b>Чай недели</b>: −20 %");
    expect(more?.text).toMatch(/Один вариант сообщения/);
    await marketer.click("Добавить вариант B");
    expect((await marketer.reply()).text).toBe("Напишите вариант B.");
    marketer.send("Чай недели, вариант B");
    const [, shownB, moreB] = await marketer.replies(3);
    expect(shownB?.text).toBe("Чай недели, вариант B");
    expect(moreB?.text).toMatch(/Вариантов: 2/);
    await marketer.click("Дальше");
    expect((await marketer.reply()).text).toMatch(/контрольной группой/);
    await marketer.click("20 %");
    expect((await marketer.reply()).text).toMatch(/Когда отправить/);
    await marketer.click("Сейчас");
    const summary = await marketer.reply();
    expect(summary.text).toBe("Проверьте: 9 участников в сегменте, 2 варианта, контрольная группа 20 %, сейчас.");
    // Nothing exists before the confirmation.
    expect(await db.prisma.broadcast.count()).toBe(0);
    await marketer.click("✅ Отправить");
    expect((await marketer.reply()).text).toMatch(/^📣 «Чай недели: −20 %»: идёт отправка/);

    await h.kopilka.broadcasts(h.broadcaster).drain();
    const got = (tid: number) =>
      h.tg.chat(tid).messages.filter((m) => m.text === "<b>Чай недели</b>: −20 %" || m.text === "Чай недели, вариант B")
        .length;
    const b = await db.prisma.broadcast.findFirstOrThrow();
    expect(b).toMatchObject({ controlBp: 2000, createdBy: String(marketer.id) });
    const p = await h.services.broadcasts.progress(b.id);
    expect(p).toMatchObject({ state: "done", total: 9, left: 0 });
    expect(p.sent + p.control).toBe(9);
    expect(tea.map(got).reduce((x, y) => x + y, 0)).toBe(p.sent);
    expect(tea.every((t) => got(t) <= 1)).toBe(true);
    expect(others.map(got)).toEqual([0, 0, 0]);
  });

  it("When the marketer's message is a captioned photo, then the preview and each member of the segment get its largest size with the caption, formatted", async () => {
    marketer.send("/broadcast");
    await marketer.reply();
    await marketer.click("Покупали категорию");
    await marketer.reply();
    marketer.send("bakery");
    const [count] = await marketer.replies(2);
    expect(count?.text).toBe("В сегменте 3 участника, кому можно писать.");

    const sent = marketer.sendPhoto({
      caption: "Свежий хлеб & булки",
      captionEntities: [{ type: "bold", offset: 0, length: 11 }],
    });
    const largest = sent.photo.at(-1)?.file_id;
    expect((await marketer.reply()).text).toMatch(/кнопку/);
    await marketer.click("Без кнопки");
    const [, shown] = await marketer.replies(3);
    expect(shown?.photo).toBeDefined();
    expect(shown?.caption).toBe("<b>Свежий хлеб</b> &amp; булки");
    await sendWithoutControl();
    // The preview and each of the segment's three members: the largest size, the caption as HTML.
    const photoTo = (chat: number) => h.tg.callsTo(chat, "sendPhoto").map((c) => [c.payload.photo, c.payload.caption]);
    const bread = [largest, "<b>Свежий хлеб</b> &amp; булки"];
    expect(photoTo(marketer.id)).toEqual([bread]);
    expect(others.map(photoTo)).toEqual([[bread], [bread], [bread]]);
    expect(tea.flatMap(photoTo)).toEqual([]);
  });

  it("When the marketer's formatted caption is 1,024 characters, then it is previewed and sent; at 1,025 the walk asks again", async () => {
    marketer.send("/broadcast");
    await marketer.reply();
    await marketer.click("Всем участникам");
    await marketer.replies(2);
    // Each "&" becomes "&amp;" in the HTML: longer than 1,024 on the wire, 1,024 as Telegram counts it.
    const caption = "Хлеб & булки. ".repeat(80).slice(0, 1025);
    const bold = [{ type: "bold", offset: 0, length: 4 }];
    marketer.sendPhoto({ caption, captionEntities: bold });
    expect((await marketer.reply()).text).toBe("Нужен текст до 4096 символов или фото с подписью до 1024 символов.");
    marketer.sendPhoto({ caption: caption.slice(0, 1024), captionEntities: bold });
    expect((await marketer.reply()).text).toMatch(/кнопку/);
    await marketer.click("Без кнопки");
    const [label, shown] = await marketer.replies(3);
    expect(label?.text).toBe("Так участники увидят вариант A:");
    const html = shown?.caption as string;
    expect(html.startsWith("<b>Хлеб</b> &amp; булки.")).toBe(true);
    expect(html.length).toBeGreaterThan(1024);
    await sendWithoutControl();
    const withHtml = (chat: number) => h.tg.callsTo(chat, "sendPhoto").filter((c) => c.payload.caption === html);
    expect([...tea, ...others].map((t) => withHtml(t).length)).toEqual(Array(12).fill(1));
  });

  it("When the marketer cancels mid-way, then nothing is created", async () => {
    const before = await db.prisma.broadcast.count();
    marketer.send("/broadcast");
    await marketer.reply();
    await marketer.click("Всем участникам");
    await marketer.replies(2);
    marketer.send("/cancel");
    expect((await marketer.reply()).text).toBe("Рассылка отменена, ничего не отправлено.");
    expect(await db.prisma.broadcast.count()).toBe(before);
  });

  it("When a shopper who is no marketer sends /broadcast, then no walk starts", async () => {
    const shopper = h.tg.user({ id: tea[0] as number, first_name: "Member", language_code: "ru" });
    shopper.send("/broadcast");
    const r = await shopper.reply();
    expect(r.text).not.toMatch(/Кому отправить/);
  });
});

describe("message formatting to HTML", () => {
  it("When entities nest and the text has HTML's own characters, then the HTML nests and escapes", () => {
    expect(
      entitiesToHtml("Sale <50%> & more", [
        { type: "bold", offset: 0, length: 10 },
        { type: "italic", offset: 5, length: 5 },
        { type: "text_link", offset: 13, length: 4, url: "https://example.com/?a=1&b=2" },
      ]),
    ).toBe('<b>Sale <i>&lt;50%&gt;</i></b> &amp; <a href="https://example.com/?a=1&amp;b=2">more</a>');
  });

  it("When a marketer's formatting is turned into HTML, then Telegram reads it back as the same text", () => {
    const text = "Скидка <20 %> на чай & кофе";
    const html = entitiesToHtml(text, [{ type: "bold", offset: 0, length: 6 }]);
    expect(readTelegramHtml(html)).toEqual({ ok: true, length: text.length });
  });
});
