import { subDays } from "date-fns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { enrollShopper, startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock } from "../support/fixtures.js";
import { waitFor } from "../support/wait.js";

describe.each(testDatabases)("POST /purchases over HTTP on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let keyA: string;
  let keyHistory: string;
  let storeA: number;
  let storeB: number;
  const clock = testClock(new Date("2026-06-15T12:00:00Z"));

  beforeAll(async () => {
    db = await open();
    h = await startApi(db, { clock });
    storeA = (await createStore(db, { name: "A" })).id;
    storeB = (await createStore(db, { name: "B" })).id;
    keyA = (await h.services.apiKeys.create(storeA)).key;
    keyHistory = (await h.services.apiKeys.create(storeA, { importHistory: true })).key;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  it("When a purchase is posted and replayed, then the replay answers the same and other details are a conflict", async () => {
    const { user, code } = await enrollShopper(h);
    const body = { memberCode: code, receiptId: "P-1", amount: 250_000 };
    const first = await h.call("POST", "/purchases", { key: keyA, body });
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
    const again = await h.call("POST", "/purchases", { key: keyA, body });
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const conflict = await h.call("POST", "/purchases", { key: keyA, body: { ...body, amount: 1 } });
    expect(conflict).toMatchObject({ status: 409, json: { error: { code: "PURCHASE.RECEIPT_CONFLICT" } } });
    // The shopper heard about it in Telegram.
    await waitFor(() => user.inbox.some((m) => m.text === "+75 баллов за покупку в «A». Баланс: 175 баллов."));
  });

  it("When 50 identical posts race, then there is exactly one accrual and 50 identical answers", async () => {
    const { phone } = await enrollShopper(h);
    const body = {
      phone,
      receiptId: "P-race",
      amount: 100_000,
      items: [{ sku: "cof-1", category: "coffee", amount: 60_000 }],
    };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => h.call("POST", "/purchases", { key: keyA, body })),
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

  it("When the input is bad, then the answer is clear and nothing changes", async () => {
    const { code, phone } = await enrollShopper(h);
    const before = await db.prisma.purchase.count();
    const bad: [unknown, number, string][] = [
      [{ memberCode: code, receiptId: "x", amount: "100" }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "x", amount: -5 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "x", amount: 1.5 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "x", amount: 1_000_000_001 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "", amount: 100 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, receiptId: "x".repeat(65), amount: 100 }, 400, "VALIDATION.FAILED"],
      [{ memberCode: code, phone, receiptId: "x", amount: 100 }, 400, "VALIDATION.FAILED"],
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
      [
        {
          memberCode: code,
          receiptId: "x",
          amount: 100,
          items: [
            { sku: "a", category: "b", amount: 60 },
            { sku: "c", category: "b", amount: 41 },
          ],
        },
        422,
        "PURCHASE.ITEMS_EXCEED_AMOUNT",
      ],
      [
        { memberCode: code, receiptId: "x", amount: 100, items: [{ sku: " ", category: "b", amount: 1 }] },
        400,
        "VALIDATION.FAILED",
      ],
      [
        { memberCode: code, receiptId: "x", amount: 100, items: [{ sku: "a", category: "", amount: 1 }] },
        400,
        "VALIDATION.FAILED",
      ],
      [
        { memberCode: code, receiptId: "x", amount: 100, items: [{ sku: "a", category: "b", amount: 0 }] },
        400,
        "VALIDATION.FAILED",
      ],
      [
        { memberCode: code, receiptId: "x", amount: 100, items: [{ sku: "a", category: "b", amount: 1.5 }] },
        400,
        "VALIDATION.FAILED",
      ],
      [
        { memberCode: code, receiptId: "x", amount: 100, items: [{ sku: "a", category: "b" }] },
        400,
        "VALIDATION.FAILED",
      ],
      [
        { memberCode: code, receiptId: "x", amount: 100, items: [{ sku: "a", category: "b", amount: 1, price: 1 }] },
        400,
        "VALIDATION.FAILED",
      ],
      [
        { memberCode: code, receiptId: "x", amount: 100, items: [{ sku: "a".repeat(65), category: "b", amount: 1 }] },
        400,
        "VALIDATION.FAILED",
      ],
    ];
    for (const [body, status, errCode] of bad) {
      const r = await h.call("POST", "/purchases", { key: keyA, body });
      expect({ body, status: r.status, code: r.json.error?.code }).toEqual({ body, status, code: errCode });
    }
    expect(await h.call("POST", "/purchases", { key: keyA, raw: "{not json" })).toMatchObject({
      status: 400,
      json: { error: { code: "VALIDATION.MALFORMED_JSON" } },
    });
    const huge = await h.call("POST", "/purchases", {
      key: keyA,
      raw: JSON.stringify({ pad: "x".repeat(300_000) }),
      headers: { connection: "close" }, // the server stops reading at the limit
    });
    expect(huge).toMatchObject({ status: 413, json: { error: { code: "VALIDATION.TOO_LARGE" } } });
    expect(
      await h.call("POST", "/purchases", { key: keyA, raw: "{}", headers: { "content-type": "text/plain" } }),
    ).toMatchObject({ status: 415, json: { error: { code: "VALIDATION.UNSUPPORTED_MEDIA_TYPE" } } });
    expect(await db.prisma.purchase.count()).toBe(before);
    expect(await db.prisma.purchaseItem.count({ where: { purchase: { receiptId: "x" } } })).toBe(0);
  });

  it("When the service is called with blank or over-the-receipt lines, then nothing is written", async () => {
    const { code } = await enrollShopper(h);
    const before = { p: await db.prisma.purchase.count(), i: await db.prisma.purchaseItem.count() };
    const call = (items: { sku: string; category: string; amountKopecks: number }[]) =>
      h.services.purchases.recordPurchase({
        storeId: storeA,
        member: { memberCode: code },
        receiptId: "svc-1",
        amountKopecks: 100,
        items,
      });
    await expect(call([{ sku: "  ", category: "b", amountKopecks: 1 }])).rejects.toMatchObject({
      code: "INPUT.INVALID",
    });
    await expect(call([{ sku: "a", category: "b", amountKopecks: -1 }])).rejects.toMatchObject({
      code: "INPUT.INVALID_AMOUNT",
    });
    await expect(
      call([
        { sku: "a", category: "b", amountKopecks: 70 },
        { sku: "a", category: "b", amountKopecks: 31 },
      ]),
    ).rejects.toMatchObject({
      code: "PURCHASE.ITEMS_EXCEED_AMOUNT",
    });
    expect({ p: await db.prisma.purchase.count(), i: await db.prisma.purchaseItem.count() }).toEqual(before);
    // Lines that cover part of the receipt are fine: the rest earns by the store's economics.
    const ok = await call([{ sku: "a", category: "b", amountKopecks: 40 }]);
    expect(ok.replay).toBe(false);
  });

  it("When a string holds a NUL or another control character, then it is a 400 and nothing is posted", async () => {
    const { code } = await enrollShopper(h);
    const before = await db.prisma.purchase.count();
    for (const body of [
      { memberCode: code, receiptId: "R\u0000-1", amount: 100 },
      { memberCode: code, receiptId: "R-\u001b[2J", amount: 100 },
      { memberCode: code, receiptId: "R-2", amount: 100, items: [{ sku: "a\u007f", category: "b", amount: 100 }] },
      { memberCode: code, receiptId: "R-3", amount: 100, ["\u0000"]: 1 },
    ]) {
      const r = await h.call("POST", "/purchases", { key: keyA, body });
      expect(r).toMatchObject({ status: 400, json: { error: { code: "VALIDATION.CONTROL_CHARACTER" } } });
    }
    expect(await db.prisma.purchase.count()).toBe(before);
  });

  describe("the purchase time `at`", () => {
    const at = (d: Date) => d.toISOString();

    it("When `at` is 1970, year 0001, 8 days back or 6 minutes ahead, then it is a 422 naming the field and nothing is posted", async () => {
      const { code } = await enrollShopper(h);
      const now = clock.now();
      const before = await db.prisma.purchase.count();
      for (const when of [
        "1970-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        at(subDays(now, 8)),
        at(new Date(now.getTime() + 6 * 60_000)),
      ]) {
        for (const key of when.startsWith("0001") || when.startsWith("1970") ? [keyA, keyHistory] : [keyA]) {
          const r = await h.call("POST", "/purchases", {
            key,
            body: { memberCode: code, receiptId: `AT-${when}`, amount: 100_000, at: when },
          });
          expect({ when, status: r.status, code: r.json.error?.code, field: r.json.error?.details?.field }).toEqual({
            when,
            status: 422,
            code: "INPUT.INVALID",
            field: "at",
          });
        }
      }
      expect(await db.prisma.purchase.count()).toBe(before);
    });

    it("When `at` is within the window (7 days back to 5 minutes ahead), then the purchase is posted at that time", async () => {
      const { code } = await enrollShopper(h);
      const now = clock.now();
      for (const [i, when] of [subDays(now, 7), new Date(now.getTime() + 5 * 60_000)].entries()) {
        const r = await h.call("POST", "/purchases", {
          key: keyA,
          body: { memberCode: code, receiptId: `AT-ok-${i}`, amount: 100_000, at: at(when) },
        });
        expect(r).toMatchObject({ status: 201, json: { at: at(when) } });
      }
    });

    it("When a purchase near the window's edge is replayed after the window moved on, then it answers as before", async () => {
      const { code } = await enrollShopper(h);
      const body = { memberCode: code, receiptId: "AT-edge", amount: 100_000, at: at(subDays(clock.now(), 6)) };
      const first = await h.call("POST", "/purchases", { key: keyA, body });
      expect(first.status).toBe(201);
      const start = clock.now();
      clock.advanceDays(3);
      try {
        const replay = await h.call("POST", "/purchases", { key: keyA, body });
        expect(replay).toMatchObject({ status: 201, json: first.json });
        expect(replay.headers.get("idempotent-replayed")).toBe("true");
        expect(
          await h.call("POST", "/purchases", { key: keyA, body: { ...body, receiptId: "AT-edge-2" } }),
        ).toMatchObject({ status: 422, json: { error: { code: "INPUT.INVALID" } } });
      } finally {
        clock.set(start);
      }
    });

    it("When a purchase is dated 364 days back, then a plain key is refused and a member stays Base; a key allowed to import history posts it", async () => {
      const { code } = await enrollShopper(h);
      const body = { memberCode: code, receiptId: "AT-old", amount: 2_000_000, at: at(subDays(clock.now(), 364)) };
      expect(await h.call("POST", "/purchases", { key: keyA, body })).toMatchObject({
        status: 422,
        json: { error: { code: "INPUT.INVALID", details: { field: "at" } } },
      });
      const next = await h.call("POST", "/purchases", {
        key: keyA,
        body: { memberCode: code, receiptId: "AT-next", amount: 100_000 },
      });
      expect(next.json).toMatchObject({ tier: "base", rateBp: 300 });
      expect(await h.call("POST", "/purchases", { key: keyHistory, body })).toMatchObject({
        status: 201,
        json: { at: body.at },
      });
    });
  });

  it("When a shopper deleted their data, then replaying an earlier receipt answers as before but a new purchase is 404", async () => {
    const { code, phone, member } = await enrollShopper(h);
    const byCode = { memberCode: code, receiptId: "DEL-1", amount: 100_000 };
    const byPhone = { phone, receiptId: "DEL-2", amount: 100_000 };
    const first = await h.call("POST", "/purchases", { key: keyA, body: byCode });
    const second = await h.call("POST", "/purchases", { key: keyA, body: byPhone });
    expect([first.status, second.status]).toEqual([201, 201]);
    await h.services.members.deleteData(member.id);

    const replay = await h.call("POST", "/purchases", { key: keyA, body: byCode });
    expect(replay).toMatchObject({ status: 201, json: first.json });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    // The phone was erased with the data; the receipt still names the member.
    expect(await h.call("POST", "/purchases", { key: keyA, body: byPhone })).toMatchObject({
      status: 201,
      json: second.json,
    });
    expect(await h.call("POST", "/purchases", { key: keyA, body: { ...byCode, receiptId: "DEL-3" } })).toMatchObject({
      status: 404,
      json: { error: { code: "MEMBER.NOT_FOUND" } },
    });
    expect(await h.call("POST", "/purchases", { key: keyA, body: { ...byPhone, receiptId: "DEL-4" } })).toMatchObject({
      status: 404,
      json: { error: { code: "MEMBER.NOT_FOUND" } },
    });
    expect(await db.prisma.purchase.count({ where: { memberId: member.id } })).toBe(2);
  });
});
