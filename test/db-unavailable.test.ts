import { randomBytes } from "node:crypto";
import type { ServerType } from "@hono/node-server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp, listen } from "../api/server.js";
import { type Database, openDatabase } from "../app/db/database.js";
import { auditLedger, CLEAN_AUDIT } from "../app/services/index.js";
import { createStore, kopilkaFor } from "./support/fixtures.js";
import { TcpProxy } from "./support/tcp-proxy.js";

/**
 * PostgreSQL drops connections: a restart, a failover, an operator's
 * pg_terminate_backend. The process must live through it (an unhandled
 * 'error' event would end it, and vitest reports one as a failure), answer
 * JSON 503 DB.UNAVAILABLE meanwhile, and serve again once the server is back.
 */
const adminUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!adminUrl)("the database goes away under the POS API (PostgreSQL)", () => {
  const name = `kopilka_test_${randomBytes(6).toString("hex")}`;
  let proxy: TcpProxy;
  let db: Database;
  let server: ServerType;
  let base: string;
  let key: string;
  let code: string;

  const admin = async <T>(fn: (c: pg.Client) => Promise<T>) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, type: res.headers.get("content-type"), json: (await res.json()) as never };
  };
  const health = async () => {
    const res = await fetch(`${base}/health`);
    return { status: res.status, json: (await res.json()) as { error?: { code: string } } };
  };

  beforeAll(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${name}`));
    const u = new URL(adminUrl as string);
    proxy = new TcpProxy(u.hostname, Number(u.port));
    await proxy.up();
    u.pathname = `/${name}`;
    db = await openDatabase({ databaseUrl: proxy.url(u.toString()), dataDir: "", poolSize: 8 });
    const { services } = kopilkaFor(db);
    const store = await createStore(db);
    key = (await services.apiKeys.create(store.id)).key;
    code = (await services.members.enroll({ telegramId: 501, chatId: 501, phone: "+79005550101" })).memberCode;
    const l = await listen(createHttpApp({ services }), 0, "127.0.0.1");
    server = l.server;
    base = `http://127.0.0.1:${l.port}/api/v1`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await db?.close().catch(() => {});
    await proxy?.down();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  it("When the backends are terminated mid-load, then each request is 201 or a JSON 503 DB.UNAVAILABLE, and the next ones succeed", async () => {
    const load = Array.from({ length: 40 }, (_, i) =>
      post("/purchases", { memberCode: code, receiptId: `T-${i}`, amount: 10_000 + i }),
    );
    await admin((c) =>
      c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [
        name,
      ]),
    );
    const answers = await Promise.all(load);
    for (const a of answers) {
      if (a.status === 201) continue;
      expect(a).toMatchObject({ status: 503, json: { error: { code: "DB.UNAVAILABLE" } } });
      expect(a.type).toMatch(/application\/json/);
    }
    // The retry of every request lands exactly once (replays answer the same).
    const retried = await Promise.all(
      answers.map((_, i) => post("/purchases", { memberCode: code, receiptId: `T-${i}`, amount: 10_000 + i })),
    );
    expect(retried.map((r) => r.status)).toEqual(answers.map(() => 201));
    const [n] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Purchase"`);
    expect(n?.n).toBe(40);
    expect(await auditLedger(db)).toEqual(CLEAN_AUDIT);
  });

  it("When the server is unreachable, then health and purchases answer JSON 503 DB.UNAVAILABLE; when it is back, both serve again", async () => {
    await proxy.down();
    expect(await health()).toEqual({
      status: 503,
      json: { error: expect.objectContaining({ code: "DB.UNAVAILABLE" }) },
    });
    const refused = await post("/purchases", { memberCode: code, receiptId: "D-1", amount: 50_000 });
    expect(refused).toMatchObject({ status: 503, json: { error: { code: "DB.UNAVAILABLE" } } });

    await proxy.up();
    expect(await health()).toEqual({ status: 200, json: { status: "ok" } });
    expect((await post("/purchases", { memberCode: code, receiptId: "D-1", amount: 50_000 })).status).toBe(201);
  });
});
