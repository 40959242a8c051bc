import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { sql } from "../../app/db/sql.js";
import { enqueue } from "../../app/jobs/queue.js";
import { type ClaimedJob, createJobRunner, type JobHandler, RetryLater } from "../../app/jobs/runner.js";
import { createWakeup } from "../../app/jobs/wakeup.js";
import { testDatabases } from "../support/databases.js";
import { testClock } from "../support/fixtures.js";

const log = pino({ level: "silent" });

describe.each(testDatabases)("durable jobs on $name", ({ open }) => {
  let db: Database;
  const clock = testClock(new Date("2026-03-01T07:00:00Z"));
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db?.close();
  });

  const runner = (handlers: Record<string, JobHandler>, extra: Partial<Parameters<typeof createJobRunner>[0]> = {}) =>
    createJobRunner({ db, now: clock.now, log, handlers, wakeup: createWakeup(), ...extra });
  const queue = (
    name: string,
    o: { key?: string; runAt?: Date; payload?: Record<string, unknown>; maxAttempts?: number } = {},
  ) => db.unitOfWork((tx) => enqueue(tx, clock.now(), [{ name, runAt: o.runAt ?? clock.now(), ...o }]));
  const job = async (key: string) =>
    (
      await db.query<{ status: string; attempts: number; runAt: Date; lastError: string | null }>(
        `SELECT status::text AS status, attempts, "runAt", "lastError" FROM "Job" WHERE key = $1`,
        [key],
      )
    )[0];

  it("When a job is due later, then it runs only once the clock gets there, and once", async () => {
    const ran: number[] = [];
    const r = runner({ once: async (j) => void ran.push(j.id) });
    await queue("once", { key: "once-1", runAt: new Date(clock.now().getTime() + 3_600_000) });
    expect(await r.drain()).toBe(0);
    clock.set(new Date(clock.now().getTime() + 3_600_000));
    expect(await r.drain()).toBe(1);
    expect(await r.drain()).toBe(0);
    expect(ran).toHaveLength(1);
    expect((await job("once-1"))?.status).toBe("done");
  });

  it("When the same key is queued twice, then there is one job", async () => {
    let runs = 0;
    const r = runner({ dup: async () => void runs++ });
    expect(await queue("dup", { key: "dup-1" })).toBe(1);
    expect(await queue("dup", { key: "dup-1" })).toBe(0);
    await r.drain();
    expect(await queue("dup", { key: "dup-1" })).toBe(0); // done jobs keep their key
    await r.drain();
    expect(runs).toBe(1);
  });

  it("When a job fails, then it is retried with growing backoff and gives up after its attempts", async () => {
    let calls = 0;
    const r = runner({
      flaky: async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
    });
    await queue("flaky", { key: "flaky-1", maxAttempts: 3 });
    const t0 = clock.now().getTime();
    await r.drain();
    expect(await job("flaky-1")).toMatchObject({ status: "queued", attempts: 1, lastError: "boom 1" });
    expect((await job("flaky-1"))?.runAt.getTime()).toBe(t0 + 1000);
    clock.set(new Date(t0 + 1000));
    await r.drain();
    expect((await job("flaky-1"))?.runAt.getTime()).toBe(t0 + 1000 + 4000);
    clock.set(new Date(t0 + 5000));
    await r.drain();
    expect(await job("flaky-1")).toMatchObject({ status: "failed", attempts: 3, lastError: "boom 3" });
    clock.set(new Date(t0 + 3_600_000));
    await r.drain();
    expect(calls).toBe(3);
  });

  it("When a handler says when to try again (Telegram's retry_after), then that time is used", async () => {
    const r = runner({
      wait: async (j: ClaimedJob) => {
        if (j.attempts === 1) throw new RetryLater("429", new Date(clock.now().getTime() + 7000));
      },
    });
    await queue("wait", { key: "wait-1" });
    const t0 = clock.now().getTime();
    await r.drain();
    expect((await job("wait-1"))?.runAt.getTime()).toBe(t0 + 7000);
    clock.set(new Date(t0 + 7000));
    await r.drain();
    expect((await job("wait-1"))?.status).toBe("done");
  });

  it("When a worker dies holding a job, then another takes it once the lease ran out", async () => {
    const dead = runner({ lease: () => new Promise<never>(() => {}) }, { leaseMs: 60_000, workerId: "dead" });
    await queue("lease", { key: "lease-1" });
    void dead.runDue(); // claims the job and never finishes, like a process killed mid-job
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const check = async () => {
        if ((await job("lease-1"))?.status === "running") return resolve();
        if (Date.now() - started > 5000) return reject(new Error("never claimed"));
        setTimeout(check, 10);
      };
      void check();
    });
    let ran = 0;
    const alive = runner({ lease: async () => void ran++ }, { workerId: "alive" });
    expect(await alive.drain()).toBe(0); // still leased
    clock.set(new Date(clock.now().getTime() + 60_000));
    expect(await alive.drain()).toBe(1);
    expect(ran).toBe(1);
    expect(await job("lease-1")).toMatchObject({ status: "done", attempts: 2 });
  });

  it("When a recurring job is daily at 10:00 in Yekaterinburg, then it is queued for 10:00 there and again after it ran", async () => {
    clock.set(new Date("2026-03-02T06:00:00Z")); // 11:00 in Yekaterinburg
    let runs = 0;
    const r = runner(
      { daily: async () => void runs++ },
      { recurring: [{ name: "daily", cron: "0 10 * * *", timeZone: "Asia/Yekaterinburg" }] },
    );
    await r.scheduleRecurring();
    await r.scheduleRecurring(); // a second process starting: still one occurrence
    const next = await db.query<{ key: string }>(`SELECT key FROM "Job" WHERE name = 'daily' ORDER BY id`);
    expect(next.map((j) => j.key)).toEqual(["daily@2026-03-03T05:00:00.000Z"]);
    clock.set(new Date("2026-03-03T05:00:00Z"));
    await r.drain();
    expect(runs).toBe(1);
    const after = await db.query<{ key: string }>(`SELECT key FROM "Job" WHERE name = 'daily' AND status = 'queued'`);
    expect(after.map((j) => j.key)).toEqual(["daily@2026-03-04T05:00:00.000Z"]);
  });

  it("When a handler holds a job (quiet hours), then it moves without using up an attempt", async () => {
    const until = new Date(clock.now().getTime() + 5 * 3_600_000);
    let calls = 0;
    const r = runner({ hold: async () => (++calls === 1 ? { retryAt: until } : undefined) });
    await queue("hold", { key: "hold-1", maxAttempts: 1 });
    await r.drain();
    expect(await job("hold-1")).toMatchObject({ status: "queued", attempts: 0 });
    clock.set(until);
    await r.drain();
    expect(await job("hold-1")).toMatchObject({ status: "done", attempts: 1 });
  });

  it("When a job is queued in a unit of work that rolls back, then it does not exist", async () => {
    await expect(
      db.unitOfWork(async (tx) => {
        await enqueue(tx, clock.now(), [{ name: "ghost", key: "ghost-1", runAt: clock.now() }]);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await job("ghost-1")).toBeUndefined();
    await db.unitOfWork((tx) => tx.many(sql`SELECT 1`));
  });
});
