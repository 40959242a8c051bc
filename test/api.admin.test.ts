import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp, listen } from "../api/server.js";
import { openDatabase, type Database } from "../app/db/database.js";
import type { Services } from "../app/services/index.js";
import { defaultProgram } from "../domain/index.js";
import { testDatabases } from "./support/databases.js";
import { servicesFor, testClock } from "./support/fixtures.js";
import { generateDataset, writeDataset } from "./support/metrics-dataset.js";

describe.each(testDatabases)("admin metrics API over HTTP on $name", ({ open }) => {
  let db: Database;
  let services: Services;
  let server: ServerType;
  let base: string;
  let adminKey: string;
  let posKey: string;
  let storeId: number;

  beforeAll(async () => {
    db = await open();
    const s = await db.prisma.store.create({
      data: {
        name: "A",
        address: "a",
        latitude: 55,
        longitude: 37,
        timeZone: "Europe/Moscow",
        hours: {},
        region: "Moscow",
      },
    });
    storeId = s.id;
    await writeDataset(
      db,
      generateDataset(defaultProgram, [{ id: s.id, region: "Moscow", timeZone: "Europe/Moscow" }], {
        members: 40,
        seed: 3,
      }),
    );
    services = servicesFor(db, { clock: testClock(new Date("2026-03-15T12:00:00Z")) });
    adminKey = (await services.apiKeys.createAdmin()).key;
    posKey = (await services.apiKeys.create(storeId)).key;
    const l = await listen(createHttpApp({ services }), 0, "127.0.0.1");
    server = l.server;
    base = `http://127.0.0.1:${l.port}/api/v1`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await db?.close();
  });

  const get = (path: string, key?: string, headers: Record<string, string> = {}) =>
    fetch(base + path, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });

  it("When an admin key asks for a metric, then it gets the service's figures for the period as JSON", async () => {
    const res = await get("/admin/metrics/activity?from=2026-01-01&to=2026-04-01", adminKey);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { from: string; data: unknown };
    expect(body.from).toBe("2026-01-01T00:00:00.000Z");
    expect(body.data).toEqual(
      await services.metrics.activity({ from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-04-01T00:00:00Z") }),
    );
  });

  it("When no period is given, then the six months up to the end of the current one are used", async () => {
    const body = (await (await get("/admin/metrics/points", adminKey)).json()) as { from: string; to: string };
    expect([body.from, body.to]).toEqual(["2025-10-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"]);
  });

  it("When CSV is asked, then a list becomes rows with a header and a record becomes metric,value lines", async () => {
    const res = await get(`/admin/metrics/tiers?from=2026-01-01&to=2026-04-01&format=csv`, adminKey);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const tiers = await services.metrics.tiers({
      from: new Date("2026-01-01T00:00:00Z"),
      to: new Date("2026-04-01T00:00:00Z"),
    });
    expect(await res.text()).toBe(`tier,members\r\n${tiers.map((t) => `${t.tier},${t.members}`).join("\r\n")}\r\n`);
    const one = await get("/admin/metrics/retention?from=2026-01-01&to=2026-04-01", adminKey, { accept: "text/csv" });
    const lines = (await one.text()).trim().split("\r\n");
    expect(lines[0]).toBe("metric,value");
    expect(lines.map((l) => l.split(",")[0])).toEqual(["metric", "start", "end", "new", "lost", "retention", "churn"]);
  });

  it("When every listed metric is asked, then each answers 200 with data", async () => {
    const { metrics } = (await (await get("/admin/metrics", adminKey)).json()) as { metrics: string[] };
    expect(metrics).toContain("overview");
    for (const m of metrics) {
      const res = await get(`/admin/metrics/${m}?from=2026-01-01&to=2026-04-01&storeId=${storeId}`, adminKey);
      expect(res.status, m).toBe(200);
    }
  });

  it("When a store's POS key asks for metrics, then it is refused with 403; an admin key cannot post purchases", async () => {
    const res = await get("/admin/metrics/overview", posKey);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("AUTH.WRONG_ROLE");
    const post = await fetch(`${base}/purchases`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ memberCode: "00000001", receiptId: "r1", amount: 100 }),
    });
    expect(post.status).toBe(403);
    expect((await get("/admin/metrics/overview")).status).toBe(401);
  });

  it("When the query is bad or the metric unknown, then 400 or 404 says what is wrong", async () => {
    const bad = await get("/admin/metrics/activity?from=2026-05-01&to=2026-04-01", adminKey);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/from must be before to/);
    expect((await get("/admin/metrics/activity?cohort=2026-1", adminKey)).status).toBe(400);
    expect((await get("/admin/metrics/nothing", adminKey)).status).toBe(404);
  });
});

describe("apikey create --admin (CLI)", () => {
  it("When an operator creates an admin key, then it is printed once and verifies as an admin key with no store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kopilka-cli-"));
    try {
      const out = execFileSync("npx", ["tsx", "app/cli/kopilka.ts", "apikey", "create", "--admin"], {
        env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "" },
        encoding: "utf8",
      });
      const key = /kp_[\w-]+/.exec(out)?.[0] ?? "";
      const db = await openDatabase({ dataDir: dir });
      try {
        expect(await servicesFor(db).apiKeys.verify(key)).toMatchObject({ role: "admin" });
        expect(await db.query(`SELECT role::text, "storeId" FROM "ApiKey"`)).toEqual([
          { role: "admin", storeId: null },
        ]);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
