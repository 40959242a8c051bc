import { z } from "zod";
import { rewardSchema } from "./offers.js";

/**
 * Triggers: jobs that make a personal offer when something in a shopper's
 * history calls for one, and tell them (a marketing message: quiet hours and
 * caps). Each has a cause key that makes it fire once for that cause, and
 * is configured here (program.triggers): on/off, timing, reward, texts.
 */

const texts = z.object({ ru: z.string().min(1).max(1000), en: z.string().min(1).max(1000) });
const days = (d: number) => z.number().int().min(1).max(3660).default(d);

const trigger = <T extends z.ZodRawShape>(
  shape: T,
  d: { reward: z.input<typeof rewardSchema>; title: z.input<typeof texts>; text: z.input<typeof texts> },
) =>
  z.object({
    enabled: z.boolean().default(true),
    /** The personal offer's reward and how long it stays open. */
    reward: rewardSchema.default(rewardSchema.parse(d.reward)),
    validDays: days(14),
    /** "{category}" in a text is replaced by the category (replenishment, cart). */
    title: texts.default(d.title),
    text: texts.default(d.text),
    ...shape,
  });

export const triggersSchema = z.object({
  /** A category bought regularly, due again by the member's own median interval. */
  replenishment: trigger(
    {
      /** The interval when the member bought the category fewer than `minPurchases` times. */
      defaultIntervalDays: days(30),
      minPurchases: z.number().int().min(2).max(100).default(3),
      /** History read for the intervals. */
      lookbackDays: days(365),
    },
    {
      reward: { kind: "multiplier", product: { category: "{category}" }, factorBp: 20_000 },
      title: { ru: "Пора пополнить запасы: {category}", en: "Time to restock: {category}" },
      text: {
        ru: "Вы обычно покупаете «{category}» примерно в это время — двойные баллы за «{category}» на две недели.",
        en: "You usually buy “{category}” about now — double points on “{category}” for two weeks.",
      },
    },
  ).prefault({}),
  /** No purchase for `gapMultiple` × the member's usual gap, and at least `minDays`. */
  winback: trigger(
    {
      gapMultiple: z.number().int().min(1).max(10).default(2),
      minDays: days(45),
      /** Members whose last purchase is older than this are not chased. */
      maxDays: days(365),
    },
    {
      reward: { kind: "bonus", points: 100, minBasketKopecks: 50_000 },
      title: { ru: "Мы скучаем!", en: "We miss you!" },
      text: {
        ru: "Давно вас не видели. +100 баллов к покупке от 500 ₽ в ближайшие две недели.",
        en: "It has been a while. +100 points on a purchase of 500 ₽ or more in the next two weeks.",
      },
    },
  ).prefault({}),
  /** A birthday offer `daysBefore` days ahead (the birthday bonus in points is gamification.birthday). */
  birthday: trigger(
    { daysBefore: z.number().int().min(0).max(30).default(7) },
    {
      reward: { kind: "gift", giftRu: "Кофе в подарок", giftEn: "A coffee on us" },
      title: { ru: "С наступающим днём рождения!", en: "Happy birthday in advance!" },
      text: {
        ru: "Подарок от нас: покажите код на кассе в ближайшие две недели.",
        en: "A present from us: show the code at the till within two weeks.",
      },
    },
  ).prefault({}),
  /** One reminder `delayHours` after an online cart, unless its items were bought since. */
  abandonedCart: trigger(
    {
      delayHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 14)
        .default(24),
    },
    {
      reward: { kind: "bonus", points: 30 },
      title: { ru: "Вы кое-что оставили в корзине", en: "You left something in your cart" },
      text: {
        ru: "Ваша корзина ждёт. +30 баллов, если купите в ближайшую неделю.",
        en: "Your cart is waiting. +30 points if you buy within a week.",
      },
    },
  )
    .extend({ validDays: days(7) })
    .prefault({}),
  /** The points-expiring reminder offers a button to the shopper's offers. */
  expiringLinksOffers: z.boolean().default(true),
  /** When the nightly scan runs (cron, in the chain's zone). */
  scanCron: z.string().min(9).max(64).default("0 9 * * *"),
});
export type TriggersConfig = z.infer<typeof triggersSchema>;
export type TriggerName = "replenishment" | "winback" | "birthday" | "abandonedCart";

/** The median of whole-day gaps (lower middle for an even count, so integer and never optimistic); null when none. */
export function medianDays(gaps: readonly number[]): number | null {
  if (!gaps.length) return null;
  const s = [...gaps].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

/** The replenishment interval for a category the member bought on these days (sorted or not). */
export function replenishmentInterval(
  purchaseDays: readonly number[],
  cfg: { defaultIntervalDays: number; minPurchases: number },
): number {
  if (purchaseDays.length < cfg.minPurchases) return cfg.defaultIntervalDays;
  const s = [...purchaseDays].sort((a, b) => a - b);
  const gaps = s.slice(1).map((d, i) => d - (s[i] as number));
  return Math.max(1, medianDays(gaps) ?? cfg.defaultIntervalDays);
}

/** Days of absence that make a member lapsed: gapMultiple × their usual gap, at least minDays. */
export function winbackThreshold(usualGapDays: number | null, cfg: { gapMultiple: number; minDays: number }): number {
  return Math.max(cfg.minDays, cfg.gapMultiple * (usualGapDays ?? 0));
}

/** "{category}" filled into a trigger's texts and reward. */
export function fillTemplate<T>(value: T, vars: Record<string, string>): T {
  return JSON.parse(
    JSON.stringify(value).replace(/\{(\w+)\}/g, (m, k: string) =>
      vars[k] !== undefined ? JSON.stringify(vars[k]).slice(1, -1) : m,
    ),
  ) as T;
}
