import { z } from "zod";
import { dayNumber, type LocalDate, localDate } from "./birthdays.js";

/**
 * Challenges (article 001: points for taking part in promotions): goals a
 * shopper reaches by shopping — "3 visits in 14 days", "coffee 4 times this
 * month", "a purchase every week for 4 weeks", "a purchase in a second
 * store" — each rewarded with points and/or a badge.
 *
 * Progress is never stored: it is computed from the member's purchases each
 * time, so a returned purchase simply stops counting (a return undoes
 * progress before the reward). Only a completion is stored, with the
 * purchases that made it; a return of one of those after the reward takes
 * back that purchase's share of the points, proportionally, like an accrual.
 *
 * Days, weeks and months are calendar ones in the zone of the store where
 * each purchase happened (where the shopper was), so a DST change or a trip
 * to another zone never moves a purchase into the wrong week. A visit is a
 * day with a purchase: three receipts in one trip are one visit.
 */

const code = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, "lowercase letters, digits, - and _, at most 32");
const text = z.string().trim().min(1).max(80);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD");
const count = z.number().int().min(1).max(100);

export const challengeGoalSchema = z.discriminatedUnion("kind", [
  /** At least `count` visits within any `withinDays` consecutive days. */
  z.object({ kind: z.literal("visits"), count, withinDays: z.number().int().min(1).max(366) }),
  /** At least `count` visits with an item of `category` in one calendar month. */
  z.object({ kind: z.literal("category"), category: z.string().trim().min(1).max(64), count }),
  /** A purchase in each of `weeks` weeks (Monday to Sunday), up to `forgive` missed weeks in between. */
  z.object({
    kind: z.literal("streak"),
    weeks: z.number().int().min(2).max(52),
    forgive: z.number().int().min(0).max(4).default(1),
  }),
  /** Purchases in `count` different stores ("first purchase in a second store": 2). */
  z.object({ kind: z.literal("stores"), count: z.number().int().min(2).max(50).default(2) }),
]);
export type ChallengeGoal = z.infer<typeof challengeGoalSchema>;

export const badgeSchema = z.object({
  code,
  emoji: z.string().min(1).max(16),
  name: z.object({ ru: text, en: text }),
});
export type Badge = z.infer<typeof badgeSchema>;

export const challengeSchema = z
  .object({
    code,
    title: z.object({ ru: text, en: text }),
    goal: challengeGoalSchema,
    reward: z
      .object({ points: z.number().int().min(0).max(100_000).default(0), badge: badgeSchema.optional() })
      .refine((r) => r.points > 0 || r.badge, "a reward needs points, a badge or both"),
    /** First and last day that purchases count (the shopper's calendar); no end when endsOn is absent. */
    startsOn: isoDate,
    endsOn: isoDate.optional(),
    /** A pilot: only purchases in these stores or regions count, and only their shoppers see it. */
    scope: z
      .object({
        stores: z.array(z.number().int().positive()).max(1000).optional(),
        regions: z.array(text).max(100).optional(),
      })
      .optional(),
    /** Again after completion (counting purchases after the one that completed it), or once. */
    repeat: z.boolean().default(false),
  })
  .refine((c) => !c.endsOn || c.startsOn <= c.endsOn, {
    message: "endsOn is before startsOn",
    path: ["endsOn"],
  });
export type Challenge = z.infer<typeof challengeSchema>;

export const challengesSchema = z
  .array(challengeSchema)
  .max(200)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((c, i) => {
      if (seen.has(c.code)) ctx.addIssue({ code: "custom", path: [i, "code"], message: "duplicate challenge code" });
      seen.add(c.code);
    });
  });

/** One of the member's purchases as challenges see it. */
export interface ChallengePurchase {
  id: number;
  at: Date;
  storeId: number;
  region: string;
  /** The store's zone: the purchase's day, week and month are read in it. */
  timeZone: string;
  /** What is left of the receipt after returns; a fully returned purchase counts for nothing. */
  netKopecks: number;
  /** Categories of its items, as the POS sent them. */
  categories: readonly string[];
}

export interface ChallengeProgress {
  /** How far the current attempt is, in the goal's unit (visits, weeks, stores). */
  done: number;
  target: number;
  /** The purchases that complete the goal, in order (one per visit, week or store), or null. */
  completedBy: number[] | null;
}

/** Whether the challenge is open on `today` (a local date as YYYY-MM-DD). */
export function challengeOpen(c: Challenge, today: string): boolean {
  return c.startsOn <= today && (!c.endsOn || today <= c.endsOn);
}

/** Whether a purchase in this store counts (the pilot scope). */
export function inChallengeScope(c: Challenge, store: { storeId: number; region: string }): boolean {
  if (!c.scope || (!c.scope.stores?.length && !c.scope.regions?.length)) return true;
  const region = store.region.trim().toLowerCase();
  return (
    (c.scope.stores ?? []).includes(store.storeId) || (c.scope.regions ?? []).some((r) => r.toLowerCase() === region)
  );
}

/** What a purchase's reaction knows of it without reading the database (its event). */
export interface PurchaseSeen {
  storeId: number;
  at: Date;
  /** Its items' categories; absent when not known (then it may hold any). */
  categories?: readonly string[] | undefined;
}

const DAY_MS = 86_400_000;

/**
 * The challenges a purchase may count for: open on its day (in any zone —
 * its store's zone is not known here, so the UTC date a day either side),
 * in the pilot (a region pilot may hold any store), and for a category goal,
 * with that category among its items when they are known.
 *
 * Progress comes only from the purchases a challenge counts, so a purchase
 * moves no other: whatever it did not count for was already met or not
 * before it, and the reaction to the purchase that met it completed it. (A
 * challenge added with a start in the past, whose goal a shopper's history
 * already meets, completes at their next purchase that counts for it — for
 * a category goal, one whose month meets it.)
 */
export function challengesMovedBy(challenges: readonly Challenge[], p: PurchaseSeen): Challenge[] {
  const days = [-DAY_MS, 0, DAY_MS].map((d) => new Date(p.at.getTime() + d).toISOString().slice(0, 10));
  const categories = p.categories?.map((c) => c.trim().toLowerCase());
  return challenges.filter((c) => {
    if (!days.some((d) => challengeOpen(c, d))) return false;
    const pilot = c.scope && (c.scope.stores?.length || c.scope.regions?.length);
    if (pilot && !c.scope?.regions?.length && !c.scope?.stores?.includes(p.storeId)) return false;
    if (c.goal.kind === "category" && categories) {
      const wanted = c.goal.category.trim().toLowerCase();
      return categories.includes(wanted);
    }
    return true;
  });
}

/**
 * From when a purchase's categories can matter to the category goals it may
 * complete: a category goal is met within one calendar month, so only the
 * purchases of the purchase's own month count with it — the earliest
 * instant that month can start in any zone (a day before the 1st, UTC, of
 * the month of the day before the purchase).
 */
export function categoryMonthStart(at: Date): Date {
  const d = new Date(at.getTime() - DAY_MS);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - DAY_MS);
}

interface Counted extends ChallengePurchase {
  local: LocalDate;
  day: number;
  /** Monday-based week number of its local day. */
  week: number;
  /** Its local month, year * 12 + month. */
  month: number;
  /** Its categories trimmed and lowercased, as goals compare them. */
  cats: readonly string[];
}

/** The purchases a challenge counts, and what goals measure in them (days, weeks, stores…), computed once. */
interface CountedList {
  list: Counted[];
  units: Map<string, unknown>;
}

/**
 * The purchases with their local dates, sorted, computed once per list:
 * reading an instant in a zone is the costly step, and every open challenge
 * asks for the same list. Likewise the purchases a challenge counts, once
 * per list for challenges that count the same ones (same dates, pilot and
 * round start) — most of a program's — and what a goal measures in them
 * (days, weeks, stores, a category's days by month), once per counted list
 * for every challenge of that kind: a purchase weighs all the open ones.
 * Kept for the last list asked about (the same array object; callers weigh
 * every challenge on one list in turn), so they change no result. Not a
 * WeakMap keyed by each list: its garbage collection cost more than the rules.
 */
interface Prepared {
  sorted: Counted[];
  /** By countKey, or with the round's start for a later round. */
  counted: Map<number | string, CountedList>;
}
const NO_CATEGORIES: readonly string[] = [];
let prepared: { purchases: readonly ChallengePurchase[]; v: Prepared } | null = null;
function prepare(purchases: readonly ChallengePurchase[]): Prepared {
  let v = prepared?.purchases === purchases ? prepared.v : undefined;
  if (!v) {
    const sorted = purchases
      .map((p): Counted => {
        const local = localDate(p.at, p.timeZone);
        const day = dayNumber(local);
        // Named, not spread: a spread copy of this many fields was a slow object, and the most costly step here.
        return {
          id: p.id,
          at: p.at,
          storeId: p.storeId,
          region: p.region,
          timeZone: p.timeZone,
          netKopecks: p.netKopecks,
          categories: p.categories,
          local,
          day,
          week: weekOf(day),
          month: local.year * 12 + local.month,
          cats: p.categories.length ? p.categories.map((c) => c.trim().toLowerCase()) : NO_CATEGORIES,
        };
      })
      .sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
    v = { sorted, counted: new Map() };
    prepared = { purchases, v };
  }
  return v;
}

/**
 * What decides which purchases a challenge counts, apart from the round (its
 * dates and pilot), as a small number: challenges with the same share it.
 * With it, the challenge's first and last days as day numbers.
 */
interface CountKey {
  key: number;
  firstDay: number;
  lastDay: number;
}
const countKeys = new WeakMap<Challenge, CountKey>();
const countKeyNumbers = new Map<string, number>();
let nextCountKey = 0;
const isoDay = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
function countKey(c: Challenge): CountKey {
  let k = countKeys.get(c);
  if (k === undefined) {
    const text = JSON.stringify([c.startsOn, c.endsOn, c.scope]);
    let key = countKeyNumbers.get(text);
    if (key === undefined) {
      // Never a number again once given (a forgotten text gets a new one): equal numbers always mean equal texts.
      if (countKeyNumbers.size >= 10_000) countKeyNumbers.clear();
      countKeyNumbers.set(text, (key = nextCountKey++));
    }
    k = { key, firstDay: isoDay(c.startsOn), lastDay: c.endsOn ? isoDay(c.endsOn) : Infinity };
    countKeys.set(c, k);
  }
  return k;
}

function countedBy(c: Challenge, purchases: readonly ChallengePurchase[], after?: { at: Date; id: number }) {
  const v = prepare(purchases);
  const from = after?.at.getTime();
  const k = countKey(c);
  const key = after ? `${k.key} ${from} ${after.id}` : k.key;
  let counted = v.counted.get(key);
  if (!counted) {
    counted = {
      // Inside the dates (challengeOpen, on day numbers), in the pilot, not returned in full, after the round's start.
      list: v.sorted.filter(
        (p) =>
          p.netKopecks > 0 &&
          p.day >= k.firstDay &&
          p.day <= k.lastDay &&
          inChallengeScope(c, p) &&
          (from === undefined || p.at.getTime() > from || (p.at.getTime() === from && p.id > (after?.id ?? 0))),
      ),
      units: new Map(),
    };
    v.counted.set(key, counted);
  }
  return counted;
}

/** Monday-based week number of a day number (1970-01-05 was a Monday). */
const weekOf = (day: number) => Math.floor((day - 4) / 7);

/** The first counted purchase per day, per week, per store. */
function visitsOf(counted: CountedList) {
  return unitsOf(counted, "day", () => firstPerKey(counted.list, (p) => p.day));
}
function weeksOf(counted: CountedList) {
  return unitsOf(counted, "week", () => firstPerKey(counted.list, (p) => p.week));
}
function storesOf(counted: CountedList) {
  return unitsOf(counted, "store", () => firstPerKey(counted.list, (p) => p.storeId));
}
/** The first counted purchase per day with an item of `wanted`, grouped by local month in order. */
function categoryMonthsOf(counted: CountedList, wanted: string): Map<number, Counted[]> {
  return unitsOf(counted, `category ${wanted}`, () => {
    const byMonth = new Map<number, Counted[]>();
    for (const p of firstPerKey(
      counted.list.filter((q) => q.cats.includes(wanted)),
      (q) => q.day,
    )) {
      const month = byMonth.get(p.month);
      if (month) month.push(p);
      else byMonth.set(p.month, [p]);
    }
    return byMonth;
  });
}

/**
 * Whether one attempt at a challenge is met: the purchases that complete
 * its goal, in order (one per visit, week or store), among those after
 * `after` (the purchase that completed the previous round, for a repeating
 * challenge) that count — inside the dates and the pilot scope, not fully
 * returned — or null. It needs no clock: a goal is met by purchases alone.
 */
export function challengeMet(
  c: Challenge,
  purchases: readonly ChallengePurchase[],
  after?: { at: Date; id: number },
): number[] | null {
  const counted = countedBy(c, purchases, after);
  const g = c.goal;
  switch (g.kind) {
    case "visits": {
      const visits = visitsOf(counted);
      for (let i = 0; i + g.count <= visits.length; i++) {
        const [first, last] = [visits[i], visits[i + g.count - 1]];
        if (first && last && last.day - first.day < g.withinDays) return visits.slice(i, i + g.count).map((p) => p.id);
      }
      return null;
    }
    case "category": {
      for (const month of categoryMonthsOf(counted, g.category.trim().toLowerCase()).values())
        if (month.length >= g.count) return month.slice(0, g.count).map((p) => p.id);
      return null;
    }
    case "streak": {
      const weeks = weeksOf(counted);
      // The run is the weeks from `start` to the current one; the weeks missed inside it add up to `forgiven`.
      let start = 0;
      let forgiven = 0;
      for (let i = 0; i < weeks.length; i++) {
        const [p, prev] = [weeks[i], weeks[i - 1]];
        if (!p) break;
        const missed = prev && i > start ? p.week - prev.week - 1 : 0;
        if (missed > 0 && forgiven + missed > g.forgive) {
          start = i;
          forgiven = 0;
        } else forgiven += missed;
        if (i - start + 1 >= g.weeks) return weeks.slice(start, i + 1).map((q) => q.id);
      }
      return null;
    }
    case "stores": {
      const stores = storesOf(counted);
      return stores.length >= g.count ? stores.slice(0, g.count).map((p) => p.id) : null;
    }
  }
}

/**
 * Progress of one attempt at a challenge (see challengeMet for what
 * counts): met, or how far it is as of `now` (in `zone`, the member's own
 * for "this month" and "this week").
 */
export function challengeProgress(
  c: Challenge,
  purchases: readonly ChallengePurchase[],
  now: Date,
  zone: string,
  after?: { at: Date; id: number },
): ChallengeProgress {
  const g = c.goal;
  const target = g.kind === "streak" ? g.weeks : g.count;
  const completedBy = challengeMet(c, purchases, after);
  if (completedBy) return { done: target, target, completedBy };
  const counted = countedBy(c, purchases, after);
  const today = localDate(now, zone);
  switch (g.kind) {
    case "visits": {
      const since = dayNumber(today) - g.withinDays;
      const recent = visitsOf(counted).filter((p) => p.day > since).length;
      return { done: Math.min(recent, g.count - 1), target, completedBy: null };
    }
    case "category": {
      const month = categoryMonthsOf(counted, g.category.trim().toLowerCase()).get(today.year * 12 + today.month);
      return { done: month?.length ?? 0, target, completedBy: null };
    }
    case "streak": {
      // The run still counts if the weeks missed since its last purchase (this week excluded) are forgivable.
      const weeks = weeksOf(counted);
      let start = 0;
      let forgiven = 0;
      for (let i = 1; i < weeks.length; i++) {
        const missed = (weeks[i]?.week ?? 0) - (weeks[i - 1]?.week ?? 0) - 1;
        if (i > start && forgiven + missed > g.forgive) {
          start = i;
          forgiven = 0;
        } else if (i > start) forgiven += missed;
      }
      const last = weeks[weeks.length - 1];
      const alive = last !== undefined && forgiven + Math.max(0, weekOf(dayNumber(today)) - last.week - 1) <= g.forgive;
      return { done: alive ? weeks.length - start : 0, target, completedBy: null };
    }
    case "stores":
      return { done: storesOf(counted).length, target, completedBy: null };
  }
}

/** What a goal measures in a counted list, once per list (challenges of a kind share it). */
function unitsOf<T>(counted: CountedList, key: string, make: () => T): T {
  let v = counted.units.get(key) as T | undefined;
  if (v === undefined) counted.units.set(key, (v = make()));
  return v;
}

function firstPerKey<T>(items: readonly T[], key: (t: T) => number): T[] {
  const seen = new Set<number>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Each completing purchase's share of a reward: the points split evenly, the
 * remainder to the first ones, so the shares add up to the reward exactly.
 */
export function rewardShares(points: number, purchases: number): number[] {
  const base = Math.floor(points / purchases);
  const extra = points % purchases;
  return Array.from({ length: purchases }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * How much of a completing purchase's share of a challenge reward is to be
 * taken back once `returnedKopecks` of it (in all) has been returned: the
 * share times the returned part of the receipt, rounded down (for the
 * shopper), like an accrual's reversal. A function of the total returned, so
 * partial returns add up exactly to a full one, and the caller takes only
 * the difference from what was taken before: a reaction run twice or out of
 * order takes nothing twice.
 */
export function challengeReversalTarget(share: number, amountKopecks: number, returnedKopecks: number): number {
  const returned = Math.min(Math.max(returnedKopecks, 0), amountKopecks);
  return Number((BigInt(share) * BigInt(returned)) / BigInt(amountKopecks));
}

/**
 * What of each completing purchase's share counts as taken back from the
 * start: the part of it already returned when the challenge was completed
 * (`challengeReversalTarget` of the returns so far). Only returns after the
 * reward take points back; one before it only moved progress, and the
 * purchase still counted. Later returns then take the difference, so a
 * reaction to a return made before the reward — run late, or again — takes
 * nothing from it.
 */
export function sharesReturnedBefore(
  points: number,
  purchases: readonly { amountKopecks: number; returnedKopecks: number }[],
): number[] {
  const shares = rewardShares(points, purchases.length);
  return purchases.map((p, i) => challengeReversalTarget(shares[i] ?? 0, p.amountKopecks, p.returnedKopecks));
}
