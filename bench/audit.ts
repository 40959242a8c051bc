/**
 * npm run bench:audit — the ledger audit (app/services/audit.ts) of the
 * database in DATABASE_URL, timed: what `bench:data` runs after a build, alone.
 */
import { performance } from "node:perf_hooks";
import { loadConfig } from "../app/config.js";
import { openDatabase } from "../app/db/database.js";
import { auditLedger } from "../app/services/audit.js";

const config = loadConfig(process.env);
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const t = performance.now();
  const a = await auditLedger(db);
  console.log(
    `ledger audit: ${a.mismatches.length} balance mismatches, ${a.brokenChains} broken chains, ${a.doubleAccruals} double accruals, ${a.returnsOverReceipt} returns over receipt, ${a.negativeBalances} negative balances, ${a.lotMismatches.length} lot mismatches (${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );
  if (
    a.mismatches.length ||
    a.brokenChains ||
    a.doubleAccruals ||
    a.returnsOverReceipt ||
    a.negativeBalances ||
    a.lotMismatches.length
  )
    process.exitCode = 1;
} finally {
  await db.close();
}
