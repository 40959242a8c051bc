import { change, projectedLtv } from "../../domain/index.js";
import type { ServiceContext } from "../services/context.js";
import { activity, repurchaseByCategory, salesByStore } from "./activity.js";
import { npsReport } from "./nps.js";
import { pointsFlow } from "./points.js";
import { cohorts, retention } from "./retention.js";
import { defaultPeriod, type MetricsScope, previousPeriod } from "./scope.js";
import { receiptShare, rfm, tierDistribution } from "./segments.js";
import { monthlySeries } from "./series.js";
import { lifetimeValue, loyaltyCost } from "./value.js";
import { type RefreshOptions, refreshRollups, type RollupStatus } from "./rollup.js";
import type { Rollups } from "./scope.js";

/**
 * The rollups as the read path sees them: before answering, apply what
 * arrived since the last refresh (a few rows: the metrics.rollup job keeps up),
 * one refresh shared by the queries of a page; until the job has caught up
 * the past, every metric reads the raw rows.
 */
function rollupReader(ctx: ServiceContext): Rollups {
  let running: Promise<RollupStatus> | null = null;
  const refresh = () =>
    (running ??= refreshRollups(ctx.db, ctx.program, ctx.now, { catchUp: false }).finally(() => {
      running = null;
    }));
  return {
    ready: () => refresh().then((r) => r.caughtUp),
    dimensions: () => refresh().then((r) => r.caughtUp && r.dimensions),
    storeCategories: () => refresh().then((r) => r.caughtUp && r.storeCategories),
    categoryScopes: () => refresh().then((r) => r.caughtUp && r.categoryScopes),
    tierScopes: () => refresh().then((r) => r.caughtUp && r.tierScopes),
    receiptScopes: () => refresh().then((r) => r.caughtUp && r.receiptScopes),
    cohortLedger: () => refresh().then((r) => r.caughtUp && r.cohortLedger),
    tierRegions: () => refresh().then((r) => r.caughtUp && r.tierRegions),
  };
}

export { defaultPeriod, type MetricsScope } from "./scope.js";

/**
 * The program's metrics: each one set-based statement over a scope (period,
 * store or region, tier, cohort), with the definitions in domain/metrics.
 */
export function createMetricsService(ctx: ServiceContext, opts: { rollups?: boolean } = {}) {
  const ru = opts.rollups === false ? undefined : rollupReader(ctx);
  async function ltv(s: MetricsScope) {
    const [realized, act, ret] = await Promise.all([
      lifetimeValue(ctx, s, ru),
      activity(ctx, s, ru),
      retention(ctx, s, ru),
    ]);
    const perActive = act.activeMembers ? Math.round(act.revenueKopecks / act.activeMembers) : null;
    return {
      ...realized,
      revenuePerActiveKopecks: perActive,
      churn: ret.churn,
      projectedKopecks: projectedLtv(perActive, ret.churn),
    };
  }

  /** The overview page: headline figures now and in the previous period of the same length, and monthly series. */
  async function overview(s: MetricsScope) {
    const prev = previousPeriod(s);
    const [a, pa, n, pn, r, pr, p, pp, series] = await Promise.all([
      activity(ctx, s, ru),
      activity(ctx, prev, ru),
      npsReport(ctx, s, ru),
      npsReport(ctx, prev, ru),
      retention(ctx, s, ru),
      retention(ctx, prev, ru),
      pointsFlow(ctx, s, ru),
      pointsFlow(ctx, prev, ru),
      monthlySeries(ctx, s, ru),
    ]);
    const kpi = (now: number | null, before: number | null) => ({
      value: now,
      previous: before,
      change: change(now, before),
    });
    return {
      members: kpi(a.members, pa.members),
      activeMembers: kpi(a.activeMembers, pa.activeMembers),
      newMembers: kpi(a.newMembers, pa.newMembers),
      nps: kpi(n.overall.nps, pn.overall.nps),
      repurchaseRate: kpi(a.repurchaseRate, pa.repurchaseRate),
      retention: kpi(r.retention, pr.retention),
      outstandingPoints: kpi(p.outstandingPoints, pp.outstandingPoints),
      liabilityKopecks: kpi(p.liabilityKopecks, pp.liabilityKopecks),
      averageBasketKopecks: kpi(a.averageBasketKopecks, pa.averageBasketKopecks),
      series,
    };
  }

  return {
    /** The period asked for, with the default (six months up to the end of this one) for what is missing. */
    period(from?: Date, to?: Date) {
      const d = defaultPeriod(ctx.now());
      return { from: from ?? d.from, to: to ?? d.to };
    },
    activity: (s: MetricsScope) => activity(ctx, s, ru),
    repurchaseByCategory: (s: MetricsScope) => repurchaseByCategory(ctx, s, ru),
    nps: (s: MetricsScope) => npsReport(ctx, s, ru),
    retention: (s: MetricsScope) => retention(ctx, s, ru),
    cohorts: (s: MetricsScope) => cohorts(ctx, s, ru),
    points: (s: MetricsScope) => pointsFlow(ctx, s, ru),
    ltv,
    loyaltyCost: (s: MetricsScope) => loyaltyCost(ctx, s, ru),
    rfm: (s: MetricsScope) => rfm(ctx, s, ru),
    tiers: (s: MetricsScope) => tierDistribution(ctx, s, ru),
    receiptShare: (s: MetricsScope) => receiptShare(ctx, s, ru),
    series: (s: MetricsScope) => monthlySeries(ctx, s, ru),
    salesByStore: (s: MetricsScope) => salesByStore(ctx, s, ru),
    tierCodes: () => ctx.program.tiers.map((t) => t.code),
    tierNames: () => new Map(ctx.program.tiers.map((t) => [t.code, t.name])),
    /** Stores and regions for the filters. */
    stores: () =>
      ctx.db.prisma.store.findMany({ select: { id: true, name: true, region: true }, orderBy: { id: "asc" } }),
    overview,
    /** Brings the rollups up to date, catching up the past when asked (the metrics.rollup job). */
    refreshRollups: (o: RefreshOptions) => refreshRollups(ctx.db, ctx.program, ctx.now, o),
  };
}
export type MetricsService = ReturnType<typeof createMetricsService>;
