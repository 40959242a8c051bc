import { type Program, type Tier, parseProgram } from "../../domain/index.js";
import type { Database } from "../db/database.js";

/**
 * Tiers live in the database (TierDefinition) so marketers can change them;
 * the program file seeds them once. Returns the program with the tiers in
 * force, validated by the same rules as the file.
 *
 * Plain SQL, not Prisma: this runs on every start before the bot polls, and
 * the first Prisma query loads its query compiler (~0.3 s of CPU, issue 14's
 * start-up target); the typed reads that need Prisma load it later.
 */
export async function loadTiers(db: Database, program: Program): Promise<Program> {
  const rows = await db.query<Tier>(
    `SELECT code, name, "thresholdKopecks", "rateBp" FROM "TierDefinition" ORDER BY "thresholdKopecks"`,
  );
  if (rows.length === 0) {
    for (const t of program.tiers)
      await db.query(
        `INSERT INTO "TierDefinition" (code, name, "thresholdKopecks", "rateBp") VALUES ($1, $2, $3, $4)
         ON CONFLICT (code) DO NOTHING`,
        [t.code, t.name, t.thresholdKopecks, t.rateBp],
      );
    return program;
  }
  return parseProgram({ ...program, tiers: rows });
}
