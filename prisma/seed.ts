/**
 * npm run seed — loads a demo chain: 24 stores in nine Russian cities with
 * real coordinates, local time zones and weekly hours. Runs against the
 * configured database (PGlite in DATA_DIR, or DATABASE_URL); does nothing if
 * stores exist already.
 */
import { loadConfig, loadProgram, orExit } from "../app/config.js";
import { openDatabase } from "../app/db/database.js";
import { loadTiers } from "../app/services/index.js";
import { DEMO_STORES } from "./demo-stores.js";

const config = orExit(() => loadConfig(process.env));
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await loadTiers(
    db,
    orExit(() => loadProgram(config.programFile)),
  );
  const existing = await db.prisma.store.count();
  if (existing > 0) {
    console.log(`seed: ${existing} stores exist already; nothing to do`);
  } else {
    for (const [i, [name, address, latitude, longitude, timeZone, region, hours, pilot]] of DEMO_STORES.entries()) {
      await db.prisma.store.create({
        data: { name, address, latitude, longitude, timeZone, region, hours, pilot: pilot ?? false },
      });
      process.stdout.write(`\rseed: stores ${i + 1}/${DEMO_STORES.length}`);
    }
    console.log(`\nseed: ${DEMO_STORES.length} stores in ${new Set(DEMO_STORES.map((s) => s[5])).size} regions`);
  }
} finally {
  await db.close();
}
