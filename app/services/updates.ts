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
  return {
    /** True for the first claim of an update id, false for every later one. */
    async claim(updateId: number): Promise<boolean> {
      const now = ctx.now();
      const rows = await ctx.db.query(
        `INSERT INTO "ProcessedUpdate" ("updateId", at) VALUES ($1, $2) ON CONFLICT ("updateId") DO NOTHING RETURNING 1`,
        [updateId, now.toISOString().replace("Z", "")],
      );
      if (++claims % PRUNE_EVERY === 1) await this.prune(now);
      return rows.length === 1;
    },
    /** Forgets claims older than the redelivery window. */
    async prune(now = ctx.now()): Promise<number> {
      const rows = await ctx.db.query(`DELETE FROM "ProcessedUpdate" WHERE at < $1 RETURNING 1`, [
        new Date(now.getTime() - KEEP_MS).toISOString().replace("Z", ""),
      ]);
      return rows.length;
    },
  };
}
