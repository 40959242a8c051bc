import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { Agent as HttpsAgent, createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, GrammyError, HttpError, InputFile } from "grammy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderCardImage } from "../../bot/card-image.js";
import { telegramFetch } from "../../bot/telegram-fetch.js";
import { freePort } from "../support/process.js";
import { FakeTelegram } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";

/**
 * The HTTP client every Bot API call goes through (bot/telegram-fetch.ts), as
 * grammY drives it: answers, Telegram's refusals, an unreachable server, an
 * aborted long poll, an upload, kept-alive connections, and HTTPS.
 */
describe("the Bot API client", () => {
  let tg: FakeTelegram;
  let api: Api;
  beforeEach(async () => {
    tg = new FakeTelegram();
    api = new Api(tg.token, { apiRoot: await tg.start(), fetch: telegramFetch() });
  });
  afterEach(async () => {
    await tg.stop();
  });

  it("When Telegram answers, then the call returns its result", async () => {
    const u = tg.user();
    const sent = await api.sendMessage(u.id, "Привет, мир");
    expect(sent.text).toBe("Привет, мир");
    expect((await u.reply()).text).toBe("Привет, мир");
  });

  it("When Telegram refuses with an error status, then its JSON answer becomes a GrammyError", async () => {
    const u = tg.user();
    tg.failNext("sendMessage", 429, "Too Many Requests: retry after 3", { retry_after: 3 });
    const e = await api.sendMessage(u.id, "x").catch((err: unknown) => err);
    expect(e).toBeInstanceOf(GrammyError);
    expect(e).toMatchObject({ error_code: 429, parameters: { retry_after: 3 } });
  });

  it("When the Bot API cannot be reached, then the call fails as an HttpError", async () => {
    const closed = new Api(tg.token, { apiRoot: `http://127.0.0.1:${await freePort()}`, fetch: telegramFetch() });
    await expect(closed.getMe()).rejects.toBeInstanceOf(HttpError);
  });

  it("When grammY's signal aborts a long poll, then the call ends without waiting for Telegram", async () => {
    const controller = new AbortController();
    const poll = api
      .getUpdates({ timeout: 50 }, controller.signal as Parameters<Api["getUpdates"]>[1])
      .catch((err: unknown) => err);
    await waitFor(() => tg.calls.some((c) => c.method === "getUpdates"));
    controller.abort();
    // The fake would hold the poll 50 s: it ends now, or the test times out.
    expect(await poll).toBeInstanceOf(HttpError);
  });

  it("When a picture is uploaded, then Telegram receives every byte of it", async () => {
    const u = tg.user();
    const png = await renderCardImage("12345678");
    const sent = await api.sendPhoto(u.id, new InputFile(png, "card.png"), { caption: "Карта" });
    const largest = sent.photo.at(-1)?.file_id ?? "";
    expect(tg.photos.get(largest)?.content.equals(png)).toBe(true);
    expect(sent.caption).toBe("Карта");
  });

  it("When calls follow one another, then they share one kept-alive connection", async () => {
    let connections = 0;
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on("end", () => res.end(JSON.stringify({ ok: true, result: true })));
    });
    server.on("connection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const local = new Api("1:t", {
        apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        fetch: telegramFetch(),
      });
      for (let i = 0; i < 3; i++) expect(await local.deleteWebhook()).toBe(true);
      expect(connections).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("When the Bot API is served over HTTPS (as api.telegram.org is), then the call is answered the same", async () => {
    // A certificate of our own for 127.0.0.1 (not "localhost", which may resolve to ::1 first), trusted by
    // this call's agent only.
    const dir = mkdtempSync(join(tmpdir(), "kopilka-tls-"));
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "ignore" },
    );
    const tls = { key: readFileSync(key), cert: readFileSync(cert) };
    rmSync(dir, { recursive: true, force: true });
    const server = createHttpsServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const got: unknown = JSON.parse(Buffer.concat(chunks).toString());
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ ok: true, result: { path: req.url, got } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const answer = await telegramFetch()(
        `https://127.0.0.1:${(server.address() as AddressInfo).port}/bot1:t/sendMessage`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ chat_id: 1, text: "Привет" }),
          agent: new HttpsAgent({ ca: tls.cert }),
        } as RequestInit,
      );
      expect(await answer.json()).toEqual({
        ok: true,
        result: { path: "/bot1:t/sendMessage", got: { chat_id: 1, text: "Привет" } },
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
