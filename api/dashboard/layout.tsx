/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { DashboardRole } from "../../app/services/index.js";
import type { Locale, T } from "./i18n.js";

export interface PageContext {
  t: T;
  locale: Locale;
  role: DashboardRole;
  /** The page's path and its query without lang, to switch languages in place. */
  path: string;
  query: string;
}

const PAGES = [
  ["", "nav-overview"],
  ["/cohorts", "nav-cohorts"],
  ["/nps", "nav-nps"],
  ["/stores", "nav-stores"],
  ["/tiers", "nav-tiers"],
  ["/broadcasts", "nav-broadcasts"],
] as const;

export function Layout(props: { p: PageContext; children?: Child }) {
  const { t, locale, role, path, query } = props.p;
  const sep = query ? "&" : "?";
  const pages = role === "admin" ? [...PAGES, ["/members", "nav-members"] as const] : PAGES;
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{t("title")}</title>
        <link rel="stylesheet" href="/dashboard/assets/uplot.css" />
        <link rel="stylesheet" href="/dashboard/assets/dashboard.css" />
      </head>
      <body>
        <header>
          <span class="brand">Kopilka</span>
          <nav>
            {pages.map(([href, key]) => (
              <a href={`/dashboard${href}${query}`} class={path === `/dashboard${href}` ? "on" : ""}>
                {t(key)}
              </a>
            ))}
          </nav>
          <span class="who">
            <a href={`${path}${query}${sep}lang=${locale === "ru" ? "en" : "ru"}`}>{locale === "ru" ? "EN" : "RU"}</a>
            <span>{t(`role-${role}`)}</span>
            <form method="post" action="/dashboard/logout">
              <button class="link" type="submit">
                {t("logout")}
              </button>
            </form>
          </span>
        </header>
        <main>{props.children}</main>
        <script src="/dashboard/assets/uplot.js"></script>
        <script src="/dashboard/assets/dashboard.js"></script>
      </body>
    </html>
  );
}

/** A page outside the session (login, errors): no navigation, no scripts. */
export function Bare(props: { t: T; locale: Locale; children?: Child }) {
  return (
    <html lang={props.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.t("title")}</title>
        <link rel="stylesheet" href="/dashboard/assets/dashboard.css" />
      </head>
      <body>
        <div class="login">{props.children}</div>
      </body>
    </html>
  );
}
