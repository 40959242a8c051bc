import { perUnit } from "./ratio.js";

/**
 * Money-side metrics, in integer kopecks: basket, frequency, LTV and the
 * loyalty cost within the margin.
 */

/** Average receipt (net of returns) in kopecks. */
export function averageBasket(revenueKopecks: number, purchases: number): number | null {
  return perUnit(revenueKopecks, purchases);
}

/** Purchases per active customer in the period, two decimals. */
export function visitFrequency(purchases: number, activeCustomers: number): number | null {
  if (activeCustomers === 0) return null;
  return Math.round((purchases * 100) / activeCustomers) / 100;
}

/** Realized LTV: net revenue over the members' lifetime so far, per member. */
export function realizedLtv(lifetimeRevenueKopecks: number, members: number): number | null {
  return perUnit(lifetimeRevenueKopecks, members);
}

/** A projection never counts more than this many periods ahead (churn near zero would mean forever). */
export const LTV_MAX_PERIODS = 20;

/**
 * Simple LTV projection: revenue per active customer per period × the
 * expected number of periods a customer stays (1 / churn per period), capped
 * at LTV_MAX_PERIODS. Churn in percent.
 */
export function projectedLtv(revenuePerActiveKopecks: number | null, churnPercent: number | null): number | null {
  if (revenuePerActiveKopecks === null || churnPercent === null) return null;
  const periods = churnPercent <= 100 / LTV_MAX_PERIODS ? LTV_MAX_PERIODS : 100 / churnPercent;
  return Math.round(revenuePerActiveKopecks * periods);
}

/**
 * Loyalty cost as a share of margin, in percent. The article: price 10,000,
 * cost 4,000, acquisition 2,000 → margin 4,000; loyalty of 1,000 is 25 % of it.
 */
export function loyaltyCostShare(costKopecks: number, marginKopecks: number): number | null {
  if (marginKopecks <= 0) return null;
  return Math.round((costKopecks * 1000) / marginKopecks) / 10;
}
