import { spawn } from "node:child_process";
import autocannon from "autocannon";
import pg from "pg";
import { benchDatabase, ratio } from "./lib.js";

/**
 * POST /api/v1/purchases under load (autocannon, 16 connections) on
 * PostgreSQL, beside GET /api/v1/health on the same server; then checks that
 * the ledger holds exactly what was posted.
 */
const DURATION = 10;

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

export async function benchPos(postgresUrl: string | undefined) {
  console.log(`\n== POS API: POST /purchases, 16 connections, ${DURATION} s ==`);
  if (!postgresUrl) {
    console.log("  PostgreSQL: skipped (no server)");
    return;
  }
  const fresh = await benchDatabase(postgresUrl, "kopilka_bench_pos");
  const child = spawn("npx", ["tsx", "bench/pos-server.ts"], {
    env: { ...process.env, BENCH_DATABASE_URL: fresh.url },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /ready .*\n/.exec(out);
        if (m) resolve(m[0].trim());
      });
      child.on("exit", (c) => reject(new Error(`bench server exited with ${c}`)));
    });
    const [, port, key, codeList] = line.split(" ");
    const codes = (codeList ?? "").split(",");
    const base = `http://127.0.0.1:${port}/api/v1`;
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };

    await run({ url: `${base}/health`, connections: 16, duration: 2 }); // warm-up
    const health = await run({ url: `${base}/health`, connections: 16, duration: DURATION });
    let n = 0;
    const amounts: number[] = [];
    const purchases = await run({
      url: `${base}/purchases`,
      method: "POST",
      connections: 16,
      duration: DURATION,
      headers,
      requests: [
        {
          setupRequest: (req) => {
            const i = n++;
            const amount = 10_000 + ((i * 7919) % 400_000);
            amounts.push(amount);
            return {
              ...req,
              body: JSON.stringify({ memberCode: codes[i % codes.length], receiptId: `B-${i}`, amount }),
            };
          },
        },
      ],
    });
    const row = (label: string, r: autocannon.Result) =>
      console.log(
        `  ${label.padEnd(44)} ${r.requests.average.toFixed(0).padStart(8)}/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(
          r.latency.p99,
        ).padStart(4)} ms   errors ${r.errors + r.non2xx}`,
      );
    row("reference: GET /health", health);
    row("POST /purchases", purchases);
    ratio("health / purchases", health.requests.average / purchases.requests.average, "—");
    ratio("purchases/s", purchases.requests.average, "≥ 800, p99 < 50 ms, 0 errors");

    // The ledger afterwards, once requests still in flight when autocannon stopped
    // counting have finished, read in one snapshot: every posted amount is a
    // purchase, every purchase's points one accrual entry, every balance the sum.
    await new Promise((r) => setTimeout(r, 1000));
    const db = new pg.Client({ connectionString: fresh.url });
    await db.connect();
    const [c] = (
      await db.query(`SELECT
        (SELECT COUNT(*) FROM "Purchase")::int AS purchases,
        (SELECT COALESCE(SUM(amount), 0) FROM "Purchase")::bigint AS amount,
        (SELECT COALESCE(SUM("pointsAccrued"), 0) FROM "Purchase")::bigint AS "purchasePoints",
        (SELECT COALESCE(SUM(points), 0) FROM "LedgerEntry" WHERE kind = 'accrual')::bigint AS "accrualPoints",
        (SELECT COUNT(*) FROM "Member" m
          WHERE balance <> (SELECT COALESCE(SUM(points), 0) FROM "LedgerEntry" e WHERE e."memberId" = m.id))::int AS mismatched`)
    ).rows;
    await db.end();
    const sent = amounts.slice(0, c.purchases).reduce((s, a) => s + a, 0);
    const ok =
      c.purchases >= purchases["2xx"] &&
      String(c.amount) === String(sent) &&
      String(c.purchasePoints) === String(c.accrualPoints) &&
      c.mismatched === 0;
    console.log(
      `  ledger: ${c.purchases} purchases (${purchases["2xx"]} answered within the window), amounts ${c.amount} = sent ${sent}, ` +
        `points ${c.purchasePoints} = accrual entries ${c.accrualPoints}, balances ≠ ledger: ${c.mismatched} — ${ok ? "OK" : "MISMATCH"}`,
    );
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.on("exit", r));
    await fresh.drop();
  }
}
