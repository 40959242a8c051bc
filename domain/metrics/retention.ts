import { percent } from "./ratio.js";

/**
 * Repurchase, retention and churn (article 001), and share of requirements.
 */

/** A member counts as an active customer at an instant if they bought within this many days before it. */
export const ACTIVE_WINDOW_DAYS = 90;

/**
 * Repurchase rate: customers with more than one order in the period over all
 * customers with an order in it. Orders count, not line items.
 * 500 customers in the quarter, 50 of them ordered again → 10 %.
 */
export function repurchaseRate(c: { customers: number; repeatCustomers: number }): number | null {
  return percent(c.repeatCustomers, c.customers);
}

export interface RetentionCounts {
  /** Active customers at the start of the period. */
  start: number;
  /** Active customers at its end. */
  end: number;
  /** Customers active at the end who were not at the start: won during the period. */
  new: number;
}

/**
 * Retention = (active at the end − new) / active at the start.
 * 50 at the start, 10 new, 15 lost → 45 at the end → (45 − 10) / 50 = 70 %.
 */
export function retentionRate(c: RetentionCounts): number | null {
  return percent(c.end - c.new, c.start);
}

/** Customers lost in the period: active at the start and not at the end. */
export function lostCustomers(c: RetentionCounts): number {
  return c.start - (c.end - c.new);
}

/** Churn = lost / active at the start (15 of 50 → 30 %): the complement of retention. */
export function churnRate(c: RetentionCounts): number | null {
  return percent(lostCustomers(c), c.start);
}

/** From this share of a customer's purchases made with us they count as loyal (article 001). */
export const LOYAL_SHARE_PERCENT = 67;

/** Share of requirements: purchases with us among all the customer's purchases of the kind (7 of 10 → 70 %). */
export function shareOfRequirements(ours: number, total: number): number | null {
  return percent(ours, total);
}

export function isLoyal(sharePercent: number | null): boolean {
  return sharePercent !== null && sharePercent >= LOYAL_SHARE_PERCENT;
}

/** Share of all receipts a store reported that carried a member's card. */
export function memberReceiptShare(c: { memberReceipts: number; allReceipts: number }): number | null {
  return percent(Math.min(c.memberReceipts, c.allReceipts), c.allReceipts);
}
