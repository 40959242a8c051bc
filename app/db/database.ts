import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../../generated/prisma/client.js";
import { migrate, type RawConnection } from "./migrate.js";

export type { RawConnection } from "./migrate.js";

import { pgliteAdapter } from "./pglite-adapter.js";

import { type DataDirLock, DataDirLockedError, lockDataDir } from "./lock.js";
import { SOCKET_PORT, servePglite } from "./pglite-socket.js";
import { runCommitted, type Sql, type SqlTx, sqlTx, toParams } from "./sql.js";
import { translateConnectionError } from "./unavailable.js";

export type { PrismaClient } from "../../generated/prisma/client.js";
export type { SqlTx } from "./sql.js";
export { DataDirLockedError } from "./lock.js";

/**
 * One open database: the Prisma client for the application and a raw SQL
 * channel for migrations and benchmarks. The same schema and migrations serve
 * both kinds.
 */
export interface Database extends RawConnection {
  readonly kind: "pglite" | "postgres";
  readonly prisma: PrismaClient;
  /** Runs `fn` on one connection (a raw transaction needs that). */
  withConnection<T>(fn: (c: RawConnection) => Promise<T>): Promise<T>;
  /**
   * One unit of work on one connection: every statement inside commits or
   * none does. All that moves points runs in one (app/services/ledger.ts).
   */
  unitOfWork<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /**
   * One statement on its own, outside a unit of work (a consistent snapshot
   * by itself, no BEGIN or COMMIT to pay for): a read, or a write that is
   * whole in one statement (the claim of an update id). Prepared once per
   * connection like a unit of work's statements: a hot statement is not
   * planned again on every call.
   */
  read<T>(q: Sql): Promise<T[]>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /**
   * PGlite: also serve the database on a Unix socket in the data folder, so
   * the CLI and psql can reach it while this process owns the folder.
   */
  serveSocket?: boolean;
  /**
   * PGlite: when another live process owns the folder, "fail" (default)
   * throws DataDirLockedError; "connect" reaches the owner through its socket
   * (the CLI), never opening the folder a second time.
   */
  whenLocked?: "fail" | "connect";
}

/** int8 as a JS number (counts and sums here stay far below 2^53); timestamps as UTC. */
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20) return (v: string) => Number(v);
    if (oid === 1114) return (v: string) => new Date(`${v.replace(" ", "T")}Z`);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return migrated(openPostgres(opts.databaseUrl, opts.poolSize ?? 10), opts);
  const memory = opts.dataDir.startsWith("memory://");
  if (memory) return migrated(await openPglite(opts.dataDir, null, false), opts);
  mkdirSync(opts.dataDir, { recursive: true });
  let lock: DataDirLock;
  try {
    lock = lockDataDir(opts.dataDir);
  } catch (e) {
    if (!(e instanceof DataDirLockedError) || opts.whenLocked !== "connect") throw e;
    const dir = e.owner.socketDir;
    if (!dir) throw e;
    // The owner migrated the schema when it opened the folder.
    return openPostgres({ host: dir, port: SOCKET_PORT, user: "postgres", database: "postgres" }, 1);
  }
  try {
    return await migrated(await openPglite(opts.dataDir, lock, opts.serveSocket === true), opts);
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function migrated(db: Database, opts: DatabaseOptions): Promise<Database> {
  if (opts.migrate !== false) await db.withConnection((c) => migrate(c));
  return db;
}

/** `text` with $1, $2 … replaced by the values as escaped SQL literals. */
export function inlineParams(c: { escapeLiteral(s: string): string }, text: string, params: unknown[]): string {
  return text.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = params[Number(n) - 1];
    if (v === null || v === undefined) return "NULL";
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Error("a non-finite number cannot be a SQL literal");
      return String(v);
    }
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
    if (Array.isArray(v)) return c.escapeLiteral(arrayLiteral(v));
    // As the drivers send them: bytes as bytea's hex form, other objects as JSON.
    if (v instanceof Uint8Array) return `'\\x${Buffer.from(v).toString("hex")}'`;
    if (typeof v === "object") return c.escapeLiteral(JSON.stringify(v));
    return c.escapeLiteral(String(v));
  });
}

/**
 * A name per statement text, so each pooled connection parses and plans a
 * unit of work's statements once and then reuses the plan (issue 14: the
 * purchase statement spent 0.28 ms planning against 0.22 ms executing).
 * Texts past the first 500 distinct ones (a statement built with a varying
 * list) run unnamed, so no connection collects statements without bound.
 */
const statementNames = new Map<string, string>();
function preparedName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < 500) {
    name = `k${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** A JS array as PostgreSQL's array text ({1,2,NULL} / {"a","b"}), as node-postgres sends one. */
function arrayLiteral(a: readonly unknown[]): string {
  const item = (v: unknown): string => {
    if (v === null || v === undefined) return "NULL";
    if (Array.isArray(v)) return arrayLiteral(v);
    const s = v instanceof Date ? v.toISOString().replace("Z", "") : String(v);
    return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  };
  return `{${a.map(item).join(",")}}`;
}

function openPostgres(url: string | pg.PoolConfig, max: number): Database {
  const pool = new pg.Pool({
    ...(typeof url === "string" ? { connectionString: url } : url),
    max,
    types: pgTypes as pg.CustomTypesConfig,
    // A server that does not answer at all must not hold a request forever.
    connectionTimeoutMillis: 5_000,
  });
  // The server may drop a connection at any time (restart, failover,
  // pg_terminate_backend). An 'error' event with no listener ends the process,
  // and pg-pool listens only while a client is idle in the pool; so every
  // client gets its own listener for its whole life. The query in flight then
  // fails with the error, which becomes DB.UNAVAILABLE below, and the pool
  // drops the broken client when it is released with that error.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const prisma = withConnectionErrors(new PrismaClient({ adapter: new PrismaPg(pool) }));
  const checkout = async () => {
    try {
      return await pool.connect();
    } catch (e) {
      throw translateConnectionError(e);
    }
  };
  /** Runs `fn` on a checked-out client; a broken client is destroyed, not returned to the pool. */
  const onClient = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await checkout();
    let failure: unknown;
    try {
      return await fn(c);
    } catch (e) {
      failure = translateConnectionError(e);
      throw failure;
    } finally {
      c.release(failure !== undefined && isDbUnavailable(failure) ? (failure as Error) : undefined);
    }
  };
  return {
    kind: "postgres",
    prisma,
    async exec(sql) {
      await onClient((c) => c.query(sql));
    },
    async query(sql, params) {
      return onClient(async (c) => (await c.query(sql, params as unknown[])).rows);
    },
    async read<T>(q: Sql) {
      return onClient(
        async (c) =>
          (await c.query({ name: preparedName(q.text), text: q.text, values: toParams(q.values) })).rows as T[],
      );
    },
    withConnection(fn) {
      return onClient((c) =>
        fn({
          exec: async (sql) => void (await c.query(sql)),
          query: async (sql, params) => (await c.query(sql, params as unknown[])).rows,
        }),
      );
    },
    unitOfWork(fn) {
      return onClient(async (c) => {
        let begun = false;
        const committed: (() => void)[] = [];
        try {
          const result = await fn(
            sqlTx(async (text, params) => {
              if (begun) return (await c.query({ name: preparedName(text), text, values: params })).rows;
              // BEGIN travels with the first statement: one round trip fewer per
              // unit of work (the simple protocol takes no parameters, so they
              // are inlined as escaped literals).
              begun = true;
              const results = (await c.query(`BEGIN; ${inlineParams(c, text, params)}`)) as unknown as pg.QueryResult[];
              return results[1]?.rows ?? [];
            }, committed),
          );
          if (begun) await c.query("COMMIT");
          runCommitted(committed);
          return result;
        } catch (e) {
          if (begun) await c.query("ROLLBACK").catch(() => {});
          throw e;
        }
      });
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

const isDbUnavailable = (e: unknown) => (e as { code?: unknown }).code === "DB.UNAVAILABLE";

/**
 * The Prisma client, with a lost connection surfacing as DB.UNAVAILABLE like
 * on the raw paths (the API answers 503 and the caller may retry).
 */
function withConnectionErrors(prisma: PrismaClient): PrismaClient {
  return prisma.$extends({
    query: {
      async $allOperations({ args, query }) {
        try {
          return await query(args);
        } catch (e) {
          throw translateConnectionError(e);
        }
      },
    },
  }) as unknown as PrismaClient;
}

/**
 * PGlite runs one transaction at a time, and runs it synchronously on this
 * thread: its own lock hands over from one waiting transaction to the next in
 * microtasks, so while units of work are queued the event loop never reaches
 * its I/O phase. Requests that arrived meanwhile could not even be read, and
 * under one hot member a few waited seconds while later ones passed (p99 2.9 s
 * at p50 0.24 s in `bench pos`). Units of work take turns in call order, and
 * each turn starts on a fresh event-loop iteration, so I/O is served between
 * transactions and waiting is first come, first served.
 */
function fairTurns() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    next<T>(run: () => Promise<T>): Promise<T> {
      const turn = tail.then(() => new Promise<void>((r) => setImmediate(r))).then(run);
      tail = turn.catch(() => undefined);
      return turn;
    },
  };
}

/**
 * PGlite's server settings. Its shared buffers live in the WebAssembly heap
 * and are touched at start, so the default 128 MB is resident for good: with
 * 16 MB the process idles ~120 MB smaller (issue 14: 418 MB against ≤ 300).
 * One embedded session needs no big pool; pages it evicts are still in the
 * operating system's file cache. A new 16 MB WAL segment is not written full
 * of zeros first (`wal_init_zero`, meant for filesystems that allocate on
 * write): on PGlite's thread that stopped every transaction for 45–200 ms
 * each time the WAL grew by a segment — the p99 of `bench challenges` went
 * from 45–200 ms to ~5 ms without it. Segments are still recycled once
 * checkpoints free them.
 */
const PGLITE_START = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB", "-c", "wal_init_zero=off"];

/**
 * Runs a prepared statement on its generic plan, built once and kept. Left
 * to itself PostgreSQL plans a prepared statement anew for each call while
 * its generic plan's estimate is dearer than the custom ones (always, for
 * `id = ANY($1)`), and on PGlite planning the card's read cost more than
 * running it: 790 → 310 µs for one card, 100 → 65 µs per card in a batch of
 * 16 (scratch probe, 2026-12-05). Ours are keyed OLTP statements whose plan
 * does not turn on the values. The setting is the session's, so it is set
 * around the EXECUTE only, in the same call (one implicit transaction, or
 * the unit of work's): Prisma's and `db.query`'s statements, the dashboard's
 * among them, keep PostgreSQL's choice. Not on a PostgreSQL server, which
 * plans in its own process: the same form there (SQL-level PREPARE, values
 * inlined) ran `bench challenges` 5–8 % slower than its named statements.
 */
const executeGeneric = (name: string, args: string) =>
  `SET plan_cache_mode = force_generic_plan; EXECUTE ${name}${args}; RESET plan_cache_mode`;

/** EXECUTE's argument list: the values as escaped literals (none: nothing). */
const executeArgs = (params: unknown[]) =>
  params.length ? inlineParams(literals, `(${params.map((_, i) => `$${i + 1}`).join(", ")})`, params) : "";
const literals = { escapeLiteral: pg.escapeLiteral };

/** What PREPARE takes (not SET, LOCK, or several statements in one text). */
const PREPARABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

/**
 * Reads on PGlite as SQL-level prepared statements: each statement text is
 * PREPAREd once, then run as `EXECUTE name(literals…)` over the simple
 * protocol. Over the extended protocol PGlite parses and plans a statement
 * on every call and each protocol message costs a trip through the
 * WebAssembly boundary: a small indexed read took ~4× longer that way.
 * Values are inlined as escaped literals (as for PostgreSQL's first statement
 * of a unit of work); texts past the first 500 run unprepared.
 */
function preparedReads(client: PGlite) {
  const prepared = new Map<string, Promise<unknown>>();
  const read = async <T>(q: Sql, retry = true): Promise<T[]> => {
    const params = toParams(q.values);
    // "r…", not the "k…" a socket client (the CLI) may give the same text at the protocol level in this session.
    const name = preparedName(q.text)?.replace(/^k/, "r");
    if (name === undefined) return (await client.query<T>(q.text, params)).rows;
    let ready = prepared.get(name);
    if (!ready) {
      ready = client.exec(`PREPARE ${name} AS ${q.text}`);
      prepared.set(name, ready);
      ready.catch(() => prepared.delete(name));
    }
    await ready;
    try {
      const [, result] = await client.exec(executeGeneric(name, executeArgs(params)));
      return (result?.rows ?? []) as T[];
    } catch (e) {
      // Deallocated behind our back (DISCARD ALL from a socket client): prepare it again, once.
      if ((e as { code?: unknown }).code !== "26000" || !retry) throw e;
      prepared.delete(name);
      return read<T>(q, false);
    }
  };
  return read;
}

/**
 * A unit of work's statements on PGlite, prepared as reads are (above): each
 * text PREPAREd once, inside the transaction that first runs it (a PREPARE
 * is not undone by a rollback), then EXECUTEd. A purchase's statements were
 * planned anew on every purchase, and that was half its time (issue 10's
 * bench: 244 → ~500 purchases/s). Statements PREPARE cannot take (SET, LOCK,
 * several in one text) and texts past the first 500 run as before.
 */
function preparedInTransactions() {
  const prepared = new Set<string>();
  return {
    async run(t: Transaction, text: string, params: unknown[]): Promise<unknown[]> {
      // "t…": not a read's "r…" (those are prepared outside transactions) nor a socket client's "k…".
      const name = PREPARABLE.test(text) ? preparedName(text)?.replace(/^k/, "t") : undefined;
      if (name === undefined) return (await t.query(text, params)).rows;
      if (!prepared.has(name)) {
        await t.exec(`PREPARE ${name} AS ${text}`);
        prepared.add(name);
      }
      const [, result] = await t.exec(executeGeneric(name, executeArgs(params)));
      return result?.rows ?? [];
    },
    forget() {
      prepared.clear();
    },
  };
}

async function openPglite(dataDir: string, lock: DataDirLock | null, serveSocket: boolean): Promise<Database> {
  const client = await PGlite.create(dataDir, { startParams: PGLITE_START });
  const socket = serveSocket ? await servePglite(client, dataDir) : null;
  if (socket) lock?.announceSocket(socket.dir);
  const prisma = new PrismaClient({ adapter: pgliteAdapter(client) });
  const turns = fairTurns();
  const statements = preparedInTransactions();
  const db: Database = {
    kind: "pglite",
    prisma,
    async exec(sql) {
      await client.exec(sql);
    },
    async query(sql, params) {
      return (await client.query(sql, params as unknown[])).rows as never[];
    },
    read: preparedReads(client),
    withConnection(fn) {
      return fn(db);
    },
    async unitOfWork(fn) {
      const attempt = async () => {
        const committed: (() => void)[] = [];
        const result = await turns.next(() =>
          client.transaction((t) => fn(sqlTx((text, params) => statements.run(t, text, params), committed))),
        );
        runCommitted(committed);
        return result;
      };
      try {
        return await attempt();
      } catch (e) {
        // A prepared statement deallocated behind our back (DISCARD ALL from a socket client)
        // failed the transaction, which rolled back whole: prepare again and run it once more.
        if ((e as { code?: unknown }).code !== "26000") throw e;
        statements.forget();
        return attempt();
      }
    },
    async close() {
      await socket?.stop();
      await prisma.$disconnect();
      await client.close();
      lock?.release();
    },
  };
  return db;
}
