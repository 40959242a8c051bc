import { afterAll, beforeAll, expect } from "vitest";
import type { Database } from "../../app/db/database.js";
import type { Program } from "../../domain/index.js";
import { startApi } from "../support/api-harness.js";
import { createStore, testClock } from "../support/fixtures.js";

const START = "2026-03-02T08:00:00Z"; // Monday, 11:00 in Moscow
const DAY = 86_400_000;

/**
 * Challenges over the POS API, for a describe block: two stores (the second
 * for a pilot or another visit place), the API on a test clock moved in days
 * from Monday 2 March 2026, and purchases and returns that must answer 201.
 * The reactions run when the test says (`t.h.idle()`). Registers its own
 * beforeAll and afterAll.
 */
export function challengesOverPos(
  open: () => Promise<Database>,
  programFor: (secondStoreId: number) => Program,
  receiptPrefix: string,
) {
  const clock = testClock(new Date(START));
  const t = {} as { db: Database; h: Awaited<ReturnType<typeof startApi>>; key: string; secondKey: string };
  let receipt = 0;
  beforeAll(async () => {
    t.db = await open();
    const main = await createStore(t.db, { name: "Копилка на Тверской" });
    const second = await createStore(t.db, { name: "Копилка на Арбате" });
    t.h = await startApi(t.db, { clock, program: programFor(second.id) });
    t.key = (await t.h.services.apiKeys.create(main.id)).key;
    t.secondKey = (await t.h.services.apiKeys.create(second.id)).key;
  });
  afterAll(async () => {
    await t.h?.stop();
    await t.db?.close();
  });
  return {
    t,
    at(days: number) {
      clock.set(new Date(Date.parse(START) + days * DAY));
    },
    /** A purchase at the first store (or the store of `key`), with items when given. */
    async purchase(
      code: string,
      amount: number,
      opts: { items?: { sku: string; category: string; amount: number }[]; key?: string } = {},
    ) {
      const r = await t.h.call("POST", "/purchases", {
        key: opts.key ?? t.key,
        body: {
          memberCode: code,
          receiptId: `${receiptPrefix}-${++receipt}`,
          amount,
          ...(opts.items ? { items: opts.items } : {}),
        },
      });
      expect(r.status).toBe(201);
      return r.json as { purchaseId: number; receiptId: string; balance: number };
    },
    async giveBack(receiptId: string, amount: number) {
      const r = await t.h.call("POST", "/returns", {
        key: t.key,
        body: { receiptId, amount, returnId: `R-${receiptId}-${++receipt}` },
      });
      expect(r.status).toBe(201);
    },
    /** Queues the jobs named like `pattern` again, as a redelivery would, and runs them. */
    async rerunJobs(pattern: string) {
      await t.db.exec(`UPDATE "Job" SET status = 'queued', "runAt" = '2026-01-01', attempts = 0
                       WHERE name LIKE '${pattern}'`);
      await t.h.idle();
    },
  };
}
