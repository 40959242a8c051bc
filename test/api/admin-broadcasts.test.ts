import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock } from "../support/fixtures.js";
import { insertMembers } from "../support/members.js";

/**
 * The marketer's segments and broadcasts over HTTP with an admin key: a
 * segment in the condition language with its live count, a saved segment a
 * broadcast reuses, an A/B test with a control group that reaches exactly
 * the segment minus control, each member once, and its results. Every answer
 * is checked against the route's declared schema (api/admin-routes.ts).
 */
describe.each(testDatabases)("admin segments and broadcasts over HTTP on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let admin: string;
  let pos: string;
  let coffee: number[] = [];
  let others: number[] = [];
  const clock = testClock(new Date("2026-03-02T08:00:00Z")); // 11:00 in Moscow

  const coffeeBuyers = {
    kind: "conditions",
    where: {
      kind: "and",
      of: [
        { kind: "bought", product: { category: "coffee" }, withinDays: 30 },
        { kind: "language", in: ["en"] },
      ],
    },
  };

  beforeAll(async () => {
    db = await open();
    h = await startApi(db, { clock });
    const store = await createStore(db, { name: "Копилка на Тверской" });
    admin = (await h.services.apiKeys.createAdmin()).key;
    pos = (await h.services.apiKeys.create(store.id)).key;
    // English-speaking members (a language no other test here uses): 40 buy coffee, 10 buy milk.
    const ids = await insertMembers(db, 50, { language: "en" });
    h.tg.addChats(ids);
    coffee = ids.slice(0, 40);
    others = ids.slice(40);
    for (const [i, tid] of ids.entries()) {
      const category = i < 40 ? "coffee" : "milk";
      const r = await h.call("POST", "/purchases", {
        key: pos,
        body: {
          memberCode: `9${tid}`,
          receiptId: `A-${i}`,
          amount: 30_000,
          items: [{ sku: `S-${category}`, category, amount: 30_000 }],
        },
      });
      expect(r.status).toBe(201);
    }
    await h.idle();
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  it("When a marketer counts a segment in the condition language, then the count is the members it describes", async () => {
    const r = await h.call("POST", "/admin/segments/count", { key: admin, body: { segment: coffeeBuyers } });
    expect(r).toMatchObject({ status: 200, json: { members: 40 } });
  });

  it("When a segment is malformed, then the answer says why and nothing is saved", async () => {
    const bad = { kind: "conditions", where: { kind: "bought", product: {} } };
    const r = await h.call("POST", "/admin/segments", { key: admin, body: { name: "Broken", segment: bad } });
    expect(r.status).toBe(422);
    expect(JSON.stringify(r.json)).toMatch(/category, a sku or both/);
    const list = await h.call("GET", "/admin/segments", { key: admin });
    expect((list.json as { segments: { name: string }[] }).segments.map((s) => s.name)).not.toContain("Broken");
  });

  it("When a segment is saved, then it is listed with its live count and can be read back", async () => {
    const saved = await h.call("POST", "/admin/segments", {
      key: admin,
      body: { name: "Coffee lovers (en)", segment: coffeeBuyers },
    });
    expect(saved).toMatchObject({ status: 201, json: { name: "Coffee lovers (en)", members: 40 } });
    const id = (saved.json as { id: number }).id;
    const one = await h.call("GET", `/admin/segments/${id}`, { key: admin });
    expect(one).toMatchObject({ status: 200, json: { id, members: 40, segment: coffeeBuyers } });
    const list = await h.call("GET", "/admin/segments", { key: admin });
    expect((list.json as { segments: { id: number }[] }).segments.map((s) => s.id)).toContain(id);
  });

  it("When a broadcast's text is HTML Telegram would refuse, then the answer says where and nothing is saved", async () => {
    const before = await db.prisma.broadcast.count();
    const r = await h.call("POST", "/admin/broadcasts", {
      key: admin,
      body: { name: "Price", variants: [{ message: { text: "Кофе <b>дешевле</b> <100 ₽" } }] },
    });
    expect(r.status).toBe(422);
    expect((r.json as { error: { message: string } }).error.message).toBe(
      'variants.0.message.text: not Telegram HTML: "<" at character 21 starts no supported tag (write &lt;)',
    );
    expect(await db.prisma.broadcast.count()).toBe(before);
  });

  it("When an A/B broadcast to a saved segment is created and started, then exactly the segment minus control gets one message each, and its results add up", async () => {
    const saved = await h.call("POST", "/admin/segments", {
      key: admin,
      body: { name: "Coffee lovers for A/B", segment: coffeeBuyers },
    });
    const segmentId = (saved.json as { id: number }).id;
    const created = await h.call("POST", "/admin/broadcasts", {
      key: admin,
      body: {
        name: "Coffee week",
        segment: { kind: "saved", id: segmentId },
        variants: [{ message: { text: "Coffee week: A" } }, { message: { text: "Coffee week: B" } }],
        controlBp: 2000,
      },
    });
    expect(created).toMatchObject({ status: 201, json: { state: "draft" } });
    const id = (created.json as { id: number }).id;
    expect(await h.call("POST", `/admin/broadcasts/${id}/start`, { key: admin })).toMatchObject({
      status: 200,
      json: { id, state: "running" },
    });
    const sender = h.kopilka.broadcasts(h.broadcaster, { batchSize: 16 });
    await sender.drain();

    const got = (tid: number) => h.tg.chat(tid).messages.filter((m) => /^Coffee week: [AB]$/.test(m.text ?? "")).length;
    const progress = await h.call("GET", `/admin/broadcasts/${id}`, { key: admin });
    const p = progress.json as { state: string; sent: number; control: number; left: number; total: number };
    expect(p).toMatchObject({ state: "done", total: 40, left: 0 });
    expect(p.control).toBeGreaterThan(0);
    expect(p.sent + p.control).toBe(40);
    expect(coffee.map(got).reduce((a, b) => a + b, 0)).toBe(p.sent);
    expect(coffee.every((t) => got(t) <= 1)).toBe(true);
    expect(others.map(got).every((n) => n === 0)).toBe(true);

    const results = await h.call("GET", `/admin/broadcasts/${id}/results`, { key: admin });
    expect(results.status).toBe(200);
    const r = results.json as { variants: { variant: string; members: number; delivered: number }[] };
    expect(r.variants.map((v) => v.variant)).toEqual(["control", "A", "B"]);
    expect(r.variants.reduce((s, v) => s + v.members, 0)).toBe(40);
    expect(r.variants.reduce((s, v) => s + v.delivered, 0)).toBe(p.sent);

    // A finished broadcast cannot be resumed: a clear 409, nothing changes.
    const again = await h.call("POST", `/admin/broadcasts/${id}/resume`, { key: admin });
    expect(again.status).toBe(409);
    expect((again.json as { error: { code: string } }).error.code).toBe("BROADCAST.BAD_STATE");
  });

  it("When a store's POS key or no key calls the marketer's routes, then 403 or 401 and nothing is created", async () => {
    const body = { name: "Sneaky", variants: [{ message: { text: "x" } }] };
    expect((await h.call("POST", "/admin/broadcasts", { key: pos, body })).status).toBe(403);
    expect((await h.call("POST", "/admin/broadcasts", { body })).status).toBe(401);
    expect(await db.prisma.broadcast.count({ where: { name: "Sneaky" } })).toBe(0);
  });

  it("When an unknown broadcast is asked for, then 404 with a code", async () => {
    const r = await h.call("GET", "/admin/broadcasts/999999", { key: admin });
    expect(r).toMatchObject({ status: 404, json: { error: { code: "BROADCAST.NOT_FOUND" } } });
  });

  it("When the admin OpenAPI document is read, then it describes the segment and broadcast routes", async () => {
    const r = await h.call("GET", "/admin/openapi.json");
    const paths = Object.keys((r.json as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/segments",
        "/segments/count",
        "/broadcasts",
        "/broadcasts/{id}/results",
        "/broadcasts/{id}/{action}",
      ]),
    );
  });
});
