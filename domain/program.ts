import { z } from "zod";
import { DomainError } from "./errors.js";
import { challengesSchema } from "./challenges.js";
import { isTimeZone, messagingSchema } from "./messaging.js";
import { MAX_AMOUNT_KOPECKS } from "./money.js";
import { triggersSchema } from "./triggers.js";

/**
 * The loyalty program's rules, as a marketer configures them.
 *
 * Defaults come from the source articles (shared/seeds): cumulative cashback of
 * 5 % from 5,000 ₽ and 10 % from 10,000 ₽ of purchases; loyalty spend kept within
 * the margin (price 10,000, cost 4,000, acquisition 2,000 → margin 4,000 →
 * loyalty at most 1,000, i.e. 25 % of the margin).
 */

const bp = z.number().int().min(0).max(10_000);

export const tierSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
  name: z.string().min(1).max(64),
  /** Spend over the rolling window from which this tier applies (kopecks). */
  thresholdKopecks: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Accrual rate in basis points: 500 = 5 %. */
  rateBp: bp,
});
export type Tier = z.infer<typeof tierSchema>;

export const economicsSchema = z.object({
  /** Cost of goods as a share of the price. */
  costShareBp: bp,
  /** Acquisition (marketing, logistics) as a share of the price. */
  acquisitionShareBp: bp,
});
export type Economics = z.infer<typeof economicsSchema>;

export const programSchema = z
  .object({
    /** Kopecks one point is worth when spent: 100 = 1 point is 1 ₽. */
    pointValueKopecks: z.number().int().min(1).max(100_000).default(100),
    tierWindowDays: z.number().int().min(1).max(3660).default(365),
    tiers: z
      .array(tierSchema)
      .min(1)
      .default([
        { code: "base", name: "Base", thresholdKopecks: 0, rateBp: 300 },
        { code: "silver", name: "Silver", thresholdKopecks: 500_000, rateBp: 500 },
        { code: "gold", name: "Gold", thresholdKopecks: 1_000_000, rateBp: 1000 },
      ]),
    redemption: z
      .object({
        /** Share of a receipt that points may pay for. */
        maxShareBp: bp.default(3000),
        /** How long a shopper has to confirm a spend in chat. */
        confirmationTtlSeconds: z.number().int().min(10).max(3600).default(120),
      })
      .prefault({}),
    expiry: z.object({ months: z.number().int().min(1).max(120).default(12) }).prefault({}),
    /** A cashier's second look: purchases above these ask to confirm; a posted one can be undone for a while. */
    cashier: z
      .object({
        /** Above this amount (kopecks) a purchase typed in Telegram asks to confirm: 30,000 ₽. */
        confirmAboveKopecks: z.number().int().min(1).max(MAX_AMOUNT_KOPECKS).default(3_000_000),
        /** …or above this many times the member's usual basket. */
        confirmBasketMultiple: z.number().int().min(2).max(1000).default(5),
        /** How long the "↩️ Cancel" button under a posted purchase works. */
        cancelMinutes: z.number().int().min(1).max(1440).default(10),
      })
      .prefault({}),
    welcomeBonusPoints: z.number().int().min(0).max(MAX_AMOUNT_KOPECKS).default(100),
    /** The chain's own time zone: members with no store of their own live in it. */
    timeZone: z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Moscow").default("Europe/Moscow"),
    /** How Kopilka may write to people on its own initiative (domain/messaging.ts). */
    messaging: messagingSchema.prefault({}),
    /**
     * How far from now a purchase's time may be, unless the caller imports
     * history: backdated purchases would lift tiers and earn points that
     * arrive already expired.
     */
    purchaseTimeWindow: z
      .object({
        backDays: z.number().int().min(0).max(3660).default(7),
        aheadMinutes: z
          .number()
          .int()
          .min(0)
          .max(24 * 60)
          .default(5),
      })
      .prefault({}),
    /** Points for taking part (domain/reviews.ts). */
    gamification: z
      .object({
        reviews: z
          .object({
            enabled: z.boolean().default(true),
            /** The same for every rating: rewarding only good reviews corrupts them. */
            points: z.number().int().min(0).max(100_000).default(50),
            /** At most this many rewarded reviews per member in any 7 days. */
            weeklyCap: z.number().int().min(0).max(100).default(3),
            /** Asked this long after the purchase ("the day after"), then held for the member's daytime. */
            askAfterHours: z
              .number()
              .int()
              .min(0)
              .max(24 * 14)
              .default(20),
            /** Reviews of purchases older than this are refused politely. */
            answerWithinDays: z.number().int().min(1).max(90).default(7),
          })
          .prefault({}),
        /** Two-sided referrals (domain/referrals.ts): both earn once the friend's first purchase stands. */
        referrals: z
          .object({
            enabled: z.boolean().default(true),
            /** Each side's reward. */
            points: z.number().int().min(0).max(100_000).default(200),
            /** The friend's first purchase must be at least this (kopecks): 500 ₽. */
            minBasketKopecks: z.number().int().min(0).max(MAX_AMOUNT_KOPECKS).default(50_000),
            /** Rewards wait until the first purchase can no longer be returned; a return inside cancels both. */
            returnWindowDays: z.number().int().min(0).max(90).default(14),
            /** Referrals a referrer may be rewarded for in a calendar month. */
            monthlyCap: z.number().int().min(0).max(1000).default(10),
            /** This many referrals in burstDays holds the next ones for review. */
            burstCount: z.number().int().min(1).max(1000).default(10),
            burstDays: z.number().int().min(1).max(90).default(7),
          })
          .prefault({}),
        /** A birthday present in points (domain/birthdays.ts), once a year. */
        birthday: z
          .object({
            enabled: z.boolean().default(true),
            points: z.number().int().min(0).max(100_000).default(200),
            /** Credited on the first daily run within this many days before the birthday (0: on the day). */
            daysBefore: z.number().int().min(0).max(30).default(3),
            /** Not for a birthday entered or changed this recently: no bonus farming by editing it. */
            minAgeOfBirthdayDays: z.number().int().min(0).max(365).default(30),
          })
          .prefault({}),
        /** Goals reached by shopping, rewarded with points and/or a badge (domain/challenges.ts); none unless configured. */
        challenges: challengesSchema,
      })
      .prefault({}),
    /** Feedback the program asks for (domain/surveys.ts). */
    surveys: z
      .object({
        nps: z
          .object({
            enabled: z.boolean().default(true),
            /** Asked this long after a purchase (then held for the member's daytime, like any marketing message). */
            delayMinutes: z
              .number()
              .int()
              .min(0)
              .max(7 * 24 * 60)
              .default(120),
            /** At most one survey per member in this many days (the article measures NPS monthly over everyone). */
            everyDays: z.number().int().min(1).max(3660).default(90),
            /** An answer later than this is refused politely. */
            answerWithinDays: z.number().int().min(1).max(90).default(7),
          })
          .prefault({}),
      })
      .prefault({}),
    /** Broadcasts and experiments (domain/broadcasts.ts). */
    marketing: z
      .object({
        /** Members (by hash) who never get marketing messages, to measure the program's own effect. */
        holdoutBp: bp.default(0),
        holdoutSalt: z.string().min(1).max(64).default("program-holdout"),
        /** Default attribution window of a broadcast's results. */
        attributionDays: z.number().int().min(1).max(90).default(7),
      })
      .prefault({}),
    /** Personal offers made by triggers (domain/triggers.ts). */
    triggers: triggersSchema.prefault({}),
    economics: z
      .object({
        default: economicsSchema.default({ costShareBp: 4000, acquisitionShareBp: 2000 }),
        /** Loyalty cost of one purchase may be at most this share of its margin. */
        maxLoyaltyShareOfMarginBp: bp.default(2500),
        /** Overrides by store id ("12") and by product category ("coffee"). */
        stores: z.record(z.string(), economicsSchema).default({}),
        categories: z.record(z.string(), economicsSchema).default({}),
      })
      .prefault({}),
  })
  .superRefine((p, ctx) => {
    const codes = new Set<string>();
    p.tiers.forEach((t, i) => {
      if (codes.has(t.code))
        ctx.addIssue({ code: "custom", path: ["tiers", i, "code"], message: "duplicate tier code" });
      codes.add(t.code);
      if (i === 0 && t.thresholdKopecks !== 0)
        ctx.addIssue({ code: "custom", path: ["tiers", 0], message: "the first tier must start at 0" });
      const prev = p.tiers[i - 1];
      if (prev && t.thresholdKopecks <= prev.thresholdKopecks)
        ctx.addIssue({ code: "custom", path: ["tiers", i], message: "tier thresholds must increase" });
    });
    const check = (e: Economics, path: (string | number)[]) => {
      if (e.costShareBp + e.acquisitionShareBp > 10_000)
        ctx.addIssue({ code: "custom", path, message: "cost + acquisition exceed the price" });
    };
    check(p.economics.default, ["economics", "default"]);
    for (const [k, e] of Object.entries(p.economics.stores)) check(e, ["economics", "stores", k]);
    for (const [k, e] of Object.entries(p.economics.categories)) check(e, ["economics", "categories", k]);
  });

export type Program = z.infer<typeof programSchema>;
export type ProgramInput = z.input<typeof programSchema>;

/** Validates a program; throws PROGRAM.INVALID_CONFIG naming every bad field. */
export function parseProgram(input: unknown): Program {
  const r = programSchema.safeParse(input ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new DomainError("PROGRAM.INVALID_CONFIG", `invalid program config: ${issues.join("; ")}`, { issues });
  }
  return r.data;
}

export const defaultProgram: Program = parseProgram({});
