import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../../generated/prisma/client.js";
import { migrate, type RawConnection } from "./migrate.js";

export type { RawConnection } from "./migrate.js";

import { pgliteAdapter } from "./pglite-adapter.js";

import { runCommitted, type SqlTx, sqlTx } from "./sql.js";

export type { PrismaClient } from "../../generated/prisma/client.js";
export type { SqlTx } from "./sql.js";

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
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
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
  const db = opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize ?? 10) : await openPglite(opts.dataDir);
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

function openPostgres(url: string, max: number): Database {
  const pool = new pg.Pool({ connectionString: url, max, types: pgTypes as pg.CustomTypesConfig });
  // An idle connection the server closed (restart, failover) must not crash
  // the process; the pool replaces it on the next checkout.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: "postgres",
    prisma,
    async exec(sql) {
      await pool.query(sql);
    },
    async query(sql, params) {
      return (await pool.query(sql, params as unknown[])).rows;
    },
    async withConnection(fn) {
      const c = await pool.connect();
      try {
        return await fn({
          exec: async (sql) => void (await c.query(sql)),
          query: async (sql, params) => (await c.query(sql, params as unknown[])).rows,
        });
      } finally {
        c.release();
      }
    },
    async unitOfWork(fn) {
      const c = await pool.connect();
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
      } finally {
        c.release();
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  const prisma = new PrismaClient({ adapter: pgliteAdapter(client) });
  const db: Database = {
    kind: "pglite",
    prisma,
    async exec(sql) {
      await client.exec(sql);
    },
    async query(sql, params) {
      return (await client.query(sql, params as unknown[])).rows as never[];
    },
    withConnection(fn) {
      return fn(db);
    },
    async unitOfWork(fn) {
      // PGlite runs one transaction at a time; others wait their turn.
      const committed: (() => void)[] = [];
      const result = await client.transaction((t) =>
        fn(sqlTx(async (text, params) => (await t.query(text, params)).rows, committed)),
      );
      runCommitted(committed);
      return result;
    },
    async close() {
      await prisma.$disconnect();
      await client.close();
    },
  };
  return db;
}
