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

/**
 * A unit of work's statements: on PGlite each text is PREPAREd in the first
 * transaction that runs it and EXECUTEd after, values inlined as literals.
 * Whatever the path, a value must arrive as itself, and a transaction that
 * rolls back leaves nothing but the prepared statement behind.
 */
describe.each(testDatabases)("prepared statements in a unit of work on $name", ({ name, open }) => {
  let db: Database;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db?.close();
  });
  const probe = (n: number, text: string | null, doc: object, bytes: Buffer, at: Date) =>
    db.unitOfWork((tx) =>
      tx.many<{ n: number; text: string | null; doc: unknown; bytes: Buffer; at: Date }>(
        sql`SELECT ${n}::int + 1 AS n, ${text}::text AS text, ${doc}::jsonb AS doc, ${bytes}::bytea AS bytes,
          ${at}::timestamp AS at`,
      ),
    );

  it("When the same statement runs in several units of work, then each answer is its own values: quotes, JSON and bytes too", async () => {
    const at = new Date("2026-03-01T10:00:00.123Z");
    const doc = { quote: "it's", nested: [1, { a: null }] };
    const [first] = await probe(1, "it's", doc, Buffer.from([0, 1, 254, 255]), at);
    expect(first).toMatchObject({ n: 2, text: "it's", doc, at });
    expect(Buffer.from(first?.bytes ?? []).toString("hex")).toBe("0001feff");
    const [second] = await probe(41, "a\\b $1 ''", {}, Buffer.alloc(0), at);
    expect(second).toMatchObject({ n: 42, text: "a\\b $1 ''", doc: {}, at });
  });

  it("When a unit of work fails after a statement, then nothing it wrote stays and the statement still runs next time", async () => {
    await db.exec(`CREATE TABLE IF NOT EXISTS "PreparedProbe" (id int PRIMARY KEY)`);
    const insert = (id: number) => (tx: Parameters<Parameters<Database["unitOfWork"]>[0]>[0]) =>
      tx.many(sql`INSERT INTO "PreparedProbe" (id) VALUES (${id}) RETURNING id`);
    await expect(
      db.unitOfWork(async (tx) => {
        await insert(1)(tx);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await db.unitOfWork(insert(2))).toEqual([{ id: 2 }]);
    expect(await db.query(`SELECT id FROM "PreparedProbe" ORDER BY id`)).toEqual([{ id: 2 }]);
  });

  it.runIf(name === "pglite")(
    "When the session's prepared statements were dropped meanwhile, then the unit of work prepares again and commits once",
    async () => {
      const at = new Date("2026-03-01T10:00:00Z");
      await probe(1, "x", {}, Buffer.alloc(0), at);
      await db.exec("DEALLOCATE ALL");
      const [row] = await probe(2, "y", { b: 1 }, Buffer.from([7]), at);
      expect(row).toMatchObject({ n: 3, text: "y", doc: { b: 1 }, at });
    },
  );
});
