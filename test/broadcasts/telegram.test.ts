import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { testClock, uniquePhone } from "../support/fixtures.js";
import type { SimUser } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";

/**
 * A marketer's broadcast in Telegram, through the fake Bot API: /broadcast
 * starts it with a progress message that edits itself and carries Pause,
 * Resume and Cancel; a shopper's press on a broadcast's button is counted.
 */
describe.each(testDatabases)("broadcasts in Telegram on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let admin: SimUser;
  const shoppers: SimUser[] = [];
  const clock = testClock(new Date("2026-03-02T08:00:00Z"));

  beforeAll(async () => {
    db = await open();
    h = await startBot(db, { clock, adminIds: [900_001] });
    admin = h.tg.user({ id: 900_001, first_name: "Марина" });
    for (let i = 0; i < 3; i++) {
      const u = h.tg.user({ first_name: "Вера", language_code: "ru" });
      await h.services.members.enroll({
        telegramId: u.id,
        chatId: u.id,
        phone: uniquePhone(),
        firstName: "Вера",
        language: "ru",
      });
      shoppers.push(u);
    }
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  it("When an admin sends /broadcast with a text, then the members get it and the progress message edits itself to done", async () => {
    admin.send("/broadcast Весна: −20 % на всё");
    const progress = await admin.reply();
    expect(progress.text).toMatch(/^📣 «Весна: −20 % на всё»: идёт отправка/);
    expect(JSON.stringify(progress.reply_markup)).toContain("⏸ Пауза");
    await h.kopilka.broadcasts(h.broadcaster).drain();
    const got = shoppers.map((u) => u.inbox.filter((m) => m.text === "Весна: −20 % на всё").length);
    const id = (await db.query<{ id: number }>(`SELECT id FROM "Broadcast" ORDER BY id DESC LIMIT 1`))[0]?.id as number;
    const p = await h.services.broadcasts.progress(id);
    expect(got.reduce((a, b) => a + b, 0)).toBe(p.sent);
    expect(p.sent + p.control).toBe(3);
    await waitFor(
      async () =>
        /завершена/.test(h.tg.chat(admin.id).messages.find((m) => m.message_id === progress.message_id)?.text ?? ""),
      5000,
    );
    const edited = h.tg.chat(admin.id).messages.find((m) => m.message_id === progress.message_id);
    expect(edited?.text).toContain(`Отправлено ${p.sent} из ${3 - p.control}`);
  });

  it("When the marketer presses Pause and then Resume, then the broadcast stops and goes on", async () => {
    clock.set(new Date("2026-03-09T08:00:00Z"));
    admin.send("/broadcast Вторая");
    await admin.reply();
    admin.click("⏸ Пауза");
    await waitFor(async () => h.tg.callbackAnswers.some((a) => a.text === "Пауза"), 5000);
    const id = (await db.query<{ id: number }>(`SELECT id FROM "Broadcast" ORDER BY id DESC LIMIT 1`))[0]?.id as number;
    expect((await h.services.broadcasts.get(id)).status).toBe("paused");
    expect(await h.kopilka.broadcasts(h.broadcaster).drain()).toBe(0);
    await waitFor(async () => JSON.stringify(admin.inbox.at(-1)?.reply_markup ?? {}).includes("Продолжить"), 5000);
    admin.click("▶️ Продолжить");
    await waitFor(async () => (await h.services.broadcasts.get(id)).status === "running", 5000);
    // Everyone not drawn for the control group (10 %, by a random salt: all three, once in a thousand
    // runs) was held by the pause and goes out now.
    const { left, control } = await h.services.broadcasts.progress(id);
    expect(left).toBe(3 - control);
    expect(await h.kopilka.broadcasts(h.broadcaster).drain()).toBe(left);
    expect((await h.services.broadcasts.progress(id)).sent).toBe(left);
  });

  it("When a shopper presses a broadcast's offer button, then the press is counted once in the results", async () => {
    clock.set(new Date("2026-03-16T08:00:00Z"));
    const id = await h.services.broadcasts.create({
      name: "Кнопка",
      controlBp: 0,
      variants: [
        { message: { text: "<b>Кофе</b> за баллы", button: { kind: "offer", text: "Забрать", offerId: "coffee" } } },
      ],
    });
    await h.services.broadcasts.start(id);
    await h.kopilka.broadcasts(h.broadcaster).drain();
    const u = shoppers[0] as SimUser;
    u.click("Забрать");
    await u.replies(0);
    await waitFor(
      async () => (await h.services.broadcasts.results(id)).variants.find((v) => v.variant === "A")?.clicks === 1,
      5000,
    );
    u.click("Забрать");
    await waitFor(async () => h.tg.callbackAnswers.filter((a) => a.text === "👍 Принято").length >= 2, 5000);
    expect((await h.services.broadcasts.results(id)).variants.find((v) => v.variant === "A")?.clicks).toBe(1);
  });

  it("When the /broadcast text has &, < and bold, then members get it as written: escaped, and bold where it was", async () => {
    clock.set(new Date("2026-03-23T08:00:00Z"));
    admin.sendFormatted("/broadcast Чай & кофе <2 шт> со скидкой", [
      { type: "bot_command", offset: 0, length: 10 },
      { type: "bold", offset: 11, length: 3 },
    ]);
    expect((await admin.reply()).text).toMatch(/^📣 «Чай & кофе <2 шт> со скидкой»: идёт отправка/);
    await h.kopilka.broadcasts(h.broadcaster).drain();
    const html = "<b>Чай</b> &amp; кофе &lt;2 шт&gt; со скидкой";
    const id = (await db.query<{ id: number }>(`SELECT id FROM "Broadcast" ORDER BY id DESC LIMIT 1`))[0]?.id as number;
    const p = await h.services.broadcasts.progress(id);
    expect(p).toMatchObject({ failed: 0, left: 0 });
    expect(p.sent + p.control).toBe(3);
    expect(shoppers.map((u) => u.inbox.filter((m) => m.text === html).length).reduce((a, b) => a + b, 0)).toBe(p.sent);
  });
});
