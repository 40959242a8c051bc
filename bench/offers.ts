import pino from "pino";
import { openDatabase } from "../app/db/database.js";
import { createServices } from "../app/services/index.js";
import { memberFacts } from "../app/conditions/sql.js";
import { sql } from "../app/db/sql.js";
import { type Condition, evaluate, parseProgram } from "../domain/index.js";
import { buildChain } from "./data.js";
import { benchDatabase, measure, ratio, row } from "./lib.js";

/**
 * npm run bench -- offers: on PostgreSQL with a chain of 100,000 members
 * (two years of purchases with line items, npm run bench:data's generator):
 *
 * - purchases (with items) per second through the service with 200 active
 *   offers, beside the same purchases with no offers (target ≥ 0.70×);
 * - one member's offer evaluation (their history loaded once, 200
 *   conditions evaluated, the open ones listed), p95 (target ≤ 5 ms);
 * - the nightly trigger scan over every member (target ≤ 60 s).
 */
export async function benchOffers(postgresUrl: string | undefined) {
  const members = Number(process.env.BENCH_OFFERS_MEMBERS ?? 100_000);
  console.log(`\n== offers: ${members.toLocaleString("en")} members, 200 active offers (PostgreSQL) ==`);
  if (!postgresUrl) {
    console.log("PostgreSQL: skipped (no server: install postgresql or set TEST_DATABASE_URL)");
    return;
  }
  const fresh = await benchDatabase(postgresUrl, "kopilka_bench_offers");
  const db = await openDatabase({ databaseUrl: fresh.url, dataDir: "" });
  try {
    const end = new Date();
    // Loyalty may take half the margin here, so a gold member's accrual (10 %) leaves room for
    // offers and the with-offers run evaluates and pays them (both runs use this program).
    const program = parseProgram({ economics: { maxLoyaltyShareOfMarginBp: 5000 } });
    const built = await buildChain(db, program, { members, end, log: () => {} });
    console.log(
      `  built: ${built.purchases.toLocaleString("en")} purchases with their lines in ${built.seconds.toFixed(0)} s`,
    );
    // Everyone has a chat (the scan only picks members it can tell).
    await db.query(`UPDATE "Member" SET "chatId" = id + 1000000000, status = 'active'`);
    await db.query("ANALYZE");
    const services = createServices({
      db,
      program,
      now: () => new Date(),
      log: pino({ level: "silent" }),
    });
    const [store] = await db.query<{ id: number }>(`SELECT id FROM "Store" WHERE active ORDER BY id LIMIT 1`);
    const shoppers = (await db.query<{ id: number }>(`SELECT id FROM "Member" ORDER BY md5(id::text) LIMIT 64`)).map(
      (r) => r.id,
    );
    const items = [
      { sku: "coffee-1", category: "coffee", amountKopecks: 30_000 },
      { sku: "bakery-1", category: "bakery", amountKopecks: 20_000 },
    ];
    const buy = (label: string) => (i: number) =>
      services.purchases.recordPurchase({
        storeId: store?.id ?? 1,
        member: { id: shoppers[i % shoppers.length] as number },
        receiptId: `${label}-${i}`,
        amountKopecks: 100_000,
        items,
      });
    const N = Number(process.env.BENCH_OFFERS_PURCHASES ?? 600);
    await measure(100, 8, buy("warm"));
    const none = await measure(N, 8, buy("none"));
    row("purchase, no offers", none);

    // 200 offers of every kind, their conditions over tier, history and baskets.
    const kinds = [
      { condition: { kind: "tier", in: ["base", "silver", "gold"] }, reward: { kind: "bonus", points: 1 }, act: true },
      {
        condition: { kind: "bought", product: { category: "coffee" }, withinDays: 90 },
        reward: { kind: "multiplier", product: { category: "coffee" }, factorBp: 12_000 },
        act: false,
      },
      {
        condition: { kind: "visits", withinDays: 365, min: 1 },
        reward: { kind: "skuPoints", sku: "bakery-1", points: 1 },
        act: false,
      },
      {
        condition: {
          kind: "and",
          of: [
            { kind: "spend", withinDays: 365, min: 100_000 },
            { kind: "rfm", recency: { min: 1 } },
          ],
        },
        reward: { kind: "bonus", points: 1, minBasketKopecks: 50_000 },
        act: false,
      },
    ] as const;
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) {
      const k = kinds[i % kinds.length] as (typeof kinds)[number];
      const o = await services.offers.create(
        {
          title: { ru: `Предложение ${i}`, en: `Offer ${i}` },
          text: { ru: "…", en: "…" },
          condition: k.condition,
          reward: k.reward,
          startsAt: new Date(end.getTime() - 86_400_000),
          endsAt: new Date(end.getTime() + 30 * 86_400_000),
          perMemberLimit: 1000,
          needsActivation: k.act,
          ...(i % 8 === 0 ? { budgetPoints: 1_000_000 } : {}),
        },
        "bench",
      );
      await services.offers.start(o.id, "bench");
      ids.push(o.id);
    }
    // The shoppers activated the offers that ask for it.
    await db.query(
      `INSERT INTO "OfferMember" ("offerId", "memberId", "activatedAt", "createdAt")
       SELECT o.id, m, now(), now() FROM "Offer" o, unnest($1::int[]) m WHERE o."needsActivation"`,
      [shoppers],
    );
    await db.query("ANALYZE");
    await measure(100, 8, buy("warm2"));
    const withOffers = await measure(N, 8, buy("offers"));
    const [paid] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "OfferApplication" a JOIN "Purchase" p ON p.id = a."purchaseId" WHERE p."receiptId" LIKE 'offers-%'`,
    );
    row("purchase, 200 active offers", withOffers, `(${paid?.n ?? 0} offer rewards paid)`);
    ratio("with offers / without (purchases/s)", withOffers.perSecond / none.perSecond, "≥ 0.70");

    // One member's evaluation as the till does it: their history in one round trip, 200 conditions.
    const conditions = (
      await db.unitOfWork((tx) => tx.many<{ condition: Condition }>(sql`SELECT condition FROM "Offer" ORDER BY id`))
    ).map((r) => r.condition);
    const evalTimes: number[] = [];
    const evalSample = (
      await db.query<{ id: number }>(`SELECT id FROM "Member" ORDER BY md5(id::text || 'v') LIMIT 320`)
    ).map((r) => r.id);
    let qualified = 0;
    for (const [i, id] of evalSample.entries()) {
      const t0 = performance.now();
      const facts = (await db.unitOfWork((tx) => memberFacts(tx, [id], new Date(), program))).get(id);
      if (facts) for (const c of conditions) if (evaluate(c, facts)) qualified++;
      if (i >= 20) evalTimes.push(performance.now() - t0);
    }
    evalTimes.sort((a, b) => a - b);
    const evalP95 = evalTimes[Math.floor(evalTimes.length * 0.95)] ?? 0;
    console.log(
      `  one member's evaluation (history + 200 conditions) p50 ${(evalTimes[Math.floor(evalTimes.length / 2)] ?? 0).toFixed(2)} ms   p95 ${evalP95.toFixed(2)} ms   (${qualified} qualifications)`,
    );
    ratio("evaluation p95 (ms)", evalP95, "≤ 5 ms");

    // The same member's /offers: the open offers read and listed with their reasons.
    const sample = (
      await db.query<{ id: number }>(`SELECT id FROM "Member" ORDER BY md5(id::text || 'e') LIMIT 300`)
    ).map((r) => r.id);
    for (const id of sample.slice(0, 20)) await services.offers.forMember.list(id);
    const times: number[] = [];
    for (const id of sample) {
      const t = performance.now();
      await services.offers.forMember.list(id);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p95 = times[Math.floor(times.length * 0.95)] ?? 0;
    console.log(
      `  one member's /offers list (200 offers)        p50 ${(times[Math.floor(times.length / 2)] ?? 0).toFixed(2)} ms   p95 ${p95.toFixed(2)} ms`,
    );
    ratio("/offers list p95 (ms)", p95, "(no target)");

    const t = performance.now();
    const made = await services.offers.triggers.scan();
    const scanS = (performance.now() - t) / 1000;
    console.log(
      `  nightly trigger scan over ${members.toLocaleString("en")} members: ${JSON.stringify(made)} offers made`,
    );
    ratio("trigger scan (s)", scanS, "≤ 60 s");
  } finally {
    await db.close();
    await fresh.drop();
  }
}
