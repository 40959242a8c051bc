/**
 * Reviews of a visit: a rating 1–5 of one receipt by the member who bought
 * it, with an optional comment or photo. Every rating earns the same (only
 * rewarding good reviews corrupts them), once a moderator approves it, within
 * a weekly cap; a low rating is the store's chance to fix the visit.
 */
export const REVIEW_RATINGS = [1, 2, 3, 4, 5] as const;

export function validRating(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 5;
}

/** 1–2 stars alert the store's staff at once. */
export function isLowRating(n: number): boolean {
  return n <= 2;
}

const DAY_MS = 86_400_000;

/** Whether a purchase made at `purchasedAt` may still be reviewed. */
export function reviewOpen(purchasedAt: Date, now: Date, withinDays: number): boolean {
  return now.getTime() - purchasedAt.getTime() <= withinDays * DAY_MS;
}

/** The reward an approved review earns: the configured points while under the weekly cap, else none. */
export function reviewReward(rewardedThisWeek: number, rules: { points: number; weeklyCap: number }): number {
  return rewardedThisWeek < rules.weeklyCap ? rules.points : 0;
}

/** "★★★★☆" */
export function stars(rating: number): string {
  return "★".repeat(rating) + "☆".repeat(5 - rating);
}
