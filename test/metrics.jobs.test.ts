import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import type { Database } from "../app/db/database.js";
import { defaultOutbox } from "../app/events/outbox.js";
import { createMetricsService } from "../app/metrics/index.js";
import { defaultProgram } from "../domain/index.js";
import { startBot } from "./support/bot-harness.js";
import { testDatabases } from "./support/databases.js";
import { createStore, testClock, uniquePhone } from "./support/fixtures.js";

/**
 * The metrics.rollup job keeps the dashboard's rollups: purchases, line
 * items and returns recorded through the real write path are rolled up by the
 * job, and the rollups then answer what the raw statements answer.
 */
describe.each(testDatabases)("the metrics rollup job on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let storeId: number;
  const clock = testClock(new Date("2026-03-02T08:00:00Z"));
  let receipt = 0;

  beforeAll(async () => {
    db = await open();
    storeId = (await createStore(db, { name: "Копилка на Тверской" })).id;
    h = await startBot(db, { clock });
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  const state = async () =>
    (
      await db.query<{ p: number; c: number | null }>(
        `SELECT "purchaseId" AS p, "catchUpCursor" AS c FROM "MetricsRollupState"`,
      )
    )[0];
  const maxPurchase = async () =>
    (await db.query<{ p: number }>(`SELECT COALESCE(max(id), 0)::int AS p FROM "Purchase"`))[0]?.p;

  async function buy(memberId: number, amountKopecks: number) {
    await h.services.purchases.recordPurchase({
      storeId,
      member: { id: memberId },
      receiptId: `MJ-${++receipt}`,
      amountKopecks,
      items: [
        { sku: "bread-1", category: "bakery", amountKopecks: Math.floor(amountKopecks / 3) },
        { sku: "milk-1", category: "dairy", amountKopecks: Math.floor(amountKopecks / 4) },
      ],
    });
  }

  it("When purchases and returns are recorded and the job runs, then the rollups hold them and answer as the raw rows do", async () => {
    const members: { id: number }[] = [];
    for (let i = 0; i < 4; i++)
      members.push(
        await h.services.members.enroll({
          telegramId: 7000 + i,
          chatId: 7000 + i,
          phone: uniquePhone(),
          firstName: "Вера",
        }),
      );
    for (const [i, m] of members.entries()) {
      await buy(m.id, 150_000 + i * 10_000);
      if (i % 2 === 0) await buy(m.id, 90_000);
    }
    clock.set(new Date("2026-03-20T08:00:00Z"));
    const [first, second] = members as [{ id: number }, { id: number }];
    await buy(first.id, 300_000);
    await h.services.purchases.recordReturn({ storeId, receiptId: "MJ-1", amountKopecks: 50_000, returnKey: "mj-r1" });
    clock.set(new Date("2026-04-03T08:06:00Z"));
    await h.idle();
    // The job caught up (nothing was rolled up by a read: no metric has been asked yet).
    expect(await state()).toEqual({ p: await maxPurchase(), c: null });

    await buy(second.id, 120_000);
    await h.services.purchases.recordReturn({ storeId, receiptId: "MJ-2", amountKopecks: 20_000, returnKey: "mj-r2" });
    clock.set(new Date("2026-04-03T08:11:00Z"));
    await h.idle();
    expect(await state()).toEqual({ p: await maxPurchase(), c: null });

    const ctx = {
      db,
      program: defaultProgram,
      now: clock.now,
      log: pino({ level: "silent" }),
      outbox: defaultOutbox(),
    };
    const direct = createMetricsService(ctx, { rollups: false });
    const rolled = createMetricsService(ctx);
    const s = { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-05-01T00:00:00Z") };
    const all = async (m: typeof direct) => ({
      overview: await m.overview(s),
      category: await m.repurchaseByCategory(s),
      cohorts: await m.cohorts(s),
      loyalty: await m.loyaltyCost(s),
      stores: await m.salesByStore(s),
      ltv: await m.ltv(s),
      tiers: await m.tiers(s),
      rfm: await m.rfm(s),
    });
    const want = await all(direct);
    expect(want.overview.activeMembers.value).toBe(4);
    expect(want.overview.repurchaseRate.value).toBe(75);
    expect(await all(rolled)).toEqual(want);
  });
});
