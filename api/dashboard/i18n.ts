import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";

export const LOCALES = ["ru", "en"] as const;
export type Locale = (typeof LOCALES)[number];

const dir = join(dirname(fileURLToPath(import.meta.url)), "locales");
const bundles = new Map<Locale, FluentBundle>(
  LOCALES.map((l) => {
    const b = new FluentBundle(l, { useIsolating: false });
    const errors = b.addResource(new FluentResource(readFileSync(join(dir, l, "dashboard.ftl"), "utf8")));
    if (errors.length) throw new Error(`dashboard ${l}.ftl: ${errors.map(String).join("; ")}`);
    return [l, b] as const;
  }),
);

/** The dashboard's texts, from Fluent files (api/dashboard/locales/<locale>/dashboard.ftl). */
export function translator(locale: Locale) {
  const b = bundles.get(locale) as FluentBundle;
  return (key: string, args?: Record<string, FluentVariable>): string => {
    const m = b.getMessage(key);
    if (!m?.value) return key;
    return b.formatPattern(m.value, args);
  };
}
export type T = ReturnType<typeof translator>;

/** ?lang= wins (and is remembered in a cookie), then the cookie, then the browser's languages; Russian by default. */
export function pickLocale(
  query: string | undefined,
  cookie: string | undefined,
  acceptLanguage: string | undefined,
): Locale {
  for (const v of [query, cookie]) if (v === "ru" || v === "en") return v;
  const first = (acceptLanguage ?? "").split(",")[0]?.trim().slice(0, 2).toLowerCase();
  return first === "en" ? "en" : "ru";
}

const intl = (l: Locale) => (l === "en" ? "en-GB" : "ru-RU");
const cache = new Map<string, Intl.NumberFormat>();
function nf(l: Locale, opts: Intl.NumberFormatOptions) {
  const k = `${l}:${JSON.stringify(opts)}`;
  let f = cache.get(k);
  if (!f) cache.set(k, (f = new Intl.NumberFormat(intl(l), opts)));
  return f;
}

/** Numbers, money and percents as people read them: "1 240,50 ₽", "70,5 %". */
export function formatters(l: Locale) {
  return {
    int: (n: number) => nf(l, { maximumFractionDigits: 0 }).format(n),
    dec: (n: number, digits = 1) => nf(l, { maximumFractionDigits: digits }).format(n),
    rub: (kopecks: number) =>
      nf(l, {
        style: "currency",
        currency: "RUB",
        minimumFractionDigits: kopecks % 100 === 0 ? 0 : 2,
        maximumFractionDigits: 2,
      }).format(kopecks / 100),
    pct: (p: number) => `${nf(l, { maximumFractionDigits: 1 }).format(p)} %`,
    date: (d: Date) => d.toLocaleDateString(intl(l), { timeZone: "UTC" }),
    dateTime: (d: Date) =>
      d.toLocaleString(intl(l), { timeZone: "Europe/Moscow", dateStyle: "short", timeStyle: "short" }),
  };
}
export type Fmt = ReturnType<typeof formatters>;
