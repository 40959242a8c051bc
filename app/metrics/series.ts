import { nps, repurchaseRate } from "../../domain/index.js";
import type { ServiceContext } from "../services/context.js";
import { sql } from "../db/sql.js";
import {
  cohortCostKey,
  cohortPointSeries,
  dimensionPlan,
  fromTierScopes,
  ledgerSeries,
  minusRows,
  rollupKey,
  seriesRows,
  tierPointSeries,
  tierSeriesRows,
  viaTierScopes,
} from "./rollup-read.js";
import { boughtThere } from "./nps.js";
import {
  hasStoreFilter,
  type MetricsScope,
  memberFiltered,
  n,
  type Rollups,
  rows,
  scopeCtes,
  storeCond,
  viaDimensions,
  viaRollups,
} from "./scope.js";

export interface MonthPoint {
  month: string;
  /** Members enrolled by the month's end (in scope). */
  members: number;
  active: number;
  purchases: number;
  repurchaseRate: number | null;
  nps: number | null;
  /** Points outstanding at the month's end. */
  outstandingPoints: number;
}

/**
 * Month-by-month figures over the period, for the overview's sparklines. Points are chain-wide, as in
 * pointsFlow: with a store or region and a tier or cohort, they are the points of the tier's or the
 * cohort's members wherever they bought (a store or region alone does not narrow them).
 */
export async function monthlySeries(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<MonthPoint[]> {
  const local = hasStoreFilter(s) && memberFiltered(s);
  const [rest, ledger] = await Promise.all([
    seriesOf(ctx, s, ru, !local),
    local ? pointSeries(ctx, { ...s, storeId: undefined, region: undefined }, ru) : Promise.resolve([]),
  ]);
  const r = [...rest, ...ledger];
  const months: string[] = [];
  for (let d = new Date(Date.UTC(s.from.getUTCFullYear(), s.from.getUTCMonth(), 1)); d < s.to;) {
    months.push(d.toISOString().slice(0, 7));
    d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  }
  const get = (what: string, month: string | null) => r.find((x) => x.what === what && x.month === month);
  let members = n(get("mem", null)?.a);
  let points = n(get("pts", null)?.a);
  return months.map((month) => {
    const act = get("act", month);
    const np = get("nps", month);
    members += n(get("mem", month)?.a);
    points += n(get("pts", month)?.a);
    return {
      month,
      members,
      active: n(act?.a),
      purchases: n(act?.b),
      repurchaseRate: repurchaseRate({ customers: n(act?.a), repeatCustomers: n(act?.c) }),
      nps: nps({ detractors: n(np?.a), passives: n(np?.b), promoters: n(np?.c) }),
      outstandingPoints: points,
    };
  });
}

type Row = { what: string; month: string | null; a: unknown; b: unknown; c: unknown };

/** The series' rows of a scope: act, mem, nps and, with `ledger`, pts. */
async function seriesOf(
  ctx: ServiceContext,
  s: MetricsScope,
  ru: Rollups | undefined,
  ledger: boolean,
): Promise<Row[]> {
  const key = await viaRollups(ru, rollupKey(s, ["chain", "region", "store"]));
  if (key !== null) return [...(await seriesRows(ctx.db, s, key, ledger)), ...(await npsRows(ctx, s))];
  // A cohort (alone or in a region): purchases and members from its cubes; its NPS answers (and points,
  // until the ledger by enrollment month is filled) are a few members' rows, read through their member index.
  const codes = ctx.program.tiers.map((t) => t.code);
  const plan = await viaDimensions(ru, dimensionPlan(s, codes));
  if (plan !== null && plan !== "empty" && plan.key.startsWith("K")) {
    const ck = ledger ? cohortCostKey(s) : null;
    const lc = typeof ck === "number" && ru !== undefined && (await ru.cohortLedger()) ? ck : null;
    return [
      ...(await seriesRows(ctx.db, s, plan.key, false)),
      ...(await memberRows(ctx, s, ledger && lc === null)),
      ...(lc !== null ? await cohortPointSeries(ctx.db, s, lc) : []),
    ];
  }
  // A tier (alone or in a region): its cubes, answers and ledger from the tier scopes (the tier of a spend of
  // 0: the chain or the region minus the others, and minus the activity, points and answers of members
  // enrolled at or after the end).
  const tier = await viaTierScopes(ru, s, ctx.program.tiers, { region: true });
  if (tier === "empty") return [];
  if (tier !== null)
    return fromTierScopes(tier, {
      scopes: async (scopes) => (await Promise.all(scopes.map((o) => tierSeriesRows(ctx.db, s, o, ledger)))).flat(),
      chain: async () => [
        ...(await seriesRows(ctx.db, s, s.region !== undefined ? `r:${s.region}` : "", ledger)),
        // In a region, the answers of members who bought there (the tier's members are those).
        ...(await npsRows(ctx, s, true)),
      ],
      // Their activity, points and answers; the members counted are those enrolled before the end.
      late: async () =>
        (await rawRows(ctx, { ...s, tierCode: undefined, lateMembers: true }, ledger)).filter((x) => x.what !== "mem"),
      minus: minusRows<Row>((x) => `${x.what} ${x.month}`, ["a", "b", "c"]),
    });
  return rawRows(ctx, s, ledger);
}

/** The series' points rows of a scope without a store or region: a tier's from its tier scopes, a cohort's from the ledger by enrollment month. */
async function pointSeries(ctx: ServiceContext, s: MetricsScope, ru: Rollups | undefined): Promise<Row[]> {
  const tier = await viaTierScopes(ru, s, ctx.program.tiers);
  if (tier === "empty") return [];
  if (tier !== null)
    return fromTierScopes(tier, {
      scopes: (scopes) => tierPointSeries(ctx.db, s, scopes),
      chain: () => ledgerSeries(ctx.db, s),
      late: () => pointRows(ctx, { ...s, tierCode: undefined, lateMembers: true }),
      minus: minusRows<Row>((x) => `${x.what} ${x.month}`, ["a"]),
    });
  const ck = cohortCostKey(s);
  if (ck === "empty") return [];
  if (ck !== null && ru !== undefined && (await ru.cohortLedger())) return cohortPointSeries(ctx.db, s, ck);
  return pointRows(ctx, s);
}

/** The series' points rows: the ledger before the period's end by month (null: before the period), of the members in `sm` when filtered. */
const pointsSql = (s: MetricsScope) =>
  sql`SELECT 'pts' AS what, CASE WHEN e."createdAt" < ${s.from}::timestamp THEN NULL ELSE to_char(e."createdAt", 'YYYY-MM') END AS month,
           SUM(e.points) AS a, 0 AS b, 0 AS c
    FROM "LedgerEntry" e ${memberFiltered(s) ? sql`JOIN sm ON sm.id = e."memberId"` : sql``}
    WHERE e."createdAt" < ${s.to}::timestamp GROUP BY 2`;

/** The series' rows from the raw rows (with `ledger`, the points of the members in scope). */
function rawRows(ctx: ServiceContext, s: MetricsScope, ledger: boolean) {
  const mf = memberFiltered(s);
  return rows<Row>(
    ctx.db,
    sql`WITH ${scopeCtes(ctx.program, s)},
      per AS (SELECT date_trunc('month', at) AS mo, "memberId", count(*) AS k FROM sp GROUP BY 1, 2)
    SELECT 'act' AS what, to_char(mo, 'YYYY-MM') AS month, count(*) AS a, SUM(k) AS b, count(*) FILTER (WHERE k > 1) AS c
    FROM per GROUP BY mo
    UNION ALL
    SELECT 'mem', CASE WHEN "createdAt" < ${s.from}::timestamp THEN NULL ELSE to_char("createdAt", 'YYYY-MM') END,
           count(*), 0, 0 FROM sm GROUP BY 2
    UNION ALL
    SELECT 'nps', to_char(a."answeredAt", 'YYYY-MM'), count(*) FILTER (WHERE a.score <= 6),
           count(*) FILTER (WHERE a.score BETWEEN 7 AND 8), count(*) FILTER (WHERE a.score >= 9)
    FROM "NpsAnswer" a ${mf ? sql`JOIN sm ON sm.id = a."memberId"` : sql``}
    WHERE a."answeredAt" >= ${s.from}::timestamp AND a."answeredAt" < ${s.to}::timestamp ${storeCond(s, sql`a."storeId"`)}
    GROUP BY 2
    ${ledger ? sql`UNION ALL ${pointsSql(s)}` : sql``}`,
  );
}

/** The series' points rows of the members in scope, from the raw rows. */
function pointRows(ctx: ServiceContext, s: MetricsScope) {
  return rows<Row>(ctx.db, sql`WITH ${scopeCtes(ctx.program, s)} ${pointsSql(s)}`);
}

/** The series' NPS rows and, with `points`, points rows of the members in a member-filtered scope. */
function memberRows(ctx: ServiceContext, s: MetricsScope, points: boolean) {
  return rows<Row>(
    ctx.db,
    sql`WITH ${scopeCtes(ctx.program, s)}
    SELECT 'nps' AS what, to_char(a."answeredAt", 'YYYY-MM') AS month, count(*) FILTER (WHERE a.score <= 6) AS a,
           count(*) FILTER (WHERE a.score BETWEEN 7 AND 8) AS b, count(*) FILTER (WHERE a.score >= 9) AS c
    FROM "NpsAnswer" a JOIN sm ON sm.id = a."memberId"
    WHERE a."answeredAt" >= ${s.from}::timestamp AND a."answeredAt" < ${s.to}::timestamp ${storeCond(s, sql`a."storeId"`)}
    GROUP BY 2
    ${points ? sql`UNION ALL ${pointsSql(s)}` : sql``}`,
  );
}

/** The series' NPS rows on the rollup path (answers are few: their own index serves them); `buyers` as in answerRows. */
function npsRows(ctx: ServiceContext, s: MetricsScope, buyers = false) {
  return rows<Row>(
    ctx.db,
    sql`SELECT 'nps' AS what, to_char(a."answeredAt", 'YYYY-MM') AS month, count(*) FILTER (WHERE a.score <= 6) AS a,
           count(*) FILTER (WHERE a.score BETWEEN 7 AND 8) AS b, count(*) FILTER (WHERE a.score >= 9) AS c
    FROM "NpsAnswer" a
    WHERE a."answeredAt" >= ${s.from}::timestamp AND a."answeredAt" < ${s.to}::timestamp ${storeCond(s, sql`a."storeId"`)}
      ${buyers && hasStoreFilter(s) ? boughtThere(s) : sql``}
    GROUP BY 2`,
  );
}
