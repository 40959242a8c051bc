import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../app/db/database.js";
import { sql } from "../../app/db/sql.js";

/**
 * PGlite runs transactions synchronously on the event-loop thread. Units of
 * work queued behind each other must run in the order they were asked for,
 * and let the event loop breathe between them: otherwise requests that
 * arrive meanwhile cannot even be read, and a few wait seconds (`bench pos`).
 */
describe("PGlite units of work", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ dataDir: "memory://" });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("When forty units of work queue at once, then they run first come, first served", async () => {
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db.unitOfWork(async (tx) => {
          order.push(i);
          await tx.many(sql`SELECT ${i}::int AS i`);
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("When units of work are queued, then a timer due meanwhile runs before the queue is drained", async () => {
    const started: number[] = [];
    let timerAfter = -1;
    const work = Array.from({ length: 40 }, (_, i) =>
      db.unitOfWork(async (tx) => {
        started.push(i);
        await tx.many(sql`SELECT pg_sleep(0.001)`);
      }),
    );
    setTimeout(() => {
      timerAfter = started.length;
    }, 0);
    await Promise.all(work);
    expect(timerAfter).toBeGreaterThanOrEqual(0);
    expect(timerAfter).toBeLessThan(40);
  });
});
