import type { Database } from "../db/database.js";

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
}

/**
 * Checks the invariants no fault may break: cached balance = ledger sum,
 * balance chains intact, one accrual per receipt, returns within the
 * receipt, no negative balance. All zero/empty means the ledger is sound.
 */
export async function auditLedger(db: Database): Promise<LedgerAudit> {
  const mismatches = await db.query<{ memberId: number; cached: number; ledger: string | number }>(`
    SELECT m.id AS "memberId", m.balance AS cached, COALESCE(SUM(e.points), 0)::bigint AS ledger
    FROM "Member" m LEFT JOIN "LedgerEntry" e ON e."memberId" = m.id
    GROUP BY m.id HAVING m.balance <> COALESCE(SUM(e.points), 0)`);
  const [counts] = await db.query<Record<Exclude<keyof LedgerAudit, "mismatches">, string | number>>(`
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
  };
}

/** The audit of a sound ledger, for comparisons in tests and checks. */
export const CLEAN_AUDIT: LedgerAudit = {
  mismatches: [],
  brokenChains: 0,
  doubleAccruals: 0,
  returnsOverReceipt: 0,
  negativeBalances: 0,
};
