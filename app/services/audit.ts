import type { Database } from "../db/database.js";

export interface BalanceMismatch {
  memberId: number;
  cached: number;
  ledger: number;
}

/**
 * Compares every member's cached balance with the sum of their ledger, and
 * each entry's balanceAfter with the running sum. An empty list means the
 * ledger and the balances agree.
 */
export async function auditLedger(db: Database): Promise<{ mismatches: BalanceMismatch[]; brokenChains: number }> {
  const mismatches = await db.query<{ memberId: number; cached: number; ledger: string | number }>(`
    SELECT m.id AS "memberId", m.balance AS cached, COALESCE(SUM(e.points), 0)::bigint AS ledger
    FROM "Member" m LEFT JOIN "LedgerEntry" e ON e."memberId" = m.id
    GROUP BY m.id HAVING m.balance <> COALESCE(SUM(e.points), 0)`);
  const chains = await db.query<{ n: string | number }>(`
    SELECT COUNT(*)::bigint AS n FROM (
      SELECT "balanceAfter", SUM(points) OVER (PARTITION BY "memberId" ORDER BY id) AS running FROM "LedgerEntry"
    ) t WHERE "balanceAfter" <> running`);
  return {
    mismatches: mismatches.map((m) => ({ memberId: m.memberId, cached: m.cached, ledger: Number(m.ledger) })),
    brokenChains: Number(chains[0]?.n ?? 0),
  };
}
