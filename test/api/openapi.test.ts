import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../../api/routes.js";
import type { Database } from "../../app/db/database.js";
import { enrollShopper, startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore } from "../support/fixtures.js";

describe.each(testDatabases)("the OpenAPI document and authentication over HTTP on $name", ({ open }) => {
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

  it("When the document is read without a key, then it lists every route with its responses, generated from the routes", async () => {
    const doc = await h.call("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe("3.1.0");
    expect(doc.json.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(Object.keys(doc.json.paths).sort()).toEqual([...new Set(routes.map((r) => r.path))].sort());
    for (const r of routes) {
      const op = doc.json.paths[r.path][r.method];
      expect(Object.keys(op.responses).sort()).toEqual(Object.keys(r.responses).sort());
    }
    const purchase = doc.json.paths["/purchases"].post;
    expect(purchase.requestBody.content["application/json"].schema.properties.amount.type).toBe("integer");
    expect(doc.json.paths["/purchases"].post.security).toEqual([{ apiKey: [] }]);
    expect(doc.json.paths["/health"].get.security).toEqual([]);
    // Spends document where their key goes.
    const spend = doc.json.paths["/redemptions"].post;
    expect(spend.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "idempotency-key", in: "header" })]),
    );
    expect(spend.requestBody.content["application/json"].schema.properties.requestId.type).toBe("string");
  });

  it("When a real member code is checked against the document's patterns, then it matches", async () => {
    const { code } = await enrollShopper(h);
    const doc = (await h.call("GET", "/openapi.json")).json;
    const param = doc.paths["/members/{memberCode}"].get.parameters.find(
      (p: { name: string }) => p.name === "memberCode",
    );
    const inBody = doc.paths["/purchases"].post.requestBody.content["application/json"].schema.properties.memberCode;
    for (const pattern of [param.schema.pattern, inBody.pattern] as string[]) {
      expect(new RegExp(pattern).test(code)).toBe(true);
      expect(new RegExp(pattern).test("12AB5678")).toBe(false);
    }
  });

  it("When a route needs a key and gets none, a wrong or a cut one, then it is 401", async () => {
    expect(await h.call("GET", "/health")).toMatchObject({ status: 200, json: { status: "ok" } });
    for (const k of [undefined, "kp_nope", key.slice(0, -1)]) {
      const r = await h.call("POST", "/purchases", { ...(k ? { key: k } : {}), body: {} });
      expect(r).toMatchObject({ status: 401, json: { error: { code: "AUTH.INVALID_KEY" } } });
      expect((await h.call("GET", "/members/12345678", { ...(k ? { key: k } : {}) })).status).toBe(401);
    }
  });

  it("When a route does not exist, then the answer is a JSON 404", async () => {
    expect(await h.call("GET", "/nope", { key })).toMatchObject({
      status: 404,
      json: { error: { code: "NOT_FOUND" } },
    });
  });
});
