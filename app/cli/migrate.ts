/**
 * npm run db:migrate — applies pending migrations to the configured database
 * (PGlite in DATA_DIR, or DATABASE_URL) and prints what it applied.
 */
import { loadConfig, orExit } from "../config.js";
import { openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";

const config = orExit(() => loadConfig(process.env));
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, migrate: false });
try {
  const applied = await db.withConnection((c) => migrate(c, undefined, (m) => console.log(m)));
  console.log(
    `${db.kind === "postgres" ? "PostgreSQL" : `PGlite (${config.dataDir})`}: ${
      applied.length ? `${applied.length} migration(s) applied` : "up to date"
    }`,
  );
} finally {
  await db.close();
}
