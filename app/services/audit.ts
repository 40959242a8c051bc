import { type EntryView, replayLots } from "../../domain/index.js";
import type { Database } from "../db/database.js";
import { type SqlTx, sql } from "../db/sql.js";

export interface BalanceMismatch {
  memberId: number;
  cached: number;
  ledger: number;
}

export interface LedgerAudit {
  /** Members whose cached balance differs from the sum of their ledger. */
  mismatches: BalanceMismatch[];
  /** Entries whose balanceAfter is not the running sum of their member's ledger. */
  brokenChains: number;
  /** Purchases with more than one accrual entry (points paid twice for one receipt). */
  doubleAccruals: number;
  /** Purchases whose returns add up to more than the receipt, or differ from its returned amount. */
  returnsOverReceipt: number;
  /** Members or entries with a balance below zero. */
  negativeBalances: number;
  /** Members whose lots table differs from the replay of their ledger. */
  lotMismatches: LotMismatch[];
}

/** A member whose lots table differs from the replay of their ledger. */
export interface LotMismatch {
  memberId: number;
  /** Lots as the table holds them, "id:remaining/points@expiry". */
  table: string[];
  /** Lots as the ledger replays them (domain/ledger.ts replayLots). */
  ledger: string[];
}

/** Members replayed per round trip: memory stays bounded by a chunk, not the database. */
const CHUNK = 500;

/**
 * Compares every member's cached balance with the sum of their ledger, each
 * entry's balanceAfter with the running sum, and the lots table with the
 * lots the ledger replays to (the ledger is the truth; the lots are a cache
 * the write path keeps). Empty lists mean all three agree. Everything is read
 * in one snapshot, so writes committing meanwhile cannot look like drift.
 */
/**
 * Checks the invariants no fault may break: cached balance = ledger sum,
 * balance chains intact, one accrual per receipt, returns within the
 * receipt, no negative balance, and the lots table equal to the lots the
 * ledger replays to (the ledger is the truth; the lots are a cache the write
 * path keeps). Everything is read in one snapshot, so writes committing
 * meanwhile cannot look like drift. All zero/empty means the ledger is sound.
 */
export function auditLedger(db: Database): Promise<LedgerAudit> {
  return db.unitOfWork(async (tx) => {
    await tx.many(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    const mismatches = await tx.many<{ memberId: number; cached: number; ledger: string | number }>(sql`
      SELECT m.id AS "memberId", m.balance AS cached, COALESCE(SUM(e.points), 0)::bigint AS ledger
      FROM "Member" m LEFT JOIN "LedgerEntry" e ON e."memberId" = m.id
      GROUP BY m.id HAVING m.balance <> COALESCE(SUM(e.points), 0)`);
    const [counts] = await tx.many<
      Record<"brokenChains" | "doubleAccruals" | "returnsOverReceipt" | "negativeBalances", string | number>
    >(sql`
      SELECT
        (SELECT COUNT(*) FROM (
          SELECT "balanceAfter", SUM(points) OVER (PARTITION BY "memberId" ORDER BY id) AS running FROM "LedgerEntry"
        ) t WHERE "balanceAfter" <> running) AS "brokenChains",
        (SELECT COUNT(*) FROM (
          SELECT "purchaseId" FROM "LedgerEntry" WHERE kind = 'accrual' AND "purchaseId" IS NOT NULL
          GROUP BY "purchaseId" HAVING COUNT(*) > 1
        ) t) AS "doubleAccruals",
        (SELECT COUNT(*) FROM "Purchase" p
          LEFT JOIN (SELECT "purchaseId", SUM(amount) AS returned FROM "Return" GROUP BY "purchaseId") r ON r."purchaseId" = p.id
          WHERE COALESCE(r.returned, 0) > p.amount OR COALESCE(r.returned, 0) <> p."returnedAmount") AS "returnsOverReceipt",
        (SELECT COUNT(*) FROM "Member" WHERE balance < 0)
          + (SELECT COUNT(*) FROM "LedgerEntry" WHERE "balanceAfter" < 0) AS "negativeBalances"`);
    return {
      mismatches: mismatches.map((m) => ({ memberId: m.memberId, cached: m.cached, ledger: Number(m.ledger) })),
      brokenChains: Number(counts?.brokenChains ?? 0),
      doubleAccruals: Number(counts?.doubleAccruals ?? 0),
      returnsOverReceipt: Number(counts?.returnsOverReceipt ?? 0),
      negativeBalances: Number(counts?.negativeBalances ?? 0),
      lotMismatches: await auditLots(tx),
    };
  });
}

const show = (l: { id: number; remaining: number; points: number; expiresAt: Date | string }) =>
  `${l.id}:${l.remaining}/${l.points}@${new Date(l.expiresAt).toISOString()}`;

async function auditLots(tx: SqlTx): Promise<LotMismatch[]> {
  const found: LotMismatch[] = [];
  let after = 0;
  for (;;) {
    const ids = (
      await tx.many<{ id: number }>(sql`SELECT id FROM "Member" WHERE id > ${after} ORDER BY id LIMIT ${CHUNK}`)
    ).map((m) => m.id);
    const last = ids.at(-1);
    if (last === undefined) return found;
    const entries = await tx.many<EntryView & { memberId: number }>(
      sql`SELECT id, "memberId", points, "expiresAt", "lotId" FROM "LedgerEntry"
          WHERE "memberId" > ${after} AND "memberId" <= ${last} ORDER BY "memberId", id`,
    );
    // Through the credits' entries (every lot is one, by id): PointLot has no index on its member
    // alone, and a scan of the whole table per chunk made the audit quadratic (hours at 1,000,000
    // members). A lot filed under another member still shows: it is missing from its entry's member.
    const lots = await tx.many<{ id: number; memberId: number; remaining: number; points: number; expiresAt: Date }>(
      sql`SELECT l.id, l."memberId", l.remaining, l.points, l."expiresAt"
          FROM "LedgerEntry" e JOIN "PointLot" l ON l.id = e.id
          WHERE e."memberId" > ${after} AND e."memberId" <= ${last} ORDER BY l."memberId", l.id`,
    );
    const group = <T extends { memberId: number }>(rows: T[]) => {
      const by = new Map<number, T[]>();
      for (const r of rows) {
        const list = by.get(r.memberId);
        if (list) list.push(r);
        else by.set(r.memberId, [r]);
      }
      return by;
    };
    const entriesBy = group(entries);
    const lotsBy = group(lots);
    for (const memberId of ids) {
      let ledger: string[];
      try {
        ledger = replayLots(entriesBy.get(memberId) ?? []).map(show);
      } catch (e) {
        ledger = [`unreplayable: ${(e as Error).message}`];
      }
      const table = (lotsBy.get(memberId) ?? []).map(show);
      if (ledger.join() !== table.join()) found.push({ memberId, table, ledger });
    }
    after = last;
  }
}

/** The audit of a sound ledger, for comparisons in tests and checks. */
export const CLEAN_AUDIT: LedgerAudit = {
  mismatches: [],
  brokenChains: 0,
  doubleAccruals: 0,
  returnsOverReceipt: 0,
  negativeBalances: 0,
  lotMismatches: [],
};
