/**
 * npm run bench:data -- --members N [--stores S] [--purchases-per-member P] [--heavy H] [--end YYYY-MM-DD] [--no-audit]
 *
 * Builds a consistent chain on the database in DATABASE_URL (PostgreSQL;
 * without it, the PGlite folder in DATA_DIR): stores, members, two years of
 * purchases with line items, ledger entries (welcome bonuses, accruals at the
 * tier the spend before each purchase gives, spends, returns' reversals,
 * expiries) and NPS answers, all set-based (generate_series, window
 * functions), in batches of members with progress. The ledger audit
 * (app/services/audit.ts) passes on the result.
 *
 * How the history stays consistent: every debit draws on one earlier credit
 * of its own — a spend on the purchase before it (spends only at odd
 * purchases, on the even one before), a return's reversal on its own
 * purchase's accrual (returns only of odd purchases without a spend) — so no
 * balance is ever negative; a welcome bonus expires after 12 months when no
 * debit touched it first. Older accrual lots are left due for the expiry
 * sweep (a backlog to benchmark it on). Tier spend ignores returns.
 *
 * Heavy members (--heavy H, default 5 from the command line): H members spread
 * over the id range, enrolled at the start of the history, each with 5,000
 * purchases and 1,000 spends — the card, the tier window and the lot replay
 * of a long history. Their spends are at every fifth purchase (on the one
 * before it, never a spend) and their returns only of the second of each five,
 * so every debit still draws on a credit of its own.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { loadConfig, loadProgram } from "../app/config.js";
import { type Database, openDatabase } from "../app/db/database.js";
import { auditLedger } from "../app/services/audit.js";
import type { Program } from "../domain/index.js";

export interface ChainOptions {
  members: number;
  stores?: number;
  purchasesPerMember?: number;
  /** The end of the history (exclusive); two years before it is the start. */
  end?: Date;
  batchMembers?: number;
  /** Heavy members (5,000 purchases, 1,000 spends each); none unless asked. */
  heavy?: number;
  log?: (line: string) => void;
}

const REGIONS = [
  ["Москва", "Europe/Moscow"],
  ["Санкт-Петербург", "Europe/Moscow"],
  ["Казань", "Europe/Moscow"],
  ["Нижний Новгород", "Europe/Moscow"],
  ["Самара", "Europe/Samara"],
  ["Екатеринбург", "Asia/Yekaterinburg"],
  ["Новосибирск", "Asia/Novosibirsk"],
  ["Красноярск", "Asia/Krasnoyarsk"],
  ["Владивосток", "Asia/Vladivostok"],
  ["Калининград", "Europe/Kaliningrad"],
] as const;
const CATEGORIES = ["bakery", "coffee", "dairy", "produce", "meat", "drinks", "household", "tobacco"];

/** A heavy member's purchases; every fifth is a spend (1,000). */
const HEAVY_PURCHASES = 5000;

const ts = (d: Date) => d.toISOString().replace("Z", "");

/** Builds the chain; the database must have no members yet. Returns the counts. */
/** The lots migration's replay (one definition: prisma/migrations/…_point_lots). */
function lotsReplaySql(): string {
  const dir = join(import.meta.dirname, "..", "prisma", "migrations");
  const name = readdirSync(dir).find((d) => d.endsWith("_point_lots"));
  if (!name) throw new Error("the point lots migration is missing");
  const text = readFileSync(join(dir, name, "migration.sql"), "utf8");
  const m = /DO \$\$[\s\S]*?END \$\$;/.exec(text);
  if (!m) throw new Error("the point lots migration has no replay block");
  return m[0];
}

export async function buildChain(db: Database, program: Program, o: ChainOptions) {
  const log = o.log ?? ((l: string) => console.log(l));
  const members = o.members;
  const stores = o.stores ?? Math.min(500, Math.max(3, Math.round(members / 2000)));
  const avg = o.purchasesPerMember ?? 10;
  const end =
    o.end ?? new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
  const start = new Date(end.getTime() - 730 * 86_400_000);
  const batch = o.batchMembers ?? 50_000;
  const heavy = Math.min(o.heavy ?? 0, members);
  // Heavy ids: step, 2·step, … up to the last member (none when heavy = 0).
  const step = heavy > 0 ? Math.floor(members / heavy) : 0;
  // The j-th line item's category of generated purchase gp (its items and its categories agree).
  const category = `(ARRAY['${CATEGORIES.join("','")}'])[1 + ((gp.id + j) % ${CATEGORIES.length})]`;
  const isHeavy = (col: string) => (heavy > 0 ? `(${col} % ${step} = 0 AND ${col} <= ${step * heavy})` : "false");
  const pv = program.pointValueKopecks;
  const welcome = program.welcomeBonusPoints;
  const months = program.expiry.months;
  const [{ n: existing } = { n: 0 }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Member"`);
  if (existing > 0) throw new Error(`the database already has ${existing} members: build the chain on an empty one`);
  const t0 = performance.now();
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

  // Tier by spend before the purchase, from the program's tiers (highest first).
  const tiers = [...program.tiers].sort((a, b) => b.thresholdKopecks - a.thresholdKopecks);
  const tierCase = (col: string) =>
    `CASE ${tiers.map((t) => `WHEN spend >= ${t.thresholdKopecks} THEN ${col === "code" ? `'${t.code}'` : t.rateBp}`).join(" ")} END`;

  await db.exec(`
    INSERT INTO "Store" (id, name, address, latitude, longitude, "timeZone", hours, region, "updatedAt")
    SELECT i, 'Копилка №' || i, 'ул. Тестовая, ' || i, 43 + (i % 20), 30 + (i % 100), r.tz, '{}'::jsonb, r.region, now()
    FROM generate_series(1, ${stores}) i
    JOIN (SELECT * FROM (VALUES ${REGIONS.map(([r, tz], k) => `(${k}, '${r}', '${tz}')`).join(",")}) v(k, region, tz)) r
      ON r.k = i % ${REGIONS.length};
    SELECT setval(pg_get_serial_sequence('"Store"', 'id'), ${stores});`);
  log(`  stores: ${stores} (${elapsed()})`);

  let purchases = 0;
  let entries = 0;
  for (let lo = 1; lo <= members; lo += batch) {
    const hi = Math.min(members, lo + batch - 1);
    // Members join more often lately: createdAt = start + span × sqrt(u).
    await db.exec(`
      INSERT INTO "Member" (id, "memberCode", "referralCode", phone, "firstName", language, "consentAt", "createdAt", "updatedAt")
      SELECT i, lpad(i::text, 8, '0'), 'R' || i, '+79' || lpad(i::text, 9, '0'), 'Участник ' || i, 'ru', c, c, c
      FROM (SELECT i, CASE WHEN ${isHeavy("i")} THEN '${ts(start)}'::timestamp
                      ELSE '${ts(start)}'::timestamp + sqrt(random()) * ('${ts(end)}'::timestamp - '${ts(start)}'::timestamp - interval '1 day') END AS c
            FROM generate_series(${lo}, ${hi}) i) g;`);
    const [{ p: baseP } = { p: 0 }] = await db.query<{ p: number }>(
      `SELECT COALESCE(max(id), 0)::int AS p FROM "Purchase"`,
    );
    const [{ l: baseL } = { l: 0 }] = await db.query<{ l: number }>(
      `SELECT COALESCE(max(id), 0)::int AS l FROM "LedgerEntry"`,
    );
    const [{ r: baseR } = { r: 0 }] = await db.query<{ r: number }>(
      `SELECT COALESCE(max(id), 0)::int AS r FROM "Return"`,
    );
    await db.exec(`
      DROP TABLE IF EXISTS gp; DROP TABLE IF EXISTS gr; DROP TABLE IF EXISTS gl;
      CREATE TEMP TABLE gp AS
      WITH m AS (SELECT id, "createdAt", 1 + (id % ${stores}) AS home, ${isHeavy("id")} AS heavy,
                        CASE WHEN ${isHeavy("id")} THEN ${HEAVY_PURCHASES} ELSE floor(random() ^ 2 * ${3 * avg})::int END AS k
                 FROM "Member" WHERE id BETWEEN ${lo} AND ${hi}),
      raw AS (SELECT m.id AS mid, m.heavy, date_trunc('second', m."createdAt" + random() * ('${ts(end)}'::timestamp - m."createdAt")) AS at,
                     CASE WHEN random() < 0.8 THEN m.home ELSE 1 + floor(random() * ${stores})::int END AS sid,
                     (10000 + floor(random() ^ 2 * 500000))::int AS amount, random() AS r1, random() AS r2
              FROM m, generate_series(1, m.k)),
      w AS (SELECT *, row_number() OVER (PARTITION BY mid ORDER BY at) AS seq,
                   COALESCE(SUM(amount) OVER (PARTITION BY mid ORDER BY at
                     RANGE BETWEEN interval '${program.tierWindowDays} days' PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW), 0) AS spend
            FROM raw),
      t AS (SELECT *, ${tierCase("code")} AS tier, ${tierCase("rate")} AS rate FROM w),
      b AS (SELECT *, LAG((amount::bigint * rate) / ${10_000 * pv}) OVER (PARTITION BY mid ORDER BY at) AS prev_base FROM t),
      c AS (SELECT *, CASE WHEN (NOT heavy AND seq % 2 = 1 AND seq > 1 AND r1 < 0.3) OR (heavy AND seq % 5 = 0)
                           THEN LEAST(prev_base, (amount::bigint * ${program.redemption.maxShareBp}) / ${10_000 * pv})::int
                           ELSE 0 END AS red FROM b)
      SELECT ${baseP} + row_number() OVER (ORDER BY mid, at) AS id, mid, sid, at, amount, red, tier, rate,
             (((amount - red * ${pv})::bigint * rate) / ${10_000 * pv})::int AS acc,
             CASE WHEN (CASE WHEN heavy THEN seq % 5 = 2 ELSE seq % 2 = 1 END) AND red = 0 AND r2 < 0.05 AND at + interval '1 day' < '${ts(end)}'::timestamp
                  THEN amount / 2 ELSE 0 END AS ret
      FROM c;
      CREATE TEMP TABLE gr AS
      SELECT ${baseR} + row_number() OVER (ORDER BY id) AS rid, id AS pid, mid, at + interval '1 day' AS at, ret AS amount,
             ((acc::bigint * ret) / amount)::int AS rev
      FROM gp WHERE ret > 0;
      CREATE TEMP TABLE gl AS
      WITH ev AS (
        SELECT id AS mid, "createdAt" AS at, 0 AS ord, 'welcome' AS kind, ${welcome} AS points, NULL::bigint AS pid, NULL::bigint AS rid
        FROM "Member" WHERE id BETWEEN ${lo} AND ${hi} AND ${welcome} > 0
        UNION ALL SELECT mid, at, 1, 'redemption', -red, id, NULL FROM gp WHERE red > 0
        UNION ALL SELECT mid, at, 2, 'accrual', acc, id, NULL FROM gp WHERE acc > 0
        UNION ALL SELECT mid, at, 3, 'reversal', -rev, pid, rid FROM gr WHERE rev > 0
        UNION ALL
        SELECT m.id, m."createdAt" + interval '${months} months', 4, 'expiry', -${welcome}, NULL, NULL
        FROM "Member" m WHERE m.id BETWEEN ${lo} AND ${hi} AND ${welcome} > 0
          AND m."createdAt" + interval '${months} months' < '${ts(end)}'::timestamp
          AND NOT EXISTS (SELECT 1 FROM gp WHERE gp.mid = m.id AND gp.red > 0 AND gp.at <= m."createdAt" + interval '${months} months')
          AND NOT EXISTS (SELECT 1 FROM gr WHERE gr.mid = m.id AND gr.rev > 0 AND gr.at <= m."createdAt" + interval '${months} months')),
      numbered AS (SELECT *, ${baseL} + row_number() OVER (ORDER BY mid, at, ord, pid) AS id FROM ev)
      SELECT *, SUM(points) OVER (PARTITION BY mid ORDER BY id ROWS UNBOUNDED PRECEDING) AS bal,
             CASE WHEN kind = 'expiry' THEN min(id) OVER (PARTITION BY mid) END AS lot
      FROM numbered;
      INSERT INTO "Purchase" (id, "storeId", "memberId", "receiptId", amount, "pointsRedeemed", "pointsAccrued", "tierCode", "rateBp",
                              "balanceAfter", "returnedAmount", at, "createdAt", categories)
      SELECT gp.id, gp.sid, gp.mid, 'g' || gp.id, gp.amount, gp.red, gp.acc, gp.tier, gp.rate,
             COALESCE(a.bal, r.bal, 0), gp.ret, gp.at, gp.at,
             -- Its items' categories, as the write path keeps them (the items below are the same expression).
             ARRAY(SELECT DISTINCT ${category} FROM generate_series(1, 1 + (gp.id % 2)::int) j)
      FROM gp LEFT JOIN gl a ON a.pid = gp.id AND a.kind = 'accrual' LEFT JOIN gl r ON r.pid = gp.id AND r.kind = 'redemption';
      INSERT INTO "PurchaseItem" ("purchaseId", sku, category, amount)
      SELECT gp.id, 'sku-' || ((gp.id * 7 + j) % 500), ${category}, gp.amount / 3
      FROM gp, generate_series(1, 1 + (gp.id % 2)::int) j;
      INSERT INTO "Return" (id, "purchaseId", "idempotencyKey", amount, "pointsReversed", "pointsRefunded", "createdAt")
      SELECT rid, pid, 'gen-return:' || rid, amount, rev, 0, at FROM gr;
      INSERT INTO "LedgerEntry" (id, "memberId", kind, points, "balanceAfter", "expiresAt", "purchaseId", "returnId", "lotId",
                                 "idempotencyKey", "createdAt")
      SELECT id, mid, kind::"LedgerKind", points, bal,
             CASE WHEN points > 0 THEN at + interval '${months} months' END,
             CASE WHEN kind IN ('redemption', 'accrual', 'reversal') THEN pid END, rid, lot, 'gen:' || id, at
      FROM gl ORDER BY id;
      UPDATE "Member" m SET balance = x.bal
      FROM (SELECT DISTINCT ON (mid) mid, bal FROM gl ORDER BY mid, id DESC) x WHERE m.id = x.mid;`);
    const [c = { p: 0, l: 0 }] = await db.query<{ p: number; l: number }>(
      `SELECT (SELECT count(*) FROM gp)::int AS p, (SELECT count(*) FROM gl)::int AS l`,
    );
    purchases += c.p;
    entries += c.l;
    log(
      `  members ${hi.toLocaleString("en")}/${members.toLocaleString("en")}: ${purchases.toLocaleString("en")} purchases, ${entries.toLocaleString("en")} ledger entries (${elapsed()})`,
    );
  }
  await db.exec(`
    DROP TABLE IF EXISTS gp; DROP TABLE IF EXISTS gr; DROP TABLE IF EXISTS gl;
    SELECT setval(pg_get_serial_sequence('"Member"', 'id'), GREATEST(1, (SELECT max(id) FROM "Member")));
    SELECT setval(pg_get_serial_sequence('"Purchase"', 'id'), GREATEST(1, (SELECT max(id) FROM "Purchase")));
    SELECT setval(pg_get_serial_sequence('"LedgerEntry"', 'id'), GREATEST(1, (SELECT max(id) FROM "LedgerEntry")));
    SELECT setval(pg_get_serial_sequence('"Return"', 'id'), GREATEST(1, (SELECT max(id) FROM "Return")));
    -- NPS: about 3 answers per 10 members, more promoters than detractors.
    INSERT INTO "NpsAnswer" ("memberId", "storeId", score, "answeredAt")
    SELECT 1 + floor(random() * ${members})::int, CASE WHEN random() < 0.8 THEN 1 + floor(random() * ${stores})::int END,
           LEAST(10, floor(random() * 6 + random() * 6)::int),
           '${ts(start)}'::timestamp + random() * ('${ts(end)}'::timestamp - '${ts(start)}'::timestamp)
    FROM generate_series(1, ${Math.max(1, Math.round(members * 0.3))});
    DELETE FROM "NpsAnswer" a USING "Member" m WHERE m.id = a."memberId" AND a."answeredAt" < m."createdAt";
    -- One store in ten reports all its receipts: members' plus walk-ins.
    INSERT INTO "StoreReceiptDay" ("storeId", day, receipts)
    SELECT p."storeId", ((p.at AT TIME ZONE 'UTC') AT TIME ZONE s."timeZone")::date, (count(*) * 1.6)::int + 5
    FROM "Purchase" p JOIN "Store" s ON s.id = p."storeId" WHERE p."storeId" % 10 = 1 GROUP BY 1, 2;
    ANALYZE;`);
  log(`  NPS answers, receipt reports, ANALYZE (${elapsed()})`);
  // The live lots (PointLot) are a cache of the ledger the write path keeps;
  // data written in bulk gets them from the same replay the lots migration runs.
  await db.exec(`DELETE FROM "PointLot"; ${lotsReplaySql()} ANALYZE "PointLot";`);
  log(`  live lots replayed from the ledger (${elapsed()})`);
  const heavyIds = Array.from({ length: heavy }, (_, i) => (i + 1) * step);
  if (heavy > 0) log(`  heavy members: ${heavyIds.join(", ")}`);
  return { stores, members, purchases, entries, heavyIds, seconds: (performance.now() - t0) / 1000 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== "--"),
    options: {
      members: { type: "string", default: "1000" },
      stores: { type: "string" },
      "purchases-per-member": { type: "string" },
      end: { type: "string" },
      heavy: { type: "string", default: "5" },
      "no-audit": { type: "boolean", default: false },
    },
  });
  const config = loadConfig(process.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const n = Number(values.members);
    if (!Number.isInteger(n) || n < 1) throw new Error("--members must be a positive whole number");
    console.log(
      `bench:data — ${n.toLocaleString("en")} members on ${db.kind === "postgres" ? "PostgreSQL" : `PGlite ${config.dataDir}`}`,
    );
    const r = await buildChain(db, loadProgram(config.programFile), {
      members: n,
      heavy: Number(values.heavy),
      ...(values.stores ? { stores: Number(values.stores) } : {}),
      ...(values["purchases-per-member"] ? { purchasesPerMember: Number(values["purchases-per-member"]) } : {}),
      ...(values.end ? { end: new Date(`${values.end}T00:00:00Z`) } : {}),
    });
    console.log(
      `done: ${r.members.toLocaleString("en")} members, ${r.stores} stores, ${r.purchases.toLocaleString("en")} purchases, ${r.entries.toLocaleString("en")} ledger entries in ${r.seconds.toFixed(1)} s`,
    );
    if (!values["no-audit"]) {
      const t = performance.now();
      const a = await auditLedger(db);
      console.log(
        `ledger audit: ${a.mismatches.length} balance mismatches, ${a.brokenChains} broken chains, ${a.lotMismatches.length} lot mismatches (${((performance.now() - t) / 1000).toFixed(1)} s)`,
      );
      if (a.mismatches.length || a.brokenChains || a.lotMismatches.length) process.exitCode = 1;
    }
  } finally {
    await db.close();
  }
}
