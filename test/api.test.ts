import type { ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp, listen } from "../api/server.js";
import type { Database } from "../app/db/database.js";
import { startBot } from "./support/bot-harness.js";
import { testDatabases } from "./support/databases.js";
import { createStore } from "./support/fixtures.js";
import type { SimUser } from "./support/telegram-server.js";
import { waitFor } from "./support/wait.js";

describe.each(testDatabases)("POS API over HTTP on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let server: ServerType;
  let base: string;
  let keyA: string;
  let keyB: string;
  let keyTrusted: string;
  let storeA: number;
  let storeB: number;
  let shopper: SimUser;
  let code: string;

  beforeAll(async () => {
    db = await open();
    h = await startBot(db);
    storeA = (await createStore(db, { name: "A" })).id;
    storeB = (await createStore(db, { name: "B" })).id;
    const trusted = (await createStore(db, { name: "T", trustedPos: true })).id;
    keyA = (await h.services.apiKeys.create(storeA)).key;
    keyB = (await h.services.apiKeys.create(storeB)).key;
    keyTrusted = (await h.services.apiKeys.create(trusted)).key;
    const app = createHttpApp({ services: h.services });
    const l = await listen(app, 0, "127.0.0.1");
    server = l.server;
    base = `http://127.0.0.1:${l.port}/api/v1`;
    shopper = h.tg.user({ first_name: "Ольга", language_code: "ru" });
    code = (
      await h.services.members.enroll({
        telegramId: shopper.id,
        chatId: shopper.id,
        phone: shopper.phone,
        firstName: "Ольга",
      })
    ).memberCode;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await h?.stop();
    await db?.close();
  });

  const call = async (
    method: string,
    path: string,
    opts: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        "content-type": "application/json",
        ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
        ...opts.headers,
      },
      ...(opts.raw !== undefined
        ? { body: opts.raw }
        : opts.body !== undefined
          ? { body: JSON.stringify(opts.body) }
          : {}),
    });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it("health and the OpenAPI document need no key; everything else does", async () => {
    expect(await call("GET", "/health")).toMatchObject({ status: 200, json: { status: "ok" } });
    const doc = await call("GET", "/openapi.json");
    expect(doc.json.openapi).toBe("3.1.0");
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining(["/purchases", "/returns", "/redemptions", "/members/{memberCode}"]),
    );
    expect(
      doc.json.paths["/purchases"].post.requestBody.content["application/json"].schema.properties.amount.type,
    ).toBe("integer");
    for (const key of [undefined, "kp_nope", keyA.slice(0, -1)]) {
      const r = await call("POST", "/purchases", { ...(key ? { key } : {}), body: {} });
      expect(r).toMatchObject({ status: 401, json: { error: { code: "AUTH.INVALID_KEY" } } });
    }
  });

  it("posts a purchase; a replay answers the same; other details are a conflict", async () => {
    const body = { memberCode: code, receiptId: "P-1", amount: 250_000 };
    const first = await call("POST", "/purchases", { key: keyA, body });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      storeId: storeA,
      receiptId: "P-1",
      amount: 250_000,
      points: 75,
      tier: "base",
      balance: 175,
    });
    expect(first.headers.get("idempotent-replayed")).toBe("false");
    const again = await call("POST", "/purchases", { key: keyA, body });
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const conflict = await call("POST", "/purchases", { key: keyA, body: { ...body, amount: 1 } });
    expect(conflict).toMatchObject({ status: 409, json: { error: { code: "PURCHASE.RECEIPT_CONFLICT" } } });
    // The shopper heard about it in Telegram.
    await waitFor(() => shopper.inbox.some((m) => m.text === "+75 баллов за покупку в «A». Баланс: 175 баллов."));
  });

  it("50 concurrent identical posts make exactly one accrual and 50 identical answers", async () => {
    const body = {
      phone: shopper.phone,
      receiptId: "P-race",
      amount: 100_000,
      items: [{ sku: "cof-1", category: "coffee", amount: 60_000 }],
    };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => call("POST", "/purchases", { key: keyA, body })),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(results.map((r) => JSON.stringify(r.json))).size).toBe(1);
    expect(results.filter((r) => r.headers.get("idempotent-replayed") === "false")).toHaveLength(1);
    const purchase = await db.prisma.purchase.findFirstOrThrow({
      where: { receiptId: "P-race" },
      include: { items: true },
    });
    expect(await db.prisma.ledgerEntry.count({ where: { purchaseId: purchase.id } })).toBe(1);
    expect(purchase.items).toHaveLength(1);
  });

  it("bad input gets a clear answer and changes nothing", async () => {
    const before = await db.prisma.purchase.count();
    const bad: [unknown, number, string][] = [
      [{ memberCode: code, receiptId: "x", amount: "100" }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "x", amount: -5 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "x", amount: 1.5 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "x", amount: 1_000_000_001 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "", amount: 100 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "x".repeat(65), amount: 100 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, phone: shopper.phone, receiptId: "x", amount: 100 }, 400, "VALIDATION.FAILED"],
      [{ receiptId: "x", amount: 100 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "x", amount: 100, extra: 1 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: "00000000", receiptId: "x", amount: 100 }, 404, "MEMBER.NOT_FOUND"],
      [{ memberCode: code, receiptId: "x", amount: 100, storeId: storeB }, 403, "AUTH.WRONG_STORE"],
      [{ memberCode: code, receiptId: "x", amount: 100, at: "2999-01-01T00:00:00Z" }, 422, "INPUT.INVALID"],
      [
        { memberCode: code, receiptId: "x", amount: 100, items: [{ sku: "a", category: "b", amount: 101 }] },
        422,
        "PURCHASE.ITEMS_EXCEED_AMOUNT",
      ],
    ];
    for (const [body, status, errCode] of bad) {
      const r = await call("POST", "/purchases", { key: keyA, body });
      expect({ body, status: r.status, code: r.json.error?.code }).toEqual({ body, status, code: errCode });
      expect(typeof r.json.error.message).toBe("string");
    }
    expect(await call("POST", "/purchases", { key: keyA, raw: "{not json" })).toMatchObject({
      status: 400,
      json: { error: { code: "VALIDATION.MALFORMED_JSON" } },
    });
    const huge = await call("POST", "/purchases", {
      key: keyA,
      raw: JSON.stringify({ pad: "x".repeat(300_000) }),
      headers: { connection: "close" }, // the server stops reading at the limit
    });
    expect(huge).toMatchObject({ status: 413, json: { error: { code: "VALIDATION.TOO_LARGE" } } });
    expect(await db.prisma.purchase.count()).toBe(before);
  });

  it("returns: need an id, reverse proportionally, replay safely, refuse too much", async () => {
    await call("POST", "/purchases", { key: keyA, body: { memberCode: code, receiptId: "P-ret", amount: 200_000 } }); // +60
    expect(await call("POST", "/returns", { key: keyA, body: { receiptId: "P-ret", amount: 100_000 } })).toMatchObject({
      status: 400,
    });
    const r = await call("POST", "/returns", {
      key: keyA,
      body: { receiptId: "P-ret", amount: 100_000 },
      headers: { "idempotency-key": "RET-9" },
    });
    expect(r).toMatchObject({ status: 201, json: { pointsReversed: 30, pointsRefunded: 0 } });
    const again = await call("POST", "/returns", {
      key: keyA,
      body: { receiptId: "P-ret", amount: 100_000, returnId: "RET-9" },
    });
    expect(again.json).toEqual(r.json);
    expect(
      await call("POST", "/returns", { key: keyA, body: { receiptId: "P-ret", amount: 100_001, returnId: "RET-10" } }),
    ).toMatchObject({
      status: 422,
      json: { error: { code: "RETURN.EXCEEDS_PURCHASE" } },
    });
    // Store B cannot return store A's receipt.
    expect(
      await call("POST", "/returns", { key: keyB, body: { receiptId: "P-ret", amount: 1, returnId: "x" } }),
    ).toMatchObject({
      status: 404,
    });
  });

  it("redemptions: quote, then a spend the shopper confirms in Telegram while the POS polls", async () => {
    const quote = await call("POST", "/redemptions", {
      key: keyA,
      body: { memberCode: code, receiptId: "S-1", receiptAmount: 100_000, confirm: false },
    });
    expect(quote.status).toBe(200);
    expect(quote.json.receiptCapPoints).toBe(300);
    const balance = quote.json.balance as number;
    expect(quote.json.maxPoints).toBe(Math.min(300, balance));

    await h.idle(); // earlier purchases' notices (and the Silver one) have gone out
    shopper.listen();
    const pending = await call("POST", "/redemptions", {
      key: keyA,
      body: { memberCode: code, receiptId: "S-1", receiptAmount: 100_000, points: 40, confirm: true },
    });
    expect(pending).toMatchObject({ status: 202, json: { status: "pending", points: 40 } });
    const poll = pending.json.poll as string;
    expect((await call("GET", poll.replace("/api/v1", ""), { key: keyA })).json.status).toBe("pending");
    expect((await call("GET", poll.replace("/api/v1", ""), { key: keyB })).status).toBe(404);
    expect((await shopper.reply()).text).toMatch(/«A» просит списать 40 баллов/);
    shopper.click("✅ Подтверждаю");
    await waitFor(
      async () => (await call("GET", poll.replace("/api/v1", ""), { key: keyA })).json.status === "confirmed",
    );
    expect((await db.prisma.member.findFirstOrThrow({ where: { memberCode: code } })).balance).toBe(balance - 40);

    const tooMuch = await call("POST", "/redemptions", {
      key: keyA,
      body: { memberCode: code, receiptId: "S-2", receiptAmount: 10_000, points: 31, confirm: true },
    });
    expect(tooMuch).toMatchObject({ status: 422, json: { error: { code: "REDEMPTION.CAP_EXCEEDED" } } });
  });

  it("a trusted POS spends at once; member status is readable", async () => {
    const r = await call("POST", "/redemptions", {
      key: keyTrusted,
      body: { phone: shopper.phone, receiptId: "T-1", receiptAmount: 100_000, points: 10, confirm: true },
      headers: { "idempotency-key": "spend-T-1" },
    });
    expect(r).toMatchObject({ status: 201, json: { status: "confirmed", points: 10 } });
    const again = await call("POST", "/redemptions", {
      key: keyTrusted,
      body: { phone: shopper.phone, receiptId: "T-1", receiptAmount: 100_000, points: 10, confirm: true },
      headers: { "idempotency-key": "spend-T-1" },
    });
    expect(again.json.id).toBe(r.json.id);
    expect(await db.prisma.ledgerEntry.count({ where: { redemptionId: r.json.id } })).toBe(1);
    const m = await call("GET", `/members/${code}`, { key: keyB });
    expect(m).toMatchObject({
      status: 200,
      json: { memberCode: code, name: "Ольга", status: "active", tier: { code: "base" } },
    });
    expect(m.json.visitsInWindow).toBeGreaterThanOrEqual(3);
    expect((await call("GET", "/members/00000000", { key: keyB })).status).toBe(404);
    expect((await call("GET", "/members/abc", { key: keyB })).status).toBe(400);
  });
});
