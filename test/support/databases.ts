import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, openDatabase } from "../../app/db/database.js";

/**
 * The databases every database test runs on: embedded PGlite always, and a
 * real PostgreSQL server when TEST_DATABASE_URL is set (test/with-postgres.sh
 * starts one). REQUIRE_POSTGRES=1 (CI) turns a missing server into a failure
 * instead of a quiet skip.
 */
export interface TestDatabase {
  name: "pglite" | "postgres";
  open(opts?: { poolSize?: number }): Promise<Database>;
}

const url = process.env.TEST_DATABASE_URL;
if (!url && process.env.REQUIRE_POSTGRES === "1") {
  throw new Error("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set: PostgreSQL was not started");
}

/** A fresh database on the test server, dropped when the Database closes. */
async function freshPostgres(adminUrl: string, poolSize?: number): Promise<Database> {
  const name = `kopilka_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: u.toString(), dataDir: "", poolSize });
  return {
    ...db,
    async close() {
      await db.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export const testDatabases: TestDatabase[] = [
  { name: "pglite", open: () => openDatabase({ dataDir: "memory://" }) },
  ...(url ? [{ name: "postgres" as const, open: (o?: { poolSize?: number }) => freshPostgres(url, o?.poolSize) }] : []),
];

/**
 * The URL of the PostgreSQL test database `db` lives in, for a second
 * process (or a second pool, as a second process has) on the same data.
 */
export async function urlOf(db: Database): Promise<string> {
  const [row] = await db.query<{ name: string }>("SELECT current_database() AS name");
  if (!row || !url) throw new Error("urlOf needs a PostgreSQL test database");
  const u = new URL(url);
  u.pathname = `/${row.name}`;
  return u.toString();
}
