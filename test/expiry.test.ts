import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { auditLedger, CLEAN_AUDIT } from "../app/services/index.js";
import { testDatabases } from "./support/databases.js";
import { createStore, servicesFor, testClock, uniquePhone } from "./support/fixtures.js";

/** Points expire 12 months after they were earned: before any spend or quote, and by the sweep, whatever their date. */
describe.each(testDatabases)("expiry on $name", ({ open }) => {
  let db: Database;
  let storeId: number;

  beforeAll(async () => {
    db = await open();
    storeId = (await createStore(db)).id;
  });
  afterAll(async () => {
    expect(await auditLedger(db)).toEqual(CLEAN_AUDIT);
    await db.close();
  });

  const expiries = (memberId: number) =>
    db.prisma.ledgerEntry.findMany({ where: { memberId, kind: "expiry" }, orderBy: { id: "asc" } });

  it("When every point of a balance is due, then the quote offers none and spends are refused", async () => {
    const clock = testClock(new Date("2026-02-01T10:00:00Z"));
    const s = servicesFor(db, { clock });
    const m = await s.members.enroll({ phone: uniquePhone() }); // 100
    await s.purchases.recordPurchase({ storeId, member: { id: m.id }, receiptId: "due-1", amountKopecks: 1_000_000 }); // +300
    expect((await s.members.get({ id: m.id })).balance).toBe(400);
    clock.advanceDays(400); // no sweep ran: all 400 are due but still in the cached balance
    const spend = { storeId, member: { id: m.id }, receiptId: "due-2", receiptAmountKopecks: 10_000_000 };
    const q = await s.redemptions.quote(spend);
    expect(q).toMatchObject({ balance: 0, maxPoints: 0 });
    await expect(s.redemptions.spend({ ...spend, points: 400 })).rejects.toMatchObject({
      code: "LEDGER.INSUFFICIENT_POINTS",
    });
    await expect(s.redemptions.request({ ...spend, points: 1 })).rejects.toMatchObject({
      code: "LEDGER.INSUFFICIENT_POINTS",
    });
    expect((await s.members.get({ id: m.id })).balance).toBe(0);
    expect((await expiries(m.id)).map((e) => e.points)).toEqual([-100, -300]);
  });

  it("When lots fell due before an earlier sweep's time, then the next sweep still expires them", async () => {
    const clock = testClock(new Date("2030-01-01T00:00:00Z"));
    const s = servicesFor(db, { clock });
    await s.expiry.sweep(); // a sweep "in the future" used to leave a mark no earlier lot got past
    clock.set(new Date("2026-01-01T10:00:00Z"));
    const m = await s.members.enroll({ phone: uniquePhone() }); // 100, due 2027-01-01
    clock.set(new Date("2027-06-01T10:00:00Z"));
    const swept = await s.expiry.sweep();
    expect(swept.points).toBeGreaterThanOrEqual(100);
    expect((await s.members.get({ id: m.id })).balance).toBe(0);
    expect((await expiries(m.id)).map((e) => e.points)).toEqual([-100]);
  });

  it("When a deleted member's points fall due, then the sweep expires them and finishes", async () => {
    const clock = testClock(new Date("2026-03-01T10:00:00Z"));
    const s = servicesFor(db, { clock });
    const m = await s.members.enroll({ phone: uniquePhone() });
    await s.members.deleteData(m.id);
    clock.advanceDays(400);
    await s.expiry.sweep();
    expect((await expiries(m.id)).map((e) => e.points)).toEqual([-100]);
    expect((await s.expiry.sweep()).points).toBe(0);
  });

  it("When sweeps start at once, in one process and in two, then each due lot expires once", async () => {
    const clock = testClock(new Date("2026-04-01T10:00:00Z"));
    const a = servicesFor(db, { clock });
    const b = servicesFor(db, { clock });
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push((await a.members.enroll({ phone: uniquePhone() })).id);
    clock.advanceDays(400);
    const runs = await Promise.all([a.expiry.sweep(), a.expiry.sweep(), b.expiry.sweep(), b.expiry.sweep()]);
    expect(runs.reduce((sum, r) => sum + r.points, 0)).toBeGreaterThanOrEqual(12 * 100);
    for (const id of ids) expect((await expiries(id)).map((e) => e.points)).toEqual([-100]);
    expect((await a.expiry.sweep()).points).toBe(0);
  });

  it("When a spend races the sweep, then no point is both spent and expired", async () => {
    const clock = testClock(new Date("2026-05-01T10:00:00Z"));
    const s = servicesFor(db, { clock });
    const m = await s.members.enroll({ phone: uniquePhone() }); // 100, due 2027-05-01
    clock.advanceDays(300);
    await s.purchases.recordPurchase({ storeId, member: { id: m.id }, receiptId: "race-1", amountKopecks: 1_000_000 });
    clock.advanceDays(70); // the welcome lot is due, the purchase's is not
    const spend = s.redemptions.spend({
      storeId,
      member: { id: m.id },
      receiptId: "race-2",
      receiptAmountKopecks: 10_000_000,
      points: 300,
    });
    const [spent] = await Promise.all([spend, s.expiry.sweep()]);
    expect(spent.balance).toBe(0);
    expect((await expiries(m.id)).map((e) => e.points)).toEqual([-100]);
  });
});
