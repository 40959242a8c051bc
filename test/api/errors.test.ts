import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import type { Services } from "../../app/services/index.js";
import { startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore } from "../support/fixtures.js";

/**
 * Faults the POS must still get a JSON answer with a code for. The faults are
 * injected into one service method (the database layer's detection of an
 * unreachable server is covered by the fault suite); the HTTP stack, the error
 * mapper and the rest of the services are the real ones.
 */
describe.each(testDatabases)("unexpected errors over HTTP on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let key: string;
  let fault: unknown = null;

  beforeAll(async () => {
    db = await open();
    const faulty = (s: Services): Services => ({
      ...s,
      members: {
        ...s.members,
        get: (...args: Parameters<Services["members"]["get"]>) => {
          if (fault) return Promise.reject(fault);
          return s.members.get(...args);
        },
      },
    });
    h = await startApi(db, { services: faulty });
    key = (await h.services.apiKeys.create((await createStore(db, { name: "A" })).id)).key;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  it("When a handler throws something unexpected, then the answer is a JSON 500 with code INTERNAL and no inside details", async () => {
    fault = new TypeError("Cannot read properties of undefined (reading 'secret internals')");
    const r = await h.call("GET", "/members/12345678", { key });
    fault = null;
    expect(r).toMatchObject({ status: 500, json: { error: { code: "INTERNAL" } } });
    expect(JSON.stringify(r.json)).not.toMatch(/secret internals/);
  });

  it("When the database is unreachable (an error with code DB.UNAVAILABLE), then the answer is a JSON 503", async () => {
    fault = Object.assign(new Error("connect ECONNREFUSED"), { code: "DB.UNAVAILABLE" });
    const r = await h.call("GET", "/members/12345678", { key });
    fault = null;
    expect(r).toMatchObject({ status: 503, json: { error: { code: "DB.UNAVAILABLE" } } });
  });

  it("When the database has gone away under the server, then every answer is still JSON with a code", async () => {
    const gone = await open();
    const g = await startApi(gone);
    const k = (await g.services.apiKeys.create((await createStore(gone, { name: "G" })).id)).key;
    await gone.close();
    for (const [method, path, body] of [
      ["POST", "/purchases", { memberCode: "12345678", receiptId: "G-1", amount: 100 }],
      ["GET", "/members/12345678", undefined],
    ] as const) {
      const r = await g.call(method, path, { key: k, ...(body ? { body } : {}) });
      expect([500, 503]).toContain(r.status);
      expect(["INTERNAL", "DB.UNAVAILABLE"]).toContain(r.json.error.code);
    }
    await g.stop().catch(() => undefined);
  });
});
