import { Hono } from "hono";
import { z } from "zod";
import type { MetricsScope } from "../app/metrics/index.js";
import type { Services } from "../app/services/index.js";
import { toCsv } from "./csv.js";
import { ApiError, errorBody, toResponse, validationError } from "./errors.js";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date, YYYY-MM-DD");

/** Query of every metrics route: the period [from, to) and the optional filters. */
export const metricsQuery = z
  .object({
    from: day.optional(),
    to: day.optional(),
    storeId: z.coerce.number().int().positive().optional(),
    region: z.string().min(1).max(100).optional(),
    tier: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/)
      .optional(),
    cohort: z
      .string()
      .regex(/^\d{4}-\d{2}$/, "a month, YYYY-MM")
      .optional(),
    format: z.enum(["json", "csv"]).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: "from must be before to", path: ["from"] })
  .refine((q) => q.storeId === undefined || q.region === undefined, {
    message: "give a store or a region, not both",
    path: ["region"],
  });
export type MetricsQuery = z.infer<typeof metricsQuery>;

/** Query text → scope; the metrics service fills in the default period. */
export function scopeFrom(q: MetricsQuery, metrics: Services["metrics"]): MetricsScope {
  const p = metrics.period(
    q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
    q.to ? new Date(`${q.to}T00:00:00Z`) : undefined,
  );
  return {
    ...p,
    storeId: q.storeId,
    region: q.region,
    tierCode: q.tier,
    cohort: q.cohort,
  };
}

/** Each metric the admin API serves, by its path segment. */
export function metricRoutes(m: Services["metrics"]): Record<string, (s: MetricsScope) => Promise<unknown>> {
  return {
    overview: m.overview,
    activity: m.activity,
    "repurchase-by-category": m.repurchaseByCategory,
    nps: m.nps,
    retention: m.retention,
    cohorts: m.cohorts,
    points: m.points,
    ltv: m.ltv,
    "loyalty-cost": m.loyaltyCost,
    rfm: m.rfm,
    tiers: m.tiers,
    "receipt-share": m.receiptShare,
    series: m.series,
    "store-sales": m.salesByStore,
  };
}

/**
 * The admin API: the chain's metrics as JSON or CSV (`?format=csv` or
 * `Accept: text/csv`). Needs an admin key; a store's POS key gets 403.
 */
export function createAdminApi(services: Services) {
  const api = new Hono();
  const routes = metricRoutes(services.metrics);
  api.onError((e, c) => toResponse(c, e));
  api.use("*", async (c, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    const key = m?.[1] ? await services.apiKeys.verify(m[1]) : null;
    if (!key) return c.json(errorBody("AUTH.INVALID_KEY", "missing or unknown API key"), 401);
    if (key.role !== "admin") return c.json(errorBody("AUTH.WRONG_ROLE", "this route needs an admin key"), 403);
    await next();
  });
  api.get("/metrics", (c) => c.json({ metrics: Object.keys(routes) }));
  api.get("/metrics/:name", async (c) => {
    const run = routes[c.req.param("name")];
    if (!run) throw new ApiError(404, "NOT_FOUND", "no such metric", { known: Object.keys(routes) });
    const q = metricsQuery.safeParse(c.req.query());
    if (!q.success) throw validationError(q.error);
    const scope = scopeFrom(q.data, services.metrics);
    const data = await run(scope);
    const csv = q.data.format === "csv" || (!q.data.format && (c.req.header("accept") ?? "").includes("text/csv"));
    if (csv) {
      c.header("content-type", "text/csv; charset=utf-8");
      c.header("content-disposition", `attachment; filename="${c.req.param("name")}.csv"`);
      return c.body(toCsv(data));
    }
    return c.json({ from: scope.from.toISOString(), to: scope.to.toISOString(), data });
  });
  api.notFound((c) => c.json(errorBody("NOT_FOUND", "no such route"), 404));
  return api;
}
