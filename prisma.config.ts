import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { defineConfig } from "prisma/config";
import { pgliteAdapter } from "./app/db/pglite-adapter.js";
import { PrismaPgForCli } from "./app/db/prisma-pg-cli.js";

/**
 * The Prisma CLI (migrate dev/deploy/status, db pull) runs its WASM schema
 * engine through a driver adapter, so it downloads nothing: PGlite on
 * DATA_DIR when DATABASE_URL is unset, else the PostgreSQL server.
 * The running program applies migrations itself (app/db/migrate.ts).
 */
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (url) return new PrismaPgForCli({ connectionString: url });
    const dir = process.env.DATA_DIR ?? "./data/db";
    if (!dir.startsWith("memory://")) mkdirSync(dir, { recursive: true });
    return pgliteAdapter(await PGlite.create(dir));
  },
});
