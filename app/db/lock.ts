import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/**
 * One process per PGlite data folder. PGlite is a single-process database: a
 * second process opening the same folder writes over the first one's pages
 * (duplicate ids, double accruals, broken balance chains, silently). The lock
 * is a file naming the owner's pid, created with O_EXCL; a lock left by a
 * process that no longer runs (kill -9, power loss) is taken over, so a crash
 * never blocks the next start.
 */
export const LOCK_FILE = "kopilka.lock";

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** The Unix socket the owner serves the database on, if it does (see pglite-socket.ts). */
  socketDir?: string;
}

export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `the data folder ${dataDir} is in use by process ${owner.pid} (since ${owner.startedAt}). ` +
        `One process at a time may open a PGlite folder: stop that one first. ` +
        `The CLI (npm run cli) and psql work alongside it through its socket.`,
    );
  }
}

/** Whether `pid` is a live process (on this host) that could hold the lock. */
function alive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // a shared folder mounted elsewhere: never steal it
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // A recycled pid that now belongs to something that is not Node is no owner.
  try {
    return /node|tsx/.test(readFileSync(`/proc/${owner.pid}/cmdline`, "utf8"));
  } catch {
    return true;
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockOwner;
  } catch {
    return null;
  }
}

/** The live owner of the folder's lock, or null. */
export function lockOwner(dataDir: string): LockOwner | null {
  const owner = readOwner(join(dataDir, LOCK_FILE));
  return owner && alive(owner) ? owner : null;
}

export interface DataDirLock {
  /** Records the socket the owner serves on, for the CLI to find. */
  announceSocket(socketDir: string): void;
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(me), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 3) throw e;
    }
    const owner = readOwner(file);
    if (owner && alive(owner)) throw new DataDirLockedError(dataDir, owner);
    // Stale: move it aside (one of two racing starters wins the rename), and
    // make sure what was moved is the stale lock, not a fresh one just taken.
    const aside = `${file}.stale-${process.pid}`;
    try {
      renameSync(file, aside);
    } catch {
      continue;
    }
    const moved = readOwner(aside);
    if (moved && owner && moved.pid !== owner.pid) {
      renameSync(aside, file);
      throw new DataDirLockedError(dataDir, moved);
    }
    rmSync(aside, { force: true });
  }
  let held = true;
  return {
    announceSocket(socketDir) {
      writeFileSync(file, JSON.stringify({ ...me, socketDir }));
    },
    release() {
      if (!held) return;
      held = false;
      if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}

export const hasLockFile = (dataDir: string) => existsSync(join(dataDir, LOCK_FILE));
