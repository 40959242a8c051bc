import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeTelegram } from "../test/support/telegram-server.js";
import { freePort } from "../test/support/process.js";

/**
 * Start-up on PGlite: time from `npm start` (built JavaScript) to the first
 * getUpdates reaching the fake Bot API, and the resident memory of the
 * process group after 5 s idle; beside `npm run dev` (tsx) in the same run.
 * The data folder exists (a first start made it), as on every start but the first.
 */
/** Resident memory of the group's processes that run the bot (not npm's own). */
function rssOfBot(pgid: number): number {
  const out = execFileSync("ps", ["-o", "rss=,args=", "-g", String(pgid)], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => /main\.(js|ts)/.test(l) && !/npm|sh -c/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]))
    .reduce((s, n) => s + n, 0);
}

/**
 * CPU seconds the group has used (its live processes and the children they
 * reaped: npm, the build check, node): on a shared, loaded machine the wall
 * time to the first getUpdates mostly measures the neighbours, this does not.
 */
function cpuOfGroup(pgid: number): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // After the name: state ppid pgrp … utime(14) stime(15) cutime(16) cstime(17), counted from field 3.
      if (Number(f[2]) !== pgid) continue;
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

async function once(script: "start" | "dev", dir: string) {
  const tg = new FakeTelegram();
  await tg.start();
  const t0 = performance.now();
  const child = spawn("npm", ["run", script, "--silent"], {
    detached: true,
    env: {
      ...process.env,
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      DATA_DIR: join(dir, "db"),
      DATABASE_URL: "",
      PORT: String(await freePort()),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
  try {
    let ms = -1;
    let cpu = 0;
    for (let i = 0; i < 6000 && ms < 0; i++) {
      if (tg.calls.some((c) => c.method === "getUpdates")) {
        ms = performance.now() - t0;
        cpu = child.pid ? cpuOfGroup(child.pid) : 0;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 5000));
    const rssMb = child.pid ? rssOfBot(child.pid) / 1024 : 0;
    return { ms, rssMb, cpu };
  } finally {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
    await tg.stop();
  }
}

export async function benchStart() {
  console.log("\n== start-up on PGlite: to the first getUpdates, and memory after 5 s idle ==");
  const dir = mkdtempSync(join(tmpdir(), "kopilka-bench-start-"));
  await once("start", dir); // builds dist/ if a source changed, creates and migrates the database
  for (const script of ["start", "dev"] as const) {
    const { ms, rssMb, cpu } = await once(script, dir);
    console.log(
      `  npm ${script === "start" ? "start (built JavaScript)" : "run dev (tsx)     "}   first getUpdates ${ms.toFixed(0).padStart(5)} ms (CPU ${(cpu * 1000).toFixed(0)} ms)   RSS ${rssMb.toFixed(0).padStart(4)} MB (the bot's node process)`,
    );
  }
  console.log("  targets: ≤ 1000 ms, ≤ 300 MB");
  rmSync(dir, { recursive: true, force: true });
}
