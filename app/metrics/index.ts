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

export { defaultPeriod, type MetricsScope } from "./scope.js";

/**
 * The program's metrics: each one set-based statement over a scope (period,
 * store or region, tier, cohort), with the definitions in domain/metrics.
 */
export function createMetricsService(ctx: ServiceContext) {
  async function ltv(s: MetricsScope) {
    const [realized, act, ret] = await Promise.all([lifetimeValue(ctx, s), activity(ctx, s), retention(ctx, s)]);
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
      activity(ctx, s),
      activity(ctx, prev),
      npsReport(ctx, s),
      npsReport(ctx, prev),
      retention(ctx, s),
      retention(ctx, prev),
      pointsFlow(ctx, s),
      pointsFlow(ctx, prev),
      monthlySeries(ctx, s),
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
    activity: (s: MetricsScope) => activity(ctx, s),
    repurchaseByCategory: (s: MetricsScope) => repurchaseByCategory(ctx, s),
    nps: (s: MetricsScope) => npsReport(ctx, s),
    retention: (s: MetricsScope) => retention(ctx, s),
    cohorts: (s: MetricsScope) => cohorts(ctx, s),
    points: (s: MetricsScope) => pointsFlow(ctx, s),
    ltv,
    loyaltyCost: (s: MetricsScope) => loyaltyCost(ctx, s),
    rfm: (s: MetricsScope) => rfm(ctx, s),
    tiers: (s: MetricsScope) => tierDistribution(ctx, s),
    receiptShare: (s: MetricsScope) => receiptShare(ctx, s),
    series: (s: MetricsScope) => monthlySeries(ctx, s),
    salesByStore: (s: MetricsScope) => salesByStore(ctx, s),
    tierCodes: () => ctx.program.tiers.map((t) => t.code),
    tierNames: () => new Map(ctx.program.tiers.map((t) => [t.code, t.name])),
    /** Stores and regions for the filters. */
    stores: () =>
      ctx.db.prisma.store.findMany({ select: { id: true, name: true, region: true }, orderBy: { id: "asc" } }),
    overview,
  };
}
export type MetricsService = ReturnType<typeof createMetricsService>;
