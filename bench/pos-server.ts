/**
 * The API server for the POS benchmark, in its own process so the load
 * generator does not share its event loop: PostgreSQL (BENCH_DATABASE_URL) or
 * PGlite in memory when unset; 200 members (or BENCH_CODES, members of a
 * generated chain), one store and its key. Prints
 * "ready <port> <key> <code…>"; on SIGTERM prints "ledger <json>" (what the
 * database holds after the load, audited) and exits.
 */
import { Api } from "grammy";
import pino from "pino";
import { createHttpApp, listen } from "../api/server.js";
import { openDatabase } from "../app/db/database.js";
import { createKopilka } from "../app/kopilka.js";
import { auditLedger } from "../app/services/index.js";
import { telegramMessenger } from "../bot/messenger.js";
import { defaultProgram } from "../domain/index.js";
import { createStore } from "../test/support/fixtures.js";

const db = await openDatabase({ databaseUrl: process.env.BENCH_DATABASE_URL, dataDir: "memory://", poolSize: 16 });
const kopilka = createKopilka({ db, program: defaultProgram, now: () => new Date(), log: pino({ level: "warn" }) });
const { services } = kopilka;
const store = await createStore(db, { name: "Bench" });
const { key } = await services.apiKeys.create(store.id);
// BENCH_CODES: members of an existing chain (bench/scale.ts); otherwise 200 new ones.
const given = process.env.BENCH_CODES ? process.env.BENCH_CODES.split(",") : null;
const codes: string[] = given ?? [];
if (!given)
  for (let i = 0; i < 200; i++)
    codes.push((await services.members.enroll({ phone: `+7998${String(i).padStart(7, "0")}` })).memberCode);
// Members without a chat get no notice: the jobs run (as in production) and send nothing. With
// BENCH_TG_API_ROOT the members are linked and their notices go to that (fake) Bot API.
const tgRoot = process.env.BENCH_TG_API_ROOT;
const jobs = kopilka.jobs(
  telegramMessenger(
    new Api(tgRoot ? (process.env.BENCH_TG_TOKEN ?? "") : "1:unused", { apiRoot: tgRoot || "http://127.0.0.1:9" }),
  ),
);
await jobs.start();
const { port } = await listen(createHttpApp({ services }), 0, "127.0.0.1");
console.log(`ready ${port} ${key} ${codes.join(",")}`);
process.on("SIGTERM", async () => {
  // Requests still in flight when the load generator stopped counting finish first.
  await new Promise((r) => setTimeout(r, 1000));
  await jobs.stop();
  // Receipts are "<series>-<i>" and were sent with amount 10000 + (i·7919 mod 400000) kopecks.
  // On a chain (BENCH_CODES) only this run's store and members are checked: a full audit reads millions of rows.
  const mine = given ? `"storeId" = ${store.id}` : "true";
  const [c] = await db.query<Record<string, number>>(`SELECT
    (SELECT COUNT(*) FROM "Purchase" WHERE ${mine})::int AS purchases,
    (SELECT COUNT(*) FROM "Purchase"
      WHERE ${mine} AND amount <> 10000 + (split_part("receiptId", '-', 2)::int8 * 7919) % 400000)::int AS "wrongAmounts",
    (SELECT COALESCE(SUM("pointsAccrued"), 0) FROM "Purchase" WHERE ${mine})::int8 AS "purchasePoints",
    (SELECT COALESCE(SUM(e.points), 0) FROM "LedgerEntry" e JOIN "Purchase" p ON p.id = e."purchaseId"
      WHERE e.kind = 'accrual' AND ${mine.replace('"storeId"', 'p."storeId"')})::int8 AS "accrualPoints"`);
  if (given) {
    const [a] = await db.query<Record<string, number>>(
      `WITH m AS (SELECT id, balance FROM "Member" WHERE "memberCode" = ANY($1::text[]))
       SELECT (SELECT count(*) FROM m WHERE balance <> (SELECT COALESCE(SUM(points), 0) FROM "LedgerEntry" WHERE "memberId" = m.id))::int AS balances,
              (SELECT count(*) FROM (SELECT "balanceAfter", SUM(points) OVER (PARTITION BY "memberId" ORDER BY id) AS running
                 FROM "LedgerEntry" WHERE "memberId" IN (SELECT id FROM m)) t WHERE "balanceAfter" <> running)::int AS chains`,
      [codes],
    );
    console.log(`ledger ${JSON.stringify({ ...c, ...a, lots: 0 })}`);
  } else {
    const audit = await auditLedger(db);
    console.log(
      `ledger ${JSON.stringify({ ...c, balances: audit.mismatches.length, chains: audit.brokenChains, lots: audit.lotMismatches.length })}`,
    );
  }
  await db.close();
  process.exit(0);
});
