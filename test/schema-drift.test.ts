import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../app/db/database.js";

/**
 * The migration history and prisma/schema.prisma describe the same database:
 * a database built by applying every migration has exactly the tables,
 * columns, indexes and foreign keys Prisma derives from the schema, plus the
 * integrity rules only SQL can say (CHECKs, the append-only trigger) and the
 * partial indexes Prisma's schema language cannot express (each named in a
 * comment in schema.prisma).
 */
const root = join(import.meta.dirname, "..");

async function catalog(db: Awaited<ReturnType<typeof openDatabase>>) {
  const columns = await db.query<{ c: string }>(`
    SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '') AS c
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`);
  const indexes = await db.query<{ c: string }>(
    `SELECT indexdef AS c FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
  );
  const constraints = await db.query<{ c: string }>(`
    SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS c
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ORDER BY 1`);
  return {
    columns: columns.map((r) => r.c),
    indexes: indexes.map((r) => r.c),
    constraints: constraints.map((r) => r.c),
  };
}

describe("schema drift", () => {
  it("migrations build the database schema.prisma describes", async () => {
    const fromSchema = execFileSync(
      "npx",
      ["prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
      { cwd: root, env: { ...process.env, DATA_DIR: "memory://", DATABASE_URL: "" }, encoding: "utf8" },
    );
    const migrated = await openDatabase({ dataDir: "memory://" });
    const expected = await openDatabase({ dataDir: "memory://", migrate: false });
    try {
      await expected.exec(fromSchema);
      const a = await catalog(migrated);
      const b = await catalog(expected);
      expect(a.columns).toEqual(b.columns);
      expect(b.indexes.filter((i) => !a.indexes.includes(i))).toEqual([]);
      const partial = a.indexes.filter((i) => !b.indexes.includes(i));
      expect(partial.filter((i) => !/ WHERE /.test(i))).toEqual([]);
      const schema = readFileSync(join(root, "prisma/schema.prisma"), "utf8");
      expect(partial.filter((i) => !schema.includes(/INDEX (\S+)/.exec(i)?.[1] ?? "?"))).toEqual([]);
      const extra = a.constraints.filter((c) => !b.constraints.includes(c));
      expect(b.constraints.filter((c) => !a.constraints.includes(c))).toEqual([]);
      expect(extra.every((c) => / CHECK /.test(c))).toBe(true);
      expect(extra.length).toBeGreaterThanOrEqual(5);
    } finally {
      await migrated.close();
      await expected.close();
    }
  }, 60_000);
});
