import pino from "pino";
import { type Database, openDatabase } from "../app/db/database.js";
import type { RawConnection } from "../app/db/migrate.js";
import { createServices } from "../app/services/index.js";
import { defaultProgram } from "../domain/index.js";
import { createStore } from "../test/support/fixtures.js";
import { benchDatabase, measure, ratio, row } from "./lib.js";

/**
 * Purchases posted per second through the accrual path (the application
 * service: lock, idempotency check, tier window, accrual, ledger entry), beside
 * the same transaction hand-written in raw SQL as the reference.
 */
const MEMBERS = 64;

async function setup(db: Database) {
  const store = await createStore(db, { name: "Bench" });
  const services = createServices({
    db,
    program: defaultProgram,
    now: () => new Date(),
    log: pino({ level: "silent" }),
  });
  const members = [];
  for (let i = 0; i < MEMBERS; i++)
    members.push(await services.members.enroll({ phone: `+7999${String(i).padStart(7, "0")}` }));
  return { storeId: store.id, services, memberIds: members.map((m) => m.id) };
}

/** The accrual transaction in raw SQL: what the service does, minus the ORM. */
async function rawPurchase(c: RawConnection, storeId: number, memberId: number, receiptId: string, amount: number) {
  await c.exec("BEGIN");
  try {
    const [m] = await c.query<{ balance: number }>(`SELECT balance FROM "Member" WHERE id = $1 FOR UPDATE`, [memberId]);
    const dup = await c.query(`SELECT id FROM "Purchase" WHERE "storeId" = $1 AND "receiptId" = $2`, [
      storeId,
      receiptId,
    ]);
    if (dup.length || !m) throw new Error("unexpected duplicate");
    await c.query(`SELECT id FROM "Store" WHERE id = $1 AND active`, [storeId]);
    const [sp] = await c.query<{ s: string }>(
      `SELECT COALESCE(SUM(amount - "returnedAmount"), 0)::bigint AS s FROM "Purchase" WHERE "memberId" = $1 AND at > now() - interval '365 days'`,
      [memberId],
    );
    const spend = Number(sp?.s ?? 0);
    const rate = spend >= 1_000_000 ? 1000 : spend >= 500_000 ? 500 : 300;
    const points = Math.floor((amount * rate) / 10_000 / 100);
    const balance = m.balance + points;
    const [p] = await c.query<{ id: number }>(
      `INSERT INTO "Purchase" ("storeId","memberId","receiptId",amount,"pointsAccrued","tierCode","rateBp","balanceAfter",at)
       VALUES ($1,$2,$3,$4,$5,'x',$6,$7,now()) RETURNING id`,
      [storeId, memberId, receiptId, amount, points, rate, balance],
    );
    if (points > 0) {
      await c.query(
        `INSERT INTO "LedgerEntry" ("memberId",kind,points,"balanceAfter","expiresAt","purchaseId","idempotencyKey")
         VALUES ($1,'accrual',$2,$3,now() + interval '12 months',$4,$5)`,
        [memberId, points, balance, p?.id, `raw:${p?.id}`],
      );
      await c.query(`UPDATE "Member" SET balance = $1 WHERE id = $2`, [balance, memberId]);
    }
    await c.exec("COMMIT");
  } catch (e) {
    await c.exec("ROLLBACK");
    throw e;
  }
}

async function section(
  label: string,
  db: Database,
  workers: number,
  total: number,
  rawConn: () => Promise<{ c: RawConnection; done: () => void }>,
) {
  const { storeId, services, memberIds } = await setup(db);
  const amount = (i: number) => 10_000 + ((i * 7919) % 500_000);
  const member = (i: number) => memberIds[i % memberIds.length] as number;
  // warm-up
  await measure(200, workers, (i) =>
    services.purchases.recordPurchase({
      storeId,
      member: { id: member(i) },
      receiptId: `w${i}`,
      amountKopecks: amount(i),
    }),
  );
  const svc = await measure(total, workers, (i) =>
    services.purchases.recordPurchase({
      storeId,
      member: { id: member(i) },
      receiptId: `s${i}`,
      amountKopecks: amount(i),
    }),
  );
  const raw = await measure(total, workers, async (i) => {
    const { c, done } = await rawConn();
    try {
      await rawPurchase(c, storeId, member(i), `r${i}`, amount(i));
    } finally {
      done();
    }
  });
  console.log(`\n${label} — ${workers} worker(s), ${total} purchases each way, ${MEMBERS} members`);
  row("service (accrual path, unit of work)", svc);
  row("reference: same transaction in raw SQL", raw);
  ratio("raw SQL / service (lower is better)", raw.perSecond / svc.perSecond, "≤ 2.00");
  return { svc, raw };
}

export async function benchAccrual(postgresUrl: string | undefined) {
  console.log("\n== accrual: purchases posted per second ==");
  const lite = await openDatabase({ dataDir: "memory://" });
  try {
    await section("PGlite (embedded), sequential", lite, 1, 2_000, async () => ({ c: lite, done: () => {} }));
  } finally {
    await lite.close();
  }
  if (!postgresUrl) {
    console.log("\nPostgreSQL: skipped (no server: install postgresql or set TEST_DATABASE_URL)");
    return;
  }
  const pg = await import("pg");
  const fresh = await benchDatabase(postgresUrl, "kopilka_bench");
  const db = await openDatabase({ databaseUrl: fresh.url, dataDir: "", poolSize: 8 });
  const pool = new pg.default.Pool({ connectionString: fresh.url, max: 8 });
  pool.on("error", () => {});
  try {
    const { svc } = await section("PostgreSQL, 8 concurrent workers", db, 8, 8_000, async () => {
      const client = await pool.connect();
      return {
        c: {
          exec: async (sql) => void (await client.query(sql)),
          query: async (sql, p) => (await client.query(sql, p)).rows,
        },
        done: () => client.release(),
      };
    });
    ratio("PostgreSQL purchases/s", svc.perSecond, "≥ 1000");
  } finally {
    await pool.end();
    await db.close();
    await fresh.drop();
  }
}
