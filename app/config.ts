import { readFileSync } from "node:fs";
import { z } from "zod";
import { type Program, parseProgram } from "../domain/program.js";

/**
 * Settings shared by every entry point (bot, API, CLIs), parsed from the
 * environment by a pure function so tests can build one from a plain object.
 */
export const coreEnvSchema = z.object({
  /** postgresql://… selects a real PostgreSQL server; unset means embedded PGlite. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /** PGlite data folder when DATABASE_URL is unset ("memory://" keeps it in memory). */
  DATA_DIR: z.string().min(1).default("./data/db"),
  /** JSON file with the program rules (tiers, rates, caps…); defaults from the articles otherwise. */
  PROGRAM_CONFIG: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export interface CoreConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  programFile: string | undefined;
  logLevel: z.infer<typeof coreEnvSchema>["LOG_LEVEL"];
}

export function createCoreConfig(env: Record<string, string | undefined>): CoreConfig {
  const e = parseEnv(coreEnvSchema, env);
  return { databaseUrl: e.DATABASE_URL, dataDir: e.DATA_DIR, programFile: e.PROGRAM_CONFIG, logLevel: e.LOG_LEVEL };
}

export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const r = schema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  return r.data;
}

/** The program rules from PROGRAM_CONFIG (a JSON file), or the defaults. */
export function loadProgram(file: string | undefined): Program {
  if (!file) return parseProgram({});
  return parseProgram(JSON.parse(readFileSync(file, "utf8")));
}
