import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { startDashboard } from "./support/dashboard-harness.js";
import { testDatabases } from "./support/databases.js";

/**
 * The dashboard in a real browser: Debian's chromium driven by
 * playwright-core (no browser download). Signs in through the link the bot
 * sends, opens every page, checks the figures shown against the admin API
 * and saves screenshots under test/artifacts/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(import.meta.dirname, "artifacts");
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

// CI installs Debian's chromium (.ci/run) and must run this; a machine without it skips, saying so.
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
if (!haveBrowser) console.warn(`browser test skipped: no ${CHROMIUM} (apt-get install -y chromium)`);

describe.runIf(haveBrowser).each(testDatabases)("dashboard in chromium on $name", ({ name, open }) => {
  let db: Database;
  let d: Awaited<ReturnType<typeof startDashboard>>;
  let browser: Browser;
  let page: Page;
  let adminKey: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    db = await open();
    d = await startDashboard(db);
    adminKey = (await d.services.apiKeys.createAdmin()).key;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "ru-RU" });
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
    await db?.close();
  });

  const api = async <T>(metric: string): Promise<T> => {
    const res = await fetch(`${d.base}/api/v1/admin/metrics/${metric}`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: T }).data;
  };
  const shot = (what: string) => page.screenshot({ path: join(ARTIFACTS, `${name}-${what}.png`), fullPage: true });
  const attrs = (sel: string, attr: string) =>
    page.$$eval(sel, (els, a) => els.map((e) => e.getAttribute(a as string) ?? ""), attr);

  it("When the admin follows the bot's link and signs in, then the overview shows the API's figures with sparklines", async () => {
    const link = await d.loginLink(d.admin);
    await page.goto(link);
    await page.click("#sign-in");
    await page.waitForURL(`${d.base}/dashboard`);
    type Kpi = { value: number | null };
    const o = await api<Record<string, Kpi>>("overview");
    for (const id of [
      "members",
      "activeMembers",
      "newMembers",
      "nps",
      "repurchaseRate",
      "retention",
      "liabilityKopecks",
      "averageBasketKopecks",
    ]) {
      const shown = await page.getAttribute(`[data-metric="${id}"]`, "data-value");
      expect(shown, id).toBe(o[id]?.value === null ? "" : String(o[id]?.value));
    }
    // What a person reads: grouped digits and rubles.
    const members = o.members?.value ?? 0;
    expect(await page.textContent('[data-metric="members"] .v')).toBe(new Intl.NumberFormat("ru-RU").format(members));
    expect(await page.textContent('[data-metric="liabilityKopecks"] .v')).toMatch(/^[\d\s\u00a0]+(,\d\d)?\s₽$/);
    expect(await page.textContent('[data-metric="liabilityKopecks"] .note')).toMatch(/^[\d\s\u00a0]+ балл(а|ов)?$/);
    // uPlot ran (served from the package, allowed by the CSP): the sparklines are drawn.
    await page.waitForSelector(".spark canvas");
    expect(await page.$$eval(".spark canvas", (c) => c.length)).toBeGreaterThanOrEqual(4);
    await shot("overview");
  });

  it("When the overview is opened on a phone, then it fits the screen without sideways scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${d.base}/dashboard`);
    await page.waitForSelector(".spark canvas");
    expect(await page.$eval("html", (el) => el.scrollWidth)).toBeLessThanOrEqual(390);
    await shot("overview-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("When the cohorts page opens, then each cohort's size and monthly buyers are the API's", async () => {
    await page.goto(`${d.base}/dashboard/cohorts`);
    const rows = await api<{ cohort: string; size: number; active: number[] }[]>("cohorts");
    expect(rows.length).toBeGreaterThan(0);
    expect(await attrs("tr[data-cohort]", "data-cohort")).toEqual(rows.map((r) => r.cohort));
    expect(await attrs("tr[data-cohort]", "data-size")).toEqual(rows.map((r) => String(r.size)));
    const first = rows[0];
    const cells = await attrs(`tr[data-cohort="${first?.cohort}"] td.heat`, "data-active");
    expect(cells.slice(0, first?.active.length)).toEqual(first?.active.map(String));
    await shot("cohorts");
  });

  it("When the NPS page opens, then NPS overall, by month and by store are the API's, with a chart", async () => {
    await page.goto(`${d.base}/dashboard/nps`);
    const n = await api<{
      overall: { nps: number | null };
      byMonth: { nps: number | null }[];
      byStore: { answers: number }[];
    }>("nps");
    expect(await page.getAttribute('[data-metric="nps"]', "data-value")).toBe(String(n.overall.nps));
    expect(await attrs("#nps-months tr[data-nps]", "data-nps")).toEqual(
      n.byMonth.map((m) => (m.nps === null ? "" : String(m.nps))),
    );
    expect(await attrs("#nps-stores tr[data-answers]", "data-answers")).toEqual(
      n.byStore.map((s) => String(s.answers)),
    );
    await page.waitForSelector(".chart canvas");
    await shot("nps");
  });

  it("When the stores page opens, then each store's purchases and revenue are the API's", async () => {
    await page.goto(`${d.base}/dashboard/stores`);
    const s = await api<{ storeId: number; purchases: number; revenueKopecks: number }[]>("store-sales");
    expect(await attrs("#stores tr[data-store]", "data-purchases")).toEqual(s.map((x) => String(x.purchases)));
    expect(await attrs("#stores tr[data-store]", "data-revenue")).toEqual(s.map((x) => String(x.revenueKopecks)));
    expect(await page.textContent("#stores")).toContain("Копилка в Академгородке");
    await shot("stores");
  });

  it("When a region is chosen in the filters, then the stores table narrows to it", async () => {
    await page.goto(`${d.base}/dashboard/stores`);
    await page.selectOption('select[name="region"]', "Новосибирск");
    await page.click("form.filters button");
    await page.waitForURL(/region=/);
    expect(await page.$$eval("#stores tr[data-store]", (r) => r.length)).toBe(1);
  });

  it("When the tiers page opens, then tier sizes and RFM segments are the API's", async () => {
    await page.goto(`${d.base}/dashboard/tiers`);
    const tiers = await api<{ tier: string; members: number }[]>("tiers");
    const rfm = await api<Record<string, number>>("rfm");
    expect(await attrs("#tiers tr[data-tier]", "data-members")).toEqual(tiers.map((t) => String(t.members)));
    expect(await attrs("#rfm tr[data-segment]", "data-members")).toEqual(Object.values(rfm).map(String));
    await shot("tiers");
  });

  it("When support looks a member up by code, then the card, purchases and ledger are shown", async () => {
    await page.goto(`${d.base}/dashboard/members`);
    await page.fill('input[name="q"]', "12345678");
    await page.click("form.filters button");
    await page.waitForSelector("#member");
    const balance = d.data.entries.filter((e) => e.memberId === 1).reduce((a, e) => a + e.points, 0);
    expect(await page.getAttribute("#member", "data-balance")).toBe(String(balance));
    expect(await page.textContent("#member")).toContain("Ольга");
    expect(await page.$$eval("#member-ledger tr", (r) => r.length - 1)).toBe(
      Math.min(100, d.data.entries.filter((e) => e.memberId === 1).length),
    );
    await shot("member");
  });

  it("When a broadcast has run, then its page shows each variant and the control group as the results API does", async () => {
    // Members the dataset made get chats, so the broadcast reaches them.
    const ids = (await db.query<{ id: number }>(`SELECT id FROM "Member" WHERE status = 'active' ORDER BY id`)).map(
      (r) => r.id,
    );
    await db.query(`UPDATE "Member" SET "chatId" = 7000000 + id, notifications = true WHERE status = 'active'`);
    d.tg.addChats(ids.map((id) => 7_000_000 + id));
    const id = await d.services.broadcasts.create({
      name: "Весенняя распродажа",
      variants: [{ message: { text: "−20 % на всё" } }, { message: { text: "Весна: −20 %" } }],
      controlBp: 2000,
    });
    await d.services.broadcasts.start(id);
    await d.kopilka.broadcasts(d.broadcaster).drain();

    await page.goto(`${d.base}/dashboard/broadcasts`);
    expect(await attrs("#broadcasts tr[data-broadcast]", "data-broadcast")).toContain(String(id));
    await page.click(`#broadcasts tr[data-broadcast="${id}"] a`);
    await page.waitForSelector("#results");
    const res = await fetch(`${d.base}/api/v1/admin/broadcasts/${id}/results`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    const r = (await res.json()) as { variants: { variant: string; members: number; buyers: number }[] };
    expect(await attrs("#results tr[data-variant]", "data-variant")).toEqual(["control", "A", "B"]);
    expect(await attrs("#results tr[data-variant]", "data-members")).toEqual(r.variants.map((v) => String(v.members)));
    expect(await attrs("#results tr[data-variant]", "data-buyers")).toEqual(r.variants.map((v) => String(v.buyers)));
    expect(r.variants.reduce((a, v) => a + v.members, 0)).toBe(ids.length);
    await shot("broadcast-results");
  });

  it("When the language is switched to English, then the pages speak English", async () => {
    await page.goto(`${d.base}/dashboard`);
    await page.click("header .who a");
    await page.waitForSelector('[data-metric="members"] h3');
    expect(await page.textContent('[data-metric="members"] h3')).toBe("Members");
    await shot("overview-en");
  });
});
