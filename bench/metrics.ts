/**
 * npm run bench -- metrics: every dashboard query's time, and each page and
 * the whole dashboard as the server loads them (a page's queries at once),
 * on a generated chain (bench/data.ts). The reference, measured in the same
 * run, is one sequential count of all purchases.
 *
 *   BENCH_DATABASE_URL=postgresql://…  use a chain built before with `npm run bench:data`
 *   BENCH_MEMBERS=100000               otherwise build one of this size on a fresh database
 */
import { defaultOutbox } from "../app/events/outbox.js";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { type Database, openDatabase } from "../app/db/database.js";
import { createMetricsService, type MetricsScope } from "../app/metrics/index.js";
import { defaultProgram } from "../domain/index.js";
import { buildChain } from "./data.js";
import { benchDatabase } from "./lib.js";

const TARGET_QUERY_MS = 2000;
const TARGET_DASHBOARD_MS = 5000;

/** The highest peak resident memory (VmHWM, kB) among this database's server backends, when /proc shows them. */
async function backendPeaks(db: Database): Promise<number | null> {
  const pids = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
  );
  let peak: number | null = null;
  for (const { pid } of pids) {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) peak = Math.max(peak ?? 0, Number(m[1]));
    } catch {
      // Another machine's server, or no permission: no figure.
    }
  }
  return peak;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

export async function benchMetrics(serverUrl: string | undefined) {
  const existing = process.env.BENCH_DATABASE_URL;
  const members = Number(process.env.BENCH_MEMBERS ?? (serverUrl ? 100_000 : 10_000));
  let db: Database;
  let drop = async () => {};
  console.log("\nmetrics — dashboard queries on a generated chain");
  if (existing) {
    db = await openDatabase({ databaseUrl: existing, dataDir: "" });
  } else if (serverUrl) {
    const b = await benchDatabase(serverUrl, "kopilka_bench_metrics");
    db = await openDatabase({ databaseUrl: b.url, dataDir: "" });
    drop = b.drop;
  } else {
    db = await openDatabase({ dataDir: "memory://" });
  }
  try {
    const [[{ last } = { last: null }]] = await Promise.all([
      db.query<{ last: Date | null }>(`SELECT max(at) AS last FROM "Purchase"`),
    ]);
    let end = last ? new Date(last.getTime() + 1) : new Date();
    if (!existing) {
      end = new Date("2026-11-01T00:00:00Z");
      console.log(`  building ${members.toLocaleString("en")} members on ${db.kind} (npm run bench:data)…`);
      const built = await buildChain(db, defaultProgram, { members, end, log: () => {} });
      console.log(
        `  built: ${built.purchases.toLocaleString("en")} purchases, ${built.entries.toLocaleString("en")} ledger entries in ${built.seconds.toFixed(0)} s`,
      );
    }
    const [c = { m: 0, p: 0, l: 0 }] = await db.query<{ m: number; p: number; l: number }>(
      `SELECT (SELECT count(*) FROM "Member")::int AS m, (SELECT count(*) FROM "Purchase")::int AS p,
              (SELECT count(*) FROM "LedgerEntry")::int AS l`,
    );
    console.log(
      `  data: ${c.m.toLocaleString("en")} members, ${c.p.toLocaleString("en")} purchases, ${c.l.toLocaleString("en")} ledger entries (${db.kind})`,
    );
    const metrics = createMetricsService({
      outbox: defaultOutbox(),
      db,
      program: defaultProgram,
      now: () => end,
      log: pino({ level: "silent" }),
    });
    // The rollups the dashboard reads: the first catch-up of the past (what a deployment's first
    // metrics.rollup job does), with the peak memory of this process and of the server backends.
    const [{ temp: temp0 } = { temp: 0 }] =
      db.kind === "postgres"
        ? await db.query<{ temp: number }>(
            `SELECT temp_bytes::float8 AS temp FROM pg_stat_database WHERE datname = current_database()`,
          )
        : [];
    const t0 = performance.now();
    const [status, catchUpMs] = await timed(() =>
      metrics.refreshRollups({
        catchUp: true,
        onBatch: (done, total, phase) =>
          process.stdout.write(
            `\r  rollups: ${phase === "dimensions" ? "filling the tier and cohort rollups: members" : phase === "storeCategories" ? "filling the store × category days: purchase ids" : phase === "categoryScopes" ? "filling the category × region and × cohort scopes: members" : phase === "tierScopes" ? "filling the tier scopes: members" : phase === "receiptScopes" ? "filling the tier scopes' receipts: members" : phase === "cohortLedger" ? "filling the cohorts' ledger: entry ids" : phase === "tierRegions" ? "filling the tier scopes per region: members" : "catching up: members"} ${done}/${total} at ${((performance.now() - t0) / 1000).toFixed(0)} s   `,
          ),
      }),
    );
    process.stdout.write("\n");
    const backendPeakKb = db.kind === "postgres" ? await backendPeaks(db) : null;
    const [{ temp: temp1 } = { temp: 0 }] =
      db.kind === "postgres"
        ? await db.query<{ temp: number }>(
            `SELECT temp_bytes::float8 AS temp FROM pg_stat_database WHERE datname = current_database()`,
          )
        : [];
    const [size = { cube: 0, ret: 0, days: 0 }] = await db.query<{ cube: number; ret: number; days: number }>(
      `SELECT (SELECT count(*) FROM "MetricsCube")::int AS cube, (SELECT count(*) FROM "MetricsRetention")::int AS ret,
              (SELECT count(*) FROM "MetricsStoreDay")::int + (SELECT count(*) FROM "MetricsCategoryDay")::int
              + (SELECT count(*) FROM "MetricsStoreCategoryDay")::int
              + (SELECT count(*) FROM "MetricsLedgerDay")::int AS days`,
    );
    console.log(
      `  rollups: ${status.caughtUp ? "caught up" : "NOT caught up"}${status.dimensions ? " with the tier and cohort ones" : ", tier and cohort ones NOT filled"}${status.storeCategories ? " and the store × category days" : ", store × category days NOT filled"}${status.categoryScopes ? " and the category scopes" : ", category scopes NOT filled"}${status.tierScopes ? " and the tier scopes" : ", tier scopes NOT filled"}${status.receiptScopes ? " and their receipts" : ", their receipts NOT filled"}${status.cohortLedger ? " and the cohorts' ledger" : ", the cohorts' ledger NOT filled"}${status.tierRegions ? " and the tier scopes per region" : ", the tier scopes per region NOT filled"} in ${(catchUpMs / 1000).toFixed(1)} s; ${size.cube.toLocaleString("en")} cube rows, ${size.ret.toLocaleString("en")} retention rows, ${size.days.toLocaleString("en")} day rows; peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB` +
        (backendPeakKb !== null
          ? `, of a server backend ${(backendPeakKb / 1024).toFixed(0)} MB, temp files ${((temp1 - temp0) / 2 ** 20).toFixed(0)} MB`
          : ""),
    );
    const [, noopMs] = await timed(() => metrics.refreshRollups({ catchUp: true }));
    console.log(`  rollups: a refresh with nothing new ${noopMs.toFixed(0)} ms`);
    const s: MetricsScope = metrics.period();
    const [, refMs] = await timed(() => db.query(`SELECT count(*) FROM "Purchase"`));
    const [, ref] = await timed(() => db.query(`SELECT count(*) FROM "Purchase"`));
    console.log(`  reference: count(*) over all purchases ${ref.toFixed(0)} ms (cold ${refMs.toFixed(0)} ms)`);
    console.log(`  period ${s.from.toISOString().slice(0, 10)} … ${s.to.toISOString().slice(0, 10)}`);

    // Every filter the dashboard and the API offer (period, store or region, tier, cohort), each alone and
    // all at once, on every query; BENCH_METRICS_FILTERS=none,tier,… picks some.
    const [store] = await db.query<{ id: number; region: string }>(
      `SELECT id, region FROM "Store" ORDER BY id LIMIT 1`,
    );
    const region = "Москва";
    const cohort = s.from.toISOString().slice(0, 7);
    const filters: [string, Partial<MetricsScope>][] = [
      ["none", {}],
      [`region=${region}`, { region }],
      [`store=${store?.id ?? 1}`, { storeId: store?.id ?? 1 }],
      ["tier=gold", { tierCode: "gold" }],
      ["tier=base", { tierCode: "base" }],
      [`cohort=${cohort}`, { cohort }],
      [`region+tier=silver+cohort`, { region, tierCode: "silver", cohort }],
      [`region+tier=gold`, { region, tierCode: "gold" }],
      [`region+tier=base`, { region, tierCode: "base" }],
      [`region+cohort`, { region, cohort }],
      [`store+tier=gold`, { storeId: store?.id ?? 1, tierCode: "gold" }],
    ];
    const picked = process.env.BENCH_METRICS_FILTERS?.split(",");
    const queries: [string, (x: MetricsScope) => Promise<unknown>][] = [
      ["activity (members, active, new, basket…)", (x) => metrics.activity(x)],
      ["repurchase by category", (x) => metrics.repurchaseByCategory(x)],
      ["nps (overall, month, store)", (x) => metrics.nps(x)],
      ["retention / churn", (x) => metrics.retention(x)],
      ["cohorts", (x) => metrics.cohorts(x)],
      ["points liability and flows", (x) => metrics.points(x)],
      ["monthly series (sparklines)", (x) => metrics.series(x)],
      ["realized LTV", (x) => metrics.ltv(x)],
      ["loyalty cost per store/category", (x) => metrics.loyaltyCost(x)],
      ["RFM segments", (x) => metrics.rfm(x)],
      ["tier distribution", (x) => metrics.tiers(x)],
      ["receipt share", (x) => metrics.receiptShare(x)],
      ["sales by store", (x) => metrics.salesByStore(x)],
    ];
    let worst = 0;
    const over: string[] = [];
    for (const [fl, f] of filters) {
      if (picked && !picked.some((p) => fl.startsWith(p))) continue;
      console.log(`  filter ${fl}`);
      for (const [label, q] of queries) {
        const [, ms] = await timed(() => q({ ...s, ...f }));
        worst = Math.max(worst, ms);
        if (ms > TARGET_QUERY_MS) over.push(`${label} [${fl}]`);
        console.log(
          `    ${label.padEnd(42)} ${ms.toFixed(0).padStart(7)} ms  ${(ms / ref).toFixed(2).padStart(6)}× ref  ${ms <= TARGET_QUERY_MS ? "ok" : "OVER"} (≤ ${TARGET_QUERY_MS} ms)`,
        );
      }
    }
    console.log(`  queries over ${TARGET_QUERY_MS} ms: ${over.length ? over.join("; ") : "none"}`);
    const pages: [string, () => Promise<unknown>][] = [
      ["overview", () => metrics.overview(s)],
      ["cohorts", () => metrics.cohorts(s)],
      ["nps", () => Promise.all([metrics.nps(s), metrics.stores()])],
      [
        "stores",
        () => Promise.all([metrics.salesByStore(s), metrics.nps(s), metrics.loyaltyCost(s), metrics.receiptShare(s)]),
      ],
      ["tiers", () => Promise.all([metrics.tiers(s), metrics.rfm(s)])],
    ];
    let total = 0;
    for (const [label, p] of pages) {
      const [, ms] = await timed(p);
      total += ms;
      console.log(`  page ${label.padEnd(39)} ${ms.toFixed(0).padStart(7)} ms`);
    }
    console.log(
      `  whole dashboard (every page once)            ${total.toFixed(0).padStart(7)} ms  ${total <= TARGET_DASHBOARD_MS ? "ok" : "OVER"} (≤ ${TARGET_DASHBOARD_MS} ms); slowest query ${worst.toFixed(0)} ms`,
    );
  } finally {
    await db.close();
    await drop();
  }
}
