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
  "offer",
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

export interface ReplayedLot extends Lot {
  /** The credit's points when it opened. */
  points: number;
}

/**
 * Replays entries (in id order) into every lot they opened, with what each
 * still holds (0 when used up). The reference the lots table
 * (app/services/ledger.ts) is checked against. Debits take from a heap of
 * live lots ordered by expiry, so a replay costs O(n log n), not a sort per
 * debit.
 */
export function replayLots(entries: readonly EntryView[]): ReplayedLot[] {
  const lots: ReplayedLot[] = [];
  const byId = new Map<number, ReplayedLot>();
  const live = new LotHeap();
  for (const e of entries) {
    if (e.points > 0) {
      if (!e.expiresAt) throw new Error(`credit ${e.id} has no expiry date`);
      const lot = { id: e.id, expiresAt: e.expiresAt, remaining: e.points, points: e.points };
      lots.push(lot);
      byId.set(e.id, lot);
      live.push(lot);
      continue;
    }
    let debit = -e.points;
    if (e.lotId !== null) {
      const lot = byId.get(e.lotId);
      if (!lot || lot.remaining < debit) throw new Error(`expiry ${e.id} ends more than lot ${e.lotId} holds`);
      lot.remaining -= debit;
      continue;
    }
    while (debit > 0) {
      const lot = live.peek();
      if (!lot) throw new Error(`debit ${e.id} exceeds the points alive before it`);
      if (lot.remaining === 0) {
        live.pop();
        continue;
      }
      const take = Math.min(lot.remaining, debit);
      lot.remaining -= take;
      debit -= take;
      if (lot.remaining === 0) live.pop();
    }
  }
  return lots;
}

/** Replays entries (in id order) into the lots still holding points, soonest-expiring first. */
export function liveLots(entries: readonly EntryView[]): Lot[] {
  return replayLots(entries)
    .filter((l) => l.remaining > 0)
    .sort(byExpiry)
    .map(({ id, expiresAt, remaining }) => ({ id, expiresAt, remaining }));
}

function byExpiry(a: Lot, b: Lot) {
  return a.expiresAt.getTime() - b.expiresAt.getTime() || a.id - b.id;
}

/** A binary min-heap of lots by (expiresAt, id). */
class LotHeap {
  private readonly items: Lot[] = [];
  peek(): Lot | undefined {
    return this.items[0];
  }
  push(lot: Lot) {
    const a = this.items;
    a.push(lot);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (byExpiry(a[p] as Lot, a[i] as Lot) <= 0) break;
      [a[p], a[i]] = [a[i] as Lot, a[p] as Lot];
      i = p;
    }
  }
  pop() {
    const a = this.items;
    const last = a.pop();
    if (!last || a.length === 0) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && byExpiry(a[l] as Lot, a[m] as Lot) < 0) m = l;
      if (r < a.length && byExpiry(a[r] as Lot, a[m] as Lot) < 0) m = r;
      if (m === i) return;
      [a[m], a[i]] = [a[i] as Lot, a[m] as Lot];
      i = m;
    }
  }
}

/** Lots whose points are due to expire at `now`. */
export function dueLots(lots: readonly Lot[], now: Date): Lot[] {
  return lots.filter((l) => l.expiresAt <= now);
}

/** Points expiring in (now, until], grouped by date, soonest first. */
export function expiringBetween(lots: readonly Lot[], now: Date, until: Date): Lot[] {
  return lots.filter((l) => l.expiresAt > now && l.expiresAt <= until);
}
