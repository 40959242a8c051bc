import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { I18n } from "@grammyjs/i18n";
import type { ConversationContext } from "./context.js";

import { LOCALES, type Locale, localeFromLanguageCode } from "../domain/index.js";

export { LOCALES, type Locale } from "../domain/index.js";
/** Telegram's language_code → our locale (domain/locale.ts has the rule). */
export const localeFromTelegram = (code: string | undefined): Locale => localeFromLanguageCode(code);

/**
 * Texts come from Fluent files in bot/locales/<locale>/<feature>.ftl. The
 * member's chosen language wins; until they choose, Telegram's.
 */
export function createI18n() {
  return new I18n<ConversationContext>({
    defaultLocale: "ru",
    directory: join(dirname(fileURLToPath(import.meta.url)), "locales"),
    useSession: false,
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: (ctx) => currentLocale(ctx),
  });
}

/** The bot's one I18n instance (Fluent files are read once). */
export const i18n = createI18n();
memoizeBundleMatch(i18n);

/**
 * Fluent negotiates the locale against every bundle on each translation (a
 * card caption makes some fifteen): the answer depends only on the locale
 * asked for and the bundles loaded, so it is kept per locale. Bundles are
 * only ever added, so their count tells when a kept answer is stale.
 */
function memoizeBundleMatch(instance: I18n<ConversationContext>) {
  const fluent = instance.fluent as unknown as {
    bundles: Set<unknown>;
    matchBundles(locales: string[]): Set<unknown>;
  };
  // A newer @grammyjs/i18n may rename these: then translations simply stay unmemoized.
  if (typeof fluent.matchBundles !== "function" || !(fluent.bundles instanceof Set)) return;
  const match = fluent.matchBundles.bind(fluent);
  const kept = new Map<string, Set<unknown>>();
  fluent.matchBundles = (locales) => {
    const key = `${fluent.bundles.size}|${locales.join(",")}`;
    let found = kept.get(key);
    if (!found) {
      found = match(locales);
      kept.set(key, found);
    }
    return found;
  };
}

/** A menu button's label in every locale, so a keyboard shown before a language switch still works. */
export function labels(key: string): string[] {
  return LOCALES.map((l) => i18n.t(l, key));
}

const intlLocale = (l: string) => (l === "en" ? "en-GB" : "ru-RU");

/** Formatting works from an update's context or, outside one (notifications), from a locale. */
type Where = ConversationContext | Locale;
const localeOf = (w: Where): Locale => (typeof w === "string" ? w : currentLocale(w));

/**
 * Intl formatters by locale and options, built once: building one costs tens
 * of microseconds, and a card caption formats some twenty values. The keys
 * are few (two locales, a handful of option sets and time zones).
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}
const numberFormat = (locale: string, o: Intl.NumberFormatOptions = {}) =>
  cached(`n|${locale}|${JSON.stringify(o)}`, () => new Intl.NumberFormat(locale, o));
const dateFormat = (locale: string, o: Intl.DateTimeFormatOptions) =>
  cached(`d|${locale}|${JSON.stringify(o)}`, () => new Intl.DateTimeFormat(locale, o));
const pluralRules = (locale: string) => cached(`p|${locale}`, () => new Intl.PluralRules(locale));

/** Points with the right plural: "1 балл", "5 баллов", "1 point". */
export function fmtPoints(w: Where, n: number): string {
  const l = localeOf(w);
  const category = pluralRules(intlLocale(l)).select(Math.abs(n));
  return i18n.t(l, "points", { count: category, n: numberFormat(intlLocale(l)).format(n) });
}

/** Kopecks as rubles: "1 240 ₽", "1 240,50 ₽". */
export function fmtRub(w: Where, kopecks: number): string {
  const locale = intlLocale(localeOf(w));
  return numberFormat(locale, {
    style: "currency",
    currency: "RUB",
    minimumFractionDigits: kopecks % 100 === 0 ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(kopecks / 100);
}

export function fmtPercent(w: Where, bp: number): string {
  return numberFormat(intlLocale(localeOf(w)), { style: "percent", maximumFractionDigits: 2 }).format(bp / 10_000);
}

/**
 * "4 марта"; "4 марта 2027 г." when the date is not in the year of `now`
 * (the program's clock; callers that know it pass it).
 */
export function fmtDate(w: Where, d: Date, timeZone = "Europe/Moscow", now?: Date): string {
  const yearOf = (x: Date) => dateFormat("en", { year: "numeric", timeZone }).format(x);
  const withYear = now !== undefined && yearOf(d) !== yearOf(now);
  return dateFormat(intlLocale(localeOf(w)), {
    day: "numeric",
    month: "long",
    ...(withYear ? { year: "numeric" } : {}),
    timeZone,
  }).format(d);
}

export function fmtShortDate(w: Where, d: Date, timeZone = "Europe/Moscow"): string {
  return dateFormat(intlLocale(localeOf(w)), { day: "2-digit", month: "2-digit", timeZone }).format(d);
}

/** A tier's name in the reader's language (tier-<code> in card.ftl), else the name the config gives it. */
export function tierName(w: Where, tier: { code: string; name: string }): string {
  const key = `tier-${tier.code}`;
  const t = i18n.t(localeOf(w), key);
  return t && t !== key ? t : tier.name;
}

/** The locale this update is answered in: the member's choice, else Telegram's language. */
export function currentLocale(ctx: ConversationContext): Locale {
  if (ctx.locale) return ctx.locale;
  const chosen = ctx.member?.language;
  ctx.locale =
    chosen && (LOCALES as readonly string[]).includes(chosen)
      ? (chosen as Locale)
      : localeFromTelegram(ctx.from?.language_code);
  return ctx.locale;
}

/** The locale to write to a member in outside an update: their choice, else Russian. */
export function memberLocale(language: string | null | undefined): Locale {
  return language && (LOCALES as readonly string[]).includes(language) ? (language as Locale) : "ru";
}

/** Switches this update's answers to `locale` (after the member chose it). */
export function switchLocale(ctx: ConversationContext, locale: Locale) {
  ctx.locale = locale;
  ctx.i18n.useLocale(locale);
}
