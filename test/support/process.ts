import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

/** Kopilka's own folder, where `npm start` and `npm run cli` run. */
export const ROOT = join(import.meta.dirname, "..", "..");

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  /** Resolves once the HTTP API listens (the bot may still be reaching Telegram). */
  listening: Promise<void>;
  /** Resolves once the bot polls or has its webhook set. */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** `npm start` as a user runs it, in its own process group (so a signal reaches every process in it). */
export function npmStart(env: Record<string, string>): Started {
  let out = "";
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, DATABASE_URL: "", LOG_LEVEL: "info", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const when = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        if (re.test(out)) resolve();
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      void exited.then((code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
    });
  const listening = when(/http server listening/);
  const ready = when(/is polling|receives updates by webhook/);
  // Either may be left unawaited by a test that kills the process.
  listening.catch(() => {});
  ready.catch(() => {});
  return { child, output: () => out, listening, ready, exited };
}

/** Sends `signal` to the whole process group; resolves once every process in it let go of the pipes. */
export function stopGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on("close", () => resolve());
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      resolve();
    }
  });
}

/** `npm run cli -- …args` with the environment given; resolves with its exit code and output. */
export function npmCli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      "npm",
      ["run", "--silent", "cli", "--", ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: "", ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

/** The names the lead's tests use for the same helpers (npm start as a user runs it; Ctrl-C by default). */
export type App = Started;
export const startApp = npmStart;
export const stopped = (child: ChildProcess, signal: NodeJS.Signals = "SIGINT") => stopGroup(child, signal);
