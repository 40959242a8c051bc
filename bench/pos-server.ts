/**
 * The API server for the POS benchmark, in its own process so the load
 * generator does not share its event loop: PostgreSQL (BENCH_DATABASE_URL) or
 * PGlite in memory when unset; 200 members, one store and its key. Prints
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
const codes: string[] = [];
for (let i = 0; i < 200; i++)
  codes.push((await services.members.enroll({ phone: `+7998${String(i).padStart(7, "0")}` })).memberCode);
// Members have no chat: the notice jobs run (as in production) and send nothing, as for shoppers who never wrote to the bot.
const jobs = kopilka.jobs(telegramMessenger(new Api("1:unused", { apiRoot: "http://127.0.0.1:9" })));
await jobs.start();
const { port } = await listen(createHttpApp({ services }), 0, "127.0.0.1");
console.log(`ready ${port} ${key} ${codes.join(",")}`);
process.on("SIGTERM", async () => {
  // Requests still in flight when the load generator stopped counting finish first.
  await new Promise((r) => setTimeout(r, 1000));
  await jobs.stop();
  // Receipts are "<series>-<i>" and were sent with amount 10000 + (i·7919 mod 400000) kopecks.
  const [c] = await db.query<Record<string, number>>(`SELECT
    (SELECT COUNT(*) FROM "Purchase")::int AS purchases,
    (SELECT COUNT(*) FROM "Purchase"
      WHERE amount <> 10000 + (split_part("receiptId", '-', 2)::int8 * 7919) % 400000)::int AS "wrongAmounts",
    (SELECT COALESCE(SUM("pointsAccrued"), 0) FROM "Purchase")::int8 AS "purchasePoints",
    (SELECT COALESCE(SUM(points), 0) FROM "LedgerEntry" WHERE kind = 'accrual')::int8 AS "accrualPoints"`);
  const audit = await auditLedger(db);
  console.log(
    `ledger ${JSON.stringify({ ...c, balances: audit.mismatches.length, chains: audit.brokenChains, lots: audit.lotMismatches.length })}`,
  );
  await db.close();
  process.exit(0);
});
