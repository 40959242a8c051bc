import { type ChildProcess, spawn } from "node:child_process";
import autocannon from "autocannon";
import { benchDatabase, ratio } from "./lib.js";

/**
 * POST /api/v1/purchases under load (autocannon) on PGlite and PostgreSQL,
 * beside GET /api/v1/health on the same server: many members at 16
 * connections, then one hot member at 50 (every request waits for the same
 * member's lock); then checks that the ledger holds exactly what was posted.
 * The server runs in a process group of its own, killed as a group however
 * the benchmark ends, so nothing is left listening.
 */
const DURATION = 10;
const HOT_CONNECTIONS = 50;

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

const live = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.once(sig, () => {
    for (const c of live) killGroup(c, "SIGKILL");
    process.exit(130);
  });
process.once("exit", () => {
  for (const c of live) killGroup(c, "SIGKILL");
});

/** The server, started as `node --import tsx` (no npx/tsx wrappers to orphan) in a new process group. */
async function startServer(databaseUrl: string | undefined, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/pos-server.ts"], {
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl ?? "", ...env },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  live.add(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const ready = await new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /ready .*\n/.exec(out);
      if (m) {
        clearInterval(poll);
        resolve(m[0].trim());
      }
    }, 20);
    void exited.then(() => {
      clearInterval(poll);
      reject(new Error("bench server exited before it was ready"));
    });
  });
  return {
    ready,
    /** Asks for the ledger report and ends the group (SIGKILL after 30 s). */
    async stop(): Promise<Record<string, number> | null> {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
      killGroup(child, "SIGKILL");
      live.delete(child);
      const m = /ledger (.*)\n/.exec(out);
      return m?.[1] ? (JSON.parse(m[1]) as Record<string, number>) : null;
    },
  };
}

const line = (label: string, r: autocannon.Result) =>
  console.log(
    `  ${label.padEnd(44)} ${r.requests.average.toFixed(0).padStart(8)}/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(
      r.latency.p99,
    ).padStart(5)} ms   errors ${r.errors + r.non2xx}`,
  );

async function section(label: string, databaseUrl: string | undefined, p99Target: number) {
  console.log(`\n${label}`);
  const server = await startServer(databaseUrl);
  let answered = 0;
  try {
    const [, port, key, codeList] = server.ready.split(" ");
    const codes = (codeList ?? "").split(",");
    const base = `http://127.0.0.1:${port}/api/v1`;
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const purchases = (series: string, connections: number, code: (i: number) => string) => {
      let n = 0;
      return run({
        url: `${base}/purchases`,
        method: "POST",
        connections,
        duration: DURATION,
        headers,
        requests: [
          {
            setupRequest: (req) => {
              const i = n++;
              const amount = 10_000 + ((i * 7919) % 400_000);
              return { ...req, body: JSON.stringify({ memberCode: code(i), receiptId: `${series}-${i}`, amount }) };
            },
          },
        ],
      });
    };

    await run({ url: `${base}/health`, connections: 16, duration: 2 }); // warm-up
    const health = await run({ url: `${base}/health`, connections: 16, duration: DURATION });
    const many = await purchases("B", 16, (i) => codes[i % codes.length] ?? "");
    const hot = await purchases("H", HOT_CONNECTIONS, () => codes[0] ?? "");
    answered = many["2xx"] + hot["2xx"];
    line("reference: GET /health, 16 connections", health);
    line(`POST /purchases, ${codes.length} members, 16 connections`, many);
    line(`POST /purchases, 1 hot member, ${HOT_CONNECTIONS} connections`, hot);
    ratio("health / purchases (many members)", health.requests.average / many.requests.average, "—");
    ratio("hot member p99, ms", hot.latency.p99, `≤ ${p99Target} ms`);
  } finally {
    const c = await server.stop();
    const ok =
      c !== null &&
      (c.purchases ?? 0) >= answered &&
      c.wrongAmounts === 0 &&
      c.purchasePoints === c.accrualPoints &&
      c.balances === 0 &&
      c.chains === 0 &&
      c.lots === 0;
    console.log(
      c
        ? `  ledger: ${c.purchases} purchases (${answered} answered within the window), amounts ≠ sent: ${c.wrongAmounts}, ` +
            `points ${c.purchasePoints} = accrual entries ${c.accrualPoints}, balances ≠ ledger: ${c.balances}, ` +
            `broken chains: ${c.chains}, lots ≠ replay: ${c.lots} — ${ok ? "OK" : "MISMATCH"}`
        : "  ledger: the server gave no report — MISMATCH",
    );
  }
}

/**
 * One row of purchases (16 connections, DURATION s) for the given members of a
 * chain, against a server of its own; with `telegram`, notices go to that Bot
 * API (the members must be linked). Returns the rate and the ledger check.
 */
export async function purchaseLoad(o: {
  databaseUrl: string;
  codes: string[];
  series: string;
  telegram?: { apiRoot: string; token: string };
}) {
  const server = await startServer(o.databaseUrl, {
    BENCH_CODES: o.codes.join(","),
    ...(o.telegram ? { BENCH_TG_API_ROOT: o.telegram.apiRoot, BENCH_TG_TOKEN: o.telegram.token } : {}),
  });
  let r: autocannon.Result;
  let check = "";
  try {
    const [, port, key] = server.ready.split(" ");
    let n = 0;
    const opts = {
      url: `http://127.0.0.1:${port}/api/v1/purchases`,
      method: "POST" as const,
      connections: 16,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      requests: [
        {
          setupRequest: (req: autocannon.Request) => {
            const i = n++;
            const amount = 10_000 + ((i * 7919) % 400_000);
            const memberCode = o.codes[i % o.codes.length] ?? "";
            return { ...req, body: JSON.stringify({ memberCode, receiptId: `${o.series}-${i}`, amount }) };
          },
        },
      ],
    };
    await run({ ...opts, duration: 2 }); // warm-up: connections, plans, the members' pages
    r = await run({ ...opts, duration: DURATION });
  } finally {
    const c = await server.stop();
    const ok =
      c !== null && c.wrongAmounts === 0 && c.purchasePoints === c.accrualPoints && c.balances === 0 && c.chains === 0;
    check = c
      ? `ledger of these members ${ok ? "OK" : `MISMATCH ${JSON.stringify(c)}`}`
      : "no ledger report — MISMATCH";
  }
  return { perSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, check };
}

export async function benchPos(postgresUrl: string | undefined) {
  console.log(`\n== POS API: POST /purchases, ${DURATION} s per row ==`);
  await section("PGlite (embedded, in the server process)", undefined, 500);
  if (!postgresUrl) {
    console.log("\n  PostgreSQL: skipped (no server)");
    return;
  }
  const fresh = await benchDatabase(postgresUrl, "kopilka_bench_pos");
  try {
    await section("PostgreSQL", fresh.url, 250);
  } finally {
    await fresh.drop();
  }
}
