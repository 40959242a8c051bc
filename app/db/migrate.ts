import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A single connection that runs raw SQL. */
export interface RawConnection {
  /** Runs a multi-statement SQL script (simple query protocol). */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");

/**
 * Applies pending migrations from prisma/migrations, each in its own
 * transaction, recording them in Prisma's own `_prisma_migrations` table with
 * Prisma's checksum, so `prisma migrate status`/`deploy` agree with it.
 *
 * Why not shell out to the Prisma CLI: PGlite is embedded and single-process,
 * so the running program is the only one that can open its data folder; and
 * the CLI's WASM engine takes seconds to start.
 */
export async function migrate(
  db: RawConnection,
  dir = MIGRATIONS_DIR,
  log: (msg: string) => void = () => {},
): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`);
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  // Every start runs this: one read answers "nothing to do" (a locked transaction per
  // migration cost ~0.4 s of a cold PGlite start, issue 14); pending ones are re-checked under the lock.
  const finished = new Map(
    (
      await db.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      )
    ).map((r) => [r.migration_name, r.checksum]),
  );
  const applied: string[] = [];
  for (const name of names) {
    const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
    const checksum = createHash("sha256").update(sql).digest("hex");
    const known = finished.get(name);
    if (known !== undefined) {
      if (known !== checksum) log(`warning: migration ${name} was changed after it was applied`);
      continue;
    }
    // A lock per database makes concurrent starters (several bot replicas) take turns.
    await db.exec("BEGIN; SELECT pg_advisory_xact_lock(7305520);");
    try {
      const done = await db.query<{ checksum: string }>(
        `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        [name],
      );
      if (done[0]) {
        if (done[0].checksum !== checksum) log(`warning: migration ${name} was changed after it was applied`);
        await db.exec("COMMIT");
        continue;
      }
      await db.exec(sql);
      await db.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
        [randomUUID(), checksum, name],
      );
      await db.exec("COMMIT");
      applied.push(name);
      log(`applied migration ${name}`);
    } catch (e) {
      await db.exec("ROLLBACK");
      throw new Error(`migration ${name} failed: ${(e as Error).message}`, { cause: e });
    }
  }
  return applied;
}
