import { addDays } from "date-fns";
import { type Sql, sql } from "../db/sql.js";
import { Prisma } from "../../generated/prisma/client.js";
import type { Database } from "../db/database.js";
import { isMonthStart, monthNumber } from "./rollup.js";
import { hasStoreFilter, type MetricsScope, memberFiltered, n, type Rollups, rows, storeCond } from "./scope.js";

/**
 * The metrics read from the rollups (app/metrics/rollup.ts): the same
 * figures as the statements over the raw rows, for the scopes the rollups
 * hold — whole UTC months; the chain, a region or a store, and a tier or a
 * cohort through their own scopes (the dimensions and tier scopes below).
 */

export type RollupScope = "chain" | "region" | "store";

/** The cube scope of a metrics scope, or null when the rollups cannot answer it. */
export function rollupKey(s: MetricsScope, allow: readonly RollupScope[]): string | null {
  if (!isMonthStart(s.from) || !isMonthStart(s.to) || s.from >= s.to || memberFiltered(s)) return null;
  if (s.storeId !== undefined) return allow.includes("store") ? `s:${s.storeId}` : null;
  if (s.region !== undefined) return allow.includes("region") ? `r:${s.region}` : null;
  return allow.includes("chain") ? "" : null;
}

const scopeIn = (scopes: readonly string[]) => sql`scope IN (${Prisma.join(scopes.map((x) => sql`${x}::text`))})`;
const months = (s: MetricsScope) => ({ f: monthNumber(s.from), t: monthNumber(s.to) });
export const monthText = (m: number) => `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * How the dimension rollups answer a tier or cohort filter (alone, or with a
 * region) over whole months: `key` the scope to read, minus the scopes in
 * `minus` (the tier of a spend of 0 is everyone else) and, with `late`, minus
 * purchases dated before their member's enrollment month when that is on or
 * after the period's end (a member filter leaves those members out). Null:
 * the raw path; "empty": nobody is in scope.
 */
export type DimensionPlan = { key: string; minus: string[]; late: boolean } | "empty";

export function dimensionPlan(s: MetricsScope, tierCodes: readonly string[]): DimensionPlan | null {
  if (!isMonthStart(s.from) || !isMonthStart(s.to) || s.from >= s.to || s.storeId !== undefined) return null;
  const t = monthNumber(s.to);
  const r = s.region !== undefined ? `|r:${s.region}` : "";
  if (s.cohort !== undefined) {
    if (s.tierCode !== undefined) return null;
    const m = /^(\d{4})-(\d{2})$/.exec(s.cohort);
    if (!m) return null;
    const k = Number(m[1]) * 12 + Number(m[2]) - 1;
    return k >= t ? "empty" : { key: `K${k}${r}`, minus: [], late: false };
  }
  if (s.tierCode === undefined) return null;
  const i = tierCodes.indexOf(s.tierCode);
  if (i < 0) return "empty";
  if (i > 0) return { key: `T${i}@${t}${r}`, minus: [], late: false };
  return {
    key: s.region !== undefined ? `r:${s.region}` : "",
    minus: tierCodes.slice(1).map((_, j) => `T${j + 1}@${t}${r}`),
    late: true,
  };
}

const dimensional = (key: string) => /^[TKE]/.test(key);

/** Members in scope at `to` and those enrolled in the period. */
function membersSql(key: string, f: number, t: number) {
  if (/^T\d+@\d+$/.test(key))
    return sql`(SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'tmem' AND scope = ${key}) AS members,
          (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'tmem' AND scope = ${key} AND a >= ${f}::int) AS "newMembers"`;
  if (/^K\d+$/.test(key)) {
    const k = Number(key.slice(1));
    return sql`(SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'enr' AND scope = '' AND a = ${k}::int AND a < ${t}::int) AS members,
          (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'enr' AND scope = '' AND a = ${k}::int AND a >= ${f}::int AND a < ${t}::int) AS "newMembers"`;
  }
  return key === ""
    ? sql`(SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'enr' AND scope = '' AND a < ${t}::int) AS members,
          (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'enr' AND scope = '' AND a >= ${f}::int AND a < ${t}::int) AS "newMembers"`
    : sql`(SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'act' AND scope = ${key} AND b = 0 AND a < ${t}::int AND c < ${t}::int) AS members,
          (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'act' AND scope = ${key} AND b = 0 AND a < ${t}::int AND c >= ${f}::int AND c < ${t}::int) AS "newMembers"`;
}

type Counts = Record<"members" | "newMembers" | "active" | "purchases" | "repeat" | "revenue", number>;

export async function activityCounts(db: Database, s: MetricsScope, key: string): Promise<Counts> {
  const { f, t } = months(s);
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT ${membersSql(key, f, t)}, ${activeSql(sql`scope = ${key}`, f, t)},
      ${
        dimensional(key)
          ? sql`(SELECT COALESCE(SUM(purchases), 0) FROM "MetricsCube" WHERE cube = 'rev' AND scope = ${key} AND a >= ${f}::int AND a < ${t}::int)`
          : sql`(SELECT COALESCE(SUM(amount - returned), 0) FROM "MetricsStoreDay"
       WHERE day >= ${day(s.from)}::date AND day < ${day(s.to)}::date ${storeCond(s, sql`"storeId"`)})`
      } AS revenue`,
  );
  return counts(r);
}

function activeSql(scope: Sql, f: number, t: number) {
  return sql`(SELECT COALESCE(SUM(members) FILTER (WHERE b < ${f}::int), 0) FROM "MetricsCube"
       WHERE cube = 'act' AND ${scope} AND a >= ${f}::int AND a < ${t}::int) AS active,
      (SELECT COALESCE(SUM(purchases), 0) FROM "MetricsCube" WHERE cube = 'act' AND ${scope} AND a >= ${f}::int AND a < ${t}::int) AS purchases,
      (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'act' AND ${scope} AND a >= ${f}::int AND a < ${t}::int AND b < ${f}::int AND d = 1)
      + (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'rep' AND ${scope} AND a >= ${f}::int AND a < ${t}::int AND b >= ${f}::int AND c < ${f}::int) AS repeat`;
}

/** Activity of purchases dated before their member's enrollment month, for members enrolling at or after the period's end. */
async function lateCounts(db: Database, s: MetricsScope): Promise<Counts> {
  const { f, t } = months(s);
  // The 'E<m>' scopes (with the region's suffix when filtered) whose month m is t or later.
  const scope = sql`scope LIKE 'E%' AND split_part(scope, '|', 2) = ${s.region !== undefined ? `r:${s.region}` : ""}
    AND split_part(substr(scope, 2), '|', 1)::int >= ${t}::int`;
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT 0 AS members, 0 AS "newMembers", ${activeSql(scope, f, t)},
      (SELECT COALESCE(SUM(purchases), 0) FROM "MetricsCube" WHERE cube = 'rev' AND ${scope} AND a >= ${f}::int AND a < ${t}::int) AS revenue`,
  );
  return counts(r);
}

function counts(r: Record<string, unknown> | undefined): Counts {
  return {
    members: n(r?.members),
    newMembers: n(r?.newMembers),
    active: n(r?.active),
    purchases: n(r?.purchases),
    repeat: n(r?.repeat),
    revenue: n(r?.revenue),
  };
}

const ZERO: Counts = { members: 0, newMembers: 0, active: 0, purchases: 0, repeat: 0, revenue: 0 };

/** Activity counts by a dimension plan: its scope minus the others (all the counts are sums over members). */
export async function planCounts(db: Database, s: MetricsScope, plan: DimensionPlan): Promise<Counts> {
  if (plan === "empty") return ZERO;
  const parts = await Promise.all([
    activityCounts(db, s, plan.key),
    ...plan.minus.map((k) => activityCounts(db, s, k)),
    ...(plan.late ? [lateCounts(db, s)] : []),
  ]);
  const [head = ZERO, ...rest] = parts;
  const out = { ...head };
  for (const p of rest) for (const k of Object.keys(out) as (keyof Counts)[]) out[k] -= p[k];
  return out;
}

/**
 * The cube scopes of repurchase by category for `s` on the rollups: the
 * prefix before the category ('c:' the chain, 'cr:' a region, 'ck:' a
 * cohort); "empty" when the cohort enrolled at or after the period's end; null
 * when another path answers (not whole months, a store, a tier, a cohort with a region).
 */
export function categoryPrefix(s: MetricsScope): string | "empty" | null {
  if (!isMonthStart(s.from) || !isMonthStart(s.to) || s.from >= s.to) return null;
  if (s.storeId !== undefined || s.tierCode !== undefined) return null;
  if (s.cohort !== undefined) {
    if (s.region !== undefined) return null;
    const m = /^(\d{4})-(\d{2})$/.exec(s.cohort);
    if (!m) return null;
    const k = Number(m[1]) * 12 + Number(m[2]) - 1;
    return k >= monthNumber(s.to) ? "empty" : `ck:${k}:`;
  }
  if (s.region !== undefined) return regionCategories(s.region);
  return "c:";
}

/**
 * The cube's scopes that start with `prefix`: a LIKE pattern (its % and _ escaped, a region's name may hold
 * them), which reads a range of the cube's key when the database's collation is C, as `left(scope, n) = p`
 * never does (0.6 s against 6 ms over 7.5M cube rows at 1M).
 */
const scopeStarts = (prefix: string) => sql`scope LIKE ${`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}::text`;

export async function categoryCounts(db: Database, s: MetricsScope, prefix = "c:") {
  const { f, t } = months(s);
  const inScope = scopeStarts(prefix);
  return rows<{ category: string; customers: unknown; repeat: unknown }>(
    db,
    sql`WITH a AS (SELECT scope, SUM(members) FILTER (WHERE b < ${f}::int) AS customers,
                          SUM(members) FILTER (WHERE b < ${f}::int AND d = 1) AS multi
                   FROM "MetricsCube" WHERE cube = 'act' AND ${inScope} AND a >= ${f}::int AND a < ${t}::int GROUP BY scope),
            r AS (SELECT scope, SUM(members) AS second FROM "MetricsCube"
                  WHERE cube = 'rep' AND ${inScope} AND a >= ${f}::int AND a < ${t}::int AND b >= ${f}::int AND c < ${f}::int GROUP BY scope)
    SELECT substr(a.scope, char_length(${prefix}::text) + 1) AS category, a.customers, COALESCE(a.multi, 0) + COALESCE(r.second, 0) AS repeat
    FROM a LEFT JOIN r ON r.scope = a.scope WHERE a.customers > 0 ORDER BY 1`,
  );
}

/**
 * Members' purchases, customers and revenue per store (every store in scope):
 * the chain's store days, or with `tiers` the sum over those tier scopes
 * ('T<i>@<t>': their MetricsTierCost store rows and `tsc` customers).
 */
export async function storeSales(db: Database, s: MetricsScope, tiers?: readonly string[]) {
  const { f, t } = months(s);
  const pairs = (tiers ?? []).map((x) => /^T(\d+)@(\d+)$/.exec(x)).filter((m) => m !== null);
  const inTiers =
    pairs.length === 0
      ? sql`false`
      : sql`(tier, at) IN (${Prisma.join(pairs.map((m) => sql`(${Number(m[1])}::int, ${Number(m[2])}::int)`))})`;
  return rows<{ storeId: number; name: string; region: string; k: unknown; c: unknown; rev: unknown }>(
    db,
    sql`WITH ${
      tiers === undefined
        ? sql`g AS (SELECT "storeId", SUM(purchases) AS k, SUM(amount - returned) AS rev FROM "MetricsStoreDay"
                   WHERE day >= ${day(s.from)}::date AND day < ${day(s.to)}::date GROUP BY 1 HAVING SUM(purchases) > 0),
            c AS (SELECT substr(scope, 3)::int AS "storeId", SUM(members) AS c FROM "MetricsCube"
                  WHERE cube = 'act' AND scope LIKE 's:%' AND a >= ${f}::int AND a < ${t}::int AND b < ${f}::int GROUP BY 1)`
        : sql`g AS (SELECT key::int AS "storeId", SUM(purchases) AS k, SUM(revenue) AS rev FROM "MetricsTierCost"
                   WHERE kind = 's' AND ${inTiers} AND month >= ${f}::int AND month < ${t}::int GROUP BY 1 HAVING SUM(purchases) > 0),
            c AS (SELECT a AS "storeId", SUM(members) AS c FROM "MetricsCube"
                  WHERE cube = 'tsc' AND ${tiers.length === 0 ? sql`false` : scopeIn(tiers)} AND b >= ${f}::int AND b < ${t}::int
                  GROUP BY 1)`
    }
    SELECT st.id AS "storeId", st.name, st.region, g.k, c.c, g.rev
    FROM "Store" st LEFT JOIN g ON g."storeId" = st.id LEFT JOIN c ON c."storeId" = st.id
    WHERE true ${storeCond(s, sql`st.id`)}
    ORDER BY st.id`,
  );
}

/**
 * The cohort heatmap's scope for `s` on the dimension rollups: a store or a
 * region (members who bought there before the period's end), with or
 * without a cohort; null when it is the chain without a cohort (the plain
 * rollups), not whole months, or filtered by tier (the raw path).
 */
export function cohortScope(s: MetricsScope): { scope: string; cohort: number | null } | null {
  if (!isMonthStart(s.from) || !isMonthStart(s.to) || s.from >= s.to || s.tierCode !== undefined) return null;
  const scope = s.storeId !== undefined ? `s:${s.storeId}` : s.region !== undefined ? `r:${s.region}` : "";
  if (s.cohort === undefined) return scope === "" ? null : { scope, cohort: null };
  const m = /^(\d{4})-(\d{2})$/.exec(s.cohort);
  return m ? { scope, cohort: Number(m[1]) * 12 + Number(m[2]) - 1 } : null;
}

export async function cohortCounts(db: Database, s: MetricsScope, scope = "", cohort: number | null = null) {
  const { f, t } = months(s);
  const only = cohort === null ? sql`` : sql` AND a = ${cohort}::int`;
  const r = await rows<{ cm: number; k: number | null; members: unknown }>(
    db,
    sql`${
      scope === ""
        ? sql`SELECT a AS cm, NULL::int AS k, SUM(members) AS members FROM "MetricsCube"
        WHERE cube = 'enr' AND scope = '' AND a >= ${f}::int AND a < ${t}::int ${only} GROUP BY a HAVING SUM(members) > 0`
        : // Members enrolled in the period who bought in the scope before its end.
          sql`SELECT c AS cm, NULL::int AS k, SUM(members) AS members FROM "MetricsCube"
        WHERE cube = 'act' AND scope = ${scope} AND b = 0 AND a < ${t}::int AND c >= ${f}::int AND c < ${t}::int
          ${cohort === null ? sql`` : sql` AND c = ${cohort}::int`}
        GROUP BY c HAVING SUM(members) > 0`
    }
        UNION ALL
        SELECT a, b - a, SUM(members) FROM "MetricsCube"
        WHERE cube = 'coh' AND scope = ${scope} AND a >= ${f}::int AND a < ${t}::int AND b >= ${f}::int AND b < ${t}::int ${only}
        GROUP BY a, b HAVING SUM(members) > 0`,
  );
  return r.map((x) => ({ cohort: monthText(n(x.cm)), k: x.k === null ? null : n(x.k), members: x.members }));
}

export async function retentionCounts(db: Database, s: MetricsScope, key: string) {
  const { f, t } = months(s);
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT COALESCE(SUM(members) FILTER (WHERE position(${`,${f},`} IN months) > 0), 0) AS start,
               COALESCE(SUM(members) FILTER (WHERE position(${`,${t},`} IN months) > 0), 0) AS "end",
               COALESCE(SUM(members) FILTER (WHERE position(${`,${t},`} IN months) > 0 AND position(${`,${f},`} IN months) = 0), 0) AS new
        FROM "MetricsRetention" WHERE scope = ${key}`,
  );
  return { start: n(r?.start), end: n(r?.end), new: n(r?.new) };
}

export async function ledgerFlows(db: Database, s: MetricsScope) {
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT COALESCE(SUM(total), 0) AS outstanding,
           COALESCE(SUM(credits) FILTER (WHERE day >= ${day(s.from)}::date), 0) AS issued,
           COALESCE(-SUM(total) FILTER (WHERE day >= ${day(s.from)}::date AND kind = 'redemption'), 0) AS redeemed,
           COALESCE(-SUM(total) FILTER (WHERE day >= ${day(s.from)}::date AND kind = 'expiry'), 0) AS expired,
           COALESCE(-SUM(total) FILTER (WHERE day >= ${day(s.from)}::date AND kind = 'reversal'), 0) AS reversed
        FROM "MetricsLedgerDay" WHERE day < ${day(s.to)}::date`,
  );
  return r;
}

export async function lifetimeRevenue(db: Database, s: MetricsScope, key: string) {
  const { f, t } = months(s);
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT ${membersSql(key, f, t)},
      (SELECT COALESCE(SUM(amount - returned), 0) FROM "MetricsStoreDay" WHERE day < ${day(s.to)}::date ${storeCond(s, sql`"storeId"`)})
      -- Purchases dated before the member enrolled (imported history) by members enrolled after the period: not theirs yet.
      - (SELECT COALESCE(SUM(p.amount - p."returnedAmount"), 0) FROM "Member" m JOIN "Purchase" p ON p."memberId" = m.id
         WHERE m."createdAt" >= ${s.to}::timestamp AND p.at < ${s.to}::timestamp ${storeCond(s, sql`p."storeId"`)}) AS revenue`,
  );
  return { members: n(r?.members), revenue: n(r?.revenue) };
}

/** Members in a dimension scope (tier or cohort) and their revenue over their whole history before the period's end. */
export async function lifetimeRevenueByDimension(db: Database, s: MetricsScope, key: string) {
  const { f, t } = months(s);
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT ${membersSql(key, f, t)},
      (SELECT COALESCE(SUM(purchases), 0) FROM "MetricsCube" WHERE cube = 'rev' AND scope = ${key} AND a < ${t}::int) AS revenue`,
  );
  return { members: n(r?.members), revenue: n(r?.revenue) };
}

/** Rows shaped like the monthly series' raw statement: act, mem and, with `ledger`, pts (nps stays on its own index). */
export async function seriesRows(db: Database, s: MetricsScope, key: string, ledger = true) {
  const { f, t } = months(s);
  const cohort = /^K(\d+)$/.exec(key);
  const r = await rows<{ what: string; month: number | null; a: unknown; b: unknown; c: unknown }>(
    db,
    sql`SELECT 'act' AS what, a AS month, SUM(members) AS a, SUM(purchases) AS b, SUM(members) FILTER (WHERE d = 1) AS c
        FROM "MetricsCube" WHERE cube = 'act' AND scope = ${key} AND a >= ${f}::int AND a < ${t}::int GROUP BY a
        UNION ALL
        ${
          key === "" || cohort !== null
            ? sql`SELECT 'mem', CASE WHEN a < ${f}::int THEN NULL ELSE a END, SUM(members), 0, 0
                  FROM "MetricsCube" WHERE cube = 'enr' AND scope = '' AND a < ${t}::int
                  ${cohort !== null ? sql`AND a = ${Number(cohort[1])}::int` : sql``} GROUP BY 2`
            : sql`SELECT 'mem', CASE WHEN c < ${f}::int THEN NULL ELSE c END, SUM(members), 0, 0
                  FROM "MetricsCube" WHERE cube = 'act' AND scope = ${key} AND b = 0 AND a < ${t}::int AND c < ${t}::int GROUP BY 2`
        }`,
  );
  return [
    ...r.map((x) => ({ ...x, month: x.month === null ? null : monthText(n(x.month)) })),
    ...(ledger ? await ledgerSeries(db, s) : []),
  ];
}

/** The monthly series' points rows of the whole chain (the ledger days). */
export async function ledgerSeries(db: Database, s: MetricsScope) {
  const r = await rows<{ what: string; month: number | null; a: unknown; b: unknown; c: unknown }>(
    db,
    sql`SELECT 'pts' AS what, CASE WHEN day < ${day(s.from)}::date THEN NULL
                           ELSE (extract(year FROM day)::int * 12 + extract(month FROM day)::int - 1) END AS month,
               SUM(total) AS a, 0 AS b, 0 AS c
        FROM "MetricsLedgerDay" WHERE day < ${day(s.to)}::date GROUP BY 2`,
  );
  return r.map((x) => ({ ...x, month: x.month === null ? null : monthText(n(x.month)) }));
}

export async function loyaltyRows(db: Database, s: MetricsScope, pointValueKopecks: number) {
  return rows<{ kind: "store" | "category"; key: string; cost: unknown; margin: unknown }>(
    db,
    sql`SELECT 'store' AS kind, "storeId"::text AS key, SUM(points) * ${pointValueKopecks}::int AS cost, SUM(margin) AS margin
        FROM "MetricsStoreDay" WHERE day >= ${day(s.from)}::date AND day < ${day(s.to)}::date ${storeCond(s, sql`"storeId"`)}
        GROUP BY "storeId" HAVING SUM(purchases) > 0
        UNION ALL
        ${
          hasStoreFilter(s)
            ? sql`SELECT 'category', category, round(SUM(cost)), SUM(margin) FROM "MetricsStoreCategoryDay"
        WHERE day >= ${day(s.from)}::date AND day < ${day(s.to)}::date ${storeCond(s, sql`"storeId"`)} GROUP BY category`
            : sql`SELECT 'category', category, round(SUM(cost)), SUM(margin)
        FROM "MetricsCategoryDay" WHERE day >= ${day(s.from)}::date AND day < ${day(s.to)}::date GROUP BY category`
        }
        ORDER BY 1, 2`,
  );
}

/**
 * The enrollment month a query for one cohort reads from MetricsCohortCost or
 * MetricsCohortLedger (whole months, the cohort alone or, with `region`
 * allowed, in a region), "empty" when it enrolled at or after the period's
 * end, else null (another path).
 */
export function cohortCostKey(s: MetricsScope, o: { region?: boolean } = {}): number | "empty" | null {
  if (!isMonthStart(s.from) || !isMonthStart(s.to) || s.from >= s.to || s.cohort === undefined) return null;
  if (s.tierCode !== undefined || (s.region !== undefined && !o.region) || s.storeId !== undefined) return null;
  const m = /^(\d{4})-(\d{2})$/.exec(s.cohort);
  if (!m) return null;
  const k = Number(m[1]) * 12 + Number(m[2]) - 1;
  return k >= monthNumber(s.to) ? "empty" : k;
}

/**
 * How the store and category rows of MetricsTierCost and MetricsCohortCost are read for a scope: `stores`
 * narrows the store rows ('s') to a region's stores; `category` reads the category rows, 'c' keyed by the
 * category or, in a region, 'r' keyed by the region's length-prefixed name (regionKey), then the category.
 */
function costKeys(s: MetricsScope) {
  if (s.region === undefined) return { stores: sql``, category: { key: sql`key`, cond: sql`kind = 'c'` } };
  const p = regionKey(s.region);
  return {
    stores: sql`AND key IN (SELECT id::text FROM "Store" WHERE region = ${s.region}::text)`,
    category: {
      key: sql`substr(key, char_length(${p}::text) + 1)`,
      cond: sql`kind = 'r' AND left(key, char_length(${p}::text)) = ${p}::text`,
    },
  };
}

/** Loyalty cost of one cohort, alone or in a region (its stores' rows, its 'r' category rows). */
export async function cohortLoyaltyRows(db: Database, s: MetricsScope, cohort: number, pointValueKopecks: number) {
  const { f, t } = months(s);
  const inPeriod = sql`cohort = ${cohort}::int AND month >= ${f}::int AND month < ${t}::int`;
  const { stores, category } = costKeys(s);
  return rows<{ kind: "store" | "category"; key: string; cost: unknown; margin: unknown }>(
    db,
    sql`SELECT 'store' AS kind, key, SUM(points) * ${pointValueKopecks}::int AS cost, SUM(margin) AS margin
        FROM "MetricsCohortCost" WHERE ${inPeriod} AND kind = 's' ${stores}
        GROUP BY key HAVING SUM(purchases) > 0
        UNION ALL
        SELECT 'category', ${category.key}, round(SUM(cost)), SUM(margin)
        FROM "MetricsCohortCost" WHERE ${inPeriod} AND ${category.cond} GROUP BY key
        ORDER BY 1, 2`,
  );
}

/**
 * The tier scope a tier filter reads over whole months: i the program's tier
 * index (0: the tier of a spend of 0, everyone else), t the month start the
 * tier is taken at (the period's end), and with `region` allowed the region
 * it is in (its scopes are 'T<i>@<t>|r:<region>'); "empty" for an unknown
 * tier; null for another path (with a store or cohort, a region unless
 * allowed, or not whole months).
 */
export function tierScopeOf(
  s: MetricsScope,
  tierCodes: readonly string[],
  o: { region?: boolean } = {},
): { i: number; t: number; region: string | undefined } | "empty" | null {
  if (!isMonthStart(s.from) || !isMonthStart(s.to) || s.from >= s.to || s.tierCode === undefined) return null;
  if (s.storeId !== undefined || (s.region !== undefined && !o.region) || s.cohort !== undefined) return null;
  const i = tierCodes.indexOf(s.tierCode);
  if (i < 0) return "empty";
  return { i, t: monthNumber(s.to), region: s.region };
}

/** A region's name prefixed by its length in characters (as char_length counts them) and ':', so a category can follow it. */
const regionKey = (region: string) => `${[...region].length}:${region}`;
/** The category scopes' prefix of a region ('cr:' and its regionKey, then the category). */
export const regionCategories = (region: string) => `cr:${regionKey(region)}`;

/**
 * Repurchase by category for the tier of a spend of 0: the chain's category
 * scopes minus those of the other tiers at t ('T<i>@<t>|c:') and minus those
 * of the members enrolled at or after t ('ck:<m>:', m ≥ t: their purchases
 * before t are imported history a member filter leaves out). Each member's
 * rows are the same in every scope that holds them, so the counts subtract.
 */
export async function baseTierCategoryCounts(db: Database, s: MetricsScope, tiers: number) {
  const { f, t } = months(s);
  // In a region: its category scopes ('cr:'), minus the other tiers' there ('T<i>@<t>|cr:'); the late members'
  // rows are not kept per region (the caller subtracts them from the raw rows).
  const chain = s.region !== undefined ? regionCategories(s.region) : "c:";
  const others = Array.from({ length: tiers - 1 }, (_, j) => `T${j + 1}@${t}|${chain}`);
  // One pass over the period's rows: each scope's sign and category (the cube is read once, not once per scope).
  const late =
    s.region !== undefined ? sql`false` : sql`${scopeStarts("ck:")} AND split_part(scope, ':', 2)::int >= ${t}::int`;
  return rows<{ category: string; customers: unknown; repeat: unknown }>(
    db,
    sql`WITH src AS (
          SELECT cube, b, c, d, members,
                 CASE WHEN ${scopeStarts(chain)} THEN 1 ELSE -1 END AS sgn,
                 CASE WHEN ${scopeStarts(chain)} THEN substr(scope, char_length(${chain}::text) + 1)
                      WHEN left(scope, 3) = 'ck:' THEN substring(scope FROM '^ck:[0-9]+:(.*)$')
                      ELSE substr(scope, position(${`|${chain}`}::text IN scope) + char_length(${chain}::text) + 1) END AS category
          FROM "MetricsCube"
          WHERE cube IN ('act', 'rep') AND a >= ${f}::int AND a < ${t}::int
            AND (${scopeStarts(chain)} OR (${late})${others.length > 0 ? sql` OR ${Prisma.join(others.map(scopeStarts), " OR ")}` : sql``})),
        agg AS (
          SELECT category,
                 SUM(sgn * members) FILTER (WHERE cube = 'act' AND b < ${f}::int) AS customers,
                 SUM(sgn * members) FILTER (WHERE cube = 'act' AND b < ${f}::int AND d = 1) AS multi,
                 SUM(sgn * members) FILTER (WHERE cube = 'rep' AND b >= ${f}::int AND c < ${f}::int) AS second
          FROM src GROUP BY category)
    SELECT category, customers, COALESCE(multi, 0) + COALESCE(second, 0) AS repeat FROM agg WHERE customers > 0 ORDER BY 1`,
  );
}

/** Loyalty cost of a tier above the tier of a spend of 0, alone or in a region (its stores, its 'r' category rows). */
export async function tierLoyaltyRows(db: Database, s: MetricsScope, tier: number, pointValueKopecks: number) {
  const { f, t } = months(s);
  const inPeriod = sql`tier = ${tier}::int AND at = ${t}::int AND month >= ${f}::int AND month < ${t}::int`;
  const { stores, category } = costKeys(s);
  return rows<{ kind: "store" | "category"; key: string; cost: unknown; margin: unknown }>(
    db,
    sql`SELECT 'store' AS kind, key, SUM(points) * ${pointValueKopecks}::int AS cost, SUM(margin) AS margin
        FROM "MetricsTierCost" WHERE ${inPeriod} AND kind = 's' ${stores}
        GROUP BY key HAVING SUM(purchases) > 0
        UNION ALL
        SELECT 'category', ${category.key}, round(SUM(cost)), SUM(margin)
        FROM "MetricsTierCost" WHERE ${inPeriod} AND ${category.cond} GROUP BY key HAVING SUM(purchases) > 0
        ORDER BY 1, 2`,
  );
}

/**
 * Loyalty cost for the tier of a spend of 0 at month start t: the chain's
 * store and category days minus the other tiers' rows (`others`, tier
 * indexes) and minus those of members enrolled at or after t (their cohorts'
 * rows), summed exactly before rounding; a store or category is listed when
 * receipts of the tier are left in it (the days count them).
 */
export async function baseTierLoyaltyRows(db: Database, s: MetricsScope, others: number[], pointValueKopecks: number) {
  const { f, t } = months(s);
  const inPeriod = sql`day >= ${day(s.from)}::date AND day < ${day(s.to)}::date`;
  const months_ = sql`month >= ${f}::int AND month < ${t}::int`;
  const tiers =
    others.length === 0
      ? sql`false`
      : sql`tier IN (${Prisma.join(others.map((i) => sql`${i}::int`))}) AND at = ${t}::int`;
  // In a region: its stores' rows, and per category the region's store × category days and the other tiers'
  // and the late cohorts' 'r' rows.
  const { stores: inRegion, category } = costKeys(s);
  return rows<{ kind: "store" | "category"; key: string; cost: unknown; margin: unknown }>(
    db,
    sql`WITH st AS (
          SELECT "storeId"::text AS key, SUM(points) AS points, SUM(margin) AS margin, SUM(purchases) AS k
          FROM "MetricsStoreDay" WHERE ${inPeriod} ${storeCond(s, sql`"storeId"`)} GROUP BY 1
          UNION ALL
          SELECT key, -SUM(points), -SUM(margin), -SUM(purchases) FROM "MetricsTierCost"
          WHERE kind = 's' AND ${tiers} AND ${months_} ${inRegion} GROUP BY 1
          UNION ALL
          SELECT key, -SUM(points), -SUM(margin), -SUM(purchases) FROM "MetricsCohortCost"
          WHERE kind = 's' AND cohort >= ${t}::int AND ${months_} ${inRegion} GROUP BY 1),
        ca AS (
          SELECT category AS key, SUM(cost) AS cost, SUM(margin) AS margin, SUM(purchases) AS k
          FROM ${s.region === undefined ? sql`"MetricsCategoryDay"` : sql`"MetricsStoreCategoryDay"`} WHERE ${inPeriod} ${storeCond(s, sql`"storeId"`)}
          GROUP BY 1
          UNION ALL
          SELECT ${category.key}, -SUM(cost), -SUM(margin), -SUM(purchases) FROM "MetricsTierCost"
          WHERE ${category.cond} AND ${tiers} AND ${months_} GROUP BY 1
          UNION ALL
          SELECT ${category.key}, -SUM(cost), -SUM(margin), -SUM(purchases) FROM "MetricsCohortCost"
          WHERE ${category.cond} AND cohort >= ${t}::int AND ${months_} GROUP BY 1)
    SELECT 'store' AS kind, key, SUM(points) * ${pointValueKopecks}::int AS cost, SUM(margin) AS margin FROM st GROUP BY key HAVING SUM(k) > 0
    UNION ALL
    SELECT 'category', key, round(SUM(cost)), SUM(margin) FROM ca GROUP BY key HAVING SUM(k) > 0
    ORDER BY 1, 2`,
  );
}

/**
 * Receipts of tier scopes on the store-days a POS reported in the period, per
 * store in scope, with the stores' reported totals; shaped like receiptRows.
 */
export async function tierReceiptRows(db: Database, s: MetricsScope, scopes: readonly string[]) {
  const epochDay = (d: Date) => Math.floor(d.getTime() / 86_400_000);
  return rows<{ storeId: number; mine: unknown; total: unknown }>(
    db,
    sql`WITH d AS (SELECT "storeId", SUM(receipts) AS total FROM "StoreReceiptDay"
                   WHERE day >= ${day(s.from)}::date AND day < ${day(s.to)}::date ${storeCond(s, sql`"storeId"`)} GROUP BY 1),
        mp AS (SELECT a AS "storeId", SUM(members) AS k FROM "MetricsCube"
               WHERE cube = 'trc' AND ${scopes.length === 0 ? sql`false` : scopeIn(scopes)}
                 AND b >= ${epochDay(s.from)}::int AND b < ${epochDay(s.to)}::int GROUP BY 1)
    SELECT d."storeId", COALESCE(mp.k, 0) AS mine, d.total FROM d LEFT JOIN mp ON mp."storeId" = d."storeId" ORDER BY d."storeId"`,
  );
}

export async function receiptRows(db: Database, s: MetricsScope) {
  return rows<{ storeId: number; mine: unknown; total: unknown }>(
    db,
    sql`WITH d AS (SELECT "storeId", day, receipts FROM "StoreReceiptDay"
                   WHERE day >= ${day(s.from)}::date AND day < ${day(s.to)}::date ${storeCond(s, sql`"storeId"`)}),
        mp AS (SELECT "storeId", "localDay" AS day, SUM(purchases) AS k FROM "MetricsStoreDay"
               WHERE "storeId" IN (SELECT DISTINCT "storeId" FROM d)
                 AND day >= ${day(addDays(s.from, -1))}::date AND day < ${day(addDays(s.to, 1))}::date
               GROUP BY 1, 2)
    SELECT d."storeId", COALESCE(SUM(mp.k), 0) AS mine, SUM(d.receipts) AS total
    FROM d LEFT JOIN mp ON mp."storeId" = d."storeId" AND mp.day = d.day
    GROUP BY d."storeId" ORDER BY d."storeId"`,
  );
}

/** Members by tier index (program order) at the period's end; those without spend in the window have the tier of 0. */
export async function tierCounts(db: Database, s: MetricsScope) {
  const { t } = months(s);
  return rows<{ i: number | null; members: unknown }>(
    db,
    sql`SELECT b AS i, SUM(members) AS members FROM "MetricsCube" WHERE cube = 'tier' AND scope = '' AND a = ${t}::int GROUP BY b
        UNION ALL
        SELECT -1, (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'enr' AND scope = '' AND a < ${t}::int)`,
  );
}

/**
 * Members by tier index (i > 0) at the period's end and all members in scope,
 * for a cohort or a region on the dimension rollups (the rest of the
 * members have the tier of a spend of 0).
 */
export async function tierCountsByDimension(db: Database, s: MetricsScope, tiers: number) {
  const { t } = months(s);
  const is = Array.from({ length: tiers - 1 }, (_, j) => j + 1);
  if (s.cohort !== undefined) {
    const m = /^(\d{4})-(\d{2})$/.exec(s.cohort);
    const k = m ? Number(m[1]) * 12 + Number(m[2]) - 1 : t;
    const [r] = await rows<Record<string, unknown>>(
      db,
      sql`SELECT (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'enr' AND scope = '' AND a = ${k}::int AND a < ${t}::int) AS total
        ${Prisma.join(
          is.map(
            (i) =>
              sql`, (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'tmem' AND scope = ${`T${i}@${t}`} AND a = ${k}::int AND a < ${t}::int) AS ${Prisma.raw(`t${i}`)}`,
          ),
          "",
        )}`,
    );
    return { total: n(r?.total), by: is.map((i) => n(r?.[`t${i}`])) };
  }
  const inScope = (scope: string) =>
    sql`(SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'act' AND scope = ${scope} AND b = 0 AND a < ${t}::int AND c < ${t}::int)`;
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT ${inScope(`r:${s.region}`)} AS total
      ${Prisma.join(
        is.map((i) => sql`, ${inScope(`T${i}@${t}|r:${s.region}`)} AS ${Prisma.raw(`t${i}`)}`),
        "",
      )}`,
  );
  return { total: n(r?.total), by: is.map((i) => n(r?.[`t${i}`])) };
}

/** RFM cells at the period's end: those who bought in the window, and (-1) everyone who bought before it. */
export async function rfmCounts(db: Database, s: MetricsScope) {
  const { t } = months(s);
  return rows<{ r: number; f: number; m: number; members: unknown }>(
    db,
    sql`SELECT b AS r, c AS f, d AS m, SUM(members) AS members FROM "MetricsCube"
        WHERE cube = 'rfm' AND scope = '' AND a = ${t}::int GROUP BY b, c, d
        UNION ALL
        SELECT -1, -1, -1, (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube" WHERE cube = 'act' AND scope = '' AND b = 0 AND a < ${t}::int)`,
  );
}

/**
 * How a tier filter alone (whole months) reads the tier scopes at the
 * period's end t: a tier above the tier of a spend of 0 its own scope
 * ('T<i>@<t>'); the tier of a spend of 0 the chain's rollups minus the other
 * tiers' scopes and minus the members enrolled at or after t (`lateMembers`,
 * read from the raw rows: imported history, few or none); "empty" for an
 * unknown tier; null for the raw path (not filled yet, or another filter).
 */
export type TierPlan = { own: string } | { others: string[] } | "empty";

export async function viaTierScopes(
  ru: Rollups | undefined,
  s: MetricsScope,
  tiers: readonly { code: string }[],
  o: { region?: boolean } = {},
): Promise<TierPlan | null> {
  const tierCodes = tiers.map((t) => t.code);
  const k = tierScopeOf(s, tierCodes, o);
  if (k === null || ru === undefined) return null;
  // The tier scopes' members ('tmem') and activity come with the dimensions, the rest with the tier scopes,
  // their rows per region with their own backfill.
  if (!(await ru.dimensions()) || !(await ru.tierScopes())) return null;
  if (s.region !== undefined && !(await ru.tierRegions())) return null;
  if (k === "empty") return "empty";
  const r = k.region !== undefined ? `|r:${k.region}` : "";
  return k.i > 0 ? { own: `T${k.i}@${k.t}${r}` } : { others: tierCodes.slice(1).map((_, j) => `T${j + 1}@${k.t}${r}`) };
}

/**
 * A metric for a tier on the tier scopes: its own scope's figures; for the
 * tier of a spend of 0 the chain's minus the other tiers' minus the late
 * members' (read from the raw rows).
 */
export async function fromTierScopes<R>(
  plan: Exclude<TierPlan, "empty">,
  read: {
    scopes: (scopes: readonly string[]) => Promise<R>;
    chain: () => Promise<R>;
    late: () => Promise<R>;
    minus: (a: R, b: R) => R;
  },
): Promise<R> {
  if ("own" in plan) return read.scopes([plan.own]);
  const [chain, others, late] = await Promise.all([read.chain(), read.scopes(plan.others), read.late()]);
  return read.minus(read.minus(chain, others), late);
}

/** `minus` for fromTierScopes over rows keyed by `key`: the `fields` subtracted (see sumRows). */
export const minusRows =
  <R extends object>(key: (r: R) => string, fields: (keyof R)[], o: { keepZero?: boolean } = {}) =>
  (a: R[], b: R[]): R[] =>
    sumRows(
      [
        [1, a],
        [-1, b],
      ],
      key,
      fields,
      o,
    );

/**
 * Rows added up by key, each part with its sign (the tier of a spend of 0 is
 * the chain minus the other tiers): the `fields` summed, the rest from the
 * first row of the key; keys whose fields all come to 0 are left out, as a
 * statement over the raw rows would not have them — unless `keepZero` (a
 * statement listing every store in scope, say).
 */
export function sumRows<R extends object>(
  parts: [1 | -1, R[]][],
  key: (r: R) => string,
  fields: (keyof R)[],
  o: { keepZero?: boolean } = {},
): R[] {
  const out = new Map<string, R>();
  for (const [sign, rs] of parts)
    for (const r of rs) {
      const k = key(r);
      const acc = out.get(k) ?? ({ ...r, ...Object.fromEntries(fields.map((f) => [f, 0])) } as R);
      for (const f of fields) (acc as Record<keyof R, unknown>)[f] = n(acc[f]) + sign * n(r[f]);
      out.set(k, acc);
    }
  const rowsOut = [...out.values()];
  return o.keepZero ? rowsOut : rowsOut.filter((r) => fields.some((f) => n(r[f]) !== 0));
}

/** NPS answers of tier scopes in the period, by month and store, shaped like the NPS statement's rows. */
export async function tierNpsRows(db: Database, s: MetricsScope, scopes: readonly string[]) {
  const { f, t } = months(s);
  const r = await rows<{ month: number; store: number; d: unknown; p: unknown; pr: unknown }>(
    db,
    sql`SELECT a AS month, b AS store, SUM(members) FILTER (WHERE c = 0) AS d, SUM(members) FILTER (WHERE c = 1) AS p,
               SUM(members) FILTER (WHERE c = 2) AS pr
        FROM "MetricsCube" WHERE cube = 'nps' AND ${scopeIn(scopes)} AND a >= ${f}::int AND a < ${t}::int
        GROUP BY a, b HAVING SUM(members) <> 0`,
  );
  return r.map((x) => ({
    month: monthText(n(x.month)),
    storeId: x.store < 0 ? null : x.store,
    d: x.d,
    p: x.p,
    pr: x.pr,
  }));
}

/**
 * Points liability and flows over ledger rows by month and kind (1
 * redemption, 2 expiry, 3 reversal, 0 the rest) before the period's end:
 * outstanding, and issued, redeemed, expired and reversed from month `f` on.
 */
const pointFlows = (c: { month: Sql; kind: Sql; credits: Sql; total: Sql }, f: number) =>
  sql`COALESCE(SUM(${c.total}), 0) AS outstanding,
      COALESCE(SUM(${c.credits}) FILTER (WHERE ${c.month} >= ${f}::int), 0) AS issued,
      COALESCE(-SUM(${c.total}) FILTER (WHERE ${c.month} >= ${f}::int AND ${c.kind} = 1), 0) AS redeemed,
      COALESCE(-SUM(${c.total}) FILTER (WHERE ${c.month} >= ${f}::int AND ${c.kind} = 2), 0) AS expired,
      COALESCE(-SUM(${c.total}) FILTER (WHERE ${c.month} >= ${f}::int AND ${c.kind} = 3), 0) AS reversed`;

/** The points of tier scopes: outstanding at the period's end and the flows in it, shaped like ledgerFlows. */
export async function tierPointRows(db: Database, s: MetricsScope, scopes: readonly string[]) {
  const { f, t } = months(s);
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT ${pointFlows({ month: sql`a`, kind: sql`b`, credits: sql`members`, total: sql`purchases` }, f)}
        FROM "MetricsCube" WHERE cube = 'pts' AND ${scopeIn(scopes)} AND a < ${t}::int`,
  );
  return r;
}

/** The points of one cohort (enrollment month): outstanding at the period's end and its flows, shaped like ledgerFlows. */
export async function cohortPointRows(db: Database, s: MetricsScope, cohort: number) {
  const { f, t } = months(s);
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT ${pointFlows({ month: sql`month`, kind: sql`kind`, credits: sql`credits`, total: sql`total` }, f)}
        FROM "MetricsCohortLedger" WHERE cohort = ${cohort}::int AND month < ${t}::int`,
  );
  return r ?? {};
}

/** The monthly series' points rows of one cohort. */
export async function cohortPointSeries(db: Database, s: MetricsScope, cohort: number) {
  const { f, t } = months(s);
  const r = await rows<{ what: string; month: number | null; a: unknown; b: unknown; c: unknown }>(
    db,
    sql`SELECT 'pts' AS what, CASE WHEN month < ${f}::int THEN NULL ELSE month END AS month, SUM(total) AS a, 0 AS b, 0 AS c
        FROM "MetricsCohortLedger" WHERE cohort = ${cohort}::int AND month < ${t}::int GROUP BY 2`,
  );
  return r.map((x) => ({ ...x, month: x.month === null ? null : monthText(n(x.month)) }));
}

/** Retention counts of tier scopes: active at the period's start, at its end, and at its end but not its start. */
export async function tierRetentionCounts(db: Database, s: MetricsScope, scopes: readonly string[]) {
  const { f, t } = months(s);
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT COALESCE(SUM(members) FILTER (WHERE a = ${f}::int), 0) AS start,
               COALESCE(SUM(members) FILTER (WHERE a = ${t}::int), 0) AS "end",
               COALESCE(SUM(members) FILTER (WHERE a = ${f}::int AND b = 1), 0) AS both
        FROM "MetricsCube" WHERE cube = 'tret' AND ${scopeIn(scopes)} AND a IN (${f}::int, ${t}::int)`,
  );
  return { start: n(r?.start), end: n(r?.end), new: n(r?.end) - n(r?.both) };
}

/**
 * The cohort heatmap's rows of tier scopes: members enrolled in the period (in a region's scopes, those
 * who bought there before its end), and those buying in each month (there).
 */
export async function tierCohortCounts(db: Database, s: MetricsScope, scopes: readonly string[]) {
  const { f, t } = months(s);
  const r = await rows<{ cm: number; k: number | null; members: unknown }>(
    db,
    sql`${
      scopes.some((x) => x.includes("|"))
        ? sql`SELECT c AS cm, NULL::int AS k, SUM(members) AS members FROM "MetricsCube"
        WHERE cube = 'act' AND ${scopeIn(scopes)} AND b = 0 AND a < ${t}::int AND c >= ${f}::int AND c < ${t}::int
        GROUP BY c HAVING SUM(members) > 0`
        : sql`SELECT a AS cm, NULL::int AS k, SUM(members) AS members FROM "MetricsCube"
        WHERE cube = 'tmem' AND ${scopeIn(scopes)} AND a >= ${f}::int AND a < ${t}::int GROUP BY a HAVING SUM(members) > 0`
    }
        UNION ALL
        SELECT a, b - a, SUM(members) FROM "MetricsCube"
        WHERE cube = 'coh' AND ${scopeIn(scopes)} AND a >= ${f}::int AND a < ${t}::int AND b >= ${f}::int AND b < ${t}::int
        GROUP BY a, b HAVING SUM(members) > 0`,
  );
  return r.map((x) => ({ cohort: monthText(n(x.cm)), k: x.k === null ? null : n(x.k), members: x.members }));
}

/** RFM cells of tier scopes at the period's end, and (-1) their members who bought before it, shaped like rfmCounts. */
export async function tierRfmCounts(db: Database, s: MetricsScope, scopes: readonly string[]) {
  const { t } = months(s);
  return rows<{ r: number; f: number; m: number; members: unknown }>(
    db,
    sql`SELECT b AS r, c AS f, d AS m, SUM(members) AS members FROM "MetricsCube"
        WHERE cube = 'rfm' AND ${scopeIn(scopes)} AND a = ${t}::int GROUP BY b, c, d
        UNION ALL
        SELECT -1, -1, -1, (SELECT COALESCE(SUM(members), 0) FROM "MetricsCube"
                            WHERE cube = 'act' AND ${scopeIn(scopes)} AND b = 0 AND a < ${t}::int)`,
  );
}

/**
 * The monthly series' rows of one tier scope: act and mem from its cubes, nps from its answers and, with
 * `ledger`, pts from its ledger (points are chain-wide: a region's scope has none of its own).
 */
export async function tierSeriesRows(db: Database, s: MetricsScope, scope: string, ledger = true) {
  const { f, t } = months(s);
  const r = await rows<{ what: string; month: number | null; a: unknown; b: unknown; c: unknown }>(
    db,
    sql`SELECT 'nps' AS what, a AS month, SUM(members) FILTER (WHERE c = 0) AS a, SUM(members) FILTER (WHERE c = 1) AS b,
               SUM(members) FILTER (WHERE c = 2) AS c
        FROM "MetricsCube" WHERE cube = 'nps' AND scope = ${scope} AND a >= ${f}::int AND a < ${t}::int GROUP BY a`,
  );
  return [
    ...(await seriesRows(db, s, scope, false)),
    ...r.map((x) => ({ ...x, month: x.month === null ? null : monthText(n(x.month)) })),
    ...(ledger ? await tierPointSeries(db, s, [scope]) : []),
  ];
}

/** The monthly series' points rows of tier scopes (their members' ledger, chain-wide). */
export async function tierPointSeries(db: Database, s: MetricsScope, scopes: readonly string[]) {
  const { f, t } = months(s);
  const r = await rows<{ what: string; month: number | null; a: unknown; b: unknown; c: unknown }>(
    db,
    sql`SELECT 'pts' AS what, CASE WHEN a < ${f}::int THEN NULL ELSE a END AS month, SUM(purchases) AS a, 0 AS b, 0 AS c
        FROM "MetricsCube" WHERE cube = 'pts' AND ${scopeIn(scopes)} AND a < ${t}::int GROUP BY 2`,
  );
  return r.map((x) => ({ ...x, month: x.month === null ? null : monthText(n(x.month)) }));
}
