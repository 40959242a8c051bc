import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { sql } from "../../app/db/sql.js";
import { defaultOutbox, emit } from "../../app/events/outbox.js";
import { domainEvent, eventSchemas, type EventType } from "../../domain/index.js";
import { testDatabases } from "../support/databases.js";
import { createStore, servicesFor, testClock } from "../support/fixtures.js";

/**
 * Every change that matters writes its domain event in the same unit of
 * work, with the jobs that react to it; the shapes are the versioned schemas.
 */
describe.each(testDatabases)("domain events on $name", ({ open }) => {
  let db: Database;
  const clock = testClock(new Date("2026-04-01T09:00:00Z"));
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db?.close();
  });

  const events = (memberId: number) =>
    db.query<{ type: string; version: number; payload: Record<string, unknown> }>(
      `SELECT type, version, payload FROM "DomainEvent" WHERE "memberId" = $1 ORDER BY id`,
      [memberId],
    );
  const jobsFor = async (type: string) =>
    (
      await db.query<{ name: string }>(`SELECT j.name FROM "Job" j WHERE j.payload->>'type' = $1 ORDER BY j.name`, [
        type,
      ])
    ).map((j) => j.name);

  it("When a member lives a whole story, then each step is one event of a stable, valid shape, with its reactions queued", async () => {
    const svc = servicesFor(db, { clock });
    const store = await createStore(db);
    const friend = await svc.members.enroll({ phone: "+79001112233", firstName: "Аня" });
    const m = await svc.members.enroll({ phone: "+79001112244", firstName: "Петя", referralCode: friend.referralCode });
    await svc.purchases.recordPurchase({
      storeId: store.id,
      member: { id: m.id },
      receiptId: "E-1",
      amountKopecks: 600_000,
    });
    await svc.purchases.recordReturn({ storeId: store.id, receiptId: "E-1", amountKopecks: 300_000, returnKey: "R-1" });
    const asked = await svc.redemptions.request({
      storeId: store.id,
      member: { id: m.id },
      receiptId: "E-2",
      receiptAmountKopecks: 10_000,
      points: 20,
    });
    await svc.redemptions.decide(asked.id, m.id, true);
    clock.set(new Date("2027-04-02T09:00:00Z"));
    await svc.expiry.sweep();
    await svc.members.deleteData(m.id);

    const story = await events(m.id);
    expect(story.map((e) => e.type)).toEqual([
      "member.enrolled",
      "purchase.recorded",
      "tier.changed",
      "return.recorded",
      "tier.changed",
      "redemption.requested",
      "points.redeemed",
      "redemption.decided",
      "points.expired",
      "member.deleted",
    ]);
    for (const e of story) {
      expect(e.version).toBe(1);
      expect(() => eventSchemas[e.type as EventType].parse(e.payload)).not.toThrow();
    }
    expect(story[0]?.payload).toMatchObject({ referredById: friend.id, welcomePoints: 100 });
    expect(story[2]?.payload).toMatchObject({ from: "base", to: "silver", direction: "up" });
    expect(story[4]?.payload).toMatchObject({ from: "silver", to: "base", direction: "down" });
    expect(await jobsFor("purchase.recorded")).toEqual([
      "challenge.purchase",
      "notify.purchase",
      "referral.qualify",
      "review.ask",
      "survey.nps",
    ]);
    expect(await jobsFor("redemption.decided")).toEqual(["notify.spend-outcome", "notify.staff-spend-outcome"]);
    const [expire] = await db.query<{ runAt: Date }>(`SELECT "runAt" FROM "Job" WHERE key = $1`, [
      `redemption.expire:${asked.id}`,
    ]);
    expect(expire?.runAt).toEqual(asked.expiresAt);
  });

  it("When a change fails, then neither its event nor its reactions are written", async () => {
    const svc = servicesFor(db, { clock });
    const closed = await createStore(db, { name: "Closed", active: false });
    const m = await svc.members.enroll({ phone: "+79001112255" });
    await expect(
      svc.purchases.recordPurchase({ storeId: closed.id, member: { id: m.id }, receiptId: "X-1", amountKopecks: 1000 }),
    ).rejects.toMatchObject({ code: "STORE.INACTIVE" });
    expect((await events(m.id)).map((e) => e.type)).toEqual(["member.enrolled"]);

    await expect(
      db.unitOfWork(async (tx) => {
        await emit(
          tx,
          defaultOutbox(),
          clock.now(),
          domainEvent("points.expired", { memberId: m.id, points: 5, balance: 95, at: clock.now().toISOString() }),
        );
        await tx.many(sql`SELECT 1/0`);
      }),
    ).rejects.toThrow();
    expect((await events(m.id)).map((e) => e.type)).toEqual(["member.enrolled"]);
  });

  it("When an event does not match its schema, then it is refused before anything is written", () => {
    expect(() => domainEvent("purchase.recorded", { purchaseId: -1 } as never)).toThrow();
  });

  it("When someone tries to change history, then the database refuses", async () => {
    await expect(db.exec(`UPDATE "DomainEvent" SET type = 'x'`)).rejects.toThrow(/append-only/);
    await expect(db.exec(`DELETE FROM "DomainEvent"`)).rejects.toThrow(/append-only/);
  });
});
