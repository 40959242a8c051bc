import { averageBasket, repurchaseRate, visitFrequency } from "../../domain/index.js";
import type { ServiceContext } from "../services/context.js";
import { sql } from "../db/sql.js";
import {
  activityCounts,
  categoryCounts,
  baseTierCategoryCounts,
  categoryPrefix,
  tierScopeOf,
  dimensionPlan,
  planCounts,
  rollupKey,
  fromTierScopes,
  minusRows,
  regionCategories,
  storeSales,
  viaTierScopes,
} from "./rollup-read.js";
import { type MetricsScope, n, type Rollups, rows, scopeCtes, storeCond, viaDimensions, viaRollups } from "./scope.js";

export interface Activity {
  members: number;
  newMembers: number;
  activeMembers: number;
  purchases: number;
  /** Receipts net of returns, kopecks. */
  revenueKopecks: number;
  /** Customers with more than one purchase in the period. */
  repeatCustomers: number;
  repurchaseRate: number | null;
  averageBasketKopecks: number | null;
  visitFrequency: number | null;
}

/** Members, active and new members, purchases, revenue, repeat customers: one statement. */
export async function activity(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<Activity> {
  const key = await viaRollups(ru, rollupKey(s, ["chain", "region"]));
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
  const [r] =
    key !== null
      ? [await activityCounts(ctx.db, s, key)]
      : plan !== null
        ? [await planCounts(ctx.db, s, plan)]
        : await rows<Record<string, unknown>>(
            ctx.db,
            sql`WITH ${scopeCtes(ctx.program, s)},
      per AS (SELECT "memberId", count(*) AS k, SUM(amount - "returnedAmount") AS rev FROM sp GROUP BY "memberId")
    SELECT (SELECT count(*) FROM sm) AS members,
           (SELECT count(*) FROM sm WHERE "createdAt" >= ${s.from}::timestamp) AS "newMembers",
           (SELECT count(*) FROM per) AS active,
           (SELECT COALESCE(SUM(k), 0) FROM per) AS purchases,
           (SELECT COALESCE(SUM(rev), 0) FROM per) AS revenue,
           (SELECT count(*) FROM per WHERE k > 1) AS repeat`,
          );
  const purchases = n(r?.purchases);
  const active = n(r?.active);
  const revenue = n(r?.revenue);
  const repeat = n(r?.repeat);
  return {
    members: n(r?.members),
    newMembers: n(r?.newMembers),
    activeMembers: active,
    purchases,
    revenueKopecks: revenue,
    repeatCustomers: repeat,
    repurchaseRate: repurchaseRate({ customers: active, repeatCustomers: repeat }),
    averageBasketKopecks: averageBasket(revenue, purchases),
    visitFrequency: visitFrequency(purchases, active),
  };
}

export interface CategoryRepurchase {
  category: string;
  customers: number;
  repeatCustomers: number;
  repurchaseRate: number | null;
}

/** Repurchase rate per product category: orders that contain the category, not line items. */
export async function repurchaseByCategory(
  ctx: ServiceContext,
  s: MetricsScope,
  ru?: Rollups,
): Promise<CategoryRepurchase[]> {
  const key = await viaRollups(ru, rollupKey(s, ["chain"]));
  // A region or a cohort: their category scopes, once their backfill has filled them.
  // A tier (alone or in a region): its 'T<i>@<t>|c:' ('|cr:' in a region) scopes, once the tier scopes (and
  // their rows per region) are filled; the tier of a spend of 0 is the chain (or the region) minus the other
  // tiers and the members enrolled after the period (their category scopes filled too; in a region their
  // raw rows).
  const tk =
    key === null
      ? tierScopeOf(
          s,
          ctx.program.tiers.map((t) => t.code),
          { region: true },
        )
      : null;
  const prefix =
    tk === "empty"
      ? "empty"
      : tk !== null
        ? `T${tk.i}@${tk.t}|${tk.region !== undefined ? regionCategories(tk.region) : "c:"}`
        : key === null
          ? categoryPrefix(s)
          : null;
  const base = tk !== null && tk !== "empty" && tk.i === 0;
  // A tier reads the tier scopes; a region, a cohort or the base tier the category scopes too.
  const filled =
    prefix !== null &&
    ru !== undefined &&
    (tk === null || (await ru.tierScopes())) &&
    (tk === null || tk === "empty" || tk.region === undefined || (await ru.tierRegions())) &&
    ((tk !== null && !base) || (await ru.categoryScopes()));
  type Row = { category: string; customers: unknown; repeat: unknown };
  const r =
    key !== null
      ? await categoryCounts(ctx.db, s)
      : filled && prefix === "empty"
        ? []
        : filled && base && s.region !== undefined
          ? minusRows<Row>((x) => x.category, ["customers", "repeat"])(
              await baseTierCategoryCounts(ctx.db, s, ctx.program.tiers.length),
              await rawCategories(ctx, { ...s, tierCode: undefined, lateMembers: true }),
            ).sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : 0))
          : filled && base
            ? await baseTierCategoryCounts(ctx.db, s, ctx.program.tiers.length)
            : filled && prefix !== null && prefix !== "empty"
              ? await categoryCounts(ctx.db, s, prefix)
              : await rawCategories(ctx, s);
  return r.map((x) => {
    const customers = n(x.customers);
    const repeatCustomers = n(x.repeat);
    return {
      category: x.category,
      customers,
      repeatCustomers,
      repurchaseRate: repurchaseRate({ customers, repeatCustomers }),
    };
  });
}

/** Repurchase by category from the raw rows. */
function rawCategories(ctx: ServiceContext, s: MetricsScope) {
  return rows<{ category: string; customers: unknown; repeat: unknown }>(
    ctx.db,
    sql`WITH ${scopeCtes(ctx.program, s)},
      pc AS (SELECT DISTINCT sp.id, sp."memberId", i.category FROM sp JOIN "PurchaseItem" i ON i."purchaseId" = sp.id),
      c AS (SELECT category, "memberId", count(*) AS k FROM pc GROUP BY category, "memberId")
    SELECT category, count(*) AS customers, count(*) FILTER (WHERE k > 1) AS repeat
    FROM c GROUP BY category ORDER BY category`,
  );
}

export interface StoreSales {
  storeId: number;
  name: string;
  region: string;
  purchases: number;
  customers: number;
  revenueKopecks: number;
}

/** Members' purchases, customers and revenue per store in the period (every store in scope, zero when idle). */
export async function salesByStore(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<StoreSales[]> {
  const key = await viaRollups(ru, rollupKey(s, ["chain", "region", "store"]));
  // A tier (with or without a store or region): its members' sales at each store from the tier scopes (a
  // customer of a store in scope is in its scope); the tier of a spend of 0 is the chain minus the other tiers
  // and minus the members enrolled at or after the period's end, store by store.
  const tier =
    key === null ? await viaTierScopes(ru, { ...s, storeId: undefined, region: undefined }, ctx.program.tiers) : null;
  const r =
    key !== null
      ? await storeSales(ctx.db, s)
      : tier === "empty"
        ? await storeSales(ctx.db, s, [])
        : tier !== null
          ? await fromTierScopes(tier, {
              scopes: (scopes) => storeSales(ctx.db, s, scopes),
              chain: () => storeSales(ctx.db, s),
              late: () => rawSales(ctx, { ...s, tierCode: undefined, lateMembers: true }),
              // Every store in scope stays listed, idle ones at zero.
              minus: minusRows<SalesRow>((x) => String(x.storeId), ["k", "c", "rev"], { keepZero: true }),
            })
          : await rawSales(ctx, s);
  return r.map((x) => ({
    storeId: x.storeId,
    name: x.name,
    region: x.region,
    purchases: n(x.k),
    customers: n(x.c),
    revenueKopecks: n(x.rev),
  }));
}

type SalesRow = { storeId: number; name: string; region: string; k: unknown; c: unknown; rev: unknown };

/** Sales by store from the raw rows. */
function rawSales(ctx: ServiceContext, s: MetricsScope) {
  return rows<SalesRow>(
    ctx.db,
    sql`WITH ${scopeCtes(ctx.program, s)},
      g AS (SELECT "storeId", count(*) AS k, count(DISTINCT "memberId") AS c, SUM(amount - "returnedAmount") AS rev
            FROM sp GROUP BY "storeId")
    SELECT st.id AS "storeId", st.name, st.region, g.k, g.c, g.rev
    FROM "Store" st LEFT JOIN g ON g."storeId" = st.id
    WHERE true ${storeCond(s, sql`st.id`)}
    ORDER BY st.id`,
  );
}
