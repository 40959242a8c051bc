import pino from "pino";
import { openDatabase } from "../app/db/database.js";
import { createServices } from "../app/services/index.js";
import { memberFacts } from "../app/conditions/sql.js";
import { type Sql, sql, toParams } from "../app/db/sql.js";
import { type Condition, evaluate, parseProgram } from "../domain/index.js";
import { buildChain } from "./data.js";
import { benchDatabase, type Measure, measure, mergeMeasures, ratio, row } from "./lib.js";

/**
 * npm run bench -- offers: on PostgreSQL with a chain of 100,000 members
 * (two years of purchases with line items, npm run bench:data's generator):
 *
 * - purchases (with items) per second through the service with 200 active
 *   offers, beside the same purchases with no offers (target ≥ 0.70×), two
 *   ways: the target's figure is a marketer's mix (a few chain-wide offers,
 *   pilots in some stores and regions, many personal offers that need
 *   activation and that about 1 % of members activated), so a typical
 *   receipt meets a handful; the worst case, printed apart, opens every one
 *   of the 200 offers to every shopper (dozens pay on each receipt, and the
 *   budgeted ones serialize purchases on their rows);
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
    const stores = built.stores;
    // bench/data.ts: member m's home store is 1 + m % stores (80 % of their receipts).
    const home = (m: number) => 1 + (m % stores);
    const CATS = ["bakery", "coffee", "dairy", "produce", "meat", "drinks", "household", "tobacco"];
    const at = (i: number) => CATS[i % CATS.length] as string;

    // Typical receipts: 2,000 shoppers at their home store, one to three lines of the chain's
    // categories and SKUs (bench/data.ts names them), baskets of 300 to 3,000 ₽.
    const typical = (
      await db.query<{ id: number }>(`SELECT id FROM "Member" ORDER BY md5(id::text || 't') LIMIT 2000`)
    ).map((r) => r.id);
    const typicalBuy = (label: string) => (i: number) => {
      const member = typical[(i * 7919) % typical.length] as number;
      const lines = 1 + (i % 3);
      const items = Array.from({ length: lines }, (_, j) => ({
        sku: `sku-${(i * 31 + j * 97) % 500}`,
        category: at(i + j * 3),
        amountKopecks: 10_000 * (1 + ((i + j) % 10)),
      }));
      return services.purchases.recordPurchase({
        storeId: home(member),
        member: { id: member },
        receiptId: `${label}-${i}`,
        amountKopecks: items.reduce((s, x) => s + x.amountKopecks, 0),
        items,
      });
    };
    // The worst case (the figure of earlier runs): 64 shoppers at store 1 buying coffee and bakery,
    // every one of the 200 offers open to all of them and activated by all.
    const shoppers = (await db.query<{ id: number }>(`SELECT id FROM "Member" ORDER BY md5(id::text) LIMIT 64`)).map(
      (r) => r.id,
    );
    const worstItems = [
      { sku: "coffee-1", category: "coffee", amountKopecks: 30_000 },
      { sku: "bakery-1", category: "bakery", amountKopecks: 20_000 },
    ];
    const worstBuy = (label: string) => (i: number) =>
      services.purchases.recordPurchase({
        storeId: 1,
        member: { id: shoppers[i % shoppers.length] as number },
        receiptId: `${label}-${i}`,
        amountKopecks: 100_000,
        items: worstItems,
      });
    const N = Number(process.env.BENCH_OFFERS_PURCHASES ?? 600);
    /**
     * Purchases with the given offers active and with none, in alternated rounds (the machine
     * is shared: a burst of load then falls on both sides, not on one).
     */
    const alternate = async (ids: number[], buy: (label: string) => (i: number) => Promise<unknown>, tag: string) => {
      const setActive = (on: boolean) =>
        db.query(`UPDATE "Offer" SET status = $2 WHERE id = ANY($1::int[])`, [ids, on ? "active" : "paused"]);
      const rounds = 3;
      const per = Math.ceil(N / rounds);
      let none: Measure | null = null;
      let some: Measure | null = null;
      await setActive(true);
      await measure(100, 8, buy(`warm-${tag}`));
      for (let r = 0; r < rounds; r++) {
        await setActive(false);
        const a = await measure(per, 8, buy(`none-${tag}-${r}`));
        none = none ? mergeMeasures(none, a) : a;
        await setActive(true);
        const b = await measure(per, 8, buy(`${tag}-${r}`));
        some = some ? mergeMeasures(some, b) : b;
      }
      await setActive(false);
      return { none: none as Measure, some: some as Measure };
    };

    const day = 86_400_000;
    const window = { startsAt: new Date(end.getTime() - day), endsAt: new Date(end.getTime() + 30 * day) };
    const create = async (i: number, o: Record<string, unknown>) => {
      const made = await services.offers.create(
        { title: { ru: `Предложение ${i}`, en: `Offer ${i}` }, text: { ru: "…", en: "…" }, ...window, ...o },
        "bench",
      );
      await services.offers.start(made.id, "bench");
      return made.id;
    };
    const paidBy = async (prefix: string) =>
      (
        await db.query<{ n: number; r: number }>(
          `SELECT count(*)::int AS n, count(DISTINCT p.id)::int AS r FROM "OfferApplication" a
           JOIN "Purchase" p ON p.id = a."purchaseId" WHERE p."receiptId" LIKE $1`,
          [`${prefix}-%`],
        )
      )[0] ?? { n: 0, r: 0 };

    // A marketer's 200 offers: a few chain-wide ones, pilots in some stores and regions, and
    // many personal offers that need activation, which about 1 % of members (and three of
    // each typical shopper's) activated.
    const regions = (await db.query<{ region: string }>(`SELECT DISTINCT region FROM "Store" ORDER BY 1`)).map(
      (r) => r.region,
    );
    const personal: number[] = [];
    for (let i = 0; i < 200; i++) {
      const cat = at(i);
      if (i < 6) {
        const chainWide = [
          {
            condition: { kind: "tier", in: ["gold"] },
            reward: { kind: "bonus", points: 50, minBasketKopecks: 150_000 },
          },
          {
            condition: { kind: "balance", min: 0 },
            reward: { kind: "multiplier", product: { category: "bakery" }, factorBp: 20_000 },
          },
          { condition: { kind: "balance", min: 0 }, reward: { kind: "skuPoints", sku: "sku-42", points: 30 } },
          { condition: { kind: "enrolledWithin", days: 30 }, reward: { kind: "bonus", points: 100 } },
          {
            condition: { kind: "tier", in: ["silver", "gold"] },
            reward: { kind: "multiplier", product: { category: "coffee" }, factorBp: 15_000 },
            budgetPoints: 5_000_000,
          },
          { condition: { kind: "birthdayWithin", days: 7 }, reward: { kind: "bonus", points: 200 } },
        ][i] as Record<string, unknown>;
        await create(i, { ...chainWide, needsActivation: false, perMemberLimit: 1000 });
      } else if (i < 46) {
        // Pilots: 20 in three stores each, 20 in one region each.
        const scope =
          i < 26
            ? { storeIds: [0, 1, 2].map((k) => 1 + ((i * 3 + k) % stores)) }
            : { regions: [regions[i % regions.length] as string] };
        await create(i, {
          ...scope,
          condition: i % 2 ? { kind: "visits", withinDays: 180, min: 2 } : { kind: "balance", min: 0 },
          reward:
            i % 3
              ? { kind: "multiplier", product: { category: cat }, factorBp: 20_000 }
              : { kind: "bonus", points: 25, minBasketKopecks: 200_000 },
          needsActivation: false,
          perMemberLimit: 100,
          ...(i % 8 === 0 ? { budgetPoints: 1_000_000 } : {}),
        });
      } else {
        const conditions = [
          { kind: "bought", product: { category: cat }, withinDays: 60 },
          { kind: "neverBought", product: { category: cat } },
          { kind: "rfm", segments: ["at_risk", "lost"] },
          {
            kind: "and",
            of: [
              { kind: "spend", withinDays: 90, min: 300_000 },
              { kind: "tier", in: ["silver", "gold"] },
            ],
          },
          { kind: "daysSinceLastPurchase", min: 30 },
          { kind: "visits", withinDays: 90, min: 3 },
        ];
        const rewards = [
          { kind: "multiplier", product: { category: cat }, factorBp: 30_000 },
          { kind: "skuPoints", sku: `sku-${(i * 13) % 500}`, points: 40 },
          { kind: "bonus", points: 60, minBasketKopecks: 100_000 },
        ];
        personal.push(
          await create(i, {
            condition: conditions[i % conditions.length],
            reward: rewards[i % rewards.length],
            needsActivation: true,
            perMemberLimit: 1 + (i % 3),
            ...(i % 8 === 0 ? { budgetPoints: 200_000 } : {}),
          }),
        );
      }
    }
    await db.query(
      `INSERT INTO "OfferMember" ("offerId", "memberId", "activatedAt", "createdAt")
       SELECT o, 1 + floor(random() * $2)::int, now(), now() FROM unnest($1::int[]) o, generate_series(1, $2 / 100)
       UNION ALL
       SELECT ($1::int[])[1 + (m * 7 + k * 31) % cardinality($1::int[])], m, now(), now()
       FROM unnest($3::int[]) m, generate_series(1, 3) k
       ON CONFLICT DO NOTHING`,
      [personal, members, typical],
    );
    await db.query("ANALYZE");
    const mixIds = (await db.query<{ id: number }>(`SELECT id FROM "Offer" WHERE status = 'active'`)).map((r) => r.id);
    const mix = await alternate(mixIds, typicalBuy, "mix");
    const mixPaid = await paidBy("mix");
    // The evaluation and /offers below read the marketer's offers.
    await db.query(`UPDATE "Offer" SET status = 'active' WHERE id = ANY($1::int[])`, [mixIds]);

    // One member's evaluation: their history in one statement (the till reads it inside the
    // purchase's own first statement), then 200 conditions.
    const reader = { many: <T>(q: Sql) => db.query<T>(q.text, toParams(q.values)) };
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
      const facts = (await memberFacts(reader, [id], new Date(), program)).get(id);
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

    // The worst case: the marketer's offers ended, 200 offers of every kind open to every
    // worst-case shopper (who activated all that need it), with a margin that leaves room.
    await db.query(`UPDATE "Offer" SET status = 'paused'`);
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
    for (let i = 0; i < 200; i++) {
      const k = kinds[i % kinds.length] as (typeof kinds)[number];
      await create(1000 + i, {
        condition: k.condition,
        reward: k.reward,
        perMemberLimit: 1000,
        needsActivation: k.act,
        ...(i % 8 === 0 ? { budgetPoints: 1_000_000 } : {}),
      });
    }
    await db.query(
      `INSERT INTO "OfferMember" ("offerId", "memberId", "activatedAt", "createdAt")
       SELECT o.id, m, now(), now() FROM "Offer" o, unnest($1::int[]) m WHERE o."needsActivation" AND o.status = 'active'
       ON CONFLICT DO NOTHING`,
      [shoppers],
    );
    await db.query("ANALYZE");
    const worstIds = (await db.query<{ id: number }>(`SELECT id FROM "Offer" WHERE status = 'active'`)).map(
      (r) => r.id,
    );
    const worst = await alternate(worstIds, worstBuy, "worst");
    const worstPaid = await paidBy("worst");
    await db.query(`UPDATE "Offer" SET status = 'ended'`);

    console.log("  typical receipts (2,000 shoppers at their home stores, 1–3 lines):");
    row("purchase, no offers", mix.none);
    row(
      "purchase, 200 offers (a marketer's mix)",
      mix.some,
      `(${(mixPaid.n / N).toFixed(2)} offers paid per receipt, ${mixPaid.r} of ${N} receipts got one)`,
    );
    ratio("mix / no offers (purchases/s)", mix.some.perSecond / mix.none.perSecond, "≥ 0.70");
    console.log("  worst case (64 shoppers, every offer open to all and activated):");
    row("purchase, no offers", worst.none);
    row("purchase, 200 offers all open", worst.some, `(${(worstPaid.n / N).toFixed(1)} offers paid per receipt)`);
    ratio(
      "worst case / no offers (purchases/s)",
      worst.some.perSecond / worst.none.perSecond,
      "(no target: the bound)",
    );

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
