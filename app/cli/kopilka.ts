/**
 * npm run cli -- <command>
 *
 *   apikey create --store <id> [--import-history]
 *                                create a POS API key for a store; printed once, only its hash is kept.
 *                                --import-history lets it post purchases dated outside purchaseTimeWindow
 *   apikey create --admin        create an admin API key (metrics under /api/v1/admin); it posts nothing
 *   apikey revoke <key id>       revoke a key
 *   apikey list                  list keys (id, store, prefix, revoked)
 *   stores                       list stores (id, name, trustedPos)
 *   store trust <id> on|off      let a store's POS spend points without the shopper's confirmation
 *   offers list | create <offer.json> | show <id> | preview <id> | start|pause|end <id> | audit <id>
 *                                the marketer's offers (app/cli/offers.ts), audited as cli:<user>
 */
import pino from "pino";
import { loadConfig, loadProgram, orExit } from "../config.js";
import { openDatabase } from "../db/database.js";
import { createServices, loadTiers } from "../services/index.js";
import { offersCommand, offersUsage } from "./offers.js";

const usage = `usage: npm run cli -- apikey create --store <id> [--import-history] | apikey create --admin | apikey revoke <id> | apikey list | stores | store trust <id> on|off | ${offersUsage}`;

async function main(argv: string[]): Promise<number> {
  const config = orExit(() => loadConfig(process.env));
  // While the server runs, its PGlite folder is reached through the server's
  // socket: a second process must never open the folder itself.
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, whenLocked: "connect" });
  try {
    const program = await loadTiers(
      db,
      orExit(() => loadProgram(config.programFile)),
    );
    const s = createServices({ db, program, now: () => new Date(), log: pino({ level: "warn" }) });
    const [a, b, c, d, e] = argv;
    if (
      a === "apikey" &&
      b === "create" &&
      c === "--store" &&
      d &&
      /^\d+$/.test(d) &&
      (e === undefined || e === "--import-history") &&
      argv.length <= 5
    ) {
      const k = await s.apiKeys.create(Number(d), { importHistory: e === "--import-history" });
      console.log(
        `API key ${k.id} for store ${k.storeId}${k.importHistory ? " (may import history)" : ""} (shown once, keep it secret):\n${k.key}`,
      );
      return 0;
    }
    if (a === "apikey" && b === "create" && c === "--admin" && d === undefined) {
      const k = await s.apiKeys.createAdmin();
      console.log(`Admin API key ${k.id} (shown once, keep it secret):\n${k.key}`);
      return 0;
    }
    if (a === "apikey" && b === "revoke" && c && /^\d+$/.test(c)) {
      const ok = await s.apiKeys.revoke(Number(c));
      console.log(ok ? `key ${c} revoked` : `no active key ${c}`);
      return ok ? 0 : 1;
    }
    if (a === "apikey" && b === "list") {
      for (const k of await s.apiKeys.list())
        console.log(
          `${k.id}\t${k.role === "admin" ? "admin" : `store ${k.storeId}`}\t${k.prefix}…\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active"}${k.importHistory ? "\timports history" : ""}`,
        );
      return 0;
    }
    if (a === "stores") {
      for (const st of await db.prisma.store.findMany({ orderBy: { id: "asc" } }))
        console.log(`${st.id}\t${st.name}\t${st.active ? "active" : "closed"}\t${st.trustedPos ? "trusted POS" : ""}`);
      return 0;
    }
    if (a === "store" && b === "trust" && c && /^\d+$/.test(c) && (d === "on" || d === "off")) {
      await db.prisma.store.update({ where: { id: Number(c) }, data: { trustedPos: d === "on" } });
      console.log(`store ${c}: trusted POS ${d}`);
      return 0;
    }
    const offers = await offersCommand(s, argv);
    if (offers !== null) return offers;
    console.error(usage);
    return 2;
  } finally {
    await db.close();
  }
}

process.exitCode = await main(process.argv.slice(2).filter((x) => x !== "--"));
