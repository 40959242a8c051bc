import { Prisma } from "../../generated/prisma/client.js";
import { type SqlTx, sql } from "../db/sql.js";

/** A job to run later: by name (a handler in app/jobs/handlers), with a JSON payload. */
export interface JobSpec {
  name: string;
  payload?: Record<string, unknown>;
  /** When it may run; now when absent. */
  runAt: Date;
  /**
   * Uniqueness key: a job with this key is queued once, ever (until pruned).
   * Event jobs use `<job>:<event id>`, recurring ones `<job>@<occurrence>`.
   */
  key?: string;
  maxAttempts?: number;
}

function values(jobs: readonly JobSpec[], now: Date) {
  return Prisma.join(
    jobs.map(
      (j) =>
        sql`(${j.name}, ${j.key ?? null}, ${JSON.stringify(j.payload ?? {})}::jsonb, ${j.runAt}::timestamp,
             ${j.maxAttempts ?? 8}, ${now}::timestamp)`,
    ),
  );
}

/**
 * Queues jobs inside the caller's unit of work: they exist if and only if it
 * commits. A key queued before is skipped. Wakes this process's runner after
 * the commit.
 */
export async function enqueue(tx: SqlTx, now: Date, jobs: readonly JobSpec[], wake?: () => void): Promise<number> {
  if (jobs.length === 0) return 0;
  const rows = await tx.many<{ id: number }>(sql`
    INSERT INTO "Job" (name, key, payload, "runAt", "maxAttempts", "createdAt") VALUES ${values(jobs, now)}
    ON CONFLICT (key) DO NOTHING RETURNING id`);
  if (wake && rows.length) tx.afterCommit(wake);
  return rows.length;
}
