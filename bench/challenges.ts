import pino from "pino";
import type { Database } from "../app/db/database.js";
import { createServices } from "../app/services/index.js";
import { parseProgram, type Program } from "../domain/index.js";
import { createStore } from "../test/support/fixtures.js";
import { type Measure, measure, mergeMeasures, onBothDatabases, ratio, row } from "./lib.js";

/**
 * What challenges add to a purchase: the purchase and its challenge reaction
 * (the purchase reads the member's purchases since the challenges began and
 * their completions beside its own first read, and weighs every open
 * challenge it can count for; the challenge.purchase job, given the
 * purchase.recorded event that names what it met, locks the member, weighs
 * those again, completes and credits what is due) with 50 active challenges
 * of every kind, beside the same purchase and reaction with none — the same
 * services on the same database, alternated rounds in one run. Members have
 * a few weeks of purchases with items already, so the purchase reads real
 * history; no challenge completes in the measured purchases' first rounds
 * often enough to dominate (targets are set high), as on an ordinary day.
 */
const PURCHASES = 600;
const MEMBERS = 200;

function fiftyChallenges(): Program {
  const kinds = [
    (i: number) => ({ kind: "visits", count: 60 + (i % 5), withinDays: 30 }),
    (i: number) => ({ kind: "category", category: `cat${i % 8}`, count: 60 }),
    () => ({ kind: "streak", weeks: 12, forgive: 1 }),
    (i: number) => ({ kind: "stores", count: 5 + (i % 3) }),
  ];
  return parseProgram({
    gamification: {
      challenges: Array.from({ length: 50 }, (_, i) => ({
        code: `c${i}`,
        title: { ru: `Задание ${i}`, en: `Challenge ${i}` },
        goal: kinds[i % kinds.length]?.(i),
        reward: { points: 10 + i },
        startsOn: "2020-01-01",
        repeat: i % 2 === 0,
      })),
    },
  });
}

async function section(label: string, db: Database) {
  const store = await createStore(db, { name: "Bench", trustedPos: true });
  const log = pino({ level: "silent" });
  const none = createServices({ db, program: parseProgram({}), now: () => new Date(), log });
  const fifty = createServices({ db, program: fiftyChallenges(), now: () => new Date(), log });
  const members: number[] = [];
  for (let i = 0; i < MEMBERS; i++)
    members.push((await none.members.enroll({ phone: `+7996${String(i).padStart(7, "0")}` })).id);
  // History: 20 purchases each over the last 40 days, two items each.
  await db.exec(`
    INSERT INTO "Purchase" ("storeId", "memberId", "receiptId", amount, "pointsAccrued", "tierCode", "rateBp", "balanceAfter", at)
    SELECT ${store.id}, m.id, 'h-' || m.id || '-' || g, 100000, 0, 'base', 300, m.balance, now() - (g * 2) * interval '1 day'
    FROM "Member" m, generate_series(1, 20) g WHERE m.id = ANY(ARRAY[${members.join(",")}]);
    INSERT INTO "PurchaseItem" ("purchaseId", sku, category, amount)
    SELECT p.id, 'SKU' || (p.id % 50), 'cat' || ((p.id + k) % 8), 50000 FROM "Purchase" p, generate_series(0, 1) k
    WHERE p."receiptId" LIKE 'h-%';
    -- As the purchase service writes them: each purchase with its items' categories.
    UPDATE "Purchase" p SET categories = (SELECT array_agg(DISTINCT category) FROM "PurchaseItem" WHERE "purchaseId" = p.id)
    WHERE p."receiptId" LIKE 'h-%';
    ANALYZE;`);
  const buy = (s: typeof none, prefix: string) => async (i: number) => {
    const memberId = members[i % members.length] as number;
    const items = [{ sku: "SKU1", category: `cat${i % 8}`, amountKopecks: 120_000 }];
    const r = await s.purchases.recordPurchase({
      storeId: store.id,
      member: { id: memberId },
      receiptId: `${prefix}-${i}`,
      amountKopecks: 120_000,
      items,
    });
    // What the challenge.purchase job is given: the purchase.recorded event (its store, time, categories and
    // the challenges the purchase met, weighed in its own unit of work).
    await s.challenges.complete({
      memberId,
      storeId: r.storeId,
      at: r.at,
      categories: items.map((x) => x.category),
      challengesMet: r.challengesMet,
    });
  };
  await measure(60, 1, buy(none, "w0"));
  await measure(60, 1, buy(fifty, "w1"));
  // Short alternated rounds (none, 50, 50, none, …), as bench/offers.ts does: on a shared machine a burst of
  // load lasting a second then falls on both sides, not on one half (with two halves a side the same build
  // read 0.83 to 1.43 on PostgreSQL). The same 600 purchases a side over the same members and history.
  const rounds = 12;
  const per = PURCHASES / rounds;
  let n: Measure | null = null;
  let f: Measure | null = null;
  for (let r = 0; r < rounds; r++) {
    for (const withFifty of r % 2 === 0 ? [false, true] : [true, false]) {
      // Purchase i of round r is purchase r * per + i of its side: members and categories go round as before.
      const m = await measure(per, 1, (i) =>
        buy(withFifty ? fifty : none, `${withFifty ? "f" : "n"}${r}`)(r * per + i),
      );
      if (withFifty) f = f ? mergeMeasures(f, m) : m;
      else n = n ? mergeMeasures(n, m) : m;
    }
  }
  if (!n || !f) throw new Error("unreachable: rounds > 0");
  const completed = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "ChallengeCompletion"`);
  console.log(`\n${label} — ${PURCHASES} purchases each (with items) and their challenge reaction, sequential`);
  row("purchase + reaction, no challenges (reference)", n);
  row("purchase + reaction, 50 active challenges", f, `(${completed[0]?.n ?? 0} rounds completed)`);
  ratio("time per purchase: 50 challenges / none", n.perSecond / f.perSecond, "≤ 1.20");
  const { auditLedger, CLEAN_AUDIT } = await import("../app/services/audit.js");
  const audit = await auditLedger(db);
  console.log(`  audit after the run: ${JSON.stringify(audit) === JSON.stringify(CLEAN_AUDIT) ? "OK" : "MISMATCH"}`);
}

export async function benchChallenges(postgresUrl: string | undefined) {
  console.log("\n== challenges: what 50 active challenges add to a purchase ==");
  await onBothDatabases(postgresUrl, "kopilka_bench_challenges", section);
}
