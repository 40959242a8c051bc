/** @jsxImportSource hono/jsx */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { DashboardRole, Services } from "../../app/services/index.js";
import { metricsQuery, scopeFrom } from "../admin.js";
import { formatters, type Locale, pickLocale, translator } from "./i18n.js";
import { Bare, Layout, type PageContext } from "./layout.js";
import {
  BroadcastResultsPage,
  BroadcastsPage,
  CohortsPage,
  Filters,
  MembersPage,
  NpsPage,
  OverviewPage,
  StoresPage,
  TiersPage,
} from "./pages.js";

const SESSION_COOKIE = "kopilka_session";
const LANG_COOKIE = "kopilka_lang";

type Env = { Variables: { locale: Locale; user: { telegramId: string; role: DashboardRole } } };

/** Static files: uPlot from its package (no CDN), and the dashboard's own small script and stylesheet. */
function assets() {
  const require = createRequire(import.meta.url);
  const uplotDir = dirname(require.resolve("uplot/dist/uPlot.iife.min.js"));
  const here = join(dirname(fileURLToPath(import.meta.url)), "assets");
  const read = (p: string) => readFileSync(p, "utf8");
  return new Map([
    ["uplot.js", { body: read(join(uplotDir, "uPlot.iife.min.js")), type: "text/javascript" }],
    ["uplot.css", { body: read(join(uplotDir, "uPlot.min.css")), type: "text/css" }],
    ["dashboard.js", { body: read(join(here, "dashboard.js")), type: "text/javascript" }],
    ["dashboard.css", { body: read(join(here, "dashboard.css")), type: "text/css" }],
  ]);
}

const page = (c: Context, body: JSX.Element, status: 200 | 401 | 403 | 404 = 200) =>
  c.html(html`<!doctype html>${body}`, status);

/**
 * The web dashboard at /dashboard: server-rendered pages (Hono JSX) over the
 * metrics service, uPlot for the few charts. Sign-in is by a one-time link
 * the bot sends (/dashboard); the session lives in an HttpOnly, SameSite=Lax
 * cookie that expires with the session. Roles are checked here on every
 * request: marketers see the metrics, only admins see members' data.
 */
export function createDashboard(services: Services) {
  const app = new Hono<Env>();
  const files = assets();
  const auth = services.dashboardAuth;

  app.use("*", async (c, next) => {
    const q = c.req.query("lang");
    const locale = pickLocale(q, getCookie(c, LANG_COOKIE), c.req.header("accept-language"));
    if (q === "ru" || q === "en")
      setCookie(c, LANG_COOKIE, q, { path: "/dashboard", sameSite: "Lax", maxAge: 31536000 });
    c.set("locale", locale);
    await next();
    // Pages carry figures and people's data: never cached, never framed, no referrer (the login link is in the URL).
    c.header("Cache-Control", "no-store");
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Content-Type-Options", "nosniff");
    c.header(
      "Content-Security-Policy",
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  app.get("/assets/:name", (c) => {
    const f = files.get(c.req.param("name"));
    if (!f) return c.notFound();
    c.header("content-type", `${f.type}; charset=utf-8`);
    return c.body(f.body);
  });

  // The link from the bot shows a button; only the POST spends the token, so a
  // link preview or a prefetch cannot use it up.
  app.get("/login", (c) => {
    const t = translator(c.get("locale"));
    const token = c.req.query("token") ?? "";
    return page(
      c,
      <Bare t={t} locale={c.get("locale")}>
        <h1>{t("login-title")}</h1>
        <form method="post" action="/dashboard/login">
          <input type="hidden" name="token" value={token} />
          <button type="submit" id="sign-in">
            {t("login-button")}
          </button>
        </form>
      </Bare>,
    );
  });

  app.post("/login", async (c) => {
    const t = translator(c.get("locale"));
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const s = await auth.redeemLogin(token);
    if (!s)
      return page(
        c,
        <Bare t={t} locale={c.get("locale")}>
          <p id="login-invalid">{t("login-invalid")}</p>
        </Bare>,
        401,
      );
    setCookie(c, SESSION_COOKIE, s.session, {
      path: "/dashboard",
      httpOnly: true,
      sameSite: "Lax",
      secure: new URL(c.req.url).protocol === "https:",
      // Max-Age, not Expires: the browser's clock need not agree with ours. The server checks expiry itself too.
      maxAge: s.maxAgeSeconds,
    });
    return c.redirect("/dashboard", 303);
  });

  app.post("/logout", async (c) => {
    await auth.logout(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: "/dashboard" });
    return c.redirect("/dashboard", 303);
  });

  // Everything below needs a session.
  app.use("*", async (c, next) => {
    const user = await auth.session(getCookie(c, SESSION_COOKIE));
    if (!user) {
      const t = translator(c.get("locale"));
      return page(
        c,
        <Bare t={t} locale={c.get("locale")}>
          <h1>{t("login-title")}</h1>
          <p id="login-needed">{t("login-needed")}</p>
        </Bare>,
        401,
      );
    }
    c.set("user", user);
    await next();
  });

  function ctxOf(c: Context<Env>): PageContext {
    const url = new URL(c.req.url);
    url.searchParams.delete("lang");
    const query = url.searchParams.toString();
    return {
      t: translator(c.get("locale")),
      locale: c.get("locale"),
      role: c.get("user").role,
      path: url.pathname,
      query: query ? `?${query}` : "",
    };
  }

  /** The filters from the query (empty form fields mean "all"); a bad value falls back to the default. */
  function scopeOf(c: Context<Env>) {
    const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([k, v]) => v !== "" && k !== "lang"));
    const q = metricsQuery.safeParse(raw);
    return scopeFrom(q.success ? q.data : {}, services.metrics);
  }

  async function withFilters(c: Context<Env>, body: (s: ReturnType<typeof scopeOf>) => Promise<JSX.Element>) {
    const p = ctxOf(c);
    const s = scopeOf(c);
    const [stores, content] = await Promise.all([services.metrics.stores(), body(s)]);
    const f = formatters(p.locale);
    return page(
      c,
      <Layout p={p}>
        <Filters t={p.t} scope={s} stores={stores} tiers={services.metrics.tierCodes()} action={p.path} />
        <p class="period">{p.t("period", { from: f.date(s.from), to: f.date(s.to) })}</p>
        {content}
      </Layout>,
    );
  }

  app.get("/", (c) =>
    withFilters(c, async (s) => {
      const l = c.get("locale");
      return <OverviewPage o={await services.metrics.overview(s)} t={translator(l)} f={formatters(l)} />;
    }),
  );
  app.get("/cohorts", (c) =>
    withFilters(c, async (s) => {
      const l = c.get("locale");
      return <CohortsPage rows={await services.metrics.cohorts(s)} t={translator(l)} f={formatters(l)} />;
    }),
  );
  app.get("/nps", (c) =>
    withFilters(c, async (s) => {
      const l = c.get("locale");
      const t = translator(l);
      const [nps, stores] = await Promise.all([services.metrics.nps(s), services.metrics.stores()]);
      const storeName = (id: number | null) =>
        id === null ? t("no-store") : (stores.find((x) => x.id === id)?.name ?? "—");
      return <NpsPage nps={nps} storeName={storeName} t={t} f={formatters(l)} />;
    }),
  );
  app.get("/stores", (c) =>
    withFilters(c, async (s) => {
      const l = c.get("locale");
      const [sales, nps, cost, share] = await Promise.all([
        services.metrics.salesByStore(s),
        services.metrics.nps(s),
        services.metrics.loyaltyCost(s),
        services.metrics.receiptShare(s),
      ]);
      return <StoresPage sales={sales} nps={nps} cost={cost} share={share} t={translator(l)} f={formatters(l)} />;
    }),
  );
  app.get("/tiers", (c) =>
    withFilters(c, async (s) => {
      const l = c.get("locale");
      const [tiers, rfm] = await Promise.all([services.metrics.tiers(s), services.metrics.rfm(s)]);
      return (
        <TiersPage tiers={tiers} names={services.metrics.tierNames()} rfm={rfm} t={translator(l)} f={formatters(l)} />
      );
    }),
  );
  app.get("/broadcasts", async (c) => {
    const p = ctxOf(c);
    const rows = await services.broadcasts.list();
    return page(
      c,
      <Layout p={p}>
        <BroadcastsPage rows={rows} t={p.t} f={formatters(p.locale)} />
      </Layout>,
    );
  });
  app.get("/broadcasts/:id", async (c) => {
    const p = ctxOf(c);
    const id = Number(c.req.param("id"));
    const found = Number.isInteger(id) && id > 0 ? await services.broadcasts.results(id).catch(() => null) : null;
    if (!found)
      return page(
        c,
        <Layout p={p}>
          <p id="not-found">{p.t("no-such-broadcast")}</p>
        </Layout>,
        404,
      );
    return page(
      c,
      <Layout p={p}>
        <BroadcastResultsPage r={found} t={p.t} f={formatters(p.locale)} />
      </Layout>,
    );
  });
  app.get("/members", async (c) => {
    const p = ctxOf(c);
    if (p.role !== "admin")
      return page(
        c,
        <Layout p={p}>
          <p id="forbidden">{p.t("forbidden")}</p>
        </Layout>,
        403,
      );
    const q = (c.req.query("q") ?? "").slice(0, 40);
    const found = q ? await services.support.lookup(q) : undefined;
    return page(
      c,
      <Layout p={p}>
        <MembersPage q={q} found={found} t={p.t} f={formatters(p.locale)} />
      </Layout>,
    );
  });
  return app;
}
