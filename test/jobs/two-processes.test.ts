import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../app/db/database.js";
import { enqueue } from "../../app/jobs/queue.js";
import { createJobRunner } from "../../app/jobs/runner.js";
import { createWakeup } from "../../app/jobs/wakeup.js";
import { testDatabases, urlOf } from "../support/databases.js";

/**
 * Two processes on one PostgreSQL: two pools (as two processes have), two
 * runners with their own worker ids, the same queue. FOR UPDATE SKIP LOCKED
 * must hand every job to exactly one of them.
 */
const postgres = testDatabases.find((d) => d.name === "postgres");

describe.skipIf(!postgres)("two workers on one PostgreSQL", () => {
  let a: Database;
  let b: Database;
  beforeAll(async () => {
    a = await (postgres as NonNullable<typeof postgres>).open({ poolSize: 4 });
    b = await openDatabase({ databaseUrl: await urlOf(a), dataDir: "", poolSize: 4, migrate: false });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it("When 300 jobs are due and two workers run at once, then each job runs exactly once", async () => {
    const now = new Date();
    await a.unitOfWork((tx) =>
      enqueue(
        tx,
        now,
        Array.from({ length: 300 }, (_, i) => ({ name: "count", key: `count-${i}`, runAt: now, payload: { i } })),
      ),
    );
    const runs = new Map<number, string[]>();
    const worker = (db: Database, id: string) =>
      createJobRunner({
        db,
        now: () => new Date(),
        log: pino({ level: "silent" }),
        wakeup: createWakeup(),
        workerId: id,
        batchSize: 5,
        handlers: {
          count: async (j) => {
            const i = Number(j.payload.i);
            runs.set(i, [...(runs.get(i) ?? []), id]);
            await new Promise((r) => setImmediate(r));
          },
        },
      });
    const [x, y] = await Promise.all([worker(a, "A").drain(), worker(b, "B").drain()]);
    expect(x + y).toBe(300);
    expect(x).toBeGreaterThan(0);
    expect(y).toBeGreaterThan(0);
    expect(runs.size).toBe(300);
    expect([...runs.values()].every((w) => w.length === 1)).toBe(true);
    const [left] = await a.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Job" WHERE status <> 'done'`);
    expect(left?.n).toBe(0);
  });
});
