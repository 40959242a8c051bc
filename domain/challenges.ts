import { z } from "zod";
import { dayNumber, isoLocalDate, type LocalDate, localDate } from "./birthdays.js";

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
  /** The local date as YYYY-MM-DD, to compare with a challenge's dates. */
  iso: string;
}

/**
 * The purchases with their local dates, sorted, computed once per list:
 * reading an instant in a zone is the costly step, and every open challenge
 * asks for the same list. Likewise the purchases a challenge counts, once
 * per list for challenges that count the same ones (same dates, pilot and
 * round start) — most of a program's. Caches keyed by the list object, so
 * they change no result.
 */
interface Prepared {
  sorted: Counted[];
  counted: Map<string, Counted[]>;
}
const prepared = new WeakMap<readonly ChallengePurchase[], Prepared>();
function prepare(purchases: readonly ChallengePurchase[]): Prepared {
  let v = prepared.get(purchases);
  if (!v) {
    const sorted = purchases
      .map((p) => {
        const local = localDate(p.at, p.timeZone);
        return { ...p, local, day: dayNumber(local), iso: isoLocalDate(local) };
      })
      .sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
    v = { sorted, counted: new Map() };
    prepared.set(purchases, v);
  }
  return v;
}

function countedBy(c: Challenge, purchases: readonly ChallengePurchase[], after?: { at: Date; id: number }) {
  const v = prepare(purchases);
  const from = after?.at.getTime();
  const key = JSON.stringify([c.startsOn, c.endsOn, c.scope, from, after?.id]);
  let counted = v.counted.get(key);
  if (!counted) {
    counted = v.sorted.filter(
      (p) =>
        p.netKopecks > 0 &&
        challengeOpen(c, p.iso) &&
        inChallengeScope(c, p) &&
        (from === undefined || p.at.getTime() > from || (p.at.getTime() === from && p.id > (after?.id ?? 0))),
    );
    v.counted.set(key, counted);
  }
  return counted;
}

/** Monday-based week number of a day number (1970-01-05 was a Monday). */
const weekOf = (day: number) => Math.floor((day - 4) / 7);

/**
 * Progress of one attempt at a challenge: the purchases after `after` (the
 * purchase that completed the previous round, for a repeating challenge)
 * that count — inside the dates and the pilot scope, not fully returned —
 * measured against the goal as of `now` (in `zone`, the member's own for
 * "this month" and "this week").
 */
export function challengeProgress(
  c: Challenge,
  purchases: readonly ChallengePurchase[],
  now: Date,
  zone: string,
  after?: { at: Date; id: number },
): ChallengeProgress {
  const counted = countedBy(c, purchases, after);
  // Only an unmet goal's progress reads the clock (reading an instant in a zone costs more than the rest).
  const today = () => dayNumber(localDate(now, zone));
  const g = c.goal;
  switch (g.kind) {
    case "visits": {
      const visits = unitsOf(counted, "day", () => firstPerKey(counted, (p) => p.day));
      for (let i = 0; i + g.count <= visits.length; i++) {
        const run = visits.slice(i, i + g.count);
        const [first, last] = [run[0], run[run.length - 1]];
        if (first && last && last.day - first.day < g.withinDays)
          return { done: g.count, target: g.count, completedBy: run.map((p) => p.id) };
      }
      const since = today() - g.withinDays;
      const recent = visits.filter((p) => p.day > since).length;
      return { done: Math.min(recent, g.count - 1), target: g.count, completedBy: null };
    }
    case "category": {
      const wanted = g.category.trim().toLowerCase();
      const visits = unitsOf(counted, `category ${wanted}`, () =>
        firstPerKey(
          counted.filter((p) => p.categories.some((cat) => cat.trim().toLowerCase() === wanted)),
          (p) => p.day,
        ),
      );
      const byMonth = new Map<string, Counted[]>();
      for (const p of visits) {
        const key = `${p.local.year}-${p.local.month}`;
        byMonth.set(key, [...(byMonth.get(key) ?? []), p]);
      }
      for (const month of byMonth.values())
        if (month.length >= g.count)
          return { done: g.count, target: g.count, completedBy: month.slice(0, g.count).map((p) => p.id) };
      const t = localDate(now, zone);
      return { done: byMonth.get(`${t.year}-${t.month}`)?.length ?? 0, target: g.count, completedBy: null };
    }
    case "streak": {
      const weeks = unitsOf(counted, "week", () => firstPerKey(counted, (p) => weekOf(p.day)));
      let run: Counted[] = [];
      let forgiven = 0;
      for (const p of weeks) {
        const prev = run[run.length - 1];
        const missed = prev ? weekOf(p.day) - weekOf(prev.day) - 1 : 0;
        if (prev && forgiven + missed > g.forgive) {
          run = [];
          forgiven = 0;
        } else forgiven += missed;
        run.push(p);
        if (run.length >= g.weeks) return { done: g.weeks, target: g.weeks, completedBy: run.map((q) => q.id) };
      }
      // The run still counts if the weeks missed since its last purchase (this week excluded) are forgivable.
      const last = run[run.length - 1];
      const alive = last !== undefined && forgiven + Math.max(0, weekOf(today()) - weekOf(last.day) - 1) <= g.forgive;
      return { done: alive ? run.length : 0, target: g.weeks, completedBy: null };
    }
    case "stores": {
      const stores = unitsOf(counted, "store", () => firstPerKey(counted, (p) => p.storeId));
      if (stores.length >= g.count)
        return { done: g.count, target: g.count, completedBy: stores.slice(0, g.count).map((p) => p.id) };
      return { done: stores.length, target: g.count, completedBy: null };
    }
  }
}

/** The first counted purchase per day, week, store…, once per counted list (challenges of a kind share it). */
const units = new WeakMap<readonly Counted[], Map<string, Counted[]>>();
function unitsOf(counted: readonly Counted[], key: string, make: () => Counted[]): Counted[] {
  let byKey = units.get(counted);
  if (!byKey) units.set(counted, (byKey = new Map()));
  let v = byKey.get(key);
  if (!v) byKey.set(key, (v = make()));
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
