import pino from "pino";
import { type Database, openDatabase } from "../app/db/database.js";
import { enqueue } from "../app/jobs/queue.js";
import { createJobRunner } from "../app/jobs/runner.js";
import { createWakeup } from "../app/jobs/wakeup.js";
import { benchDatabase, ratio } from "./lib.js";

/**
 * Jobs claimed and completed per second on PostgreSQL by 4 workers (each
 * with its own pool, as 4 processes would have), beside the same claim loop
 * written directly in SQL on the driver: the runner's own cost.
 */
const JOBS = 20_000;
const WORKERS = 4;
const BATCH = 8;

async function fill(db: Database, tag: string) {
  const now = new Date(Date.now() - 1000);
  for (let i = 0; i < JOBS; i += 1000)
    await db.unitOfWork((tx) =>
      enqueue(
        tx,
        now,
        Array.from({ length: Math.min(1000, JOBS - i) }, (_, k) => ({
          name: "noop",
          key: `${tag}-${i + k}`,
          runAt: now,
        })),
      ),
    );
}

export async function benchJobs(postgresUrl: string | undefined) {
  console.log("\n== jobs: claimed and completed per second ==");
  if (!postgresUrl) {
    console.log("PostgreSQL: skipped (no server: install postgresql or set TEST_DATABASE_URL)");
    return;
  }
  const fresh = await benchDatabase(postgresUrl, "kopilka_bench_jobs");
  const dbs = await Promise.all(
    Array.from({ length: WORKERS }, (_, i) =>
      openDatabase({ databaseUrl: fresh.url, dataDir: "", poolSize: 2, migrate: i === 0 }),
    ),
  );
  try {
    // The runner (app/jobs/runner.ts): claim, run the handler, mark done.
    await fill(dbs[0] as Database, "runner");
    const t0 = performance.now();
    const counts = await Promise.all(
      dbs.map((db, i) =>
        createJobRunner({
          db,
          now: () => new Date(),
          log: pino({ level: "silent" }),
          wakeup: createWakeup(),
          workerId: `w${i}`,
          batchSize: BATCH,
          handlers: { noop: async () => {} },
        }).drain(1_000_000),
      ),
    );
    const runnerRate = JOBS / ((performance.now() - t0) / 1000);

    // Reference: the same claim and completion statements in a bare loop.
    await dbs[0]?.exec(`DELETE FROM "Job"`);
    await fill(dbs[0] as Database, "raw");
    const t1 = performance.now();
    await Promise.all(
      dbs.map(async (db, i) => {
        for (;;) {
          const claimed = await db.query<{ id: number }>(
            `UPDATE "Job" j SET status = 'running', attempts = j.attempts + 1, "lockedBy" = $1,
                    "lockedUntil" = now() + interval '1 minute'
             FROM (SELECT id FROM "Job" WHERE status = 'queued' AND "runAt" <= now()
                   ORDER BY "runAt", id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED) c
             WHERE j.id = c.id RETURNING j.id`,
            [`r${i}`],
          );
          if (!claimed.length) return;
          await Promise.all(
            claimed.map((c) =>
              db.query(`UPDATE "Job" SET status = 'done', "finishedAt" = now(), "lockedBy" = NULL WHERE id = $1`, [
                c.id,
              ]),
            ),
          );
        }
      }),
    );
    const rawRate = JOBS / ((performance.now() - t1) / 1000);
    console.log(`\nPostgreSQL, ${WORKERS} workers (own pools), ${JOBS} jobs, batches of ${BATCH}`);
    console.log(
      `  runner (app/jobs/runner.ts)                  ${runnerRate.toFixed(0).padStart(8)}/s   split ${counts.join(" / ")}`,
    );
    console.log(`  reference: the claim loop in raw SQL         ${rawRate.toFixed(0).padStart(8)}/s`);
    ratio("raw SQL / runner (lower is better)", rawRate / runnerRate, "≤ 1.5");
  } finally {
    for (const db of dbs) await db.close();
    await fresh.drop();
  }
}
