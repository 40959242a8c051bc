import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../app/db/database.js";
import { MIGRATIONS_DIR, migrate } from "../app/db/migrate.js";
import { auditLedger, CLEAN_AUDIT } from "../app/services/index.js";
import { liveLots } from "../domain/index.js";
import { testDatabases } from "./support/databases.js";
import { createStore, servicesFor, testClock, uniquePhone } from "./support/fixtures.js";

/** Live lots kept in a table by the ledger's write path, checked against the replay of the ledger. */
describe.each(testDatabases)("point lots on $name", ({ open }) => {
  let db: Database;
  let storeId: number;

  beforeAll(async () => {
    db = await open();
    storeId = (await createStore(db)).id;
  });
  afterAll(async () => {
    await db.close();
  });

  const lotsOf = (memberId: number) =>
    db.query<{ id: number; remaining: number }>(
      `SELECT id, remaining FROM "PointLot" WHERE "memberId" = $1 ORDER BY id`,
      [memberId],
    );

  it("When a member with many lots spends, then only the lots the spend consumes change, soonest-expiring first", async () => {
    const clock = testClock(new Date("2026-01-05T10:00:00Z"));
    const s = servicesFor(db, { clock });
    const m = await s.members.enroll({ phone: uniquePhone() }); // 100
    for (let i = 0; i < 20; i++) {
      clock.advanceDays(1);
      await s.purchases.recordPurchase({
        storeId,
        member: { id: m.id },
        receiptId: `lot-${i}`,
        amountKopecks: 100_000,
      }); // +30 each
    }
    const before = await lotsOf(m.id);
    expect(before).toHaveLength(21);
    await s.redemptions.spend({
      storeId,
      member: { id: m.id },
      receiptId: "lot-spend",
      receiptAmountKopecks: 10_000_000,
      points: 145,
    });
    const after = await lotsOf(m.id);
    const changed = after.filter((l, i) => l.remaining !== before[i]?.remaining);
    expect(changed.map((l) => l.remaining)).toEqual([0, 0, 15]); // 100 + 30 + 15 of the third
    expect(changed.map((l) => l.id)).toEqual(before.slice(0, 3).map((l) => l.id));
    const entries = await db.prisma.ledgerEntry.findMany({ where: { memberId: m.id }, orderBy: { id: "asc" } });
    expect(after.filter((l) => l.remaining > 0)).toEqual(
      [...liveLots(entries)].sort((a, b) => a.id - b.id).map(({ id, remaining }) => ({ id, remaining })),
    );
    expect(await auditLedger(db)).toMatchObject({ lotMismatches: [] });
  });

  it("When a lot is changed by hand, then the audit names the member", async () => {
    const s = servicesFor(db, { clock: testClock() });
    const m = await s.members.enroll({ phone: uniquePhone() });
    await db.exec(`UPDATE "PointLot" SET remaining = remaining - 1 WHERE "memberId" = ${m.id}`);
    try {
      const audit = await auditLedger(db);
      expect(audit.lotMismatches.map((x) => x.memberId)).toEqual([m.id]);
      expect(audit.mismatches).toEqual([]);
    } finally {
      await db.exec(`UPDATE "PointLot" SET remaining = remaining + 1 WHERE "memberId" = ${m.id}`);
    }
  });
});

describe("the lots migration", () => {
  it("When a database with history is migrated, then its lots are the replay of its ledger", async () => {
    const all = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory());
    const older = mkdtempSync(join(tmpdir(), "kopilka-migrations-"));
    for (const d of all.filter((d) => d.name < "20261124030000"))
      cpSync(join(MIGRATIONS_DIR, d.name), join(older, d.name), { recursive: true });
    const db = await openDatabase({ dataDir: "memory://", migrate: false });
    try {
      await db.withConnection((c) => migrate(c, older));
      // History written the way the old code did: credits, a spend across lots, an expiry naming its lot.
      await db.exec(`
        INSERT INTO "Member" (id, "memberCode", "referralCode", balance, "updatedAt") VALUES
          (1, '10000001', 'r1', 130, now()), (2, '10000002', 'r2', 0, now());
        INSERT INTO "LedgerEntry" (id, "memberId", kind, points, "balanceAfter", "expiresAt", "lotId", "idempotencyKey") VALUES
          (1, 1, 'welcome', 100, 100, '2027-03-01', NULL, 'a'),
          (2, 1, 'accrual', 50, 150, '2027-01-01', NULL, 'b'),
          (3, 1, 'redemption', -70, 80, NULL, NULL, 'c'),
          (4, 1, 'accrual', 50, 130, '2027-06-01', NULL, 'd'),
          (5, 2, 'welcome', 100, 100, '2026-01-01', NULL, 'e'),
          (6, 2, 'expiry', -100, 0, NULL, 5, 'f');`);
      await db.withConnection((c) => migrate(c));
      const lots = await db.query<{ id: number; remaining: number }>(
        `SELECT id, remaining FROM "PointLot" ORDER BY id`,
      );
      // The spend of 70 took the lot expiring first (2: 50) and 20 of lot 1.
      expect(lots).toEqual([
        { id: 1, remaining: 80 },
        { id: 2, remaining: 0 },
        { id: 4, remaining: 50 },
        { id: 5, remaining: 0 },
      ]);
      expect(await auditLedger(db)).toEqual(CLEAN_AUDIT);
    } finally {
      await db.close();
    }
  });
});
