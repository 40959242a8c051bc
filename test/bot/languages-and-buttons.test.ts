import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock } from "../support/fixtures.js";
import type { SimUser } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";

const ADMIN = 4_100_001;

/**
 * Messages sent later are in the reader's language (shoppers and staff), and
 * spend buttons pressed late, twice or forged change nothing and say so.
 */
describe.each(testDatabases)("languages and spend buttons on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let storeId: number;
  let cashier: SimUser;
  const clock = testClock(new Date("2026-06-01T09:00:00Z"));

  beforeAll(async () => {
    db = await open();
    storeId = (await createStore(db, { name: "Kopilka Tverskaya" })).id;
    h = await startBot(db, { adminIds: [ADMIN], clock, flood: { limit: 100, windowMs: 1000 } });
    const admin = h.tg.user({ id: ADMIN, language_code: "ru" });
    cashier = h.tg.user({ first_name: "Касса", language_code: "ru" });
    admin.send(`/staff_invite ${storeId}`);
    const link = /start=(staff_[\w-]+)/.exec((await admin.reply()).text ?? "")?.[1] ?? "";
    cashier.openDeepLink(link);
    await cashier.reply();
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  /** A German-speaking shopper joins through the bot, pressing the buttons an English client shows. */
  async function germanShopper() {
    const u = h.tg.user({ first_name: "Jonas", language_code: "de" });
    u.send("/start");
    await u.reply();
    u.click("✅ I agree");
    await u.reply();
    u.press("📱 Share my number");
    await u.reply();
    u.click("Yes, right");
    await u.reply();
    u.click("Skip");
    await u.replies(2);
    const m = await h.services.members.find({ telegramId: u.id });
    if (!m) throw new Error("not enrolled");
    return { u, m };
  }

  it("When a shopper's Telegram speaks German, then every message, pushes included, is in English", async () => {
    const { u, m } = await germanShopper();
    expect(m.language).toBe("en");
    u.listen();
    cashier.send(`/purchase ${m.memberCode} 2500 DE-1`);
    await cashier.reply();
    expect((await u.reply()).text).toBe("+75 points for a purchase at “Kopilka Tverskaya”. Balance: 175 points.");
    u.listen();
    cashier.send(`/spend ${m.memberCode} 50 1000 DE-2`);
    await cashier.reply();
    expect((await u.reply()).text).toMatch(
      /^“Kopilka Tverskaya” asks to spend 50 points on a receipt of .*1,000\b.*Please confirm within 2 minutes\.$/,
    );
  });

  it("When a cashier sets English, then the outcome of a spend reaches them in English", async () => {
    const { u, m } = await germanShopper();
    cashier.send("/language");
    await cashier.reply();
    cashier.click("🇬🇧 English");
    expect((await cashier.reply()).text).toBe("Language: English.");
    u.listen();
    cashier.send(`/spend ${m.memberCode} 30 1000 EN-1`);
    expect((await cashier.reply()).text).toMatch(/went to the shopper/);
    await u.reply();
    cashier.listen();
    u.click("✅ Confirm");
    expect((await cashier.reply()).text).toMatch(/^✅ The shopper confirmed: 30 points spent on receipt EN-1/);
    cashier.click("🇷🇺 Русский"); // the picker is still on screen: back to Russian for the other tests
    await cashier.reply();
  });

  it("When the shopper presses ❌ after ✅, then a toast says it was answered and nobody gets a second message", async () => {
    const { u, m } = await germanShopper();
    u.listen();
    cashier.send(`/spend ${m.memberCode} 20 1000 TWICE-1`);
    await cashier.reply();
    const ask = await u.reply();
    const decline = (ask.reply_markup?.inline_keyboard as { callback_data: string }[][])[0]?.[1]?.callback_data;
    cashier.listen();
    u.click("✅ Confirm");
    await cashier.reply();
    await h.idle();
    const balance = (await h.services.members.get({ id: m.id })).balance;
    const sends = h.tg.calls.filter((c) => c.method === "sendMessage").length;
    // The prompt's buttons are gone; a client that still shows them (old copy) sends the press anyway.
    h.tg.pushUpdate({
      callback_query: {
        id: "late-1",
        from: u.from,
        message: ask,
        chat_instance: String(u.id),
        data: decline,
      },
    });
    await waitFor(() => h.tg.callbackAnswers.some((a) => a.callback_query_id === "late-1"));
    expect(h.tg.callbackAnswers.find((a) => a.callback_query_id === "late-1")?.text).toBe(
      "You have already answered this request",
    );
    await h.idle();
    expect(h.tg.calls.filter((c) => c.method === "sendMessage").length).toBe(sends);
    expect((await h.services.members.get({ id: m.id })).balance).toBe(balance);
  });

  it("When a forged ✅ names no request, then a toast says so and no error code is shown", async () => {
    const { u } = await germanShopper();
    const sends = h.tg.calls.filter((c) => c.method === "sendMessage").length;
    h.tg.pushUpdate({
      callback_query: {
        id: "forged-1",
        from: u.from,
        message: u.inbox.at(-1),
        chat_instance: String(u.id),
        data: "spend:yes:not-a-real-request",
      },
    });
    await waitFor(() => h.tg.callbackAnswers.some((a) => a.callback_query_id === "forged-1"));
    expect(h.tg.callbackAnswers.find((a) => a.callback_query_id === "forged-1")?.text).toBe(
      "This request is no longer valid",
    );
    await h.idle();
    expect(h.tg.calls.filter((c) => c.method === "sendMessage").length).toBe(sends);
    expect(u.inbox.every((x) => !/\{error-/.test(x.text ?? ""))).toBe(true);
  });
});
