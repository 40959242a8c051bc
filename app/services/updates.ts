import { coalesce } from "../db/batch.js";
import { sql } from "../db/sql.js";
import type { ServiceContext } from "./context.js";

/** Telegram keeps an undelivered update for 24 hours; twice that is plenty to recognise a redelivery. */
const KEEP_MS = 48 * 3_600_000;
const PRUNE_EVERY = 1_000;

/**
 * Telegram updates already taken, kept durably so a redelivery — a webhook
 * retry after a lost answer, a polling bot that restarted before confirming
 * its offset, a second delivery racing the first — is handled once. An
 * update is claimed before it is handled: one cut off by a crash is not
 * handled again (the cashier sees no answer and repeats), which is safer for
 * a ledger than handling it twice.
 */
export function createUpdateLog(ctx: ServiceContext) {
  let claims = 0;
  // Every update claims its id before anything else: the claims of updates
  // taken together go in one INSERT (app/db/batch.ts). Within one batch an id
  // asked for twice is claimed by its first asker only, as two INSERTs would.
  const claimMany = coalesce(
    async (ids: number[]) => {
      const now = ctx.now();
      // One statement, whole on its own: prepared once (db.read), not planned again for every batch.
      const rows = await ctx.db.read<{ updateId: number }>(
        sql`INSERT INTO "ProcessedUpdate" ("updateId", at)
          SELECT DISTINCT u, ${now.toISOString().replace("Z", "")}::timestamp FROM unnest(${ids}::int8[]) AS u
          ON CONFLICT ("updateId") DO NOTHING RETURNING "updateId"`,
      );
      const fresh = new Set(rows.map((r) => Number(r.updateId)));
      // Old claims are pruned with the 1st, 1,001st, 2,001st… claim.
      const before = claims;
      claims += ids.length;
      if (Math.ceil(claims / PRUNE_EVERY) > Math.ceil(before / PRUNE_EVERY)) await pruneBefore(now);
      return ids.map((id) => fresh.delete(id));
    },
    { concurrency: ctx.db.kind === "pglite" ? 1 : 4 },
  );
  async function pruneBefore(now: Date): Promise<number> {
    const rows = await ctx.db.query(`DELETE FROM "ProcessedUpdate" WHERE at < $1 RETURNING 1`, [
      new Date(now.getTime() - KEEP_MS).toISOString().replace("Z", ""),
    ]);
    return rows.length;
  }
  return {
    /** True for the first claim of an update id, false for every later one. */
    claim(updateId: number): Promise<boolean> {
      return claimMany(updateId);
    },
    /** Forgets claims older than the redelivery window. */
    prune(now = ctx.now()): Promise<number> {
      return pruneBefore(now);
    },
  };
}
