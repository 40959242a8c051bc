import pino from "pino";
import { type Database, openDatabase } from "../app/db/database.js";
import type { RawConnection } from "../app/db/migrate.js";
import { createServices } from "../app/services/index.js";
import { defaultProgram } from "../domain/index.js";
import { createStore } from "../test/support/fixtures.js";
import { benchDatabase, type Measure, measure, ratio, row } from "./lib.js";

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
async function rawPurchase(
  c: RawConnection,
  storeId: number,
  memberId: number,
  receiptId: string,
  amount: number,
  outbox = false,
) {
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
    const insert = `INSERT INTO "Purchase" ("storeId","memberId","receiptId",amount,"pointsAccrued","tierCode","rateBp","balanceAfter",at)
       VALUES ($1,$2,$3,$4,$5,'x',$6,$7,now()) RETURNING id`;
    const params = [storeId, memberId, receiptId, amount, points, rate, balance];
    // With the outbox: the event and its one reaction ride in the same statement, as the service does it.
    const [p] = await c.query<{ id: number }>(
      outbox
        ? `WITH p AS (${insert}),
             ev AS (INSERT INTO "DomainEvent" (type, version, "memberId", payload, "occurredAt")
                    SELECT 'purchase.recorded', 1, $2, $8::jsonb || jsonb_build_object('purchaseId', p.id), now() FROM p
                    RETURNING id, payload),
             j AS (INSERT INTO "Job" (name, key, payload, "runAt")
                   SELECT 'notify.purchase', 'notify.purchase:' || ev.id, jsonb_build_object('eventId', ev.id, 'event', ev.payload), now() FROM ev)
           SELECT id FROM p`
        : insert,
      outbox ? [...params, JSON.stringify({ memberId, storeId, receiptId, amountKopecks: amount, points })] : params,
    );
    if (points > 0) {
      const [e] = await c.query<{ id: number }>(
        `INSERT INTO "LedgerEntry" ("memberId",kind,points,"balanceAfter","expiresAt","purchaseId","idempotencyKey")
         VALUES ($1,'accrual',$2,$3,now() + interval '12 months',$4,$5) RETURNING id`,
        [memberId, points, balance, p?.id, `raw:${p?.id}`],
      );
      // The credit's lot, as the ledger's write path keeps it.
      await c.query(
        `INSERT INTO "PointLot" (id, "memberId", "expiresAt", points, remaining)
         VALUES ($1, $2, now() + interval '12 months', $3, $3)`,
        [e?.id, memberId, points],
      );
      await c.query(`UPDATE "Member" SET balance = $1 WHERE id = $2`, [balance, memberId]);
    }
    await c.exec("COMMIT");
  } catch (e) {
    await c.exec("ROLLBACK");
    throw e;
  }
}

/** Several measurements as one: total operations over total time; the slower part's percentiles. */
function combine(ms: Measure[]): Measure {
  const ops = ms.reduce((s, m) => s + m.ops, 0);
  const seconds = ms.reduce((s, m) => s + m.seconds, 0);
  return {
    ops,
    seconds,
    perSecond: ops / seconds,
    p50ms: Math.max(...ms.map((m) => m.p50ms)),
    p99ms: Math.max(...ms.map((m) => m.p99ms)),
  };
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
  const rawRun = (tag: string, outbox: boolean, n: number) =>
    measure(n, workers, async (i) => {
      const { c, done } = await rawConn();
      try {
        await rawPurchase(c, storeId, member(i), `${tag}${i}`, amount(i), outbox);
      } finally {
        done();
      }
    });
  // Alternated in rounds, so neither side pays for the tables the other grew.
  const rounds = 4;
  const parts: { raw: Measure[]; outbox: Measure[] } = { raw: [], outbox: [] };
  for (let r = 0; r < rounds; r++) {
    parts.raw.push(await rawRun(`r${r}-`, false, total / rounds));
    parts.outbox.push(await rawRun(`o${r}-`, true, total / rounds));
  }
  const raw = combine(parts.raw);
  const rawOutbox = combine(parts.outbox);
  console.log(`\n${label} — ${workers} worker(s), ${total} purchases each way, ${MEMBERS} members`);
  row("service (accrual path + outbox, unit of work)", svc);
  row("reference: same transaction in raw SQL", raw);
  row("reference + the outbox's event and job", rawOutbox);
  ratio("raw SQL / service (lower is better)", raw.perSecond / svc.perSecond, "≤ 2.00");
  ratio("outbox cost: 1 − (raw+outbox / raw)", 1 - rawOutbox.perSecond / raw.perSecond, "≤ 0.15");
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
