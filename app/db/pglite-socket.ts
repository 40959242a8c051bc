import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** psql's convention: a server in <dir> on port 5432 listens at <dir>/.s.PGSQL.5432. */
export const SOCKET_PORT = 5432;
export const socketPath = (dir: string) => join(dir, `.s.PGSQL.${SOCKET_PORT}`);

/**
 * Serves the process's PGlite to other local processes (the CLI, psql) as a
 * PostgreSQL server on a Unix socket in the data folder — the only way they
 * may reach the folder while this process owns it.
 *
 * The socket server runs each client message under PGlite's query mutex
 * only, so a message could land between the statements of one of the
 * application's transactions, and the application's statements could land
 * inside a client's open transaction. Every message therefore also takes the
 * transaction mutex the application's queries and transactions take, and keeps
 * it while the client's transaction stays open: the two sides never mix.
 */
export async function servePglite(db: PGlite, dataDir: string) {
  const dir = resolve(dataDir);
  const path = socketPath(dir);
  // Left by a process that was killed; we hold the folder's lock, so it is stale.
  if (existsSync(path)) rmSync(path, { force: true });
  const server = new PGLiteSocketServer({
    db: exclusiveWithApplication(db),
    path,
    maxConnections: 16,
    // A client that sits idle is let go, so a forgotten open transaction cannot block the application.
    idleTimeout: 60_000,
  });
  await server.start();
  return {
    dir,
    async stop() {
      await server.stop();
      rmSync(path, { force: true });
    },
  };
}

function exclusiveWithApplication(db: PGlite): PGlite {
  let held: (() => void) | null = null;
  const hold = () =>
    new Promise<void>((got) => {
      void db._runExclusiveTransaction(
        () =>
          new Promise<void>((done) => {
            held = done;
            got();
          }),
      );
    });
  const letGoUnlessInTransaction = () => {
    if (held && !db.isInTransaction()) {
      const done = held;
      held = null;
      done();
    }
  };
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (!held) await hold();
    try {
      return await db.runExclusive(fn);
    } finally {
      letGoUnlessInTransaction();
    }
  };
  return new Proxy(db, {
    get(target, key) {
      if (key === "runExclusive") return exclusive;
      // The socket server rolls back the transaction of a client that went
      // away; the mutex is ours then, so it must not wait for it again.
      if (key === "exec") return (sql: string) => exclusive(() => target.execProtocolRaw(simpleQuery(sql)));
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A Query message of the PostgreSQL wire protocol ('Q', length, text, NUL). */
function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, "utf8");
  const msg = Buffer.alloc(5 + text.length);
  msg.write("Q", 0, "ascii");
  msg.writeInt32BE(4 + text.length, 1);
  text.copy(msg, 5);
  return msg;
}
