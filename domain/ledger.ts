import { addMonths } from "date-fns";

/**
 * The ledger is append-only: a balance is the sum of its entries, and which
 * points are still alive (and when they expire) is derived by replaying them.
 *
 * Every credit opens a *lot* that expires `months` after it was earned. Debits
 * consume the lots that expire first (oldest first); an expiry entry ends the
 * remainder of the one lot it names.
 */
export const LEDGER_KINDS = [
  "accrual",
  "redemption",
  "welcome",
  "review",
  "referral",
  "challenge",
  "birthday",
  "expiry",
  "reversal",
  "adjustment",
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface EntryView {
  id: number;
  points: number;
  expiresAt: Date | null;
  /** For expiry entries: the credit whose remainder they end. */
  lotId: number | null;
}

export interface Lot {
  id: number;
  expiresAt: Date;
  remaining: number;
}

export function expiryFor(earnedAt: Date, months: number): Date {
  return addMonths(earnedAt, months);
}

/** Replays entries (in id order) into the lots still holding points. */
export function liveLots(entries: readonly EntryView[]): Lot[] {
  const lots: Lot[] = [];
  const byId = new Map<number, Lot>();
  for (const e of entries) {
    if (e.points > 0) {
      if (!e.expiresAt) throw new Error(`credit ${e.id} has no expiry date`);
      const lot = { id: e.id, expiresAt: e.expiresAt, remaining: e.points };
      lots.push(lot);
      byId.set(e.id, lot);
      continue;
    }
    let debit = -e.points;
    if (e.lotId !== null) {
      const lot = byId.get(e.lotId);
      if (!lot || lot.remaining < debit) throw new Error(`expiry ${e.id} ends more than lot ${e.lotId} holds`);
      lot.remaining -= debit;
      continue;
    }
    const order = lots.filter((l) => l.remaining > 0).sort(byExpiry);
    for (const lot of order) {
      const take = Math.min(lot.remaining, debit);
      lot.remaining -= take;
      debit -= take;
      if (debit === 0) break;
    }
    if (debit > 0) throw new Error(`debit ${e.id} exceeds the points alive before it`);
  }
  return lots.filter((l) => l.remaining > 0).sort(byExpiry);
}

function byExpiry(a: Lot, b: Lot) {
  return a.expiresAt.getTime() - b.expiresAt.getTime() || a.id - b.id;
}

/** Lots whose points are due to expire at `now`. */
export function dueLots(lots: readonly Lot[], now: Date): Lot[] {
  return lots.filter((l) => l.expiresAt <= now);
}

/** Points expiring in (now, until], grouped by date, soonest first. */
export function expiringBetween(lots: readonly Lot[], now: Date, until: Date): Lot[] {
  return lots.filter((l) => l.expiresAt > now && l.expiresAt <= until);
}
