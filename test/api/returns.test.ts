import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { enrollShopper, startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore } from "../support/fixtures.js";

describe.each(testDatabases)("POST /returns over HTTP on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    db = await open();
    h = await startApi(db);
    keyA = (await h.services.apiKeys.create((await createStore(db, { name: "A" })).id)).key;
    keyB = (await h.services.apiKeys.create((await createStore(db, { name: "B" })).id)).key;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  it("When a return is posted, then it needs an id, reverses proportionally, replays safely and refuses too much", async () => {
    const { code } = await enrollShopper(h);
    await h.call("POST", "/purchases", { key: keyA, body: { memberCode: code, receiptId: "P-ret", amount: 200_000 } }); // +60
    expect(
      await h.call("POST", "/returns", { key: keyA, body: { receiptId: "P-ret", amount: 100_000 } }),
    ).toMatchObject({ status: 400, json: { error: { code: "VALIDATION.FAILED" } } });
    const r = await h.call("POST", "/returns", {
      key: keyA,
      body: { receiptId: "P-ret", amount: 100_000 },
      headers: { "idempotency-key": "RET-9" },
    });
    expect(r).toMatchObject({ status: 201, json: { pointsReversed: 30, pointsRefunded: 0 } });
    const again = await h.call("POST", "/returns", {
      key: keyA,
      body: { receiptId: "P-ret", amount: 100_000, returnId: "RET-9" },
    });
    expect(again.json).toEqual(r.json);
    expect(
      await h.call("POST", "/returns", {
        key: keyA,
        body: { receiptId: "P-ret", amount: 100_001, returnId: "RET-10" },
      }),
    ).toMatchObject({ status: 422, json: { error: { code: "RETURN.EXCEEDS_PURCHASE" } } });
    // Store B cannot return store A's receipt.
    expect(
      await h.call("POST", "/returns", { key: keyB, body: { receiptId: "P-ret", amount: 1, returnId: "x" } }),
    ).toMatchObject({ status: 404, json: { error: { code: "PURCHASE.NOT_FOUND" } } });
  });

  it("When a shopper deleted their data, then an earlier receipt can still be returned and the return replays", async () => {
    const { code, member } = await enrollShopper(h);
    const bought = await h.call("POST", "/purchases", {
      key: keyA,
      body: { memberCode: code, receiptId: "P-del", amount: 200_000 },
    });
    expect(bought).toMatchObject({ status: 201, json: { points: 60, balance: 160 } });
    await h.services.members.deleteData(member.id);
    const ret = { key: keyA, body: { receiptId: "P-del", amount: 200_000, returnId: "RET-del" } };
    const r = await h.call("POST", "/returns", ret);
    expect(r).toMatchObject({ status: 201, json: { pointsReversed: 60, balance: 100 } });
    expect((await h.call("POST", "/returns", ret)).json).toEqual(r.json);
    expect(await db.prisma.ledgerEntry.count({ where: { memberId: member.id, kind: "reversal" } })).toBe(1);
  });
});
