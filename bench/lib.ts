/** Small helpers the benchmark sections share. */
import { type Database, openDatabase } from "../app/db/database.js";

export interface Measure {
  ops: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

/** Runs `total` operations spread over `workers` concurrent loops. */
export async function measure(total: number, workers: number, op: (i: number) => Promise<unknown>): Promise<Measure> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < total; i = next++) {
        const s = performance.now();
        await op(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { ops: total, seconds, perSecond: total / seconds, p50ms: pct(0.5), p99ms: pct(0.99) };
}

export function row(label: string, m: Measure, extra = "") {
  console.log(
    `  ${label.padEnd(44)} ${m.perSecond.toFixed(0).padStart(8)}/s   p50 ${m.p50ms.toFixed(2).padStart(6)} ms   p99 ${m.p99ms
      .toFixed(2)
      .padStart(6)} ms ${extra}`,
  );
}

export function ratio(label: string, value: number, target: string) {
  console.log(`  ${label.padEnd(44)} ${value.toFixed(2).padStart(8)}    (target ${target})`);
}

/** A fresh database `name` on the benchmark's PostgreSQL server; `drop()` removes it. */
export async function benchDatabase(adminUrl: string, name: string) {
  const pg = (await import("pg")).default;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * Parts of one measure (alternated runs, so neither side pays alone for the tables' growth) as one; the p50
 * is the parts' weighted by their operations, so folding many parts in turn weighs each alike.
 */
export function mergeMeasures(a: Measure, b: Measure): Measure {
  return {
    ops: a.ops + b.ops,
    seconds: a.seconds + b.seconds,
    perSecond: (a.ops + b.ops) / (a.seconds + b.seconds),
    p50ms: (a.p50ms * a.ops + b.p50ms * b.ops) / (a.ops + b.ops),
    p99ms: Math.max(a.p99ms, b.p99ms),
  };
}

/** Runs `section` on an in-memory PGlite, then on a fresh database `name` of the PostgreSQL server when given. */
export async function onBothDatabases(
  postgresUrl: string | undefined,
  name: string,
  section: (label: string, db: Database) => Promise<void>,
) {
  const lite = await openDatabase({ dataDir: "memory://" });
  try {
    await section("PGlite", lite);
  } finally {
    await lite.close();
  }
  if (!postgresUrl) return;
  const fresh = await benchDatabase(postgresUrl, name);
  const db = await openDatabase({ databaseUrl: fresh.url, dataDir: "" });
  try {
    await section("PostgreSQL", db);
  } finally {
    await db.close();
    await fresh.drop();
  }
}
