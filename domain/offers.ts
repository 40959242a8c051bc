import { z } from "zod";
import { type Condition, type Leaf, validCondition } from "./conditions.js";
import { applyBp, BP, kopecksToPoints, MAX_AMOUNT_KOPECKS } from "./money.js";

/**
 * Personalized offers: who qualifies is the condition language
 * (domain/conditions.ts), what they get is a reward below, both data
 * validated here and computed by pure functions. The application reads the
 * member's facts and the offers, calls `planOfferRewards` inside the
 * purchase's unit of work, and posts what it answers through the ledger.
 */

const code = z.string().trim().min(1).max(64);
const points = z.number().int().min(1).max(1_000_000);

/** A product as rewards name it: a category, a SKU, or a SKU within a category. */
export const productSchema = z
  .object({ category: code.optional(), sku: code.optional() })
  .strict()
  .refine((p) => p.category !== undefined || p.sku !== undefined, "give a category, a sku or both");
export type Product = z.infer<typeof productSchema>;

export const rewardSchema = z.discriminatedUnion("kind", [
  /** Bonus points for a receipt of at least `minBasketKopecks` (0: any). */
  z
    .object({
      kind: z.literal("bonus"),
      points,
      minBasketKopecks: z.number().int().min(0).max(MAX_AMOUNT_KOPECKS).default(0),
    })
    .strict(),
  /**
   * The tier rate times `factorBp / 10 000` on the lines of a product: ×2 is
   * 20 000. The offer pays the part above the ordinary accrual.
   */
  z
    .object({
      kind: z.literal("multiplier"),
      product: productSchema,
      factorBp: z.number().int().min(10_001).max(100_000),
    })
    .strict(),
  /** Fixed points for a receipt with this SKU in it (once per receipt). */
  z.object({ kind: z.literal("skuPoints"), sku: code, points }).strict(),
  /** A gift the cashier hands over against a code the shopper shows; no points. */
  z
    .object({
      kind: z.literal("gift"),
      giftRu: z.string().trim().min(1).max(200),
      giftEn: z.string().trim().min(1).max(200),
    })
    .strict(),
]);
export type Reward = z.infer<typeof rewardSchema>;
export type RewardInput = z.input<typeof rewardSchema>;

export const OFFER_STATES = ["draft", "active", "paused", "ended"] as const;
export type OfferState = (typeof OFFER_STATES)[number];

/** Which state changes a marketer may make: an ended offer stays ended. */
const MOVES: Record<OfferState, readonly OfferState[]> = {
  draft: ["active", "ended"],
  active: ["paused", "ended"],
  paused: ["active", "ended"],
  ended: [],
};
export function canMove(from: OfferState, to: OfferState): boolean {
  return MOVES[from].includes(to);
}

const text = (max: number) => z.string().trim().min(1).max(max);

/** A marketer's offer as posted (the admin API, the CLI, a trigger). */
export const offerInputSchema = z
  .object({
    title: z.object({ ru: text(120), en: text(120) }).strict(),
    text: z.object({ ru: text(1000), en: text(1000) }).strict(),
    picture: z.string().url().max(500).optional(),
    condition: validCondition,
    reward: rewardSchema,
    startsAt: z.coerce.date(),
    endsAt: z.coerce.date(),
    storeIds: z.array(z.number().int().positive()).max(500).default([]),
    regions: z.array(text(64)).max(100).default([]),
    budgetPoints: z.number().int().min(1).max(2_000_000_000).optional(),
    budgetRedemptions: z.number().int().min(1).max(100_000_000).optional(),
    perMemberLimit: z.number().int().min(1).max(1000).default(1),
    needsActivation: z.boolean().default(true),
  })
  .strict()
  .refine((o) => o.endsAt > o.startsAt, { message: "endsAt must be after startsAt", path: ["endsAt"] });
export type OfferInput = z.infer<typeof offerInputSchema>;

/** A receipt line as rewards read it (the accrual's LineItem; declared here so the program's schema can name rewards). */
export interface RewardLine {
  sku: string;
  category: string;
  amountKopecks: number;
}

/** An offer as the purchase sees it. */
export interface LiveOffer {
  id: number;
  condition: Condition;
  reward: Reward;
}

/** The receipt as rewards see it. */
export interface RewardBasis {
  amountKopecks: number;
  /** Paid with money (not points): the share that earns. */
  paidKopecks: number;
  /** The tier rate of this purchase. */
  rateBp: number;
  pointValueKopecks: number;
  items: readonly RewardLine[];
}

const matches = (i: RewardLine, p: Product) =>
  (p.category === undefined || i.category === p.category) && (p.sku === undefined || i.sku === p.sku);

/**
 * The points one reward gives on one receipt, before the margin guard and the
 * budget. Multipliers earn on the paid share of the lines (points that paid
 * for goods earn nothing, as in the accrual).
 */
export function rewardPoints(reward: Reward, r: RewardBasis): number {
  switch (reward.kind) {
    case "bonus":
      return r.amountKopecks >= reward.minBasketKopecks ? reward.points : 0;
    case "skuPoints":
      return r.items.some((i) => i.sku === reward.sku) ? reward.points : 0;
    case "multiplier": {
      const lines = r.items.filter((i) => matches(i, reward.product)).reduce((s, i) => s + i.amountKopecks, 0);
      if (lines === 0 || r.amountKopecks === 0) return 0;
      // The paid share of those lines; BigInt keeps the product exact.
      const paid = Number((BigInt(lines) * BigInt(r.paidKopecks)) / BigInt(r.amountKopecks));
      const base = applyBp(paid, r.rateBp);
      return kopecksToPoints(applyBp(base, reward.factorBp - BP), r.pointValueKopecks);
    }
    case "gift":
      return 0;
  }
}

/**
 * Whether a reward can pay anything on this basket, before the purchase's
 * rate and paid share are known: never false where `rewardPoints` could be
 * positive. The till reads no history for an offer that cannot pay (its
 * condition would not be evaluated anyway: rewards come first).
 */
export function rewardCanPay(reward: Reward, basket: { amountKopecks: number; items: readonly RewardLine[] }): boolean {
  switch (reward.kind) {
    case "bonus":
      return basket.amountKopecks >= reward.minBasketKopecks;
    case "skuPoints":
      return basket.items.some((i) => i.sku === reward.sku);
    case "multiplier":
      return basket.amountKopecks > 0 && basket.items.some((i) => matches(i, reward.product) && i.amountKopecks > 0);
    case "gift":
      return false;
  }
}

export interface PlannedReward {
  offerId: number;
  points: number;
}

/**
 * Which offers pay what on this receipt: each applicable offer in id order
 * takes its reward while the margin guard leaves room (`headroomPoints`: the
 * most loyalty points the margin allows, less the accrual). An offer that
 * does not fit whole is skipped, not cut: a shopper reads "+100 for coffee"
 * or nothing, never "+37". Budgets are the caller's (they need the database).
 */
export function planOfferRewards(
  offers: readonly LiveOffer[],
  basis: RewardBasis,
  headroomPoints: number,
): PlannedReward[] {
  let room = Math.max(0, headroomPoints);
  const out: PlannedReward[] = [];
  for (const o of offers) {
    const p = rewardPoints(o.reward, basis);
    if (p <= 0 || p > room) continue;
    room -= p;
    out.push({ offerId: o.id, points: p });
  }
  return out;
}

/**
 * Offer points to take back for a return, on the cumulative returned share
 * like the accrual (domain/returns.ts): partial returns add up to a full one,
 * rounding down (in the shopper's favour).
 */
export function offerReversal(points: number, amountKopecks: number, returnedBefore: number, returning: number) {
  const share = (returned: number) => Number((BigInt(points) * BigInt(returned)) / BigInt(amountKopecks));
  return share(returnedBefore + returning) - share(returnedBefore);
}

/**
 * Why a member got an offer, as data the bot words: the leaves of its
 * condition the member satisfies (domain/conditions.ts `reasons`), the most
 * telling first (what they buy, then when, then who they are).
 */
export function reasonOrder(leaves: readonly Leaf[]): Leaf[] {
  const rank: Record<Leaf["kind"], number> = {
    bought: 0,
    daysSinceLastPurchase: 1,
    visits: 2,
    spend: 3,
    birthdayWithin: 4,
    tier: 5,
    rfm: 6,
    homeStore: 7,
    enrolledWithin: 8,
    neverBought: 9,
    balance: 10,
    language: 11,
  };
  return [...leaves].sort((a, b) => rank[a.kind] - rank[b.kind]);
}

/** A gift code: 8 characters a cashier reads aloud without confusion (no 0/O, 1/I). */
export function giftCode(random: () => number): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  let s = "";
  for (let i = 0; i < 8; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
}

/** The largest window (days) any leaf of a condition reads, or null when one reads all history. */
export function historyDays(c: Condition): number | null {
  switch (c.kind) {
    case "and":
    case "or":
      return c.of.reduce<number | null>((m, x) => {
        const d = historyDays(x);
        return m === null || d === null ? null : Math.max(m, d);
      }, 0);
    case "not":
      return historyDays(c.of);
    case "visits":
    case "spend":
      return c.withinDays;
    case "bought":
    case "neverBought":
      return c.withinDays ?? null;
    case "rfm":
    case "daysSinceLastPurchase":
    case "homeStore":
      return null;
    default:
      return 0;
  }
}

/** Whether a condition reads what was bought (the receipts' lines), not only the receipts. */
export function readsLines(c: Condition): boolean {
  switch (c.kind) {
    case "and":
    case "or":
      return c.of.some(readsLines);
    case "not":
      return readsLines(c.of);
    case "bought":
    case "neverBought":
      return true;
    default:
      return false;
  }
}
