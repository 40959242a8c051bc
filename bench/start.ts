import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeTelegram } from "../test/support/telegram-server.js";
import { freePort } from "../test/support/process.js";

/**
 * Start-up on PGlite: time from the command to the first getUpdates reaching
 * the fake Bot API, and the resident memory of the bot's process after 5 s
 * idle. Three ways to start it, each the median of RUNS starts in the same run:
 * `node dist/main.js` (what a service manager runs), `npm start` (the same,
 * behind npm and the build check) and `npm run dev` (tsx).
 * The data folder exists (a first start made it), as on every start but the
 * first, and each start follows a clean stop (SIGTERM), as a restart does.
 */
const RUNS = 3;
/** Resident memory of the group's processes that run the bot (not npm's own). */
function rssOfBot(pgid: number): number {
  const out = execFileSync("ps", ["-o", "rss=,args=", "-g", String(pgid)], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => /main\.(js|ts)|start\.mjs/.test(l) && !/npm|sh -c/.test(l))
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

async function once(command: string[], dir: string) {
  const tg = new FakeTelegram();
  await tg.start();
  const t0 = performance.now();
  const child = spawn(command[0] as string, command.slice(1), {
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
    if (child.pid && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid, "SIGTERM");
      const killer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 15_000);
      await exited;
      clearTimeout(killer);
    }
    await tg.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function benchStart() {
  console.log(`\n== start-up on PGlite: to the first getUpdates (median of ${RUNS}), and memory after 5 s idle ==`);
  const dir = mkdtempSync(join(tmpdir(), "kopilka-bench-start-"));
  const npmStart = ["npm", "run", "start", "--silent"];
  await once(npmStart, dir); // builds dist/ if a source changed, creates and migrates the database
  const ways: [string, string[]][] = [
    ["node dist/main.js", ["node", "dist/main.js"]],
    ["npm start", npmStart],
    ["npm run dev (tsx)", ["npm", "run", "dev", "--silent"]],
  ];
  for (const [name, command] of ways) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(command, dir));
    const ms = runs.map((r) => r.ms);
    console.log(
      `  ${name.padEnd(18)} first getUpdates ${median(ms).toFixed(0).padStart(5)} ms (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}; CPU ${(median(runs.map((r) => r.cpu)) * 1000).toFixed(0)} ms)   RSS ${median(
        runs.map((r) => r.rssMb),
      )
        .toFixed(0)
        .padStart(4)} MB (the bot's node process)`,
    );
  }
  console.log("  targets: ≤ 1000 ms, ≤ 300 MB");
  rmSync(dir, { recursive: true, force: true });
}
