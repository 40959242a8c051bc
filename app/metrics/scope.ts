import { subDays } from "date-fns";
import type { Program } from "../../domain/index.js";
import type { Database } from "../db/database.js";
import { Prisma } from "../../generated/prisma/client.js";
import { type Sql, sql, toParams } from "../db/sql.js";

/**
 * What every metric is computed over: a period [from, to), and optionally a
 * store or a region, a tier and an enrollment cohort.
 *
 * - store/region narrow the purchases (and NPS answers) to those stores; a
 *   member is in a store's scope once they bought there.
 * - tier is the member's tier at the end of the period (spend over the tier
 *   window before `to`, as the accrual rule computes it).
 * - cohort is the month the member enrolled, "YYYY-MM" (UTC).
 */
export interface MetricsScope {
  from: Date;
  to: Date;
  storeId?: number | undefined;
  region?: string | undefined;
  tierCode?: string | undefined;
  cohort?: string | undefined;
  /**
   * Internal: instead of the members enrolled before `to`, those enrolled at
   * or after it (their purchases dated before it are imported history). The
   * tier of a spend of 0 on the rollups is the chain minus the other tiers
   * minus these, which a member filter leaves out and the chain does not.
   */
  lateMembers?: boolean;
}

/**
 * Runs one metric statement in a read-only transaction with room to hash and
 * sort in memory (these statements aggregate months of purchases; the 4 MB
 * default spills to disk) and without JIT (its compile time exceeded the
 * gain on every metric measured, see bench/metrics.ts).
 */
export async function rows<T>(db: Database, q: Sql): Promise<T[]> {
  if (db.kind !== "postgres") return db.query<T>(q.text, toParams(q.values));
  return db.withConnection(async (c) => {
    await c.exec("BEGIN READ ONLY; SET LOCAL work_mem = '64MB'; SET LOCAL jit = off");
    try {
      return await c.query<T>(q.text, toParams(q.values));
    } finally {
      await c.exec("COMMIT");
    }
  });
}

const empty = Prisma.empty;
export const join = Prisma.join;

/** The program's tiers as a relation (code, threshold), so SQL and the accrual rule share one definition. */
export function tiersRelation(program: Program): Sql {
  return sql`(VALUES ${join(program.tiers.map((t) => sql`(${t.code}::text, ${t.thresholdKopecks}::bigint)`))}) AS t(code, threshold)`;
}

/**
 * `tier_at` CTE: each member's tier at `at` from net spend in the window
 * (at − windowDays, at), the same window tierProgress uses.
 */
export function tierAtCte(program: Program, at: Date, narrow?: Sql): Sql {
  // A few members (one cohort's, one store's customers): their spend through the (member, at, amount)
  // index, instead of a year of every member's purchases.
  if (narrow !== undefined)
    return sql`tier_at AS (
    SELECT m.id AS "memberId",
      (SELECT t.code FROM ${tiersRelation(program)} WHERE t.threshold <= COALESCE(s.spend, 0)
       ORDER BY t.threshold DESC LIMIT 1) AS tier
    FROM "Member" m
    CROSS JOIN LATERAL (SELECT SUM(p.amount - p."returnedAmount")::bigint AS spend FROM "Purchase" p
               WHERE p."memberId" = m.id AND p.at > ${subDays(at, program.tierWindowDays)}::timestamp AND p.at < ${at}::timestamp) s
    WHERE m."createdAt" < ${at}::timestamp AND ${narrow})`;
  return sql`tier_at AS (
    SELECT m.id AS "memberId",
      (SELECT t.code FROM ${tiersRelation(program)} WHERE t.threshold <= COALESCE(s.spend, 0)
       ORDER BY t.threshold DESC LIMIT 1) AS tier
    FROM "Member" m
    LEFT JOIN (SELECT "memberId", SUM(amount - "returnedAmount")::bigint AS spend FROM "Purchase"
               WHERE at > ${subDays(at, program.tierWindowDays)}::timestamp AND at < ${at}::timestamp
               GROUP BY "memberId") s ON s."memberId" = m.id
    WHERE m."createdAt" < ${at}::timestamp)`;
}

export function hasStoreFilter(s: MetricsScope) {
  return s.storeId !== undefined || s.region !== undefined;
}

/** Condition on a store id column: the scope's store or region. */
export function storeCond(s: MetricsScope, col: Sql): Sql {
  if (s.storeId !== undefined) return sql` AND ${col} = ${s.storeId}::int`;
  if (s.region !== undefined) return sql` AND ${col} IN (SELECT id FROM "Store" WHERE region = ${s.region}::text)`;
  return empty;
}

/**
 * The CTEs every metric starts from:
 * - `sm(id, "createdAt")`: members in scope at `to` (enrolled before it; cohort, tier, store);
 * - `sp`: their purchases in [from, to) at stores in scope.
 */
export function scopeCtes(program: Program, s: MetricsScope, opts: { tierAt?: boolean } = {}): Sql {
  const tier = s.tierCode !== undefined;
  // The members a tier is computed for, when a cohort or a store narrows them to a few.
  const narrow =
    s.cohort !== undefined
      ? sql`to_char(m."createdAt", 'YYYY-MM') = ${s.cohort}::text`
      : s.storeId !== undefined
        ? sql`m.id IN (SELECT "memberId" FROM "Purchase" WHERE "storeId" = ${s.storeId}::int AND at < ${s.to}::timestamp)`
        : undefined;
  return sql`${tier || opts.tierAt ? sql`${tierAtCte(program, s.to, narrow)},` : empty}
  sm AS (
    SELECT m.id, m."createdAt" FROM "Member" m
    ${tier ? sql`JOIN tier_at ta ON ta."memberId" = m.id AND ta.tier = ${s.tierCode}::text` : empty}
    WHERE ${s.lateMembers ? sql`m."createdAt" >= ${s.to}::timestamp` : sql`m."createdAt" < ${s.to}::timestamp`}
    ${s.cohort !== undefined ? sql` AND to_char(m."createdAt", 'YYYY-MM') = ${s.cohort}::text` : empty}
    ${
      hasStoreFilter(s)
        ? sql` AND EXISTS (SELECT 1 FROM "Purchase" p0 WHERE p0."memberId" = m.id AND p0.at < ${s.to}::timestamp ${storeCond(s, sql`p0."storeId"`)})`
        : empty
    }
  ),
  sp AS (
    SELECT p.* FROM "Purchase" p
    ${memberFiltered(s) ? sql`JOIN sm ON sm.id = p."memberId"` : empty}
    WHERE p.at >= ${s.from}::timestamp AND p.at < ${s.to}::timestamp ${storeCond(s, sql`p."storeId"`)}
  )`;
}

/** Whether purchases must be joined to the member scope (a purchase's member always enrolled before it). */
export function memberFiltered(s: MetricsScope) {
  return s.tierCode !== undefined || s.cohort !== undefined || s.lateMembers === true;
}

/** Purchases in scope over another window [from, to), for metrics that look around the period. */
export function purchasesBetween(s: MetricsScope, from: Date, to: Date): Sql {
  return sql`SELECT p.* FROM "Purchase" p
    ${memberFiltered(s) ? sql`JOIN sm ON sm.id = p."memberId"` : empty}
    WHERE p.at >= ${from}::timestamp AND p.at < ${to}::timestamp ${storeCond(s, sql`p."storeId"`)}`;
}

/**
 * The period just before this one (for period-over-period change): as many
 * calendar months when it is made of whole months (so the previous six
 * months are months too, which the rollups hold), else the same length.
 */
export function previousPeriod(s: MetricsScope): MetricsScope {
  const whole = (d: Date) => d.getTime() === Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (whole(s.from) && whole(s.to)) {
    const months = (s.to.getUTCFullYear() - s.from.getUTCFullYear()) * 12 + s.to.getUTCMonth() - s.from.getUTCMonth();
    return { ...s, from: new Date(Date.UTC(s.from.getUTCFullYear(), s.from.getUTCMonth() - months, 1)), to: s.from };
  }
  const len = s.to.getTime() - s.from.getTime();
  return { ...s, from: new Date(s.from.getTime() - len), to: s.from };
}

export const n = (v: unknown) => Number(v ?? 0);

/** Whether the rollups are caught up (brought up to date first); absent: the raw path. */
export interface Rollups {
  ready(): Promise<boolean>;
  /** Whether the tier and cohort rollups are filled too (brought up to date first). */
  dimensions(): Promise<boolean>;
  /** Whether the store × category days are filled too (brought up to date first). */
  storeCategories(): Promise<boolean>;
  /** Whether the category × region and × cohort cube scopes are filled too (brought up to date first). */
  categoryScopes(): Promise<boolean>;
  /** Whether the tier scopes (loyalty cost and repurchase by category for a tier) are filled too (brought up to date first). */
  tierScopes(): Promise<boolean>;
  /** Whether the tier scopes' receipts on reported store-days (receipt share for a tier) are filled too. */
  receiptScopes(): Promise<boolean>;
  /** Whether the ledger by enrollment month (a cohort's points) is filled too. */
  cohortLedger(): Promise<boolean>;
  /** Whether the tier scopes' rows per region (a tier with a region) are filled too. */
  tierRegions(): Promise<boolean>;
}

/** The rollup key for `s` when the rollups can answer it and are ready, else null (the raw path). */
export async function viaRollups(ru: Rollups | undefined, key: string | null): Promise<string | null> {
  if (ru === undefined || key === null) return null;
  return (await ru.ready()) ? key : null;
}

/** The dimension plan for `s` when the rollups can answer it and are ready, else null (the raw path). */
export async function viaDimensions<P>(ru: Rollups | undefined, plan: P | null): Promise<P | null> {
  if (ru === undefined || plan === null) return null;
  return (await ru.dimensions()) ? plan : null;
}

/** The default period: the six calendar months up to the end of the current one (UTC). */
export function defaultPeriod(now: Date): { from: Date; to: Date } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 5, 1));
  return { from, to };
}
