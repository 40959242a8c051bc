import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { enrollShopper, startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore } from "../support/fixtures.js";

describe.each(testDatabases)("GET /members/{memberCode} over HTTP on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let key: string;

  beforeAll(async () => {
    db = await open();
    h = await startApi(db);
    key = (await h.services.apiKeys.create((await createStore(db, { name: "A" })).id)).key;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  it("When a POS reads a member by code, then it gets the status the staff see", async () => {
    const { code } = await enrollShopper(h, "Ольга");
    await h.call("POST", "/purchases", { key, body: { memberCode: code, receiptId: "M-1", amount: 100_000 } });
    const m = await h.call("GET", `/members/${code}`, { key });
    expect(m).toMatchObject({
      status: 200,
      json: { memberCode: code, name: "Ольга", status: "active", tier: { code: "base" }, balance: 130 },
    });
    expect(m.json.visitsInWindow).toBe(1);
    expect(m.json.lastPurchase).toMatchObject({ amount: 100_000, storeName: "A" });
  });

  it("When the code is unknown or not a code, then 404 and 400", async () => {
    expect(await h.call("GET", "/members/00000000", { key })).toMatchObject({
      status: 404,
      json: { error: { code: "MEMBER.NOT_FOUND" } },
    });
    for (const bad of ["abc", "1234567", "123456789", "1234%2F567"])
      expect(await h.call("GET", `/members/${bad}`, { key })).toMatchObject({
        status: 400,
        json: { error: { code: "VALIDATION.FAILED" } },
      });
  });

  it("When a member deleted their data, then reading them is a 404", async () => {
    const { code, member } = await enrollShopper(h);
    await h.services.members.deleteData(member.id);
    expect((await h.call("GET", `/members/${code}`, { key })).status).toBe(404);
  });
});
