import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { BroadcastState } from "../domain/index.js";
import type { MetricsScope } from "../app/metrics/index.js";
import type { Services } from "../app/services/index.js";
import {
  adminOpenApiPath,
  broadcastActionRoute,
  broadcastCreateRoute,
  broadcastGetRoute,
  broadcastResultsRoute,
  broadcastWinnerRoute,
  referralDecideRoute,
  referralListRoute,
  reviewDecideRoute,
  reviewListRoute,
  segmentCountRoute,
  segmentCreateRoute,
  segmentGetRoute,
  segmentListRoute,
} from "./admin-routes.js";
import { registerOfferRoutes } from "./admin-offers.js";
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

type Env = { Variables: { actor: string } };

/**
 * The admin API: the chain's metrics as JSON or CSV (`?format=csv` or
 * `Accept: text/csv`), and the marketer's segments and broadcasts (declared
 * in api/admin-routes.ts, documented at /api/v1/admin/openapi.json). Needs
 * an admin key; a store's POS key gets 403.
 */
export function createAdminApi(services: Services) {
  const api = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
  const routes = metricRoutes(services.metrics);
  api.onError((e, c) => toResponse(c, e));
  api.doc31(adminOpenApiPath, {
    openapi: "3.1.0",
    info: { title: "Kopilka admin API", version: "1.0.0", description: "Metrics, segments, broadcasts and offers." },
    servers: [{ url: "/api/v1/admin" }],
  });
  api.use("*", async (c, next) => {
    if (c.req.path.endsWith(adminOpenApiPath)) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    const key = m?.[1] ? await services.apiKeys.verify(m[1]) : null;
    if (!key) return c.json(errorBody("AUTH.INVALID_KEY", "missing or unknown API key"), 401);
    if (key.role !== "admin") return c.json(errorBody("AUTH.WRONG_ROLE", "this route needs an admin key"), 403);
    // Who did it, for what a broadcast or segment records as its author.
    c.set("actor", `api-key:${key.id}`);
    await next();
  });

  const { broadcasts } = services;
  api.openapi(segmentCreateRoute, async (c) => {
    const b = c.req.valid("json");
    return c.json(await broadcasts.segments.define(b.name, b.segment, c.get("actor")), 201);
  });
  api.openapi(segmentListRoute, async (c) => c.json({ segments: await broadcasts.segments.list() }, 200));
  api.openapi(segmentCountRoute, async (c) =>
    c.json({ members: await broadcasts.countSegment(c.req.valid("json").segment) }, 200),
  );
  api.openapi(segmentGetRoute, async (c) => c.json(await broadcasts.segments.get(c.req.valid("param").id), 200));
  api.openapi(broadcastCreateRoute, async (c) => {
    const id = await broadcasts.create(c.req.valid("json"), c.get("actor"));
    return c.json({ id, state: (await broadcasts.get(id)).status }, 201);
  });
  api.openapi(broadcastGetRoute, async (c) => {
    const p = await broadcasts.progress(c.req.valid("param").id);
    return c.json({ ...p, state: p.state as BroadcastState }, 200);
  });
  api.openapi(broadcastResultsRoute, async (c) => {
    const r = await broadcasts.results(c.req.valid("param").id);
    const window = { from: r.window.from.toISOString(), to: r.window.to.toISOString(), days: r.window.days };
    return c.json({ ...r, window }, 200);
  });
  // Before the action route: "winner" is not an action, and the first match answers.
  api.openapi(broadcastWinnerRoute, async (c) => {
    const id = await broadcasts.sendWinner(c.req.valid("param").id, c.req.valid("json").variant, c.get("actor"));
    return c.json({ id, state: (await broadcasts.get(id)).status }, 201);
  });
  api.openapi(reviewListRoute, async (c) => {
    const list = await services.reviews.pending({ storeId: c.req.valid("query").storeId }, 100);
    return c.json({ reviews: list.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() })) }, 200);
  });
  api.openapi(reviewDecideRoute, async (c) => {
    const { id, decision } = c.req.valid("param");
    const r = await services.reviews.moderate(id, decision, { who: c.get("actor"), admin: true });
    if (r.status === "not-found") throw new ApiError(404, "REVIEW.NOT_FOUND", `no review ${id}`);
    if (r.status === "not-pending" || r.status === "forbidden")
      throw new ApiError(409, "REVIEW.DECIDED", "this review has been decided already");
    return c.json({ id, status: r.status, points: r.status === "approved" ? r.points : 0 }, 200);
  });
  api.openapi(referralListRoute, async (c) => {
    const list = await services.referralReview.list(c.req.valid("query").status);
    return c.json(
      {
        referrals: list.map((r) => ({
          ...r,
          createdAt: r.createdAt.toISOString(),
          decidedAt: r.decidedAt ? r.decidedAt.toISOString() : null,
        })),
      },
      200,
    );
  });
  api.openapi(referralDecideRoute, async (c) => {
    const { id, decision } = c.req.valid("param");
    const r = await services.referralReview.decideHeld(id, decision);
    if ("error" in r) {
      if (r.error === "not-found") throw new ApiError(404, "REFERRAL.NOT_FOUND", `no referral ${id}`);
      throw new ApiError(409, "REFERRAL.NOT_HELD", "only a held referral can be released or refused");
    }
    return c.json({ id, status: r.status }, 200);
  });
  registerOfferRoutes(api, services);
  api.openapi(broadcastActionRoute, async (c) => {
    const { id, action } = c.req.valid("param");
    return c.json({ id, state: await broadcasts[action](id) }, 200);
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
