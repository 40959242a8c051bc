import { nps, repurchaseRate } from "../../domain/index.js";
import type { ServiceContext } from "../services/context.js";
import { sql } from "../db/sql.js";
import {
  cohortCostKey,
  cohortPointSeries,
  dimensionPlan,
  fromTierScopes,
  minusRows,
  rollupKey,
  seriesRows,
  tierSeriesRows,
  viaTierScopes,
} from "./rollup-read.js";
import {
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

/** Month-by-month figures over the period, for the overview's sparklines: one statement. */
export async function monthlySeries(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<MonthPoint[]> {
  const key = await viaRollups(ru, rollupKey(s, ["chain", "region", "store"]));
  // A cohort (alone or in a region): purchases and members from its cubes; its points and NPS answers
  // are a few members' rows, read through their member index.
  const plan =
    key === null
      ? await viaDimensions(
          ru,
          dimensionPlan(
            s,
            ctx.program.tiers.map((t) => t.code),
          ),
        )
      : null;
  const cohortKey = plan !== null && plan !== "empty" && plan.key.startsWith("K") ? plan.key : null;
  const ck = cohortKey !== null && s.region === undefined ? cohortCostKey(s) : null;
  const ledgerCohort = typeof ck === "number" && ru !== undefined && (await ru.cohortLedger()) ? ck : null;
  // A tier alone: its cubes, ledger and answers from the tier scopes (the tier of a spend of 0: the chain
  // minus the others, and minus the activity, points and answers of members enrolled at or after the end).
  const tier = key === null && cohortKey === null ? await viaTierScopes(ru, s, ctx.program.tiers) : null;
  const r =
    key !== null
      ? [...(await seriesRows(ctx.db, s, key)), ...(await npsRows(ctx, s))]
      : cohortKey !== null
        ? [
            ...(await seriesRows(ctx.db, s, cohortKey, false)),
            // A cohort alone: its points from the ledger by enrollment month, once filled.
            ...(ledgerCohort !== null
              ? [...(await memberRows(ctx, s, false)), ...(await cohortPointSeries(ctx.db, s, ledgerCohort))]
              : await memberRows(ctx, s)),
          ]
        : tier === "empty"
          ? []
          : tier !== null
            ? await fromTierScopes(tier, {
                scopes: async (scopes) => (await Promise.all(scopes.map((o) => tierSeriesRows(ctx.db, s, o)))).flat(),
                chain: async () => [...(await seriesRows(ctx.db, s, "")), ...(await npsRows(ctx, s))],
                // Their activity, points and answers; the members counted are those enrolled before the end.
                late: async () =>
                  (await rawRows(ctx, { ...s, tierCode: undefined, lateMembers: true })).filter(
                    (x) => x.what !== "mem",
                  ),
                minus: minusRows<Row>((x) => `${x.what} ${x.month}`, ["a", "b", "c"]),
              })
            : await rawRows(ctx, s);
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

/** The series' rows from the raw rows. */
function rawRows(ctx: ServiceContext, s: MetricsScope) {
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
    UNION ALL
    SELECT 'pts', CASE WHEN e."createdAt" < ${s.from}::timestamp THEN NULL ELSE to_char(e."createdAt", 'YYYY-MM') END,
           SUM(e.points), 0, 0
    FROM "LedgerEntry" e ${mf ? sql`JOIN sm ON sm.id = e."memberId"` : sql``}
    WHERE e."createdAt" < ${s.to}::timestamp GROUP BY 2`,
  );
}

/** The series' NPS and points rows of the members in a member-filtered scope. */
function memberRows(ctx: ServiceContext, s: MetricsScope, points = true) {
  return rows<{ what: string; month: string | null; a: unknown; b: unknown; c: unknown }>(
    ctx.db,
    sql`WITH ${scopeCtes(ctx.program, s)}
    SELECT 'nps' AS what, to_char(a."answeredAt", 'YYYY-MM') AS month, count(*) FILTER (WHERE a.score <= 6) AS a,
           count(*) FILTER (WHERE a.score BETWEEN 7 AND 8) AS b, count(*) FILTER (WHERE a.score >= 9) AS c
    FROM "NpsAnswer" a JOIN sm ON sm.id = a."memberId"
    WHERE a."answeredAt" >= ${s.from}::timestamp AND a."answeredAt" < ${s.to}::timestamp ${storeCond(s, sql`a."storeId"`)}
    GROUP BY 2
    ${
      points
        ? sql`UNION ALL
    SELECT 'pts', CASE WHEN e."createdAt" < ${s.from}::timestamp THEN NULL ELSE to_char(e."createdAt", 'YYYY-MM') END,
           SUM(e.points), 0, 0
    FROM "LedgerEntry" e JOIN sm ON sm.id = e."memberId"
    WHERE e."createdAt" < ${s.to}::timestamp GROUP BY 2`
        : sql``
    }`,
  );
}

/** The series' NPS rows on the rollup path (answers are few: their own index serves them). */
function npsRows(ctx: ServiceContext, s: MetricsScope) {
  return rows<{ what: string; month: string | null; a: unknown; b: unknown; c: unknown }>(
    ctx.db,
    sql`SELECT 'nps' AS what, to_char(a."answeredAt", 'YYYY-MM') AS month, count(*) FILTER (WHERE a.score <= 6) AS a,
           count(*) FILTER (WHERE a.score BETWEEN 7 AND 8) AS b, count(*) FILTER (WHERE a.score >= 9) AS c
    FROM "NpsAnswer" a
    WHERE a."answeredAt" >= ${s.from}::timestamp AND a."answeredAt" < ${s.to}::timestamp ${storeCond(s, sql`a."storeId"`)}
    GROUP BY 2`,
  );
}
