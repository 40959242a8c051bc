import pino from "pino";
import type { Database } from "../app/db/database.js";
import { createServices } from "../app/services/index.js";
import { defaultProgram } from "../domain/index.js";
import { createStore } from "../test/support/fixtures.js";
import { measure, mergeMeasures, onBothDatabases, ratio, row } from "./lib.js";

/**
 * Work that must not grow with history: a spend (lock, expire due points,
 * caps, debit across live lots) on a member with 10,000 ledger entries,
 * beside the same spend on a member with 10, on the same database in the same
 * run. The long history is written in bulk SQL the way the write path would
 * have left it (accruals of 1,000 points, every tenth entry a 10-point spend
 * taken from the lot expiring first), so the audit passes afterwards.
 */
const SPENDS = 400;

async function withHistory(db: Database, memberId: number, entries: number) {
  await db.exec(`
    WITH m AS (SELECT balance FROM "Member" WHERE id = ${memberId})
    INSERT INTO "LedgerEntry" ("memberId", kind, points, "balanceAfter", "expiresAt", "idempotencyKey", "createdAt")
    SELECT ${memberId}, (CASE WHEN i % 10 = 0 THEN 'redemption' ELSE 'accrual' END)::"LedgerKind",
           CASE WHEN i % 10 = 0 THEN -10 ELSE 1000 END, m.balance + 1000 * (i - i / 10) - 10 * (i / 10),
           CASE WHEN i % 10 = 0 THEN NULL ELSE now() + interval '30 days' + i * interval '1 minute' END,
           'hist:${memberId}:' || i, now() - interval '300 days' + i * interval '1 second'
    FROM generate_series(1, ${entries}) i, m ORDER BY i;
    INSERT INTO "PointLot" (id, "memberId", "expiresAt", points, remaining)
    SELECT id, "memberId", "expiresAt", points, GREATEST(0, LEAST(points, 1000 * n - ${10 * Math.floor(entries / 10)}))::int
    FROM (SELECT id, "memberId", "expiresAt", points, row_number() OVER (ORDER BY "expiresAt", id) AS n
          FROM "LedgerEntry" WHERE "memberId" = ${memberId} AND "idempotencyKey" LIKE 'hist:%' AND points > 0) c;
    UPDATE "Member" SET balance = (SELECT "balanceAfter" FROM "LedgerEntry" WHERE "memberId" = ${memberId}
                                   ORDER BY id DESC LIMIT 1) WHERE id = ${memberId};
    ANALYZE;`);
}

async function section(label: string, db: Database) {
  const store = await createStore(db, { name: "Bench", trustedPos: true });
  const services = createServices({
    db,
    program: defaultProgram,
    now: () => new Date(),
    log: pino({ level: "silent" }),
  });
  const light = await services.members.enroll({ phone: "+79970000001" });
  const heavy = await services.members.enroll({ phone: "+79970000002" });
  await withHistory(db, light.id, 9); // + the welcome entry: 10
  await withHistory(db, heavy.id, 9_999); // 10,000
  const spend = (memberId: number, prefix: string) => (i: number) =>
    services.redemptions.spend({
      storeId: store.id,
      member: { id: memberId },
      receiptId: `${prefix}-${i}`,
      receiptAmountKopecks: 100_000,
      points: 7, // a bulk lot holds 1,000 and a bench spend's own lot 0: spends cross lots now and then
    });
  await measure(50, 1, spend(light.id, "wl"));
  await measure(50, 1, spend(heavy.id, "wh"));
  // Alternated halves, so neither side pays alone for the tables' growth.
  const l1 = await measure(SPENDS / 2, 1, spend(light.id, "l1"));
  const h1 = await measure(SPENDS / 2, 1, spend(heavy.id, "h1"));
  const h2 = await measure(SPENDS / 2, 1, spend(heavy.id, "h2"));
  const l2 = await measure(SPENDS / 2, 1, spend(light.id, "l2"));
  const l = mergeMeasures(l1, l2);
  const h = mergeMeasures(h1, h2);
  console.log(`\n${label} — ${SPENDS} spends each, sequential`);
  row("spend, member with 10 entries (reference)", l);
  row("spend, member with 10,000 entries", h);
  ratio("mean time: 10,000 entries / 10", l.perSecond / h.perSecond, "≤ 1.5");
  const { auditLedger } = await import("../app/services/audit.js");
  const audit = await auditLedger(db);
  const clean = !audit.mismatches.length && !audit.brokenChains && !audit.lotMismatches.length;
  console.log(`  audit after the run: ${clean ? "OK" : `MISMATCH ${JSON.stringify(audit).slice(0, 300)}`}`);
}

export async function benchHistory(postgresUrl: string | undefined) {
  console.log("\n== history: a spend's cost against the member's ledger length ==");
  await onBothDatabases(postgresUrl, "kopilka_bench_history", section);
}
