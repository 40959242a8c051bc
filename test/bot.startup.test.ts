import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../app/db/database.js";
import { checkedJson } from "./support/api-contract.js";
import { startBot } from "./support/bot-harness.js";
import { freePort, startApp as start, stopped } from "./support/process.js";
import { FakeTelegram } from "./support/telegram-server.js";
import { acceptEnrollment, waitFor } from "./support/wait.js";

/**
 * The bot started exactly as a user starts it — `npm start` with environment
 * variables — against the fake Bot API, on an embedded PGlite folder.
 */
describe("npm start", () => {
  let tg: FakeTelegram;
  let dir: string;
  beforeAll(async () => {
    tg = new FakeTelegram();
    await tg.start();
    dir = mkdtempSync(join(tmpdir(), "kopilka-start-"));
  });
  afterAll(async () => {
    await tg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("polls, registers ru/en commands, enrolls a shopper end to end, and stops cleanly on Ctrl-C", async () => {
    const app = start({
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      DATA_DIR: join(dir, "db"),
      PORT: String(await freePort()),
      HOST: "127.0.0.1",
    });
    await app.ready;
    expect(tg.commands.map((c) => c.language_code ?? "default")).toEqual(["default", "en"]);
    expect(tg.commands[0]?.commands.map((c: { command: string }) => c.command)).toContain("card");
    expect(tg.commands[1]?.commands.find((c: { command: string }) => c.command === "card")?.description).toBe(
      "Card, balance and tier",
    );

    const u = tg.user({ first_name: "Олег", language_code: "ru" });
    u.send("/start");
    await u.reply(15_000);
    await acceptEnrollment(u);
    const [done, card] = await u.replies(2);
    expect(done?.text).toMatch(/Готово, Олег!/);
    expect(card?.caption).toMatch(/Баланс: 100 баллов/);

    await stopped(app.child);
    expect(app.output()).toMatch(/"signal":"SIGINT".*shutting down[\s\S]*"msg":"stopped"/);
    // The member is in the data folder the process used.
    const db = await openDatabase({ dataDir: join(dir, "db") });
    try {
      const m = await db.prisma.member.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } });
      expect(m).toMatchObject({ firstName: "Олег", balance: 100 });
    } finally {
      await db.close();
    }
  }, 60_000);

  it("serves a webhook registered with a secret token and refuses requests without it", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/telegram/webhook`;
    const app = start({
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      DATA_DIR: join(dir, "db2"),
      PORT: String(port),
      HOST: "127.0.0.1",
      WEBHOOK_URL: url,
      WEBHOOK_SECRET: "s3cret-token_42",
    });
    try {
      await app.ready;
      const set = tg.calls.filter((c) => c.method === "setWebhook").at(-1)?.payload;
      expect(set).toMatchObject({ url, secret_token: "s3cret-token_42" });

      const u = tg.user({ first_name: "Web", language_code: "en" });
      u.send("/help");
      expect((await u.reply(10_000)).text).toMatch(/loyalty program/);
      await waitFor(() => tg.webhookDeliveries.length > 0);
      expect(tg.webhookDeliveries.map((d) => d.status)).toEqual([200]);

      const forged = {
        update_id: 999_999,
        message: { message_id: 1, date: 0, chat: { id: u.id, type: "private" }, from: u.from, text: "/help" },
      };
      for (const headers of [{}, { "x-telegram-bot-api-secret-token": "wrong" }] as Record<string, string>[]) {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(forged),
        });
        expect(res.status).toBe(401);
      }
      expect(u.inbox).toHaveLength(1);
    } finally {
      await stopped(app.child, "SIGTERM");
      expect(app.output()).toMatch(/"signal":"SIGTERM".*shutting down[\s\S]*"msg":"stopped"/);
    }
  }, 60_000);
});

describe("a restart in the middle of enrollment", () => {
  it("resumes the conversation where the shopper was", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kopilka-restart-"));
    const tg = new FakeTelegram();
    await tg.start();
    let db = await openDatabase({ dataDir: dir });
    let h = await startBot(db, { telegram: tg });
    const u = tg.user({ first_name: "Пётр", language_code: "ru" });
    u.send("/start");
    await u.reply();
    u.click("✅ Согласен(на)");
    await u.reply();
    // Stop the bot (runner and database) but keep Telegram, then start afresh.
    await h.stop().catch(() => {});
    await db.close();
    db = await openDatabase({ dataDir: dir });
    h = await startBot(db, { telegram: tg });
    u.press("📱 Поделиться номером");
    expect((await u.reply()).text).toBe("Как к вам обращаться: Пётр?");
    u.click("Да, верно");
    await u.reply();
    u.click("Пропустить");
    expect((await u.replies(2))[0]?.text).toMatch(/Готово, Пётр!/);
    expect((await db.prisma.member.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } })).phone).toBe(u.phone);
    await h.stop();
    await db.close();
    await tg.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});

describe("npm start when something is wrong", () => {
  it("When a variable is invalid, then it says which and why, without a stack trace, and exits non-zero", async () => {
    const app = start({ BOT_TOKEN: "not-a-token", TELEGRAM_GLOBAL_RPS: "fast", DATA_DIR: "memory://" });
    expect(await app.exited).toBe(2);
    const out = app.output();
    expect(out).toMatch(/invalid configuration:/);
    expect(out).toMatch(/BOT_TOKEN: must look like 123456:ABC/);
    expect(out).toMatch(/TELEGRAM_GLOBAL_RPS: /);
    expect(out).not.toMatch(/\n\s+at /); // no stack
  }, 30_000);

  it("When the Bot API cannot be reached, then the log says so and the POS API answers meanwhile", async () => {
    const port = await freePort();
    const dead = await freePort(); // nothing listens there
    const app = start({
      BOT_TOKEN: "123456789:TEST-kopilka-token-abcdefghijklmnop",
      TELEGRAM_API_ROOT: `http://127.0.0.1:${dead}`,
      DATA_DIR: "memory://",
      PORT: String(port),
      HOST: "127.0.0.1",
    });
    try {
      await app.listening;
      const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      expect(health.status).toBe(200);
      await checkedJson("GET", "/health", health);
      await waitFor(() => /Telegram Bot API unreachable; retrying in \d+ s/.test(app.output()), 15_000);
    } finally {
      await stopped(app.child);
    }
  }, 30_000);
});
