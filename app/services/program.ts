import { type Program, parseProgram } from "../../domain/index.js";
import type { Database } from "../db/database.js";

/**
 * Tiers live in the database (TierDefinition) so marketers can change them;
 * the program file seeds them once. Returns the program with the tiers in
 * force, validated by the same rules as the file.
 */
export async function loadTiers(db: Database, program: Program): Promise<Program> {
  const rows = await db.prisma.tierDefinition.findMany({ orderBy: { thresholdKopecks: "asc" } });
  if (rows.length === 0) {
    await db.prisma.tierDefinition.createMany({ data: program.tiers, skipDuplicates: true });
    return program;
  }
  return parseProgram({ ...program, tiers: rows });
}
