/**
 * The languages Kopilka writes in, and how a Telegram `language_code` maps to
 * one: Russian for the region's languages and by default, English for every
 * other code. The result is saved with the member, so messages sent later
 * (outside any update) are in the language they read in chat.
 */
export const LOCALES = ["ru", "en"] as const;
export type Locale = (typeof LOCALES)[number];

const RU_FAMILY = new Set(["ru", "uk", "be", "kk", "uz", "ky", "tg", "hy", "az", "ka"]);

export function localeFromLanguageCode(code: string | null | undefined): Locale {
  if (!code) return "ru";
  const base = code.toLowerCase().split("-")[0] ?? "";
  return RU_FAMILY.has(base) ? "ru" : "en";
}

export function isLocale(s: string | null | undefined): s is Locale {
  return !!s && (LOCALES as readonly string[]).includes(s);
}

/** A saved choice if it is one we write in, else the default. */
export function localeOr(saved: string | null | undefined, fallback: Locale = "ru"): Locale {
  return isLocale(saved) ? saved : fallback;
}
