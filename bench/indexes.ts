import { type Database, openDatabase } from "../app/db/database.js";
import { benchDatabase } from "./lib.js";

/**
 * The indexes issue 14 asked for, each justified by EXPLAIN (ANALYZE,
 * BUFFERS) on PostgreSQL: the query with its index, then the same query in a
 * transaction where the index is dropped (rolled back after), on a database
 * with MEMBERS members, a heavy member with 5,000 purchases over two years
 * and a lot per credit. Prints the plan's top nodes, buffers and time.
 */
const MEMBERS = 200_000;

async function load(db: Database) {
  await db.exec(`
    INSERT INTO "Member" (id, "memberCode", "referralCode", "chatId", "referredById", balance, "updatedAt")
    SELECT i, lpad(i::text, 8, '0'), 'r' || i, 1000000 + i, CASE WHEN i % 10 = 0 THEN i / 10 END, 100, now()
    FROM generate_series(1, ${MEMBERS}) i;
    SELECT setval(pg_get_serial_sequence('"Member"', 'id'), ${MEMBERS});
    INSERT INTO "Store" (name, address, latitude, longitude, "timeZone", hours, region)
    VALUES ('Bench', 'x', 55.7, 37.6, 'Europe/Moscow', '{}', 'Moscow');
    -- every member: one welcome credit and its lot
    INSERT INTO "LedgerEntry" ("memberId", kind, points, "balanceAfter", "expiresAt", "idempotencyKey", "createdAt")
    SELECT i, 'welcome', 100, 100, now() - interval '400 days' + (i % 800) * interval '1 day', 'w:' || i, now()
    FROM generate_series(1, ${MEMBERS}) i;
    -- member 1 is heavy: 5,000 purchases over two years, spread among others' as they arrive in a chain
    INSERT INTO "Purchase" ("storeId", "memberId", "receiptId", amount, "pointsAccrued", "tierCode", "rateBp", "balanceAfter", at)
    SELECT 1, CASE WHEN i % 40 = 0 THEN 1 ELSE 2 + i % ${MEMBERS - 1} END, 'p' || i, 10000 + i % 90000, 0, 'base', 300, 0,
           now() - (i % 730) * interval '1 day'
    FROM generate_series(1, 200000) i;
    INSERT INTO "LedgerEntry" ("memberId", kind, points, "balanceAfter", "expiresAt", "idempotencyKey", "createdAt")
    SELECT 1, 'accrual', 10, 100 + 10 * i, now() + (i % 365) * interval '1 day', 'h:' || i, now() FROM generate_series(1, 5000) i;
    UPDATE "Member" SET balance = 50100 WHERE id = 1;
    INSERT INTO "PointLot" (id, "memberId", "expiresAt", points, remaining)
    SELECT id, "memberId", "expiresAt", points, points FROM "LedgerEntry";`);
  // Index-only scans need the visibility map, as autovacuum keeps it on a live
  // database; on a fresh load the first VACUUM here leaves it unset, the second sets it.
  await db.exec("VACUUM ANALYZE");
  await db.exec("VACUUM ANALYZE");
}

async function explain(db: Database, label: string, query: string, without: string) {
  const plan = async () => {
    const rows = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${query}`);
    const lines = rows.map((r) => r["QUERY PLAN"]);
    const nodes = lines
      .filter((l) => /->|^\S/.test(l) && !/^(Planning|Execution)/.test(l))
      .slice(0, 3)
      .map((l) =>
        l
          .trim()
          .replace(/^-> +/, "")
          .replace(/ \(actual.*$/, ""),
      );
    const buffers = lines.find((l) => /Buffers:/.test(l))?.trim() ?? "";
    const time = lines.find((l) => l.startsWith("Execution Time"))?.replace("Execution Time: ", "") ?? "";
    return `${time.padEnd(10)} ${buffers.padEnd(34)} ${nodes.join(" → ")}`;
  };
  console.log(`\n  ${label}\n    ${query.replace(/\s+/g, " ").slice(0, 150)}`);
  await db.exec("BEGIN");
  try {
    console.log(`    with the index:    ${await plan()}`);
  } finally {
    await db.exec("ROLLBACK");
  }
  await db.exec("BEGIN");
  try {
    await db.exec(without);
    console.log(`    without it:        ${await plan()}`);
  } finally {
    await db.exec("ROLLBACK");
  }
}

export async function benchIndexes(postgresUrl: string | undefined) {
  console.log(`\n== indexes: EXPLAIN (ANALYZE, BUFFERS), ${MEMBERS} members, a member with 5,000 purchases ==`);
  if (!postgresUrl) {
    console.log("  PostgreSQL: skipped (no server)");
    return;
  }
  const fresh = await benchDatabase(postgresUrl, "kopilka_bench_indexes");
  const db = await openDatabase({ databaseUrl: fresh.url, dataDir: "", poolSize: 1 });
  try {
    await load(db);
    await explain(
      db,
      'markUnreachable: Member by chatId ("Member_chatId_idx")',
      `UPDATE "Member" SET status = 'unreachable' WHERE "chatId" = 1123456 AND status = 'active'`,
      `DROP INDEX "Member_chatId_idx"`,
    );
    await explain(
      db,
      'referral count ("Member_referredById_idx")',
      `SELECT COUNT(*) FROM "Member" WHERE "referredById" = 1234`,
      `DROP INDEX "Member_referredById_idx"`,
    );
    await explain(
      db,
      'tier window of the heavy member ("Purchase_memberId_at_amount_returnedAmount_idx" vs the old (memberId, at))',
      `SELECT COALESCE(SUM(amount - "returnedAmount"), 0)::int8 FROM "Purchase"
       WHERE "memberId" = 1 AND at > now() - interval '365 days' AND at <= now()`,
      `DROP INDEX "Purchase_memberId_at_amount_returnedAmount_idx";
       CREATE INDEX "Purchase_memberId_at_idx" ON "Purchase"("memberId", at)`,
    );
    await explain(
      db,
      'sweep: one batch of due lots ("PointLot_live_due_idx", partial on remaining > 0)',
      `SELECT "memberId" FROM "PointLot" WHERE remaining > 0 AND "expiresAt" <= now() ORDER BY "expiresAt", id LIMIT 500`,
      `DROP INDEX "PointLot_live_due_idx"`,
    );
    await explain(
      db,
      'a 25-point debit of the heavy member (5,001 live lots): the walk ("PointLot_live_member_idx")',
      `WITH RECURSIVE walk (id, "expiresAt", take, rest) AS (
        (SELECT id, "expiresAt", LEAST(remaining, 25), 25 - LEAST(remaining, 25)
         FROM "PointLot" WHERE "memberId" = 1 AND remaining > 0 ORDER BY "expiresAt", id LIMIT 1)
        UNION ALL
        (SELECT n.id, n."expiresAt", LEAST(n.remaining, w.rest), w.rest - LEAST(n.remaining, w.rest)
         FROM walk w CROSS JOIN LATERAL (SELECT id, "expiresAt", remaining FROM "PointLot"
           WHERE "memberId" = 1 AND remaining > 0 AND ("expiresAt", id) > (w."expiresAt", w.id)
           ORDER BY "expiresAt", id LIMIT 1) n WHERE w.rest > 0)
      ) SELECT id, take FROM walk`,
      `DROP INDEX "PointLot_live_member_idx"`,
    );
  } finally {
    await db.close();
    await fresh.drop();
  }
}
