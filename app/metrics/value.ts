import { loyaltyCostShare, realizedLtv } from "../../domain/index.js";
import type { ServiceContext } from "../services/context.js";
import { type Sql, sql } from "../db/sql.js";
import {
  baseTierLoyaltyRows,
  cohortCostKey,
  cohortLoyaltyRows,
  dimensionPlan,
  lifetimeRevenue,
  lifetimeRevenueByDimension,
  loyaltyRows,
  rollupKey,
  sumRows,
  tierLoyaltyRows,
  tierScopeOf,
} from "./rollup-read.js";
import {
  join,
  type MetricsScope,
  n,
  type Rollups,
  rows,
  scopeCtes,
  storeCond,
  viaDimensions,
  viaRollups,
} from "./scope.js";

export interface RealizedLtv {
  members: number;
  lifetimeRevenueKopecks: number;
  ltvKopecks: number | null;
}

/** Realized LTV: net revenue of the members in scope over their whole history up to the period's end, per member. */
export async function lifetimeValue(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<RealizedLtv> {
  const key = await viaRollups(ru, rollupKey(s, ["chain", "region", "store"]));
  // A tier or a cohort (alone or in a region): their own scopes.
  const plan =
    key === null
      ? dimensionPlan(
          s,
          ctx.program.tiers.map((t) => t.code),
        )
      : null;
  // The tier of a spend of 0 (alone or in a region): the chain's (or the region's) minus the other tiers'.
  const dim = await viaDimensions(ru, plan);
  const [r] =
    key !== null
      ? [await lifetimeRevenue(ctx.db, s, key)]
      : dim === "empty"
        ? [{ members: 0, revenue: 0 }]
        : dim !== null && dim.minus.length === 0
          ? [await lifetimeRevenueByDimension(ctx.db, s, dim.key)]
          : dim !== null
            ? sumRows(
                [
                  [1, [await lifetimeRevenue(ctx.db, s, dim.key)]],
                  [-1, await Promise.all(dim.minus.map((k) => lifetimeRevenueByDimension(ctx.db, s, k)))],
                ],
                () => "",
                ["members", "revenue"],
              )
            : await rows<Record<string, unknown>>(
                ctx.db,
                sql`WITH ${scopeCtes(ctx.program, s)}
    SELECT (SELECT count(*) FROM sm) AS members,
           (SELECT COALESCE(SUM(p.amount - p."returnedAmount"), 0) FROM "Purchase" p JOIN sm ON sm.id = p."memberId"
            WHERE p.at < ${s.to}::timestamp ${storeCond(s, sql`p."storeId"`)}) AS revenue`,
              );
  const members = n(r?.members);
  const revenue = n(r?.revenue);
  return { members, lifetimeRevenueKopecks: revenue, ltvKopecks: realizedLtv(revenue, members) };
}

export interface LoyaltyCost {
  /** "store" rows are keyed by store id; "category" rows by category ("" for receipt amounts without line items). */
  kind: "store" | "category";
  key: string;
  costKopecks: number;
  marginKopecks: number;
  sharePercent: number | null;
}

/** Economics overrides as a relation, so the SQL applies the same shares as domain/accrual.ts economicsFor. */
function overrides(entries: [string, { costShareBp: number; acquisitionShareBp: number }][], keyType: Sql): Sql {
  if (entries.length === 0) return sql`SELECT NULL::${keyType} AS k, 0 AS cost, 0 AS acq WHERE false`;
  return sql`SELECT * FROM (VALUES ${join(
    entries.map(([k, e]) => sql`(${k}::${keyType}, ${e.costShareBp}::int, ${e.acquisitionShareBp}::int)`),
  )}) AS v(k, cost, acq)`;
}

/**
 * Loyalty cost (points accrued × point value) against the margin of the
 * receipts, per store and per category, with the cost and acquisition shares
 * of the program's economics (category over store over chain default, as the
 * accrual rule's guard uses them). A receipt's points are split over its
 * line items in proportion to their amounts.
 */
export async function loyaltyCost(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<LoyaltyCost[]> {
  const e = ctx.program.economics;
  const pv = ctx.program.pointValueKopecks;
  const key = await viaRollups(ru, rollupKey(s, ["chain", "region", "store"]));
  // The chain reads the category days; a region or a store the store × category days, a cohort (alone or
  // in a region) its costs by month, once they are filled.
  const ck = key === null ? cohortCostKey(s, { region: true }) : null;
  const filled = async () => ru !== undefined && (await ru.storeCategories());
  const ready = key === "" || ((key !== null || ck !== null) && (await filled()));
  // A tier (above the tier of a spend of 0), alone or in a region: its costs by month, once the tier scopes
  // (and their rows per region) are filled.
  const tk =
    key === null && ck === null
      ? tierScopeOf(
          s,
          ctx.program.tiers.map((t) => t.code),
          { region: true },
        )
      : null;
  // The tier of a spend of 0: the chain's (or the region's store × category) days minus the other tiers' and
  // the late cohorts' rows (the store × category days' backfill fills the cohorts' costs).
  const tiered =
    tk !== null &&
    ru !== undefined &&
    (await ru.tierScopes()) &&
    (tk === "empty" ||
      ((tk.region === undefined || (await ru.tierRegions())) && (tk.i > 0 || (await ru.storeCategories()))));
  const r = tiered
    ? tk === "empty"
      ? []
      : tk.i > 0
        ? await tierLoyaltyRows(ctx.db, s, tk.i, pv)
        : await baseTierLoyaltyRows(
            ctx.db,
            s,
            ctx.program.tiers.slice(1).map((_, j) => j + 1),
            pv,
          )
    : !ready
      ? null
      : ck === "empty"
        ? []
        : ck !== null
          ? await cohortLoyaltyRows(ctx.db, s, ck, pv)
          : await loyaltyRows(ctx.db, s, pv);
  const out =
    r !== null
      ? r
      : await rows<{ kind: "store" | "category"; key: string; cost: unknown; margin: unknown }>(
          ctx.db,
          sql`WITH ${scopeCtes(ctx.program, s)},
      es AS (${overrides(Object.entries(e.stores), sql`int`)}),
      ec AS (${overrides(Object.entries(e.categories), sql`text`)}),
      pe AS (SELECT sp.id, sp."storeId", sp.amount::bigint AS amount, sp."pointsAccrued"::bigint AS pts,
                    COALESCE(es.cost, ${e.default.costShareBp}::int) AS scost,
                    COALESCE(es.acq, ${e.default.acquisitionShareBp}::int) AS sacq
             FROM sp LEFT JOIN es ON es.k = sp."storeId"),
      im AS (SELECT i."purchaseId", i.category, i.amount::bigint AS amount,
                    (i.amount::bigint * (10000 - COALESCE(ec.cost, pe.scost) - COALESCE(ec.acq, pe.sacq))) / 10000 AS margin,
                    pe.pts * ${pv}::int * i.amount::numeric / pe.amount AS cost
             FROM "PurchaseItem" i JOIN pe ON pe.id = i."purchaseId" LEFT JOIN ec ON ec.k = i.category),
      ii AS (SELECT "purchaseId", SUM(amount)::bigint AS total, SUM(margin)::bigint AS margin FROM im GROUP BY 1),
      pm AS (SELECT pe."storeId", pe.amount, pe.pts, COALESCE(ii.total, 0) AS items_total, COALESCE(ii.margin, 0) AS items_margin,
                    ((pe.amount - COALESCE(ii.total, 0)) * (10000 - pe.scost - pe.sacq)) / 10000 AS rest_margin
             FROM pe LEFT JOIN ii ON ii."purchaseId" = pe.id)
    SELECT 'store' AS kind, "storeId"::text AS key, SUM(pts) * ${pv}::int AS cost, SUM(items_margin + rest_margin) AS margin
    FROM pm GROUP BY "storeId"
    UNION ALL
    SELECT 'category', category, round(SUM(cost)), SUM(margin) FROM im GROUP BY category
    UNION ALL
    SELECT 'category', '', round(SUM(pts * ${pv}::int * (amount - items_total)::numeric / amount)), SUM(rest_margin)
    FROM pm WHERE amount > items_total HAVING count(*) > 0
    ORDER BY 1, 2`,
        );
  return out.map((x) => {
    const cost = n(x.cost);
    const margin = n(x.margin);
    return {
      kind: x.kind,
      key: x.key,
      costKopecks: cost,
      marginKopecks: margin,
      sharePercent: loyaltyCostShare(cost, margin),
    };
  });
}
