import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

/** `npm start` as a user runs it, in its own process group; its output is kept. */
export interface App {
  child: ChildProcess;
  output: () => string;
  /** The bot is polling or has set its webhook. */
  ready: Promise<void>;
  /** The HTTP server listens. */
  listening: Promise<void>;
  exited: Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function startApp(env: Record<string, string>): App {
  let out = "";
  const child = spawn("npm", ["start", "--silent"], {
    cwd: join(import.meta.dirname, "../.."),
    // Its own process group, like a terminal's foreground job: Ctrl-C reaches every process in it.
    detached: true,
    env: { ...process.env, DATABASE_URL: "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const waitFor = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (re.test(out)) resolve();
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      void exited.then((code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
    });
  const collect = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const ready = waitFor(/is polling|receives updates by webhook/);
  const listening = waitFor(/http server listening/);
  // Awaited by the tests that need them; an app that exits early must not be an unhandled rejection.
  ready.catch(() => {});
  listening.catch(() => {});
  return { child, output: () => out, ready, listening, exited };
}

/**
 * Ctrl-C (or a service manager's SIGTERM), or kill -9 with SIGKILL: the
 * signal to the whole process group. Resolves once every process in it has exited.
 */
export function stopped(child: ChildProcess, signal: NodeJS.Signals = "SIGINT"): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    // "close": every process of the group has let go of the output pipes.
    child.on("close", () => resolve());
    process.kill(-(child.pid as number), signal);
  });
}
