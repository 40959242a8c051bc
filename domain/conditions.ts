import { z } from "zod";
import { birthdayWithin, type LocalDate } from "./birthdays.js";
import {
  frequencyScore,
  monetaryScore,
  RFM_SEGMENTS,
  RFM_THRESHOLDS,
  recencyScore,
  rfmSegment,
} from "./metrics/rfm.js";

/**
 * Who qualifies: one condition language for offers, segments of broadcasts
 * and triggers, so that "lapsed coffee buyers in Kazan" means the same thing
 * to the marketer who previews an offer, the broadcast that counts its
 * audience, and the purchase that applies it.
 *
 * A condition is data (stored as JSON, validated here), a tree of `and`,
 * `or`, `not` over leaves. It is evaluated two ways that must agree: by
 * `evaluate` below over one member's facts (at purchase, in tests), and by
 * app/conditions/sql.ts compiled to a WHERE over many members (counts,
 * segments, nightly scans). Json-logic and the rule engines of Talon.One and
 * Open Loyalty were the models; a library was not used because none compiles
 * to SQL, and the set-based half is the one that must be fast.
 *
 * Windows count whole days back from "now"; money is integer kopecks; spend
 * is net of returns.
 */

const days = z.number().int().min(1).max(3660);
const count = z.number().int().min(0).max(1_000_000);
const kopecks = z.number().int().min(0).max(100_000_000_00);
const score = z.number().int().min(1).max(3);
const code = z.string().trim().min(1).max(64);

const range = <T extends z.ZodNumber>(n: T) =>
  z
    .object({ min: n.optional(), max: n.optional() })
    .refine((r) => r.min !== undefined || r.max !== undefined, "give min, max or both")
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, "min must not exceed max");

/** What was bought: a category, a SKU, or both (a SKU within a category). */
const product = z
  .object({ category: code.optional(), sku: code.optional() })
  .refine((p) => p.category !== undefined || p.sku !== undefined, "give a category, a sku or both");

export const leafSchema = z.discriminatedUnion("kind", [
  /** The member's current tier is one of these. */
  z.object({ kind: z.literal("tier"), in: z.array(code).min(1).max(20) }),
  /** RFM scores (1–3 each, domain/metrics/rfm.ts) within ranges, or one of the named segments. */
  z.object({
    kind: z.literal("rfm"),
    recency: range(score).optional(),
    frequency: range(score).optional(),
    monetary: range(score).optional(),
    segments: z.array(z.enum(RFM_SEGMENTS)).min(1).optional(),
  }),
  /** Days since the last purchase (a member who never bought has no value: never matches). */
  z.object({ kind: z.literal("daysSinceLastPurchase"), min: count.optional(), max: count.optional() }),
  /** Visits (receipts not wholly returned) in the last `withinDays` days. */
  z.object({ kind: z.literal("visits"), withinDays: days, min: count.optional(), max: count.optional() }),
  /** Net spend in the last `withinDays` days, kopecks. */
  z.object({ kind: z.literal("spend"), withinDays: days, min: kopecks.optional(), max: kopecks.optional() }),
  /** Bought the product at least `times` times (default 1), within the window if given. */
  z.object({
    kind: z.literal("bought"),
    product,
    withinDays: days.optional(),
    times: z.number().int().min(1).max(1000).default(1),
  }),
  /** Never bought the product (within the window if given). */
  z.object({ kind: z.literal("neverBought"), product, withinDays: days.optional() }),
  /** The home store (most receipts; on a tie, the latest) is one of these. */
  z.object({ kind: z.literal("homeStore"), storeIds: z.array(z.number().int().positive()).min(1).max(500) }),
  /** The next birthday is within `days` days of the member's local today (0 = today). */
  z.object({ kind: z.literal("birthdayWithin"), days: z.number().int().min(0).max(60) }),
  /** Enrolled within the last `days` days. */
  z.object({ kind: z.literal("enrolledWithin"), days }),
  /** The member reads the bot in one of these languages. */
  z.object({ kind: z.literal("language"), in: z.array(z.enum(["ru", "en"])).min(1) }),
  /** Points balance within a range. */
  z.object({ kind: z.literal("balance"), min: count.optional(), max: count.optional() }),
]);
export type Leaf = z.infer<typeof leafSchema>;

export type Condition =
  Leaf | { kind: "and"; of: Condition[] } | { kind: "or"; of: Condition[] } | { kind: "not"; of: Condition };

/** Depth and size are bounded: a condition is evaluated on every purchase. */
export const MAX_CONDITION_NODES = 50;

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ kind: z.literal("and"), of: z.array(conditionSchema).min(1).max(20) }),
    z.object({ kind: z.literal("or"), of: z.array(conditionSchema).min(1).max(20) }),
    z.object({ kind: z.literal("not"), of: conditionSchema }),
    leafSchema,
  ]),
) as z.ZodType<Condition>;

/** Parses a stored or posted condition; also refuses trees too big to run on every purchase. */
export const validCondition = conditionSchema.refine((c) => nodes(c) <= MAX_CONDITION_NODES, {
  message: `a condition has at most ${MAX_CONDITION_NODES} parts`,
});

function nodes(c: Condition): number {
  if (c.kind === "and" || c.kind === "or") return 1 + c.of.reduce((s, x) => s + nodes(x), 0);
  if (c.kind === "not") return 1 + nodes(c.of);
  return 1;
}

/** Everyone: the neutral condition (an empty `and`, which the schema itself refuses, is not used). */
export const EVERYONE: Condition = { kind: "balance", min: 0 };

/** One purchase as the rules see it: net of returns, with its lines. */
export interface PurchaseFact {
  at: Date;
  storeId: number;
  /** Receipt total minus returned amount, kopecks. */
  netKopecks: number;
  /** Whether the whole receipt was returned (then it is not a visit). */
  whollyReturned: boolean;
  items: readonly { sku: string; category: string }[];
}

/** What the evaluator knows about one member. */
export interface MemberFacts {
  now: Date;
  /** The member's local date (their zone), for birthdays. */
  today: LocalDate;
  tierCode: string;
  enrolledAt: Date;
  birthday: { month: number; day: number } | null;
  language: "ru" | "en";
  balance: number;
  purchases: readonly PurchaseFact[];
}

const DAY_MS = 86_400_000;

function since(facts: MemberFacts, withinDays: number | undefined): readonly PurchaseFact[] {
  if (withinDays === undefined) return facts.purchases;
  const from = facts.now.getTime() - withinDays * DAY_MS;
  return facts.purchases.filter((p) => p.at.getTime() >= from);
}

function inRange(v: number, r: { min?: number | undefined; max?: number | undefined }): boolean {
  return (r.min === undefined || v >= r.min) && (r.max === undefined || v <= r.max);
}

function matches(
  item: { sku: string; category: string },
  p: { category?: string | undefined; sku?: string | undefined },
) {
  return (p.category === undefined || item.category === p.category) && (p.sku === undefined || item.sku === p.sku);
}

/** Receipts that contain the product (one receipt counts once however many lines). */
function receiptsWith(ps: readonly PurchaseFact[], product: { category?: string; sku?: string }): number {
  return ps.filter((p) => !p.whollyReturned && p.items.some((i) => matches(i, product))).length;
}

/** RFM scores of a member, by the metrics' own thresholds. Null for a member who never bought. */
export function rfmOf(facts: MemberFacts): { r: 1 | 2 | 3; f: 1 | 2 | 3; m: 1 | 2 | 3 } | null {
  const last = lastPurchaseAt(facts);
  if (!last) return null;
  const year = since(facts, RFM_THRESHOLDS.windowDays);
  return {
    r: recencyScore(Math.floor((facts.now.getTime() - last.getTime()) / DAY_MS)),
    f: frequencyScore(year.filter((p) => !p.whollyReturned).length),
    m: monetaryScore(year.reduce((s, p) => s + p.netKopecks, 0)),
  };
}

function lastPurchaseAt(facts: MemberFacts): Date | null {
  let last: Date | null = null;
  for (const p of facts.purchases) if (!p.whollyReturned && (!last || p.at > last)) last = p.at;
  return last;
}

/** The home store: most receipts; on a tie, the one visited last. */
export function homeStoreOf(facts: MemberFacts): number | null {
  const byStore = new Map<number, { n: number; last: number }>();
  for (const p of facts.purchases) {
    if (p.whollyReturned) continue;
    const s = byStore.get(p.storeId) ?? { n: 0, last: 0 };
    byStore.set(p.storeId, { n: s.n + 1, last: Math.max(s.last, p.at.getTime()) });
  }
  let best: [number, { n: number; last: number }] | null = null;
  for (const e of byStore)
    if (!best || e[1].n > best[1].n || (e[1].n === best[1].n && e[1].last > best[1].last)) best = e;
  return best ? best[0] : null;
}

export function evaluateLeaf(leaf: Leaf, facts: MemberFacts): boolean {
  switch (leaf.kind) {
    case "tier":
      return leaf.in.includes(facts.tierCode);
    case "rfm": {
      const s = rfmOf(facts);
      if (!s) return false;
      if (leaf.recency && !inRange(s.r, leaf.recency)) return false;
      if (leaf.frequency && !inRange(s.f, leaf.frequency)) return false;
      if (leaf.monetary && !inRange(s.m, leaf.monetary)) return false;
      if (leaf.segments && !leaf.segments.includes(rfmSegment(s.r, s.f, s.m))) return false;
      return true;
    }
    case "daysSinceLastPurchase": {
      const last = lastPurchaseAt(facts);
      if (!last) return false;
      return inRange(Math.floor((facts.now.getTime() - last.getTime()) / DAY_MS), leaf);
    }
    case "visits":
      return inRange(since(facts, leaf.withinDays).filter((p) => !p.whollyReturned).length, leaf);
    case "spend":
      return inRange(
        since(facts, leaf.withinDays).reduce((s, p) => s + p.netKopecks, 0),
        leaf,
      );
    case "bought":
      return receiptsWith(since(facts, leaf.withinDays), leaf.product) >= leaf.times;
    case "neverBought":
      return receiptsWith(since(facts, leaf.withinDays), leaf.product) === 0;
    case "homeStore": {
      const home = homeStoreOf(facts);
      return home !== null && leaf.storeIds.includes(home);
    }
    case "birthdayWithin":
      return facts.birthday !== null && birthdayWithin(facts.birthday, facts.today, leaf.days);
    case "enrolledWithin":
      return facts.now.getTime() - facts.enrolledAt.getTime() <= leaf.days * DAY_MS;
    case "language":
      return leaf.in.includes(facts.language);
    case "balance":
      return inRange(facts.balance, leaf);
  }
}

/** Whether a member qualifies. Pure: the same facts always give the same answer. */
export function evaluate(condition: Condition, facts: MemberFacts): boolean {
  switch (condition.kind) {
    case "and":
      return condition.of.every((c) => evaluate(c, facts));
    case "or":
      return condition.of.some((c) => evaluate(c, facts));
    case "not":
      return !evaluate(condition.of, facts);
    default:
      return evaluateLeaf(condition, facts);
  }
}

/**
 * The leaves a member satisfied, for telling them why they got an offer
 * ("you buy coffee every month"). Leaves under `not` are left out: "you
 * never bought X" is not a reason a shopper wants to read.
 */
export function reasons(condition: Condition, facts: MemberFacts): Leaf[] {
  switch (condition.kind) {
    case "and":
    case "or":
      return condition.of.flatMap((c) => (evaluate(c, facts) ? reasons(c, facts) : []));
    case "not":
      return [];
    default:
      return evaluateLeaf(condition, facts) ? [condition] : [];
  }
}
