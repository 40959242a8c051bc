import { subDays } from "date-fns";
import { ACTIVE_WINDOW_DAYS, churnRate, lostCustomers, percent, retentionRate } from "../../domain/index.js";
import type { ServiceContext } from "../services/context.js";
import { sql } from "../db/sql.js";
import {
  cohortCounts,
  cohortScope,
  dimensionPlan,
  retentionCounts,
  rollupKey,
  fromTierScopes,
  minusRows,
  tierCohortCounts,
  tierRetentionCounts,
  viaTierScopes,
} from "./rollup-read.js";
import {
  type MetricsScope,
  n,
  purchasesBetween,
  type Rollups,
  rows,
  scopeCtes,
  viaDimensions,
  viaRollups,
} from "./scope.js";

export interface Retention {
  start: number;
  end: number;
  new: number;
  lost: number;
  retention: number | null;
  churn: number | null;
}

/**
 * Retention and churn over the period: a customer is active at an instant if
 * they bought within ACTIVE_WINDOW_DAYS before it; "new" are those active at
 * the end who were not at the start (won or won back).
 */
export async function retention(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<Retention> {
  const key = await viaRollups(ru, rollupKey(s, ["chain", "region"]));
  const codes = ctx.program.tiers.map((t) => t.code);
  // A cohort (alone or in a region) has retention rows of its own; a tier (alone or in a region) its tier scopes.
  const plan = key === null && s.tierCode === undefined ? await viaDimensions(ru, dimensionPlan(s, codes)) : null;
  const tier =
    key === null && s.tierCode !== undefined ? await viaTierScopes(ru, s, ctx.program.tiers, { region: true }) : null;
  const [r] =
    key !== null
      ? [await retentionCounts(ctx.db, s, key)]
      : plan === "empty" || tier === "empty"
        ? [{ start: 0, end: 0, new: 0 }]
        : plan !== null
          ? [await retentionCounts(ctx.db, s, plan.key)]
          : tier !== null
            ? await fromTierScopes(tier, {
                scopes: async (scopes) => [await tierRetentionCounts(ctx.db, s, scopes)],
                chain: async () => [await retentionCounts(ctx.db, s, s.region !== undefined ? `r:${s.region}` : "")],
                late: () => activeRows(ctx, { ...s, tierCode: undefined, lateMembers: true }),
                minus: minusRows<Record<string, unknown>>(() => "", ["start", "end", "new"]),
              })
            : await activeRows(ctx, s);
  const c = { start: n(r?.start), end: n(r?.end), new: n(r?.new) };
  return { ...c, lost: lostCustomers(c), retention: retentionRate(c), churn: churnRate(c) };
}

/** Retention's counts from the raw rows. */
function activeRows(ctx: ServiceContext, s: MetricsScope) {
  const w = ACTIVE_WINDOW_DAYS;
  return rows<Record<string, unknown>>(
    ctx.db,
    sql`WITH ${scopeCtes(ctx.program, s)},
      a AS (SELECT DISTINCT "memberId" FROM (${purchasesBetween(s, subDays(s.from, w), s.from)}) x),
      b AS (SELECT DISTINCT "memberId" FROM (${purchasesBetween(s, subDays(s.to, w), s.to)}) y)
    SELECT (SELECT count(*) FROM a) AS start, (SELECT count(*) FROM b) AS "end",
           (SELECT count(*) FROM b WHERE NOT EXISTS (SELECT 1 FROM a WHERE a."memberId" = b."memberId")) AS new`,
  );
}

export interface CohortRow {
  /** Enrollment month, YYYY-MM. */
  cohort: string;
  size: number;
  /** Share of the cohort that bought in month +0, +1, … after enrolling (percent). */
  retention: (number | null)[];
  active: number[];
}

/** Monthly cohort retention for members who enrolled within the period. */
export async function cohorts(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<CohortRow[]> {
  const key = await viaRollups(ru, rollupKey(s, ["chain"]));
  const dim = key === null ? await viaDimensions(ru, cohortScope(s)) : null;
  // A tier (alone or in a region): its members' months from the tier scopes (the tier of a spend of 0: the
  // chain or the region minus the others; members enrolled in the period enrolled before its end, so none is late).
  const tier = key === null && dim === null ? await viaTierScopes(ru, s, ctx.program.tiers, { region: true }) : null;
  type Row = { cohort: string; k: number | null; members: unknown };
  const r =
    key !== null
      ? await cohortCounts(ctx.db, s)
      : dim !== null
        ? await cohortCounts(ctx.db, s, dim.scope, dim.cohort)
        : tier === "empty"
          ? []
          : tier !== null
            ? await fromTierScopes(tier, {
                scopes: (scopes) => tierCohortCounts(ctx.db, s, scopes),
                chain: () => cohortCounts(ctx.db, s, s.region !== undefined ? `r:${s.region}` : ""),
                // Members enrolled in the period enrolled before its end: none is late.
                late: async () => [],
                minus: minusRows<Row>((x) => `${x.cohort} ${x.k}`, ["members"]),
              })
            : await rows<{ cohort: string; k: number | null; members: unknown }>(
                ctx.db,
                sql`WITH ${scopeCtes(ctx.program, s)},
      c AS (SELECT id, date_trunc('month', "createdAt") AS cm FROM sm WHERE "createdAt" >= ${s.from}::timestamp),
      act AS (SELECT DISTINCT sp."memberId", date_trunc('month', sp.at) AS am FROM sp JOIN c ON c.id = sp."memberId")
    SELECT to_char(cm, 'YYYY-MM') AS cohort, NULL::int AS k, count(*) AS members FROM c GROUP BY cm
    UNION ALL
    SELECT to_char(c.cm, 'YYYY-MM'),
           ((extract(year FROM act.am) - extract(year FROM c.cm)) * 12 + extract(month FROM act.am) - extract(month FROM c.cm))::int,
           count(*)
    FROM act JOIN c ON c.id = act."memberId" GROUP BY 1, 2`,
              );
  const byCohort = new Map<string, { size: number; active: number[] }>();
  for (const x of r) {
    const e = byCohort.get(x.cohort) ?? { size: 0, active: [] };
    byCohort.set(x.cohort, e);
    if (x.k === null) e.size = n(x.members);
    else e.active[x.k] = n(x.members);
  }
  return [...byCohort.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cohort, e]) => {
      const active = Array.from({ length: e.active.length }, (_, i) => e.active[i] ?? 0);
      return { cohort, size: e.size, active, retention: active.map((a) => percent(a, e.size)) };
    });
}
