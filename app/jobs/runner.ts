import { hostname } from "node:os";
import { Cron } from "croner";
import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import { type Sql, sql, toParams } from "../db/sql.js";
import type { Wakeup } from "./wakeup.js";

/**
 * Kopilka's durable jobs: a table in the same database (so a job can be
 * queued in the transaction that made it necessary) and a small runner.
 *
 * Why not pg-boss or graphile-worker: their current releases need Node 22;
 * both take every time (run-at, retry delays, leases) from the database's
 * now(), which a test cannot move, where our rules (quiet hours, reminders N
 * days later) are tested on a controllable clock; and graphile-worker needs
 * a pg Pool with LISTEN, which the embedded PGlite does not offer. What we
 * need is small: claim with FOR UPDATE SKIP LOCKED, retry with backoff, a
 * uniqueness key, a lease that a crashed worker's jobs fall out of.
 */
export interface ClaimedJob {
  id: number;
  name: string;
  key: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
}

/** A handler may ask to run again later without counting an attempt (quiet hours, a paused broadcast). */
export type JobOutcome = undefined | { retryAt?: Date | undefined };
export type JobHandler = (job: ClaimedJob) => Promise<JobOutcome | undefined | void>;

/** Throw to retry at a given time (e.g. Telegram's retry_after); counts as an attempt. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly at: Date,
  ) {
    super(message);
    this.name = "RetryLater";
  }
}

/** A job queued again and again: a cron pattern read in a time zone ("0 10 * * *": daily at 10:00). */
export interface RecurringJob {
  name: string;
  cron: string;
  timeZone: string;
  payload?: Record<string, unknown>;
}

export interface JobRunnerOptions {
  db: Database;
  now: () => Date;
  log: Logger;
  handlers: Readonly<Record<string, JobHandler>>;
  recurring?: readonly RecurringJob[];
  wakeup: Wakeup;
  /** Tells processes apart in `lockedBy` (default host:pid). */
  workerId?: string;
  /** How often to look for jobs other processes queued (default 500 ms). */
  pollMs?: number;
  /** Jobs claimed per round and run at once (default 8). */
  batchSize?: number;
  /** How long a claimed job is ours; past it a crashed worker's job is taken again (default 1 minute). */
  leaseMs?: number;
}

/** Jobs with the same lane run in order: those about one member. */
function laneOf(j: ClaimedJob): string {
  const p = j.payload as { memberId?: unknown; event?: { memberId?: unknown } };
  const member = p.event?.memberId ?? p.memberId;
  return member === undefined ? `job:${j.id}` : `member:${String(member)}`;
}

/** 1 s, 4 s, 16 s … capped at an hour: a flapping Telegram is not hammered. */
export function backoffMs(attempt: number): number {
  return Math.min(3_600_000, 1000 * 4 ** Math.max(0, attempt - 1));
}

export function nextOccurrence(r: RecurringJob, after: Date): Date | null {
  return new Cron(r.cron, { timezone: r.timeZone, paused: true }).nextRun(after);
}

export function createJobRunner(opts: JobRunnerOptions) {
  const { db, log, handlers, wakeup } = opts;
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
  const pollMs = opts.pollMs ?? 500;
  const batchSize = opts.batchSize ?? 8;
  const leaseMs = opts.leaseMs ?? 60_000;
  const recurring = new Map((opts.recurring ?? []).map((r) => [r.name, r]));
  let running = false;
  let loop: Promise<void> | null = null;

  const run = <T>(q: Sql) => db.query<T>(q.text, toParams(q.values));

  /** Queues the next occurrence of each recurring job; the key makes N processes agree on one. */
  async function scheduleRecurring(only?: string) {
    const now = opts.now();
    for (const r of recurring.values()) {
      if (only && r.name !== only) continue;
      const at = nextOccurrence(r, now);
      if (!at) continue;
      await run(sql`INSERT INTO "Job" (name, key, payload, "runAt", "createdAt")
        VALUES (${r.name}, ${`${r.name}@${at.toISOString()}`}, ${JSON.stringify(r.payload ?? {})}::jsonb,
                ${at}::timestamp, ${now}::timestamp)
        ON CONFLICT (key) DO NOTHING`);
    }
  }

  async function claim(): Promise<ClaimedJob[]> {
    const now = opts.now();
    return run<ClaimedJob>(sql`
      UPDATE "Job" j SET status = 'running', attempts = j.attempts + 1, "lockedBy" = ${workerId},
             "lockedUntil" = ${new Date(now.getTime() + leaseMs)}::timestamp
      FROM (SELECT id FROM "Job"
            WHERE (status = 'queued' AND "runAt" <= ${now}::timestamp)
               OR (status = 'running' AND "lockedUntil" <= ${now}::timestamp)
            ORDER BY "runAt", id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED) c
      WHERE j.id = c.id
      RETURNING j.id, j.name, j.key, j.payload, j.attempts, j."maxAttempts"`);
  }

  /** Only the worker that holds the job may finish it: a job taken over after a lease ran out is the new holder's. */
  const mine = (id: number) => sql`id = ${id} AND "lockedBy" = ${workerId} AND status = 'running'`;

  async function execute(job: ClaimedJob) {
    const handler = handlers[job.name];
    try {
      if (!handler) throw new Error(`no handler for job ${job.name}`);
      const outcome = await handler(job);
      const now = opts.now();
      if (outcome?.retryAt) {
        await run(sql`UPDATE "Job" SET status = 'queued', attempts = attempts - 1, "runAt" = ${outcome.retryAt}::timestamp,
                      "lockedBy" = NULL, "lockedUntil" = NULL WHERE ${mine(job.id)}`);
        return;
      }
      await run(sql`UPDATE "Job" SET status = 'done', "finishedAt" = ${now}::timestamp, "lockedBy" = NULL,
                    "lockedUntil" = NULL, "lastError" = NULL WHERE ${mine(job.id)}`);
      if (recurring.has(job.name)) await scheduleRecurring(job.name);
    } catch (e) {
      const now = opts.now();
      const message = e instanceof Error ? e.message : String(e);
      const final = job.attempts >= job.maxAttempts;
      const at = e instanceof RetryLater ? e.at : new Date(now.getTime() + backoffMs(job.attempts));
      (final ? log.error : log.warn).call(
        log,
        { err: e, job: job.name, id: job.id, attempt: job.attempts },
        "job failed",
      );
      await run(sql`UPDATE "Job" SET status = ${final ? "failed" : "queued"}::"JobStatus", "runAt" = ${at}::timestamp,
                    "lastError" = ${message.slice(0, 2000)}, "lockedBy" = NULL, "lockedUntil" = NULL,
                    "finishedAt" = ${final ? now : null}::timestamp
                    WHERE ${mine(job.id)}`).catch((err) =>
        log.error({ err, id: job.id }, "could not record a job failure"),
      );
      if (final && recurring.has(job.name)) await scheduleRecurring(job.name).catch(() => {});
    }
  }

  /**
   * Claims the jobs due now and runs them; returns how many ran. Jobs about
   * one member run one after another in the order they were queued ("+180
   * points" before "You are Silver now"); different members' run at once.
   * Tests call it to step the queue.
   */
  async function runDue(): Promise<number> {
    const jobs = await claim();
    const lanes = new Map<string, ClaimedJob[]>();
    for (const j of jobs.sort((a, b) => a.id - b.id)) {
      const lane = laneOf(j);
      lanes.set(lane, [...(lanes.get(lane) ?? []), j]);
    }
    await Promise.all(
      [...lanes.values()].map(async (lane) => {
        for (const j of lane) await execute(j);
      }),
    );
    return jobs.length;
  }

  /** Runs until nothing is due (tests: after moving the clock). */
  async function drain(maxRounds = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await runDue();
      if (n === 0) return total;
      total += n;
    }
    return total;
  }

  async function work() {
    let failures = 0;
    while (running) {
      let n = 0;
      try {
        n = await runDue();
        failures = 0;
      } catch (e) {
        // The database is away (restart, network): keep the process, try again a little later.
        failures++;
        log.warn({ err: e }, "could not claim jobs");
        await wakeup.wait(Math.min(30_000, pollMs * 2 ** failures));
        continue;
      }
      if (n === 0) await wakeup.wait(pollMs);
    }
  }

  return {
    workerId,
    runDue,
    drain,
    scheduleRecurring: () => scheduleRecurring(),
    async start() {
      if (running) return;
      running = true;
      await scheduleRecurring().catch((e) => log.warn({ err: e }, "could not schedule recurring jobs"));
      loop = work();
    },
    async stop() {
      running = false;
      wakeup.notify();
      await loop;
    },
  };
}
export type JobRunner = ReturnType<typeof createJobRunner>;
