import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../app/db/database.js";
import { enrollShopper, startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock } from "../support/fixtures.js";

const coffeeOffer = {
  title: { ru: "Кофе со скидкой баллами", en: "Coffee with bonus points" },
  text: { ru: "×2 баллов за кофе", en: "×2 points on coffee" },
  condition: { kind: "bought", product: { category: "coffee" }, withinDays: 60 },
  reward: { kind: "multiplier", product: { category: "coffee" }, factorBp: 20_000 },
  startsAt: "2026-03-01T00:00:00Z",
  endsAt: "2026-04-01T00:00:00Z",
  budgetPoints: 10_000,
};

/**
 * The marketer's offers over /api/v1/admin/offers: created as a draft,
 * previewed (qualifying members, estimated cost against the margin guard),
 * started, paused, ended; a move the state does not allow is a 409; every
 * change is in the audit trail with who, when, before and after. Answers are
 * checked against the declared routes.
 */
describe.each(testDatabases)("admin offers over HTTP on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let admin: string;
  let pos: string;
  const clock = testClock(new Date("2026-03-02T08:00:00Z"));

  beforeAll(async () => {
    db = await open();
    h = await startApi(db, { clock });
    const store = await createStore(db, { name: "A" });
    admin = (await h.services.apiKeys.createAdmin()).key;
    pos = (await h.services.apiKeys.create(store.id)).key;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  it("When an offer is created, previewed, started, paused and ended, then each step answers and is audited", async () => {
    for (let i = 0; i < 3; i++) {
      const { code } = await enrollShopper(h);
      await h.call("POST", "/purchases", {
        key: pos,
        body: {
          memberCode: code,
          receiptId: `C-${i}`,
          amount: 100_000,
          items: [{ sku: "C1", category: "coffee", amount: 50_000 }],
        },
      });
    }
    await enrollShopper(h); // buys nothing: does not qualify

    const created = await h.call("POST", "/admin/offers", { key: admin, body: coffeeOffer });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: "draft", spentPoints: 0, budgetPoints: 10_000, perMemberLimit: 1 });
    const id = created.json.id as number;

    const preview = await h.call("POST", `/admin/offers/${id}/preview`, { key: admin });
    // Three coffee buyers; each 500 ₽ of coffee at 3 % = 15 points, ×2 adds 15 each.
    expect(preview.json).toEqual({
      members: 3,
      estimatedPoints: 45,
      estimatedCostKopecks: 4_500,
      marginHeadroomPoints: 3 * (100 - 30),
      withinMarginGuard: true,
    });

    expect((await h.call("POST", `/admin/offers/${id}/pause`, { key: admin })).status).toBe(409);
    expect((await h.call("POST", `/admin/offers/${id}/start`, { key: admin })).json.status).toBe("active");
    expect((await h.call("POST", `/admin/offers/${id}/pause`, { key: admin })).json.status).toBe("paused");
    expect((await h.call("POST", `/admin/offers/${id}/start`, { key: admin })).json.status).toBe("active");
    expect((await h.call("POST", `/admin/offers/${id}/end`, { key: admin })).json.status).toBe("ended");
    expect((await h.call("POST", `/admin/offers/${id}/start`, { key: admin })).status).toBe(409);

    const audit = await h.call("GET", `/admin/offers/${id}/audit`, { key: admin });
    expect(audit.json.changes.map((c: { action: string }) => c.action)).toEqual([
      "create",
      "start",
      "pause",
      "start",
      "end",
    ]);
    const pause = audit.json.changes[2];
    expect(pause).toMatchObject({ actor: expect.stringMatching(/^api-key:\d+$/), at: "2026-03-02T08:00:00.000Z" });
    expect([pause.before.status, pause.after.status]).toEqual(["active", "paused"]);

    const list = await h.call("GET", "/admin/offers?status=ended", { key: admin });
    expect(list.json.offers.map((o: { id: number }) => o.id)).toContain(id);
  });

  it("When an offer is invalid or the key is a till's, then it is refused and nothing is stored", async () => {
    const before = await db.prisma.offer.count();
    const bad = await h.call("POST", "/admin/offers", {
      key: admin,
      body: { ...coffeeOffer, reward: { kind: "multiplier", product: {}, factorBp: 5 } },
    });
    expect(bad).toMatchObject({ status: 422, json: { error: { code: "INPUT.INVALID" } } });
    const backwards = await h.call("POST", "/admin/offers", {
      key: admin,
      body: { ...coffeeOffer, endsAt: "2026-02-01T00:00:00Z" },
    });
    expect(backwards.status).toBe(422);
    expect((await h.call("POST", "/admin/offers", { key: pos, body: coffeeOffer })).status).toBe(403);
    expect((await h.call("GET", "/admin/offers/999999", { key: admin })).status).toBe(404);
    expect(await db.prisma.offer.count()).toBe(before);
  });
});

const run = promisify(execFile);

/** `npm run cli -- offers …` on a PGlite folder, as an operator types it. */
describe("the CLI's offers", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kopilka-offers-cli-"));
    const db = await openDatabase({ dataDir: dir });
    await db.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const cli = (...args: string[]) =>
    run(process.execPath, ["--import", "tsx", "app/cli/kopilka.ts", ...args], {
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "" },
    });

  it("When an offer is created from a file and started, then it is active and the audit names the CLI user", async () => {
    const file = join(dir, "offer.json");
    await writeFile(file, JSON.stringify({ ...coffeeOffer, endsAt: "2099-01-01T00:00:00Z" }));
    expect((await cli("offers", "create", file)).stdout).toMatch(/offer 1 created as a draft/);
    expect((await cli("offers", "start", "1")).stdout).toMatch(/offer 1: active/);
    const audit = JSON.parse((await cli("offers", "audit", "1")).stdout) as { actor: string; action: string }[];
    expect(audit.map((a) => a.action)).toEqual(["create", "start"]);
    expect(audit[1]?.actor).toMatch(/^cli:/);
    await expect(cli("offers", "start", "1")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/OFFER.BAD_STATE/),
    });
  }, 300_000);
});
