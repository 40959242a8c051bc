import { addMinutes, subDays } from "date-fns";
import { DomainError } from "./errors.js";
import type { Program } from "./program.js";

/**
 * Nothing older is ever a purchase, even imported history: the program did not
 * exist, and years like 0001 or 1970 are what a broken POS clock or a default
 * value send.
 */
export const EARLIEST_PURCHASE = new Date("2000-01-01T00:00:00Z");

/**
 * When a purchase may have happened: within `purchaseTimeWindow` of now
 * (default 7 days back, 5 minutes ahead for clock skew), or — for a caller
 * allowed to import history — any time since EARLIEST_PURCHASE up to the
 * same few minutes ahead.
 */
export function checkPurchaseTime(program: Program, at: Date, now: Date, opts: { importHistory?: boolean } = {}) {
  if (Number.isNaN(at.getTime()))
    throw new DomainError("INPUT.INVALID", "purchase time is not a time", { field: "at" });
  const latest = addMinutes(now, program.purchaseTimeWindow.aheadMinutes);
  if (at > latest)
    throw new DomainError("INPUT.INVALID", "purchase time is in the future", {
      field: "at",
      latest: latest.toISOString(),
    });
  const earliest = opts.importHistory
    ? EARLIEST_PURCHASE
    : new Date(Math.max(subDays(now, program.purchaseTimeWindow.backDays).getTime(), EARLIEST_PURCHASE.getTime()));
  if (at < earliest)
    throw new DomainError(
      "INPUT.INVALID",
      opts.importHistory
        ? `purchase time is before ${EARLIEST_PURCHASE.toISOString()}`
        : `purchase time is more than ${program.purchaseTimeWindow.backDays} days back; importing history needs a key allowed to`,
      { field: "at", earliest: earliest.toISOString() },
    );
}
