import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { auditLedger, CLEAN_AUDIT } from "../app/services/index.js";
import { buildChain } from "../bench/data.js";
import { defaultProgram, type EntryView, liveLots, tierForSpend } from "../domain/index.js";
import { testDatabases } from "./support/databases.js";

/** The benchmark chain (npm run bench:data) is a history the program could have written. */
describe.each(testDatabases)("generated chain on $name", ({ open }) => {
  let db: Database;
  let built: Awaited<ReturnType<typeof buildChain>>;

  beforeAll(async () => {
    db = await open();
    built = await buildChain(db, defaultProgram, {
      members: 400,
      batchMembers: 150,
      heavy: 1,
      end: new Date("2026-06-01T00:00:00Z"),
      log: () => {},
    });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("When the chain is built, then the ledger audit passes and every kind of entry is there", async () => {
    expect(built.purchases).toBeGreaterThan(2000);
    expect(await auditLedger(db)).toEqual(CLEAN_AUDIT);
    const kinds = await db.query<{ kind: string }>(`SELECT DISTINCT kind::text AS kind FROM "LedgerEntry" ORDER BY 1`);
    expect(kinds.map((k) => k.kind)).toEqual(["accrual", "expiry", "redemption", "reversal", "welcome"]);
    expect((await db.query(`SELECT 1 FROM "PurchaseItem" LIMIT 1`)).length).toBe(1);
    expect((await db.query(`SELECT 1 FROM "NpsAnswer" LIMIT 1`)).length).toBe(1);
  });

  it("When a purchase is generated, then it keeps its items' categories, as the write path does", async () => {
    const [c] = await db.query<{ without: number; differ: number }>(
      `SELECT count(*) FILTER (WHERE p.categories IS NULL)::int AS without,
              count(*) FILTER (WHERE p.categories IS NOT NULL AND
                (SELECT array_agg(DISTINCT i.category ORDER BY i.category) FROM "PurchaseItem" i WHERE i."purchaseId" = p.id)
                IS DISTINCT FROM (SELECT array_agg(x ORDER BY x) FROM unnest(p.categories) x))::int AS differ
       FROM "Purchase" p`,
    );
    expect(c).toEqual({ without: 0, differ: 0 });
  });

  it("When a heavy member is asked for, then they have 5,000 purchases and 1,000 spends", async () => {
    expect(built.heavyIds).toEqual([400]);
    const [h] = await db.query<{ purchases: number; spends: number }>(
      `SELECT (SELECT count(*) FROM "Purchase" WHERE "memberId" = 400)::int AS purchases,
              (SELECT count(*) FROM "LedgerEntry" WHERE "memberId" = 400 AND kind = 'redemption')::int AS spends`,
    );
    expect(h).toEqual({ purchases: 5000, spends: 1000 });
  });

  it("When each member's ledger is replayed into lots, then no debit ever exceeds the points alive before it", async () => {
    const rows = await db.query<EntryView & { memberId: number }>(
      `SELECT "memberId", id, points, "expiresAt", "lotId" FROM "LedgerEntry" ORDER BY "memberId", id`,
    );
    const by = new Map<number, EntryView[]>();
    for (const r of rows) by.set(r.memberId, [...(by.get(r.memberId) ?? []), r]);
    for (const [, es] of by) expect(() => liveLots(es)).not.toThrow();
  });

  it("When a purchase's tier is checked, then it is the tier of the member's spend in the window before it", async () => {
    const ps = await db.query<{ memberId: number; at: Date; amount: number; tierCode: string }>(
      `SELECT "memberId", at, amount, "tierCode" FROM "Purchase" ORDER BY "memberId", at`,
    );
    const windowMs = defaultProgram.tierWindowDays * 86_400_000;
    const byMember = new Map<number, typeof ps>();
    for (const p of ps) {
      const list = byMember.get(p.memberId);
      if (list) list.push(p);
      else byMember.set(p.memberId, [p]);
    }
    // Sliding window over each member's purchases in time order (a heavy member has 5,000).
    for (const list of byMember.values()) {
      let from = 0;
      let upTo = 0;
      let spend = 0;
      for (const p of list) {
        for (let q = list[upTo]; q && q.at < p.at; q = list[++upTo]) spend += q.amount;
        for (let q = list[from]; q && q.at.getTime() < p.at.getTime() - windowMs; q = list[++from]) spend -= q.amount;
        expect(p.tierCode).toBe(tierForSpend(defaultProgram.tiers, spend).code);
      }
    }
  });
});
