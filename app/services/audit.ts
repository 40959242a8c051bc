import { type EntryView, replayLots } from "../../domain/index.js";
import type { Database } from "../db/database.js";
import { type SqlTx, sql } from "../db/sql.js";

export interface BalanceMismatch {
  memberId: number;
  cached: number;
  ledger: number;
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
export function auditLedger(
  db: Database,
): Promise<{ mismatches: BalanceMismatch[]; brokenChains: number; lotMismatches: LotMismatch[] }> {
  return db.unitOfWork(async (tx) => {
    await tx.many(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    const mismatches = await tx.many<{ memberId: number; cached: number; ledger: string | number }>(sql`
      SELECT m.id AS "memberId", m.balance AS cached, COALESCE(SUM(e.points), 0)::bigint AS ledger
      FROM "Member" m LEFT JOIN "LedgerEntry" e ON e."memberId" = m.id
      GROUP BY m.id HAVING m.balance <> COALESCE(SUM(e.points), 0)`);
    const chains = await tx.many<{ n: string | number }>(sql`
      SELECT COUNT(*)::bigint AS n FROM (
        SELECT "balanceAfter", SUM(points) OVER (PARTITION BY "memberId" ORDER BY id) AS running FROM "LedgerEntry"
      ) t WHERE "balanceAfter" <> running`);
    return {
      mismatches: mismatches.map((m) => ({ memberId: m.memberId, cached: m.cached, ledger: Number(m.ledger) })),
      brokenChains: Number(chains[0]?.n ?? 0),
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
    const lots = await tx.many<{ id: number; memberId: number; remaining: number; points: number; expiresAt: Date }>(
      sql`SELECT id, "memberId", remaining, points, "expiresAt" FROM "PointLot"
          WHERE "memberId" > ${after} AND "memberId" <= ${last} ORDER BY "memberId", id`,
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
