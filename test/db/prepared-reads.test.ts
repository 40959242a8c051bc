import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { sql } from "../../app/db/sql.js";
import { testDatabases } from "../support/databases.js";

/**
 * `db.read`: one statement outside a unit of work, prepared once and then
 * executed (on PGlite as PREPARE/EXECUTE with the values inlined as
 * literals). Whatever the path, a value must arrive as itself.
 */
describe.each(testDatabases)("prepared reads on $name", ({ name, open }) => {
  let db: Database;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db?.close();
  });
  const probe = (n: number, text: string | null, list: number[], at: Date) =>
    db.read<{ n: number; text: string | null; list: number[]; at: Date }>(
      sql`SELECT ${n}::int + 1 AS n, ${text}::text AS text, ${list}::int[] AS list, ${at}::timestamp AS at`,
    );

  it("When the same read runs again with other values, then each answer is its own values, quotes and all", async () => {
    const at = new Date("2026-03-01T10:00:00.123Z");
    expect(await probe(1, "it's", [1, 2], at)).toEqual([{ n: 2, text: "it's", list: [1, 2], at }]);
    expect(await probe(41, "a\\b $1 ''", [], at)).toEqual([{ n: 42, text: "a\\b $1 ''", list: [], at }]);
    expect(await probe(0, null, [7], at)).toEqual([{ n: 1, text: null, list: [7], at }]);
  });

  // PGlite's one session is shared with socket clients (the CLI, psql), which may drop every prepared statement.
  it.runIf(name === "pglite")(
    "When the session's prepared statements were dropped meanwhile, then the read prepares again and answers",
    async () => {
      const at = new Date("2026-03-01T10:00:00Z");
      await probe(1, "x", [], at);
      await db.exec("DEALLOCATE ALL");
      expect(await probe(2, "y", [3], at)).toEqual([{ n: 3, text: "y", list: [3], at }]);
    },
  );
});
