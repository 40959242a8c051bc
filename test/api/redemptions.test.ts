import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { enrollShopper, startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore } from "../support/fixtures.js";
import { waitFor } from "../support/wait.js";

describe.each(testDatabases)("POST /redemptions and GET /redemptions/{id} over HTTP on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let keyA: string;
  let keyB: string;
  let keyT1: string;
  let keyT1b: string;
  let keyT3: string;

  beforeAll(async () => {
    db = await open();
    h = await startApi(db);
    const storeA = (await createStore(db, { name: "A" })).id;
    const storeB = (await createStore(db, { name: "B" })).id;
    const trusted1 = (await createStore(db, { name: "T1", trustedPos: true })).id;
    const trusted3 = (await createStore(db, { name: "T3", trustedPos: true })).id;
    keyA = (await h.services.apiKeys.create(storeA)).key;
    keyB = (await h.services.apiKeys.create(storeB)).key;
    keyT1 = (await h.services.apiKeys.create(trusted1)).key;
    keyT1b = (await h.services.apiKeys.create(trusted1)).key;
    keyT3 = (await h.services.apiKeys.create(trusted3)).key;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  const balanceOf = async (code: string) =>
    (await db.prisma.member.findFirstOrThrow({ where: { memberCode: code } })).balance;

  it("When the POS quotes and then spends, then the shopper confirms in Telegram while the POS polls", async () => {
    const { user, code } = await enrollShopper(h);
    const quote = await h.call("POST", "/redemptions", {
      key: keyA,
      body: { memberCode: code, receiptId: "S-1", receiptAmount: 100_000, confirm: false },
    });
    expect(quote).toMatchObject({ status: 200, json: { balance: 100, receiptCapPoints: 300, maxPoints: 100 } });

    await h.idle(); // the welcome notices have gone out
    user.listen();
    const pending = await h.call("POST", "/redemptions", {
      key: keyA,
      body: { memberCode: code, receiptId: "S-1", receiptAmount: 100_000, points: 40, confirm: true },
      headers: { "idempotency-key": "pos-S-1" },
    });
    expect(pending).toMatchObject({ status: 202, json: { status: "pending", points: 40 } });
    // The id is the server's, short enough for Telegram callback data, never the client's key.
    expect(pending.json.id).not.toBe("pos-S-1");
    expect(pending.json.id.length).toBeLessThanOrEqual(20);
    const poll = (pending.json.poll as string).replace("/api/v1", "");
    expect((await h.call("GET", poll, { key: keyA })).json.status).toBe("pending");
    expect((await h.call("GET", poll, { key: keyB })).status).toBe(404);
    expect((await user.reply()).text).toMatch(/«A» просит списать 40 баллов/);
    user.click("✅ Подтверждаю");
    await waitFor(async () => (await h.call("GET", poll, { key: keyA })).json.status === "confirmed");
    expect(await balanceOf(code)).toBe(60);

    const tooMuch = await h.call("POST", "/redemptions", {
      key: keyA,
      body: {
        memberCode: code,
        receiptId: "S-2",
        receiptAmount: 10_000,
        points: 31,
        confirm: true,
        requestId: "pos-S-2",
      },
    });
    expect(tooMuch).toMatchObject({ status: 422, json: { error: { code: "REDEMPTION.CAP_EXCEEDED" } } });
  });

  it("When the POS's key has dots and colons and is long, then the shopper's ✅ still works (buttons carry the server's short id)", async () => {
    const { user, code } = await enrollShopper(h);
    await h.idle();
    user.listen();
    const key = "pos:store.7:receipt.R-1002:2026-11-23T10:00:00.000Z:attempt.1";
    const pending = await h.call("POST", "/redemptions", {
      key: keyA,
      body: { memberCode: code, receiptId: "LONG-1", receiptAmount: 100_000, points: 25, confirm: true },
      headers: { "idempotency-key": key },
    });
    expect(pending.status).toBe(202);
    const ask = await user.reply();
    const data = (ask.reply_markup?.inline_keyboard as { callback_data: string }[][])
      .flat()
      .map((b) => b.callback_data);
    expect(data.every((d) => Buffer.byteLength(d) <= 64 && !d.includes(key))).toBe(true);
    user.click("✅ Подтверждаю");
    const poll = (pending.json.poll as string).replace("/api/v1", "");
    await waitFor(async () => (await h.call("GET", poll, { key: keyA })).json.status === "confirmed");
    expect(await balanceOf(code)).toBe(75);
  });

  it("When a trusted POS spends and retries with the same key, then the points are spent once", async () => {
    const { phone, code } = await enrollShopper(h);
    const body = { phone, receiptId: "T-1", receiptAmount: 100_000, points: 10, confirm: true };
    const r = await h.call("POST", "/redemptions", { key: keyT1, body, headers: { "idempotency-key": "spend-T-1" } });
    expect(r).toMatchObject({ status: 201, json: { status: "confirmed", points: 10, balance: 90 } });
    expect(r.headers.get("idempotent-replayed")).toBe("false");
    const again = await h.call("POST", "/redemptions", { key: keyT1, body: { ...body, requestId: "spend-T-1" } });
    expect(again).toMatchObject({ status: 201, json: { id: r.json.id, status: "confirmed" } });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await db.prisma.ledgerEntry.count({ where: { redemptionId: r.json.id } })).toBe(1);
    expect(await balanceOf(code)).toBe(90);
  });

  it("When another store reuses a store's Idempotency-Key, then it is its own spend, debited for it", async () => {
    const one = await enrollShopper(h);
    const three = await enrollShopper(h);
    const headers = { "idempotency-key": "shared-key-1" };
    const first = await h.call("POST", "/redemptions", {
      key: keyT1,
      body: { memberCode: one.code, receiptId: "R-1", receiptAmount: 100_000, points: 30, confirm: true },
      headers,
    });
    const other = await h.call("POST", "/redemptions", {
      key: keyT3,
      body: { memberCode: three.code, receiptId: "R-3", receiptAmount: 100_000, points: 20, confirm: true },
      headers,
    });
    expect(first).toMatchObject({ status: 201, json: { status: "confirmed", points: 30, receiptId: "R-1" } });
    expect(other).toMatchObject({ status: 201, json: { status: "confirmed", points: 20, receiptId: "R-3" } });
    expect(other.json.id).not.toBe(first.json.id);
    expect([await balanceOf(one.code), await balanceOf(three.code)]).toEqual([70, 80]);
    expect(await db.prisma.ledgerEntry.count({ where: { redemptionId: other.json.id } })).toBe(1);
  });

  it("When a spend made before keys were scoped is retried after the upgrade, then it answers as before", async () => {
    const { code } = await enrollShopper(h);
    const body = { memberCode: code, receiptId: "L-1", receiptAmount: 100_000, points: 10, confirm: true };
    const first = await h.call("POST", "/redemptions", { key: keyT1, body, headers: { "idempotency-key": "old-1" } });
    // What migration 20261124010000 leaves for a row whose id was the client's key.
    await db.query(`UPDATE "Redemption" SET "requestKey" = 'legacy:old-1' WHERE id = $1`, [first.json.id]);
    const retry = await h.call("POST", "/redemptions", { key: keyT1, body, headers: { "idempotency-key": "old-1" } });
    expect(retry).toMatchObject({ status: 201, json: { id: first.json.id } });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await balanceOf(code)).toBe(90);
  });

  it("When a key is reused with other details in the same store, then it is a 409 and nothing is spent", async () => {
    const { code } = await enrollShopper(h);
    const headers = { "idempotency-key": "reuse-1" };
    const body = { memberCode: code, receiptId: "C-1", receiptAmount: 100_000, points: 10, confirm: true };
    expect((await h.call("POST", "/redemptions", { key: keyT1, body, headers })).status).toBe(201);
    for (const changed of [
      { points: 11 },
      { receiptId: "C-2" },
      { receiptAmount: 200_000 },
      { memberCode: (await enrollShopper(h)).code },
    ]) {
      const r = await h.call("POST", "/redemptions", { key: keyT1, body: { ...body, ...changed }, headers });
      expect({ changed, status: r.status, code: r.json.error?.code }).toEqual({
        changed,
        status: 409,
        code: "LEDGER.IDEMPOTENCY_CONFLICT",
      });
    }
    expect(await balanceOf(code)).toBe(90);
  });

  it("When another API key of the same store reuses a key, then it is its own spend (keys are scoped by API key too)", async () => {
    const { code } = await enrollShopper(h);
    const body = { memberCode: code, receiptId: "K-1", receiptAmount: 100_000, points: 5, confirm: true };
    const a = await h.call("POST", "/redemptions", { key: keyT1, body, headers: { "idempotency-key": "till-7" } });
    const b = await h.call("POST", "/redemptions", { key: keyT1b, body, headers: { "idempotency-key": "till-7" } });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.json.id).not.toBe(a.json.id);
    expect(await balanceOf(code)).toBe(90);
  });

  it("When a POS spends without an Idempotency-Key or requestId, then it is a 400 and retries never spend again", async () => {
    const { code } = await enrollShopper(h);
    const body = { memberCode: code, receiptId: "N-1", receiptAmount: 100_000, points: 30, confirm: true };
    for (const key of [keyT1, keyA]) {
      for (let i = 0; i < 3; i++) {
        const r = await h.call("POST", "/redemptions", { key, body });
        expect(r).toMatchObject({ status: 400, json: { error: { code: "VALIDATION.FAILED" } } });
      }
    }
    expect(await balanceOf(code)).toBe(100);
    expect(await db.prisma.redemption.count({ where: { receiptId: "N-1" } })).toBe(0);
    const differ = await h.call("POST", "/redemptions", {
      key: keyT1,
      body: { ...body, requestId: "x-1" },
      headers: { "idempotency-key": "x-2" },
    });
    expect(differ).toMatchObject({ status: 400, json: { error: { code: "VALIDATION.FAILED" } } });
    // A quote needs no key: it writes nothing.
    expect((await h.call("POST", "/redemptions", { key: keyT1, body: { ...body, confirm: false } })).status).toBe(200);
  });

  it("When a path or query holds a control character, then it is a 400 before any lookup", async () => {
    for (const path of ["/redemptions/ab%00c", "/redemptions/ab%1Bc", "/members/1234%00567", "/redemptions/abc?x=%00"])
      expect(await h.call("GET", path, { key: keyA })).toMatchObject({
        status: 400,
        json: { error: { code: "VALIDATION.CONTROL_CHARACTER" } },
      });
    expect(await h.call("GET", "/redemptions/%E0%A4%A", { key: keyA })).toMatchObject({
      status: 400,
      json: { error: { code: "VALIDATION.FAILED" } },
    });
  });

  it("When a shopper deleted their data, then a spend they made replays but a new one is 404", async () => {
    const { code, member } = await enrollShopper(h);
    const body = { memberCode: code, receiptId: "D-1", receiptAmount: 100_000, points: 10, confirm: true };
    const headers = { "idempotency-key": "del-spend-1" };
    const first = await h.call("POST", "/redemptions", { key: keyT1, body, headers });
    expect(first.status).toBe(201);
    await h.services.members.deleteData(member.id);
    expect(await h.call("POST", "/redemptions", { key: keyT1, body, headers })).toMatchObject({
      status: 201,
      json: { id: first.json.id, status: "confirmed" },
    });
    expect(
      await h.call("POST", "/redemptions", { key: keyT1, body, headers: { "idempotency-key": "del-spend-2" } }),
    ).toMatchObject({ status: 404, json: { error: { code: "MEMBER.NOT_FOUND" } } });
  });
});
