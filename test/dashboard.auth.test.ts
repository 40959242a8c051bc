import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { SESSION_HOURS } from "../app/services/dashboard-auth.js";
import { startDashboard } from "./support/dashboard-harness.js";
import { testDatabases } from "./support/databases.js";

/** Sign-in and roles on the dashboard, over HTTP as a browser sends it (the browser test covers the pages). */
describe.each(testDatabases)("dashboard sign-in on $name", ({ open }) => {
  let db: Database;
  let d: Awaited<ReturnType<typeof startDashboard>>;

  beforeAll(async () => {
    db = await open();
    d = await startDashboard(db);
  });
  afterAll(async () => {
    await d?.stop();
    await db?.close();
  });

  const signIn = async (link: string) => {
    const token = new URL(link).searchParams.get("token") ?? "";
    return fetch(`${d.base}/dashboard/login`, {
      method: "POST",
      body: new URLSearchParams({ token }),
      redirect: "manual",
    });
  };
  const cookieOf = (res: Response) => /kopilka_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? "";
  const get = (path: string, cookie?: string) =>
    fetch(d.base + path, { headers: cookie ? { cookie: `kopilka_session=${cookie}` } : {}, redirect: "manual" });

  it("When no one has signed in, then every page answers 401 with how to get a link, and shows no figures", async () => {
    for (const p of [
      "/dashboard",
      "/dashboard/cohorts",
      "/dashboard/nps",
      "/dashboard/stores",
      "/dashboard/tiers",
      "/dashboard/members",
    ]) {
      const res = await get(p);
      expect(res.status, p).toBe(401);
      const body = await res.text();
      expect(body).toContain("/dashboard");
      expect(body).not.toContain("data-metric");
    }
    expect((await get("/dashboard", "forged-session-token-abcdefgh")).status).toBe(401);
  });

  it("When a shopper sends /dashboard, then the bot refuses and issues no link", async () => {
    const shopper = d.tg.user({ first_name: "Покупатель", language_code: "ru" });
    shopper.send("/dashboard");
    expect((await shopper.reply()).text).toBe("Панель метрик доступна только администраторам и маркетологам.");
    expect(await db.query(`SELECT 1 FROM "DashboardLogin"`)).toEqual([]);
  });

  it("When an admin follows the link, then GET only shows a button, POST opens a session cookie that is HttpOnly, Lax and expiring", async () => {
    const link = await d.loginLink(d.admin);
    expect(link).toMatch(new RegExp(`^${d.base}/dashboard/login\\?token=[\\w-]+$`));
    expect(d.admin.inbox.at(-1)?.text).toMatch(/одноразовая, действует 10 минут/);
    // A link preview fetching the URL spends nothing.
    expect((await fetch(link)).status).toBe(200);
    const res = await signIn(link);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\/dashboard/);
    expect(setCookie).toMatch(new RegExp(`Max-Age=${SESSION_HOURS * 3600}(;|$)`));
    const page = await get("/dashboard", cookieOf(res));
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(await page.text()).toContain('data-metric="members"');
    // Single use.
    expect((await signIn(link)).status).toBe(401);
    expect(cookieOf(await signIn(link))).toBe("");
  });

  it("When the link is older than 10 minutes, then it no longer signs in", async () => {
    const link = await d.loginLink(d.admin);
    d.clock.set(new Date(d.clock.now().getTime() + 11 * 60_000));
    try {
      const res = await signIn(link);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain("уже использована или истекла");
    } finally {
      d.clock.set(new Date("2026-03-15T12:00:00Z"));
    }
  });

  it("When a session outlives its hours or signs out, then it opens nothing", async () => {
    const cookie = cookieOf(await signIn(await d.loginLink(d.admin)));
    expect((await get("/dashboard/tiers", cookie)).status).toBe(200);
    d.clock.set(new Date(d.clock.now().getTime() + (SESSION_HOURS * 60 + 1) * 60_000));
    expect((await get("/dashboard/tiers", cookie)).status).toBe(401);
    d.clock.set(new Date("2026-03-15T12:00:00Z"));
    const other = cookieOf(await signIn(await d.loginLink(d.admin)));
    const out = await fetch(`${d.base}/dashboard/logout`, {
      method: "POST",
      headers: { cookie: `kopilka_session=${other}` },
      redirect: "manual",
    });
    expect(out.status).toBe(303);
    expect((await get("/dashboard", other)).status).toBe(401);
  });

  it("When a marketer signs in, then metrics pages open but members' data is refused with 403", async () => {
    const cookie = cookieOf(await signIn(await d.loginLink(d.marketer)));
    expect(d.marketer.inbox.at(-1)?.text).toMatch(/one-time link, valid for 10 minutes/);
    expect((await get("/dashboard/stores", cookie)).status).toBe(200);
    const res = await get("/dashboard/members?q=12345678", cookie);
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).not.toContain("Ольга");
    expect(body).not.toContain('href="/dashboard/members"');
  });
});
