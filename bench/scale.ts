/**
 * The chain at 1,000,000 members (issue 14), beside a 1,000-member chain built
 * by the same generator on the same server in the same run:
 *
 *   BENCH_DATABASE_URL=postgresql://…/<1M chain> npx tsx bench/run.ts scale-expiry scale-card scale-pos
 *
 * The 1M chain is `npm run bench:data -- --members 1000000` (five heavy members:
 * 5,000 purchases, 1,000 spends). The reference is database kopilka_bench_1k on
 * the same server, rebuilt each run. These sections write to the 1M chain (the
 * sweeps, purchases, linked members): run them on a copy kept for the purpose.
 *
 * - scale-expiry: the sweep with the clock at T − 31 days (the whole backlog
 *   before it: a first sweep), then at T − 1 day (thirty days of due lots),
 *   then at T (one day), T being the end of the generated history.
 * - scale-card: a heavy member's card read (the service) against a light one's,
 *   and `/card` end to end (fake Bot API, the bot) for each.
 * - scale-pos: POST /purchases for 200 of the chain's members at 16
 *   connections, then the same with those members linked to Telegram (the
 *   purchase notices go out through the jobs to a fake Bot API at 30/s).
 */
import { run } from "@grammyjs/runner";
import pino from "pino";
import { type Database, openDatabase } from "../app/db/database.js";
import { createServices } from "../app/services/index.js";
import { createBot } from "../bot/bot.js";
import { defaultProgram } from "../domain/index.js";
import { FakeTelegram } from "../test/support/telegram-server.js";
import { buildChain } from "./data.js";
import { benchDatabase, ratio } from "./lib.js";
import { purchaseLoad } from "./pos.js";

const silent = pino({ level: "silent" });
const DAY = 86_400_000;

/** The 1M chain and the 1,000-member reference beside it (built now, dropped at the end). */
async function chains<T>(fn: (big: Database, small: Database, end: Date) => Promise<T>): Promise<T | undefined> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    console.log("  skipped: BENCH_DATABASE_URL (the 1,000,000-member chain) is not set");
    return undefined;
  }
  const big = await openDatabase({ databaseUrl: url, dataDir: "", poolSize: 16 });
  const ref = await benchDatabase(url, "kopilka_bench_1k");
  const small = await openDatabase({ databaseUrl: ref.url, dataDir: "", poolSize: 16 });
  try {
    const [last] = await big.query<{ at: Date }>(`SELECT max(at) AS at FROM "Purchase" WHERE "receiptId" LIKE 'g%'`);
    // The generator's history ends at midnight UTC after its last purchase.
    const end = new Date(Math.ceil(((last?.at ?? new Date()).getTime() + 1) / DAY) * DAY);
    const t = performance.now();
    await buildChain(small, defaultProgram, { members: 1000, heavy: 5, end, log: () => {} });
    const [n] = await big.query<{ members: number }>(`SELECT count(*)::int AS members FROM "Member"`);
    console.log(
      `  chains: ${n?.members.toLocaleString("en")} members (BENCH_DATABASE_URL) and 1,000 (reference, built in ${((performance.now() - t) / 1000).toFixed(1)} s), history to ${end.toISOString().slice(0, 10)}`,
    );
    return await fn(big, small, end);
  } finally {
    await small.close();
    await ref.drop();
    await big.close();
  }
}

const mib = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

export async function benchScaleExpiry() {
  console.log("\n== expiry sweep at 1,000,000 members vs 1,000 (PostgreSQL) ==");
  await chains(async (big, small, end) => {
    const steps = [
      ["first sweep (all due before T − 30 d)", new Date(end.getTime() - 31 * DAY)],
      ["thirty days of due lots", new Date(end.getTime() - DAY)],
      ["one day of due lots", end],
    ] as const;
    for (const [label, at] of steps) {
      const figures: string[] = [];
      for (const [name, db] of [
        ["1k", small],
        ["1M", big],
      ] as const) {
        const services = createServices({ db, program: defaultProgram, now: () => at, log: silent });
        const t = performance.now();
        const r = await services.expiry.sweep();
        const s = (performance.now() - t) / 1000;
        figures.push(
          `${name}: ${s.toFixed(2)} s, ${r.members.toLocaleString("en")} members, ${r.points.toLocaleString("en")} points`,
        );
      }
      console.log(`  ${label.padEnd(40)} ${figures.join(";  ")}   (peak RSS so far ${mib()} MiB)`);
    }
    console.log("  targets: one day ≤ 5 s, thirty days ≤ 60 s, first sweep ≤ 120 s and ≤ 300 MB");
  });
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: s[Math.floor(s.length / 2)] ?? 0 };
}

async function heavyAndLight(db: Database) {
  const [h] = await db.query<{ id: number }>(
    `SELECT "memberId" AS id FROM "Purchase" GROUP BY "memberId" ORDER BY count(*) DESC LIMIT 1`,
  );
  const [l] = await db.query<{ id: number }>(
    `SELECT "memberId" AS id FROM "Purchase" WHERE "memberId" > 10 GROUP BY "memberId" HAVING count(*) BETWEEN 8 AND 12 ORDER BY "memberId" LIMIT 1`,
  );
  if (!h || !l) throw new Error("the chain has no heavy or no light member");
  const [c] = await db.query<{ heavy: number; light: number }>(
    `SELECT (SELECT count(*) FROM "LedgerEntry" WHERE "memberId" = $1)::int AS heavy,
            (SELECT count(*) FROM "LedgerEntry" WHERE "memberId" = $2)::int AS light`,
    [h.id, l.id],
  );
  return { heavy: h.id, light: l.id, entries: c ?? { heavy: 0, light: 0 } };
}

export async function benchScaleCard() {
  console.log("\n== a heavy member's card (5,000 purchases, 1,000 spends) vs a light one (PostgreSQL) ==");
  await chains(async (big, small) => {
    for (const [name, db] of [
      ["1k", small],
      ["1M", big],
    ] as const) {
      const who = await heavyAndLight(db);
      const services = createServices({ db, program: defaultProgram, now: () => new Date(), log: silent });
      const read = async (id: number) => {
        for (let i = 0; i < 10; i++) await services.cards.card(id);
        const ms: number[] = [];
        for (let i = 0; i < 100; i++) {
          const t = performance.now();
          await services.cards.card(id);
          ms.push(performance.now() - t);
        }
        return stats(ms);
      };
      const heavy = await read(who.heavy);
      const light = await read(who.light);
      console.log(
        `  ${name}: card read (service)   heavy #${who.heavy} (${who.entries.heavy} entries) mean ${heavy.mean.toFixed(2)} ms p50 ${heavy.p50.toFixed(2)}   light #${who.light} (${who.entries.light} entries) mean ${light.mean.toFixed(2)} ms p50 ${light.p50.toFixed(2)}`,
      );
      const e2e = await cardEndToEnd(db, services, [who.heavy, who.light]);
      console.log(
        `  ${name}: /card end to end     heavy mean ${e2e[0]?.mean.toFixed(2)} ms p50 ${e2e[0]?.p50.toFixed(2)}   light mean ${e2e[1]?.mean.toFixed(2)} ms p50 ${e2e[1]?.p50.toFixed(2)}`,
      );
      ratio(`${name}: heavy card read, ms`, heavy.mean, "≤ 10 ms");
      ratio(`${name}: /card heavy / light`, (e2e[0]?.mean ?? 0) / (e2e[1]?.mean ?? 1), "≤ 2×");
    }
  });
}

/** `/card` for each member in turn through the fake Bot API (after the picture's first upload). */
async function cardEndToEnd(db: Database, services: ReturnType<typeof createServices>, ids: number[]) {
  const tg = new FakeTelegram();
  const apiRoot = await tg.start();
  const users = [];
  for (const id of ids) {
    const tgId = 7_000_000_000 + id;
    await db.query(`UPDATE "Member" SET "telegramId" = $1, "chatId" = $1 WHERE id = $2`, [tgId, id]);
    users.push(tg.user({ id: tgId, language_code: "ru" }));
  }
  const { bot, drained } = createBot(
    { token: tg.token, apiRoot, globalRps: 1_000_000, flood: { limit: 1_000_000, windowMs: 1000 } },
    { services, log: silent },
  );
  await bot.init();
  const runner = run(bot, { runner: { fetch: { timeout: 1 } } });
  const out = [];
  try {
    for (const u of users) {
      for (let i = 0; i < 5; i++) {
        u.send("/card");
        await u.replies(1, 60_000);
      }
      const ms: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t = performance.now();
        u.send("/card");
        await u.replies(1, 60_000);
        ms.push(performance.now() - t);
      }
      out.push(stats(ms));
    }
  } finally {
    await runner.stop();
    await drained();
    await tg.stop();
    for (const id of ids)
      await db.query(`UPDATE "Member" SET "telegramId" = NULL, "chatId" = NULL WHERE id = $1`, [id]);
  }
  return out;
}

export async function benchScalePos() {
  console.log("\n== POS at 1,000,000 members vs 1,000 (PostgreSQL): POST /purchases, 200 members, 16 connections ==");
  await chains(async (big, small) => {
    const url = process.env.BENCH_DATABASE_URL as string;
    const smallUrl = new URL(url);
    smallUrl.pathname = "/kopilka_bench_1k";
    const rows: Record<string, number> = {};
    for (const linked of [false, true]) {
      for (const [name, db, dbUrl] of [
        ["1k", small, smallUrl.toString()],
        ["1M", big, url],
      ] as const) {
        // 200 of the chain's light members, spread over its ids (the heavy ones are the card's).
        const [{ n } = { n: 0 }] = await db.query<{ n: number }>(`SELECT max(id)::int AS n FROM "Member"`);
        const sample = await db.query<{ id: number; memberCode: string }>(
          `SELECT id, "memberCode" FROM "Member" WHERE id IN (SELECT 1 + (g * 7919) % $1 FROM generate_series(1, 200) g)
           AND id NOT IN (SELECT "memberId" FROM "Purchase" GROUP BY "memberId" HAVING count(*) > 100)`,
          [n],
        );
        const tg = linked ? new FakeTelegram() : null;
        if (tg) {
          tg.lean = true;
          tg.limitRate(30);
          for (const m of sample) tg.user({ id: 7_000_000_000 + m.id });
          await db.query(
            `UPDATE "Member" SET "telegramId" = 7000000000 + id, "chatId" = 7000000000 + id WHERE id = ANY($1::int[])`,
            [sample.map((m) => m.id)],
          );
        }
        const apiRoot = tg ? await tg.start() : undefined;
        try {
          const r = await purchaseLoad({
            databaseUrl: dbUrl,
            codes: sample.map((m) => m.memberCode),
            series: `S${linked ? "L" : "P"}${Date.now()}`,
            ...(tg && apiRoot ? { telegram: { apiRoot, token: tg.token } } : {}),
          });
          rows[`${name}${linked ? "L" : ""}`] = r.perSecond;
          console.log(
            `  ${name} ${linked ? "linked to Telegram (30/s)" : "no Telegram              "}  ${r.perSecond.toFixed(0).padStart(6)}/s   p50 ${r.p50} ms   p99 ${r.p99} ms   errors ${r.errors}   ${r.check}` +
              (tg ? `   notices sent ${tg.sends.accepted}, refused (429) ${tg.sends.refused}` : ""),
          );
        } finally {
          await tg?.stop();
          if (tg)
            await db.query(`UPDATE "Member" SET "telegramId" = NULL, "chatId" = NULL WHERE id = ANY($1::int[])`, [
              sample.map((m) => m.id),
            ]);
        }
      }
    }
    ratio("purchases/s 1M / 1k", (rows["1M"] ?? 0) / (rows["1k"] ?? 1), "≥ 0.9");
    ratio("purchases/s 1M linked / 1k (no Telegram)", (rows["1ML"] ?? 0) / (rows["1k"] ?? 1), "≥ 0.8");
    ratio("purchases/s 1M linked / 1k linked", (rows["1ML"] ?? 0) / (rows["1kL"] ?? 1), "—");
  });
}
