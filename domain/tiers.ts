import { addDays, subDays } from "date-fns";
import type { Tier } from "./program.js";

/**
 * Tiers by spend over a rolling window.
 *
 * Boundary rule: a purchase earns at the tier given by the spend *before* it.
 * The purchase that crosses a threshold still earns at the old tier; the next
 * purchase earns at the new one. Spend is the receipts' totals minus returns,
 * over the `windowDays` up to the purchase (exclusive of the purchase itself).
 */
export function tierForSpend(tiers: readonly Tier[], spendKopecks: number): Tier {
  let current = tiers[0];
  if (!current) throw new Error("a program has at least one tier");
  for (const t of tiers) if (spendKopecks >= t.thresholdKopecks) current = t;
  return current;
}

export function windowStart(at: Date, windowDays: number): Date {
  return subDays(at, windowDays);
}

export interface SpendRecord {
  at: Date;
  /** Net amount (receipt minus returns) in kopecks. */
  amountKopecks: number;
}

export interface TierProgress {
  tier: Tier;
  spendKopecks: number;
  next: Tier | null;
  /** Kopecks still to spend to reach `next`. */
  remainingKopecks: number;
  /**
   * When the current spend starts to shrink (the oldest purchase in the window
   * drops out): spending `remainingKopecks` before then reaches `next`.
   * Null when nothing is in the window.
   */
  deadline: Date | null;
}

export function tierProgress(
  tiers: readonly Tier[],
  history: readonly SpendRecord[],
  now: Date,
  windowDays: number,
): TierProgress {
  const from = windowStart(now, windowDays);
  const inWindow = history.filter((h) => h.at > from && h.at <= now);
  const spend = inWindow.reduce((s, h) => s + h.amountKopecks, 0);
  const oldest = inWindow.reduce<Date | null>((m, h) => (m === null || h.at < m ? h.at : m), null);
  return tierProgressOfWindow(tiers, { spendKopecks: spend, oldest }, windowDays);
}

/**
 * The same from the window's totals (net spend, the oldest purchase in it),
 * for a reader that sums in the database: a heavy member has thousands of
 * purchases in the window, and shipping each to be summed here cost most of
 * their card (issue 14).
 */
export function tierProgressOfWindow(
  tiers: readonly Tier[],
  window: { spendKopecks: number; oldest: Date | null },
  windowDays: number,
): TierProgress {
  const spend = window.spendKopecks;
  const oldest = window.oldest;
  const tier = tierForSpend(tiers, spend);
  const next = tiers.find((t) => t.thresholdKopecks > spend) ?? null;
  return {
    tier,
    spendKopecks: spend,
    next,
    remainingKopecks: next ? next.thresholdKopecks - spend : 0,
    deadline: oldest ? addDays(oldest, windowDays) : null,
  };
}
